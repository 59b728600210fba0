"""Reliability under real conditions (qa42-reliable): a command stopped at any moment, a
race on one folder, odd paths and inputs. Each test says what the user saw and why it
was wrong.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from helpers import REPO

#: Imported by Python at start-up (sitecustomize): the first import of QA42_MODULE stops
#: the process with QA42_SIGNAL, as a key press or `timeout` would at that moment.
_STOP_AT_IMPORT = """\
import os, signal, sys

def _hook(event, args):
    if event == "import" and args[0] == os.environ["QA42_MODULE"] and not _done:
        _done.append(1)
        os.kill(os.getpid(), getattr(signal, os.environ["QA42_SIGNAL"]))

_done = []
sys.addaudithook(_hook)
"""


def _stopped_while_importing(
    tmp_path: Path, module: str, signame: str
) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_STOP_AT_IMPORT)
    path = os.pathsep.join([str(site), str(REPO / "src")])
    env = dict(os.environ, PYTHONPATH=path, QA42_MODULE=module, QA42_SIGNAL=signame)
    return subprocess.run(
        [sys.executable, "-m", "dealbench", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("signame", "said", "code"), [("SIGINT", "interrupted", 130), ("SIGTERM", "terminated", 143)]
)
@pytest.mark.parametrize("module", ["dealbench.cli.base", "dealbench.cli.streams"])
def test_a_command_stopped_while_it_starts_says_so_without_a_traceback(
    tmp_path: Path, module: str, signame: str, said: str, code: int
) -> None:
    """`timeout -s INT 0.5 dealbench risk ...` (or Ctrl-C pressed at once) printed a
    KeyboardInterrupt traceback of thirty lines from inside the import of the command's
    app (a second or more on a busy machine), before any handler existed; SIGTERM there
    ended the process with nothing said. The command's entry point (`dealbench.command`)
    now sets its handlers before it imports the app, and says either until a command's
    body runs (its streams readied after the app is imported: a SIGTERM there was a
    traceback too)."""
    proc = _stopped_while_importing(tmp_path, module, signame)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == said
    assert proc.returncode == code


@pytest.mark.parametrize(
    ("raised", "said", "code"),
    [("interrupt", "interrupted", 130), ("terminate", "terminated", 143)],
)
def test_a_command_stopped_while_its_line_is_parsed_says_so_with_its_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: str,
    said: str,
    code: int,
) -> None:
    """`timeout -s TERM 1 dealbench compare ...` exited 130, the code of Ctrl-C, with nothing
    said, when SIGTERM came while Typer parsed the command line (a fifth of a second):
    Typer turns a KeyboardInterrupt there, and `Terminated` is one, into exit 130."""
    import typer.core

    from dealbench.cli.app import main
    from dealbench.errors import Terminated

    def stop(*args: object, **kwargs: object) -> None:
        raise Terminated if raised == "terminate" else KeyboardInterrupt

    monkeypatch.setattr(typer.core.TyperGroup, "parse_args", stop)
    monkeypatch.setattr(sys, "argv", ["dealbench", "--version"])
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as stopped:
            main()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert stopped.value.code == code
    assert capsys.readouterr().err.strip() == said


def test_a_worker_started_as_ctrl_c_comes_is_stopped_not_left_waiting() -> None:
    """`timeout -s INT 12 dealbench demo` said "interrupted" and then never exited: the
    Ctrl-C was raised as a document worker's `start` returned (where its handler is put
    back), before the pool recorded the process; the pool never stopped it, it took the
    stop meant for the other worker, and multiprocessing waited for both at exit, for
    good. A process stopped so on its way back to its caller is stopped with it."""
    import time
    from multiprocessing.process import BaseProcess

    from dealbench.workers import spawn_context

    original = BaseProcess.start

    def start_then_press(self: BaseProcess) -> None:
        original(self)
        raise KeyboardInterrupt  # as the handler, put back, raises a Ctrl-C come meanwhile

    process = spawn_context().Process(target=time.sleep, args=(60,))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(BaseProcess, "start", start_then_press)
            with pytest.raises(KeyboardInterrupt):
                process.start()
        assert process.exitcode is not None, "the worker was left running"
    finally:
        if process.is_alive():
            process.kill()
            process.join()


def test_documents_being_rendered_are_dropped_at_once_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C during `render --format pdf` (or `demo`) left the pool's `with` to wait for
    the documents its workers had in hand, two to four seconds of PDF and DOCX here (more
    on a busy machine), before "interrupted". The workers are now stopped at once."""
    import dealbench.render.documents as documents
    from golden.support import demo_source, external_documents

    pools: list[ProcessPoolExecutor] = []
    make = documents.render_pool

    def kept(jobs: int) -> ProcessPoolExecutor:
        pools.append(make(jobs))
        return pools[-1]

    monkeypatch.setattr(documents, "render_pool", kept)
    rendering = documents.render_documents(
        external_documents(demo_source())[:4], ["docx", "pdf"], jobs=2
    )
    next(rendering)
    workers = list(pools[0]._processes.values())  # both started: four documents asked for
    with pytest.raises(KeyboardInterrupt):
        rendering.throw(KeyboardInterrupt)
    assert len(workers) == 2
    assert all(p.exitcode == -signal.SIGTERM for p in workers), [p.exitcode for p in workers]


def test_standard_input_given_as_a_file_is_said_to_be_unread(tmp_path: Path) -> None:
    """`cat counter.yaml | dealbench counter PF -` said "error: -: file not found", as if a
    file called "-" had gone missing: say that standard input is not read and what to do."""
    from helpers import invoke

    portfolio = REPO / "deals/portfolios/gulf-asia.yaml"
    rounds = tmp_path / "rounds"
    for args in (
        ["counter", portfolio, "-", "--partner", "AE", "--rounds", rounds],
        ["evaluate", "-", "--portfolio", portfolio],
    ):
        out = invoke(args)
        assert out.exit_code == 2
        assert out.stderr.startswith("error: -: file not found: dealbench does not read "), out
        assert "standard input ('-')" in out.stderr
        assert "save the data to a file and name the file" in out.stderr
    assert not rounds.exists()
