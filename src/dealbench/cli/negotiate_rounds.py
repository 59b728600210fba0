"""`dealbench offer | counter | conclude | walk-away | history | room`: negotiating in rounds.

Each command is a thin shell over `dealbench.negotiate`: it loads the
portfolio, finds its rounds folder (deals/rounds/<portfolio id>/ beside
deals/portfolios/, or --rounds), calls the library, prints a table or JSON,
and writes documents (term sheets, redlines, the status memo).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from dealbench.cli.base import (
    Force,
    HighsOnlyOpt,
    Json,
    PortfolioArg,
    app,
    check_highs_only,
    file_option,
    folder_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.scenario_options import ExecutorOpt, JobsOpt, SchedulerOpt, executor_from
from dealbench.units import quantity

if TYPE_CHECKING:
    from rich.table import Table

    from dealbench.io import OutputDir
    from dealbench.model import Portfolio
    from dealbench.negotiate.room import History, Room
    from dealbench.negotiate.rounds import Round
    from dealbench.negotiate.verdict import Verdict
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
    str | None, typer.Option("--date", help="Date of the round, YYYY-MM-DD, or `today`.")
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
        "(default: the strategy of our last offer, else boulware).",
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
        help="The next-offer strategy a counter is weighed against (default: the one recorded "
        "in our last offer).",
    ),
]
VerdictDeadlineOpt = Annotated[
    int | None,
    typer.Option("--deadline", help="Its deadline in US offers (default: as recorded)."),
]


def _setup(portfolio: Path, rounds: Path | None, *, figures: bool = True) -> tuple[Portfolio, Path]:
    """The portfolio and its rounds folder. A command that weighs `figures` (utilities,
    acceptance, the frontier) says which of them are the means of distributions."""
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.model import load_portfolio
    from dealbench.negotiate.rounds import rounds_root

    pf = load_portfolio(portfolio)
    if figures:
        note_uncertainty(pf)
    return pf, rounds if rounds is not None else rounds_root(portfolio, pf)


def _date(text: str | None) -> dt.date | None:
    from dealbench.cli.documents import parse_date

    return parse_date(text)


def _docs_folder(out: Path | None, pf: Portfolio) -> Path:
    return out if out is not None else Path("out") / "rounds" / pf.id


@dataclass(frozen=True)
class _Documents:
    """Where and how a round's documents go, checked before the round is recorded."""

    folder: OutputDir
    formats: list[Format]


def _documents(
    out: Path | None, pf: Portfolio, formats: str, force: bool, no_documents: bool
) -> _Documents | None:
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
    return _Documents(folder, chosen)


def _write_round_documents(
    pf: Portfolio,
    partner: str,
    current: Round,
    previous: Round | None,
    docs: _Documents | None,
) -> list[Path]:
    """The round's term sheets and redlines; the round is recorded already, so a failure
    here says so before its error."""
    from dealbench.cli.documents import write_documents
    from dealbench.errors import DealbenchError
    from dealbench.negotiate.documents import round_documents

    if docs is None:
        return []
    try:
        write_documents(docs.folder, round_documents(pf, partner, current, previous), docs.formats)
    except DealbenchError:
        typer.echo(
            f"Recorded round {current.number}: {_relative(current.path)}; its documents were "
            "not written:",
            err=True,
        )
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
            f"({_relative(current.path)}); only its documents were interrupted (see "
            "`dealbench history`)"
        )
        raise
    return docs.folder.written


def _relative(path: Path) -> str:
    from dealbench.model.yamlio import display_path

    return display_path(path)


def _echo_json(data: dict[str, Any], written: list[Path]) -> None:
    """A command's JSON answer, with the documents it wrote."""
    from dealbench.cli import output

    data["documents"] = [_relative(p) for p in written]
    typer.echo(output.to_json(data))


def _recorded(r: Round, how: str = "") -> None:
    typer.echo(f"Recorded round {r.number}: {_relative(r.path)}{how}")


def _print_written(written: list[Path]) -> None:
    for path in written:
        typer.echo(f"  wrote {_relative(path)}")


