"""The portfolio as per-deal blocks in arrays: what the decomposition works on.

A block is one partner under one security level it can meet. Inside a block
the deal is a choice of concession set (a point of the level's frontier, see
`frontier`) and compute `y[t, j]` per period and value segment, bounded by
`ub[t, j]` (the segment widths clipped to min(ask, cap)). Compute in period t
is `x[t] = sum_j y[t, j]`; the partner values it at `sum_j v[j] y[t, j]`,
which equals its concave value whenever segments fill in order and never
exceeds it otherwise, so the acceptance row is exact. A zero-value tail
segment carries compute beyond the partner's last `upto`.

Everything is in model units: USD billions (`MONEY`) and thousands of H100e
(`COMPUTE`), the units of the plain formulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealbench.model.schema import Partner, Portfolio
from dealbench.optimize.formulate import COMPUTE, MONEY, Mode
from dealbench.optimize.frontier import Frontier, allowed_for, build_frontier

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


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
    frontiers: list[Frontier]  # (B,) the level's concession frontier (shared between levels)
    usable: I64  # (B,) frontier points the block can afford (a prefix)
    supply: F64  # (T,)
    budget: float | None
    floor: float | None  # partner-best: least US gain over no deal
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_blocks(self) -> int:
        return len(self.partner)

    @property
    def n_partners(self) -> int:
        return len(self.partners)

    @property
    def vmax(self) -> F64:
        """(B,) the partner's value of the most compute the block allows."""
        return np.einsum("btj,bj->b", self.ub, self.v)

    def cost(self, b: int) -> F64:
        return self.frontiers[b].cost[: self.usable[b]]

    def value(self, b: int) -> F64:
        return self.frontiers[b].value[: self.usable[b]]


FrontierCache = dict[tuple[str, frozenset[str]], tuple[Partner, Frontier]]


def build_blocks(
    portfolio: Portfolio,
    mode: Mode,
    v_floor: float | None = None,
    cache: FrontierCache | None = None,
) -> Blocks:
    """Arrays for every block; frontiers come from `cache` when the partner is unchanged."""
    pf, policy = portfolio, portfolio.policy
    periods = pf.periods
    n_seg = 1 + max((len(p.segments) for p in pf.partners), default=0)
    rank_of = {k: i for i, k in enumerate(policy.level_ids)}
    margin = policy.acceptance_margin
    export, penalty = policy.export_value_per_h100e, policy.risk_penalty_per_h100e
    rows: list[tuple[int, str]] = [
        (i, k) for i, p in enumerate(pf.partners) for k in pf.levels_for(p)
    ]
    n = len(rows)
    ub = np.zeros((n, len(periods), n_seg))
    v = np.zeros((n, n_seg))
    risk, sec, need0 = np.zeros(n), np.zeros(n), np.zeros(n)
    batna, us_batna = np.zeros(n), np.zeros(n)
    for b, (i, k) in enumerate(rows):
        p = pf.partners[i]
        widths, values = _segments(p, n_seg)
        v[b] = values
        limits = np.array([pf.cap(p, k, t) for t in periods]) / COMPUTE
        starts = np.concatenate(([0.0], np.cumsum(widths)[:-1]))
        ub[b] = np.clip(limits[:, None] - starts[None, :], 0.0, widths[None, :])
        risk[b] = p.diversion_risk * (1.0 - policy.level(k).mitigation)
        sec[b] = p.security_costs[k] / MONEY
        batna[b], us_batna[b] = p.batna / MONEY, p.us_batna / MONEY
        need0[b] = (p.batna + margin) / MONEY + sec[b]
    blocks = Blocks(
        portfolio=pf,
        mode=mode,
        partners=list(pf.partners),
        partner=np.array([i for i, _ in rows], dtype=np.int64),
        level=[k for _, k in rows],
        ub=ub,
        v=v,
        risk=risk,
        a0=(export - penalty * risk) * COMPUTE / MONEY,
        need0=need0,
        sec=sec,
        batna=batna,
        us_batna=us_batna,
        frontiers=[],
        usable=np.zeros(n, dtype=np.int64),
        supply=np.array([pf.supply[t] for t in periods]) / COMPUTE,
        budget=None if pf.risk_budget is None else pf.risk_budget / COMPUTE,
        floor=None,
    )
    if mode == "partner-best":
        total = sum(p.us_batna for p in pf.partners)
        blocks.floor = ((total if v_floor is None else v_floor) - total) / MONEY
    attach_frontiers(blocks, rank_of, cache if cache is not None else {})
    return blocks


def attach_frontiers(blocks: Blocks, rank_of: dict[str, int], cache: FrontierCache) -> None:
    """Each block's frontier, shared by the partner's levels that allow the same concessions."""
    limit = blocks.vmax - blocks.need0  # the most the partner could pay in concessions
    wanted: dict[tuple[str, frozenset[str]], tuple[float, Partner]] = {}
    keys = []
    for b in range(blocks.n_blocks):
        p = blocks.partners[blocks.partner[b]]
        key = (p.code, allowed_for(p, rank_of, blocks.level[b]))
        keys.append(key)
        wanted[key] = (max(wanted.get(key, (-np.inf, p))[0], float(limit[b])), p)
    made: dict[tuple[str, frozenset[str]], Frontier] = {}
    for key, (need, p) in wanted.items():
        hit = cache.get(key)
        if hit is not None and hit[1].limit >= need and _same_menu(hit[0], p):
            made[key] = hit[1]
        else:
            made[key] = build_frontier(p, key[1], need)
            cache[key] = (p, made[key])
    blocks.frontiers = [made[key] for key in keys]
    blocks.usable = np.array(
        [
            np.searchsorted(f.cost, limit[b] + 1e-12, side="right")
            for b, f in enumerate(blocks.frontiers)
        ],
        dtype=np.int64,
    )


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
