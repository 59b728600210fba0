"""Session 43 (qa43-tables): what a negotiator's terminal shows at 80 columns."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from dealbench.cli.output import print_table
from helpers import REPO, invoke, words

DEALS = REPO / "deals"


def _lines(out: str) -> list[str]:
    return [line.rstrip() for line in out.splitlines()]


def test_improves_ranking_keeps_concession_ids_whole_at_80_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`improve` on SA's first round printed "compliance-monitori / ng" and
    "humain-us-campus=5b / n" at 80 columns: Rich narrowed the id column as much as the
    prose Note beside it. The notes now wrap at their spaces and the ids stay whole."""
    monkeypatch.setenv("COLUMNS", "80")
    run = invoke(
        [
            "improve",
            DEALS / "rounds/gulf-asia/SA/001-us.yaml",
            "--portfolio",
            DEALS / "portfolios/gulf-asia.yaml",
        ]
    )
    assert run.exit_code == 0, run.output
    for id_ in ("compliance-monitoring", "humain-us-campus=5bn", "humain-us-campus=10bn"):
        assert f"│ {id_} " in run.stdout
    assert max(len(line) for line in _lines(run.stdout)) <= 80


def test_a_table_that_cannot_keep_an_id_whole_breaks_it_after_a_hyphen() -> None:
    """Where no width keeps a long id whole, it breaks after a hyphen or '=' (the
    reader sees "compliance-" / "monitoring"), never inside a word, and the table keeps
    to the terminal."""
    out = Console(width=40, file=StringIO(), highlight=False, soft_wrap=False)
    table = Table(title="Concessions")
    table.add_column("Concession")
    table.add_column("US value", justify="right")
    table.add_column("Note")
    table.add_row("compliance-monitoring", "$2.00bn", "requires kyc or stronger")
    table.add_row("humain-us-campus=5bn", "$750.0m", "excludes mirror-data-centres")
    print_table(out, table)
    said = out.file.getvalue()  # type: ignore[attr-defined]
    cells = [part.strip() for line in _lines(said) for part in line.split("│")]
    assert "compliance-" in cells and "monitoring" in cells
    assert "humain-us-" in cells and "campus=5bn" in cells
    # The note breaks after a hyphen too, as many pieces on a line as fit (session 44: the
    # table in the fewest lines, its note the wider for a figure's head on two lines).
    assert "mirror-data-" in cells and "centres" in cells
    assert "$2.00bn" in cells and "$750.0m" in cells
    assert max(len(line) for line in _lines(said)) <= 40


def test_the_frontier_step_note_does_not_call_an_epsilon_constraint_frontier_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The note under an ε-constraint frontier said "the points of the exact curves are
    not rounded", as if the method were `exact`; it now says where the points come from:
    the partner's curves, read off unrounded."""
    monkeypatch.setenv("COLUMNS", "80")
    run = invoke(
        ["frontier", DEALS / "portfolios/gulf-asia.yaml", "--partner", "SA", "--points", "8"]
    )
    assert run.exit_code == 0, run.output
    said = words(run.stdout)
    assert "Method: epsilon-constraint" in said
    assert "exact curves" not in said
    assert "the points read off the partner's curves are not rounded" in said


def test_an_offers_strategy_line_keeps_to_80_columns(
    rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`offer gulf-asia.yaml --partner AE` printed "Strategy: linear; target US utility
    $72.43bn (ideal $88.98bn, reservation $9.70bn)" on one line of 82 columns, the only
    line of its answer past 80 (the reason under it was wrapped)."""
    monkeypatch.setenv("COLUMNS", "80")
    portfolio = DEALS / "portfolios/gulf-asia.yaml"
    run = invoke(["offer", portfolio, "--partner", "AE", "--rounds", rounds, "--no-documents"])
    assert run.exit_code == 0, run.output
    lines = _lines(run.stdout)
    start = next(i for i, line in enumerate(lines) if line.startswith("Strategy: "))
    assert all(len(line) <= 80 for line in lines[start:])
    assert (
        "Strategy: linear; target US utility $72.43bn (ideal $88.98bn, reservation $9.70bn)"
        in words(run.stdout)
    )


@pytest.mark.parametrize("command", ["improve", "frontier"])
def test_improve_and_frontier_follow_the_terminals_width(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`improve` and `frontier` printed to a console fixed at 80 columns: at 60 their tables
    ran 20 columns past the terminal, at 120 the ranking still folded its ids. They now
    print to the terminal as the other commands do, narrowed as far as their figures let
    them (62 columns here)."""
    portfolio = DEALS / "portfolios/gulf-asia.yaml"
    args = (
        ["improve", DEALS / "rounds/gulf-asia/SA/001-us.yaml", "--portfolio", portfolio]
        if command == "improve"
        else ["frontier", portfolio, "--partner", "SA", "--points", "3"]
    )
    widths = {}
    for columns in (60, 80):
        monkeypatch.setenv("COLUMNS", str(columns))
        run = invoke(args)
        assert run.exit_code == 0, run.output
        widths[columns] = max(len(line) for line in _lines(run.stdout))
    assert widths[60] < 70 and widths[80] <= 80
