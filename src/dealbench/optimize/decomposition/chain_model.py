"""The restricted MIP's model as arrays: where each block's columns sit (`Layout`) and
the rows handed to HiGHS in one call (`pass_chain_model`), built for every block at once.

See `restricted` for the formulation: per block its compute columns, then its chain
binaries; the rows are supply, the risk budget, the US floor, one per partner, then per
block its compute bounds, its chain's order, its acceptance and (with the master's
prices) its compute-cost row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.decomposition.blocks import F64, I64, Blocks, distinct
from dealbench.optimize.decomposition.pricing import Pricing
from dealbench.optimize.highs import INF, pass_model


@dataclass
class Layout:
    """Where each block's columns sit."""

    blocks: list[int] = field(default_factory=list)
    items: list[I64] = field(default_factory=list)  # item indices (into T*J) with ub > 0
    y0: list[int] = field(default_factory=list)  # first y column
    chain0: list[int] = field(default_factory=list)  # first chain column
    points: list[I64] = field(default_factory=list)  # the block's Pareto points
    columns: int = 0

    @property
    def sets(self) -> int:
        """The concession sets to choose from: one chain binary each."""
        return int(sum(len(p) for p in self.points))


def layout_of(blocks: Blocks, selection: dict[int, I64]) -> Layout:
    """The columns of a restricted MIP over `selection` (block -> its Pareto points):
    per block with a point, its compute items (ub > 0), then one chain binary a point."""
    out = Layout()
    for b in sorted(selection):
        points = distinct(selection[b])
        if len(points) == 0:
            continue
        items = np.flatnonzero(blocks.ub[b].ravel() > 0)
        out.blocks.append(b)
        out.items.append(items)
        out.points.append(points)
        out.y0.append(out.columns)
        out.chain0.append(out.columns + len(items))
        out.columns += len(items) + len(points)
    return out


@dataclass
class _Flat:
    """The layout's columns as arrays: each compute item and each chain binary with its
    block (`k`: index into the layout; `b`: the block), its column and, for the chain,
    its place in the block's chain (`pos`, 0 opens the deal)."""

    items: I64
    item_k: I64
    ycols: I64
    point_k: I64
    pos: I64
    chain: I64

    @staticmethod
    def of(layout: Layout) -> _Flat:
        n_items = np.array([len(i) for i in layout.items], dtype=np.int64)
        n_points = np.array([len(p) for p in layout.points], dtype=np.int64)
        k = np.arange(len(layout.blocks), dtype=np.int64)
        item_k, point_k = np.repeat(k, n_items), np.repeat(k, n_points)
        within = _within(n_items, item_k)
        pos = _within(n_points, point_k)
        y0, chain0 = np.array(layout.y0, dtype=np.int64), np.array(layout.chain0, dtype=np.int64)
        return _Flat(
            items=np.concatenate(layout.items).astype(np.int64),
            item_k=item_k,
            ycols=y0[item_k] + within,
            point_k=point_k,
            pos=pos,
            chain=chain0[point_k] + pos,
        )


def _within(counts: I64, owner: I64) -> I64:
    """Each element's place within its group (groups of `counts`, in order)."""
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return np.arange(int(counts.sum()), dtype=np.int64) - first[owner]


def pass_chain_model(
    h: Any,
    blocks: Blocks,
    layout: Layout,
    forced: NDArray[np.bool_] | None,
    prices: Pricing | None,
) -> None:
    """The restricted MIP (see module) to HiGHS in one call, built for every block at
    once. Its rows: supply per period, the risk budget, the US floor, one per partner;
    then block by block its compute bounds, its chain's order, its acceptance and (with
    `prices`) its compute-cost row."""
    f = _Flat.of(layout)
    bk = np.asarray(layout.blocks, dtype=np.int64)
    ib, pb = bk[f.item_k], bk[f.point_k]  # the block of each item, of each chain binary
    n_j = blocks.ub.shape[2]
    ub = blocks.ub.reshape(blocks.n_blocks, -1)[ib, f.items]
    v = blocks.v[ib, f.items % n_j]
    sets = [blocks.concession_sets[b] for b in layout.blocks]
    first = f.pos == 0
    us_gain = _steps(
        np.concatenate([s.value[p] for s, p in zip(sets, layout.points, strict=True)])
        - blocks.us_batna[pb],
        first,
    )
    cost_f = np.concatenate([s.cost[p] for s, p in zip(sets, layout.points, strict=True)])
    need = _steps(blocks.need0[pb] + cost_f, first)
    n = layout.columns
    cost, upper, integer = np.zeros(n), np.ones(n), np.zeros(n, dtype=bool)
    upper[f.ycols] = ub
    integer[f.chain] = True
    opens = f.chain[first]  # each block's chain[0]
    if blocks.mode == "us-best":
        cost[f.ycols], cost[f.chain] = blocks.a0[ib], us_gain
    else:
        cost[f.ycols], cost[f.chain] = v, -need
        cost[opens] += blocks.need0[bk] - blocks.sec[bk] - blocks.batna[bk]
    rows = _Rows.of(blocks, forced, f, len(bk), prices is not None)
    later = ~first
    order = rows.start[f.point_k[later]] + rows.n_items[f.point_k[later]] + f.pos[later] - 1
    triplets = [
        (f.items // n_j, f.ycols, np.ones(len(f.ycols))),  # supply
        (rows.partner0 + blocks.partner[bk], opens, np.ones(len(bk))),
        (rows.bounds, f.ycols, np.ones(len(f.ycols))),
        (rows.bounds, opens[f.item_k], -ub),
        (order, f.chain[later], np.ones(len(order))),
        (order, f.chain[later] - 1, -np.ones(len(order))),
        (rows.accept[f.item_k], f.ycols, v),
        (rows.accept[f.point_k], f.chain, -need),
    ]
    if rows.risk >= 0:
        triplets.append((np.full(len(f.ycols), rows.risk), f.ycols, blocks.risk[ib]))
    if rows.floor >= 0:
        triplets.append((np.full(len(f.ycols), rows.floor), f.ycols, blocks.a0[ib]))
        triplets.append((np.full(len(f.chain), rows.floor), f.chain, us_gain))
    if prices is not None:
        cost_row = rows.accept + 1
        triplets.append((cost_row[f.item_k], f.ycols, -prices.items[ib, f.items]))
        triplets.append((cost_row[f.point_k], f.chain, -_steps(_least(prices, layout), first)))
    r, c, x = (np.concatenate(part) for part in zip(*triplets, strict=True))
    pass_model(
        h,
        cost=cost,
        lower=np.zeros(n),
        upper=upper,
        row_lower=rows.lower,
        row_upper=rows.upper,
        matrix=(r.astype(np.int64), c.astype(np.int64), x.astype(np.float64)),
        integer=integer,
    )


@dataclass
class _Rows:
    """The restricted MIP's rows: their bounds, and where each family starts."""

    lower: F64
    upper: F64
    risk: int  # the risk budget's row (-1: none)
    floor: int  # the US floor's row (-1: none)
    partner0: int  # the first partner's row
    start: I64  # each block's first row
    n_items: I64  # each block's compute items (its bound rows)
    bounds: I64  # each compute item's bound row
    accept: I64  # each block's acceptance row (its compute-cost row follows)

    @staticmethod
    def of(
        blocks: Blocks, forced: NDArray[np.bool_] | None, f: _Flat, n_blocks: int, cc: bool
    ) -> _Rows:
        """Supply per period, the risk budget, the US floor, one per partner; then per
        block its compute bounds (<= 0), its chain's order (<= 0), its acceptance (>= 0)
        and, when `cc`, its compute-cost row (>= 0)."""
        lo = [-INF] * len(blocks.supply)
        hi = [float(s) for s in blocks.supply]
        risk = floor = -1
        if blocks.budget is not None:
            risk = len(lo)
            lo.append(-INF)
            hi.append(blocks.budget)
        if blocks.floor is not None:
            floor = len(lo)
            lo.append(blocks.floor)
            hi.append(INF)
        must = forced if forced is not None else np.zeros(blocks.n_partners, dtype=bool)
        barred = blocks.barred if blocks.barred is not None else np.zeros_like(must)
        partner0 = len(lo)
        lo += np.where(must, 1.0, -INF).tolist()
        hi += np.where(barred, 0.0, 1.0).tolist()
        n_items = np.bincount(f.item_k, minlength=n_blocks)
        n_points = np.bincount(f.point_k, minlength=n_blocks)
        per_block = n_items + n_points + int(cc)  # bounds, order (points - 1), accept, cost
        start = len(lo) + np.concatenate(([0], np.cumsum(per_block)[:-1])).astype(np.int64)
        accept = start + n_items + n_points - 1
        below = np.ones(int(per_block.sum()), dtype=bool)  # True: <= 0; False: >= 0
        below[accept - len(lo)] = False
        if cc:
            below[accept + 1 - len(lo)] = False
        return _Rows(
            lower=np.concatenate((lo, np.where(below, -INF, 0.0))),
            upper=np.concatenate((hi, np.where(below, 0.0, INF))),
            risk=risk,
            floor=floor,
            partner0=partner0,
            start=start,
            n_items=n_items,
            bounds=start[f.item_k] + _within(n_items, f.item_k),
            accept=accept,
        )


def _least(prices: Pricing, layout: Layout) -> F64:
    """Each chain binary's m(need_f): the least its set's need costs at the master's
    prices (the compute-cost row: cost·y >= sum_f lambda_f m(need_f)).

    With `cost` the items' prices (minus their reduced profit at the duals) and
    m(W) = min cost·y subject to v·y >= W, 0 <= y <= ub (the pricing's
    continuous knapsack), every deal with set f spends at least m(need_f), and a
    mix of sets (lambda_f = c_f - c_{f+1} on the chain) at least the mix of those.
    The chain formulation alone lets a fractional deal draw its value from the
    best segments beyond its weight; this row takes that away, so the LP bound
    at these prices is no weaker than the master's.
    """
    blocks = prices.blocks
    return np.concatenate(
        [
            -np.interp(
                blocks.need0[b] + blocks.concession_sets[b].cost[points],
                prices.vs[b],
                prices.gains[b],
            )
            for b, points in zip(layout.blocks, layout.points, strict=True)
        ]
    )


def _steps(values: F64, first: NDArray[np.bool_]) -> F64:
    """Increments along each block's chain (`first`: where a chain starts); increments
    below rounding noise are zero."""
    out = np.diff(values, prepend=0.0)
    out[first] = values[first]
    out[np.abs(out) < 1e-12] = 0.0
    return out
