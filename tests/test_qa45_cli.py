"""Session 45 (qa45-cli): the command line as a negotiator types it in a hurry."""

from __future__ import annotations

import itertools
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from helpers import Runner


def _said(text: str) -> str:
    """stderr with its lines joined, as a reader reads a message Click wrapped."""
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("command", "before", "after"),
    [
        ("offer", (), ("AE",)),
        ("offer", ("AE",), ()),  # the code first, as a user says "offer AE"
        ("conclude", (), ("AE", "--round", "3")),
        ("walk-away", (), ("ae",)),
        ("history", (), ("AE",)),
        ("frontier", (), ("AE",)),
        ("counter", (), ("packages/ae-counter.yaml", "AE")),
    ],
)
def test_a_partner_code_given_as_an_argument_is_told_where_it_goes(
    run: Runner,
    shipped: Path,
    command: str,
    before: tuple[str, ...],
    after: tuple[str, ...],
) -> None:
    # `offer deals/portfolios/gulf-asia.yaml AE` said only "Missing option '--partner' /
    # '-p'" (counter: "Got unexpected extra argument(s) (AE)"), where evaluate explains
    # its argument order: every command that takes --partner says where the code goes,
    # with the line that runs.
    gulf = shipped / "portfolios/gulf-asia.yaml"
    words = [*before, str(gulf), *(str(shipped / w) if "/" in w else w for w in after)]
    said = run(command, *words)
    assert said.exit_code == 2 and not said.traceback, said
    text = _said(said.stderr)
    code = next(w for w in words if w.lower() == "ae")
    assert f"{code} is a partner code, given as an argument: {command} takes" in text, text
    rest = [w for w in words if w != code]
    assert f"(dealbench {command} {shlex.join(rest)} --partner AE)" in text, text


def test_the_line_a_misplaced_partner_is_told_runs(
    run: Runner, shipped: Path, rounds: Path
) -> None:
    # The line the message gives is the command, run as given with the code moved.
    gulf = shipped / "portfolios/gulf-asia.yaml"
    said = run("history", gulf, "AE", "--rounds", rounds)
    line = _said(said.stderr).rsplit("(dealbench ", 1)[1].removesuffix(")")
    assert run(*shlex.split(line)).exit_code == 0


def test_an_option_value_or_a_file_is_not_taken_for_a_partner_code(
    run: Runner, shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--note AE` is the note's, and a file called `ae` is a file: Click's own words stay.
    gulf = shipped / "portfolios/gulf-asia.yaml"
    said = run("offer", gulf, "--note", "AE")
    assert said.exit_code == 2
    assert _said(said.stderr).endswith("Error: Missing option '--partner' / '-p'."), said.stderr
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ae").write_text("")
    said = run("offer", gulf, "ae")
    assert "partner code" not in said.stderr, said.stderr


@pytest.mark.parametrize("apart", [("3bn",), ("=", "3bn"), ("=3bn",)])
def test_a_set_value_apart_from_its_path_is_told_to_join_them(
    run: Runner, shipped: Path, apart: tuple[str, ...]
) -> None:
    # `--set partners.AE.batna 3bn` said "Got unexpected extra argument(s) (3bn)", nothing
    # of --set; `offer` without --partner did not take `3bn` for a code either.
    gulf = shipped / "portfolios/gulf-asia.yaml"
    said = run("solve", gulf, "--set", "partners.AE.batna", *apart)
    assert said.exit_code == 2 and not said.traceback
    text = _said(said.stderr)
    assert "--set takes a path and its value as one word, PATH=VALUE" in text, text
    assert text.endswith("--set partners.AE.batna=3bn"), text


def test_a_set_value_apart_is_not_taken_for_a_partner_code(run: Runner, shipped: Path) -> None:
    gulf = shipped / "portfolios/gulf-asia.yaml"
    said = run("offer", gulf, "--set", "partners.AE.tier", "veu")
    assert said.exit_code == 2
    assert "partner code" not in said.stderr, said.stderr


@pytest.mark.parametrize(
    ("command", "extra"),
    [("evaluate", ("3",)), ("improve", ("3",)), ("redline", ("2", "3", "--out", "OUT"))],
)
def test_a_round_number_where_a_file_goes_is_told_the_round_file(
    run: Runner, shipped: Path, tmp_path: Path, command: str, extra: tuple[str, ...]
) -> None:
    # `evaluate 3 --portfolio ...` (as `--against 3` takes a round) said "3: file not found".
    words = [str(tmp_path / "out") if w == "OUT" else w for w in extra]
    said = run(command, *words, "--portfolio", shipped / "portfolios/gulf-asia.yaml")
    assert said.exit_code == 2 and not said.traceback
    number = int(words[0])
    assert _said(said.stderr) == (
        f"error: {number}: file not found: a round is named here by its file, not its number: "
        f"deals/rounds/<portfolio>/<CODE>/{number:03d}-<side>.yaml, its side us or partner "
        "(`dealbench history PORTFOLIO --partner CODE` lists the rounds)"
    ), said.stderr


def _command_names() -> list[str]:
    from dealbench.cli import app

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _command_names())
def test_help_examples_fit_80_columns_folded_between_options(name: str) -> None:
    # At 80 columns the terminal folded `evaluate --help`'s 99-character examples mid-path
    # (`deals/portfolios/gul` | `f-asia.yaml`): each is folded between options, its lines
    # joined by ` \`, and reads back as the example written.
    from dealbench.cli.app import app

    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    shown = result.stdout
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    written = [
        line.split("$ ", 1)[1] for line in (command.epilog or "").splitlines() if "$ " in line
    ]
    folded = shown.replace(" \\\n", " ")
    read = [" ".join(line.split()[1:]) for line in folded.splitlines() if "$ dealbench" in line]
    assert read == [" ".join(example.split()) for example in written]
    lines = shown.splitlines()
    for line, after in itertools.pairwise(lines):
        if line.endswith(" \\"):  # a fold goes before an option, never before its value
            value = not after.split()[0].startswith("-")
            assert not (value and line.split()[-2].startswith("--")), (line, after)
