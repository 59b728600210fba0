"""A fifth pass on negotiation (qa9-neg): next offers, amounts, logrolling and redlines
tried with a negotiator's own partners (tests/data/qa9neg/).

The fixtures are small enough to work out by hand; each test's docstring does.
- `pair.yaml`: Arcadia (XA: an investment range 0-300bn in steps of 50bn, `no-prc`,
  `pax` free to it, `buy-gas` worth nothing to the US) and Belloria (XB), 2027-2028.
- `solo.yaml`: Cordovia (XC: investment 0-1tn in steps of 20bn) with supply to spare.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dealbench import load_package, load_portfolio, record_counter, record_offer
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.zeuthen import risks
from dealbench.optimize.decomposition.concession_sets import _pareto, build_concession_sets
from helpers import DATA, Runner

PAIR = DATA / "qa9neg/pair.yaml"
SOLO = DATA / "qa9neg/solo.yaml"


@pytest.fixture(scope="module")
def pair() -> Portfolio:
    return load_portfolio(PAIR)


@pytest.fixture(scope="module")
def solo() -> Portfolio:
    return load_portfolio(SOLO)


def test_fix_keeps_the_amount_of_a_range(solo: Portfolio, tmp_path: Path) -> None:
    """Cordovia's first offer, its ideal, asks USD 1tn of investment (40bn to the US, 28bn
    to XC: U = 36bn of compute - 1bn veu - 28bn = 7bn over a need of 5.1bn). The second
    offer, `--fix invest`, linear with a deadline of 1 (target: the reservation value,
    0), named USD 960bn: fixing a range kept its amount only through the large value
    added to it, and the grid's amounts below it (980bn, 960bn, ...) were valued on a
    straight line from 0 to that value, so 960bn still met the raised floor."""
    first = record_offer(solo, tmp_path, "XC", strategy="linear", deadline=1)
    assert first.round.package.concessions == {"invest": "1tn"}
    second = record_offer(solo, tmp_path, "XC", fix=["invest"])
    assert second.round.package.concessions == {"invest": "1tn"}
    assert second.round.package.security == first.round.package.security


def test_fixed_terms_no_package_keeps_are_explained(run: Runner, tmp_path: Path) -> None:
    """Our first offer to Arcadia asked USD 300bn of investment (9bn to XA) and `no-prc`
    (1.5bn) under veu: XA's best case keeping 300bn is 10.25bn of compute less 1bn of veu
    and 9bn, 0.25bn against a need of 3.1bn, so no package XA accepts keeps it. `offer
    --fix invest` said "no package with XA reaches the target US utility 5,299,189,815
    USD, keeping invest of the last offer": the target was the US-best package of the
    fixed menu, which had simply left the fixed investment out (0 invest, kyc)."""
    rounds = tmp_path / "rounds"
    first = run(
        "offer", PAIR, "--partner", "XA", "--package", DATA / "qa9neg/xa-300bn.yaml",
        "--rounds", rounds, "--no-documents",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    fixed = run("offer", PAIR, "--partner", "XA", "--fix", "invest", "--rounds", rounds)
    assert fixed.exit_code == 3, fixed.output
    assert fixed.stderr == (
        "error: no package XA accepts keeps invest=300bn of the last offer (the other partners "
        "held at the plan); fix fewer terms, or offer a package of your own (--package)\n"
    )
    assert sorted(p.name for p in (rounds / "XA").glob("*.yaml")) == ["001-us.yaml"]
    assert not (tmp_path / "out").exists()


def test_an_offer_keeps_a_concession_free_to_the_partner(pair: Portfolio, tmp_path: Path) -> None:
    """After XA's counter (75bn and pax), our second offer, linear with a deadline of 4,
    aims at 12.8bn - 13.8bn / 4 = 9.35bn: at the partner-best package meeting it, V must
    come 6.55bn from the concessions (9.35bn less 3.5bn of exports plus 0.7bn of risk
    penalty). The cheapest for XA is 100bn and no-prc (8.0bn to the US, 3.5bn to XA);
    pax, free to XA and 0.5bn to the US, goes with it at no cost. The offer left pax out
    (V 10.8bn where 11.3bn was there for nothing) and its redline said of it "US utility
    -$500.0m; partner utility unchanged": the Pareto lists of concession sets kept a
    set beside one of the same cost and more value, and the partner-best solve, blind
    to V at equal U, took either."""
    record_offer(pair, tmp_path, "XA", strategy="linear", deadline=4)
    record_counter(pair, tmp_path, "XA", DATA / "qa9neg/xa-75bn.yaml")
    second = record_offer(pair, tmp_path, "XA")
    assert second.proposal is not None
    assert second.proposal.strategy.target_us_utility == pytest.approx(9.35e9)
    assert second.round.package.concessions == {"invest": "100bn", "no-prc": True, "pax": True}
    assert second.proposal.figures.us_value == pytest.approx(11.3e9)
    assert second.proposal.figures.partner_utility == pytest.approx(5.75e9)


def test_a_pareto_list_holds_one_set_per_cost() -> None:
    """Of two concession sets with the same cost to the partner, the one worth less to the
    US is dominated; a list that keeps it is harmless for us-best but not for a solve that
    maximises the partner's utility (which cannot tell them apart)."""
    p = load_portfolio(PAIR).partner("XA")
    assert p is not None
    sets = build_concession_sets(p, frozenset(c.id for c in p.concessions), 1e3)
    assert len(set(sets.cost.round(9))) == len(sets.cost), sets
    cost = np.array([1.0, 1.0, 0.0, 2.0, 1.0])
    value = np.array([1.0, 3.0, 0.0, 2.0, 2.0])
    assert list(_pareto(cost, value)) == [2, 1]


