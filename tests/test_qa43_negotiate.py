"""A trade negotiator running several negotiations at once, session 43 (qa43-negotiate): QA,
IN and SG opened beside the shipped AE and SA talks, counters written by hand, deals
concluded while other offers stand. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import REPO, invoke

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _offers_then_ae_concluded(rounds: Path) -> dict[str, dict[str, object]]:
    """Offers to QA (47,143 H100e in 2026), IN (49,786) and SG (18,349), then AE's counter
    of round 4 (600,000 a year) concluded: 46,641 of 2026 are left beside SA's and AE's
    deals. The room's rows by partner."""
    options = ["--rounds", rounds, "--no-documents"]
    for code in ("QA", "IN", "SG"):
        assert invoke(["offer", GULF, "-p", code, *options]).exit_code == 0
    assert invoke(["conclude", GULF, "-p", "AE", "--round", "4", *options]).exit_code == 0
    run = invoke(["room", GULF, "--rounds", rounds, "--json"])
    assert run.exit_code == 0, run.output
    said = json.loads(run.stdout)
    assert said["supply_left"]["2026"] == 46_641
    return {"": said, **{r["partner"]: r for r in said["rows"]}}


def test_the_room_says_to_offer_again_when_a_deal_concluded_since_left_our_offer_unconcludable(
    rounds: Path,
) -> None:
    """After AE's deal, QA's offer alone (47,143 H100e of 2026) and IN's (49,786) each take
    more than the 46,641 left: neither can be concluded as offered, whatever the partner
    answers. The room said "await counter" for both (a partner accepting could not be
    signed), and "Our open offers together take 2026 115,278 H100e (QA ..., IN ... and SG
    ...) ...: not all of them can be concluded as offered", as if some could. QA's row now
    says to make a new offer (the plan still gives QA a deal; `offer` fits it to what is
    left), IN's to walk away (the plan gives IN none: `offer` refuses), SG's offer, which
    fits, still awaits a counter, and the sentence, about offers that fit alone but not
    together, is gone."""
    rows = _offers_then_ae_concluded(rounds)
    qa, india, sg = rows["QA"], rows["IN"], rows["SG"]
    assert qa["next_move"] == "offer"
    assert qa["reason"].startswith(
        "our offer of round 1 cannot be concluded as offered: it breaks 1 limit: supply in "
        "2026: 1,000,502 H100e allocated with the deals concluded with AE and SA"
    )
    assert qa["reason"].endswith("; make a new offer, fitted to what they leave")
    assert india["next_move"] == "walk away"
    assert india["reason"].endswith("and the plan now gives IN no deal (room --why says why)")
    assert sg["next_move"] == "await counter"
    assert rows[""]["overcommitted"] is None
    # the moves are what `offer` does: QA's is fitted to what is left, IN's is refused
    made = invoke(["offer", GULF, "-p", "QA", "--rounds", rounds, "--no-documents"])
    assert made.exit_code == 0, made.output
    assert "2026 leaves QA 17,785 H100e, where it gave 47,143" in " ".join(made.stdout.split())
    refused = invoke(["offer", GULF, "-p", "IN", "--rounds", rounds, "--no-documents"])
    assert refused.exit_code != 0 and "no offer can be made to IN" in refused.stderr


def test_the_verdict_says_one_open_offer_is_one(rounds: Path, tmp_path: Path) -> None:
    """Beside AE's deal, QA counters for 40,000 H100e of 2026's 46,641: accepting it leaves
    6,641, less than our standing offer to SG takes (18,349). The note said "our open offers
    to the others take: 2026 ... (IN 49,786 in round 1 and SG 18,349 in round 1) ...; not
    all of them could then be concluded as offered", counting IN's offer, which cannot be
    concluded already (the room says so in its row), and "not all of them" of what is one."""
    _offers_then_ae_concluded(rounds)
    counter = tmp_path / "qa.yaml"
    counter.write_text(
        "partner: QA\nsecurity: veu\ncompute: {2026: 40_000, 2027: 47_143, 2028: 150_000}\n"
        "concessions: {invest-us: 100bn, pax-silica: true, no-prc-hardware: true}\n"
    )
    run = invoke(["counter", GULF, counter, "--rounds", rounds, "--no-documents"])
    assert run.exit_code == 0, run.output
    assert (
        "Note: accepting leaves less than our open offer to another partner takes: 2026 "
        "18,349 H100e (SG 18,349 in round 1) of the 6,641 left if it is accepted; it could "
        "then not be concluded as offered"
    ) in " ".join(run.stdout.split())


def test_a_counter_that_concedes_nothing_says_the_partner_has_not_moved(
    rounds: Path, tmp_path: Path
) -> None:
    """BH countered on the same terms round after round while our linear offers conceded
    ($1.62bn to the US, then $1.36bn, $1.10bn, ...): each verdict read the counter's change
    from our last offer as a new demand, with no word that BH had not moved, where our own
    repeated offer says "our offer stands, unmoved by ...". The verdict notes it, naming the
    first of the unbroken run of counters on those terms; a counter that moved gets none."""
    counter = tmp_path / "bh.yaml"
    counter.write_text(
        "partner: BH\nsecurity: kyc\ncompute: {2026: 20_000, 2027: 20_000, 2028: 20_000}\n"
        "concessions: {align-controls: true, invest-us: 5bn}\n"
    )
    options = ["--rounds", rounds, "--no-documents"]
    offer = ["offer", GULF, "-p", "BH", "--strategy", "linear", *options]
    said = []
    for _ in range(3):
        assert invoke(offer).exit_code == 0
        run = invoke(["counter", GULF, counter, *options, "--json"])
        assert run.exit_code == 0, run.output
        said.append(json.loads(run.stdout)["notes"])
    assert not any("has not moved" in note for note in said[0])
    assert (
        "BH has not moved: the same terms as its counter of round 2 (002-partner.yaml)" in (said[1])
    )
    assert "BH has not moved: the same terms as each of its counters since round 2 " in " ".join(
        said[2]
    )
