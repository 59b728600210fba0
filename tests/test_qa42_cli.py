"""Session 42 (qa42-cli): a counter's memo says a change of nothing as no change; `improve`
on a round of talks that have ended says what a change would reopen."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner


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
