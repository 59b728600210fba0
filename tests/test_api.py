"""The library API: public names, and how results and errors map to exit codes."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import dealbench
from dealbench.errors import (
    DealbenchError,
    InfeasibleError,
    InputError,
    Issue,
    RenderError,
    SolverError,
    SolverLimitError,
)
from dealbench.optimize import SolveResult, SolverInfo, Status


def _imported(statement: str, name: str) -> str:
    """The type of `name` after `statement`, in a fresh interpreter."""
    code = f"{statement}\nprint(type({name}).__name__)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return proc.stdout.strip()


@pytest.mark.parametrize(
    "statement",
    [
        "from dealbench import check",
        "from dealbench import solve, check",
        "from dealbench import load_portfolio, solve, check, evaluate",
        "import dealbench.optimize\nfrom dealbench import check",
    ],
)
def test_check_is_the_function_whatever_the_import_order(statement: str) -> None:
    """`from dealbench import solve, check` must give the function `check`.

    Regression: when the checker module was `dealbench.check`, importing it (which
    dealbench.optimize does) bound the package attribute `check` to the module, so the
    lazy `__getattr__` was never asked and `check(...)` raised "'module' object is not
    callable" whenever `check` was not the first name imported.
    """
    assert _imported(statement, "check") == "function"


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in dealbench.__all__:
        value = getattr(dealbench, name)
        assert not isinstance(value, types.ModuleType), f"dealbench.{name} is a module"


def _result(status: Status, message: str = "") -> SolveResult:
    return SolveResult(
        status=status,
        mode="us-best",
        portfolio="p",
        portfolio_title="P",
        policy="x",
        periods=["2026"],
        objective=None if status not in (Status.OPTIMAL, Status.TIME_LIMIT) else 0.0,
        solver=SolverInfo(name="highs", version="test", seconds=0.0, gap=None),
        fingerprint="0",
        message=message,
    )


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (Status.INFEASIBLE, InfeasibleError, 3),
        (Status.NO_SOLUTION, SolverLimitError, 4),
        (Status.ERROR, SolverError, 1),
    ],
)
def test_raise_for_status_maps_to_the_exit_codes(
    status: Status, error: type[DealbenchError], code: int
) -> None:
    with pytest.raises(error) as info:
        _result(status, "why").raise_for_status()
    assert info.value.exit_code == code
    assert str(info.value) == "why"


@pytest.mark.parametrize("status", [Status.OPTIMAL, Status.TIME_LIMIT])
def test_raise_for_status_passes_results_with_packages(status: Status) -> None:
    result = _result(status)
    assert result.raise_for_status() is result


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError(Issue("f.yaml", 1, "x", "bad")), 2),
        (RenderError("bad template"), 2),
        (InfeasibleError("no"), 3),
        (SolverLimitError("limit"), 4),
        (SolverError("missing"), 1),
    ],
)
def test_exit_codes(error: DealbenchError, code: int) -> None:
    assert error.exit_code == code


def test_issue_format() -> None:
    assert str(Issue("a.yaml", 3, "ask.2026", "bad")) == "a.yaml:3: ask.2026: bad"
    assert str(Issue("a.yaml", None, "", "file not found")) == "a.yaml: file not found"
    assert str(Issue("a.yaml", 1, "", "empty")) == "a.yaml:1: empty"


def test_input_error_lists_every_issue() -> None:
    error = InputError([Issue("a.yaml", 1, "x", "one"), Issue("b.yaml", 2, "y", "two")])
    assert str(error) == "a.yaml:1: x: one\nb.yaml:2: y: two"
    assert len(error.issues) == 2