def _table(title: str, columns: tuple[tuple[str, str], ...]) -> Table:
    """A compact table (rounds, the room): a head rule, no edges, no padding."""
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
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    return table


@app.command(
    epilog=examples(
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --strategy zeuthen --json",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner QA --mode nash",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --strategy linear "
        "--fix security --fix invest-us --note 'Second session'",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --package deals/packages/ae-offer.yaml",
    )
)
def offer(
    portfolio: PortfolioArg,
    partner: PartnerOpt,
    strategy: StrategyOpt = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="Offer a point of the deal's frontier instead: us-best, nash or kalai.",
        ),
    ] = None,
    deadline: DeadlineOpt = None,
    solver: HighsOnlyOpt = "highs",
    beta: Annotated[
        float | None,
        typer.Option(
            "--beta", help="Concession exponent (default: boulware 0.2, linear 1, conceder 5)."
        ),
    ] = None,
    fix: Annotated[
        list[str] | None,
        typer.Option(
            "--fix",
            help="Keep this part of the last US offer: compute, security or a concession id "
            "(repeatable).",
        ),
    ] = None,
    package: Annotated[
        Path | None,
        file_option("--package", "Record this package as the offer instead of proposing one."),
    ] = None,
    note: NoteOpt = None,
    author: AuthorOpt = None,
    date: DateOpt = None,
    rounds: RoundsOpt = None,
    out: DocsOpt = None,
    formats: FormatOpt = "md",
    no_documents: NoDocs = False,
    force: Force = False,
    json_out: Json = False,
) -> None:
    """Record the next US offer to a partner, chosen by a concession strategy.

    Without --package, the offer moves along the frontier from the US ideal
    toward the US reservation value as the strategy says (never below it, nor below
    what the partner's last counter gives the US when it keeps its limits; when it
    breaks one, the offer gives the partner no more than the counter asked for);
    the strategy, its parameters and the target utility are recorded in the
    round file. Renders the offer's term sheets and, from the second US
    offer, redlines against the previous one (external and internal).

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.cli import output
    from dealbench.model import load_package
    from dealbench.negotiate.record import record_offer

    with handled():
        check_highs_only("offer", solver)
        pf, root = _setup(portfolio, rounds)
        code = partner.upper()
        pkg = load_package(package, pf) if package is not None else None
        fixed = [f.strip() for item in fix or [] for f in item.split(",") if f.strip()]
        docs = _documents(out, pf, formats, force, no_documents)
        done = record_offer(
            pf,
            root,
            code,
            package=pkg,
            strategy=strategy,
            mode=mode,
            deadline=deadline,
            beta=beta,
            fix=fixed,
            note=note,
            author=author,
            date=_date(date),
        )
        written = _write_round_documents(pf, code, done.round, done.previous, docs)
        figures = done.round.figures
        if figures is not None:  # with the shared limits it breaks beside the concluded deals
            figures = figures.model_copy(update={"violations": figures.violations + done.shared})
        if json_out:
            data: dict[str, Any] = {
                "round": done.round.number,
                "file": _relative(done.round.path),
                "package": done.round.package.model_dump(mode="json", exclude_none=True)
                if done.round.package
                else None,
                "figures": figures.model_dump(mode="json") if figures else None,
                "strategy": done.round.data.strategy.model_dump(mode="json")
                if done.round.data.strategy
                else None,
            }
            _echo_json(data, written)
            return
        _recorded(done.round)
        record = done.round.data.strategy
        if record is not None:
            typer.echo(
                f"Strategy: {record.name}; target US utility {output.money(record.target_us_utility)} "
                f"(ideal {output.money(record.ideal_us_utility)}, reservation "
                f"{output.money(record.reservation_us_utility)})"
            )
            if record.reason:
                typer.echo(output.paragraph(f"{record.reason}.", first="  ", rest="  "))
        if figures is not None:
            output.print_evaluation(figures, pf.periods, done.round.package)
        _print_written(written)


@app.command(
    epilog=examples(
        "dealbench counter deals/portfolios/gulf-asia.yaml --partner AE deals/packages/ae-counter.yaml",
        "dealbench counter deals/portfolios/gulf-asia.yaml --partner AE deals/packages/ae-counter-2.yaml --json",
    )
)
def counter(
    portfolio: PortfolioArg,
    package: Annotated[
        Path, typer.Argument(metavar="FILE", help="The partner's counter: a package YAML file.")
    ],
    partner: CounterPartnerOpt = None,
    strategy: VerdictStrategyOpt = None,
    deadline: VerdictDeadlineOpt = None,
    solver: HighsOnlyOpt = "highs",
    note: NoteOpt = None,
    author: AuthorOpt = None,
    date: DateOpt = None,
    rounds: RoundsOpt = None,
    out: DocsOpt = None,
    formats: FormatOpt = "md",
    no_documents: NoDocs = False,
    force: Force = False,
    json_out: Json = False,
) -> None:
    """Record a partner's counter as the next round, and give the verdict on it.

    The file is validated against the package schema and the portfolio first;
    a malformed counter is refused and nothing is written. A counter that
    breaks a limit is recorded, with its violations in the verdict. The
    verdict: both sides' utilities and the change from our last offer, every
    violated limit, the distance to the frontier, what accepting takes from
    the other negotiations, and accept / counter / walk away with the reason.

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.negotiate.record import record_counter

    with handled():
        check_highs_only("counter", solver)
        pf, root = _setup(portfolio, rounds)
        if partner is None:  # the file names the partner; a malformed file is refused here
            from dealbench.model.load import load_package

            partner = load_package(package, pf).partner
        code = partner.upper()
        docs = _documents(out, pf, formats, force, no_documents)
        done = record_counter(
            pf,
            root,
            code,
            package,
            note=note,
            author=author,
            date=_date(date),
            strategy=strategy,
            deadline=deadline,
        )
        written: list[Path] = []
        if docs is not None:
            from dealbench.negotiate.rounds_read import load_negotiation
            from dealbench.negotiate.rounds_write import recorded

            with recorded(done.round.data, done.round.path):
                previous = load_negotiation(pf, root, code).last_offer
            written = _write_round_documents(pf, code, done.round, previous, docs)
        if json_out:
            data = done.verdict.model_dump(mode="json")
            data["file"] = _relative(done.round.path)
            _echo_json(data, written)
            return
        _recorded(done.round)
        print_verdict(done.verdict, pf.periods)
        _print_written(written)


