"""`solve --mode kalai` fast enough for a meeting (qa19-kalai).

kalai's first stage, max tau in whole compute steps, is now found partner by partner
when the portfolio's supply is not used up (`optimize.bargain.kalai`): each partner's least risk
at a tau, and the best tau within a risk, are one-partner MIPs, and the best tau is the
largest whose least risks fit the risk budget. What must not change is the answer: the
same tau as the one MIP (within its gap), the same packages' shares, every package
passing `check`. The reference is the same code with the split turned off.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import RandomPicker, generate, portfolios
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.model import Portfolio
from dealbench.model.granularity import Granularity
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.backends import Outcome
from dealbench.optimize.bargain import solve as bargain
from helpers import REPO

kalai = importlib.import_module("dealbench.optimize.bargain.kalai")
GLOBAL = REPO / "deals" / "portfolios" / "global.yaml"


def in_steps(pf: Portfolio, step: float = 1000.0) -> Portfolio:
    return pf.model_copy(update={"own_granularity": Granularity(h100e=step)})


def spied(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """What each call of the split returned, in order."""
    found: list[float | None] = []
    real = kalai.best_tau_by_partner

    def spy(*args: Any, **kwargs: Any) -> float | None:
        found.append(real(*args, **kwargs))
        return found[-1]

    monkeypatch.setattr(kalai, "best_tau_by_partner", spy)
    return found


def reference(pf: Portfolio, **options: Any) -> SolveResult:
    """kalai with its first stage solved as one MIP (the split turned off)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(kalai, "best_tau_by_partner", lambda *args, **kwargs: None)
        return solve(pf, "kalai", **options)


def shares(pf: Portfolio, result: SolveResult) -> float:
    """The sum of every side's share of its ideal gain: what the second stage maximises."""
    ideals = bargain.ideal_gains(pf, step=pf.granularity.h100e)  # kalai's, in its step
    total = 0.0
    for code, (vi, ui) in ideals.items():
        p = pf.partner(code)
        deal = result.deal(code)
        assert p is not None
        if deal is not None:
            total += (deal.us_value - p.us_batna) / 1e9 / vi
            total += (deal.partner_utility - p.batna) / 1e9 / ui
    return total


def same_answer(pf: Portfolio, fast: SolveResult, slow: SolveResult) -> None:
    assert fast.status == slow.status
    if fast.objective is None or slow.objective is None:
        assert fast.objective == slow.objective
        return
    assert fast.objective == pytest.approx(slow.objective, rel=1e-6, abs=1e-9)
    assert shares(pf, fast) == pytest.approx(shares(pf, slow), rel=1e-6, abs=1e-9)
    verdict = check(pf, [d.package() for d in fast.deals])
    assert verdict.ok, verdict.problems()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pf=portfolios(max_partners=5), step=st.sampled_from([1000.0, 5000.0, 10000.0]))
def test_kalai_by_partner_agrees_with_the_one_mip_on_generated_portfolios(
    pf: Portfolio, step: float
) -> None:
    """Small generated portfolios in whole steps: the same tau and sum of shares as the
    one MIP, every package passing check (whether the split applied or not)."""
    pf = in_steps(pf, step)
    same_answer(pf, solve(pf, "kalai"), reference(pf))


@pytest.mark.parametrize("seed", [6, 126, 184, 188])
def test_kalai_by_partner_where_it_applies(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Generated portfolios the split solves (the risk budget shared, the supply not used
    up): the tau of the one MIP. Seed 126: at the first tau tried a partner alone could
    not reach, the best it reaches alone is the answer (the search crept up to it, 1e-9
    at a time, within the solver's tolerance of the step below)."""
    pf = in_steps(generate(RandomPicker(seed), max_partners=4, max_periods=3, max_concessions=3))
    found = spied(monkeypatch)
    fast = solve(pf, "kalai")
    assert found and found[0] is not None  # the split gave the first stage's tau
    assert fast.solver.details["tau"] == pytest.approx(found[0], rel=1e-12)
    same_answer(pf, fast, reference(pf))


def test_kalai_on_global_is_found_partner_by_partner(monkeypatch: pytest.MonkeyPatch) -> None:
    """global, the portfolio kalai took 8.7 s on: its risk budget is what binds, and the
    split finds the one MIP's tau, 0.3937259 (18 partners; bench/bargain.py times it)."""
    pf = load_portfolio(GLOBAL)
    found = spied(monkeypatch)
    result = solve(pf, "kalai")
    assert found and found[0] == pytest.approx(0.39372589890568, rel=1e-9)
    assert result.objective == pytest.approx(0.39372589890568, rel=1e-9)
    assert "exact within the gap" in result.message
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()


def test_a_one_partner_mip_cut_short_leaves_the_one_mip(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the time limit ends a one-partner MIP before its optimum, the first stage is
    solved as one MIP, as before: the same checked answer."""
    pf = in_steps(generate(RandomPicker(188), max_partners=4, max_periods=3, max_concessions=3))
    real = bargain.run_pulp
    calls: list[int] = []

    def run(problem: Any, backend: Any) -> Outcome:
        calls.append(1)
        outcome = real(problem, backend)
        if len(calls) == 3:  # a one-partner MIP (the LP relaxation runs apart)
            return Outcome("limit", outcome.has_solution, 0.5, outcome.bound)
        return outcome

    monkeypatch.setattr(bargain, "run_pulp", run)
    found = spied(monkeypatch)
    fast = solve(pf, "kalai", time_limit=600)
    assert found == [None]
    same_answer(pf, fast, reference(pf))


def test_kalai_with_a_small_gap_is_the_one_mip(monkeypatch: pytest.MonkeyPatch) -> None:
    """The split's tau is the best within a relative 1e-6 (`kalai.PROBE`); a smaller gap
    asked for is met by the one MIP."""
    pf = in_steps(generate(RandomPicker(188), max_partners=4, max_periods=3, max_concessions=3))
    found = spied(monkeypatch)
    result = solve(pf, "kalai", gap=1e-9)
    assert found == [None]
    assert result.status is Status.OPTIMAL
