"""The documents principals read, session 40 (qa40-docs): the status memo's target and
next offer. Each test failed before its fix (docs/decisions.md, Session 40 (qa40-docs))."""

from __future__ import annotations

from html import unescape
from pathlib import Path

from helpers import Runner


def test_the_status_memo_tells_the_target_from_what_the_next_offer_gives(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`room deals/portfolios/gulf-asia.yaml --render md,html`: AE's move said "at least the
    $150.25bn of our next offer's target ($72.43bn for this deal ...)" above a table whose
    "Our next offer" gives the US $73.974bn: nothing said that $72.43bn is what the strategy
    asks and $73.97bn what its package gives. The move now names each, and the table's note
    says the target is another figure than the next offer's utilities."""
    out = tmp_path / "out"
    done = run(
        "room", shipped / "portfolios/gulf-asia.yaml", "--render", "md,html", "--out", out,
        "--date", "2026-03-20",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    said = (
        "at least the $150.25bn of our next offer's target (the plan with this deal at the "
        "$72.43bn of US utility our strategy now asks of it, the others held at the plan; the "
        "next offer itself gives the US $73.97bn)"
    )
    assert said in " ".join(done.stdout.split())
    memo = out / "memos/negotiation-gulf-asia"
    html = unescape(memo.with_suffix(".html").read_text("utf-8"))
    for text in (memo.with_suffix(".md").read_text("utf-8"), html):
        assert said in text
        assert "| $73.974bn |" in text or ">$73.974bn<" in text
        assert (
            "Its utilities are what that package gives each side; the target a move names is "
            "another figure, the US utility the strategy asks of the deal, which the package "
            "meets or exceeds." in text
        )
