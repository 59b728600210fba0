"""An --out that cannot be a folder is refused before the solve, not after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.mark.parametrize(
    "command",
    [
        ["solve", GULF],
        ["compare", GULF, "--jobs", "1", "--regimes", "monopoly,repeal"],
        [
            "sweep",
            GULF,
            "--param",
            "policy.risk_penalty_per_h100e",
            "--from",
            "20k",
            "--to",
            "40k",
            "--steps",
            "2",
            "--jobs",
            "1",
        ],
    ],
)
def test_an_out_under_a_file_is_refused_before_any_solve(
    run: Runner, tmp_path: Path, command: list[str | Path]
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("the user's notes\n")
    r = run(*command, "--out", blocker / "out")
    assert r.exit_code == 2 and not r.traceback
    assert "is a file, so" in r.stderr
    assert r.stdout == ""  # no result printed: nothing was solved
    assert blocker.read_text() == "the user's notes\n"


def test_demo_refuses_an_out_under_a_file_before_it_solves(run: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("the user's notes\n")
    r = run("demo", "--out", blocker)
    assert r.exit_code == 2 and not r.traceback
    assert "is a file; expected a folder to write into" in r.stderr
    assert r.stdout == ""  # no result printed: nothing was solved
    assert "Rendering" not in r.stderr
    assert blocker.read_text() == "the user's notes\n"


COMPARE = ["compare", GULF, "--jobs", "1", "--regimes", "monopoly"]
SWEEP = ["sweep", GULF, "--param", "policy.risk_penalty_per_h100e", "--from", "20k", "--to", "40k",
         "--steps", "2", "--refine", "0", "--jobs", "1"]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["solve", GULF], "result.json"),
        (["demo"], "result.json"),
        (COMPARE, "comparison.json"),
        (SWEEP, "sweep.json"),
    ],
)
def test_a_users_file_the_command_always_writes_is_refused_before_any_solve(
    run: Runner, tmp_path: Path, command: list[str | Path], name: str
) -> None:
    """The file every run of the command writes (result.json, comparison.json, sweep.json)
    is the user's own in --out: the refusal comes first, not after the solves it would
    waste, and the file is left as it is; --force lets the run through."""
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text("the user's own\n")
    r = run(*command, "--out", out)
    assert r.exit_code == 2 and not r.traceback
    assert f"{name} exists and was not written by dealbench" in r.stderr
    assert r.stdout == ""  # nothing was solved
    assert (out / name).read_text() == "the user's own\n"


def test_render_of_a_package_that_breaks_limits_warns_with_each_limit(
    run: Runner, tmp_path: Path
) -> None:
    package = tmp_path / "ae.yaml"
    package.write_text(
        "partner: AE\nsecurity: veu\ncompute: {2026: 5_000_000}\nconcessions: {invest-us: 1400bn}\n"
    )
    r = run("render", package, "--portfolio", GULF, "--out", tmp_path / "out", "--format", "md")
    assert r.exit_code == 0 and not r.traceback  # a counter that breaks a cap is a document
    assert "AE's package breaks 3 limits" in r.stderr  # its ask, its cap, and the supply
    assert "exceeds the tier 2 cap" in r.stderr and (tmp_path / "out/term-sheets").is_dir()
    assert "supply in 2026: 5,000,000 H100e allocated, 1,000,000 available" in r.stderr
    fine = run("render", REPO / "deals/packages/ae-offer.yaml", "--portfolio", GULF,
               "--out", tmp_path / "out2", "--format", "md")  # fmt: skip
    assert fine.exit_code == 0 and "warning" not in fine.stderr
