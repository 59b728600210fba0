"""The `dealbench` command: every command module registered on the one `app`."""

from __future__ import annotations

import importlib

from typer.core import TyperCommand

from dealbench.cli.base import app
from dealbench.cli.help import ExampleCommand

#: The modules whose commands `app` carries, in the order `dealbench --help` lists them.
COMMAND_MODULES = (
    "validating",
    "solving",
    "evaluating",
    "demo",
    "documents",
    "negotiate_frontier",
    "negotiate_rounds",
    "negotiate_room",
    "negotiate_logroll",
    "analyze",
    "analyze_risk",
    "web",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"dealbench.cli.{_name}")

#: Every command folds its help's examples to the help's width (`help.ExampleCommand`).
for _info in app.registered_commands:
    if _info.cls in (None, TyperCommand):  # Typer's default
        _info.cls = ExampleCommand

__all__ = ["COMMAND_MODULES", "app", "main"]


def main() -> None:
    from dealbench.cli.errors import stopped

    try:
        from dealbench.cli import streams
        from dealbench.cli.errors import stop_on_sigterm

        streams.ready()
        stop_on_sigterm()
        app()
    except KeyboardInterrupt as exc:  # before a command's body (`cli.errors.handled`)
        raise SystemExit(stopped(exc)) from None
