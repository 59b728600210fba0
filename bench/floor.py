"""The floor: DESIGN.md's plain model built straight into HiGHS from arrays.

No modelling layer: columns, rows and their triplets (`optimize.triplets`, as
dealbench's own models built straight for HiGHS), one `passModel`. Its build time
is the floor for dealbench's modelling overhead, and its solve time is the
baseline the solving strategy must beat. Units are
scaled as in dealbench (USD billions, thousands of H100e) so the comparison is
about structure, not about coefficient ranges.

`units=USD` builds the same model in dollars and H100e, as the performance
issue measured "the plain formulation" before any code existed (HiGHS warns of
coefficients from 1e-3 to 1e9): the benchmark reports that baseline beside the
scaled floor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy

from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.triplets import Triplets

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Units:
    money: float  # USD per model unit of money
    compute: float  # H100e per model unit of compute


SCALED = Units(1e9, 1e3)  # as dealbench's models (DESIGN.md)
USD = Units(1.0, 1.0)  # the plain transcription the issue timed


def _partner(
    a: Triplets,
    pf: Portfolio,
    p: Partner,
    supply_rows: dict[str, dict[int, float]],
    risk_row: dict[int, float],
    units: Units,
) -> None:
    money, compute = units.money, units.compute
    policy = pf.policy
    levels = pf.levels_for(p)
    export = policy.export_value_per_h100e * compute / money
    penalty = policy.risk_penalty_per_h100e * compute / money
    z = a.col(0, 1, cost=-p.us_batna / money, integer=True)
    s = {k: a.col(0, 1, integer=True) for k in levels}
    g = {
        (c.id, o.id): a.col(0, 1, cost=o.us_value / money, integer=True)
        for c in p.concessions
        for o in c.options
    }
    accept: dict[int, float] = {z: -(p.batna + policy.acceptance_margin) / money}
    for k in levels:
        accept[s[k]] = -p.security_costs[k] / money
    for c in p.concessions:
        for o in c.options:
            accept[g[c.id, o.id]] = -o.partner_cost / money
    a.row({**{s[k]: 1.0 for k in levels}, z: -1.0}, 0.0, 0.0)  # sum_k s = z
    for c in p.concessions:  # sum_l g <= z
        a.row({**{g[c.id, o.id]: 1.0 for o in c.options}, z: -1.0}, -INF, 0.0)
    for t in pf.periods:
        caps = {k: pf.cap(p, k, t) / compute for k in levels}
        top = max(caps.values(), default=0.0)
        x = a.col(0.0, top, cost=export)
        supply_rows[t][x] = 1.0
        split: dict[int, float] = {x: -1.0}
        for k, cap in caps.items():
            if cap <= 0:
                continue
            weight = p.diversion_risk * (1.0 - policy.level(k).mitigation)
            w = a.col(0.0, cap, cost=-penalty * weight)
            split[w] = 1.0
            risk_row[w] = weight
            a.row({w: 1.0, s[k]: -cap}, -INF, 0.0)  # w <= M s
        a.row(split, 0.0, 0.0)  # sum_k w = x
        seg: dict[int, float] = {x: -1.0}
        left = top
        for width, value in p.segments:
            if left <= 0:
                break
            ub = min(width / compute, left)
            y = a.col(0.0, ub)
            seg[y] = 1.0
            accept[y] = value * compute / money
            left -= ub
        a.row(seg, -INF, 0.0)  # sum_j y <= x
    a.row(accept, 0.0, INF)  # D >= (batna + margin) z
    for c in p.concessions:
        granted = {g[c.id, o.id]: 1.0 for o in c.options}
        for req in c.requires:
            if isinstance(req, SecurityRequirement):
                rank = policy.rank(req.security)
                rhs = {s[k]: -1.0 for k in levels if policy.rank(k) >= rank}
            else:
                other = p.concession(req)
                assert other is not None
                rhs = {g[req, o.id]: -1.0 for o in other.options}
            a.row({**granted, **rhs}, -INF, 0.0)
    pairs = {tuple(sorted((c.id, e))) for c in p.concessions for e in c.excludes}
    for first, second in sorted(pairs):
        both = {g[cid, o.id]: 1.0 for cid in (first, second) for o in _options(p, cid)}
        a.row({**both, z: -1.0}, -INF, 0.0)


def _options(p: Partner, cid: str) -> list[Any]:
    c = p.concession(cid)
    return [] if c is None else c.options


def build(pf: Portfolio, units: Units = SCALED) -> tuple[Any, float]:
    """A HiGHS instance holding the plain model; returns it with the objective offset (USD)."""
    compute = units.compute
    a = Triplets()
    supply_rows: dict[str, dict[int, float]] = {t: {} for t in pf.periods}
    risk_row: dict[int, float] = {}
    for p in pf.partners:
        _partner(a, pf, p, supply_rows, risk_row, units)
    for t in pf.periods:
        a.row(supply_rows[t], -INF, pf.supply[t] / compute)
    if pf.risk_budget is not None:
        a.row(risk_row, -INF, pf.risk_budget / compute)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    a.arrays().pass_to(h, maximize=True)
    return h, sum(p.us_batna for p in pf.partners)


def solve_floor(
    pf: Portfolio, time_limit: float, gap: float = 1e-6, units: Units = SCALED
) -> dict[str, Any]:
    """Build and solve the plain model; times in seconds, objective in USD."""
    start = time.perf_counter()
    h, offset = build(pf, units)
    built = time.perf_counter() - start
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", gap)
    start = time.perf_counter()
    h.run()
    solved = time.perf_counter() - start
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    return {
        "build": built,
        "solve": solved,
        "total": built + solved,
        "objective": info.objective_function_value * units.money + offset,
        "bound": info.mip_dual_bound * units.money + offset,
        "gap": float(info.mip_gap),
        "status": status,
        "columns": h.getNumCol(),
        "rows": h.getNumRow(),
    }
