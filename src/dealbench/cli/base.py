"""The one Typer `app` and the options several commands share.

Command modules (`solving`, `documents`, ...) import from here and register
their commands on `app`; `dealbench.cli.app` imports them all. Nothing here
imports a command module, so imports run one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="dealbench",
    help="Negotiate bilateral AI-compute deals: optimize packages, check counters, render term sheets.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SHIPPED = Path(__file__).resolve().parents[3] / "deals"
DEMO_PORTFOLIO = "portfolios/gulf-asia.yaml"

Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of a table.")
]
OutDir = Annotated[
    Path | None, typer.Option("--out", help="Write result.json and term sheets into this folder.")
]
Force = Annotated[
    bool, typer.Option("--force", help="Overwrite files in --out that dealbench did not write.")
]
#: The one `--date` of every command: YYYY-MM-DD or `today` (parsed by cli.documents.parse_date).
DATE_HELP = (
    "Date on the documents: YYYY-MM-DD or `today`, in every command. solve keeps it in "
    "result.json, so a later render keeps it. Default: the package's or the result's date, "
    "else an undated draft."
)
Date = Annotated[str | None, typer.Option("--date", metavar="DATE", help=DATE_HELP)]
