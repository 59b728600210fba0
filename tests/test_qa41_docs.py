"""The documents principals read, session 41 (qa41-docs). Each test failed before its fix
(docs/decisions.md, "Session 41 (qa41-docs)")."""

from __future__ import annotations

from pathlib import Path

from dealbench.render.filters import printed_usd
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


def test_an_internal_redlines_change_is_the_difference_of_its_figures_as_printed(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`redline deals/packages/ae-offer.yaml deals/rounds/gulf-asia/AE/003-us.yaml
    --audience internal`: "What the whole change moves" read "US utility | $89.01bn |
    $77.98bn | -$11.04bn", where $77.98bn less $89.01bn is -$11.03bn: each figure was
    rounded on its own. The three are now printed as the status memo prints a counter
    beside our next offer (`figures.usd_change`): $89.012bn, $77.977bn, -$11.035bn."""
    out = tmp_path / "redline.md"
    done = run(
        "redline", shipped / "packages/ae-offer.yaml", shipped / "rounds/gulf-asia/AE/003-us.yaml",
        "--portfolio", shipped / "portfolios/gulf-asia.yaml", "--audience", "internal",
        "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    text = out.read_text("utf-8")
    assert "| US utility | $89.012bn | $77.977bn | -$11.035bn |" in text
    table = text.split("## What the whole change moves (internal)")[1].split("\n\n")[1]
    for row in table.splitlines()[2:]:
        label, old, new, change = (c.strip() for c in row.strip("|").split("|"))
        if "$" in old:
            assert round(printed_usd(new) - printed_usd(old)) == round(printed_usd(change)), row
