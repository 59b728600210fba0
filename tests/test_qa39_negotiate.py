"""The negotiation workflow driven from the CLI as a trade negotiator drives it, session 39
(qa39-negotiate): offers, hand-written counters, verdicts, the room. Each test failed
before its fix."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, invoke

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_counter_dated_before_the_last_round_is_refused_at_its_own_date_line(
    rounds: Path, tmp_path: Path
) -> None:
    """A partner's counter file dated (its own `date:`, line 3) before AE's round 4 was
    refused at `.../rounds/gulf-asia/AE/005-partner.yaml: date:`, a file that does not
    exist (nothing was written), with no line: the date at fault is in the counter file.
    It is refused at the counter file's line now, with the same words; nothing written."""
    counter = tmp_path / "ae-counter.yaml"
    counter.write_text(
        "partner: AE\nsecurity: veu\ndate: 2026-01-01\ncompute: {2026: 500_000}\n",
        encoding="utf-8",
    )
    before = _tree(rounds)
    run = invoke(["counter", PORTFOLIO, counter, "--rounds", rounds, "--no-documents"])
    assert run.exit_code == 2, run.output
    assert run.stderr == (
        f"error: {counter}:3: date: round 5 is dated 2026-01-01, before round 4 "
        "(004-partner.yaml), dated 2026-03-16; rounds are in time order (a counter file's own "
        "`date:` is its round's date unless the round is given a date of its own); nothing "
        "written\n"
    )
    assert _tree(rounds) == before


def test_a_partners_earlier_round_given_as_its_counter_is_not_dated_as_that_round(
    rounds: Path,
) -> None:
    """AE comes back to its counter of round 2: `counter ... rounds/.../AE/002-partner.yaml`
    was refused, "round 5 is dated 2026-02-16, before round 4 ... (a counter file's own
    `date:` is its round's date ...)": the round file's `date:` is when round 2 was said,
    and was taken as the new round's (undated rounds before it, it was recorded so, a date
    nobody said it on). A round file gives its package, not its date: the round is
    recorded undated, as `offer --package` records one, or dated by `--date`."""
    again = rounds / "AE/002-partner.yaml"
    run = invoke(["counter", PORTFOLIO, again, "--rounds", rounds, "--no-documents"])
    assert run.exit_code == 0, run.output
    recorded = (rounds / "AE/005-partner.yaml").read_text(encoding="utf-8")
    assert "\ndate:" not in recorded and "\nbasis: 003-us.yaml\n" in recorded
    assert "invest-us: 200bn" in recorded
    dated = ["--date", "2026-03-30", "--rounds", rounds, "--no-documents"]
    assert invoke(["offer", PORTFOLIO, "-p", "AE", *dated]).exit_code == 0
    assert invoke(["counter", PORTFOLIO, again, *dated]).exit_code == 0
    assert "\ndate: 2026-03-30\n" in (rounds / "AE/007-partner.yaml").read_text(encoding="utf-8")


def _offer_then_asked_less(rounds: Path, tmp_path: Path) -> Path:
    """Our linear offer of round 5 ($15.02bn to AE) recorded, and the counter file in which
    AE asks a little less ($15.00bn) and more compute in 2026, not yet recorded."""
    assert (
        invoke(["offer", PORTFOLIO, "-p", "AE", "--rounds", rounds, "--no-documents"]).exit_code
        == 0
    )
    counter = tmp_path / "ae-counter.yaml"
    counter.write_text(
        "partner: AE\nsecurity: veu\ncompute: {2026: 550_000, 2027: 600_000, 2028: 600_000}\n"
        "concessions: {invest-us: 1400bn, align-controls: true}\n",
        encoding="utf-8",
    )
    return counter


def test_a_verdict_whose_next_offer_takes_back_what_was_offered_says_so(
    rounds: Path, tmp_path: Path
) -> None:
    """After our linear offer of round 5 ($15.02bn to AE), AE's counter of round 6 asked a
    little less ($15.00bn) and more compute in 2026. The verdict printed "Beside our next
    offer (as `offer` would record it now)" an offer giving AE $14.02bn, with nothing to say
    that `offer` refuses it (a retreat, exit 2, nothing written). A note says so now."""
    common = ["--rounds", rounds, "--no-documents"]
    counter = _offer_then_asked_less(rounds, tmp_path)
    run = invoke(["counter", PORTFOLIO, counter, *common])
    assert run.exit_code == 0, run.output
    said = (
        "Note: our next offer gives AE $14.02bn, less than our offer of round 5 did "
        "($15.02bn): it takes back part of what that offer gave, and is recorded only with "
        "the retreat allowed"
    )
    assert said in " ".join(run.stdout.split()), run.stdout
    refused = invoke(["offer", PORTFOLIO, "-p", "AE", *common])
    assert refused.exit_code == 2 and "less than our offer of round 5" in refused.stderr


def test_a_refused_retreat_advises_the_last_strategy_only_when_it_takes_nothing_back(
    rounds: Path, tmp_path: Path
) -> None:
    """After our linear offer of round 5 and AE's counter of round 6 (as above), `offer
    --mode nash` was refused as a retreat with the advice "otherwise continue with the
    strategy of round 5 (linear) or offer a package of your own ...": `offer` by linear
    is refused the same way (the floor every strategy shares, the counter's worth, took it
    back, not the switch). The advice now names the last strategy only when its offer now
    takes nothing back."""
    common = ["--rounds", rounds, "--no-documents"]
    counter = _offer_then_asked_less(rounds, tmp_path)
    assert invoke(["counter", PORTFOLIO, counter, *common]).exit_code == 0
    before = _tree(rounds)
    nash = invoke(["offer", PORTFOLIO, "-p", "AE", "--mode", "nash", *common])
    assert nash.exit_code == 2, nash.output
    assert " ".join(nash.stderr.split()).endswith(  # AE's counter meets the target: qa47
        "is recorded only when the retreat is allowed; otherwise accept AE's counter of round "
        "6, which is worth the target to the US (conclude the deal on round 6), or offer a "
        "package of your own that gives AE no less (--package)"
    ), nash.stderr
    linear = invoke(["offer", PORTFOLIO, "-p", "AE", *common])
    assert linear.exit_code == 2 and "less than our offer of round 5" in linear.stderr
    assert _tree(rounds) == before
