"""What a command stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP says, and the exit code it gives:
the entry point (`dealbench.command`) and a command's body (`cli.errors.handled`) say it
the same way. Imports nothing of dealbench, so the entry point can use it before the app
is imported (and `cli.errors` without importing the entry point back)."""

from __future__ import annotations

import signal
import sys

__all__ = ["HUNG_UP", "INTERRUPTED", "TERMINATED", "stopped"]

#: The exit code of a command stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2.
INTERRUPTED = 130
#: The exit code of a command stopped by SIGTERM (`kill`, `timeout`): 128 + 15.
TERMINATED = 143
#: The exit code of a command stopped by SIGHUP (its terminal closed): 128 + 1.
HUNG_UP = 129


def stopped(exc: KeyboardInterrupt) -> int:
    """Say that the command was stopped (Ctrl-C, SIGTERM, SIGHUP) and what it had done by
    then (a round recorded, its notes); the exit code a shell gives for that signal.

    Said where it can be: stopped by SIGHUP, the terminal its stderr was is gone, and
    writing there fails (EIO): that was a traceback, and exit 1, not 129."""
    errors = sys.modules.get("dealbench.errors")  # not imported yet: Ctrl-C, not SIGTERM
    terminated = errors is not None and isinstance(exc, errors.Terminated)
    hung_up = terminated and getattr(exc, "signum", None) == getattr(signal, "SIGHUP", None)
    said = "hung up" if hung_up else "terminated" if terminated else "interrupted"
    _handled()
    try:
        print(said, file=sys.stderr)
        for note in getattr(exc, "__notes__", []):
            print(note, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):  # the terminal closed, stderr closed
        pass
    return HUNG_UP if hung_up else TERMINATED if terminated else INTERRUPTED


def _handled() -> None:
    """Tell CPython that the Ctrl-C was handled. A KeyboardInterrupt raised in code `exec`
    ran from a string (dataclasses, namedtuple and pydantic make methods so, while the
    command imports) sets CPython's flag of an unhandled Ctrl-C, which only the next string
    `exec` clears, and `python -m dealbench`, having said "interrupted" and exited 130, then
    killed itself with SIGINT: about one Ctrl-C in ten in a command's first second ended
    as signal 2 (-2 to a parent process), not exit 130. An empty string `exec` clears the
    flag (CPython's `run_eval_code_obj` resets it as any such `exec` starts)."""
    exec("", {})