@pytest.mark.parametrize("amount", ["0", "0bn", "USD 0"])
def test_an_amount_at_the_start_of_a_range_is_refused(
    run: Runner, tmp_path: Path, amount: str
) -> None:
    """Dorado's `jv` requires `invest`, whose range starts at `min: 0` ("worth nothing and
    costing nothing there"; the optimizer never offers it). A counter naming `invest: 0`
    beside `jv` passed `check` ("Violations: none", V 3.8bn with jv's 1bn), the
    requirement met by an investment of nothing, and its term sheet said "Dorado will
    invest USD 0 in US AI infrastructure". An amount at the start of a range grants
    nothing: it is refused, with what to write instead."""
    text = (DATA / "qa9neg/xd-invest-0.yaml").read_text().replace("invest: 0", f"invest: {amount}")
    package = tmp_path / "counter.yaml"
    package.write_text(text)
    evaluated = run("evaluate", package, "--portfolio", DATA / "qa9neg/dorado.yaml")
    assert evaluated.exit_code == 2, evaluated.output
    shown = "0" if amount == "USD 0" else amount  # a currency is read as the amount's text
    assert evaluated.stderr == (
        f"error: {package}:5: concessions.invest: {shown} is the start of the range of "
        "'invest' (0 to 300bn), where nothing is granted; leave 'invest' out, or write "
        "invest: false\n"
    )
    rounds = tmp_path / "rounds"
    countered = run(
        "counter", DATA / "qa9neg/dorado.yaml", package, "--rounds", rounds, "--no-documents"
    )
    assert countered.exit_code == 2, countered.output
    assert not list(rounds.glob("XD/*.yaml"))


def test_zeuthen_repeats_its_offer_to_a_counter_that_breaks_limits(
    pair: Portfolio, tmp_path: Path
) -> None:
    """Our first offer (Zeuthen) is the ideal: V 12.8bn, U 4.0bn. XA counters with the same
    terms and 300,000 H100e in 2028, over its ask of 200,000 and the year's supply of
    250,000: V 13.6bn (100,000 more H100e at 8k net), U 4.0bn (compute beyond 200,000 is
    worth nothing to it). Zeuthen's rule read the counter as giving the US more than our
    offer, "so the process ends" at a target of 13.6bn, which no package reaches: `offer`
    exited 3 ("no package with XA reaches the target US utility $13.60bn") and the verdict
    on the counter, whose next offer failed so, recommended WALK AWAY ("no package with XA
    is better for the US than no deal"), with the ideal 13.8bn above walking away. A
    counter that breaks a limit is no agreement: to the US it is worth walking away, so
    the partner concedes and the US repeats its offer."""
    first = record_offer(pair, tmp_path, "XA", strategy="zeuthen")
    countered = record_counter(pair, tmp_path, "XA", DATA / "qa9neg/xa-over-ask.yaml")
    assert countered.verdict.us_utility == pytest.approx(13.6e9)
    assert countered.verdict.recommendation == "counter"
    assert countered.verdict.next_target == pytest.approx(12.8e9)
    second = record_offer(pair, tmp_path, "XA")
    assert second.proposal is not None
    assert second.round.package.concessions == first.round.package.concessions
    assert second.proposal.figures.us_value == pytest.approx(12.8e9)
    assert second.proposal.strategy.reason == (
        "Zeuthen: the partner's counter of round 2 breaks a limit, so the US cannot accept it: "
        "to the US it is worth walking away (its risk 1.00); the partner should concede, so "
        "the US repeats its offer"
    )


