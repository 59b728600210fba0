"""The one Typer `app` and the options several commands share.

Command modules (`solving`, `documents`, ...) import from here and register
their commands on `app`; `dealbench.cli.app` imports them all. Nothing here
imports a command module, so imports run one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from dealbench.cli import usage
from dealbench.shipped import DEALS


class _Commands(typer.core.TyperGroup):
    """The app's commands, each of which says "interrupted" on Ctrl-C and exits 130
    ("terminated" on SIGTERM, 143).

    Commands map Ctrl-C in their body (`cli.errors.handled`); pressed before it, while a
    command imports what it needs (a second or more on a busy machine), Typer turned it
    into exit 130 with nothing said. So it did while it parsed the command line
    (`make_context`, a fifth of a second), a SIGTERM too."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt as exc:
            from dealbench.cli.errors import stopped

            raise typer.Exit(stopped(exc)) from None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            found = super().resolve_command(ctx, args)
        except Exception as exc:  # Typer's own click or click itself: duck-typed
            if args and type(exc).__name__ in ("UsageError", "NoSuchCommand"):
                usage.the_command_meant(exc, args[0], self.commands)
            raise
        usage.remember_arguments(ctx, found[2])
        if found[1] is not None:
            usage.option_as_value(found[1], ctx, found[2])
        return found

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            usage.in_the_files_words(exc)
            usage.misplaced(exc)
            if usage.said_as_an_error(exc):
                raise typer.Exit(2) from None
            raise
        except Exception as exc:  # Typer's own click or click itself: duck-typed
            if type(exc).__name__ == "NoSuchOption":
                usage.the_name_here(exc)
            elif type(exc).__name__ == "UsageError":
                usage.misplaced(exc)
            raise
        except KeyboardInterrupt as exc:
            from dealbench.cli.errors import stopped

            raise typer.Exit(stopped(exc)) from None


