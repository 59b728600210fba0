"""Reliability under adversity (qa11-rel): the environment a real user's machine gives.

Each test failed before the fix it names in docs/decisions.md ("Reliability under
adversity (qa11-rel)"). Commands run as the user's shell runs them (a subprocess of
`python -m dealbench`) where the fault lies in the process: its streams, its signals,
its children.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from helpers import DATA, REPO, Runner

TINY = DATA / "tiny" / "portfolio.yaml"
GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


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


@pytest.mark.parametrize("kind", ["fork", "forkserver", "render"])
def test_workers_end_with_a_killed_parent(kind: str, tmp_path: Path) -> None:
    """A parent killed with SIGKILL or SIGTERM runs no clean-up, and its pool's workers
    wait on a queue whose writing end they hold themselves: a sweep's went on solving
    for minutes, a render's waited forever, about 100 MB each. Now each worker exits
    when its parent is gone. The tasks sleep far longer than the test waits."""
    script = DATA / "qa11rel" / "pool_then_wait.py"
    parent = subprocess.Popen([sys.executable, str(script), kind, str(tmp_path)])
    try:
        ran = lambda: [int(p.name) for p in tmp_path.iterdir() if int(p.name) != parent.pid]  # noqa: E731
        workers = _wait_for(ran, 120)
        assert workers, "no task ran in a worker"
    finally:
        parent.kill()
        parent.wait()
    gone = _wait_for(lambda: all(not _running(pid) for pid in workers), 60)
    for pid in workers:
        if _running(pid):  # pragma: no cover - the fault: do not leave it behind either
            os.kill(pid, signal.SIGKILL)
    assert gone, f"workers {workers} outlived their parent"


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_for(found: Callable[[], Any], seconds: float) -> Any:
    """`found()` once it is truthy, polled until `seconds` have passed (then its last value).
    A bound on waiting, not a timing assertion: each poll is immediate on a quick machine."""
    deadline = time.monotonic() + seconds
    while not (value := found()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_ctrl_c_right_after_an_offer_is_recorded_says_it_was(
    run: Runner, rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C pressed once the round file was linked into place, while it was read back:
    `offer` said "interrupted" alone (seen at 2.1 s of a real run), though round 5 was
    on disk; run again, it records a second offer. Now the note names the round."""
    import dealbench.negotiate.rounds.write as rounds_module

    real = rounds_module.read_round

    def read(portfolio: Any, partner: str, path: Path, *rest: Any) -> Any:
        if path.name == "005-us.yaml":  # the round just recorded, read back
            raise KeyboardInterrupt
        return real(portfolio, partner, path, *rest)

    monkeypatch.setattr(rounds_module, "read_round", read)
    out = run("offer", GULF, "-p", "AE", "--rounds", rounds, "--no-documents")
    assert out.exit_code == 130, out.output
    assert (rounds / "AE" / "005-us.yaml").is_file()
    assert out.stderr == (
        "interrupted\n"
        f"note: the offer was recorded as round 5 ({rounds}/AE/005-us.yaml) before the "
        "command was interrupted (see `dealbench history`)\n"
    )


def test_ctrl_c_while_a_recorded_counter_is_read_back_says_it_was(
    run: Runner, rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`counter` reads the negotiations again once its round is recorded, for the verdict;
    Ctrl-C there said "interrupted" alone (the note covered the verdict only)."""
    import dealbench.negotiate.record as record

    real = record.load_negotiations
    calls = []

    def second_is_interrupted(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # the first reads the rounds before the counter is recorded
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(record, "load_negotiations", second_is_interrupted)
    counter = REPO / "deals" / "packages" / "ae-counter.yaml"  # round 4 is ae-counter-2's terms
    out = run("counter", GULF, counter, "-p", "AE", "--rounds", rounds, "--no-documents")
    assert out.exit_code == 130, out.output
    assert (rounds / "AE" / "005-partner.yaml").is_file()
    assert out.stderr == (
        "interrupted\n"
        f"note: the counter was recorded as round 5 ({rounds}/AE/005-partner.yaml); only its "
        "verdict was interrupted (see `dealbench history`)\n"
    )


def _killed_mid_write(out: Path) -> Path:
    """What `solve --out OUT` killed while staging leaves beside OUT until the next run
    into OUT: its staging folder, holding a half-written result."""
    stage = out.parent / f".{out.name}.dealbench-new-4242-0badcafe"
    (stage / "packages").mkdir(parents=True)
    (stage / "result.json").write_text('{"status": "opt')
    (stage / "packages" / "AE.yaml").write_text("partner: AE\nsecurity: [")
    return stage


def test_validate_of_a_folder_skips_a_killed_runs_staging_folder(run: Runner, deals: Path) -> None:
    """`validate deals` read into `.out.dealbench-new-*` and refused its half-written
    package (exit 2) though every data file was sound."""
    _killed_mid_write(deals / "out")
    out = run("validate", deals)
    assert out.exit_code == 0, out.output
    assert "dealbench-new" not in out.output


def test_the_web_offers_no_result_of_a_killed_run(client: Any, deals: Path, run: Runner) -> None:
    """The diff page offered `.out.dealbench-new-*/result.json` beside the results (and,
    while a run publishes, the previous result on its way out), read as a result when
    chosen."""
    assert run("solve", deals / "portfolios" / "solo.yaml", "--out", deals / "out").exit_code == 0
    _killed_mid_write(deals / "out")
    form = client.get("/diff").text
    assert '<option value="out/result.json">' in form
    assert "dealbench-new" not in form
