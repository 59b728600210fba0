"""A new user's first hour, again (qa28-newuser): a fresh clone, `make demo`, every
`--help` example run as printed from the clone's root, the README's tour, and the next
steps a user takes."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.errors import InputError
from dealbench.negotiate import walk_away
from dealbench.shipped import DEALS
from helpers import REPO, Runner

SHIPPED_ROUNDS = REPO / "deals/rounds/gulf-asia"


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def shipped_rounds_kept() -> Iterator[set[Path]]:
    """The shipped rounds' files; whatever a failing test appends to them is removed."""
    before = _files(SHIPPED_ROUNDS)
    folders = {p for p in SHIPPED_ROUNDS.iterdir() if p.is_dir()}
    try:
        yield before
    finally:
        for extra in _files(SHIPPED_ROUNDS) - before:
            extra.unlink()
        for folder in {p for p in SHIPPED_ROUNDS.iterdir() if p.is_dir()} - folders:
            shutil.rmtree(folder)


def test_a_help_example_run_in_the_repository_does_not_append_to_the_shipped_rounds(
    run: Runner, monkeypatch: pytest.MonkeyPatch, shipped_rounds_kept: set[Path]
) -> None:
    """`dealbench walk-away deals/portfolios/gulf-asia.yaml --partner QA`, as `--help`
    prints it, run from a fresh clone's root appended round 1 to the tracked
    deals/rounds/gulf-asia (git status dirty; `history`, `room`, the README's outputs and
    the tests that read the shipped rounds changed with it, and no command removes a
    round). Now it records nothing there and says where to record instead."""
    monkeypatch.chdir(REPO)
    r = run("walk-away", "deals/portfolios/gulf-asia.yaml", "--partner", "QA")
    assert r.exit_code == 2, r.output
    assert not r.traceback
    assert "deals/rounds/gulf-asia: the example rounds dealbench ships" in r.stderr
    assert "nothing recorded" in r.stderr
    assert "dealbench demo" in r.stderr
    assert _files(SHIPPED_ROUNDS) == shipped_rounds_kept


def test_the_library_records_no_round_into_the_shipped_example_data(
    shipped_rounds_kept: set[Path],
) -> None:
    pf = load_portfolio(DEALS / "portfolios/gulf-asia.yaml")
    with pytest.raises(InputError, match="the example rounds dealbench ships"):
        walk_away(pf, DEALS / "rounds/gulf-asia", "BH")
    assert _files(SHIPPED_ROUNDS) == shipped_rounds_kept


def test_the_same_example_records_in_the_copy_the_demo_writes(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path)
    r = run("walk-away", "deals/portfolios/gulf-asia.yaml", "--partner", "QA")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "deals/rounds/gulf-asia/QA/001-us.yaml").is_file()


def test_make_serve_serves_a_copy_of_the_example_data() -> None:
    """`make serve` served the tracked deals/, into which the workbench recorded rounds
    (and now refuses to): it serves out/deals, a copy, made when missing."""
    plan = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "serve"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    served = [line for line in plan.splitlines() if "dealbench serve" in line]
    assert served and all(line.endswith("serve out/deals") for line in served), plan
    assert "cp -R deals out/deals" in plan
