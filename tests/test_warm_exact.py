"""A warm start changes how fast a solve is, never what it returns.

`solve(changed, warm_start=solve(base))` must find the optimum of `changed`
whatever changed: supply, the risk budget, caps, asks, a partner's figures or
menu, partners added or removed. The reference is DESIGN.md's plain model
(`method="plain"`), which never warm-starts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import DrawPicker, Picker, RandomPicker, generate, partner, policy, portfolio
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.model import Partner, Policy, Portfolio
from dealbench.model.granularity import Granularity
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.decomposition.blocks import Blocks, build_blocks
from dealbench.optimize.decomposition.master import Master, RootLP, generate_columns
from dealbench.optimize.decomposition.pricing import Duals, price
from dealbench.optimize.decomposition.search import _used as _used_columns
from dealbench.synth import Size
from dealbench.synth import generate as synthesize
from helpers import REPO

MONEY = 1e9
REL = 1e-6

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- changes ----------------------------------------------------------------------------


def _partner(p: Partner, **update: Any) -> Partner:
    """`p` with some fields changed, validated afresh (model_copy would keep the cached
    `segments` of the old value curve)."""
    return Partner.model_validate({**p.model_dump(), **update})


def _policy(policy: Policy, **update: Any) -> Policy:
    return Policy.model_validate({**policy.model_dump(), **update})


def _with_partner(pf: Portfolio, i: int, new: Partner) -> Portfolio:
    partners = list(pf.partners)
    partners[i] = new
    return pf.model_copy(update={"partners": partners})


def _scaled(value: float, factor: float) -> float:
    return float(round(value * factor))


def change(pf: Portfolio, pick: Picker) -> tuple[str, Portfolio]:
    """One random change of `pf`, and its name (for failure messages)."""
    kind = pick.choice(CHANGES)
    i = pick.int(0, len(pf.partners) - 1)
    p = pf.partners[i]
    t = pick.choice(pf.periods)
    factor = pick.choice((0.0, 0.5, 0.8, 0.99, 1.01, 1.25, 2.0))
    if kind == "supply":
        supply = {**pf.supply, t: _scaled(pf.supply[t], factor) or pick.choice((20e3, 80e3))}
        return kind, pf.model_copy(update={"supply": supply})
    if kind == "risk budget":
        budget = pf.risk_budget
        if budget is None:
            budget = pick.choice((None, 0.0, 500.0, 5_000.0))
        else:
            budget = _scaled(budget, factor)
        return kind, pf.model_copy(update={"risk_budget": budget})
    if kind == "cap":
        caps = pf.policy.caps.model_dump()
        tier = pick.choice(("tier1", "tier2", "tier3"))
        level = pick.choice(pf.policy.level_ids)
        cap = pick.choice((None, 0.0, 10_000.0, 40_000.0, 120_000.0))
        given = caps[tier] if isinstance(caps[tier], dict) else {}
        caps[tier] = {k: v for k, v in {**given, level: cap}.items() if v is not None}
        return kind, pf.model_copy(update={"policy": _policy(pf.policy, caps=caps)})
    if kind == "ask":
        ask = {u: _scaled(a, factor) if pick.bool() else a for u, a in p.ask.items()}
        if not ask or pick.bool():
            ask[t] = pick.choice((0.0, 30_000.0, 120_000.0))
        return kind, _with_partner(pf, i, _partner(p, ask=ask))
    if kind == "batna":
        return kind, _with_partner(pf, i, _partner(p, batna=pick.choice((0.0, 5e8, 2e9, 6e9))))
    if kind == "us batna":
        return kind, _with_partner(pf, i, _partner(p, us_batna=pick.choice((-3e9, 0.0, 1e9))))
    if kind == "force":  # as negotiate's replan forces a deal: a raised BATNA, no walking away
        forced = p.model_copy(update={"batna": p.batna + 1e9, "us_batna": p.us_batna - 1e12})
        return kind, _with_partner(pf, i, forced)
    if kind == "value":
        value = pick.choice((5_000.0, 20_000.0, 60_000.0))
        return kind, _with_partner(pf, i, _partner(p, value_per_h100e=value))
    if kind == "security cost":
        level = pick.choice(list(p.security_costs))
        costs = {**p.security_costs, level: pick.choice((0.0, 3e8, 2e9))}
        return kind, _with_partner(pf, i, _partner(p, security_costs=costs))
    if kind == "diversion risk":
        risk = pick.choice((0.0, 0.3, 1.0))
        return kind, _with_partner(pf, i, _partner(p, diversion_risk=risk))
    if kind == "concession" and p.concessions:
        menu = [c.model_dump() for c in p.concessions]
        c = menu[pick.int(0, len(menu) - 1)]
        for option in c["levels"] or [c]:
            option["partner_cost"] = _scaled(option["partner_cost"] or 0.0, factor)
            option["us_value"] = _scaled(option["us_value"] or 0.0, pick.choice((0.5, 1.0, 3.0)))
        return kind, _with_partner(pf, i, _partner(p, concessions=menu))
    if kind == "margin":
        margin = pick.choice((0.0, 2e8, 1e9))
        return kind, pf.model_copy(update={"policy": _policy(pf.policy, acceptance_margin=margin)})
    if kind == "remove" and len(pf.partners) > 1:
        return kind, pf.model_copy(update={"partners": [q for q in pf.partners if q is not p]})
    if kind == "add":
        code = next(c for c in ("EE", "FF", "GG", "HH") if pf.partner(c) is None)
        added = _partner(p, code=code, name=f"Partner {code}", batna=pick.choice((0.0, 1e9)))
        return kind, pf.model_copy(update={"partners": [*pf.partners, added]})
    return "nothing", pf


CHANGES = (
    "supply",
    "risk budget",
    "cap",
    "ask",
    "batna",
    "us batna",
    "force",
    "value",
    "security cost",
    "diversion risk",
    "concession",
    "margin",
    "remove",
    "add",
)


# --- comparing --------------------------------------------------------------------------


def _figure(result: SolveResult, mode: str) -> float:
    value = result.objective if mode == "us-best" else result.partner_total
    assert value is not None
    return value


def assert_exact(
    changed: Portfolio, warm: SolveResult, plain: SolveResult, mode: str, what: str = ""
) -> None:
    """The warm solve found the plain model's optimum, with a true bound and checked packages."""
    assert warm.status == plain.status, (what, warm.status, plain.status, warm.message)
    if plain.status is not Status.OPTIMAL:
        return
    verdict = check(changed, [d.package() for d in warm.deals])
    assert verdict.ok, (what, verdict.problems())
    best, found = _figure(plain, mode), _figure(warm, mode)
    tol = (REL + (warm.solver.gap or 0.0) + (plain.solver.gap or 0.0)) * max(MONEY, abs(best))
    assert abs(found - best) <= tol, (what, found / MONEY, best / MONEY)
    if mode == "us-best":  # the bound is in the objective's terms
        assert warm.solver.bound is not None
        assert warm.solver.bound >= best - tol, (what, warm.solver.bound / MONEY, best / MONEY)