def print_verdict(v: Verdict, periods: list[str]) -> None:
    """The verdict as a person reads it: figures, limits, the frontier, the portfolio, the move."""
    from dealbench.cli import output
    from dealbench.limit import broken_messages
    from dealbench.units import usd

    m = output.money

    def echo(text: str) -> None:
        body = text.lstrip(" ")
        _wrapped(body, indent=" " * (len(text) - len(body)))

    title = f"round {v.round}" if v.round is not None else "the package"
    echo(f"Verdict on {title} from {v.partner}:")
    change = ""
    if v.us_change is not None and v.partner_change is not None:
        us, partner = usd(v.us_change, signed=True), usd(v.partner_change, signed=True)
        change = f" (change from {v.compared_with}: US {us}, partner {partner})"
    echo(f"  Utilities: US {m(v.us_utility)}, partner {m(v.partner_utility)}{change}")
    if v.violations:
        lines = broken_messages(v.violations)
        echo(f"  Limits broken ({len(lines)}):")
        for line in lines:
            echo(f"    - {line}")
    else:
        echo("  Limits broken: none")
    for note in v.notes:
        echo(f"  Note: {note}")
    echo(f"  Frontier: {v.frontier_words(periods)}")
    echo(f"  Takes: {v.taken_words()}")
    echo(f"  {v.supply_left_words()}")
    others = bool(v.others_open)  # a lone open negotiation has no rest to re-plan
    said = v.portfolio_texts()
    # "n/a if accepted" for a counter that cannot be accepted; the web page says it so.
    accepted = (
        f"{said['accepted']} if accepted{' (rest re-optimized)' if others else ''}"
        if v.portfolio_if_accepted is not None
        else "not feasible if accepted"
    )
    echo(
        f"  Portfolio V: {accepted}, {said['plan']} in the current plan, "
        f"{said['walk_away']} if the US walks away"
    )
    echo(f"Recommendation: {v.recommendation.upper()} — {v.reason}.")


