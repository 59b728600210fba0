"""Session 43 (qa43-analyze): comparing portfolios across partners and regimes, as an
analyst checks the numbers (docs/decisions.md, "Session 43 (qa43-analyze)")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builders import partner, policy, portfolio
from dealbench.analyze import shadow_prices
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult, solve
from helpers import Runner


def _spare_supply_binding_budget() -> Portfolio:
    """AA asks 100,000 H100e of a supply of 200,000 (half of it spare) and is held by a
    risk budget of 5,000 at 0.2 per H100e (25,000 H100e): each unit of budget buys 5 H100e
    worth 10k each to the US, 50k; supply is worth nothing."""
    regime = policy(levels=[("baseline", 0.0)], export_value="10k", risk_penalty=0, caps={})
    aa = partner("AA", diversion_risk=0.2, ask={"2026": 100_000}, security_costs={"baseline": 0})
    return portfolio(regime, [aa], supply={"2026": 200_000}, risk_budget=5_000)


def test_shadow_price_re_solves_are_measured_from_the_unmoved_re_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`solve global.yaml --prices` warned that 25,000 H100e more of a supply with 348,700
    H100e unused "gains $204 per H100e", and as much less "loses -$204": the re-solves (in
    the result's steps of 100 H100e) fell back to steps of 10 and landed $5.1m above the
    result whatever limit moved, and each rate was measured from the result. Here every
    re-solve lands $5m above the first solve, as there: the rates are measured from the
    re-solve with no limit moved, so spare supply gains nothing, the budget's rate is its
    price, and no warning is given."""
    pf = _spare_supply_binding_budget()
    result = solve(pf).raise_for_status()
    import dealbench.optimize as optimize

    real = optimize.solve

    def elsewhere(*args: Any, **kwargs: Any) -> SolveResult:
        again = real(*args, **kwargs)
        assert again.us_value is not None
        return again.model_copy(update={"us_value": again.us_value + 5e6})

    monkeypatch.setattr(optimize, "solve", elsewhere)
    prices = shadow_prices(pf, result)
    supply = next(lim for lim in prices.limits if lim.kind == "supply")
    budget = next(lim for lim in prices.limits if lim.kind == "risk-budget")
    assert supply.usd_per_unit == pytest.approx(0)
    assert supply.mip_up == pytest.approx(0, abs=1)
    assert supply.mip_down == pytest.approx(0, abs=1)
    assert budget.usd_per_unit == pytest.approx(50_000)
    assert budget.mip_up == pytest.approx(50_000, rel=1e-3)
    assert prices.warnings == []


def test_a_scenario_that_makes_a_figure_uncertain_is_noted_as_counted_at_its_mean(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`sweep PORTFOLIO SCENARIOS` with a scenario setting a walk-away value to a
    distribution counted it at its mean, and said nothing: only the portfolio's own
    distributions were noted, where `solve --set` of the same override notes it. Each
    figure is noted once, whichever of the portfolios solved has it."""
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - id: sg-unsure\n"
        "    set: {partners.SG.batna: {dist: uniform, low: 1bn, high: 3bn}}\n"
        "  - id: sg-unsure-too\n"
        "    set: {partners.SG.batna: {dist: uniform, low: 1bn, high: 3bn}, "
        "policy.risk_penalty_per_h100e: 240k}\n"
    )
    done = run("sweep", shipped / "portfolios/gulf-asia.yaml", scenarios, "--jobs", "1")
    assert done.exit_code == 0, done.output
    note = "note: SG batna is uncertain (uniform 1bn to 3bn); deterministic results use its mean"
    assert done.stderr.count(note) == 1, done.stderr
