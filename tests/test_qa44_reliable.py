"""Reliability as a new user meets it (qa44-reliable): a closed terminal (SIGHUP) stops a
command as SIGTERM does, a full disk is found before the solve, `--json` answers every
"no" on stdout, and what the text output says the JSON says too."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO

#: A command's process (`dealbench.command.main`, as the installed script runs it) whose
#: first fsync (the round's hidden temporary file, written and synced before it is
#: linked to its name) is followed by a SIGHUP to itself: the terminal closing then.
_HANG_UP_AT_FSYNC = textwrap.dedent(
    """
    import os, signal, sys
    # As a terminal starts the command (SIGHUP at its default, whatever this test's own
    # runner ignores: a CI job started under `nohup` passes SIG_IGN down), or as `nohup` does.
    hangup = signal.SIG_IGN if sys.argv[1] == "nohup" else signal.SIG_DFL
    signal.signal(signal.SIGHUP, hangup)
    real = os.fsync
    def fsync(fd):
        real(fd)
        os.kill(os.getpid(), signal.SIGHUP)
    os.fsync = fsync
    from dealbench.command import main
    sys.argv = ["dealbench", *sys.argv[2:]]
    main()
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
@pytest.mark.parametrize("started", ["terminal", "nohup"])
def test_a_closed_terminal_leaves_no_hidden_round_file(tmp_path: Path, started: str) -> None:
    """A terminal closed while `walk-away` wrote its round killed the command where it
    stood (Python's default for SIGHUP): the round's hidden temporary file
    (`.001-us.yaml.<hex>.tmp`) stayed in the rounds folder, and nothing was said. SIGHUP is
    now taken as SIGTERM is: the file is removed, "hung up" said, exit 129 (128 + 1, as a
    shell reports it). Started under `nohup` (SIGHUP ignored), the command goes on."""
    rounds = tmp_path / "rounds"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [
            *(sys.executable, "-c", _HANG_UP_AT_FSYNC, started, "walk-away"),
            *(str(REPO / "deals/portfolios/gulf-asia.yaml"), "--partner", "AE"),
            *("--rounds", str(rounds), "--date", "2026-03-01"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    left = sorted(p.name for p in (rounds / "AE").iterdir() if p.name != ".dealbench-lock")
    if started == "nohup":
        assert (done.returncode, left) == (0, ["001-us.yaml"]), done.stderr
        return
    # The round is recorded whole (its link to its name is held) and said, or not at all.
    assert (done.returncode, left) == (129, ["001-us.yaml"]), done.stderr
    assert done.stderr.splitlines() == [
        "hung up",
        f"note: the walk-away was recorded as round 1 ({rounds}/AE/001-us.yaml) before the "
        "command was interrupted (see `dealbench history`)",
    ]


def test_sighup_held_like_sigterm_and_raised_with_its_signal() -> None:
    """Steps done whole or not at all (files renamed into place) hold SIGHUP as they hold
    Ctrl-C and SIGTERM, and raise it once done, as the SIGHUP it was."""
    from dealbench.errors import Terminated, raise_terminated, stops_held

    before = signal.signal(signal.SIGHUP, raise_terminated)
    try:
        with pytest.raises(Terminated) as stopped, stops_held() as came:
            os.kill(os.getpid(), signal.SIGHUP)
            assert came()
        assert stopped.value.signum == signal.SIGHUP
    finally:
        signal.signal(signal.SIGHUP, before)


def _full_disk_under(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Every byte written to a file under `folder` fails as on a full disk (ENOSPC), where
    making a folder or an empty file there still succeeds: a full tmpfs or ext4."""
    real = os.write

    def write(fd: int, data: Any) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(str(folder)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc/self/fd")


@needs_proc
def test_a_full_disk_under_the_rounds_folder_is_refused_before_the_offer_is_solved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Any
) -> None:
    """`offer --rounds full/rounds` on a full tmpfs solved for four seconds and then said
    "cannot record round 1 as full/rounds/AE/001-us.yaml: the disk is full": the probe
    of the rounds folder made a folder, which takes no room a full disk lacks. It writes a
    page now, and a full disk is said before any work, as the write says it (exit 1)."""
    full = tmp_path / "full"
    full.mkdir()
    _full_disk_under(monkeypatch, full)
    from dealbench.negotiate import record

    plans: list[object] = []  # the plan's solves, the work the refusal comes before
    monkeypatch.setattr(record, "replan", lambda *a, **k: plans.append(a))
    result = run(
        "offer", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "AE",
        "--rounds", full / "rounds", "--date", "2026-03-23", "--no-documents",
    )  # fmt: skip
    assert (result.exit_code, result.stdout, result.traceback) == (1, "", "")
    assert result.stderr == (
        f"error: cannot record round 1 in {full}: the disk is full; nothing written\n"
    )
    assert plans == []
    assert os.listdir(full) == []  # the probe removed, no rounds folder made


@needs_proc
def test_a_full_disk_under_out_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output folder's check (`OutputDir.check_target`, before the solve) finds a full
    disk; it found it only when the files were written, after the solve."""
    from dealbench import io
    from dealbench.output_errors import OutputError

    _full_disk_under(monkeypatch, tmp_path)
    with pytest.raises(OutputError) as refused:
        io.OutputDir(tmp_path / "out").check_target()
    assert str(refused.value) == (
        f"cannot write into {tmp_path / 'out'}: the disk is full; nothing written"
    )
    assert os.listdir(tmp_path) == []


def test_offer_json_says_its_no_on_stdout_as_solve_json_does(
    deals: Path, tmp_path: Path, run: Any
) -> None:
    """`offer --json` printed nothing on stdout when no package could be offered (exit 3),
    the reason on stderr only, where `solve --json` prints a status object: a script
    reading the answer met an empty stream. It prints the same object now, and records
    nothing."""
    sg = deals / "partners/sg.yaml"
    sg.write_text(re.sub(r"(?m)^batna: .*$", "batna: 900bn", sg.read_text()))
    solo = deals / "portfolios/solo.yaml"
    rounds = tmp_path / "rounds"
    offered = run("offer", solo, "--partner", "SG", "--rounds", rounds, "--json")
    solved = run("solve", solo, "--require-deal", "SG", "--json")
    assert (offered.exit_code, solved.exit_code) == (3, 3), offered.output + solved.output
    said = json.loads(offered.stdout)
    assert said["status"] == json.loads(solved.stdout)["status"] == "infeasible"
    assert said["message"].startswith("no offer can be made to SG")
    assert offered.stderr == f"error: {said['message']}\n"  # the same words on both
    assert not (rounds / "SG").exists() or not list((rounds / "SG").glob("*.yaml"))


def test_solve_json_lists_the_uncertain_figures_its_text_notes(run: Any) -> None:
    """`solve` of a portfolio whose figures are distributions notes on stderr that it used
    their means; `solve --json` said it on stderr only, where a script reads stdout. It
    lists them under `uncertain`, one object per figure with the sentence the text says."""
    uncertain = run("solve", REPO / "deals/portfolios/gulf-asia-uncertain.yaml", "--json")
    assert uncertain.exit_code == 0, uncertain.output
    listed = json.loads(uncertain.stdout)["uncertain"]
    noted = [
        line.removeprefix("note: ")
        for line in uncertain.stderr.splitlines()
        if "deterministic results use its mean" in line
    ]
    assert [u["message"] for u in listed] == noted and len(noted) == 6
    assert listed[0] == {
        "partner": "AE",
        "field": "batna",
        "distribution": "uniform 6bn to 10bn",
        "mean": 8e9,
        "message": noted[0],
    }
    certain = run("solve", REPO / "deals/portfolios/gulf-asia.yaml", "--json")
    assert json.loads(certain.stdout)["uncertain"] == []


def test_a_file_in_the_way_of_the_rounds_folder_is_named_as_a_file(
    tmp_path: Path, run: Any
) -> None:
    """`walk-away --rounds afile/sub` said "afile: Not a directory, so round 1 with AE cannot
    be recorded here; nothing written. Make the folder writable, ...": no permission
    helps a file where a folder goes. It says what is in the way, as --out says it."""
    (tmp_path / "afile").write_text("notes\n")
    result = run(
        "walk-away", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "AE",
        "--rounds", tmp_path / "afile/sub",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert result.stderr == (
        f"error: {tmp_path / 'afile'}: is a file, so round 1 with AE cannot be recorded under "
        "it; nothing written. Move it away, or record elsewhere (the commands' --rounds)\n"
    )
    assert (tmp_path / "afile").read_text() == "notes\n"
