"""The command line: a thin Typer shell over the library."""

from dealbench.cli import documents  # registers `render` and `redline` on the app
from dealbench.cli.app import app, main

__all__ = ["app", "documents", "main"]
