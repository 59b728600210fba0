"""Branch-and-price: the exact optimum over every partner's deals.

Each partner's possible deals are put in one order: no deal first, then its
blocks (levels) one after another, each block's frontier points by cost. A
node allows each partner a window [lo, hi] of that order. Its LP (the master
restricted to the window, by column generation) is the Dantzig–Wolfe bound of
the node; the LP solution is a valid portfolio as soon as every partner puts
all its weight on one concession set (points of one set average into a
schedule of that set). Otherwise the partner whose weight is most spread is
split into two windows between the sets it uses.

The search dives depth-first (heavier side first) until it has a portfolio,
then takes the open node with the highest bound. It stops when no open node's
bound beats the incumbent by more than the requested gap, or at the deadline,
and reports the best bound left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.blocks import F64, I64, Blocks
from dealbench.optimize.master import Master, generate_columns
from dealbench.optimize.pricing import Duals, price
from dealbench.optimize.restricted import Choice

_MASS = 1e-6


@dataclass
class Node:
    lo: I64  # (P,) first allowed position of each partner (0 is no deal)
    hi: I64  # (P,) last allowed position
    bound: float
    depth: int = 0


@dataclass
class Search:
    """The outcome: the best portfolio found and the proven bound."""

    value: float | None = None  # incumbent objective (model units)
    choices: list[Choice] = field(default_factory=list)
    bound: float = np.inf
    nodes: int = 0
    iterations: int = 0
    root_bound: float = np.inf
    root_duals: Duals | None = None
    complete: bool = False  # the tree was searched to the gap
    closed: float = -np.inf  # highest bound of a node closed by the gap rule
    columns: list[tuple[int, int]] = field(default_factory=list)


class Order:
    """Positions of each partner's deals: 0 no deal, then blocks' frontier points."""

    def __init__(self, blocks: Blocks) -> None:
        self.offset = np.zeros(blocks.n_blocks, dtype=np.int64)
        size = np.zeros(blocks.n_partners, dtype=np.int64)
        for b in range(blocks.n_blocks):
            p = blocks.partner[b]
            self.offset[b] = 1 + size[p]
            size[p] += blocks.usable[b]
        self.size = size
        self.blocks = blocks

    def window(self, node: Node) -> tuple[I64, I64]:
        p = self.blocks.partner
        usable = self.blocks.usable
        start = np.clip(node.lo[p] - self.offset, 0, usable)
        stop = np.clip(node.hi[p] - self.offset + 1, 0, usable)
        return start, np.maximum(stop, start)

    def position(self, b: int, f: int) -> int:
        return int(self.offset[b] + f)


def branch_and_price(
    blocks: Blocks,
    *,
    gap: float,
    deadline: float,
    threads: int | None = None,
    incumbent: tuple[float, list[Choice]] | None = None,
    duals: Duals | None = None,
    seeds: list[tuple[int, int]] | None = None,
) -> Search:
    """Search the tree until the gap is proven or the deadline passes."""
    order = Order(blocks)
    master = Master(blocks, threads)
    _seed(master, blocks, duals, seeds)
    search = Search()
    if incumbent is not None:
        search.value, search.choices = incumbent
    root = Node(np.zeros(blocks.n_partners, np.int64), order.size.copy(), np.inf)
    open_nodes: list[Node] = [root]
    while open_nodes:
        node = _pick(open_nodes, dive=search.value is None)
        if _closed(search, node.bound, gap):
            continue
        if time.perf_counter() > deadline:
            open_nodes.append(node)
            break
        open_nodes += _process(master, order, node, search, gap, deadline)
    search.complete = not open_nodes
    leftover = max((n.bound for n in open_nodes), default=-np.inf)
    best = search.value if search.value is not None else -np.inf
    search.bound = min(search.root_bound, max(best, leftover, search.closed))
    search.columns = sorted(
        {(b, f) for b, f in zip(master.block, master.point, strict=True) if b >= 0}
    )
    return search


def _seed(
    master: Master, blocks: Blocks, duals: Duals | None, seeds: list[tuple[int, int]] | None
) -> None:
    """Warm start: columns of the previous search's sets, priced at its duals."""
    if not seeds:
        return
    pricing = price(blocks, duals or Duals.zero(blocks))
    ok = [(b, f) for b, f in seeds if 0 <= b < blocks.n_blocks and 0 <= f < blocks.usable[b]]
    if ok:
        master.add_points(pricing, ok)


