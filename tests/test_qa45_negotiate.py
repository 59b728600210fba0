"""A negotiator's hand-kept rounds folder and the words of a next offer (qa45-negotiate).

On a copy of the shipped worked example (gulf-asia: AE countered in round 4, SA concluded):
a round file numbered 000, a partner's counter carrying a US offer's `strategy:` lines,
and the offer that follows one of our own over a cap in every period.
"""

from __future__ import annotations

from pathlib import Path

from dealbench import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate.record import record_offer
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def test_a_round_numbered_000_is_told_rounds_start_at_001(run: Runner, rounds: Path) -> None:
    """`000-us.yaml` (a copy of 001 renamed by hand) read "a gap in the numbering: rounds
    1--1 are missing before this file": no round is missing, the number is none."""
    (rounds / "QA").mkdir()
    (rounds / "QA/000-us.yaml").write_text((rounds / "AE/001-us.yaml").read_text())
    result = run("history", PORTFOLIO, "-p", "QA", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "1--1" not in result.stderr
    assert "000-us.yaml: round number 0: rounds are numbered from 001" in result.stderr
    assert "gap" not in result.stderr
    assert not result.traceback


def test_a_partners_counter_with_a_strategy_is_refused_at_its_line(
    run: Runner, rounds: Path
) -> None:
    """AE's counter of round 4 given a US offer's `strategy:` (and `retreat:`) lines by hand
    was read, and `history` printed "4 partner ... linear $5": a strategy and target of the
    partner's own. Only a US offer records how it was chosen; the folder is refused at the
    lines, as every other hand edit of it, by every command that reads it."""
    counter = rounds / "AE/004-partner.yaml"
    counter.write_text(
        counter.read_text().replace(
            "side: partner\n",
            "side: partner\nstrategy: {name: linear, target_us_utility: 5}\nretreat: gone\n",
        )
    )
    history = run("history", PORTFOLIO, "-p", "AE", "--rounds", rounds)
    assert history.exit_code == 2, history.output
    assert "linear $5" not in history.stdout
    assert (
        "004-partner.yaml:5: strategy: only a US offer records the strategy that chose it, "
        "and this round is AE's counter"
    ) in history.stderr
    assert "004-partner.yaml:6: retreat: only a US offer records what it takes back" in (
        history.stderr
    )
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    offer = run("offer", PORTFOLIO, "-p", "AE", "--rounds", rounds, "--no-documents")
    assert offer.exit_code == 2, offer.output
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before  # nothing written


def test_a_conclusion_with_a_strategy_is_refused_and_our_offers_keep_theirs(
    run: Runner, rounds: Path
) -> None:
    """SA's conclusion (round 4) with a strategy copied in is refused as a conclusion; the
    US offers of the shipped folder, which carry theirs, still read."""
    concluded = rounds / "SA/004-partner.yaml"
    concluded.write_text(concluded.read_text() + "strategy: {name: linear}\n")
    result = run("room", PORTFOLIO, "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "this round is a conclusion, which repeats the package agreed" in result.stderr
    concluded.write_text(concluded.read_text().replace("strategy: {name: linear}\n", ""))
    assert run("history", PORTFOLIO, "-p", "AE", "--rounds", rounds).exit_code == 0


def test_the_offer_after_our_own_over_a_cap_says_the_cap_once(rounds: Path) -> None:
    """Our own package to SG (`offer --package`) over its baseline cap of 25,000 H100e in
    each period; the next offer by strategy gives SG less and said why in three sentences,
    "SG: 2026 compute 50,000 H100e exceeds ...; SG: 2027 ...; SG: 2028 ...", where the
    offer's violations say the one cap broken once ("in each of 2026, 2027 and 2028")."""
    pf = load_portfolio(PORTFOLIO)
    own = Package(
        partner="SG",
        security="baseline",
        compute={"2026": 50_000, "2027": 50_000, "2028": 50_000},
    )
    record_offer(pf, rounds, "SG", package=own)
    nxt = record_offer(pf, rounds, "SG")
    reason = nxt.round.data.strategy.reason  # type: ignore[union-attr]
    assert (
        "round 1's offer breaks a limit now: SG: compute of 50,000 H100e in each of 2026, "
        "2027 and 2028 exceeds the tier 2 cap under baseline of 25,000 H100e"
    ) in reason
    assert "SG: 2027 compute" not in reason
