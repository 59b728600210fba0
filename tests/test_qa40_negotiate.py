"""A trade negotiator's day driven from the CLI, session 40 (qa40-negotiate): offers by
strategy and at points of the frontier, counters, verdicts, the room. Each test failed
before its fix."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, invoke

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def test_a_strategy_set_once_outlives_an_offer_at_a_point_of_the_frontier(
    rounds: Path,
) -> None:
    """AE's round 3 was a linear offer; round 5 the Nash point (`--mode nash`), which
    records no strategy of the four. The next `offer` without `--strategy` fell back to
    Boulware's first-offer default: a target of $86.50bn near the ideal, a retreat from
    round 5's $15.02bn to AE, refused (exit 2), and the verdict on a counter showed that
    retreat as "our next offer". The strategy set before runs on, as its deadline does, and a
    retreat's refusal advises it (not "the strategy of round 5 (nash)", no strategy)."""
    options = ["--partner", "AE", "--rounds", rounds, "--no-documents"]
    assert invoke(["offer", PORTFOLIO, *options, "--mode", "nash"]).exit_code == 0
    back = invoke(["offer", PORTFOLIO, *options, "--strategy", "boulware"])
    assert back.exit_code == 2  # the retreat's advice names a strategy, not the point
    assert "otherwise continue with the strategy of round 3 (linear) or" in back.stderr
    run = invoke(["offer", PORTFOLIO, *options])
    assert run.exit_code == 0, run.output
    assert "Strategy: linear; target US utility $72.43bn" in run.stdout
    recorded = (rounds / "AE/006-us.yaml").read_text(encoding="utf-8")
    assert "  name: linear\n" in recorded and "    offers_made: 3\n" in recorded


def test_an_offer_that_repeats_our_last_one_repeats_its_terms(tmp_path: Path) -> None:
    """KR's Zeuthen offer after its USD 75bn counter: "the US repeats its offer", and the
    round recorded gave 205,000/205,000/206,000 H100e where our offer of round 1 gave
    220,000/220,000/176,000: the same utilities to both sides (past 100,000 H100e a year
    KR values each alike), another schedule, a redline of three changed periods for a
    repeat. The last offer wins a tie with the solve's package, with terms fixed too."""
    rounds = tmp_path / "rounds"
    (rounds / "KR").mkdir(parents=True)
    offered = "compute: {2026: 220_000, 2027: 220_000, 2028: 176_000}"
    (rounds / "KR/001-us.yaml").write_text(
        "round: 1\nside: us\npackage:\n  partner: KR\n  security: veu\n"
        f"  {offered}\n  concessions: {{invest-us: 200bn, pax-silica: true}}\n",
        encoding="utf-8",
    )
    (rounds / "KR/002-partner.yaml").write_text(
        "round: 2\nside: partner\nbasis: 001-us.yaml\npackage:\n  partner: KR\n"
        "  security: kyc\n  compute: {2026: 220_000, 2027: 220_000, 2028: 220_000}\n"
        "  concessions: {invest-us: 75bn, hbm-priority: true}\n",
        encoding="utf-8",
    )
    options = ["--partner", "KR", "--rounds", rounds, "--no-documents", "--strategy", "zeuthen"]
    run = invoke(["offer", REPO / "deals/portfolios/global.yaml", *options, "--fix", "invest-us"])
    assert run.exit_code == 0, run.output
    assert "the partner should concede, so the US repeats its offer" in run.stdout
    recorded = (rounds / "KR/003-us.yaml").read_text(encoding="utf-8")
    assert "    '2026': 220000\n    '2027': 220000\n    '2028': 176000\n" in recorded