def _pick(open_nodes: list[Node], dive: bool) -> Node:
    if dive:
        return open_nodes.pop()  # depth first: the last child pushed is the heavier side
    best = max(range(len(open_nodes)), key=lambda i: open_nodes[i].bound)
    return open_nodes.pop(best)


def _closed(search: Search, bound: float, gap: float) -> bool:
    """The node cannot beat the incumbent by more than the gap."""
    if bound == -np.inf:
        return True
    if search.value is None or bound > search.value + gap * max(abs(search.value), 1e-9):
        return False
    search.closed = max(search.closed, min(bound, search.root_bound))
    return True


def _process(
    master: Master, order: Order, node: Node, search: Search, gap: float, deadline: float
) -> list[Node]:
    """Solve a node's LP; record a portfolio or return its two children."""
    window = order.window(node)
    no_deal = node.lo == 0
    cutoff = -np.inf
    if search.value is not None:
        cutoff = search.value + gap * max(abs(search.value), 1e-9)
    lp = generate_columns(master, window, no_deal, cutoff=cutoff, deadline=deadline)
    search.nodes += 1
    search.iterations += lp.iterations
    node.bound = min(node.bound, lp.bound)
    if search.nodes == 1:
        search.root_bound, search.root_duals = lp.bound, lp.duals
    if lp.pruned or _closed(search, node.bound, gap):
        return []
    if not lp.converged:
        return [node]  # the deadline passed mid-node: keep it open with its bound
    mass, split = _weights(master, order)
    if mass is None:
        return []  # an artificial column is in use: the node is infeasible
    spread = _most_spread(mass)
    if spread is None:
        _record(search, master, lp.value)
        return []
    p = spread
    cut = split[p]
    left = Node(node.lo.copy(), node.hi.copy(), node.bound, node.depth + 1)
    right = Node(node.lo.copy(), node.hi.copy(), node.bound, node.depth + 1)
    left.hi[p], right.lo[p] = cut, cut + 1
    light, heavy = (left, right) if split_weight(mass[p], cut) > 0.5 else (right, left)
    return [light, heavy]


def _weights(master: Master, order: Order) -> tuple[list[dict[int, float]] | None, I64]:
    """Each partner's LP weight per position (0 is no deal), and a split between them."""
    x = master.values()
    blocks = master.blocks
    n_art = blocks.n_partners + (1 if master.floor_row >= 0 else 0)
    if (x[:n_art] > _MASS).any():
        return None, np.zeros(0, np.int64)
    mass: list[dict[int, float]] = [{} for _ in range(blocks.n_partners)]
    for col in np.flatnonzero(x > _MASS):
        b = master.block[col]
        if b < 0:
            continue
        pos = order.position(b, master.point[col])
        p = int(blocks.partner[b])
        mass[p][pos] = mass[p].get(pos, 0.0) + float(x[col])
    split = np.zeros(blocks.n_partners, np.int64)
    for p, weights in enumerate(mass):
        left = 1.0 - sum(weights.values())
        if left > _MASS:
            weights[0] = weights.get(0, 0.0) + left
        used = sorted(weights)
        if len(used) > 1:
            cum = np.cumsum([weights[u] for u in used])
            k = int(np.argmin(np.abs(cum[:-1] - 0.5)))
            split[p] = used[k]
    return mass, split


def split_weight(weights: dict[int, float], cut: int) -> float:
    return sum(w for pos, w in weights.items() if pos <= cut)


def _most_spread(mass: list[dict[int, float]]) -> int | None:
    """The partner whose weight is furthest from one position (None: all integral)."""
    best, score = None, _MASS
    for p, weights in enumerate(mass):
        if len(weights) > 1:
            s = 1.0 - max(weights.values())
            if s > score:
                best, score = p, s
    return best


def _record(search: Search, master: Master, value: float) -> None:
    """An LP solution with one concession set per partner: a portfolio."""
    if search.value is not None and value <= search.value:
        return
    x = master.values()
    agg: dict[int, tuple[int, float, F64]] = {}
    for col in np.flatnonzero(x > _MASS):
        b = master.block[col]
        if b < 0:
            continue
        f = master.point[col]
        _, w, y = agg.get(b, (f, 0.0, np.zeros_like(master.y[col])))
        agg[b] = (f, w + float(x[col]), y + float(x[col]) * master.y[col])
    search.value = value
    search.choices = [Choice(b, f, y / w) for b, (f, w, y) in agg.items() if w > 0.5]
