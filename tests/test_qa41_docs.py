"""The documents principals read, session 41 (qa41-docs). Each test failed before its fix
(docs/decisions.md, "Session 41 (qa41-docs)")."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner


def test_the_options_memos_table_rows_end_at_their_last_bar(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    """`compare deals/portfolios/gulf-asia.yaml --render md`: every row of the options
    memo's two tables ended "| " (`{{ cell }} | {% endfor %}` writes a space after the last
    bar), so a Markdown linter or `git diff --check` flagged 24 lines of every memo. The
    cells are now written as the portfolio memo's are (`|{% for %} {{ cell }} |`)."""
    out = tmp_path / "out"
    done = run(
        "compare", deals / "portfolios/solo.yaml", "--regimes", "tiered,bilateral",
        "--out", out, "--render", "md",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    lines = (out / "memos/options-solo.md").read_text("utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert any(line.startswith("| Measure | tiered | bilateral |") for line in rows), rows
    assert [line for line in lines if line != line.rstrip()] == []

