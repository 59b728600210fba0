"""Brute force against the optimizer on small generated portfolios.

Every discrete choice is enumerated (deal or not per partner, its security level,
a level or none of each concession, skipping combinations `requires`/`excludes`
forbid); for each, the remaining linear program over the compute x[p,t] and the
value segments y[p,t,j] is built here, straight from the data, and solved with
HiGHS' own API (no PuLP, nothing of `dealbench.optimize`). The best of them must
equal `dealbench.solve`'s objective to 1e-6 relative.

Instances come from a seeded generator (tests/builders.py): a failure names its
seed, and `generate(RandomPicker(seed))` rebuilds the case.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np
import pytest

from builders import RandomPicker, generate
from dealbench import solve
from dealbench.model import Partner, Portfolio, SecurityLevel
from dealbench.model.concession import SecurityRequirement

MONEY = 1e9  # the LP works in USD billions...
COMPUTE = 1e3  # ...and thousands of H100e
INF = highspy.kHighsInf
MAX_COMBINATIONS = 400


@dataclass(frozen=True)
class Choice:
    """The discrete part of one partner's deal."""

    level: SecurityLevel
    granted: tuple[tuple[str, str], ...]  # (concession id, level id)
    us_value: float  # USD, concessions
    partner_cost: float  # USD, concessions + security


def cap_of(pf: Portfolio, p: Partner, level: str) -> float:
    """The cap, read from the policy data (tier 3 gets nothing, whatever it says)."""
    if p.tier == 3:
        return 0.0
    value = {1: pf.policy.caps.tier1, 2: pf.policy.caps.tier2, 3: pf.policy.caps.tier3}[p.tier]
    if isinstance(value, dict):
        return value.get(level, math.inf)
    return float(value)


def choices(pf: Portfolio, p: Partner) -> Iterator[Choice | None]:
    """No deal, then every allowed (security level, concession levels) for `p`."""
    yield None
    rank = {lv.id: i for i, lv in enumerate(pf.policy.security_levels)}
    menus = [[None, *c.options] for c in p.concessions]
    for level in pf.policy.security_levels:
        if level.id not in p.security_costs:
            continue
        for pick in itertools.product(*menus):
            granted = {c.id: o for c, o in zip(p.concessions, pick, strict=True) if o is not None}
            if not _allowed(p, granted, rank, level.id):
                continue
            yield Choice(
                level=level,
                granted=tuple((cid, o.id) for cid, o in granted.items()),
                us_value=sum(o.us_value for o in granted.values()),
                partner_cost=sum(o.partner_cost for o in granted.values())
                + p.security_costs[level.id],
            )


def _allowed(p: Partner, granted: dict[str, object], rank: dict[str, int], level: str) -> bool:
    for c in p.concessions:
        if c.id not in granted:
            continue
        for req in c.requires:
            if isinstance(req, SecurityRequirement):
                if rank[level] < rank[req.security]:
                    return False
            elif req not in granted:
                return False
        if any(other in granted for other in c.excludes):
            return False
    return True


