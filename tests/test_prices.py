"""Shadow prices: hand-worked prices and ranges, the JSON shape, agreement with finite
differences of the full model where the discrete choice stays, and the warning where not."""

from __future__ import annotations

import json

import pytest

from builders import RandomPicker, concession, generate, partner, policy, portfolio
from dealbench.analyze import Prices, shadow_prices
from dealbench.analyze.fixed_lp import LimitRow
from dealbench.analyze.steps import choice_changes, moved_limit
from dealbench.checker import check
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult, solve
from helpers import Runner


def _solved(pf: Portfolio) -> tuple[SolveResult, Prices]:
    result = solve(pf).raise_for_status()
    assert check(pf, [d.package() for d in result.deals]).ok
    return result, shadow_prices(pf, result)


def _one_partner(**limits: float) -> Portfolio:
    """AA values compute at 30k/H100e, asks 100,000; the US gains 10k per H100e exported
    (no risk penalty); diversion risk 0.2 at the only level, baseline (no mitigation)."""
    regime = policy(
        levels=[("baseline", 0.0)],
        export_value="10k",
        risk_penalty=0,
        caps={"tier2": {"baseline": limits["cap"]}} if "cap" in limits else {},
    )
    aa = partner("AA", diversion_risk=0.2, ask={"2026": 100_000}, security_costs={"baseline": 0})
    return portfolio(
        regime,
        [aa],
        supply={"2026": limits.get("supply", 200_000)},
        risk_budget=limits.get("risk_budget"),
    )


def test_supply_price_and_its_range() -> None:
    """Supply 50,000 < ask 100,000: each H100e more is worth the export value, 10k, until
    AA's ask (50,000 more); each one cut costs as much, down to 0."""
    _, prices = _solved(_one_partner(supply=50_000))
    assert prices.supply["2026"] == pytest.approx(10_000)
    (lim,) = prices.limits
    assert lim.holds_to == pytest.approx(100_000)
    assert lim.holds_from == pytest.approx(0)
    assert "over the next 50,000 H100e" in lim.text
    assert prices.warnings == []


def test_risk_budget_price() -> None:
    """Budget 5,000 risk-weighted H100e at 0.2 per H100e: 25,000 H100e. One more unit of
    budget buys 5 H100e, worth 5 x 10k = 50k, until the ask (100,000 H100e = 20,000 units)."""
    _, prices = _solved(_one_partner(risk_budget=5_000))
    assert prices.risk_budget == pytest.approx(50_000)
    assert prices.supply["2026"] == 0
    budget = next(lim for lim in prices.limits if lim.kind == "risk-budget")
    assert budget.holds_to == pytest.approx(20_000)


def test_binding_cap_price() -> None:
    """A tier-2 cap of 20,000 below the ask: raising it is worth 10k per H100e up to the ask."""
    _, prices = _solved(_one_partner(cap=20_000))
    (cap,) = prices.caps
    assert (cap.partner, cap.period, cap.level) == ("AA", "2026", "baseline")
    assert cap.usd_per_h100e == pytest.approx(10_000)
    lim = next(lim for lim in prices.limits if lim.kind == "cap")
    assert lim.holds_to == pytest.approx(100_000)


def test_slack_limits_are_worth_nothing() -> None:
    _, prices = _solved(_one_partner(supply=500_000, risk_budget=1e6))
    assert prices.supply["2026"] == 0 and prices.risk_budget == 0
    assert "400,000 H100e of it are unused" in prices.limits[0].text


def _threshold_portfolio() -> Portfolio:
    """AA: 10k per H100e to the US. BB brings a 2bn concession but needs 33,334 H100e (30k
    each against a 1bn BATNA) to accept. With 33,000 H100e of supply BB cannot be served:
    the LP price of supply is AA's 10k; 1,000 more lets BB in, worth about 2bn."""
    regime = policy(levels=[("baseline", 0.0)], export_value="10k", risk_penalty=0)
    aa = partner("AA", diversion_risk=0, ask={"2026": 50_000}, security_costs={"baseline": 0})
    bb = partner(
        "BB",
        diversion_risk=0,
        ask={"2026": 100_000},
        batna="1bn",
        security_costs={"baseline": 0},
        concessions=[concession("c0", us_value="2bn", partner_cost=0)],
    )
    return portfolio(regime, [aa, bb], supply={"2026": 33_000})


def test_the_warning_fires_where_the_discrete_choice_changes() -> None:
    result, prices = _solved(_threshold_portfolio())
    assert [d.partner for d in result.deals] == ["AA"]
    assert prices.supply["2026"] == pytest.approx(10_000)
    (lim,) = prices.limits
    assert lim.mip_up is not None and lim.mip_up > 1e6  # about 2bn over 1,000 H100e
    # One step up BB concludes; AA's export value per H100e is BB's, so whether AA keeps
    # the last 666 H100e or BB takes them is a tie (both optima; HiGHS picks one).
    assert "BB concludes a deal under baseline" in lim.changes_up
    assert set(lim.changes_up) <= {"BB concludes a deal under baseline", "AA no longer gets a deal"}
    (warning,) = prices.warnings
    assert warning.startswith("Supply in 2026: the shadow price of $10,000 per H100e holds only")
    assert "BB concludes a deal" in warning


