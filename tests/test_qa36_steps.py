"""qa36-steps: counter verdicts, logrolling and next offers in whole steps, by enumeration.

qa36-reference compared the counter's verdict, the room and logrolling with a reference that
reads the YAML alone, on continuous portfolios only; qa33-verify compared whole-step solves
and the frontier with its whole-step enumeration (`StepReference`: every schedule in whole
steps of the declared step, and each deal's limit in whole units, crossed under supply and
the risk budget). This compares, on qa33's tiny generated portfolios (2-3 partners, 1-2
periods, a few steps each; levels, ranges and yes/no terms), with that enumeration (imported,
never `dealbench.optimize` or `dealbench.negotiate` in the reference):
- the verdict on a counter: both sides' utilities, the limits it breaks, the frontier point
  (in whole steps, no better than the enumeration's best at the counter's partner utility,
  and within one step's value of it, the optimizer's promise in steps: docs/model.md), the
  portfolio's V in the plan, after walking away and if accepted (the rest in whole steps);
- logrolling: every improvement in the declared step or a finer one by tens (docs/decisions.md,
  qa27-neg), both sides at least USD 1m better off; the top one within one step's joint
  value of the enumeration's best change among the same neighbourhood of terms, and none in
  the declared step better than it;
- the next offer of a time-dependent strategy: in whole steps, its US utility at least the
  target and the reservation value, and the partner's utility the enumeration's best with
  V_p at the target (within one step's value: docs/negotiation.md, "The next offer").
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dealbench.checker import check
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import improvements, next_offer, record_counter, record_offer
from dealbench.negotiate.plan import replan
from dealbench.negotiate.rounds.read import load_negotiations
from dealbench.optimize import solve
from helpers import (
    drawn_concession,
    drawn_step_files,
    drawn_step_partner,
    drawn_step_policy,
    quick,
    written,
)
from test_qa31_verify import ABS, RModel, evaluate_ref, read_model
from test_qa33_verify import (
    GRIDS,
    LEVELS,
    Grid,
    M,
    StepReference,
    _step_of,
    amounts,
    read_grid,
    slack,
)
from test_qa36_reference import (
    CHECK_MONEY,
    MIN_GAIN,
    _limits_kept,
    allowed,
    choice,
    neighbourhood,
)

GAP = 1e-6  # solve's default relative gap


@st.composite
def small(draw: st.DrawFn) -> dict[str, Any]:
    """qa33-verify's tiny portfolios (its generators, `helpers.drawn_step_*`) of one or two
    periods, with walk-away values that leave deals to weigh (-8 to 2 units of USD 25m,
    where qa33's -4 to 16 left most partners without one)."""
    nums = st.integers
    periods = draw(st.sampled_from([[2027], [2027, 2028], ["2027Q1", "2027Q2"]]))
    n = draw(nums(2, 3))
    raw = draw(st.sampled_from(GRIDS))
    step = _step_of(raw)
    most = max(1, min(6, round(2e5 ** (1 / (n * len(periods)))) - 2))

    def tier2_cap() -> float:
        quarter = 4 if "Q" in str(periods[0]) else 1
        return round(draw(nums(0, most)) * step * quarter) + draw(st.sampled_from([0, 250]))

    policy = drawn_step_policy(draw, LEVELS, tier2_cap, 150, M)
    partners = []
    for i in range(n):
        kinds = draw(st.lists(st.sampled_from(["yes", "levels", "range"]), max_size=2))
        concessions = [drawn_concession(draw, j, kind, M, 20, 10) for j, kind in enumerate(kinds)]
        partners.append(
            drawn_step_partner(draw, "P" + "ABC"[i], periods, step, most, concessions, (-8, 2), M)
        )
    return drawn_step_files(draw, policy, periods, partners, raw, step, most, LEVELS)


def seen(what: str) -> None:
    """What an example reached (`--hypothesis-show-statistics`), outside a test nothing."""
    with contextlib.suppress(InvalidArgument):
        event(what)


def idle(model: RModel, codes: list[str] | set[str]) -> RModel:
    """The model with `codes` offered no deal (each keeps its walk-away values)."""
    partners = {
        c: dataclasses.replace(p, choices=[]) if c in codes else p
        for c, p in model.partners.items()
    }
    return dataclasses.replace(model, partners=partners)


def finer(grid: Grid) -> list[float]:
    """The declared step and the finer ones by tens down to one unit (`schedule.steps`)."""
    units = round(grid.step / grid.unit)
    out = []
    while units >= 1:
        out.append(units * grid.unit)
        units = units // 10 if units >= 10 else 0
    if abs(out[-1] - grid.unit) > 1e-9:
        out.append(grid.unit)
    return out


def in_step(model: RModel, package: Package, step: float, unit: float) -> bool:
    """Every amount a whole `step`, or the deal's limit in whole units."""
    p = model.partners[package.partner]
    for t in model.periods:
        x = package.compute.get(t, 0.0)
        allowed_ = amounts(model.cap(p, package.security, t), step, unit)
        if min(abs(x - a) for a in allowed_) > 1e-3:
            return False
    return True


def coarsest(model: RModel, package: Package, grid: Grid) -> float | None:
    """The coarsest of the declared step and the finer ones by tens that the package's
    amounts are whole steps of (None: none)."""
    return next((s for s in finer(grid) if in_step(model, package, s, grid.unit)), None)


def step_v(model: RModel, grid: Grid) -> float:
    """One step's value to the US: the step times the largest |value per H100e|."""
    rates = [abs(model.rate(p, k)[0]) for p in model.partners.values() for k in p.security]
    return grid.step * max(rates, default=0.0)


def step_u(model: RModel, grid: Grid, code: str) -> float:
    """One step's value to the partner at its highest value per H100e."""
    return grid.step * max(v for _, v in model.partners[code].segments)


def within(value: float, best: float, below: float, *, above: bool = True) -> bool:
    """`value` no more than `best` (when `above`) and at most `below` under it."""
    tol = slack(best) + 0.1 * GAP * abs(best)
    return (not above or value <= best + tol) and value >= best - below - tol


# ----------------------------------------------------------------------------------------
# The verdict on a counter.


def compare_verdict(path: Path, root: Path, less: int, drop: bool) -> None:
    """The first deal of the optimum offered as planned, countered with `less` steps less in
    each period (never below 0) and, `drop`, its first concession dropped."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    base = solve(pf)
    if not base.deals:
        return
    code = base.deals[0].partner
    plan = base.deals[0].package()
    record_offer(pf, root, code, package=plan)
    terms = dict(plan.concessions)
    if drop and terms:
        del terms[sorted(terms)[0]]
    compute = {t: max(0.0, x - less * grid.step) for t, x in plan.compute.items()}
    counter = plan.model_copy(update={"compute": compute, "concessions": terms})
    verdict = record_counter(pf, root, code, counter).verdict
    v, u, _, _ = evaluate_ref(model, counter)
    assert verdict.us_utility == pytest.approx(v, abs=1.0)
    assert verdict.partner_utility == pytest.approx(u, abs=1.0)
    threshold = model.partners[code].batna + model.margin
    keeps = u >= threshold - CHECK_MONEY and _limits_kept(pf, [], counter)
    assert (not verdict.violations) == keeps, ([x.message for x in verdict.violations], u)
    sv = step_v(model, grid)
    # The plan: no rounds but our offer, so the us-best portfolio in whole steps.
    whole = StepReference(model, grid.step, grid.unit).best()
    assert whole is not None
    plan_step = base.solver.details["granularity_h100e"]
    assert within(verdict.portfolio_plan, whole[0], sv, above=plan_step == grid.step), (
        verdict.portfolio_plan,
        whole,
    )
    walk = StepReference(idle(model, {code}), grid.step, grid.unit).best()
    assert walk is not None
    assert within(verdict.portfolio_walk_away, walk[0], sv, above=False), (
        verdict.portfolio_walk_away,
        walk,
    )
    if keeps:
        accepted = StepReference(model, grid.step, grid.unit, held=[counter]).best()
        assert accepted is not None and verdict.portfolio_if_accepted is not None
        assert within(verdict.portfolio_if_accepted, accepted[0], sv, above=False), (
            verdict.portfolio_if_accepted,
            accepted,
        )
    else:
        assert verdict.portfolio_if_accepted is None
    # The frontier point: the partner alone, in whole steps, at the counter's utility.
    others = [c for c in model.partners if c != code]
    alone = StepReference(idle(model, others), grid.step, grid.unit)
    rest = sum(model.partners[c].us_batna for c in others)
    floor = max(u, threshold)
    best = alone.best(u_floor=(code, floor - slack(floor)))
    gap = verdict.frontier
    seen(f"verdict: keeps={keeps} on_frontier={gap.on_frontier} point={gap.package is not None}")
    if gap.on_frontier:
        assert keeps
        assert best is None or within(v, best[0] - rest, sv, above=False), (v, best)
    elif gap.package is None:
        assert best is None, (gap, best)
    else:
        k = gap.package
        step = coarsest(model, k, grid)
        assert step is not None, (k.compute, grid)
        if best is None:  # nothing in the declared step: the point is in a finer one
            assert step != grid.step, (gap, best)
            return
        assert check(pf, [k]).ok
        gv, gu, _, accepts = evaluate_ref(model, k)
        assert accepts and gu >= floor - slack(floor), (gu, floor)
        assert gap.us_utility == pytest.approx(gv, abs=1.0)
        assert within(gv, best[0] - rest, sv, above=step == grid.step), (gv, best[0] - rest)


@quick(80)
@given(files=small(), less=st.sampled_from([0, 1, 2]), drop=st.booleans())
def test_generated_whole_step_verdicts_against_the_enumeration(
    files: dict[str, Any], less: int, drop: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("gen")
    compare_verdict(written(files, where), where / "rounds" / "gen", less, drop)


# ----------------------------------------------------------------------------------------
# Logrolling.


def compare_logrolls(path: Path) -> None:
    """Each deal of the optimum, and a worse start (half its compute in whole steps, its
    concessions dropped), the others held."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    base = solve(pf)
    for deal in base.deals:
        package, code = deal.package(), deal.partner
        p = model.partners[code]
        others = [d.package() for d in base.deals if d.partner != code]
        half = {t: math.floor(x / 2 / grid.step) * grid.step for t, x in package.compute.items()}
        plain = package.model_copy(update={"compute": half, "concessions": {}})
        ref = StepReference(model, grid.step, grid.unit, held=others)
        joint = grid.step * (
            max(abs(model.rate(p, k)[0]) for k in p.security) + max(v for _, v in p.segments)
        )
        for start in (package, plain):
            if not check(pf, [*others, start]).ok:
                continue
            sv, su, _, _ = evaluate_ref(model, start)
            found = improvements(pf, start, others, every_variant=True)
            for better in found:
                k = better.package
                assert coarsest(model, k, grid) is not None, (k.compute, grid)
                v, u, _, accepts = evaluate_ref(model, k)
                assert accepts and v - sv >= MIN_GAIN - ABS and u - su >= MIN_GAIN - ABS
                assert better.joint_gain == pytest.approx(v + u - sv - su, abs=2.0)
            top = -math.inf
            for terms in neighbourhood(model, p, start):
                if not allowed(model, p, terms):
                    continue
                t = ref.table(p, choice(model, code, terms))
                ok = (t.v >= sv + MIN_GAIN) & (t.u >= su + MIN_GAIN)
                if ok.any():
                    top = max(top, float(np.max((t.v + t.u)[ok])) - sv - su)
            for better in found:
                if in_step(model, better.package, grid.step, grid.unit):
                    assert better.joint_gain <= top + slack(top), (better, top)
            seen(f"logroll: found={bool(found)} ref={top > -math.inf}")
            if top == -math.inf:
                continue
            assert found, (start, top)
            assert found[0].joint_gain >= top - joint - slack(top), (found[0], top, joint)


@quick(60)
@given(files=small())
def test_generated_whole_step_logrolls_against_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_logrolls(written(files, tmp_path_factory.mktemp("gen")))


# ----------------------------------------------------------------------------------------
# The next offer of a time-dependent strategy.


def compare_next_offer(path: Path, root: Path, strategy: str, deadline: int) -> None:
    """After a first offer of the plan's package, the strategy's next offer to each partner
    the plan gives a deal: others held at the plan."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    negotiations = load_negotiations(pf, root)
    plan = replan(pf, negotiations)
    if plan.result is None or not plan.result.deals:
        return
    code = plan.result.deals[0].partner
    record_offer(pf, root, code, package=plan.result.deals[0].package())
    negotiations = load_negotiations(pf, root)
    try:
        offer = next_offer(pf, negotiations, plan, code, strategy=strategy, deadline=deadline)
    except Exception as e:  # a refusal to offer: said, never a wrong package
        assert "walk away" in str(e) or "no package" in str(e), e
        return
    held = [d.package() for d in plan.result.deals if d.partner != code]
    none = [c for c in model.partners if c != code and c not in {k.partner for k in held}]
    ref = StepReference(idle(model, none), grid.step, grid.unit, held=held)
    k, fig, record = offer.package, offer.figures, offer.strategy
    step = coarsest(model, k, grid)
    assert step is not None, (k.compute, grid)
    v, u, _, accepts = evaluate_ref(model, k)
    assert accepts and check(pf, [*held, k]).ok
    assert v >= record.reservation_us_utility - slack(v), (v, record)
    assert v >= record.target_us_utility - slack(v), (v, record)
    rest_v = ref.held_v + sum(model.partners[c].us_batna for c in none)
    rest_u = sum(model.partners[c].batna for c in none)
    target = record.target_us_utility
    whole = step == grid.step
    seen(f"offer: whole={whole}")
    best = ref.best(v_floor=target + rest_v)
    if best is None:  # nothing in the declared step: the offer is in a finer one
        assert not whole, (k.compute, record)
        return
    assert within(u, best[1] - rest_u, step_u(model, grid, code), above=whole), (u, best, record)
    # ... and of the packages giving the partner that, the best for the US.
    at = ref.best(u_floor=(code, u - slack(u)))
    assert at is not None or not whole, (k.compute, u)
    if at is not None:
        assert within(v, at[0] - rest_v, step_v(model, grid), above=whole), (v, at[0] - rest_v)
    assert fig.us_value == pytest.approx(v, abs=1.0)


@quick(60)
@given(
    files=small(),
    strategy=st.sampled_from(["boulware", "linear", "conceder"]),
    deadline=st.sampled_from([1, 2, 4]),
)
def test_generated_whole_step_next_offers_against_the_enumeration(
    files: dict[str, Any], strategy: str, deadline: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("gen")
    compare_next_offer(written(files, where), where / "rounds" / "gen", strategy, deadline)


# ----------------------------------------------------------------------------------------
# Faults found (each kept as a file; each test failed before its fix).

DATA = Path(__file__).parent / "data" / "qa36steps"


def test_logrolling_reaches_each_periods_limit_in_whole_chips() -> None:
    """logroll: steps of 256 B200 chips (582.11 H100e); PA asks 1,746 H100e in 2027 (767
    chips: 1,744.06) and 582 in 2028 (255 chips: 579.84), values USD 6,000 per H100e to
    1,311 and 5,000 beyond. From 582 H100e in 2027 and none in 2028, the best change in
    whole steps is both limits in whole chips (joint gain USD 13.38m); `improve` offered
    "2027 compute 582 -> 1,164" (USD 4.62m): its re-plan filled the value curve's pieces
    off the step (2.25 steps, then 0.75 in 2028) and floored each, and counted the two
    limits off the step as three steps in all."""
    path = DATA / "logroll" / "portfolio.yaml"
    compare_logrolls(path)
    pf = load_portfolio(path)
    base = solve(pf)
    deal = base.deals[0].package()
    others = [d.package() for d in base.deals[1:]]
    start = deal.model_copy(update={"compute": {"2027": 582.11217786761, "2028": 0.0}})
    top = improvements(pf, start.model_copy(update={"concessions": {}}), others)[0]
    assert top.package.compute == pytest.approx({"2027": 1744.062658, "2028": 579.838302})
    assert top.joint_gain == pytest.approx(13_379_322, abs=1.0)
