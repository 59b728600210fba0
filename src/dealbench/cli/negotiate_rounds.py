"""`dealbench offer | counter | conclude | walk-away`: recording the rounds of a negotiation.

Each command is a thin shell over `dealbench.negotiate`: it loads the
portfolio, finds its rounds folder (deals/rounds/<portfolio id>/ beside
deals/portfolios/, or --rounds), calls the library, prints a table or JSON,
and writes documents (term sheets, redlines). What they share is in
`cli.rounds_base`; `history` and `room`, which read the rounds back, are in
`cli.negotiate_room`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealbench.cli.base import (
    Force,
    HighsOnlyOpt,
    Json,
    PortfolioArg,
    app,
    check_highs_only,
    file_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.rounds_base import (
    AuthorOpt,
    CounterPartnerOpt,
    DateOpt,
    DeadlineOpt,
    DocsOpt,
    FormatOpt,
    NoDocs,
    NoteOpt,
    PartnerOpt,
    RoundsOpt,
    StrategyOpt,
    VerdictDeadlineOpt,
    VerdictStrategyOpt,
    check_documents,
    check_round_files,
    echo_json,
    echo_recorded,
    portfolio_and_rounds,
    print_written,
    round_date,
    write_round_documents,
)
from dealbench.cli.verdict_output import next_command, print_verdict
from dealbench.list_words import each_once

if TYPE_CHECKING:
    from dealbench.checker import DealFigures
    from dealbench.negotiate.rounds.negotiation import Round


@app.command(
    epilog=examples(
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --strategy zeuthen --json",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner QA --mode nash",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --strategy linear "
        "--fix security --fix invest-us --note 'Second session'",
        "dealbench offer deals/portfolios/gulf-asia.yaml --partner AE --package deals/packages/ae-offer.yaml "
        "--allow-retreat",
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
    allow_retreat: Annotated[
        bool,
        typer.Option(
            "--allow-retreat",
            help="Record the offer even when it gives the partner less than our last offer "
            "did (refused without it); the round file says what it takes back.",
        ),
    ] = False,
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
    from dealbench.negotiate.record import record_offer

    with handled(json_out):
        check_highs_only("offer", solver)
        pf, root = portfolio_and_rounds(portfolio, rounds, records=True)
        code = partner.upper()
        fixed = each_once(
            (f.strip() for item in fix or [] for f in item.split(",") if f.strip()), "--fix", "part"
        )
        docs = check_documents(portfolio, out, pf, formats, force, no_documents)
        check_round_files(docs, pf, root, code, "us")
        done = record_offer(
            pf,
            root,
            code,
            package=package,
            strategy=strategy,
            mode=mode,
            deadline=deadline,
            beta=beta,
            fix=fixed,
            note=note,
            author=author,
            date=round_date(date),
            allow_retreat=allow_retreat,
            recorded_by="`dealbench offer`",
        )
        figures = done.figures  # with the shared limits it breaks beside the concluded deals
        if json_out:
            written = write_round_documents(pf, code, done.round, done.previous, docs)
            data: dict[str, Any] = done.to_json()  # the library's Offer.to_json()
            echo_json(data, written)
            return
        echo_recorded(done.round)
        record = done.round.data.strategy
        if record is not None:
            typer.echo(
                output.paragraph(
                    f"Strategy: {record.name}; target US utility "
                    f"{output.money(record.target_us_utility)} (ideal "
                    f"{output.money(record.ideal_us_utility)}, reservation "
                    f"{output.money(record.reservation_us_utility)})"
                )
            )
            if record.reason:
                typer.echo(output.paragraph(f"{record.reason}.", first="  ", rest="  "))
        if done.repeat_note:
            typer.echo(output.paragraph(done.repeat_note))
        if done.round.data.retreat and done.previous is not None and figures is not None:
            typer.echo(_retreat_warning(done.previous, figures))
        if figures is not None:
            output.print_evaluation(figures, pf.periods, done.round.package)
        if done.no_deal_note:
            typer.echo(output.paragraph(done.no_deal_note))
        if done.step_note:
            typer.echo(output.paragraph(done.step_note))
        # Said before the documents (a PDF takes seconds): a command stopped while they
        # are written (SIGKILL, a closed terminal) had said nothing of the round on disk.
        print_written(write_round_documents(pf, code, done.round, done.previous, docs))


def _retreat_warning(previous: Round, figures: DealFigures) -> str:
    """The warning on an offer recorded with `--allow-retreat`: both partner utilities."""
    from dealbench.cli import output

    code, before = figures.partner, previous.figures
    was = (
        f", where round {previous.number} gave {output.money(before.partner_utility)}"
        if before is not None
        else ""
    )
    return output.paragraph(
        f"Warning: this offer takes back part of what round {previous.number} offered {code}: "
        f"it gives {code} {output.money(figures.partner_utility)}{was} (recorded as allowed; "
        "the round file says so "
        "under retreat:).",
        first="",
        rest="  ",
    )


@app.command(
    epilog=examples(
        "dealbench counter deals/portfolios/gulf-asia.yaml --partner AE deals/packages/ae-counter.yaml",
        "dealbench counter deals/portfolios/global.yaml deals/packages/kr-counter.yaml --json",
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
    the other negotiations, and accept / counter / walk away with the reason,
    then the command that makes that move (Next: dealbench conclude ...).

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.negotiate.record import record_counter

    with handled(json_out):
        check_highs_only("counter", solver)
        pf, root = portfolio_and_rounds(portfolio, rounds, records=True)
        if partner is None:  # the file names the partner; a malformed file is refused here
            from dealbench.model.load_package import load_package

            partner = load_package(package, pf).partner
        code = partner.upper()
        docs = check_documents(portfolio, out, pf, formats, force, no_documents)
        check_round_files(docs, pf, root, code, "partner")
        done = record_counter(
            pf,
            root,
            code,
            package,
            note=note,
            author=author,
            date=round_date(date),
            strategy=strategy,
            deadline=deadline,
            recorded_by="`dealbench counter`",
        )
        previous = None
        if docs is not None:
            from dealbench.negotiate.rounds.read import load_negotiation
            from dealbench.negotiate.rounds.write import recorded

            with recorded(done.round.data, done.round.path):
                previous = load_negotiation(pf, root, code).last_offer
        if json_out:
            written = write_round_documents(pf, code, done.round, previous, docs)
            echo_json(done.to_json(), written)  # the library's Counter.to_json()
            return
        said = done.file_round
        echo_recorded(done.round, "" if said is None else f" (the file says round {said})")
        print_verdict(done.verdict, pf.periods)
        # One line, unwrapped: a command to copy.
        typer.echo(f"Next: {next_command(done.verdict, portfolio, rounds, strategy, deadline)}")
        print_written(write_round_documents(pf, code, done.round, previous, docs))


@app.command(
    epilog=examples(
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE --round 3 --date 2026-04-02",
        "dealbench conclude deals/portfolios/gulf-asia.yaml --partner AE --format md,pdf --out out/agreed",
        alternatives="each concludes AE's deal for good: run one",
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

    with handled(json_out):
        pf, root = portfolio_and_rounds(portfolio, rounds, records=True)
        code = partner.upper()
        docs = check_documents(portfolio, out, pf, formats, force, no_documents)
        check_round_files(docs, pf, root, code, "agreed")
        done = run_conclude(
            pf,
            root,
            code,
            round_number=round_number,
            note=note,
            author=author,
            date=round_date(date),
            recorded_by="`dealbench conclude`",
        )
        # The terms agreed, the document a principal signs: the round's term sheets (no
        # redline: the offer or counter concluded on has its own, written when recorded).
        if json_out:
            echo_json(done.to_json(), write_round_documents(pf, code, done, None, docs))
            return
        echo_recorded(done, f" (concluded on {done.data.basis})")
        if done.figures is not None:
            output.print_evaluation(done.figures, pf.periods, done.package)
        print_written(write_round_documents(pf, code, done, None, docs))


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
    no_documents: Annotated[
        bool,
        typer.Option(
            "--no-documents",
            help="Taken as the other round commands take it: a walk-away writes no documents.",
        ),
    ] = False,
    json_out: Json = False,
) -> None:
    """Record that the talks with a partner ended without a deal.

    From then on the partner gets no deal whenever the portfolio is re-planned. A
    walk-away has no terms, so it writes no term sheet or redline (`--no-documents`,
    which the other round commands take, changes nothing here).

    The example rounds dealbench ships take no round (nothing is recorded there, exit
    2): run the examples below in the copy `dealbench demo` writes (cd out).
    """
    from dealbench.cli.documents import check_choice
    from dealbench.negotiate.record import walk_away as run_walk_away

    with handled(json_out):
        check_choice("--by", by, ("us", "partner"), "expected us or partner, got {0!r}")
        pf, root = portfolio_and_rounds(portfolio, rounds, figures=False, records=True)
        done = run_walk_away(
            pf,
            root,
            partner.upper(),
            by="us" if by == "us" else "partner",
            note=note,
            author=author,
            date=round_date(date),
            recorded_by="`dealbench walk-away`",
        )
        if json_out:  # "documents" as the other round commands' answers have it: none
            echo_json(done.to_json(), [])
            return
        echo_recorded(done, " (walked away)")
