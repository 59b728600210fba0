"""What a command stopped by Ctrl-C (SIGINT) or SIGTERM says, and the exit code it gives:
the entry point (`dealbench.command`) and a command's body (`cli.errors.handled`) say it
the same way. Imports nothing of dealbench, so the entry point can use it before the app
is imported (and `cli.errors` without importing the entry point back)."""

from __future__ import annotations

import sys

__all__ = ["INTERRUPTED", "TERMINATED", "stopped"]

#: The exit code of a command stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2.
INTERRUPTED = 130
#: The exit code of a command stopped by SIGTERM (`kill`, `timeout`): 128 + 15.
TERMINATED = 143


def stopped(exc: KeyboardInterrupt) -> int:
    """Say that the command was stopped (Ctrl-C or SIGTERM) and what it had done by
    then (a round recorded, its notes); the exit code a shell gives for that signal."""
    errors = sys.modules.get("dealbench.errors")  # not imported yet: Ctrl-C, not SIGTERM
    terminated = errors is not None and isinstance(exc, errors.Terminated)
    print("terminated" if terminated else "interrupted", file=sys.stderr)
    for note in getattr(exc, "__notes__", []):
        print(note, file=sys.stderr)
    return TERMINATED if terminated else INTERRUPTED
