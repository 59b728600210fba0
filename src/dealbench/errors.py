"""One exception hierarchy; messages are written for the user.

The CLI maps each class to an exit code in exactly one place
(`dealbench.cli.errors`): bad input 2, infeasible 3, solver limit 4, else 1.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar


class DealbenchError(Exception):
    """Base class of every error dealbench raises on purpose."""

    exit_code = 1
    #: What was refused, without the remedy (`refusal` sets both).
    reason: str | None = None
    #: An argument that would let the call through (`force`), said in each shell's words.
    remedy: Remedy | None = None
    #: The message, when it names what does an act it asks for (`Chosen`): each shell says
    #: it in its own words (`chosen_error`); the message itself is the library's.
    chosen: Chosen | None = None


@dataclass(frozen=True)
class Remedy:
    """A switch that lets a refused call through, in each shell's words: a library caller
    reads `pass force=True to overwrite it`, the CLI's user `use --force to overwrite it`."""

    argument: str
    purpose: str

    def words(self, name: Callable[[str], str] | None = None) -> str:
        if name is None:
            return f"pass {self.argument}=True {self.purpose}"
        return f"use {name(self.argument)} {self.purpose}"


E = TypeVar("E", bound=DealbenchError)


def chosen_error(kind: type[E], chosen: Chosen) -> E:
    """An error of `kind` saying `chosen` in the library's words; `user_lines` says it in a
    shell's (the web's offer form said the CLI's "(--package)", an option it has no field
    for)."""
    exc = kind(chosen.words())
    exc.chosen = chosen
    return exc


def refusal(kind: type[E], reason: str, remedy: Remedy) -> E:
    """An error of `kind` saying `reason`, then (in parentheses) the switch that lets it
    through in the library's words; `user_lines` says the switch in a shell's words."""
    exc = kind(f"{reason} ({remedy.words()})")
    exc.reason, exc.remedy = reason, remedy
    return exc


#: What a library caller is told chooses an input named in a message (`Chosen.what`), or
#: does what a message asks ("offer": record the next US offer; "conclude": record a
#: conclusion, which names its basis; "shared": record into a rounds folder two portfolio
#: files share, said after "Give one file an id of its own", with its leading comma;
#: "own-offer": record a package of the user's own as the next US offer).
CALLS_CHOOSE = {
    "rounds": "the calls' `root`",
    "portfolio": "the call's `portfolio`",
    "offer": "`record_offer`",
    "conclude": "`conclude`",
    "shared": ", or pass that folder as the call's `root` to record there all the same",
    "hold": "the call's `others`",
    "why": "`room(..., why=True)`",
    "own-offer": "`record_offer(..., package=...)`",
    # A round refused for `expect` (`record._since`): after the rounds recorded since, or
    # the next round's number
    "overtaken": " already; nothing written (the call's `expect` names a round taken): read "
    "the negotiation as it stands now before recording again",
    "stale": "; nothing written (the call's `expect` is not the next round): read the "
    "negotiation as it stands now before recording again",
}


@dataclass(frozen=True)
class Chosen:
    """A message naming what chooses an input, which each shell chooses its own way:
    `before`, then the words for `what` ("rounds": the rounds folder), then `after`. The
    CLI's user reads "the commands' --rounds"; the web's, which has no such field (it
    reads the rounds under the deals folder it serves), how to serve another; a library
    caller the parameter (`CALLS_CHOOSE`). The web said the CLI's words (qa41-web). So is
    what does an act a message asks for ("offer": `dealbench offer`, the web's form)."""

    what: str
    before: str
    after: str = ""

    def words(self, chooses: Mapping[str, str] | None = None) -> str:
        by = (chooses or {}).get(self.what, CALLS_CHOOSE[self.what])
        return f"{self.before}{by}{self.after}"


@dataclass(frozen=True)
class Issue:
    """One problem in one input file: where it is and what was expected. `chosen`: the
    message, when it names what chooses an input (it is then `chosen.words()`)."""

    file: str
    line: int | None
    field: str
    message: str
    chosen: Chosen | None = None

    def choosing(self, chosen: Chosen) -> Issue:
        """This issue saying `chosen` as its message."""
        return replace(self, message=chosen.words(), chosen=chosen)

    def worded(self, chooses: Mapping[str, str] | None) -> Issue:
        """This issue in a shell's words for what chooses an input (`Chosen.words`)."""
        if self.chosen is None or chooses is None:
            return self
        return replace(self, message=self.chosen.words(chooses))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InputError(DealbenchError):
    """Bad input: a file that cannot be read, parsed or validated.

    `argument`: the call's parameter that chose the input at fault, when one did (the
    round a `conclude(round_number=3)` names: its issues name the round's file, which the
    user must read, and a shell marks the argument it took from the user)."""

    exit_code = 2

    def __init__(self, issues: list[Issue] | Issue, *, argument: str | None = None) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        self.argument = argument
        super().__init__("\n".join(str(i) for i in self.issues))

    def __reduce__(self) -> tuple[Any, ...]:  # across processes, as raised
        # Exception's own rebuilds it from its message, which __init__ reads as a list of
        # issues: one per character, one character a line.
        return (type(self), (self.issues,), self.__dict__)


