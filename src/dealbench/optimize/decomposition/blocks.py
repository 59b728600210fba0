"""The portfolio as per-deal blocks in arrays: what the decomposition works on.

A block is one partner under one security level it can meet. Inside a block
the deal is a choice of concession set (a point of the level's Pareto list, see
`sets`) and compute `y[t, j]` per period and value segment, bounded by
`ub[t, j]` (the segment widths clipped to min(ask, cap)). Compute in period t
is `x[t] = sum_j y[t, j]`; the partner values it at `sum_j v[j] y[t, j]`,
which equals its concave value whenever segments fill in order and never
exceeds it otherwise, so the acceptance row is exact. A zero-value tail
segment carries compute beyond the partner's last `upto`.

Everything is in model units: USD billions (`MONEY`) and thousands of H100e
(`COMPUTE`), the units of the plain formulation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.decomposition.concession_sets import (
    ConcessionSets,
    allowed_for,
    build_concession_sets,
)
from dealbench.optimize.formulation import COMPUTE, MONEY, Mode

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def distinct(values: Any) -> I64:
    """The distinct integers of `values`, sorted: `np.unique` without its first call's
    import of numpy.ma (5-8 ms of a process's first solve)."""
    a = np.sort(np.asarray(values, dtype=np.int64).ravel())
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if a.size else a


@dataclass
class Blocks:
    """Every (partner, level) block of a portfolio, stacked: index b."""

    portfolio: Portfolio
    mode: Mode
    partners: list[Partner]
    partner: I64  # (B,) partner index of each block
    level: list[str]  # (B,) security level id of each block
    ub: F64  # (B, T, J) bound of y in each period and segment
    v: F64  # (B, J) partner's value per unit of each segment
    risk: F64  # (B,) risk weight: diversion_risk * (1 - mitigation)
    a0: F64  # (B,) US value per unit of compute: export value - risk penalty * risk
    need0: F64  # (B,) acceptance need without concessions: batna + margin + security cost
    sec: F64  # (B,) security cost
    batna: F64  # (B,) partner's BATNA
    us_batna: F64  # (B,) US value of no deal
    concession_sets: list[
        ConcessionSets
    ]  # (B,) the level's concession sets (shared between levels)
    usable: I64  # (B,) Pareto points the block can afford (a prefix)
    supply: F64  # (T,)
    budget: float | None
    floor: float | None  # partner-best: least US gain over no deal
    timings: dict[str, float] = field(default_factory=dict)
    #: Every affordable Pareto point of every block, block by block (see `flatten`).
    flat: FlatPoints | None = None
    #: ConcessionSetsByLevel by (partner, allowed concessions), for the next solve (see `warm`).
    cache: SetsCache = field(default_factory=dict)
    #: (P,) partners that must deal (`solve(require=...)`); None: none must.
    forced: NDArray[np.bool_] | None = None
    #: (P,) partners that must not deal (a branch of the proof, `probe`); None: none.
    barred: NDArray[np.bool_] | None = None

    @property
    def n_blocks(self) -> int:
        return len(self.partner)

    @property
    def n_partners(self) -> int:
        return len(self.partners)

    @property
    def vmax(self) -> F64:
        """(B,) the partner's value of the most compute the block allows."""
        out: F64 = np.einsum("btj,bj->b", self.ub, self.v)
        return out

    def cost(self, b: int) -> F64:
        return self.concession_sets[b].cost[: self.usable[b]]

    def value(self, b: int) -> F64:
        return self.concession_sets[b].value[: self.usable[b]]


@dataclass(frozen=True)
class FlatPoints:
    """The affordable Pareto points of all blocks in one array, block by block."""

    block: I64  # block of each point
    index: I64  # the point's index in its block's sets
    cost: F64
    value: F64
    offset: I64  # (B+1,) first point of each block


def flatten(blocks: Blocks) -> FlatPoints:
    counts = blocks.usable
    offset = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    block = np.repeat(np.arange(blocks.n_blocks, dtype=np.int64), counts)
    index = np.arange(int(offset[-1]), dtype=np.int64) - offset[block]
    pairs = list(zip(blocks.concession_sets, counts, strict=True))
    cost = np.concatenate([np.zeros(0), *(f.cost[:n] for f, n in pairs)])
    value = np.concatenate([np.zeros(0), *(f.value[:n] for f, n in pairs)])
    return FlatPoints(block, index, cost, value, offset)


SetsCache = dict[tuple[str, frozenset[str]], tuple[Partner, ConcessionSets]]


def build_blocks(
    portfolio: Portfolio,
    mode: Mode,
    v_floor: float | None = None,
    cache: SetsCache | None = None,
    require: Sequence[str] = (),
) -> Blocks:
    """Arrays for every block; concession_sets come from `cache` when the partner is unchanged.
    `require`: codes of the partners that must deal (`Blocks.forced`)."""
    start = time.perf_counter()
    pf, policy = portfolio, portfolio.policy
    rows = [(i, k) for i, p in enumerate(pf.partners) for k in pf.levels_for(p)]
    arrays = _arrays(pf, rows)
    export, penalty = policy.export_value_per_h100e, policy.risk_penalty_per_h100e
    blocks = Blocks(
        portfolio=pf,
        mode=mode,
        partners=list(pf.partners),
        partner=np.array([i for i, _ in rows], dtype=np.int64),
        level=[k for _, k in rows],
        ub=arrays["ub"],
        v=arrays["v"],
        risk=arrays["risk"],
        a0=(export - penalty * arrays["risk"]) * COMPUTE / MONEY,
        need0=arrays["need0"],
        sec=arrays["sec"],
        batna=arrays["batna"],
        us_batna=arrays["us_batna"],
        concession_sets=[],
        usable=np.zeros(len(rows), dtype=np.int64),
        supply=np.array([pf.supply[t] for t in pf.periods]) / COMPUTE,
        budget=None if pf.risk_budget is None else pf.risk_budget / COMPUTE,
        floor=None,
        cache=cache if cache is not None else {},
    )
    if require:
        blocks.forced = np.array([p.code in set(require) for p in pf.partners], dtype=bool)
    if mode == "partner-best":
        total = sum(p.us_batna for p in pf.partners)
        blocks.floor = ((total if v_floor is None else v_floor) - total) / MONEY
    blocks.timings["build"] = time.perf_counter() - start
    start = time.perf_counter()
    rank_of = {k: i for i, k in enumerate(policy.level_ids)}
    attach_concession_sets(blocks, rank_of, blocks.cache, arrays["generous"] - arrays["need0"])
    blocks.timings["concession_sets"] = time.perf_counter() - start
    return blocks


def _arrays(pf: Portfolio, rows: list[tuple[int, str]]) -> dict[str, F64]:
    """Per-block arrays, in model units."""
    periods, policy = pf.periods, pf.policy
    n_seg = 1 + max((len(p.segments) for p in pf.partners), default=0)
    n = len(rows)
    out = {name: np.zeros(n) for name in ("risk", "sec", "need0", "generous", "batna", "us_batna")}
    out["ub"] = np.zeros((n, len(periods), n_seg))
    out["v"] = np.zeros((n, n_seg))
    per_partner: dict[int, tuple[F64, F64, F64, float]] = {}
    for b, (i, k) in enumerate(rows):
        p = pf.partners[i]
        if i not in per_partner:  # what does not depend on the level, once per partner
            widths, values = _segments(p, n_seg)
            starts = np.concatenate(([0.0], np.cumsum(widths)[:-1]))
            generous = 0.0
            if (
                p.tier < 3
            ):  # the value of every ask met, whatever the caps: reusable concession_sets
                asks = np.array([pf.ask(p, t) for t in periods]) / COMPUTE
                filled = np.clip(asks[:, None] - starts[None, :], 0.0, widths[None, :])
                generous = float(filled.sum(0) @ values)
            per_partner[i] = widths, values, starts, generous
        widths, values, starts, out["generous"][b] = per_partner[i]
        out["v"][b] = values
        limits = np.array([pf.cap(p, k, t) for t in periods]) / COMPUTE
        out["ub"][b] = np.clip(limits[:, None] - starts[None, :], 0.0, widths[None, :])
        out["risk"][b] = p.diversion_risk * (1.0 - policy.level(k).mitigation)
        out["sec"][b] = p.security_costs[k] / MONEY
        out["batna"][b], out["us_batna"][b] = p.batna / MONEY, p.us_batna / MONEY
        out["need0"][b] = (p.batna + policy.acceptance_margin) / MONEY + out["sec"][b]
    return out


def attach_concession_sets(
    blocks: Blocks, rank_of: dict[str, int], cache: SetsCache, generous: F64
) -> None:
    """Each block's Pareto list, shared by the partner's levels that allow the same concessions.

    A Pareto list keeps the sets a partner could pay for if every ask were met
    (`generous`), so that it serves again after a cap or an ask changes; a
    block uses the prefix it can afford under its own caps (`usable`).
    """
    limit = blocks.vmax - blocks.need0  # the most the partner could pay in concessions
    wanted: dict[tuple[str, frozenset[str]], tuple[float, Partner]] = {}
    keys = []
    for b in range(blocks.n_blocks):
        p = blocks.partners[blocks.partner[b]]
        key = (p.code, allowed_for(p, rank_of, blocks.level[b]))
        keys.append(key)
        most = max(float(limit[b]), float(generous[b]))
        wanted[key] = (max(wanted.get(key, (-np.inf, p))[0], most), p)
    made: dict[tuple[str, frozenset[str]], ConcessionSets] = {}
    for key, (need, p) in wanted.items():
        hit = cache.get(key)
        if hit is not None and hit[1].limit >= need and _same_menu(hit[0], p):
            made[key] = hit[1]
            cache[key] = (p, hit[1])  # next time, an identity check suffices
        else:
            made[key] = build_concession_sets(p, key[1], need)
            cache[key] = (p, made[key])
    blocks.concession_sets = [made[key] for key in keys]
    blocks.usable = np.array(
        [
            np.searchsorted(f.cost, limit[b] + 1e-12, side="right")
            for b, f in enumerate(blocks.concession_sets)
        ],
        dtype=np.int64,
    )
    blocks.flat = flatten(blocks)


def _same_menu(old: Partner, new: Partner) -> bool:
    return old is new or old.concessions == new.concessions


def _segments(p: Partner, n_seg: int) -> tuple[F64, F64]:
    """Segment widths and values in model units, a zero-value tail, padded to n_seg."""
    widths = np.zeros(n_seg)
    values = np.zeros(n_seg)
    for j, (width, value) in enumerate(p.segments):
        widths[j] = width / COMPUTE
        values[j] = value * COMPUTE / MONEY
    tail = len(p.segments)
    if np.isfinite(widths[:tail]).all():
        widths[tail] = np.inf
    return widths, values
