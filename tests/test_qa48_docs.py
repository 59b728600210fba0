"""Session 48 (qa48-docs): the documents a principal reads say what the numbers show."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import REPO, Runner

UNCERTAIN = REPO / "deals" / "portfolios" / "gulf-asia-uncertain.yaml"


def test_a_robust_solves_memo_carries_each_partners_acceptance(
    run: Runner, tmp_path: Path
) -> None:
    """`solve gulf-asia-uncertain --robust 0.9 --out DIR --render md` printed how often each
    partner accepts in the samples (AE 49.8% at the means, 90.0% robust; KZ no deal, then
    100.0%), but result.json kept only the fresh-sample shares of AE and SA and the memo no
    table: a principal read "the command dealbench risk estimates how often each partner
    accepts" beside packages made to be accepted in 90% of the samples. The result records
    the table, so the memo (and a later `render` of result.json) carries it."""
    out = tmp_path / "out"
    r = run("solve", UNCERTAIN, "--robust", "0.9", "--samples", "500", "--out", out,
            "--render", "md")  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = json.loads((out / "result.json").read_text())["robust"]["acceptance"]
    by = {row["partner"]: row for row in rows}
    assert by["AE"]["robust"] >= 0.9 > by["AE"]["deterministic"]
    assert by["AE"]["batna_raised_by"] > 0
    assert by["KZ"]["deterministic"] is None and by["KZ"]["robust"] == 1.0
    memo = (out / "memos" / "portfolio-gulf-asia-uncertain.md").read_text()
    assert "## Acceptance in the samples" in memo
    assert "| Partner | Package best at the means | Robust package (at least 90%) |" in memo
    assert "| Kazakhstan (KZ) | no deal | 100.0% |  |" in memo
    assert f"| {by['AE']['robust']:.1%} | $" in memo.split("United Arab Emirates (AE) |")[-1]
    assert "the table Acceptance in the samples gives how often each partner accepts" in memo
    assert "the command dealbench risk estimates" not in memo
    # rendered again from result.json alone, the same table
    again = tmp_path / "again"
    r = run("render", out / "result.json", "--doc", "portfolio-memo", "--out", again)
    assert r.exit_code == 0, r.output
    [rendered] = (again / "memos").glob("portfolio-*.md")
    assert "| Kazakhstan (KZ) | no deal | 100.0% |  |" in rendered.read_text()
