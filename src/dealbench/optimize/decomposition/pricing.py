"""Pricing: each block's best deal at given prices of the shared limits.

With duals on supply (per period), the risk budget and, in partner-best mode,
the US floor, a block's reduced profit is linear in compute `y` plus a term in
its concession set's (C, U). For a fixed concession set the compute part is a
continuous knapsack, max a·y subject to v·y >= need and 0 <= y <= ub, which the
greedy solves exactly: take every item with a >= 0, then the cheapest value
(-a / v) until the need is met. Its value F(need) is concave and piecewise
linear, so one sort per block prices every Pareto point at once.

The Lagrangian bound L = duals·rhs + sum_p max(0, best reduced profit of p)
holds for any non-negative duals; `reduced` gives each point's shortfall from
its partner's best, the basis of the reduced-cost argument in `decompose`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from dealbench.optimize.decomposition.blocks import F64, I64, Blocks


@dataclass(frozen=True)
class Duals:
    supply: F64  # (T,)
    risk: float = 0.0
    floor: float = 0.0

    @staticmethod
    def zero(blocks: Blocks) -> Duals:
        return Duals(np.zeros(len(blocks.supply)))

    def constant(self, blocks: Blocks) -> float:
        """duals · right-hand sides (the floor row is written -gain <= -floor)."""
        out = float(self.supply @ blocks.supply)
        if blocks.budget is not None:
            out += self.risk * blocks.budget
        if blocks.floor is not None:
            out -= self.floor * blocks.floor
        return out


@dataclass
class Pricing:
    """The blocks priced at one set of duals."""

    blocks: Blocks
    duals: Duals
    items: F64  # (B, T*J) reduced profit per unit of each item
    order: I64  # (B, T*J) items by increasing cost of partner value
    vs: F64  # (B, T*J+1) breakpoints of F: partner value ...
    gains: F64  # (B, T*J+1) ... and reduced profit of compute
    best: F64  # (B,) best reduced profit of the block (-inf: nothing affordable)
    arg: I64  # (B,) sets index of the best point (-1: none)
    partner_best: F64  # (P,) best over the partner's blocks and no deal (0; none if forced)
    flat: F64 = field(default_factory=lambda: np.zeros(0))  # each point of blocks.flat

    @property
    def bound(self) -> float:
        """The Lagrangian upper bound on the objective (model units)."""
        return self.duals.constant(self.blocks) + float(self.partner_best.sum())

    def points(self, b: I64, f: I64) -> F64:
        """(n, T, J) compute of the best point of block b[i] with Pareto point f[i], for
        each i at once: the continuous knapsack's greedy (every item with a >= 0, then
        the cheapest partner value in `order` until the set's need is met, the last
        item in part)."""
        blocks = self.blocks
        flat = blocks.flat
        assert flat is not None
        need = blocks.need0[b] + flat.cost[flat.offset[b] + f]
        ub = blocks.ub.reshape(blocks.n_blocks, -1)[b]
        a = self.items[b]
        y = np.where(a >= 0, ub, 0.0)
        vs = self.vs[b]
        k = (vs < need[:, None]).sum(axis=1)  # searchsorted(vs, need, side="left"), row by row
        order = self.order[b]
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :], axis=1)
        y = np.where(rank < (k - 1)[:, None], ub, y)
        rows = np.flatnonzero((k > 0) & (k < vs.shape[1]))
        if len(rows):
            kk = k[rows]
            last = order[rows, kk - 1]
            width = vs[rows, kk] - vs[rows, kk - 1]
            share = np.minimum(
                1.0, (need[rows] - vs[rows, kk - 1]) / np.where(width > 0, width, 1.0)
            )
            y[rows, last] = np.where(width > 0, ub[rows, last] * share, 0.0)
        return y.reshape((len(b), *blocks.ub.shape[1:]))


def item_profit(blocks: Blocks, duals: Duals) -> F64:
    """(B, T, J) reduced profit per unit of compute in each period and segment."""
    per_period = -duals.supply[None, :] - duals.risk * blocks.risk[:, None]  # (B, T)
    if blocks.mode == "us-best":
        profit = (blocks.a0[:, None] + per_period)[:, :, None]
        return np.broadcast_to(profit, blocks.ub.shape).copy()
    own = blocks.v[:, None, :] + duals.floor * blocks.a0[:, None, None]
    return own + per_period[:, :, None]


def price(blocks: Blocks, duals: Duals) -> Pricing:
    """Every block's best affordable Pareto point at `duals`."""
    n = blocks.n_blocks
    a = item_profit(blocks, duals).reshape(n, -1)
    ub = blocks.ub.reshape(n, -1)
    v = np.broadcast_to(blocks.v[:, None, :], blocks.ub.shape).reshape(n, -1)
    pos = (a >= 0) & (ub > 0)
    elig = (a < 0) & (v > 0) & (ub > 0)
    ratio = np.where(elig, -a / np.where(v > 0, v, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv = np.take_along_axis(np.where(elig, v * ub, 0.0), order, axis=1)
    da = np.take_along_axis(np.where(elig, a * ub, 0.0), order, axis=1)
    zero = np.zeros((n, 1))
    vs = np.concatenate((zero, np.cumsum(dv, axis=1)), axis=1) + (v * ub * pos).sum(1)[:, None]
    gains = np.concatenate((zero, np.cumsum(da, axis=1)), axis=1) + (a * ub * pos).sum(1)[:, None]
    pricing = Pricing(
        blocks,
        duals,
        a,
        order,
        vs,
        gains,
        np.full(n, -np.inf),
        np.full(n, -1, dtype=np.int64),
        np.zeros(blocks.n_partners),
    )
    pricing.flat = _evaluate(pricing)
    if blocks.barred is not None and blocks.flat is not None:  # no deal is its only option
        pricing.flat[blocks.barred[blocks.partner[blocks.flat.block]]] = -np.inf
    _best(pricing)
    if blocks.forced is not None:  # a partner that must deal has no "no deal" at 0
        pricing.partner_best[blocks.forced] = -np.inf
    np.maximum.at(pricing.partner_best, blocks.partner, pricing.best)
    return pricing


def _evaluate(pricing: Pricing) -> F64:
    """Reduced profit of every affordable point (`blocks.flat`)."""
    blocks = pricing.blocks
    points = blocks.flat
    assert points is not None
    out = np.full(len(points.block), -np.inf)
    if len(points.block) == 0:
        return out
    pb = points.block
    cost, value = points.cost, points.value
    need = blocks.need0[pb] + cost
    vs, gains = pricing.vs, pricing.gains
    n = vs.shape[1]
    # Within a block needs ascend with the Pareto list's cost: one searchsorted per block.
    lo = np.zeros(len(pb), np.int64)
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(pb)) + 1, [len(pb)]))
    for i, j in itertools.pairwise(cuts):
        lo[i:j] = np.searchsorted(vs[pb[i]], need[i:j], side="left")
    base = pb * n
    flat_vs, flat_gains = vs.ravel(), gains.ravel()
    k1 = base + np.clip(lo, 1, n - 1)
    x0, x1 = flat_vs[k1 - 1], flat_vs[k1]
    g0, g1 = flat_gains[k1 - 1], flat_gains[k1]
    width = x1 - x0
    t = np.clip(np.divide(need - x0, width, out=np.ones_like(need), where=width > 0), 0.0, 1.0)
    compute = np.where(lo == 0, flat_gains[base], g0 + t * (g1 - g0))
    if blocks.mode == "us-best":
        config = value - blocks.us_batna[pb]
    else:
        floor = pricing.duals.floor
        config = floor * (value - blocks.us_batna[pb]) - cost - blocks.sec[pb] - blocks.batna[pb]
    out[:] = config + compute
    return out


def _best(pricing: Pricing) -> None:
    """Each block's best point (the first, on ties)."""
    points = pricing.blocks.flat
    assert points is not None
    counts = np.diff(points.offset)
    has = np.flatnonzero(counts > 0)
    if len(has) == 0:
        return
    starts = points.offset[has]
    red = pricing.flat
    best = np.maximum.reduceat(red, starts)
    at_best = red == np.repeat(best, counts[has])
    first = np.minimum.reduceat(np.where(at_best, np.arange(len(red)), len(red)), starts)
    ok = np.isfinite(best)
    pricing.best[has] = np.where(ok, best, -np.inf)
    pricing.arg[has[ok]] = points.index[first[ok]]
