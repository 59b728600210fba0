"""`dealbench validate`: data files checked before anything solves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealbench.cli.base import app, file_option
from dealbench.cli.errors import CHOOSES, handled
from dealbench.cli.help import examples


@app.command(
    epilog=examples(
        "dealbench validate deals/portfolios/gulf-asia.yaml deals/partners/*.yaml",
        "dealbench validate deals/policy deals/partners",
        "dealbench validate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
    )
)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Policy, partner, portfolio, package, round or scenarios files, or folders "
            "of them (*.yaml).",
        ),
    ],
    portfolio: Annotated[
        Path | None, file_option("--portfolio", "Check packages against this portfolio.")
    ] = None,
) -> None:
    """Check data files: shape, units, references, and every cross-file rule."""
    from dealbench.errors import InputError, user_lines
    from dealbench.model import load_portfolio
    from dealbench.negotiate.validation import validate_files

    with handled():
        pf = load_portfolio(portfolio) if portfolio else None
        found = validate_files(list(paths), pf)
        for path, kind in found.ok:
            typer.echo(f"ok: {path} ({kind})")
        for line in user_lines(InputError(found.notes), chooses=CHOOSES) if found.notes else []:
            typer.echo(f"note: {line.removeprefix('error: ')}", err=True)
        if found.issues:
            raise InputError(found.issues)