@app.command(
    epilog=examples(
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE --round 3 --date 2026-04-02",
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE --format md,pdf --out out/agreed",
    )
)
def conclude(
    portfolio: PortfolioArg,
    partner: PartnerOpt,
    round_number: Annotated[
        int | None,
        typer.Option("--round", help="The round whose package is agreed (default: the last one)."),
    ] = None,
    note: NoteOpt = None,
    author: AuthorOpt = None,
    date: DateOpt = None,
    rounds: RoundsOpt = None,
    out: DocsOpt = None,
    formats: FormatOpt = "md",
    no_documents: NoDocs = False,
    force: Force = False,
    json_out: Json = False,
) -> None:
    """Record that the deal is concluded on a round's package (it must pass every limit).

    From then on the package is fixed whenever the portfolio is re-planned:
    its compute and risk are no longer available to the other partners.
    Renders the terms agreed as the deal's final term sheets (external and
    internal), named for the concluding round: term-sheets/AE-agreed-007.md.

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.cli import output
    from dealbench.negotiate.record import conclude as run_conclude

    with handled():
        pf, root = _setup(portfolio, rounds)
        code = partner.upper()
        docs = _documents(out, pf, formats, force, no_documents)
        done = run_conclude(
            pf,
            root,
            code,
            round_number=round_number,
            note=note,
            author=author,
            date=_date(date),
        )
        # The terms agreed, the document a principal signs: the round's term sheets (no
        # redline: the offer or counter concluded on has its own, written when recorded).
        written = _write_round_documents(pf, code, done, None, docs)
        if json_out:
            _echo_json(_round_json(done), written)
            return
        _recorded(done, f" (concluded on {done.data.basis})")
        if done.figures is not None:
            output.print_evaluation(done.figures, pf.periods, done.package)
        _print_written(written)


@app.command(
    "walk-away",
    epilog=examples(
        "dealbench walk-away deals/portfolios/gulf-asia.yaml --partner QA",
        "dealbench walk-away deals/portfolios/gulf-asia.yaml --partner BH --by partner "
        "--note 'Chose the PRC stack'",
    ),
)
def walk_away(
    portfolio: PortfolioArg,
    partner: PartnerOpt,
    by: Annotated[str, typer.Option("--by", help="Who walks away: us or partner.")] = "us",
    note: NoteOpt = None,
    author: AuthorOpt = None,
    date: DateOpt = None,
    rounds: RoundsOpt = None,
    json_out: Json = False,
) -> None:
    """Record that the talks with a partner ended without a deal.

    From then on the partner gets no deal whenever the portfolio is re-planned.

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.cli import output
    from dealbench.cli.documents import check_choice
    from dealbench.negotiate.record import walk_away as run_walk_away

    with handled():
        check_choice("--by", by, ("us", "partner"), "expected us or partner, got {0!r}")
        pf, root = _setup(portfolio, rounds, figures=False)  # records no figure
        done = run_walk_away(
            pf,
            root,
            partner.upper(),
            by="us" if by == "us" else "partner",
            note=note,
            author=author,
            date=_date(date),
        )
        if json_out:
            typer.echo(output.to_json(_round_json(done)))
            return
        _recorded(done, " (walked away)")


def _round_json(r: Round) -> dict[str, Any]:
    data: dict[str, Any] = r.data.model_dump(mode="json", exclude_none=True)
    data["file"] = _relative(r.path)
    data["figures"] = r.figures.model_dump(mode="json") if r.figures else None
    return data