def test_a_zeuthen_tie_is_said_as_a_tie(tmp_path: Path) -> None:
    """AE's opening offer gives it exactly its walk-away value ($8.05bn) and its counter of
    600,000 H100e a year and no concession gives the US $4.25bn, less than the
    reservation value: both Zeuthen risks are 1. The reason read "the US has less to lose
    by conceding (its risk 1.00 against the partner's 1.00)", untrue of a tie. On a tie
    both concede (Harsanyi), so the US does, and the reason says the risks are equal."""
    rounds = tmp_path / "rounds"
    (rounds / "AE").mkdir(parents=True)
    opening = (REPO / "deals/rounds/gulf-asia/AE/001-us.yaml").read_text(encoding="utf-8")
    (rounds / "AE/001-us.yaml").write_text(opening, encoding="utf-8")
    (rounds / "AE/002-partner.yaml").write_text(
        "round: 2\nside: partner\nbasis: 001-us.yaml\npackage:\n  partner: AE\n"
        "  security: veu\n  compute: {2026: 600_000, 2027: 600_000, 2028: 600_000}\n",
        encoding="utf-8",
    )
    options = ["--partner", "AE", "--rounds", rounds, "--no-documents", "--json"]
    run = invoke(["offer", PORTFOLIO, *options, "--strategy", "zeuthen"])
    assert run.exit_code == 0, run.output
    assert '"reason": "Zeuthen: the risks are equal (its risk 1.00 against the partner\'s ' in (
        run.stdout
    )
    assert "1.00), and on a tie both sides concede, so the US does; it concedes" in run.stdout


def test_an_empty_against_is_said_of_the_argument() -> None:
    """`evaluate ... --against ""` (a shell variable left empty) said "error: .: is a
    directory, expected a YAML file": the empty text read as the current folder. It is
    refused as the argument it is, as a misspelt round number is."""
    package = REPO / "deals/packages/ae-counter.yaml"
    run = invoke(["evaluate", package, "--portfolio", PORTFOLIO, "--against", ""])
    assert run.exit_code == 2
    assert run.stderr == (
        "error: --against: '' is neither a round number of the negotiation with AE nor a "
        "file (a round or package file, or a result.json)\n"
    )


def test_a_concluded_rounds_file_is_rendered_as_the_terms_agreed(tmp_path: Path) -> None:
    """SA's round 4 concludes the deal on our offer of round 3 (SA accepts it, so the round
    is SA's). `render` of 004-partner.yaml wrote `SA-counter-004.md`, "Draft for
    discussion. Proposal of the Partner", and `redline 003-us.yaml 004-partner.yaml` "To:
    The Partner's counter, round 4": the terms agreed read as a proposal still open. A
    concluded round's package is the terms agreed, as `conclude`'s own term sheets say."""
    rounds = REPO / "deals/rounds/gulf-asia/SA"
    options = ["--portfolio", PORTFOLIO, "--out", tmp_path]
    assert invoke(["render", rounds / "004-partner.yaml", *options]).exit_code == 0
    sheet = (tmp_path / "term-sheets/SA-agreed-004.md").read_text(encoding="utf-8")
    assert "*Non-binding. Terms agreed by the Participants.*" in sheet
    run = invoke(["redline", rounds / "003-us.yaml", rounds / "004-partner.yaml", *options])
    assert run.exit_code == 0, run.output
    redline = (tmp_path / "redlines/redline-SA-offer-003-to-agreed-004.md").read_text(
        encoding="utf-8"
    )
    assert "| From | US offer, round 3 |\n| To | Agreed terms, round 4 |\n" in redline


def test_the_deal_memo_of_a_concluded_round_says_the_terms_were_agreed(tmp_path: Path) -> None:
    """`render 004-partner.yaml --doc deal-memo` (SA's round 4, the deal concluded) opened
    "## Recommendation: Offer Saudi Arabia ...": a memo to principals telling them to offer
    terms already agreed. It says they were agreed, and in which round."""
    sa4 = REPO / "deals/rounds/gulf-asia/SA/004-partner.yaml"
    run = invoke(["render", sa4, "--portfolio", PORTFOLIO, "--out", tmp_path, "--doc", "deal-memo"])
    assert run.exit_code == 0, run.output
    memo = (tmp_path / "memos/SA-agreed-004.md").read_text(encoding="utf-8")
    assert "## The terms agreed\n\nIn round 4, the United States and Saudi Arabia agreed " in memo
    assert "Offer Saudi Arabia" not in memo
