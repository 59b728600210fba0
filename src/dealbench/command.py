"""The `dealbench` command's entry point (`python -m dealbench` and the installed script):
Ctrl-C, SIGTERM and SIGHUP are the command's from its first line on.

The command imports its whole app (a second or more on a busy machine) before any of its
handlers exist, and the script imported it from `dealbench.cli` before calling anything:
a Ctrl-C in that time printed a KeyboardInterrupt traceback of thirty lines, and a
SIGTERM just after it, while Typer built and parsed the command line, exited 130 with
nothing said. Here nothing is imported but `signal` and `sys` until the handler is set;
the rest of the way, until a command's body runs (`cli.errors.handled`), is
`cli.base._Commands` and `cli.app.main`. The package itself (`dealbench/__init__.py`),
which Python imports before this module, imports neither `typing` nor `inspect`: they
took a twentieth of a second, in which a Ctrl-C printed a traceback.
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Run the command line, said "interrupted" (130), "terminated" (143) or "hung up" (129)
    however early it is stopped."""
    try:
        from dealbench.errors import stop_on_signals

        stop_on_signals()
        from dealbench.cli.app import main as run

        run()
    except KeyboardInterrupt as exc:  # a command's body says it itself (`cli.errors.handled`)
        from dealbench.stops import stopped  # imported here: nothing before the `try`

        raise SystemExit(stopped(exc)) from None