@pytest.mark.parametrize("seed", range(40))
def test_prices_agree_with_finite_differences(seed: int) -> None:
    """On generated portfolios: a re-solve with a limit moved by a small step (inside the
    price's range) that keeps every discrete choice changes the US value by the price
    times the step; one step away (the step the prices use), where the choices change and
    the value does not follow the LP, there is a warning."""
    pf = _tight(generate(RandomPicker(seed), max_partners=3, max_periods=2, max_concessions=2))
    result = solve(pf)
    if result.objective is None or not result.deals:
        pytest.skip("no deal to price")
    prices = shadow_prices(pf, result)
    base = result.objective
    for lim in prices.limits:
        row = LimitRow(lim.kind, -1, lim.limit, lim.period, lim.partner, lim.level)
        room = (lim.holds_to - lim.limit) if lim.holds_to is not None else 1_000.0
        small = min(100.0, room / 2)
        if small > 1.0:
            again = solve(moved_limit(pf, row, lim.limit + small))
            assert again.objective is not None
            if not choice_changes(result, again):
                rate = (again.objective - base) / small
                assert rate == pytest.approx(lim.usd_per_unit, rel=1e-3, abs=0.05 * 1e4 / small + 1)
        assert lim.step is not None
        stepped = solve(moved_limit(pf, row, lim.limit + lim.step))
        assert stepped.objective is not None
        rate = (stepped.objective - base) / lim.step
        assert rate == pytest.approx(lim.mip_up, rel=1e-6, abs=1.0)
        assert lim.lp_up is not None
        if choice_changes(result, stepped) and abs(rate - lim.lp_up) > max(
            0.01 * abs(rate), 0.01 * abs(lim.lp_up), 1e6 / lim.step
        ):
            assert lim.warning is not None, (seed, lim)


def _tight(pf: Portfolio) -> Portfolio:
    """Supply cut to about half of what the partners ask, so that it binds more often."""
    supply = {
        t: max(1_000.0, round(sum(pf.ask(p, t) for p in pf.partners if p.tier < 3) / 2, -3))
        for t in pf.periods
    }
    return pf.model_copy(update={"supply": supply})


def test_prices_json_has_the_issue_shape(run: Runner) -> None:
    result = run("solve", "deals/portfolios/global.yaml", "--prices", "--json")
    assert result.exit_code == 0, result.output
    prices = json.loads(result.stdout)["prices"]
    assert set(prices) >= {"supply", "risk_budget", "caps", "warnings"}
    assert set(prices["supply"]) == {"2026", "2027", "2028"}
    assert isinstance(prices["risk_budget"], float) and prices["risk_budget"] > 0
    for cap in prices["caps"]:
        assert set(cap) == {"partner", "period", "level", "usd_per_h100e"}
    assert all(isinstance(w, str) for w in prices["warnings"])


def test_solve_prices_prints_plain_words(run: Runner) -> None:
    result = run("solve", "deals/portfolios/global.yaml", "--prices")
    assert result.exit_code == 0, result.output
    assert "One more risk-weighted H100e of risk budget is worth $" in result.stdout


def test_prices_write_money_as_the_documents_do() -> None:
    """The prices had their own money form (USD 10.9k for 10,875, USD 1.20m) beside the
    documents' and tables' ($10,875, $1.2m): one form now, `figures.usd`."""
    from dealbench.analyze.prices import usd
    from dealbench.render.filters import money

    for amount in (0.0, 0.3, 4_160.0, 10_875.0, -54_240.0, 1.2e6, 3.4e9, None):
        assert usd(amount) == money(amount)
    assert usd(10_875.0) == "$10,875"


def test_prices_are_for_us_best(run: Runner) -> None:
    result = run("solve", "deals/portfolios/global.yaml", "--prices", "--mode", "partner-best")
    assert result.exit_code == 2
    assert "shadow prices are for mode us-best" in result.stderr


def test_without_a_deal_every_limit_is_unused() -> None:
    """A risk penalty of 1m per risk-weighted H100e makes every deal a loss."""
    regime = policy(levels=[("baseline", 0.0)], risk_penalty="1m")
    aa = partner("AA", diversion_risk=0.5, security_costs={"baseline": 0})
    pf = portfolio(regime, [aa], supply={"2026": 1_000}, risk_budget=10)
    result, prices = _solved(pf)
    assert result.deals == []
    assert prices.supply == {"2026": 0.0} and prices.risk_budget == 0.0
    assert prices.limits[0].text.endswith("1,000 H100e of it are unused.")
