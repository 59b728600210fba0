"""Errors become exit codes here, and only here.

Expected errors (a `DealbenchError`) print a message to stderr and exit with
their code: 2 bad input, 3 infeasible, 4 solver limit, 1 anything else. Ctrl-C
says "interrupted", and what was done before it (a round recorded), and exits 130;
SIGTERM says "terminated" the same way and exits 143, SIGHUP (a closed terminal) "hung
up" and 129 (`dealbench.stops.stopped`, which
says it too when the command is stopped before its body runs). Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import typer

from dealbench.errors import (
    SIGHUP,
    DealbenchError,
    raise_terminated,
    stop_on_signals,
    user_lines,
)
from dealbench.stops import stopped as stopped

T = TypeVar("T")


#: The options whose names are not their library parameter's (`policies` is `--regimes`).
OPTIONS = {
    "policies": "--regimes",
    "require": "--require-deal",
    "formats": "--format",
    # sweep_param(portfolio, path, start, stop, ...): --param PATH --from A --to B
    "path": "--param",
    "start": "--from",
    "stop": "--to",
    # robust_solve(portfolio, level, samples): --robust LEVEL
    "level": "--robust",
    # the overrides of every call taking them (load_scenario's `sets`, parse_set's `items`)
    "overrides": "--set",
    "sets": "--set",
    "items": "--set",
    # documents_for(partners=[...]) and load_source(path, portfolio_path)
    "partners": "--partner",
    "portfolio_path": "--portfolio",
    # conclude(..., round_number=3): --round 3
    "round_number": "--round",
    # improvements(portfolio, package, others): --hold FILE
    "others": "--hold",
    # OutputDir(root): the output folder
    "root": "--out",
}


#: What chooses an input a message names (`errors.Chosen`), in the CLI's words.
CHOOSES = {
    "rounds": "the commands' --rounds",
    "portfolio": "validate --portfolio FILE",
    "offer": "`dealbench offer`",
    "conclude": "`dealbench conclude`",
    "shared": ", or name the folder with --rounds to record there all the same",
    "hold": "--hold FILE",
    "why": "room --why",
    "own-offer": "--package",
}


def option_name(argument: str) -> str:
    """The CLI's option for a library call's parameter: `v_floor` is `--v-floor`.

    Library calls name their parameters in an `ArgumentError`; this is the one place
    the CLI turns them into its options (a name that already is one is kept)."""
    if argument.startswith("-"):
        return argument
    return OPTIONS.get(argument, "--" + argument.replace("_", "-"))


def report(exc: DealbenchError) -> None:
    bare = _bare_units()
    for line in user_lines(exc, option_name, CHOOSES):
        # said only of an amount of USD, which a user may type with its $
        path = next((p for p in bare if line.startswith(f"error: --set: {p}: ")), None)
        path = path if path is not None and "USD" in line else None
        print(line + (_shell_read(path, bare[path]) if path else ""), file=sys.stderr)


#: An amount's unit with no number, as a shell leaves `$2bn` typed unquoted: it reads `$2`
#: as a variable (the script's second argument, most often empty).
_UNITS = ("k", "m", "mn", "b", "bn", "t", "tn")


#: The `--set` values of the command being run, as typed (`scenario_options.SetOpt`'s
#: callback keeps them, for `report`).
GIVEN_SETS: ContextVar[tuple[str, ...]] = ContextVar("GIVEN_SETS", default=())


def _bare_units() -> dict[str, str]:
    """The `--set PATH=VALUE` of the command being run whose value is a unit alone (`bn`):
    path -> unit."""
    found = {}
    for item in GIVEN_SETS.get():
        path, _, value = item.partition("=")
        if value.strip().casefold() in _UNITS:
            found[path.strip()] = value.strip()
    return found


def _shell_read(path: str, unit: str) -> str:
    """`--set partners.MX.batna=$2bn` typed unquoted reaches dealbench as `bn`: say why, and
    how to type it."""
    return (
        f" (a unit with no number: typed unquoted, a shell reads `$` and a digit before it as "
        f"a variable, so `$2{unit}` reaches dealbench as `{unit}`; write the number without "
        f"the $, --set {path}=2{unit}, or quote the option, --set '{path}=$2{unit}')"
    )


def no_result_json(exc: DealbenchError) -> dict[str, Any] | None:
    """A command's "no result" as `--json` says it on stdout, None for any other error (bad
    input is said on stderr alone, exit 2): `{"status": "infeasible", "message": ...,
    "explanation": {...}}` for a "no" (exit 3; the explanation where the refusal carries
    one, solve's limits to relax), `"no-solution"` for a solver stopped before any package
    (exit 4) and `"error"` for a failed solver, as `SolveResult.status` names them."""
    from dealbench.errors import InfeasibleError, SolverError, SolverLimitError

    statuses = {
        InfeasibleError: "infeasible",
        SolverLimitError: "no-solution",
        SolverError: "error",
    }
    status = next((word for kind, word in statuses.items() if isinstance(exc, kind)), None)
    if status is None:
        return None
    payload: dict[str, Any] = {"status": status, "message": str(exc)}
    if isinstance(exc, InfeasibleError) and exc.details:
        payload["explanation"] = exc.details
    return payload


@contextmanager
def handled(json_out: bool = False) -> Iterator[None]:
    """Run a command body; map dealbench errors to messages and exit codes.

    `json_out` (the command's --json): a command that ends without its answer for want of
    one (no package, a solver stopped before any) says so on stdout as one JSON object
    (`no_result_json`) before the message on stderr, so that a script reading stdout meets
    a status, never an empty stream."""
    try:
        yield
    except DealbenchError as exc:
        if json_out and (payload := no_result_json(exc)) is not None:
            from dealbench.jsontext import to_json

            typer.echo(to_json(payload))
        report(exc)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C: what was done already (a round recorded) is said
        raise typer.Exit(stopped(exc)) from None


def stop_on_sigterm() -> None:
    """SIGTERM, and SIGHUP (a closed terminal) where the platform has it, stop the command
    as Ctrl-C does (`errors.Terminated`), not at once (`errors.stop_on_signals`).

    Python's default ends the process where it stands: a render's staging folder
    stayed beside --out, its pool's semaphores were reported leaked in a Python
    warning on the user's terminal, and an `offer` stopped just after its round was
    recorded said nothing of it. A process forked from this one (a pool's worker,
    stopped by SIGTERM when its pool is) dies of it at once again, as before."""
    stop_on_signals()
    os.register_at_fork(after_in_child=_default_stops)


def _default_stops() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if SIGHUP is not None and signal.getsignal(SIGHUP) is raise_terminated:
        signal.signal(SIGHUP, signal.SIG_DFL)


def call(fn: Callable[[], T]) -> T:
    with handled():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover
