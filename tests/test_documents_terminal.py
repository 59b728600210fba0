"""Terminal output a person can read (issue 12, item 7): 80 columns, compact when narrower."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.limit import grouped_messages as group_binding
from golden.support import DEMO_PORTFOLIO
from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
ROUNDS = REPO / "deals" / "rounds" / "gulf-asia"


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


def test_a_limit_broken_in_every_period_is_one_line(run: Runner, tmp_path: Path) -> None:
    """A counter over a cap in every quarter listed one line per quarter (24 lines for a
    cap and an ask over twelve quarters, in the verdict, `evaluate` and the documents):
    each ask or cap is one line now, with its periods."""
    import yaml

    from dealbench.limit import Limit, broken_messages

    package = yaml.safe_load((ROUNDS / "AE" / "004-partner.yaml").read_text())["package"]
    package["compute"] = {t: 3_000_000 for t in package["compute"]}
    package["security"] = "baseline"
    counter = tmp_path / "ae-over.yaml"
    counter.write_text(yaml.safe_dump(package))
    r = run("evaluate", counter, "--portfolio", GULF)
    assert r.exit_code == 3, r.output
    text = " ".join(r.stdout.split())
    assert (
        "AE: compute of 3,000,000 H100e in each of 2026, 2027 and 2028 exceeds the tier 2 cap "
        "under baseline of 25,000 H100e"
    ) in text
    assert "2027 compute 3,000,000" not in text
    over = [
        Limit(kind="cap", partner="AE", period=t, message=f"AE: {t} compute {x} H100e exceeds "
              "the tier 2 cap under veu of 50,000 H100e")
        for t, x in [("2026Q1", "60,000"), ("2026Q2", "55,000")]
    ]  # fmt: skip
    assert broken_messages(over) == [
        "AE: compute exceeds the tier 2 cap under veu of 50,000 H100e in 2026Q1 (60,000 H100e) "
        "and 2026Q2 (55,000 H100e)"
    ]
    assert broken_messages(over[:1]) == [over[0].message]
