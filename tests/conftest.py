"""Shared fixtures: the test data folders and a CLI runner that keeps stdout and stderr apart."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from dealbench.cli import app

# Property tests: a modest number of examples by default (the suite stays fast on two
# cores); `HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` hunts longer.
settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

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


@pytest.fixture
def run() -> Runner:
    """`run("solve", path, "--json")` -> Run(exit_code, stdout, stderr, traceback)."""

    def _run(*args: str | Path) -> Run:
        return invoke(args)

    return _run


@pytest.fixture
def data() -> Path:
    """tests/data."""
    return DATA


@pytest.fixture
def tiny() -> Path:
    """The tiny portfolio of tests/data/tiny (one partner, one period)."""
    return DATA / "tiny" / "portfolio.yaml"


@pytest.fixture
def shipped() -> Path:
    """The shipped example data, deals/."""
    return REPO / "deals"
