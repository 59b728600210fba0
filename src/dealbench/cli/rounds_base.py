"""What the round commands share (`cli.negotiate_rounds`, `cli.negotiate_room`): their
options, the portfolio and its rounds folder, the round's documents, checked before the
round is recorded and written after, and the few lines every one of them prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealbench.cli.base import folder_option

if TYPE_CHECKING:
    from rich.table import Table

    from dealbench.io import OutputDir
    from dealbench.model import Portfolio
    from dealbench.negotiate.rounds.negotiation import Round
    from dealbench.render.documents import Format

PartnerOpt = Annotated[str, typer.Option("--partner", "-p", help="The partner's code, e.g. AE.")]
CounterPartnerOpt = Annotated[
    str | None,
    typer.Option(
        "--partner",
        "-p",
        help="The partner's code, e.g. AE (default: the counter file's `partner`; when "
        "given, the file must name the same partner).",
    ),
]
RoundsOpt = Annotated[
    Path | None,
    folder_option(
        "--rounds",
        "The portfolio's rounds folder (default: deals/rounds/<portfolio id>/ beside "
        "the portfolios folder).",
    ),
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Free text recorded in the round.")]
AuthorOpt = Annotated[
    str | None, typer.Option("--author", help="Who speaks in this round (free text).")
]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", metavar="DATE", help="Date of the round, YYYY-MM-DD, or `today`."),
]
DocsOpt = Annotated[
    Path | None,
    folder_option(
        "--out",
        "Folder for the round's term sheets and redlines (default: out/rounds/<portfolio id>).",
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", help="Document formats: md, html, docx, pdf, json (comma-separated)."
    ),
]
NoDocs = Annotated[bool, typer.Option("--no-documents", help="Record the round only.")]
StrategyOpt = Annotated[
    str | None,
    typer.Option(
        "--strategy",
        help="How the next offer concedes: boulware, linear, conceder (time-dependent) or zeuthen "
        "(default: the last one our offers were made by, else boulware).",
    ),
]
DeadlineOpt = Annotated[
    int | None,
    typer.Option(
        "--deadline",
        help="Time-dependent strategies: T, the US offers made before the target reaches "
        "the reservation value (the first offer is the ideal, offer T+1 the reservation).",
    ),
]

VerdictStrategyOpt = Annotated[
    str | None,
    typer.Option(
        "--strategy",
        help="The next-offer strategy a counter is weighed against (default: the last one "
        "recorded in our offers, else boulware).",
    ),
]
VerdictDeadlineOpt = Annotated[
    int | None,
    typer.Option("--deadline", help="Its deadline in US offers (default: as recorded)."),
]


def portfolio_and_rounds(
    portfolio: Path, rounds: Path | None, *, figures: bool = True, records: bool = False
) -> tuple[Portfolio, Path]:
    """The portfolio and its rounds folder. A command that weighs `figures` (utilities,
    acceptance, the frontier) says which of them are the means of distributions. One that
    `records` a round into the default folder is refused when another portfolio file
    with its id records into the same folder: it is that file's too (`refuse_shared`).
    A `rounds` folder given that does not exist is read as empty, as `docs/negotiation.md`
    says, with a note on stderr: where the command only reads it (`room`, `history`), a
    mistyped folder showed every partner "not started" with nothing said; where it
    records (`offer`, `counter`, `walk-away`), `--rounds deals/rounds/gulfasia` made that
    folder and recorded "round 1" of AE's talks, four rounds in, with nothing said."""
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.model import load_portfolio
    from dealbench.negotiate.rounds.negotiation import rounds_root
    from dealbench.negotiate.rounds.write import refuse_shared

    pf = load_portfolio(portfolio)
    if rounds is None:
        rounds = rounds_root(portfolio, pf)
        if records:
            refuse_shared(portfolio, pf)
    elif not rounds.exists():  # read as empty, but likely mistyped: say so
        from dealbench.model.yamlio import display_path, near_path

        shown = display_path(rounds)
        meant = near_path(rounds, shown)
        # A command that records makes a new folder for a new negotiation (every first
        # round in a fresh folder): it notes only a folder that looks mistyped.
        if not records or meant is not None:
            made = "; a round recorded makes it" if records else ""
            own = display_path(rounds_root(portfolio, pf))
            hint = f"; did you mean {meant}?" if meant not in (None, own) else ""
            typer.echo(
                f"note: --rounds {shown} does not exist: read as no rounds recorded{made} "
                f"(the portfolio's own folder is {own}){hint}",
                err=True,
            )
    note_other_portfolio(portfolio, pf, rounds)
    if figures:
        note_uncertainty(pf)
    return pf, rounds


def note_other_portfolio(portfolio: Path, pf: Portfolio, rounds: Path) -> None:
    """A note on stderr when the rounds folder holds rounds recorded for another portfolio
    (`recorded_for_another`): read all the same, as the format allows (a copy of a folder
    may serve a variant of its portfolio), but likely the wrong --rounds."""
    from dealbench.model.yamlio import display_path
    from dealbench.negotiate.rounds.negotiation import rounds_root
    from dealbench.negotiate.rounds.read import recorded_for_another

    other = recorded_for_another(pf, rounds)
    if other is None:
        return
    path, their = other
    own = rounds_root(portfolio, pf)
    mine = "" if own.resolve() == rounds.resolve() else f"; its own are in {display_path(own)}"
    typer.echo(
        f"note: {display_path(path)} was recorded for portfolio {their}, not {pf.id}: the "
        f"rounds in {display_path(rounds)} are read as {pf.id}'s all the same{mine}",
        err=True,
    )


