"""Branch-and-price: prove (or improve) an incumbent with Dantzig–Wolfe bounds.

Each partner's options are put in one order: no deal first, then its blocks
(levels), each block's frontier points by cost. A node allows each partner a
window of that order; its bound is the Lagrangian bound of the master LP
restricted to the windows (column generation), the tightest bound of any
relaxation that keeps each partner whole. The LP solution is a portfolio as
soon as every partner puts all its weight on one option. Otherwise a partner is
split into two windows; among the partners that are split in the LP, the one
whose two children lose the most bound is chosen (strong branching), and
children already below the incumbent are never opened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.blocks import I64, Blocks, FlatPoints
from dealbench.optimize.choice import Choice, Option, masses, portfolio
from dealbench.optimize.master import Master, generate_columns
from dealbench.optimize.pricing import Duals

#: Partners tried per node by strong branching.
CANDIDATES = 3


@dataclass
class Node:
    start: I64  # (B,)
    stop: I64  # (B,)
    no_deal: NDArray[np.bool_]  # (P,)
    bound: float
    duals: Duals

    def split(self, blocks: Blocks, p: int, cut: tuple[int, int]) -> tuple[Node, Node]:
        """Partner p's options up to `cut` (inclusive; (-1, -1) is no deal) and after it."""
        b_cut, f_cut = cut
        left = Node(
            self.start.copy(), self.stop.copy(), self.no_deal.copy(), self.bound, self.duals
        )
        right = Node(
            self.start.copy(), self.stop.copy(), self.no_deal.copy(), self.bound, self.duals
        )
        right.no_deal[p] = False
        for b in np.flatnonzero(blocks.partner == p):
            if b_cut < 0 or b > b_cut:
                left.stop[b] = left.start[b]
            elif b < b_cut:
                right.stop[b] = right.start[b]
            else:
                left.stop[b] = min(left.stop[b], f_cut + 1)
                right.start[b] = max(right.start[b], f_cut + 1)
        for n in (left, right):
            n.stop = np.maximum(n.stop, n.start)
        return left, right


@dataclass
class Proof:
    value: float | None
    choices: list[Choice]
    bound: float
    nodes: int = 0
    complete: bool = False
    stats: dict[str, float] = field(default_factory=dict)


def branch_and_price(
    master: Master,
    root_bound: float,
    root_duals: Duals,
    *,
    incumbent: tuple[float, list[Choice]] | None,
    gap: float,
    deadline: float,
    points: FlatPoints | None = None,
    no_deal: NDArray[np.bool_] | None = None,
    max_nodes: int | None = None,
    first_only: bool = False,
    candidates: int = CANDIDATES,
) -> Proof:
    """Best-first search until no open node beats the incumbent by more than `gap`.

    Without an incumbent it plunges (depth first, better child first) until it
    finds one; `first_only` stops there.

    Only the candidate `points` are priced and `no_deal[p]` False forces partner
    p to deal: the caller has proven that nothing else can beat the incumbent.
    """
    blocks = master.blocks
    proof = Proof(None, [], root_bound)
    if incumbent is not None:
        proof.value, proof.choices = incumbent
    root = Node(
        np.zeros(blocks.n_blocks, np.int64),
        blocks.usable.copy(),
        np.ones(blocks.n_partners, dtype=bool) if no_deal is None else no_deal.copy(),
        root_bound,
        root_duals,
    )
    open_nodes = [root]
    closed = -np.inf
    while open_nodes and not (first_only and proof.value is not None):
        node = _pick(open_nodes, plunge=proof.value is None)
        if _beaten(proof, node.bound, gap):
            closed = max(closed, node.bound)
            continue
        if time.perf_counter() > deadline or (max_nodes is not None and proof.nodes >= max_nodes):
            open_nodes.append(node)
            break
        proof.nodes += 1
        for child in _expand(master, node, proof, gap, deadline, points, candidates):
            if _beaten(proof, child.bound, gap):
                closed = max(closed, child.bound)
            else:
                open_nodes.append(child)
    proof.complete = not open_nodes
    left = max((n.bound for n in open_nodes), default=-np.inf)
    best = proof.value if proof.value is not None else -np.inf
    proof.bound = min(root_bound, max(best, left, min(closed, root_bound)))
    return proof


def _pick(open_nodes: list[Node], plunge: bool) -> Node:
    """The newest node when plunging (children come better-bound last), else the best bound."""
    if plunge:
        return open_nodes.pop()
    return open_nodes.pop(max(range(len(open_nodes)), key=lambda k: open_nodes[k].bound))


def _beaten(proof: Proof, bound: float, gap: float) -> bool:
    if bound == -np.inf:
        return True
    if proof.value is None:
        return False
    return bound <= proof.value + gap * max(abs(proof.value), 1e-9)


def _solve(master: Master, node: Node, deadline: float, points: FlatPoints | None) -> bool:
    """Column generation at the node; False when the node is infeasible or time ran out."""
    lp = generate_columns(
        master,
        node.duals,
        window=(node.start, node.stop),
        no_deal=node.no_deal,
        points=points,
        deadline=deadline,
    )
    node.bound = min(node.bound, lp.bound)
    node.duals = lp.duals
    if lp.artificial > 1e-6 and lp.converged:
        node.bound = -np.inf
    return lp.converged


def _expand(
    master: Master,
    node: Node,
    proof: Proof,
    gap: float,
    deadline: float,
    points: FlatPoints | None,
    candidates: int,
) -> list[Node]:
    """Solve the node; record a portfolio, or return its children."""
    if not _solve(master, node, deadline, points):
        return [node] if node.bound > -np.inf else []
    if _beaten(proof, node.bound, gap):
        return []
    mass = masses(master)
    spread = _spread(mass)
    if not spread:
        value = float(master.h.getInfo().objective_function_value)
        if proof.value is None or value > proof.value:
            proof.value, proof.choices = value, portfolio(master)
        return []
    best: tuple[float, Node, Node] | None = None
    for p in spread[:candidates]:
        left, right = node.split(master.blocks, p, _cut(mass[p]))
        for child in (left, right):
            _solve(master, child, deadline, points)
        loss = (node.bound - left.bound, node.bound - right.bound)
        score = max(loss[0], 1e-9) * max(loss[1], 1e-9)
        if best is None or score > best[0]:
            best = (score, left, right)
        if _beaten(proof, left.bound, gap) and _beaten(proof, right.bound, gap):
            break
    assert best is not None
    return sorted((best[1], best[2]), key=lambda n: n.bound)


def _spread(mass: list[dict[Option, float]]) -> list[int]:
    """Partners whose weight is split, most split first."""
    scored = [(1.0 - max(w.values()), p) for p, w in enumerate(mass) if len(w) > 1]
    return [p for s, p in sorted(scored, reverse=True) if s > 1e-6]


def _cut(weights: dict[Option, float]) -> Option:
    """The option after which to split a partner's order, halving its weight."""
    used = sorted(weights)  # (-1, -1) (no deal) first, then blocks and points in order
    cum = np.cumsum([weights[u] for u in used])
    k = int(np.argmin(np.abs(cum[:-1] - 0.5 * cum[-1])))
    return used[k]