app = typer.Typer(
    cls=_Commands,
    name="dealbench",
    help="Negotiate bilateral AI-compute deals: optimize packages, check counters, render term sheets.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from dealbench import __version__

        typer.echo(f"dealbench {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Negotiate bilateral AI-compute deals: optimize packages, check counters, render term sheets."""


#: The shipped example data (`dealbench.shipped`).
SHIPPED = DEALS
DEMO_PORTFOLIO = "portfolios/gulf-asia.yaml"

Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of a table.")
]


def given_folder(text: str | Path) -> Path:
    """A folder option as written (`--out`, `--rounds`, `--templates`): an empty path
    (`--out "$OUT"` with the variable unset) is refused, where a Path would read it as
    the current folder, and write or record there; so is `-`, which a user means as
    standard output and a Path reads as a folder called "-". A leading `~` is the home
    folder, as the shell would have made it: it leaves `--out=~/deals` as written (no
    expansion after `=`), and the files went into a folder named "~" under the current
    one while the command said "Wrote 26 files to ~/deals/". A trailing slash says a
    folder (`--out x.md/`), whatever its name (`folders.as_written`)."""
    if not str(text).strip():
        raise typer.BadParameter("an empty path; name the folder")
    if str(text) == "-":  # standard output to a user, never a folder called "-"
        raise typer.BadParameter("'-' is standard output, not a folder; name the folder")
    from dealbench.folders import as_written

    return as_written(str(text))


def given_file(text: str | Path) -> Path:
    """A file option as written (`--portfolio`, `--against`, `--package`): an empty path is
    refused, where a Path would read it as the current folder; a leading `~` is the home
    folder, as for a folder option (the shell leaves `--portfolio=~/x.yaml` as written)."""
    if not str(text).strip():
        raise typer.BadParameter("an empty path; name the file")
    return Path(text).expanduser()


def home_expanded(text: str) -> str:
    """An option that names a file or something else (`--policy tiered` or a policy
    file; `--against 2` or a package file): a leading `~` is the home folder."""
    return str(Path(text).expanduser()) if text.startswith("~") else text


def file_option(name: str, what: str, metavar: str = "<path>") -> Any:
    """A file option: an empty path is refused, a leading `~` expanded."""
    return typer.Option(name, parser=given_file, metavar=metavar, help=what)


def folder_option(name: str, what: str, metavar: str = "<path>") -> Any:
    """A folder option (`--out`, `--rounds`, `--templates`): an empty path or `-` is refused."""
    return typer.Option(name, parser=given_folder, metavar=metavar, help=what)


OutDir = Annotated[
    Path | None,
    folder_option("--out", "Write result.json and term sheets into this folder."),
]
Force = Annotated[
    bool, typer.Option("--force", help="Overwrite files in --out that dealbench did not write.")
]
#: The one `--date` of every command: YYYY-MM-DD or `today` (parsed by cli.documents.parse_date).
DATE_HELP = (
    "Date on the documents: YYYY-MM-DD or `today`, in every command. solve and compare keep it "
    "in result.json, so a later render keeps it. Default: the package's or the result's date, "
    "else an undated draft."
)
Date = Annotated[str | None, typer.Option("--date", metavar="DATE", help=DATE_HELP)]
PortfolioArg = Annotated[
    Path, typer.Argument(metavar="PORTFOLIO", help="A portfolio file (deals/portfolios/*.yaml).")
]
#: A package file and the portfolio it belongs to (evaluate, risk, improve).
PackageArg = Annotated[
    Path,
    typer.Argument(metavar="PACKAGE", help="A package file: an offer, a counter or a solution."),
]
PackagePortfolio = Annotated[
    Path, file_option("--portfolio", "The portfolio the package belongs to.")
]


# --- option values, checked before any work -------------------------------------------


def share_option(text: str) -> float:
    """A share option's value (`--gap`, `--robust`): a number (`0.05`) or a percentage
    (`5%`), read as the data files read shares; its bounds are checked by the command
    (`nan` and `inf` too: they are numbers to Python, and the command names the range)."""
    from dealbench.arguments import share_typed
    from dealbench.errors import ArgumentError

    try:
        return share_typed(text, "share")
    except ArgumentError as exc:  # Click names the option
        raise typer.BadParameter(exc.message) from None


def typed_share_option(text: str) -> float:
    """`share_option`'s number, that remembers how it was typed (`arguments.TypedNumber`):
    a gap or robust share its check refuses is quoted as typed (`--gap 5`: "got 5", not
    5.0)."""
    if not isinstance(text, str):  # the default, given as a number
        return text
    return share_option(text)


def seconds_option(text: str) -> float:
    """--time-limit's number, remembered as typed (`--time-limit -5`: "got -5", not -5.0)."""
    from dealbench.arguments import number_typed
    from dealbench.errors import ArgumentError

    if not isinstance(text, str):  # the default, given as a number
        return text
    try:
        return number_typed(text, "time_limit")
    except ArgumentError as exc:  # Click names the option
        raise typer.BadParameter(exc.message) from None


def gap_option(what: str) -> Any:
    """--gap, as `solve` and `frontier` take it: 1e-6, 0.01 or 1%."""
    return typer.Option("--gap", metavar="GAP", parser=typed_share_option, help=what)


def time_limit_option(what: str) -> Any:
    """--time-limit, as `solve`, `compare` and `sweep` take it: seconds."""
    return typer.Option("--time-limit", parser=seconds_option, metavar="<float>", help=what)


def check_gap(gap: float) -> float:
    """--gap: a relative gap, 0 <= gap < 1 (0.01 stops within 1% of the best)."""
    from dealbench.arguments import relative_gap

    return relative_gap(gap)  # the library's check; errors.option_name says --gap


#: --solver, as `solve`, `compare` and `sweep` take it (the library checks the name).
SolverOpt = Annotated[str, typer.Option("--solver", help="Solver: highs or cbc.")]

#: The commands whose solves are HiGHS's only (frontier, offer, counter, room): their
#: frontier points and re-plans are solved by the decomposition, warm-started from each
#: other, which runs on HiGHS alone. They take `--solver highs` and refuse any other,
#: saying why (Click's "No such option: --solver" suggested --scheduler or --set).
HIGHS_ONLY = (
    "solves with HiGHS only (its frontier points and re-plans are solved by the "
    "decomposition, which runs on HiGHS alone); --solver cbc is for solve, compare and sweep"
)
HighsOnlyOpt = Annotated[
    str,
    typer.Option(
        "--solver",
        help="Solver: highs only (the frontier points and re-plans are solved by the "
        "decomposition, which runs on HiGHS alone; cbc is for solve, compare and sweep).",
    ),
]


def check_highs_only(command: str, solver: str) -> None:
    """`--solver` of a command that solves with HiGHS only: `highs`, else exit 2 saying why."""
    if solver == "highs":
        return
    from dealbench.optimize import SOLVERS

    said = "" if solver in SOLVERS else f"unknown solver {solver!r}; "
    _bad_option("--solver", f"{said}{command} {HIGHS_ONLY}")


def check_time_limit(seconds: float | None) -> float | None:
    """--time-limit: a positive, finite number of seconds (or absent: no limit)."""
    from dealbench.arguments import positive_seconds

    return positive_seconds(seconds)


def parse_money_option(
    option: str, value: str | None, what: str = "an amount of a deal"
) -> float | None:
    """A money option (`--v-floor 100bn`), read like money in the data files, and noted
    as they are where it is implausible (`--v-floor 100`: $100, its unit left out)."""
    from dealbench.model.plausible import money_said
    from dealbench.units import parse_money

    if value is None:
        return None
    try:
        amount = parse_money(value)
    except ValueError as exc:
        _bad_option(option, str(exc))
    said = money_said(amount, value, what)
    if said is not None:
        typer.echo(f"note: {option}: {said}", err=True)
    return amount


def _bad_option(option: str, message: str) -> None:
    from dealbench.errors import InputError, Issue

    raise InputError(Issue(option, None, "", message))


def check_needs_out(out: Path | None, given: dict[str, bool]) -> None:
    """Options that only say how --out's files are written (their date, house templates)
    do nothing without --out: refused, naming both, rather than silently ignored."""
    if out is not None:
        return
    for name, was_given in given.items():
        if was_given:
            _bad_option(name, "needs --out: it applies to the files written there, and none are")
