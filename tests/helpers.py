"""Helpers shared by the tests: data folders and an in-process CLI runner.

A plain module (not conftest.py), so that tests import it by a name no other
conftest.py can shadow.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from dealbench.cli import app

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    """What one CLI invocation did: its exit code and its two output streams."""

    exit_code: int
    stdout: str
    stderr: str
    #: The traceback of an exception that escaped the command (a bug), else "".
    traceback: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Runner = Callable[..., Run]


def invoke(args: Sequence[str | Path]) -> Run:
    """Run `dealbench ARGS...` in-process, as a user's shell would."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    tb = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        tb = "".join(traceback.format_exception(*result.exc_info))
    return Run(result.exit_code, result.stdout, result.stderr, tb)