def test_zeuthen_says_when_its_offer_meets_the_counter(pair: Portfolio, tmp_path: Path) -> None:
    """Our second offer (V 11.3bn, U 5.75bn) met XA's counter of 100bn and pax (V 9.3bn, U
    7.25bn). Zeuthen: the US risks (11.3 - 9.3) / (11.3 + 1) = 0.16, XA (7.25 - 5.75) /
    (7.25 - 3.1) = 0.36, so the US concedes, to a package whose Nash product beats the
    counter's (9.3 + 1) x (7.25 - 3.1) = 42.7. None between 9.3bn and 11.3bn does (11.3bn
    gives 12.3 x 2.65 = 32.6; 150bn and pax 10.8bn, 11.8 x 2.4), so the offer was the
    counter's package, recorded with "it concedes just enough that its offer's Nash
    product beats the counter's", which it does not."""
    record_offer(pair, tmp_path, "XA", strategy="linear", deadline=4)
    record_counter(pair, tmp_path, "XA", DATA / "qa9neg/xa-75bn.yaml")
    record_offer(pair, tmp_path, "XA")
    record_counter(pair, tmp_path, "XA", DATA / "qa9neg/xa-100bn.yaml")
    offer = record_offer(pair, tmp_path, "XA", strategy="zeuthen")
    assert offer.proposal is not None
    assert offer.round.package.concessions == {"invest": "100bn", "pax": True}
    assert offer.proposal.strategy.target_us_utility == pytest.approx(9.3e9)
    assert offer.proposal.strategy.reason == (
        "Zeuthen: the US has less to lose by conceding (its risk 0.16 against the partner's "
        "0.36); no target between the counter's worth to the US ($9.30bn) and our last "
        "offer's ($11.30bn) gives an offer whose Nash product beats that of the partner's "
        "counter of round 4, so the target is the counter's worth: accept it (conclude the "
        "deal on round 4) or offer this"
    )


def test_the_ratio_of_a_term_the_partner_pays_nothing_for_says_what_it_is(run: Runner) -> None:
    """The ranking's ratio is US value per USD of partner cost; where the partner pays
    nothing it printed "free" whatever the term: Erebor's tariff cut (-200m to the US,
    500m to Erebor) read "free" as much as its Pax declaration (500m to the US, nothing to
    Erebor), and so did a state visit worth nothing to either. Ratio words now say which."""
    result = run(
        "improve", DATA / "qa9neg/xe-offer.yaml", "--portfolio", DATA / "qa9neg/erebor.yaml",
        "--top", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = [[c.strip() for c in line.split("│")] for line in result.stdout.splitlines()]
    rows = {cells[2]: cells[5] for cells in table if len(cells) == 8 and cells[1].isdigit()}
    assert rows == {
        "pax": "free",
        "tech": "both gain",
        "invest": "2.00",
        "lng": "0.00",
        "stake": "no US value",
        "visit": "nothing",
        "tariff": "US pays",
    }


@pytest.mark.parametrize("amount", ["75 billion", "75bn USD", "US$75bn"])
def test_an_amount_in_words_is_told_how_amounts_are_written(
    run: Runner, tmp_path: Path, amount: str
) -> None:
    """A counter naming `invest: 75 billion` (or `75bn USD`) was refused with "expected an
    id of letters, digits, '_', '.' and '-', starting with a letter or digit": right that
    it is no level id, silent that the field takes an amount, and how to write one."""
    text = (DATA / "qa9neg/xa-75bn.yaml").read_text().replace("USD 75bn", amount)
    package = tmp_path / "counter.yaml"
    package.write_text(text)
    result = run("evaluate", package, "--portfolio", PAIR)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {package}:5: concessions.invest: expected a level id, true or false, or an "
        f"amount: a number, with k, m, bn or tn if need be (2_500, 75bn, USD 75bn); got "
        f"'{amount}'\n"
    )


