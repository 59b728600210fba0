"""Session 42 (qa42-cli): a counter's memo says a change of nothing as no change; `improve`
on a round of talks that have ended says what a change would reopen."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Runner, invoke


def test_a_counter_no_better_than_our_offer_is_said_to_be_as_good_not_zero_better(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """A counter with the terms of our offer (`render COUNTER --doc deal-memo --against
    OFFER`) said "it is $0 better for the United States (US utility $89.01bn against
    $89.01bn) and $0 better for the United Arab Emirates": a gain of nothing, as a gain.
    It now says the counter is as good for each side as our offer."""
    offer = shipped / "packages/ae-offer.yaml"
    text = offer.read_text("utf-8")
    assert "side: offer " in text
    counter = tmp_path / "ae-same.yaml"
    counter.write_text(text.replace("side: offer ", "side: counter "), "utf-8")
    out = tmp_path / "memo.md"
    done = run(
        "render", counter, "--portfolio", shipped / "portfolios/gulf-asia.yaml",
        "--doc", "deal-memo", "--against", offer, "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    memo = " ".join(out.read_text("utf-8").split())
    assert "$0 better" not in memo and "$0 worse" not in memo
    assert "it is as good for the United States (US utility $89.01bn, as in our offer)" in memo
    assert "as good for the United Arab Emirates (partner utility $8.50bn, as in our offer)" in memo


def test_improve_on_a_concluded_round_says_each_change_would_reopen_the_terms_agreed(
    deals: Path,
) -> None:
    """`improve deals/rounds/gulf-asia/SA/003-us.yaml`, the package SA concluded on in round
    4, listed changes ("add no-prc-hardware", more compute) as if the talks were open, with
    nothing to say they had ended. It now says so, in the terminal and in `--json`'s
    `closed` (null for a round of open talks, or a package file)."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    sa = deals / "rounds/gulf-asia/SA/003-us.yaml"
    said = invoke(["improve", sa, "--portfolio", portfolio, "--top", "1"])
    assert said.exit_code == 0, said.output + said.tb
    words = " ".join(said.stdout.split())
    agreed = (
        "The negotiation with SA was concluded in round 4 (004-partner.yaml): each change "
        "below would reopen the terms agreed."
    )
    assert agreed in words
    data = json.loads(invoke(["improve", sa, "--portfolio", portfolio, "--json"]).stdout)
    assert data["closed"] == agreed
    # an earlier round of the same talks is no less closed
    first = deals / "rounds/gulf-asia/SA/001-us.yaml"
    data = json.loads(invoke(["improve", first, "--portfolio", portfolio, "--json"]).stdout)
    assert data["closed"] == agreed
    # AE's talks are open; a package file is no round
    for open_ in (deals / "rounds/gulf-asia/AE/003-us.yaml", deals / "packages/ae-offer.yaml"):
        run = invoke(["improve", open_, "--portfolio", portfolio, "--json"])
        assert run.exit_code == 0, run.output + run.tb
        assert json.loads(run.stdout)["closed"] is None
        assert "would reopen" not in invoke(["improve", open_, "--portfolio", portfolio]).stdout


def test_improve_on_a_round_after_a_walk_away_says_the_talks_ended_without_a_deal(
    deals: Path,
) -> None:
    """The same for talks that ended in a walk-away: AE's counter of round 4, after the
    United States walked away in round 5."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    walked = invoke(["walk-away", portfolio, "-p", "AE", "--date", "2026-03-20"])
    assert walked.exit_code == 0, walked.output + walked.tb
    ae = deals / "rounds/gulf-asia/AE/004-partner.yaml"
    data = json.loads(invoke(["improve", ae, "--portfolio", portfolio, "--json"]).stdout)
    assert data["closed"] == (
        "The United States walked away from AE in round 5 (005-us.yaml): each change below "
        "would reopen talks that ended without a deal."
    )
