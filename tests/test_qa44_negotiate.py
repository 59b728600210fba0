"""A trade negotiator running several negotiations at once, session 44 (qa44-negotiate): QA,
IN, SG and BH opened beside the shipped AE and SA talks, counters that move and break caps,
AE concluded, BH walked away from, then `history` and `room`. Each test failed before its
fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dealbench import load_portfolio
from dealbench.negotiate.room import history
from helpers import REPO, invoke

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _qa_offered_then_ae_concluded(rounds: Path, portfolio: Path = GULF) -> None:
    """Our first offer to QA (47,143 H100e of 2026) on 2026-03-20, then AE's counter of round
    4 (600,000 a year) concluded on 2026-03-28: 46,641 H100e of 2026 are left beside SA's
    and AE's deals, less than QA's offer takes."""
    options = ["--rounds", rounds, "--no-documents"]
    offered = invoke(["offer", portfolio, "-p", "QA", "--date", "2026-03-20", *options])
    assert offered.exit_code == 0, offered.output
    concluded = invoke(["conclude", portfolio, "-p", "AE", "--date", "2026-03-28", *options])
    assert concluded.exit_code == 0, concluded.output


def test_history_judges_each_round_as_it_stood_when_made(rounds: Path) -> None:
    """QA's offer of 2026-03-20 fitted beside SA's deal, the only one concluded then. After
    AE's deal was concluded on 2026-03-28, `history -p QA` said "OK no" of it, "round 1:
    supply in 2026: 1,000,502 H100e allocated with the deals concluded with AE and SA", as
    if the offer had broken the supply when made. It now reads "not now": fine when made,
    and unsignable beside the deal concluded since, which the note names with its round
    and date. A round made after that conclusion and over the supply beside it is "no"."""
    _qa_offered_then_ae_concluded(rounds)
    pf = load_portfolio(GULF)
    first = history(pf, rounds, "QA").rounds[0]
    assert first.violations == []  # as it stood on 2026-03-20, beside SA's deal alone
    assert [(v.kind, v.period) for v in first.since] == [("supply", "2026")]
    assert first.concluded_since == ["AE"]
    assert first.ok == "not now"
    assert first.since_note == (
        "cannot be signed now, beside the deal concluded with AE in round 5 on 2026-03-28 "
        "(after this round)"
    )

    run = invoke(["history", GULF, "-p", "QA", "--rounds", rounds])
    assert run.exit_code == 0, run.output
    table_row = next(line for line in run.stdout.splitlines() if line.strip().startswith("1 us"))
    assert "not now" in table_row
    said = " ".join(run.stdout.split())
    assert (
        "round 1: cannot be signed now, beside the deal concluded with AE in round 5 on "
        "2026-03-28 (after this round): it breaks 1 limit: supply in 2026: 1,000,502 H100e"
    ) in said

    # QA's counter after AE's deal, taking 120,000 H100e of 2026: over the supply when made.
    counter = rounds.parent / "qa-counter.yaml"
    counter.write_text(
        "partner: QA\nsecurity: veu\ncompute: {2026: 120_000, 2027: 120_000, 2028: 150_000}\n"
        "concessions: {invest-us: 100bn, pax-silica: true, no-prc-hardware: true}\n"
    )
    options = ["--rounds", rounds, "--no-documents", "--date", "2026-03-30"]
    assert invoke(["counter", GULF, counter, *options]).exit_code == 0
    second = history(pf, rounds, "QA").rounds[1]
    assert second.ok == "no" and second.since == []
    assert {v.period for v in second.violations if v.kind == "supply"} == {"2026", "2027"}

    listed = json.loads(invoke(["history", GULF, "-p", "QA", "--rounds", rounds, "--json"]).stdout)
    assert listed["rounds"][0]["violations"] == []
    assert listed["rounds"][0]["concluded_since"] == ["AE"]
    assert [v["kind"] for v in listed["rounds"][0]["since"]] == ["supply"]


def test_a_conclusion_the_same_day_is_not_taken_to_come_first(rounds: Path) -> None:
    """dealbench records a round's day, not its hour: AE concluded the day QA's offer was
    made may have come after it. The offer is not called "no" for it (nor "yes"): "not now",
    the note saying the deal was concluded the same day."""
    options = ["--rounds", rounds, "--no-documents", "--date", "2026-03-20"]
    assert invoke(["offer", GULF, "-p", "QA", *options]).exit_code == 0
    assert invoke(["conclude", GULF, "-p", "AE", *options]).exit_code == 0
    first = history(load_portfolio(GULF), rounds, "QA").rounds[0]
    assert first.ok == "not now"
    assert first.since_note.endswith("on 2026-03-20 (the same day as this round)")


def test_an_ended_negotiation_says_nothing_of_signing_now(rounds: Path) -> None:
    """The shipped SA talks were concluded on 2026-03-19, AE's after them: SA's rounds are
    not "unsignable now" beside AE's deal, since nothing of SA's is to be signed any more."""
    options = ["--rounds", rounds, "--no-documents", "--date", "2026-03-28"]
    assert invoke(["conclude", GULF, "-p", "AE", *options]).exit_code == 0
    sa = history(load_portfolio(GULF), rounds, "SA").rounds
    assert all(r.since == [] and r.ok == "yes" for r in sa if r.package is not None)


def test_a_retreat_of_a_few_thousand_dollars_is_said_with_figures_that_differ(
    rounds: Path,
) -> None:
    """After AE's deal left IN's offer of round 1 over the supply (and BH was walked away
    from), IN's next offer gives it $15,000 less: `offer -p IN` was refused with "the offer gives IN $2.05bn, less than our
    offer of round 1 did ($2.05bn)", and the room's note said the same: two equal figures,
    one called less. They are printed with the decimals that tell them apart."""
    options = ["--rounds", rounds, "--no-documents"]
    assert invoke(["offer", GULF, "-p", "IN", "--date", "2026-03-20", *options]).exit_code == 0
    assert invoke(["conclude", GULF, "-p", "AE", "--date", "2026-03-28", *options]).exit_code == 0
    assert invoke(["walk-away", GULF, "-p", "BH", "--date", "2026-03-29", *options]).exit_code == 0
    refused = invoke(["offer", GULF, "-p", "IN", "--date", "2026-03-30", *options])
    assert refused.exit_code == 2
    said = " ".join(refused.stderr.split())
    assert "the offer gives IN $2.050005bn, less than our offer of round 1 did ($2.050020bn)" in (
        said
    ), said


def test_the_web_pages_say_a_round_fine_when_made_cannot_be_signed_now(
    client: Any, deals: Path
) -> None:
    """The web's history and negotiation pages read `history` too: QA's offer made before
    AE's deal is "not now" (history) and "compliant when made; breaks 1 now" (the
    negotiation's rounds), with the note naming AE's deal; the conclude form's round list
    still says it breaks 1, since concluding is now."""
    _qa_offered_then_ae_concluded(deals / "rounds/gulf-asia", deals / "portfolios/gulf-asia.yaml")
    page = client.get("/p/gulf-asia/n/QA/history").text
    assert '<span class="bad">not now</span>' in page
    assert "round 1: cannot be signed now, beside the deal concluded with AE in round 5" in page
    rounds = client.get("/p/gulf-asia/n/QA").text
    assert "compliant when made; breaks 1 now" in rounds
    assert "(breaks 1)</option>" in rounds  # the conclude form's round: concluding is now
