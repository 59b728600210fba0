"""A negotiation of many rounds with one partner, beside three others (qa33-neg).

On a copy of the shipped worked example (gulf-asia: AE countered in round 4, SA
concluded): offers by every strategy, counters, conclusions and walk-aways; what the
verdict, the room, history and `evaluate --against` say of them.
"""

from __future__ import annotations

from pathlib import Path

from dealbench import load_portfolio
from dealbench.negotiate import load_negotiations, record
from dealbench.negotiate.record import record_offer
from dealbench.negotiate.verdict import verdict
from helpers import REPO, invoke

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def test_a_partner_accepting_our_standing_offer_after_the_plan_moved_is_accept(
    rounds: Path,
) -> None:
    """Boulware opens to SG at the US ideal (18,300 H100e in 2026 and 2027). IN walks away,
    and the re-plan gives its supply to others; SG then answers with our offer's very
    terms. The verdict said COUNTER ("less than the $173.13bn of our next offer's
    target"): the US would take back the offer SG has just accepted. It is ACCEPT, and
    says what the plan's move since costs; `evaluate --against` of the same package and
    the room say the same."""
    pf = load_portfolio(PORTFOLIO)
    first = record_offer(pf, rounds, "SG", strategy="boulware").round
    assert first.package is not None
    record.walk_away(pf, rounds, "IN")
    record.record_counter(pf, rounds, "SG", first.package)
    said = verdict(pf, load_negotiations(pf, rounds), first.package, round_number=2)
    assert said.recommendation == "accept"
    assert said.reason.startswith(
        "it is our offer of round 1 (001-us.yaml), word for word: SG accepts our standing "
        "offer; the plan has moved since it was made: accepting leaves the portfolio at "
    )
    assert said.portfolio_if_accepted is not None and said.portfolio_next_offer is not None
    assert said.portfolio_if_accepted < said.portfolio_next_offer - 1e6
    assert said.reason.endswith(
        "An offer is withdrawn by making another before it is accepted, not after"
    )
    package = rounds / "SG/001-us.yaml"
    against = invoke(
        ["evaluate", package, "--portfolio", PORTFOLIO, "--rounds", rounds, "--against", "1"]
    )
    assert "Recommendation: ACCEPT — it is our offer of round 1" in against.stdout, against.output
    room = invoke(["room", PORTFOLIO, "--rounds", rounds])
    assert "SG: accept — it is our offer of round 1" in room.stdout, room.output


def test_our_standing_offer_that_no_longer_fits_is_still_countered(rounds: Path) -> None:
    """Our offer to QA, then QA's answer with its very terms after a conclusion beside it
    took the supply it needs: it cannot be concluded as offered (`conclude` refuses it),
    so the verdict counters, and says it is our own offer that no longer fits."""
    pf = load_portfolio(PORTFOLIO)
    first = record_offer(pf, rounds, "QA", strategy="boulware").round
    assert first.package is not None
    ae = load_negotiations(pf, rounds)["AE"].last_counter
    assert ae is not None and ae.package is not None
    record.conclude(pf, rounds, "AE", round_number=ae.number)
    record.record_counter(pf, rounds, "QA", first.package)
    said = verdict(pf, load_negotiations(pf, rounds), first.package, round_number=2)
    assert said.recommendation == "counter"
    assert said.reason.startswith("it is our offer of round 1, word for word, but it breaks ")


def test_zeuthen_after_our_standing_offer_is_accepted_says_the_process_ends(
    rounds: Path,
) -> None:
    """SG answers our Zeuthen offer with its very terms after IN walked away. The next
    Zeuthen offer said "the US would lose more by conceding (its risk 0.22 against the
    partner's 0.00); the partner should concede, so the US repeats its offer": it weighed
    the counter's worth in the moved plan against our offer's own V_p, two figures of one
    package. The offers have met; the verdict accepts it, and the offer says so."""
    pf = load_portfolio(PORTFOLIO)
    first = record_offer(pf, rounds, "SG", strategy="zeuthen").round
    assert first.package is not None
    record.walk_away(pf, rounds, "IN")
    record.record_counter(pf, rounds, "SG", first.package)
    reason = record_offer(pf, rounds, "SG").round.data.strategy.reason  # type: ignore[union-attr]
    assert reason.startswith(
        "Zeuthen: the partner's counter of round 2 is our offer of round 1 word for word, so "
        "the process ends; accept it (conclude the deal on round 2)"
    )
    assert "should concede" not in reason


def test_our_offer_under_a_counter_of_the_same_package_stays_visible_on_the_rounds_chart() -> None:
    """A partner accepting our standing offer records a counter at the very point of our
    offer; the rounds chart drew both markers alike, the counter's last, so the US offer
    vanished (the point read as a counter only, labelled "7, 8"). The offer's marker is
    larger, beneath the counter's: a ring of its colour shows around it."""
    from matplotlib.figure import Figure

    from dealbench.negotiate.documents import draw_rounds

    at = {"us": 16.17e9, "partner": 54.04e9, "status": "open"}
    data = {
        "frontier": [],
        "no_deal": (-8e9, 8.05e9),
        "rounds": [{**at, "side": "us", "round": 7}, {**at, "side": "partner", "round": 8}],
    }
    ax = Figure().add_subplot()
    draw_rounds(ax, data)
    drawn = {c.get_label(): c for c in ax.collections}
    offer, counter = drawn["US offer"], drawn["Counter"]
    assert offer.get_sizes()[0] > counter.get_sizes()[0]
    assert ax.collections.index(offer) < ax.collections.index(counter)  # beneath it
