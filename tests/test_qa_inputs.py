"""Inputs no one here wrote (qa3): faults found by a new user's own data files.

Each fixture is small enough to work out by hand; the docstrings do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import builders as b
from dealbench.analyze.limits import decided_by
from dealbench.analyze.prices import shadow_prices
from dealbench.analyze.uncertainty import summarise
from dealbench.checker import check, evaluate
from dealbench.checker.used_up import used_up
from dealbench.cli.analysis_output import _count, _summary
from dealbench.errors import InputError
from dealbench.model import Portfolio, load_package, load_partner, load_portfolio
from dealbench.model.granularity import Granularity
from dealbench.optimize import solve
from dealbench.optimize.explain.infeasible import explain_infeasible
from dealbench.optimize.explain.no_deal import why_no_deal
from dealbench.render.deal_memo import risks
from dealbench.render.limits import deal_limits, shared_limits
from dealbench.render.termsheet import render_term_sheet
from dealbench.result_words import schedule_line
from dealbench.units import CHIP_TPP, H100_TPP

KYC_ONLY: dict[str, float | str] = {"kyc": 0}


def test_a_relaxed_acceptance_names_the_margin_with_the_walk_away_value() -> None:
    """Tier 3 AA (BATNA 0) under a 100m required margin can only be opened by taking
    100m less than its walk-away value plus the margin; its walk-away value is 0, so
    "its walk-away value of $100.0m" was untrue."""
    pol = b.policy(caps={"tier3": 0}, margin="100m")
    aa = b.partner("AA", tier=3, batna=0, security_costs=KYC_ONLY)
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6})
    e = explain_infeasible(pf, require=["AA"])
    (relax,) = e.relax
    assert relax.message == (
        "AA takes $100.0m less than its walk-away value plus the required margin of $100.0m "
        "(or is offered that much more outside the package)"
    )
    assert "its walk-away value of" not in e.message


def test_a_bargaining_point_says_its_amounts_are_on_the_grid() -> None:
    """AA asks 10,500 H100e in steps of 1,000 (the ask itself is allowed); its Nash point
    is rounded as solved (`schedule(keep_shape=True)`), so every amount is a whole step
    or the ask. `solve` said the amounts were "not put on the grid"."""
    pol = b.policy(risk_penalty="10k", export_value="10k")
    aa = b.partner("AA", ask={"2026": 10_500, "2027": 10_500}, batna="100m")
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6, "2027": 1e6}, granularity=1_000)
    result = solve(pf, mode="nash")
    assert result.solver.details["granularity_h100e"] == 1_000
    for amount in result.deals[0].compute.values():
        assert amount == 10_500 or amount % 1_000 == 0
    line = schedule_line(result)
    assert "not put on the grid" not in line
    assert line.startswith("A bargaining point keeps the optimizer's amounts, each put on the grid")


def test_shadow_prices_say_what_the_packages_leave_unused() -> None:
    """AA (risk 0.2, baseline) asks 100,000 H100e in each of two periods of 100,000
    supply; a risk budget of 20,000 holds it to 100,000 H100e over both. The schedule
    shown is smooth (50,000 a period: 50,000 of each period's supply unused); the fixed
    LP may reach the same value with another split, and the prices reported its slack
    as what was unused."""
    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 100_000, "2027": 100_000}, security_costs={"baseline": 0})
    pf = b.portfolio(pol, [aa], supply={"2026": 100_000, "2027": 100_000}, risk_budget=20_000)
    result = solve(pf)
    assert result.deals[0].compute == pytest.approx({"2026": 50_000, "2027": 50_000})
    prices = shadow_prices(pf, result, compare=False)
    supply = [lim for lim in prices.limits if lim.kind == "supply"]
    assert [lim.unused for lim in supply] == pytest.approx([50_000, 50_000])
    for lim in supply:
        assert lim.text.endswith(": 50,000 H100e of it are unused."), lim.text


def test_a_price_that_holds_down_to_nothing_says_0_not_minus_0() -> None:
    """The same AA: each risk-weighted H100e of budget is worth 20k (export) less 10k x
    0.2 (penalty) over 0.2 = 90k, for every cut down to no budget at all. The ranging's
    lower end is -0.0 in floating point, printed "down to -0"."""
    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 100_000, "2027": 100_000}, security_costs={"baseline": 0})
    pf = b.portfolio(pol, [aa], supply={"2026": 100_000, "2027": 100_000}, risk_budget=20_000)
    prices = shadow_prices(pf, solve(pf), compare=False)
    budget = next(lim for lim in prices.limits if lim.kind == "risk-budget")
    assert budget.usd_per_unit == pytest.approx(90_000)
    # then what lies past the range's top (session 45): "Past 40,000, ..."
    assert "(and each one cut costs as much, down to 0)." in budget.text


def _held_by_the_budget() -> Portfolio:
    """AA and BB (baseline only, risk 0.2 and 0.25) each ask 50,000 H100e, in steps of
    1,000, under a risk budget of 15,005. Per risk-weighted H100e AA brings the US
    (20k - 10k x 0.2) / 0.2 = 90k, BB (20k - 10k x 0.25) / 0.25 = 70k: AA gets its
    50,000 (10,000 risk-weighted), BB 20,000 (5,000); the 5 left are less than BB's next
    step takes (250). CC (risk 0.3, 30,000 H100e, 56.7k per unit, BATNA 100m) gets nothing."""
    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 50_000}, security_costs={"baseline": 0})
    bb = b.partner("BB", diversion_risk=0.25, ask={"2026": 50_000}, security_costs={"baseline": 0})
    cc = b.partner(
        "CC",
        diversion_risk=0.3,
        ask={"2026": 30_000},
        batna="100m",
        security_costs={"baseline": 0},
    )
    pf = b.portfolio(pol, [aa, bb, cc], supply={"2026": 1e6}, risk_budget=15_005, granularity=1_000)
    return pf


def test_a_budget_left_short_of_a_step_binds() -> None:
    pf = _held_by_the_budget()
    result = solve(pf)
    assert {d.partner: d.compute["2026"] for d in result.deals} == {"AA": 50_000, "BB": 20_000}
    assert result.risk_total == pytest.approx(15_000)
    assert [lim.kind for lim in result.binding] == ["risk-budget"]
    checked = check(pf, [d.package() for d in result.deals])
    assert (
        "The risk budget is used up: the deals carry 15,000 of its 15,005 risk-weighted H100e, "
        "and one more step of a deal that wants more would take more than is left."
    ) in shared_limits(pf, checked)
    assert used_up(pf, checked) == ([], True)
    (reason,) = why_no_deal(pf, result)
    assert "the risk budget goes to deals worth more (AA, BB)" in reason.message
    # The least raise that a solve confirms opens CC's deal beside AA's and BB's (qa5-cli),
    # with its best package's need beside it.
    assert "(its best package needs 8,995 risk-weighted H100e more)" in reason.message
    (raise_,) = reason.relax
    assert raise_.amount is not None and raise_.amount < 8_995
    wider = solve(pf.model_copy(update={"risk_budget": 15_005 + raise_.amount}))
    assert {d.partner for d in wider.deals} == {"AA", "BB", "CC"}


def test_an_ask_met_in_whole_chips_is_the_full_ask() -> None:
    """AA asks 10,000 H100e in steps of 10 B200 chips (36,000 TPP each, 2.2739 H100e): the
    grid gives the ask in whole chips, 4,397 chips = 9,998.3 H100e, 1.7 H100e short of it.
    The memos said nothing binds, and `compare` that the risk cost decided it."""
    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 10_000}, security_costs={"baseline": 0})
    chips = Granularity(h100e=10 * CHIP_TPP["B200"] / H100_TPP, chips=10, model="B200")
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6}, granularity=chips)
    result = solve(pf)
    (deal,) = result.deals
    assert deal.compute["2026"] == pytest.approx(4_397 * CHIP_TPP["B200"] / H100_TPP)
    # What it receives, as the schedule prints it, met in whole chips (qa6-docs).
    assert "AA receives its full ask in 2026 in whole B200 chips (9,998 H100e)." in deal_limits(
        pf, deal
    )
    assert decided_by(pf, result, "AA") == "full ask"


def test_one_value_in_every_sample_is_not_drawn_as_a_spread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A deal's risk is the same in every sample when its diversion risk is a plain number;
    at 7,328.47 numpy's bins run 7,327.97 .. 7,328.97, printed "7,328 - 7,329", and `risk`
    drew ten bins, nine of them empty, instead of "7,328 in every sample"."""
    summary = summarise(np.full(2_000, 7_328.47))
    assert summary.histogram.edges == [7_328.47, 7_328.47]
    assert summary.histogram.counts == [2_000]
    _summary("Risk when the partner accepts (risk-weighted H100e)", summary, _count)
    out = capsys.readouterr().out
    assert "Risk when the partner accepts (risk-weighted H100e): 7,328 in every sample" in out
    assert "█" not in out


def test_a_negative_compute_written_as_tpp_is_quoted_as_written(tmp_path: Path) -> None:
    """`ask: {2026: {tpp: -5}}` broke the bound of 0 and was reported as "got a mapping"."""
    path = tmp_path / "zz.yaml"
    path.write_text(
        "code: ZZ\nname: Z\ntier: 2\ndiversion_risk: 0.1\n"
        "ask: {2026: {tpp: -5}}\nvalue_per_h100e: 10k\nbatna: 0\n"
        "security_costs: {baseline: 0}\nconcessions: []\n"
    )
    with pytest.raises(InputError) as caught:
        load_partner(path)
    assert f"{path}:5: ask.2026: must be at least 0, got {{tpp: -5}}" in str(caught.value)


def test_one_deals_documents_say_its_figures_count_at_their_means() -> None:
    """AE's BATNA is uniform 6bn to 10bn in gulf-asia-uncertain: the internal term sheet
    said "should accept" and the deal memo listed its risks with nothing said of it (the
    portfolio memo did), though `risk` gives the offer about even odds."""
    pf = load_portfolio("deals/portfolios/gulf-asia-uncertain.yaml")
    deal = evaluate(pf, load_package("deals/packages/ae-offer.yaml"))
    said = (
        "Uncertain figures count at their means in this package: AE's walk-away value (uniform 6bn"
    )
    internal = render_term_sheet(pf, deal, audience="internal")
    assert said in internal
    assert said not in render_term_sheet(pf, deal, audience="external")
    assert any(line.startswith(said) for line in risks(pf, deal, pf.risk_budget))
    plain = load_portfolio("deals/portfolios/gulf-asia.yaml")
    assert "Uncertain figures" not in render_term_sheet(
        plain, evaluate(plain, load_package("deals/packages/ae-offer.yaml")), audience="internal"
    )


def test_a_required_deal_with_a_tier_3_partner_says_it_receives_no_compute() -> None:
    """`--require-deal` for an embargoed partner was explained by acceptance alone ("takes
    $100.0m less than its walk-away value"), as if a better package could be found."""
    from helpers import DATA

    pf = load_portfolio(DATA / "embargo/portfolio.yaml")
    ee = pf.partner("EE")
    assert ee is not None
    pf = pf.model_copy(update={"partners": [ee.model_copy(update={"batna": 100e6})]})
    explanation = explain_infeasible(pf, "us-best", None, ["EE"])
    assert explanation.message.startswith(
        "EE is tier 3 and receives no compute under any deal; EE's acceptance needs"
    )


def test_why_no_deal_says_once_that_a_tier_3_partner_receives_no_compute() -> None:
    """`solve` explained the embargoed partner's missing deal with the same clause twice
    ("EE is tier 3 and receives no compute under any deal; EE is tier 3 and ..."): the
    explanation of the forced deal had come to say it, and `why_no_deal` still added it."""
    from helpers import DATA

    pf = load_portfolio(DATA / "embargo/portfolio.yaml")
    ee = pf.partner("EE")
    assert ee is not None
    pf = pf.model_copy(update={"partners": [ee.model_copy(update={"batna": 100e6})]})
    (reason,) = why_no_deal(pf, solve(pf))
    said = "EE is tier 3 and receives no compute under any deal"
    assert reason.message.count(said) == 1
    assert reason.message.startswith(f"no package EE accepts fits the limits: {said}; ")


def test_a_solve_in_steps_of_chips_gives_its_term_sheets_the_chip_counts() -> None:
    """A portfolio decided in steps of B200 chips: the solve's term sheet gave H100e and
    TPP only, where a package written in chips gives the chips a licence names."""
    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 10_000}, security_costs={"baseline": 0})
    chips = Granularity(h100e=10 * CHIP_TPP["B200"] / H100_TPP, chips=10, model="B200")
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6}, granularity=chips)
    (deal,) = check(pf, [d.package() for d in solve(pf).deals]).deals
    assert "| 2026 | 9,998 | 158,292,000 | 4,397 B200 |" in render_term_sheet(pf, deal)
    assert chips.in_chips({"2026": 4_397 * chips.unit, "2027": 1_000.0}) == {
        "2026": (4_397.0, "B200")
    }


def test_an_offer_in_a_portfolio_decided_in_chips_is_recorded_in_chips(tmp_path: Path) -> None:
    """The offer's compute was rounded to whole H100e (9,998.3 -> 9,998), so it was no
    longer the 4,397 chips the solve chose, and its round file named no chips."""
    from dealbench.negotiate import record_offer
    from dealbench.negotiate.rounds.write import package_data

    pol = b.policy(levels=[("baseline", 0.0)], risk_penalty="10k", export_value="20k")
    aa = b.partner("AA", ask={"2026": 10_000}, security_costs={"baseline": 0})
    chips = Granularity(h100e=10 * CHIP_TPP["B200"] / H100_TPP, chips=10, model="B200")
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6}, granularity=chips)
    offer = record_offer(pf, tmp_path, "AA")
    package = offer.round.data.package
    assert package is not None
    assert package_data(package)["compute"] == {"2026": {"chips": 4_397, "model": "B200"}}
    assert package.compute["2026"] == pytest.approx(4_397 * chips.unit)