@app.command(
    epilog=examples(
        "dealbench history deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench history deals/portfolios/gulf-asia.yaml --partner AE --json",
        "dealbench history deals/portfolios/gulf-asia.yaml --partner AE --out out/",
    )
)
def history(
    portfolio: PortfolioArg,
    partner: PartnerOpt,
    rounds: RoundsOpt = None,
    out: Annotated[
        Path | None,
        folder_option(
            "--out",
            "Also draw the rounds on the deal's frontier: DIR/charts/<CODE>-rounds.svg and .png.",
        ),
    ] = None,
    points: Annotated[
        str,
        typer.Option(
            "--points",
            help="Frontier points of the chart (2-1000), or 'all': every non-dominated package.",
        ),
    ] = "15",
    solver: HighsOnlyOpt = "highs",
    force: Force = False,
    json_out: Json = False,
) -> None:
    """Every round with a partner: who, when, both sides' utilities and compliance.

    With --out, the path of the rounds drawn on the frontier of the deal (the
    other open negotiations left out, the concluded deals fixed), which solves
    (with HiGHS).
    """
    from dealbench.cli.negotiate_frontier import parse_points
    from dealbench.negotiate.room import history as run_history

    with handled():
        check_highs_only("history", solver)
        n = parse_points(points)  # refused before the work, with or without --out
        pf, root = _setup(portfolio, rounds)
        code = partner.upper()
        found = run_history(pf, root, code)
        written: list[Path] = []
        if out is not None:
            written = _write_history_chart(pf, root, code, out, n, force)
        if json_out:
            _echo_json(found.model_dump(mode="json"), written)
            return
        print_history(found)
        _print_written(written)


def _write_history_chart(
    pf: Portfolio, root: Path, code: str, out: Path, points: int | Literal["all"], force: bool
) -> list[Path]:
    from dealbench.io import OutputDir
    from dealbench.negotiate.documents import history_chart_files

    files = history_chart_files(pf, root, code, points=points)
    folder = OutputDir(out, force=force)
    folder.publish(files)  # one transaction: both charts, or neither
    return folder.written


def print_history(h: History) -> None:
    from dealbench.cli import output
    from dealbench.cli.output import console, print_table
    from dealbench.limit import broken_messages

    table = _table(
        f"{h.name} ({h.partner}) — {h.stage}",
        (
            ("Round", "right"),
            ("Side", "left"),
            ("Date", "left"),
            ("Status", "left"),
            ("Security", "left"),
            ("US\nutility", "right"),
            ("Partner\nutility", "right"),
            ("OK", "left"),
            ("Strategy", "left"),
        ),
    )
    for r in h.rounds:
        complies = "-" if r.accepts is None else ("yes" if r.accepts and not r.violations else "no")
        strategy = ""
        if r.strategy:
            strategy = f"{r.strategy['name']} {output.money(r.strategy.get('target_us_utility'))}"
        table.add_row(
            str(r.round),
            r.side,
            r.date or "",
            r.status,
            r.package.security if r.package else "-",
            output.money(r.us_utility) if r.us_utility is not None else "-",
            output.money(r.partner_utility) if r.partner_utility is not None else "-",
            complies,
            strategy,
        )
    print_table(console(), table)
    for r in h.rounds:
        for line in broken_messages(r.violations):
            _wrapped(f"round {r.round}: {line}", indent="  ")