# --- the reported case ------------------------------------------------------------------


def test_less_supply_in_one_period_warm_gives_the_cold_optimum() -> None:
    """gulf-asia with 2026 supply at 990,000 H100e: the warm solve had returned USD
    166.51bn "optimal" with a bound of 166.51bn, where the optimum is 173.61bn."""
    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    first = solve(pf)
    changed = pf.model_copy(update={"supply": {**pf.supply, "2026": 990_000}})
    warm = solve(changed, warm_start=first)
    cold = solve(changed)
    plain = solve(changed, method="plain")
    assert plain.objective == pytest.approx(173.61e9, abs=0.01e9)
    assert_exact(changed, warm, plain, "us-best")
    assert_exact(changed, cold, plain, "us-best")


# --- every change -----------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), mode=st.sampled_from(["us-best", "partner-best"]))
def test_a_warm_start_after_any_change_finds_the_optimum(data: st.DataObject, mode: str) -> None:
    pick = DrawPicker(data.draw)  # type: ignore[arg-type]
    base = generate(pick, max_partners=4, max_periods=3, max_concessions=3)
    first = solve(base, mode)  # type: ignore[arg-type]
    changed, kinds = base, []
    for _ in range(pick.int(1, 2)):
        kind, changed = change(changed, pick)
        kinds.append(kind)
    warm = solve(changed, mode, warm_start=first)  # type: ignore[arg-type]
    plain = solve(changed, mode, method="plain")  # type: ignore[arg-type]
    assert_exact(changed, warm, plain, mode, ", ".join(kinds))


def _synthetic_case(seed: int, pick: Picker) -> None:
    """A seeded synthetic portfolio (the structure of the shipped data), one or two
    changes, warm against plain."""
    base = synthesize(Size("H", pick.int(3, 8), 3, 2, pick.int(2, 4)), seed=seed)
    # Continuous amounts: what is compared is the search's optimum, before any rounding.
    base = base.model_copy(update={"own_granularity": Granularity(h100e=0)})
    first = solve(base)
    changed, kinds = base, []
    for _ in range(pick.int(1, 2)):
        kind, changed = change(changed, pick)
        kinds.append(kind)
    warm = solve(changed, warm_start=first)
    assert_exact(changed, warm, solve(changed, method="plain"), "us-best", ", ".join(kinds))


@settings(SETTINGS, max_examples=15)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_a_warm_start_after_any_change_of_a_synthetic_portfolio_finds_the_optimum(
    seed: int, data: st.DataObject
) -> None:
    _synthetic_case(seed, DrawPicker(data.draw))  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [7, 11, 14, 77, 88])
def test_changes_that_made_warm_starts_return_worse_portfolios(seed: int) -> None:
    """Seeds where the warm solve had returned a worse portfolio as optimal (a
    concession's figures and a diversion risk, value curves, a BATNA, an ask, a cap
    and a concession)."""
    _synthetic_case(seed, RandomPicker(seed))


