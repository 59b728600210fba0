"""qa44-verify: a shared limit (supply, the risk budget) "used in full" means less than
half an H100e of it is left, however large it is, as a limit is broken by more than half
an H100e over it (`checker.tolerance`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import builders
from dealbench.checker import PortfolioCheck, check
from dealbench.checker.used_up import used_up
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.render.limits import shared_limits, supply_left


def one_partner(*, supply: float, risk_budget: float | None = None, risk: float = 0.5) -> Portfolio:
    """Partner AA (tier 1, no cap) asking ten times the supply in 2026, in whole H100e
    or less (granularity 0), so nothing but the supply or the risk budget holds it."""
    the_policy = builders.policy(levels=(("baseline", 0.0),), caps={"tier2": {}})
    the_partner = builders.partner(
        tier=1,
        diversion_risk=risk,
        ask={"2026": 10 * supply + 10},
        security_costs={"baseline": 0},
    )
    return builders.portfolio(
        the_policy, [the_partner], supply={"2026": supply}, risk_budget=risk_budget
    )


def checked_at(pf: Portfolio, compute: float) -> PortfolioCheck:
    package = Package.model_validate(
        {"partner": "AA", "security": "baseline", "compute": {"2026": compute}, "concessions": {}}
    )
    return check(pf, package)


def test_a_whole_h100e_left_of_a_large_supply_is_not_used_in_full() -> None:
    """1,399,999 of a supply of 1,400,000 read "Supply is fully allocated in 2026
    (1,400,000 H100e)", with nothing left in the memo's Unallocated row, while the partner asks
    for more: `in_full` allowed 1e-6 of the limit (1.4 H100e here) besides half an H100e,
    where `check` calls one H100e over the same supply broken."""
    pf = one_partner(supply=1_400_000)
    checked = checked_at(pf, 1_399_999)
    assert used_up(pf, checked) == ([], False)
    assert not any("fully allocated" in line for line in shared_limits(pf, checked))
    assert supply_left(checked, "2026") == 1.0
    # within half an H100e it is used in full (solver noise), as on it
    for used in (1_400_000, 1_399_999.6):
        checked = checked_at(pf, used)
        assert used_up(pf, checked) == (["2026"], False)
        assert "Supply is fully allocated in 2026 (1,400,000 H100e)." in shared_limits(pf, checked)
        assert supply_left(checked, "2026") == 0.0


def test_a_whole_risk_weighted_h100e_left_of_a_large_budget_is_not_used_up() -> None:
    """A risk budget of 1,000,000 risk-weighted H100e with 999,999 of it carried read "The
    risk budget is used up (1,000,000 risk-weighted H100e)."."""
    pf = one_partner(supply=10_000_000, risk_budget=1_000_000, risk=0.5)
    checked = checked_at(pf, 1_999_998)  # 999,999 risk-weighted
    assert used_up(pf, checked) == ([], False)
    assert not any("risk budget" in line for line in shared_limits(pf, checked))
    checked = checked_at(pf, 2_000_000)
    assert used_up(pf, checked) == ([], True)
    assert "The risk budget is used up (1,000,000 risk-weighted H100e)." in shared_limits(
        pf, checked
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    limit=st.integers(1, 9_000_000),
    left=st.sampled_from([0.0, 0.2, 0.49, 0.51, 1.0, 2.0, 7.0]),
    kind=st.sampled_from(["supply", "risk-budget"]),
)
def test_used_in_full_is_half_an_h100e_left_at_any_size(limit: int, left: float, kind: str) -> None:
    """Used in full exactly when at most half an H100e (risk-weighted, for the budget) is
    left, whatever the limit's size: the same half H100e by which `check` calls a limit
    broken (so used in full and broken never overlap, and nothing lies between)."""
    if kind == "supply":
        pf = one_partner(supply=limit)
        checked = checked_at(pf, limit - left)
        periods, risk = used_up(pf, checked)
        full = periods == ["2026"]
        assert not risk
    else:
        pf = one_partner(supply=40 * limit, risk_budget=limit, risk=0.5)
        checked = checked_at(pf, 2 * (limit - left))
        periods, full = used_up(pf, checked)
        assert periods == []
    assert full == (left <= 0.5)
    assert not checked.violations


# --- HiGHS run by the caller before dealbench, in the same thread -------------------------


def test_a_one_thread_solve_after_the_callers_own_highs_run_solves() -> None:
    """A script that had run HiGHS itself (its own highspy model, or PuLP's HiGHS) and then
    solved in one thread (as `sweep`, `compare` and the frontier do) got "HiGHS could not
    solve the master LP of the decomposition: Not Set" (the CLI: exit 1): HiGHS's scheduler
    for the thread was sized by the caller's run, and a run asking for another thread
    count fails. dealbench now resets it before a thread's first run of its own count."""
    import threading

    import highspy
    import numpy as np

    from dealbench.optimize import solve

    pf = one_partner(supply=100_000)
    said: dict[str, object] = {}

    def work() -> None:
        own = highspy.Highs()
        own.setOptionValue("output_flag", False)
        own.addVars(1, np.array([0.0]), np.array([1.0]))
        own.changeColsCost(1, np.array([0], dtype=np.int32), np.array([1.0]))
        own.run()
        try:
            said["status"] = solve(pf, threads=1).status
        except Exception as exc:  # reported by the assertion
            said["status"] = repr(exc)

    thread = threading.Thread(target=work)  # a thread of its own: no scheduler yet
    thread.start()
    thread.join()
    assert said["status"] == "optimal", said
