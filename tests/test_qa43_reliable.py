"""Reliability as a user meets it (qa43-reliable): what a failed or refused write says.

Each test failed before its fix: a first run into a new folder on a full disk said "the
previous result is left as it was" of a result never written; a folder holding several
files of the user's under the names dealbench writes was refused one file at a time; and a
round recorded before its documents failed (or were stopped) said nothing of the round on
stdout, nor how to write the documents without recording another round.
"""

from __future__ import annotations

import errno
import os
import shlex
from pathlib import Path

import pytest

from dealbench import io
from dealbench.output_errors import OutputError, OutputExistsError
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file staged fails as on a full disk (ENOSPC)."""

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(io, "write_synced", full)


def test_a_first_write_on_a_full_disk_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_disk(monkeypatch)
    out = tmp_path / "out"
    with pytest.raises(OutputError) as failed:
        io.OutputDir(out, replace=True).publish({"result.json": "{}", "term-sheets/AE.md": "x"})
    assert str(failed.value).endswith("the disk is full; nothing written")
    assert "previous result" not in str(failed.value)  # there was none
    assert not out.exists()
    assert os.listdir(tmp_path) == []  # no staging folder left either


def test_a_full_disk_over_a_previous_result_still_says_it_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    io.OutputDir(out, replace=True).publish({"result.json": "1"})
    _full_disk(monkeypatch)
    with pytest.raises(OutputError) as failed:
        io.OutputDir(out, replace=True).publish({"result.json": "2"})
    assert str(failed.value).endswith("the disk is full; the previous result is left as it was")
    assert (out / "result.json").read_text() == "1"


def test_every_file_of_the_users_in_the_way_is_named_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "term-sheets").mkdir(parents=True)
    mine = {"result.json": "mine", "term-sheets/AE.md": "my notes", "term-sheets/SA.md": "mine"}
    for name, text in mine.items():
        (out / name).write_text(text)
    files = {**mine, "term-sheets/QA.md": "new"}
    with pytest.raises(OutputExistsError) as refused:
        io.OutputDir(out, replace=True).publish({k: "dealbench's" for k in files})
    said = str(refused.value)
    for name in mine:
        assert f"{out / name}" in said
    assert "exist and were not written by dealbench" in said
    assert "they are left as they are (pass force=True to overwrite them)" in said
    assert {n: (out / n).read_text() for n in mine} == mine  # nothing overwritten
    assert not (out / "term-sheets/QA.md").exists()  # nor anything written
    with pytest.raises(OutputExistsError) as checked:  # the check before a solve, alike
        io.OutputDir(out).check(files)
    assert str(checked.value) == said


def test_one_file_in_the_way_is_said_as_before(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.json").write_text("mine")
    done = run("solve", PORTFOLIO, "--out", out)
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {out}/result.json exists and was not written by dealbench, or was edited "
        "since; it is left as it is (use --force to overwrite it)\n"
    )


def test_an_offer_whose_documents_fail_has_said_its_round_and_how_to_write_them(
    run: Runner, rounds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The round is said on stdout before its documents are written (a PDF takes seconds:
    a command killed meanwhile had said nothing of the round on disk), and a failure names
    the command that writes its term sheets without recording another round."""
    out = tmp_path / "docs"
    with monkeypatch.context() as patched:
        _full_disk(patched)
        done = run(
            "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--out", out,
            "--date", "2026-03-23",
        )  # fmt: skip
    assert done.exit_code == 1, done.output
    assert not done.traceback
    assert done.stdout.startswith(f"Recorded round 5: {rounds}/AE/005-us.yaml\nStrategy: ")
    assert "US utility" in done.stdout  # the offer's figures too
    lines = done.stderr.splitlines()
    assert lines[0] == f"Recorded round 5: {rounds}/AE/005-us.yaml; its documents were not written:"
    assert lines[1] == f"error: cannot write into {out}: the disk is full; nothing written"
    assert lines[2].startswith("note: the round stands (running the command again records round 6)")
    command = lines[2].split("`")[1]
    assert command.startswith("dealbench render ")
    again = run(*shlex.split(command)[1:])  # the disk mended: the term sheet, as offer names it
    assert again.exit_code == 0, again.output
    assert (out / "term-sheets/AE-offer-005.md").is_file()
    assert sorted(p.name for p in (rounds / "AE").glob("*.yaml"))[-1] == "005-us.yaml"


def test_a_counter_and_a_conclusion_say_their_round_before_their_documents(
    run: Runner, rounds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "docs"
    _full_disk(monkeypatch)
    counter = run(
        "counter", PORTFOLIO, REPO / "deals/packages/ae-counter.yaml", "--partner", "AE",
        "--rounds", rounds, "--out", out, "--date", "2026-03-27",
    )  # fmt: skip
    assert counter.exit_code == 1, counter.output
    assert counter.stdout.startswith(f"Recorded round 5: {rounds}/AE/005-partner.yaml")
    assert "Verdict on round 5" in counter.stdout
    assert "dealbench render " in counter.stderr
    concluded = run(
        "conclude", PORTFOLIO, "--partner", "AE", "--round", "4", "--rounds", rounds,
        "--out", out, "--date", "2026-03-30",
    )  # fmt: skip
    assert concluded.exit_code == 1, concluded.output
    assert concluded.stdout.startswith(f"Recorded round 6: {rounds}/AE/006-us.yaml (concluded")
    assert "records round 7" in concluded.stderr
