"""Branching on the deals the Dantzig–Wolfe LP leaves half made: a tighter bound for the proof.

The proof (`search`) searches every concession set whose reduced cost is within
L - incumbent of its partner's best, so the further the optimum lies below L, the
more sets it takes. Where L is loose, the root LP typically mixes a few partners'
deals with their no deal (AD at 0.67, BB at 0.63; the rest of its mixing is several
schedules of one concession set, which a whole deal reaches too). Such a partner p
splits the problem in two: p deals, or p does not. Each half has a Dantzig–Wolfe
bound of its own (the master with p's convexity row at 1, or at 0; `Blocks.forced`,
`Blocks.barred`), and a half whose bound is no better than the incumbent (by half the
gap, the proof's own margin) holds no portfolio the proof must find. The halves left
are split again on their own LPs' mixed partners, to a few levels. Every portfolio
that could beat the incumbent lies in one of the halves left (`Half`), and uses only
sets whose reduced cost, at that half's own duals, is within its bound minus the
incumbent: fewer sets than the root's L allows. M seed 0's joint frontier, BG at USD
108.5bn: L lies 0.65 (USD billions) above the optimum; with BB out the bounds lie below
it (by 1.30 with AD out, 0.08 with AD in), so BB deals; with BB in, 0.16 above it (AD
out) and 0.07 (AD in): the proof searches 401 sets, not 1,159 (bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import SolverError
from dealbench.optimize.decomposition.blocks import F64, Blocks
from dealbench.optimize.decomposition.master import Master, generate_columns
from dealbench.optimize.decomposition.pricing import Duals, Pricing, price

#: Halves are split to this depth, and at most this many halves' bounds are computed.
MAX_DEPTH = 3
MAX_HALVES = 14

#: A partner's deals weigh between this and 1 - this in the LP: it is half made.
MIXED = 1e-6


@dataclass
class Half:
    """A part of the problem (some partners fixed) and its Dantzig–Wolfe bound."""

    blocks: Blocks
    bound: float  # model units
    duals: Duals  # at which `bound` was met


@dataclass
class Branches:
    """The halves that may hold a portfolio better than the target."""

    left: list[Half]
    halves: int  # the halves whose bound was computed


@dataclass
class _Node:
    """A part of the problem still to split: its fixings, its LP's mixed partners."""

    forced: NDArray[np.bool_]
    barred: NDArray[np.bool_]
    duals: Duals  # where its children's pricing starts
    mixed: list[int]
    depth: int
    half: Half | None  # None: the whole problem


def branch(master: Master, target: float, duals: Duals, deadline: float) -> Branches | None:
    """Split the problem on the partners its LPs leave half made, setting aside every
    half whose bound is at most `target` (model units); None when its LP mixes none.
    `duals`: the master's root duals. The master's rows are restored to its blocks'."""
    blocks = master.blocks
    n = blocks.n_partners
    forced = blocks.forced.copy() if blocks.forced is not None else np.zeros(n, dtype=bool)
    queue = [_Node(forced, np.zeros(n, dtype=bool), duals, mixed(master), 0, None)]
    left: list[Half] = []
    halves = 0
    while queue:
        node = queue.pop(0)
        p = next((q for q in node.mixed if not node.forced[q] and not node.barred[q]), None)
        if p is None or node.depth >= MAX_DEPTH or halves + 2 > MAX_HALVES:
            if node.half is not None:
                left.append(node.half)
            continue
        one = np.zeros(n, dtype=bool)
        one[p] = True
        for f, b in ((node.forced, node.barred | one), (node.forced | one, node.barred)):
            child = replace(blocks, forced=f, barred=b)
            master.restrict(child)
            try:
                root = generate_columns(master, node.duals, deadline=deadline)
            except SolverError:  # a half's LP HiGHS could not solve: prove without halves
                master.restrict(blocks)
                return None
            halves += 1
            if root.bound > target:
                half = Half(child, root.bound, root.duals)
                queue.append(_Node(f, b, root.duals, mixed(master), node.depth + 1, half))
    master.restrict(blocks)
    return Branches(left, halves) if halves else None


def mixed(master: Master) -> list[int]:
    """The partners whose deal the master's LP takes in part, the most evenly mixed first."""
    x = master.values()
    block = np.asarray(master.block)
    real = block >= 0
    weight = np.zeros(master.blocks.n_partners)
    np.add.at(weight, master.blocks.partner[block[real]], x[real])
    half = np.flatnonzero((weight > MIXED) & (weight < 1.0 - MIXED))
    return [int(p) for p in half[np.argsort(np.abs(weight[half] - 0.5), kind="stable")]]


def common(blocks: Blocks, left: list[Half]) -> Blocks:
    """`blocks` with the partners fixed alike in every half left fixed so."""
    n = blocks.n_partners
    none = np.zeros(n, dtype=bool)
    forced: NDArray[np.bool_] = np.logical_and.reduce(
        [none if h.blocks.forced is None else h.blocks.forced for h in left]
    )
    barred: NDArray[np.bool_] = np.logical_and.reduce(
        [none if h.blocks.barred is None else h.blocks.barred for h in left]
    )
    return replace(blocks, forced=forced, barred=barred)


@dataclass
class Narrowed:
    """What the proof searches once `branch` has set halves aside.

    `bound` covers every portfolio: the largest bound left, or the target when no half
    is left (then `prices` is None: nothing can beat the incumbent by half the gap).
    `points` and `no_deal` are reduced costs measured from `bound`: for each set, the
    largest over the halves left of what a portfolio of that half using it can be worth
    (by the half's own bound and duals, or by the root's, whichever is less), minus
    `bound`. A set a better portfolio of any half could use is within `bound - target` of
    zero, so the proof's candidates are every half's, and its bound (at least the target)
    holds for every portfolio. `prices`: the fixings all halves share, priced at the
    duals of the half with the largest bound (the compute-cost rows and the merged model
    hold at any prices)."""

    bound: float
    halves: int
    prices: Pricing | None = None
    points: F64 = field(default_factory=lambda: np.zeros(0))
    no_deal: F64 = field(default_factory=lambda: np.zeros(0))


def narrow(
    master: Master, target: float, root: Pricing, points: F64, no_deal: F64, deadline: float
) -> Narrowed | None:
    """The proof's problem after `branch` (None when the root LP takes no deal in part).
    `root`: the blocks priced at the root duals, with their bound L; `points`, `no_deal`:
    the reduced costs there (`search`); `target`: what a portfolio must beat (model units)."""
    found = branch(master, target, root.duals, deadline)
    if found is None:
        return None
    top = max((h.bound for h in found.left), default=-np.inf)
    if top <= target:
        return Narrowed(target, found.halves)
    best = max(found.left, key=lambda h: h.bound)
    value = np.full(len(points), -np.inf)
    none = np.full(len(no_deal), -np.inf)
    flat = master.blocks.flat
    assert flat is not None
    for half in found.left:
        prices = price(half.blocks, half.duals)
        best_of = prices.partner_best
        rc = prices.flat - best_of[half.blocks.partner[flat.block]]
        value = np.maximum(value, np.minimum(prices.bound + rc, root.bound + points))
        none = np.maximum(none, np.minimum(prices.bound - best_of, root.bound + no_deal))
    prices = price(common(master.blocks, found.left), best.duals)
    return Narrowed(top, found.halves, prices, value - top, none - top)