class LP:
    """A maximisation LP built column by column and row by row, solved by HiGHS."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.rows: list[tuple[float, float, dict[int, float]]] = []
        self.constant = 0.0

    def var(self, upper: float, cost: float = 0.0) -> int:
        self.lower.append(0.0)
        self.upper.append(INF if math.isinf(upper) else upper)
        self.cost.append(cost)
        return len(self.cost) - 1

    def row(self, coefs: dict[int, float], lower: float = -INF, upper: float = INF) -> None:
        self.rows.append((lower, upper, coefs))

    def maximise(self) -> float | None:
        """The optimum (plus `constant`), or None if infeasible."""
        if any(lo > 1e-9 for lo, _, coefs in self.rows if not coefs) or any(
            hi < -1e-9 for _, hi, coefs in self.rows if not coefs
        ):
            return None
        if not self.cost:
            return self.constant
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = len(self.cost)
        h.addVars(n, np.array(self.lower), np.array(self.upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost))
        for lo, hi, coefs in self.rows:
            if coefs:
                idx = np.array(list(coefs), dtype=np.int32)
                h.addRow(lo, hi, len(idx), idx, np.array(list(coefs.values())))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
        return float(h.getInfo().objective_function_value) + self.constant


def solve_fixed(
    pf: Portfolio, combo: tuple[Choice | None, ...], mode: str, v_floor: float | None
) -> float | None:
    """The best objective (USD) with every discrete choice fixed, or None if infeasible."""
    policy = pf.policy
    lp = LP()
    us: dict[int, float] = {}  # V - constant, model units
    us_constant = 0.0
    partner_obj_constant = 0.0
    supply: dict[str, dict[int, float]] = {t: {} for t in pf.periods}
    risk: dict[int, float] = {}
    for p, choice in zip(pf.partners, combo, strict=True):
        if choice is None:
            us_constant += p.us_batna / MONEY
            partner_obj_constant += p.batna / MONEY
            continue
        us_constant += choice.us_value / MONEY
        partner_obj_constant -= choice.partner_cost / MONEY
        weight = p.diversion_risk * (1 - choice.level.mitigation)
        per_x = (
            (policy.export_value_per_h100e - policy.risk_penalty_per_h100e * weight)
            * COMPUTE
            / MONEY
        )
        value_terms: dict[int, float] = {}
        for t in pf.periods:
            top = min(p.ask.get(t, 0.0), cap_of(pf, p, choice.level.id))
            x = lp.var(top / COMPUTE)
            us[x] = per_x
            supply[t][x] = 1.0
            risk[x] = weight
            fill: dict[int, float] = {x: -1.0}
            for width, value in p.segments:
                y = lp.var(width / COMPUTE, value * COMPUTE / MONEY if mode != "us-best" else 0)
                fill[y] = 1.0
                value_terms[y] = value * COMPUTE / MONEY
            lp.row(fill, upper=0.0)  # sum_j y[p,t,j] <= x[p,t]
        # The partner accepts: value - costs >= batna + margin.
        need = (p.batna + policy.acceptance_margin + choice.partner_cost) / MONEY
        lp.row(value_terms, lower=need - 1e-9)
    for t in pf.periods:
        lp.row(supply[t], upper=pf.supply[t] / COMPUTE)
    if pf.risk_budget is not None:
        lp.row(risk, upper=pf.risk_budget / COMPUTE)
    if mode == "us-best":
        for var, coef in us.items():
            lp.cost[var] = coef
        lp.constant = us_constant
    else:
        floor = sum(p.us_batna for p in pf.partners) if v_floor is None else v_floor
        lp.row(us, lower=floor / MONEY - us_constant - 1e-9)
        lp.constant = partner_obj_constant
    best = lp.maximise()
    return None if best is None else best * MONEY


def brute_force(pf: Portfolio, mode: str = "us-best", v_floor: float | None = None) -> float | None:
    """The best objective over every discrete choice: V for us-best, sum U for partner-best."""
    options = [list(choices(pf, p)) for p in pf.partners]
    assert math.prod(len(o) for o in options) <= 5_000, "too many to enumerate quickly"
    best: float | None = None
    for combo in itertools.product(*options):
        value = solve_fixed(pf, combo, mode, v_floor)
        if value is not None and (best is None or value > best):
            best = value
    return best


def instance(seed: int) -> Portfolio:
    return generate(RandomPicker(seed), max_combinations=MAX_COMBINATIONS)


def assert_same(optimizer: float | None, enumerated: float | None) -> None:
    assert optimizer is not None and enumerated is not None
    assert optimizer == pytest.approx(enumerated, rel=1e-6, abs=1e3)


@pytest.mark.parametrize("seed", range(100))
def test_us_best_matches_brute_force(seed: int) -> None:
    pf = instance(seed)
    result = solve(pf, "us-best", gap=1e-9)
    assert result.status == "optimal", result.message
    assert_same(result.objective, brute_force(pf, "us-best"))


@pytest.mark.parametrize("seed", range(1000, 1040))
def test_partner_best_matches_brute_force(seed: int) -> None:
    pf = instance(seed)
    result = solve(pf, "partner-best", gap=1e-9)
    assert result.status == "optimal", result.message
    assert_same(result.partner_total, brute_force(pf, "partner-best"))


@pytest.mark.parametrize("seed", range(2000, 2020))
def test_partner_best_with_a_floor_matches_brute_force(seed: int) -> None:
    """A floor halfway between no deal and the US optimum: feasible, and usually binding."""
    pf = instance(seed)
    no_deal = sum(p.us_batna for p in pf.partners)
    best_v = brute_force(pf, "us-best")
    assert best_v is not None
    floor = (no_deal + best_v) / 2
    result = solve(pf, "partner-best", gap=1e-9, v_floor=floor)
    assert result.status == "optimal", result.message
    assert_same(result.partner_total, brute_force(pf, "partner-best", floor))
    assert result.objective == result.partner_total  # what partner-best maximised
    assert result.us_value is not None
    assert result.us_value >= floor - 1e-6 * abs(floor) - 1e3


@pytest.mark.parametrize("seed", range(3000, 3020))
def test_cbc_matches_brute_force(seed: int) -> None:
    from dealbench.errors import SolverError
    from dealbench.optimize import make_backend

    try:
        make_backend("cbc")
    except SolverError as exc:  # PuLP 4 (Python 3.12+) without the cbc extra
        pytest.skip(str(exc))
    pf = instance(seed)
    result = solve(pf, "us-best", solver="cbc", gap=1e-9)
    assert result.status == "optimal", result.message
    assert_same(result.objective, brute_force(pf, "us-best"))


def test_the_enumeration_is_not_vacuous() -> None:
    """The generated instances exercise what they should: deals, and binding shared limits."""
    results = [solve(instance(seed)) for seed in range(60)]
    with_deals = sum(bool(r.deals) for r in results)
    binding = sum(
        any(b.message.startswith(("Supply", "The risk budget")) for b in r.binding) for r in results
    )
    assert with_deals >= 20
    assert binding >= 8
