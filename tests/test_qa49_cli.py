"""Session 49 (qa49-cli): the frontier's closing lines wrapped with a hanging indent,
`validate` of a bare name, the library's counts checked as `solve` checks them, a stopped
regime's deal count in `compare --json`, the refusal of a round another command recorded
first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import dealbench
from dealbench.errors import ArgumentError, InputError
from dealbench.negotiate.rounds.negotiation import RoundFile
from dealbench.negotiate.rounds.read import load_negotiation
from dealbench.negotiate.rounds.write import append_round
from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def test_the_frontiers_long_closing_lines_wrap_with_a_hanging_indent(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns the "Method:" line (and the Nash bound's, tau's) went on at the left
    margin, read as a line of its own, where the step notes above hung theirs."""
    monkeypatch.setenv("COLUMNS", "80")
    done = run("frontier", GULF, "--partner", "AE", "--points", "3")
    assert done.exit_code == 0, done.output + done.traceback
    lines = done.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("Method:", "Nash bound:"))]
    assert len(starts) == 2
    for i in starts:
        assert len(lines[i]) <= 80
        assert lines[i + 1].startswith("  "), lines[i : i + 2]
        assert not lines[i].rstrip().endswith(")"), lines[i]  # it did wrap here


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ae", "deals/partners/ae.yaml"),
        ("gulf-asia", "deals/portfolios/gulf-asia.yaml"),
        ("monopoly", "deals/policy/monopoly.yaml"),
        ("ae-offer", "deals/packages/ae-offer.yaml"),
    ],
)
def test_validate_of_a_bare_name_names_the_file_meant(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch, typed: str, meant: str
) -> None:
    """`validate ae` said "ae: file not found" alone, where `solve gulf-asia` named the
    portfolio's file: validate takes a file of any kind, looked for in each folder."""
    monkeypatch.chdir(deals.parent)
    done = run("validate", typed)
    assert done.exit_code == 2
    assert done.stderr == f"error: {typed}: file not found; did you mean {meant}?\n"


def test_a_numpy_count_of_points_is_a_whole_number_and_a_bad_one_is_quoted() -> None:
    """`frontier(points=np.int64(3))` was refused as `jobs=np.int64(1)` and `threads` are
    not (session 48), and a refused count was not quoted."""
    pf = dealbench.load_portfolio(REPO / "tests/data/tiny/portfolio.yaml")
    code = pf.partners[0].code
    assert len(dealbench.frontier(pf, code, points=np.int64(3)).points) >= 3
    with pytest.raises(ArgumentError, match=r"^points: expected a number 2-1000 or 'all', not 1$"):
        dealbench.frontier(pf, code, points=1)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("threads", 0, "threads: expected at least 1 thread, got 0"),
        ("gap", 2.0, "gap: expected a relative gap"),
        ("mode", "best", "mode: unknown mode 'best'"),
        ("warm", "no", "warm: expected True or False"),
    ],
)
def test_solve_options_are_checked_when_made(field: str, value: object, said: str) -> None:
    """`SolveOptions(threads=0)` checked its time limit and solver only: the rest were
    refused by a sweep's first solve, or never (`warm="no"`)."""
    from dealbench.analyze.solves import SolveOptions

    with pytest.raises(ArgumentError, match=f"^{said}"):
        SolveOptions(**{field: value})  # type: ignore[arg-type]


def test_compare_json_gives_no_deal_count_for_a_regime_stopped_before_any(
    run: Runner, deals: Path
) -> None:
    """A regime the time limit stopped before any deal said `deals: 0` beside `us_value:
    null`: no deal, where nothing was found."""
    done = run(
        "compare", deals / "portfolios/global.yaml", "--time-limit", "0.001", "-j", "1", "--json"
    )
    rows = json.loads(done.stdout)["regimes"]
    stopped = [r for r in rows if r["us_value"] is None]
    assert stopped, rows
    assert all(r["deals"] is None for r in stopped), stopped


def test_a_round_recorded_first_by_another_command_is_named(tmp_path: Path) -> None:
    """The refusal named the file this command would have written (it does not exist) and
    said "run the command again", though the other round may make this one unwanted."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    pf = dealbench.load_portfolio(deals / "portfolios/gulf-asia.yaml")
    stale = load_negotiation(pf, deals / "rounds/gulf-asia", "AE")
    last = stale.rounds[-1]
    counter = RoundFile(round=5, side="partner", basis=last.name, package=last.package)
    append_round(pf, stale, counter)
    offer = RoundFile(round=5, side="us", basis=last.name, package=last.package)
    with pytest.raises(InputError) as refused:
        append_round(pf, stale, offer)
    issue = refused.value.issues[0]
    assert issue.file.endswith("AE/005-partner.yaml")
    assert "while this one made round 5 (the offer); nothing written" in issue.message
    assert "dealbench history" in issue.message
    assert "still wanted (as round 6)" in issue.message
    assert not (deals / "rounds/gulf-asia/AE/005-us.yaml").exists()


def test_a_bargaining_points_message_wraps_as_the_lines_above_it(
    run: Runner, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve --mode nash`'s "nash: the Nash product is within a factor ..." line was echoed
    whole, past the terminal's edge, below lines wrapped to it."""
    monkeypatch.setenv("COLUMNS", "60")
    done = run("solve", tiny, "--mode", "nash")
    assert done.exit_code == 0, done.output + done.traceback
    lines = done.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("nash: "))
    assert len(lines[at]) <= 60
    assert lines[at + 1].startswith("  "), lines[at : at + 2]
