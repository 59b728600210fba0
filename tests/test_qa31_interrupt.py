"""Reliability under interruption (qa31-interrupt): output folders are written whole or
not at all, whatever stops the command (Ctrl-C, SIGTERM, a full disk) and wherever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dealbench import io, output_errors, output_steps
from dealbench.errors import raise_terminated
from helpers import REPO


@pytest.fixture
def our_handlers() -> Iterator[None]:
    """The handlers a command's process has (Python's Ctrl-C, the CLI's SIGTERM), whatever
    the test run was started with (a run started with SIGINT ignored)."""
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_terminated)
    yield
    for signum, handler in before.items():
        signal.signal(signum, handler)


def _signal_after(
    monkeypatch: pytest.MonkeyPatch, name: str, signum: int, call: int = 1
) -> Callable[..., Any]:
    """`io.os.<name>` (or `output_steps.<name>`) sends `signum` to this process right after its
    `call`-th call has done its work: a real signal landing between two steps. Returns
    what puts the real one back."""
    target = io.os if hasattr(os, name) and name != "exchange" else output_steps
    real = getattr(target, name)
    calls = [0]

    def step(*args: Any) -> Any:
        result = real(*args)
        calls[0] += 1
        if calls[0] == call:
            os.kill(os.getpid(), signum)
        return result

    monkeypatch.setattr(target, name, step)
    return lambda: monkeypatch.setattr(target, name, real)


def _contents(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != io.MANIFEST
    }


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_files_are_put_in_place_leaves_the_whole_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, our_handlers: None, signum: int
) -> None:
    # The working folder is written in place (it cannot be swapped): file by file.
    monkeypatch.chdir(tmp_path)
    io.OutputDir(".", replace=True).publish({"result.json": "1", "t/AE.md": "1", "t/KZ.md": "1"})
    restore = _signal_after(monkeypatch, "replace", signum)
    with pytest.raises(KeyboardInterrupt) as stopped:
        io.OutputDir(".", replace=True).publish({"result.json": "2", "t/AE.md": "2"})
    restore()
    # Every new file in place, the stale one gone, the manifest the new one; and said.
    assert _contents(tmp_path) == {"result.json": "2", "t/AE.md": "2"}
    assert stopped.value.__notes__ == [
        "note: 2 files had been written to ./ whole before the command was interrupted"
    ]
    assert not [p for p in tmp_path.rglob(".*") if p.name != io.MANIFEST]  # no temporary file
    # The next run replaces dealbench's own files (it refused them as "edited since").
    io.OutputDir(".", replace=True).publish({"result.json": "3", "t/AE.md": "3"})
    assert _contents(tmp_path) == {"result.json": "3", "t/AE.md": "3"}


def test_a_stop_as_the_new_folder_is_swapped_in_says_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, our_handlers: None
) -> None:
    out = tmp_path / "out"
    io.OutputDir(out).publish({"result.json": "1"})
    restore = _signal_after(monkeypatch, "exchange", signal.SIGINT)
    with pytest.raises(KeyboardInterrupt) as stopped:
        io.OutputDir(out).publish({"result.json": "2", "t/AE.md": "2"})
    restore()
    assert _contents(out) == {"result.json": "2", "t/AE.md": "2"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the previous folder removed
    assert "2 files had been written to" in stopped.value.__notes__[0]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KB tmpfs (root only)."""
    disk = tmp_path / "small"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_in_a_working_folder_leaves_the_previous_result(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_disk)
    io.OutputDir(".", replace=True).publish({"result.json": "1", "t/AE.md": "1"})
    with pytest.raises(output_errors.OutputError) as full:
        io.OutputDir(".", replace=True).publish({"result.json": "2", "t/AE.md": "2" * 100_000})
    assert "the disk is full; the previous result is left as it was" in str(full.value)
    assert _contents(small_disk) == {"result.json": "1", "t/AE.md": "1"}  # as it said
    assert not [p for p in small_disk.rglob(".*") if p.name != io.MANIFEST]
    io.OutputDir(".", replace=True).publish({"result.json": "3", "t/AE.md": "3"})
    assert _contents(small_disk) == {"result.json": "3", "t/AE.md": "3"}


# --- a round linked into place --------------------------------------------------------

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"

#: Sends SIGNUM to the command right after round 5's file is linked into place.
STOP_WHEN_LINKED = """
import os, signal
signal.signal(signal.SIGINT, signal.default_int_handler)
real = os.link
def link(source, target, *rest, **kw):
    real(source, target, *rest, **kw)
    if os.path.basename(target) == "005-us.yaml":
        os.kill(os.getpid(), SIGNUM)
os.link = link
"""


@pytest.mark.parametrize(
    ("signum", "said", "code"),
    [(signal.SIGINT, "interrupted", 130), (signal.SIGTERM, "terminated", 143)],
)
def test_a_stop_just_as_a_round_is_linked_says_it_was_recorded(
    rounds: Path, signum: int, said: str, code: int
) -> None:
    """Ctrl-C landing right after `offer` linked its round file into place (before it was
    read back): "interrupted" alone, though round 5 was on disk, so the user ran it again
    and recorded a second offer."""
    prelude = STOP_WHEN_LINKED.replace("SIGNUM", str(int(signum)))
    script = (
        f"{prelude}\nimport sys\nsys.argv[0] = 'dealbench'\nfrom dealbench.cli import main\nmain()"
    )
    args = ("--rounds", str(rounds), "--no-documents")
    done = subprocess.run(
        [sys.executable, "-c", script, *("offer", str(GULF), "-p", "AE"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert (rounds / "AE" / "005-us.yaml").is_file()
    assert done.stderr == (
        f"{said}\n"
        f"note: the offer was recorded as round 5 ({rounds}/AE/005-us.yaml) before the "
        "command was interrupted (see `dealbench history`)\n"
    )
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == [
        ".dealbench-lock",
        "001-us.yaml",
        "002-partner.yaml",
        "003-us.yaml",
        "004-partner.yaml",
        "005-us.yaml",
    ]  # no temporary file left
