"""Reliability under adversity (qa11-rel): the environment a real user's machine gives.

Each test failed before the fix it names in docs/decisions.md ("Reliability under
adversity (qa11-rel)"). Commands run as the user's shell runs them (a subprocess of
`python -m dealbench`) where the fault lies in the process: its streams, its signals,
its children.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers import DATA

TINY = DATA / "tiny" / "portfolio.yaml"


def _dealbench(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """`dealbench ARGS...` as a shell runs it (its own process, its real streams)."""
    return subprocess.run(
        [sys.executable, "-m", "dealbench", *map(str, args)], timeout=300, check=False, **kwargs
    )


def test_a_reader_that_stops_reading_does_not_stop_the_command(tmp_path: Path) -> None:
    """`solve --out out | head -1`: the summary is printed before the files are written,
    and the first write into the closed pipe ended the command (exit 1, nothing said),
    so out/ was never written. The pipe's reader is closed before the command starts:
    every write breaks."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = _dealbench(
            "solve", TINY, "--out", tmp_path / "out", stdout=write, stderr=subprocess.PIPE
        )
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode() == ""
    assert (tmp_path / "out" / "result.json").is_file()


def test_a_command_started_without_stdout_runs_and_writes_its_files(tmp_path: Path) -> None:
    """`dealbench solve ... --out out >&-` (a launcher that closed stdout): Python leaves
    sys.stdout None, and the solver's first call (silencing HiGHS's banner) ended in a
    traceback, exit 1, nothing written. Descriptor 1 is now /dev/null."""
    command = [
        sys.executable,
        "-m",
        "dealbench",
        "solve",
        str(TINY),
        "--out",
        str(tmp_path / "out"),
    ]
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *command],
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert (tmp_path / "out" / "result.json").is_file()