def test_an_offer_does_not_drop_compute_the_partner_does_not_value(tmp_path: Path) -> None:
    """Gondor asks 150,000 H100e a year and values the first 100,000 at 40k; each H100e is
    worth 8k to the US under veu (10k less 100k x 0.2 x 0.1). The first offer (linear,
    deadline 1) is the ideal: 150,000 a year and pax, V 0.5 + 2.4 = 2.9bn, U 8 - 1 = 7bn.
    The second, at the reservation value, gave Gondor 100,000 a year: V 2.1bn, U 7bn, the
    partner no better off and 0.8bn taken from the US for nothing. Partner-best cannot
    tell apart packages of one partner utility; the offer is now the best for the US
    among them."""
    pf = load_portfolio(DATA / "qa9neg/gondor.yaml")
    first = record_offer(pf, tmp_path, "XG", strategy="linear", deadline=1)
    assert first.proposal is not None
    assert first.proposal.figures.us_value == pytest.approx(2.9e9)
    second = record_offer(pf, tmp_path, "XG")
    assert second.proposal is not None
    assert second.proposal.strategy.target_us_utility == pytest.approx(0.0)
    assert second.proposal.figures.partner_utility == pytest.approx(7e9)
    assert second.proposal.figures.us_value == pytest.approx(2.9e9)
    assert second.round.package.compute == {"2027": 150_000, "2028": 150_000}


def test_an_amount_of_another_unit_is_written_in_digits(tmp_path: Path) -> None:
    """Hyrule's power runs from 0 to 5,000 MW; its counter names 2,750 MW (valued 1bn +
    1.75/4 x 3bn = 2.3125bn to the US, 0.4bn + 1.75/4 x 2.6bn = 1.5375bn to Hyrule). The
    term sheet committed Hyrule to "Power for US-operated data centres (2.75k MW)" and
    the verdict's note spoke of "2.75k MW ... 2.5k MW and 3k MW": the money suffixes, on
    megawatts."""
    pf = load_portfolio(DATA / "qa9neg/hyrule.yaml")
    record_offer(pf, tmp_path / "rounds", "XH", strategy="linear", deadline=2)
    countered = record_counter(pf, tmp_path / "rounds", "XH", DATA / "qa9neg/xh-2750mw.yaml")
    figures = countered.verdict.figures
    assert figures.us_concession_value == pytest.approx(2.3125e9)
    assert figures.concession_cost == pytest.approx(1.5375e9)
    assert countered.verdict.notes == [
        "power: 2,750 MW is off the declared step of 500 MW; the nearest amounts on it are "
        "2,500 MW and 3,000 MW"
    ]
    concession = pf.partners[0].concessions[0]
    level = concession.option("2750")
    assert level is not None and level.title == "2,750 MW"
    assert level.partner_cost == pytest.approx(1.5375e9)


def test_fix_keeps_a_level_named_by_its_amount(tmp_path: Path) -> None:
    """Our offer named Hyrule's power `1k`, the amount of its level `small`; `--fix power`
    keeps that level, whichever way it is written (the optimizer names it `small`)."""
    pf = load_portfolio(DATA / "qa9neg/hyrule.yaml")
    package = load_package(DATA / "qa9neg/xh-1k.yaml")
    record_offer(pf, tmp_path, "XH", package=package)
    offer = record_offer(pf, tmp_path, "XH", fix=["power"])
    assert offer.round.package.concessions == {"power": "small"}


def test_an_offer_past_its_deadline_says_so(solo: Portfolio, tmp_path: Path) -> None:
    """Linear with a deadline of 1: the first offer aims at the ideal, the second is past
    the deadline and aims at the reservation value. Its reason read "US offer 2 of a
    deadline of 1: the target moves from the ideal toward the reservation value", a
    count beyond its total and a move that had ended."""
    first = record_offer(solo, tmp_path, "XC", strategy="linear", deadline=1)
    second = record_offer(solo, tmp_path, "XC")
    before, said = first.round.data.strategy, second.round.data.strategy
    assert before is not None and before.reason is not None
    assert before.reason.startswith("US offer 1 of a deadline of 1: the target moves")
    assert said is not None and said.reason is not None
    assert said.reason.startswith(
        "US offer 2, past the deadline of 1 offer: the target is the reservation value"
    )
    assert said.target_us_utility is not None and said.reservation_us_utility is not None
    assert said.target_us_utility >= said.reservation_us_utility - 1e6


def test_zeuthens_risks_print_apart_when_they_differ() -> None:
    """A counter below the US reservation value (US risk 1) against an offer held a few
    dollars above the partner's walk-away value (its risk 0.99999) read "its risk 1.00
    against the partner's 1.00", a decision the reader could not see."""
    assert risks(1.0, 0.99999) == "its risk 1.00000 against the partner's 0.99999"
    assert risks(0.16, 0.36) == "its risk 0.16 against the partner's 0.36"
    assert risks(0.5, 0.5) == "its risk 0.50 against the partner's 0.50"
