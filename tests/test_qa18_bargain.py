"""The bargaining points fast enough for a meeting (qa18-bargain).

nash's tangent-cut MIPs now run without HiGHS's restarts and its RINS and RENS
sub-MIPs (`bargain.HIGHS_OPTIONS`): global's four rounds took 6.8 s of CPU with HiGHS's
defaults, 0.9 s without them. What must not change is the answer: the point found, or
one within the bound the result states, and every package passing `check`. The slow
reference is the same code with HiGHS's defaults.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from builders import portfolios
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.bargain import solve as bargain
from helpers import REPO

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def reference(monkeypatch: pytest.MonkeyPatch, pf: Portfolio, mode: str) -> SolveResult:
    """`solve(pf, mode)` with HiGHS's default options for the bargaining MIPs."""
    with monkeypatch.context() as m:
        m.setattr(bargain, "HIGHS_OPTIONS", {key: {} for key in bargain.HIGHS_OPTIONS})
        return solve(pf, mode)  # type: ignore[arg-type]


def agree(fast: SolveResult, slow: SolveResult) -> None:
    """Each nash result's stated bound holds against the other's point: no point beats a
    bound (within the MIP's gap), and each point is within its stated error of the best
    the other found."""
    assert fast.status == slow.status
    if fast.objective is None or slow.objective is None:
        assert fast.objective == slow.objective
        return
    if not math.isfinite(fast.objective) or not math.isfinite(slow.objective):
        assert fast.objective == slow.objective
        return
    tol = 1e-6 * max(1.0, abs(slow.objective)) + 1e-6
    for one, other in ((fast, slow), (slow, fast)):
        assert one.solver.bound is not None
        assert other.objective is not None
        assert one.solver.bound >= other.objective - tol
        error = one.solver.details["log_error_bound"]
        assert one.objective + error >= other.objective - tol


def passes_check(pf: Portfolio, result: SolveResult) -> None:
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()
    assert sorted(verdict.no_deal) == sorted(result.no_deal)


def test_nash_rounds_run_without_restarts_and_sub_mips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every HiGHS run of nash's rounds has the options that made global 3x faster (before,
    they ran with HiGHS's defaults: restarts, RINS and RENS on); kalai keeps the defaults,
    which its whole-step MIP needs."""
    seen: dict[str, list[dict[str, Any]]] = {"nash": [], "kalai": []}
    run = bargain.run_pulp
    mode = ["nash"]

    def recording(problem: Any, backend: Any) -> Any:
        seen[mode[0]].append(dict(backend.solver.optionsDict))
        return run(problem, backend)

    monkeypatch.setattr(bargain, "run_pulp", recording)
    pf = load_portfolio(GULF)
    for mode[0] in ("nash", "kalai"):
        result = solve(pf, mode[0])  # type: ignore[arg-type]
        assert result.status is Status.OPTIMAL
    assert len(seen["nash"]) >= 2  # the refining rounds
    for options in seen["nash"]:
        assert options["mip_allow_restart"] is False
        assert options["mip_heuristic_run_rins"] is False
        assert options["mip_heuristic_run_rens"] is False
    for options in seen["kalai"]:
        assert "mip_allow_restart" not in options


def test_nash_on_gulf_asia_is_the_reference_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped portfolio: the same Nash product as with HiGHS's defaults (to the gap),
    the same bound stated, each package passing check."""
    pf = load_portfolio(GULF)
    fast, slow = solve(pf, "nash"), reference(monkeypatch, pf, "nash")
    agree(fast, slow)
    assert fast.objective == pytest.approx(slow.objective, abs=1e-6)
    assert fast.solver.details["log_error_bound"] == pytest.approx(
        slow.solver.details["log_error_bound"], abs=1e-6
    )
    assert fast.us_value == pytest.approx(slow.us_value, rel=1e-6)
    assert fast.partner_total == pytest.approx(slow.partner_total, rel=1e-6)
    passes_check(pf, fast)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pf=portfolios())
def test_nash_agrees_with_the_reference_on_generated_portfolios(pf: Portfolio) -> None:
    """On small generated portfolios, the tuned nash and the reference (HiGHS's
    defaults) each keep their stated bound against the other's point; both pass check."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        slow = reference(monkeypatch, pf, "nash")
    fast = solve(pf, "nash")
    agree(fast, slow)
    if fast.status is Status.OPTIMAL:
        passes_check(pf, fast)
