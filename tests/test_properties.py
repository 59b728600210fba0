"""What must hold for every portfolio (hypothesis over tests/builders.py's generator).

- every package the optimizer returns passes the independent check, which
  recomputes the reported objective, and the solver's bound agrees within the gap;
- relaxing a shared limit (supply, risk budget) never lowers the optimum;
- a tier-3 partner never receives compute;
- partner-best keeps the US at or above its floor, and the two modes are ordered.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import portfolios, with_limits
from dealbench import solve
from dealbench.checker import check
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult, Status

MONEY = 1e9
REL = 1e-6

# max_examples comes from the hypothesis profile (tests/conftest.py): 50 by default,
# more with HYPOTHESIS_PROFILE=thorough.
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def no_deal_v(pf: Portfolio) -> float:
    return sum(p.us_batna for p in pf.partners)


def no_deal_u(pf: Portfolio) -> float:
    return sum(p.batna for p in pf.partners)


def tolerance(result: SolveResult, *values: float) -> float:
    """How far two optima may differ: 1e-6 relative plus the proven gap, in USD.

    The gap is relative to the model's objective (USD billions, BATNAs left out), so it is
    scaled by the largest magnitude involved and by at least one model unit.
    """
    gap = result.solver.gap or 0.0
    scale = max([MONEY, *(abs(v) for v in values)])
    return (REL + gap) * scale


def optimal(pf: Portfolio, mode: str = "us-best", **kwargs: float) -> SolveResult:
    result = solve(pf, mode, **kwargs)  # type: ignore[arg-type]
    # Everything that says why, should it ever fail: status, message, method, gap, bound
    # and the search's own account (rounds, their gaps).
    said = (result.status, result.message, result.solver.model_dump(exclude={"timings"}))
    assert result.status is Status.OPTIMAL, said
    assert result.objective is not None and result.partner_total is not None
    return result


@SETTINGS
@given(pf=portfolios(), mode=st.sampled_from(["us-best", "partner-best"]))
def test_every_optimizer_package_passes_check(pf: Portfolio, mode: str) -> None:
    result = optimal(pf, mode)
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()
    assert all(d.accepts and not d.violations for d in verdict.deals)
    assert sorted(verdict.no_deal) == sorted(result.no_deal)
    assert {d.partner for d in result.deals} | set(result.no_deal) == {p.code for p in pf.partners}
    # check's recomputation is the reported objective (both ways of getting there agree)
    assert result.us_value is not None
    assert abs(verdict.objective - result.us_value) <= REL * max(MONEY, abs(result.us_value))
    assert result.objective == (result.partner_total if mode == "partner-best" else result.us_value)
    assert abs(verdict.partner_total - result.partner_total) <= REL * max(
        MONEY, abs(result.partner_total)
    )


@SETTINGS
@given(pf=portfolios(), mode=st.sampled_from(["us-best", "partner-best"]))
def test_reported_objective_is_within_the_gap_of_the_solver_bound(pf: Portfolio, mode: str) -> None:
    """The solver's best bound caps the optimum, and the reported package is within the gap."""
    result = optimal(pf, mode)
    bound = result.solver.bound
    assert bound is not None, "HiGHS reports a dual bound for every MIP"
    # The objective is what the mode maximised: V, or the partners' total.
    reported = result.objective
    offset = no_deal_v(pf) if mode == "us-best" else no_deal_u(pf)
    assert reported is not None
    tol = tolerance(result, reported - offset, bound - offset)
    assert reported <= bound + tol
    assert bound - reported <= tol


@SETTINGS
@given(pf=portfolios(), extra=st.sampled_from([20_000.0, 50_000.0, 200_000.0]))
def test_more_supply_never_lowers_the_optimum(pf: Portfolio, extra: float) -> None:
    before = optimal(pf)
    raised = with_limits(pf, supply={t: s + extra for t, s in pf.supply.items()})
    after = optimal(raised)
    assert after.objective >= before.objective - tolerance(  # type: ignore[operator]
        before, before.objective, after.objective, before.objective - no_deal_v(pf)
    ) - tolerance(after, after.objective)


@SETTINGS
@given(pf=portfolios(), factor=st.sampled_from([1.5, 2.0, 10.0, None]))
def test_a_larger_risk_budget_never_lowers_the_optimum(pf: Portfolio, factor: float | None) -> None:
    before = optimal(pf)
    if pf.risk_budget is None:
        budget = None  # already unlimited: nothing to relax
    else:
        budget = None if factor is None else pf.risk_budget * factor + 1_000
    raised = pf.model_copy(update={"risk_budget": budget})
    after = optimal(raised)
    assert after.objective >= before.objective - tolerance(  # type: ignore[operator]
        before, before.objective, after.objective, before.objective - no_deal_v(pf)
    ) - tolerance(after, after.objective)


@SETTINGS
@given(pf=portfolios(), mode=st.sampled_from(["us-best", "partner-best"]))
def test_a_tier3_partner_never_receives_compute(pf: Portfolio, mode: str) -> None:
    result = optimal(pf, mode)
    tier3 = {p.code for p in pf.partners if p.tier == 3}
    for deal in result.deals:
        if deal.partner in tier3:
            assert all(x == 0 for x in deal.compute.values()), deal.compute


@SETTINGS
@given(pf=portfolios(), share=st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_partner_best_keeps_the_us_above_its_floor(pf: Portfolio, share: float) -> None:
    """A floor between no deal (share 0, the default) and the US optimum (share 1)."""
    us_best = optimal(pf)
    assert us_best.us_value is not None
    floor = no_deal_v(pf) + share * (us_best.us_value - no_deal_v(pf))
    # At share 1 the floor sits on the optimum; lower it by the tolerance so it stays feasible.
    floor -= tolerance(us_best, us_best.us_value, floor)
    kwargs = {} if share == 0 else {"v_floor": floor}
    result = optimal(pf, "partner-best", **kwargs)
    assert result.us_value is not None
    assert result.us_value >= floor - tolerance(result, floor)
    # The floor is among the binding limits exactly when V sits on it.
    used = result.v_floor
    assert used is not None
    v = min(result.us_value, result.solver.details.get("unrounded_us_value", result.us_value))
    on_floor = v <= used + max(1e6, 1e-6 * abs(used))
    assert on_floor == any(b.kind == "v-floor" for b in result.binding)


@SETTINGS
@given(pf=portfolios())
def test_the_two_modes_are_ordered(pf: Portfolio) -> None:
    """us-best has the larger V; partner-best the larger sum of U; no deal bounds both below."""
    us = optimal(pf)
    partners = optimal(pf, "partner-best")
    assert us.us_value is not None and partners.us_value is not None
    tol = tolerance(us, us.us_value, partners.us_value) + tolerance(partners, us.us_value)
    assert us.us_value >= partners.us_value - tol
    assert us.us_value >= no_deal_v(pf) - tol
    assert partners.partner_total >= us.partner_total - tolerance(  # type: ignore[operator]
        partners, partners.partner_total, us.partner_total
    ) - tolerance(us, us.partner_total)
    assert partners.partner_total >= no_deal_u(pf) - tol  # type: ignore[operator]