class ArgumentError(InputError, ValueError):
    """A library call given an argument it cannot use: an unknown mode or partner code,
    a negative gap. Bad input (exit 2), and a ValueError too, as Python's own calls raise.

    `argument` is the parameter's name as the caller wrote it (`v_floor`), and `message`
    is in words every shell can show: a shell names the argument its own way (the CLI
    says `--v-floor`, see `user_lines`). `field` is the part of the argument at fault
    (an override's path); `more` are further (field, message) problems with it."""

    def __init__(
        self,
        argument: str,
        message: str,
        field: str = "",
        *,
        more: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.message = message
        problems = [(field, message), *more]
        super().__init__([Issue(argument, None, f, m) for f, m in problems], argument=argument)
        self.argument: str = argument

    def __reduce__(self) -> tuple[Any, ...]:  # across processes, as raised
        more = [(i.field, i.message) for i in self.issues[1:]]
        made = (type(self), self.argument, self.message, self.issues[0].field, more)
        return (_argument_error, made, self.__dict__)


def _argument_error(
    kind: type[ArgumentError], argument: str, message: str, field: str, more: list[tuple[str, str]]
) -> ArgumentError:
    return kind(argument, message, field, more=more)


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


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`, a cancelled CI job), or SIGHUP (the terminal closed, an
    ssh session dropped), raised where Ctrl-C raises its KeyboardInterrupt, so that what a
    command does on Ctrl-C it does here too: its worker processes are stopped, a
    half-written output folder is removed, a round already recorded is said. Not a
    DealbenchError: the command did not fail. `signum` is the signal that stopped it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__()
        self.signum = signum


def raise_terminated(signum: int, frame: object) -> None:
    """The handler of SIGTERM and SIGHUP in a command's process (`stop_on_signals`)."""
    raise Terminated(signum)


#: SIGHUP where the platform has it (not on Windows): a closed terminal, a dropped ssh
#: session. Python's default ended the process where it stood, as SIGTERM's did: a round's
#: hidden temporary file stayed in the rounds folder, a render's staging folder beside
#: --out, and nothing was said of a round already recorded.
SIGHUP: int | None = getattr(signal, "SIGHUP", None)


def stop_on_signals() -> None:
    """SIGTERM, and SIGHUP where there is one, stop the command as Ctrl-C does
    (`Terminated`), not at once. A SIGHUP ignored when the command started (`nohup`) stays
    ignored: the user asked the command to outlive its terminal."""
    signal.signal(signal.SIGTERM, raise_terminated)
    if SIGHUP is not None and signal.getsignal(SIGHUP) is not signal.SIG_IGN:
        signal.signal(SIGHUP, raise_terminated)


def stop_signals() -> dict[int, Callable[[int, Any], None]]:
    """The signals a command stops on, each with dealbench's handler of it."""
    ours: dict[int, Callable[[int, Any], None]] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: raise_terminated,
    }
    if SIGHUP is not None:
        ours[SIGHUP] = raise_terminated
    return ours


@contextmanager
def stops_held() -> Iterator[Callable[[], bool]]:
    """Ctrl-C, SIGTERM and SIGHUP during the block are held until it ends, then raised
    there (KeyboardInterrupt, `Terminated`); the block reads whether one came from the
    function yielded.

    For steps that must be done whole or not at all and take no time (renames putting
    files already written in place): stopped between two of them, an output folder held
    half the new files beside a manifest of the old. And for a HiGHS run with a Python
    callback (a restricted MIP's stop at its target), called many times a second: Python
    raised Ctrl-C's KeyboardInterrupt inside the first call after it, HiGHS swallowed it
    and ended the run as a solve error (a sweep stopped by Ctrl-C said "HiGHS failed on
    the widened round's restricted MIP" and exited 1, not 130); held, the callback stops
    the MIP when it reads that a stop came. Only in the main thread (the one Python gives
    signals to) and over dealbench's own handlers: a caller's are left alone. An error
    raised in the block wins over a signal held."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    ours = stop_signals()
    held = [signum for signum, handler in ours.items() if signal.getsignal(signum) is handler]
    pressed: list[int] = []
    for signum in held:
        signal.signal(signum, lambda signum, frame: pressed.append(signum))
    try:
        yield lambda: bool(pressed)
    finally:
        for signum in held:
            signal.signal(signum, ours[signum])
    if pressed:
        raise KeyboardInterrupt if pressed[0] == signal.SIGINT else Terminated(pressed[0])


def user_lines(
    exc: DealbenchError,
    name: Callable[[str], str] | None = None,
    chooses: Mapping[str, str] | None = None,
) -> list[str]:
    """What a user is told of an error, line by line: the words every shell prints.

    `name` says an `ArgumentError`'s argument in the shell's words (the CLI's
    `--v-floor` for `v_floor`); without it, the library's parameter name. `chooses` says
    what chooses an input an issue names (`Chosen`) in the shell's words."""
    notes = [str(n) for n in getattr(exc, "__notes__", ())]  # what happened before it
    if isinstance(exc, ArgumentError) and name is not None:
        worded = [i.worded(chooses) for i in exc.issues]
        said = [Issue(name(i.file), i.line, i.field, i.message) for i in worded]
        return [f"error: {issue}" for issue in said] + notes
    if exc.remedy is not None and name is not None:
        return [f"error: {exc.reason} ({exc.remedy.words(name)})", *notes]
    if isinstance(exc, InputError):
        return [f"error: {issue.worded(chooses)}" for issue in exc.issues] + notes
    lines = [f"error: {exc if exc.chosen is None else exc.chosen.words(chooses)}"]
    if isinstance(exc, InfeasibleError):
        lines += [f"  - {line}" for line in exc.explanation]
    return lines + notes