@app.command(
    epilog=examples(
        "dealbench room deals/portfolios/gulf-asia.yaml",
        "dealbench room deals/portfolios/gulf-asia.yaml --json",
        "dealbench room deals/portfolios/gulf-asia.yaml --render md,pdf --out out/",
    )
)
def room(
    portfolio: PortfolioArg,
    rounds: RoundsOpt = None,
    strategy: VerdictStrategyOpt = None,
    deadline: VerdictDeadlineOpt = None,
    solver: HighsOnlyOpt = "highs",
    render: Annotated[
        str | None,
        typer.Option(
            "--render",
            help="Also write the negotiation status memo in these formats: md, html, docx, pdf, json.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        folder_option("--out", "Folder for the memo (with --render)."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Date of the memo (with --render), YYYY-MM-DD, or `today`."),
    ] = None,
    force: Force = False,
    json_out: Json = False,
    jobs: JobsOpt = None,
    executor: ExecutorOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """The deal room: every partner's stage, last offer and counter, gap, and next move.

    Concluded deals are fixed and walked-away partners excluded; the open
    negotiations are re-optimized against the supply and risk budget left. The
    counters that await an answer are weighed side by side (`--jobs`).
    """
    from dealbench.cli.documents import parse_formats, write_documents
    from dealbench.errors import InputError, Issue
    from dealbench.io import OutputDir
    from dealbench.negotiate.documents import negotiation_memo_document
    from dealbench.negotiate.room import room as run_room
    from dealbench.negotiate.rounds_check import check_date
    from dealbench.render.clause_check import check_portfolio_clauses

    with handled():
        check_highs_only("room", solver)
        formats = parse_formats(render, "--render") if render is not None else None
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
        if out is not None and formats is None:  # else nothing would be written there
            raise InputError(
                Issue("--out", None, "", "needs --render, the memo's formats (e.g. md,pdf)")
            )
        memo_date = _date(date)  # refused before the work, not after
        pf, root = _setup(portfolio, rounds)
        check_date(pf, memo_date)
        if formats is not None:  # refused before the room is planned, not after
            check_portfolio_clauses(pf)
        ex = executor_from(jobs, executor, scheduler)
        found = run_room(pf, root, strategy=strategy, deadline=deadline, executor=ex)
        written: list[Path] = []
        if formats is not None and out is not None:
            folder = OutputDir(out, force=force)
            doc = negotiation_memo_document(pf, found, date=memo_date)
            write_documents(folder, [doc], formats)
            written = folder.written
        if json_out:
            _echo_json(found.model_dump(mode="json"), written)
            return
        print_room(found)
        _print_written(written)


def print_room(r: Room) -> None:
    """The room as a table that fits 80 columns: each utility pair on two lines (US, partner)."""
    from dealbench.cli import output
    from dealbench.cli.output import console, print_table

    m = output.money
    table = _table(
        f"Deal room — {r.portfolio_title}",
        (
            ("Partner ", "left"),
            ("Stage", "left"),
            ("Rounds", "right"),
            ("Our offer\nUS/partner", "right"),
            ("Counter\nUS/partner", "right"),
            ("Gap\nUS", "right"),
            ("Frontier\ngain", "right"),
            ("Next move", "left"),
        ),
    )
    for row in r.rows:
        a, b = row.last_offer, row.last_counter
        table.add_row(
            row.partner,
            row.stage,
            str(row.rounds),
            f"{m(a.us_utility)}\n{m(a.partner_utility)}" if a else "-",
            f"{m(b.us_utility)}\n{m(b.partner_utility)}" if b else "-",
            m(row.us_gap) if row.us_gap is not None else "-",
            m(row.frontier_gain) if row.frontier_gain is not None else "-",
            row.next_move,
        )
    print_table(console(), table)
    _wrapped(f"Portfolio US utility V (open negotiations re-planned): {m(r.objective)}")
    left = ", ".join(f"{t} {quantity(r.supply_left[t])}/{quantity(r.supply[t])}" for t in r.periods)
    _wrapped(f"Supply left after concluded deals (H100e): {left}")
    if r.risk_budget is not None and r.risk_left is not None:
        _wrapped(f"Risk budget left: {quantity(r.risk_left)} of {quantity(r.risk_budget)}")
    if r.overcommitted is not None:
        _wrapped(r.overcommitted)
    for row in r.rows:
        if row.agreed is not None:  # the terms signed, not the last offer and counter above
            a = row.agreed
            _wrapped(
                f"{row.partner}: {row.reason}; agreed: US {m(a.us_utility)}, partner "
                f"{m(a.partner_utility)}",
                indent="  ",
            )
        elif row.next_move not in ("-",):
            _wrapped(f"{row.partner}: {row.next_move} — {row.reason}", indent="  ")
        else:
            _wrapped(f"{row.partner}: {row.reason}", indent="  ")


def _wrapped(text: str, indent: str = "") -> None:
    """One paragraph, wrapped to the terminal."""
    from dealbench.cli import output

    typer.echo(output.paragraph(text, first=indent, rest=indent + "    "))
