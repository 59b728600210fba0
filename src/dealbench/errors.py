"""One exception hierarchy; messages are written for the user.

The CLI maps each class to an exit code in exactly one place
(`dealbench.cli.errors`): bad input 2, infeasible 3, solver limit 4, else 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class DealbenchError(Exception):
    """Base class of every error dealbench raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Issue:
    """One problem in one input file: where it is and what was expected."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InputError(DealbenchError):
    """Bad input: a file that cannot be read, parsed or validated."""

    exit_code = 2

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class ArgumentError(InputError, ValueError):
    """A library call given an argument it cannot use: an unknown mode or partner code,
    a negative gap. Bad input (exit 2), and a ValueError too, as Python's own calls raise.

    `argument` is the parameter's name as the caller wrote it (`v_floor`), and `message`
    is in words every shell can show: a shell names the argument its own way (the CLI
    says `--v-floor`, see `user_lines`)."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        self.message = message
        super().__init__(Issue(argument, None, "", message))


class InfeasibleError(DealbenchError):
    """No package satisfies every limit; carries the explanation."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        explanation: list[str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.explanation = explanation or []
        #: The explanation for scripts (`--json`): groups to relax, with amounts.
        self.details = details or {}
        super().__init__(message)


class SolverLimitError(DealbenchError):
    """The solver stopped at a limit before finding any feasible package."""

    exit_code = 4


class SolverError(DealbenchError):
    """The solver is missing or failed."""

    exit_code = 1


class RenderError(DealbenchError):
    """A template could not be rendered (bad house template, bad clause)."""

    exit_code = 2


def user_lines(exc: DealbenchError, name: Callable[[str], str] | None = None) -> list[str]:
    """What a user is told of an error, line by line: the words every shell prints.

    `name` says an `ArgumentError`'s argument in the shell's words (the CLI's
    `--v-floor` for `v_floor`); without it, the library's parameter name."""
    notes = [str(n) for n in getattr(exc, "__notes__", ())]  # what happened before it
    if isinstance(exc, ArgumentError) and name is not None:
        return [f"error: {Issue(name(exc.argument), None, '', exc.message)}", *notes]
    if isinstance(exc, InputError):
        return [f"error: {issue}" for issue in exc.issues] + notes
    lines = [f"error: {exc}"]
    if isinstance(exc, InfeasibleError):
        lines += [f"  - {line}" for line in exc.explanation]
    return lines + notes
