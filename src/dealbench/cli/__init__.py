"""The command line: a thin Typer shell over the library."""

from dealbench.cli.app import app, main

__all__ = ["app", "main"]
