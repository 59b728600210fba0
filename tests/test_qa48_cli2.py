"""Session 48 (qa48-cli2): an option's value left off at the end, a portfolio named by its
id, a `--set` path given twice, negative figures quoted, `--robust`'s closing lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import Runner


@pytest.mark.parametrize("option", ["--partner", "-p"])
def test_an_options_value_left_off_at_the_end_is_said_in_the_tools_form(
    run: Runner, deals: Path, option: str
) -> None:
    """`frontier PF --partner` said Click's "Option '--partner' requires an argument"."""
    done = run("frontier", deals / "portfolios" / "solo.yaml", option)
    assert done.exit_code == 2
    assert done.stderr == f"error: {option}: expected its value\n", done.stderr


@pytest.mark.parametrize("typed", ["gulf-asia", "gulf-asia.yaml"])
def test_a_portfolio_named_by_its_id_names_its_file(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """`solve gulf-asia` said "gulf-asia: file not found" and no file meant."""
    monkeypatch.chdir(deals.parent)
    done = run("solve", typed)
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {typed}: file not found; did you mean deals/portfolios/gulf-asia.yaml?\n"
    ), done.stderr


def test_a_set_path_given_twice_has_each_value_checked(run: Runner, deals: Path) -> None:
    """`--set X=abc --set X=3bn` solved with 3bn and never read `abc`."""
    pf = deals / "portfolios" / "solo.yaml"
    path = "partners.SG.batna"
    done = run("solve", pf, "--set", f"{path}=abc", "--set", f"{path}=3bn", "--json")
    assert done.exit_code == 2
    assert f"error: --set: {path}: " in done.stderr
    assert "got 'abc'" in done.stderr


def test_a_set_path_given_twice_keeps_the_last_value(run: Runner, deals: Path) -> None:
    """Guard: both values good, the last is the one the run uses and records."""
    pf = deals / "portfolios" / "solo.yaml"
    path = "partners.SG.batna"
    twice = run("solve", pf, "--set", f"{path}=1bn", "--set", f"{path}=3bn", "--json")
    once = run("solve", pf, "--set", f"{path}=3bn", "--json")
    assert twice.exit_code == once.exit_code == 0, twice.stderr
    solved = [json.loads(done.stdout) for done in (twice, once)]
    assert solved[0]["overrides"] == solved[1]["overrides"] == [f"{path}=3bn"]
    assert solved[0]["objective"] == solved[1]["objective"]


@pytest.mark.parametrize(
    ("file", "says"),
    [
        ("negative-cap/policy.yaml", "caps.tier2.baseline: a cap cannot be negative, got -10_000"),
        ("negative-value/partner.yaml", "a value per H100e cannot be negative, got -30k"),
    ],
)
def test_a_negative_figure_is_quoted_as_typed(
    run: Runner, data: Path, monkeypatch: pytest.MonkeyPatch, file: str, says: str
) -> None:
    monkeypatch.chdir(data / "bad")
    done = run("validate", file)
    assert done.exit_code == 2
    assert says in done.stderr, done.stderr


def test_robust_closing_lines_wrap_indented(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve --robust`'s sentences under its table wrapped to the left edge, where every
    other wrapped line of the tool is indented two spaces."""
    monkeypatch.setenv("COLUMNS", "60")
    pf = deals / "portfolios" / "gulf-asia-uncertain.yaml"
    done = run("solve", pf, "--robust", "0.9", "--samples", "200")
    assert done.exit_code == 0, done.stderr
    closing = done.stdout[done.stdout.index("Robust to 90%") :].splitlines()
    starts = re.compile(r"(Robust to|Expected US value|In \d+ fresh sample|  \S)")
    assert len(closing) > 3
    assert all(starts.match(line) for line in closing), closing


def test_a_wrong_set_path_given_twice_is_said_once(run: Runner, deals: Path) -> None:
    pf = deals / "portfolios" / "solo.yaml"
    done = run("solve", pf, "--set", "partners.XX.batna=1bn", "--set", "partners.XX.batna=3bn")
    assert done.exit_code == 2
    assert done.stderr.count("no partner 'XX'") == 1, done.stderr
