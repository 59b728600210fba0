"""Many deals at once, at the scale the policy implies (qa12-scale).

The pass ran a long campaign on the synthetic M portfolio (50 partners, 10 concessions,
12 quarters): offers, counters, conclusions and walk-aways with 34 partners over 3 to 8
rounds each, then the room, history, frontier and the analyses. Each test here is the
smallest instance that showed a fault: a generated portfolio of 14 partners over 12
quarters (`synth.Size`), solved in about a second.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from dealbench.synth import Size, generate, write_yaml
from helpers import Runner

#: 14 partners x 3 concessions x 3 levels x 12 quarters: M's periods, few partners.
QUARTERS = Size("Q", 14, 3, 3, 12)


@cache
def _portfolio_file(folder: Path) -> Path:
    return write_yaml(generate(QUARTERS, seed=3), folder)


@pytest.fixture
def quarters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portfolio's YAML (written once per session)."""
    return _portfolio_file(tmp_path_factory.getbasetemp() / "qa12-quarters")


# --- solve's table: the periods when they fit, else the totals ------------------------------


@pytest.mark.parametrize("width", [80, 120])
def test_solve_over_twelve_quarters_prints_totals_rather_than_cut_figures(
    run: Runner, monkeypatch: pytest.MonkeyPatch, quarters: Path, width: int
) -> None:
    """Twelve quarters of compute need 142 columns. At 80 or 120 every figure was cut to
    its first characters ('119,5…', '$49.33…', a header 'Partn…'): the table switched
    to its compact form (total compute) only below 80 columns, whatever the number of
    periods. Now it switches whenever the periods do not fit."""
    monkeypatch.setenv("COLUMNS", str(width))
    r = run("solve", quarters)
    assert r.exit_code == 0, r.stderr
    assert "…" not in r.stdout
    assert "Total" in r.stdout and "2026Q1" not in r.stdout.split("Concessions granted")[0]
    assert max(len(line) for line in r.stdout.splitlines()) <= width


def test_solve_over_twelve_quarters_prints_them_when_they_fit(
    run: Runner, monkeypatch: pytest.MonkeyPatch, quarters: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    r = run("solve", quarters)
    assert r.exit_code == 0, r.stderr
    assert "…" not in r.stdout
    assert "2028Q4" in r.stdout and "Total" not in r.stdout