def round_date(text: str | None) -> dt.date | None:
    from dealbench.cli.documents import parse_date

    return parse_date(text)


def _docs_folder(out: Path | None, pf: Portfolio) -> Path:
    return out if out is not None else Path("out") / "rounds" / pf.id


@dataclass(frozen=True)
class RoundDocuments:
    """Where and how a round's documents go, checked before the round is recorded."""

    folder: OutputDir
    formats: list[Format]
    #: The portfolio file as given, for the command that writes the documents again.
    portfolio: Path


def check_documents(
    portfolio: Path,
    out: Path | None,
    pf: Portfolio,
    formats: str,
    force: bool,
    no_documents: bool,
) -> RoundDocuments | None:
    """Check --format and --out before a round is recorded, so a refusal writes nothing."""
    from dealbench.cli.documents import parse_formats
    from dealbench.io import OutputDir
    from dealbench.render.clause_check import check_portfolio_clauses

    if no_documents:
        return None
    chosen = parse_formats(formats)
    check_portfolio_clauses(pf)
    folder = OutputDir(_docs_folder(out, pf), force=force)
    folder.check([])
    return RoundDocuments(folder, chosen, portfolio)


def check_round_files(
    docs: RoundDocuments | None, pf: Portfolio, root: Path, partner: str, side: str
) -> None:
    """The files the next round's term sheets and redlines take (`side`: `us`, `partner`,
    or `agreed` for a conclusion), checked before the round is recorded: one the user wrote
    or edited there refuses the command, nothing written. Refused only once the round was
    on disk, the command's advice (`--force`) recorded a second round when followed, and
    its documents went to other names (qa39b-reliable)."""
    from dealbench.errors import InputError
    from dealbench.negotiate.documents import round_paths
    from dealbench.negotiate.rounds.read import load_negotiation
    from dealbench.negotiate.rounds.write import refuse_shipped

    if docs is None:
        return
    refuse_shipped(root)  # said first, as the recording command says it
    try:
        negotiation = load_negotiation(pf, root, partner)
    except InputError:
        return  # a problem of the rounds, which the recording command says in its place
    previous = None if side == "agreed" else negotiation.last_offer
    paths = round_paths(partner, side, negotiation.next_number, previous)
    docs.folder.check(f"{path}.{fmt}" for path in paths for fmt in docs.formats)


def write_round_documents(
    pf: Portfolio,
    partner: str,
    current: Round,
    previous: Round | None,
    docs: RoundDocuments | None,
) -> list[Path]:
    """The round's term sheets and redlines; the round is recorded already, so a failure
    here says so before its error, and after it how to write its term sheets once the
    fault is mended (the command run again records another round)."""
    from dealbench.cli.documents import write_documents
    from dealbench.errors import DealbenchError
    from dealbench.negotiate.documents import round_documents

    if docs is None:
        return []
    try:
        write_documents(docs.folder, round_documents(pf, partner, current, previous), docs.formats)
    except DealbenchError as exc:
        typer.echo(
            f"Recorded round {current.number}: {relative(current.path)}; its documents were "
            "not written:",
            err=True,
        )
        exc.add_note(_written_again(current, docs))
        raise
    except KeyboardInterrupt as exc:  # Ctrl-C: the round stands, the user must know
        what = (
            "conclusion"
            if current.status == "concluded"
            else "offer"
            if current.side == "us"
            else "counter"
        )
        exc.add_note(
            f"note: the {what} was recorded as round {current.number} "
            f"({relative(current.path)}); only its documents were interrupted (see "
            "`dealbench history`)"
        )
        raise
    return docs.folder.written


def _written_again(current: Round, docs: RoundDocuments) -> str:
    """How to write a recorded round's term sheets once what stopped them is mended: from
    the round file, by `render` (the same names and text). Running the command again, the
    one way a user was left, records the next round instead."""
    import shlex

    formats = ",".join(docs.formats)
    words = [
        "dealbench render", relative(current.path), "--portfolio", relative(docs.portfolio),
        "--out", str(docs.folder.given), "--format", formats,
    ]  # fmt: skip
    command = " ".join(w if i == 0 else shlex.quote(w) for i, w in enumerate(words))
    return (
        f"note: the round stands (running the command again records round "
        f"{current.number + 1}); once the fault is mended, write its term sheets with "
        f"`{command}`, and again with --audience internal (`dealbench redline` writes a "
        "redline)"
    )


def relative(path: Path) -> str:
    from dealbench.model.yamlio import display_path

    return display_path(path)


def echo_json(data: dict[str, Any], written: list[Path]) -> None:
    """A command's JSON answer, with the documents it wrote."""
    from dealbench.cli import output

    data["documents"] = [relative(p) for p in written]
    typer.echo(output.to_json(data))


def echo_recorded(r: Round, how: str = "") -> None:
    typer.echo(f"Recorded round {r.number}: {relative(r.path)}{how}")


def print_written(written: list[Path]) -> None:
    for path in written:
        typer.echo(f"  wrote {relative(path)}")


def compact_table(
    title: str, columns: tuple[tuple[str, str], ...], whole: tuple[str, ...] = ()
) -> Table:
    """A compact table (rounds, the room): a head rule, no edges, no padding. The columns
    named in `whole` hold ids, never broken across lines (`sovereign-vaul` / `t`)."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=0,
        collapse_padding=True,
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=name in whole)  # type: ignore[arg-type]
    return table


def echo_wrapped(text: str, indent: str = "") -> None:
    """One paragraph, wrapped to the terminal."""
    from dealbench.cli import output

    typer.echo(output.paragraph(text, first=indent, rest=indent + "    "))
