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
