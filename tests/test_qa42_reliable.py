"""Reliability under real conditions (qa42-reliable): a command stopped at any moment, a
race on one folder, odd paths and inputs. Each test says what the user saw and why it
was wrong.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