@pytest.mark.parametrize("seed", [5, 6, 27])
def test_forcing_a_deal_as_replan_does_stays_exact(seed: int) -> None:
    """negotiate's frontier and replan re-solve with one partner's BATNA raised and its
    no-deal made prohibitive, warm from the base solve; these seeds had come back
    worse than the optimum."""
    rng = random.Random(seed)
    base = synthesize(Size("F", rng.randint(3, 8), 3, 2, rng.randint(2, 4)), seed=seed)
    first = solve(base)
    p = rng.choice(base.partners)
    forced = p.model_copy(update={"batna": p.batna + 1e9, "us_batna": p.us_batna - 1e12})
    changed = base.model_copy(update={"partners": [forced if q is p else q for q in base.partners]})
    warm = solve(changed, warm_start=first)
    assert_exact(changed, warm, solve(changed, method="plain"), "us-best", p.code)


@pytest.mark.parametrize("seed", range(4))
def test_a_chain_of_warm_starts_stays_exact(seed: int) -> None:
    """As a sweep or a frontier runs: each solve warm-starts from the one before."""
    pick = RandomPicker(seed)
    pf = synthesize(Size("W", 6, 4, 3, 3), seed=seed)
    result = solve(pf)
    kinds = []
    for _ in range(4):
        kind, pf = change(pf, pick)
        kinds.append(kind)
        result = solve(pf, warm_start=result)
        assert_exact(pf, result, solve(pf, method="plain"), "us-best", ", ".join(kinds))


# --- the invariant behind it ------------------------------------------------------------


def _root(
    blocks: Blocks, duals: Duals | None = None, seeds: Sequence[tuple[int, int]] = ()
) -> tuple[RootLP, Master]:
    """Column generation as `solve_blocks` runs it: from `duals` and `seeds` when given."""
    master = Master(blocks, None)
    if seeds and duals is not None:
        master.add_points(price(blocks, duals), list(seeds))
    return generate_columns(master, duals), master


def _assert_root_is_a_bound(blocks: Blocks, root: RootLP, cold: RootLP) -> None:
    # The reduced-cost argument reads L and the reduced costs at the same duals.
    assert price(blocks, root.duals).bound == pytest.approx(root.bound, rel=1e-12, abs=1e-12)
    # Any non-negative duals bound the LP from above; converged, both reach it.
    tol = 1e-7 * max(1.0, abs(cold.bound))
    assert root.bound >= cold.value - tol
    assert root.converged and cold.converged
    assert root.bound == pytest.approx(cold.bound, abs=tol)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    period=st.integers(0, 2),
    factor=st.sampled_from((0.0, 0.3, 0.8, 0.99, 1.2, 3.0)),
)
def test_column_generation_from_another_portfolios_prices_keeps_bound_and_duals_together(
    seed: int, period: int, factor: float
) -> None:
    """Seeded with a previous portfolio's duals and columns (what a warm start passes),
    column generation reports a bound L and the duals it was met at, L(duals) == L,
    and ends at the same LP bound as from nothing."""
    base = synthesize(Size("G", 5, 3, 2, 3), seed=seed)
    t = base.periods[period]
    changed = base.model_copy(update={"supply": {**base.supply, t: base.supply[t] * factor}})
    before = build_blocks(base, "us-best")
    first, master = _root(before)
    after = build_blocks(changed, "us-best")
    cold, _ = _root(after)
    warm, _ = _root(after, first.duals, _used_columns(master))
    _assert_root_is_a_bound(after, warm, cold)


def test_the_reported_case_at_the_root() -> None:
    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    changed = pf.model_copy(update={"supply": {**pf.supply, "2026": 990_000}})
    first, master = _root(build_blocks(pf, "us-best"))
    after = build_blocks(changed, "us-best")
    cold, _ = _root(after)
    warm, _ = _root(after, first.duals, _used_columns(master))
    _assert_root_is_a_bound(after, warm, cold)


def test_nothing_to_price_at_old_prices_still_ends_at_the_lp_bound() -> None:
    """Old duals under which no deal pays: column generation must still reach the LP
    (it had stopped there, with the old prices' bound, and the search had no sets)."""
    pf = synthesize(Size("Z", 3, 2, 2, 2), seed=1)
    blocks = build_blocks(pf, "us-best")
    cold, _ = _root(blocks)
    dear = Duals(np.full(len(blocks.supply), 1e3), risk=1e3)
    warm, _ = _root(blocks, dear)
    _assert_root_is_a_bound(blocks, warm, cold)


def test_an_unreachable_floor_with_nothing_to_price_is_infeasible() -> None:
    """The same rule from zero prices: nothing improves there, so the master decides.
    Column generation had stopped without it, and the solve reported a time limit
    with no package instead of an infeasible floor."""
    pf = portfolio(policy(), [partner("AA", ask={"2026": 0}, us_batna=1e9)], supply={"2026": 1e5})
    result = solve(pf, "partner-best", v_floor=3e9)
    assert result.status is Status.INFEASIBLE
    assert solve(pf, "partner-best", v_floor=3e9, method="plain").status is Status.INFEASIBLE
