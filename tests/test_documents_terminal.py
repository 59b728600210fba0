"""Terminal output a person can read (issue 12, item 7): 80 columns, compact when narrower."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.limit import grouped_messages as group_binding
from golden.support import DEMO_PORTFOLIO
from helpers import Runner


@pytest.mark.parametrize("width", [80, 60])
def test_solve_fits_the_terminal(run: Runner, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = run("solve", DEMO_PORTFOLIO)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert ("Total" in r.stdout) == (width < 80)  # compact: totals instead of periods
    assert "$-" not in r.stdout and "(s)" not in r.stdout
    assert "Binding: Supply is fully allocated in 2026, 2027 and 2028." in r.stdout
    assert len([line for line in lines if line.startswith("Binding:")]) <= 4


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "deals/portfolios/gulf-asia.yaml"),
        ("compare", "deals/portfolios/global.yaml"),
        ("room", "deals/portfolios/gulf-asia.yaml"),
        ("frontier", "deals/portfolios/gulf-asia.yaml", "--partner", "SA", "--points", "3"),
    ],
)
def test_a_narrow_terminal_never_cuts_a_figure_short(
    run: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """At 50 columns `solve` printed AE's US utility "$88.98…" and `compare` its exports
    "1,721,…": Rich cut cells to fit. Columns now wrap at spaces down to their longest
    word, and a table that cannot fit is printed whole, wider than the terminal."""
    monkeypatch.setenv("COLUMNS", "50")
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    assert "…" not in r.stdout
    wide = {"solve": "$88.98bn", "compare": "1,721,140", "room": "$77.98bn", "frontier": "174.04"}
    assert wide[args[0]] in r.stdout


def test_no_empty_table_when_nothing_is_concluded(
    run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    root = tmp_path / "deals"
    shutil.copytree(DEMO_PORTFOLIO.parents[1], root)
    path = root / "portfolios" / "gulf-asia.yaml"
    path.write_text(path.read_text().replace("bilateral.yaml", "monopoly.yaml"), encoding="utf-8")
    r = run("solve", path)
    assert r.exit_code == 0, r.stderr
    assert "No deal is concluded" in r.stdout
    assert "Partner" not in r.stdout and "───" not in r.stdout


def test_evaluate_uses_the_glossary_names(run: Runner, shipped: Path) -> None:
    r = run(
        "evaluate", shipped / "packages/ae-counter.yaml",
        "--portfolio", shipped / "portfolios/gulf-asia.yaml",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    for name in ("US value of concessions", "US utility", "US walk-away value", "Partner utility"):
        assert name in r.stdout
    assert "-$8.00bn" in r.stdout


def test_binding_limits_are_grouped_by_limit() -> None:
    lines = [
        "Supply in 2026 is fully allocated (1,000 H100e).",
        "Supply in 2027 is fully allocated (1,200 H100e).",
        "AE in 2027 receives the tier 2 cap under veu (600,000 H100e), less than its ask.",
        "AE in 2028 receives the tier 2 cap under veu (600,000 H100e), less than its ask.",
        "The risk budget is used up (10 risk-weighted H100e).",
    ]
    assert group_binding(lines) == [
        "Supply is fully allocated in 2026 and 2027.",
        "AE receives the tier 2 cap under veu (600,000 H100e) in 2027 and 2028, less than its ask.",
        "The risk budget is used up (10 risk-weighted H100e).",
    ]
