"""`dealbench history | room`: the rounds read back, one partner's history and the deal room.

Thin shells over `dealbench.negotiate.room`, as the commands that record the rounds
(`cli.negotiate_rounds`); what they share is in `cli.rounds_base`.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from dealbench.cli.base import (
    Force,
    HighsOnlyOpt,
    Json,
    PortfolioArg,
    app,
    check_highs_only,
    check_needs_out,
    folder_option,
)
from dealbench.cli.errors import CHOOSES, handled
from dealbench.cli.help import examples
from dealbench.cli.rounds_base import (
    PartnerOpt,
    RoundsOpt,
    VerdictDeadlineOpt,
    VerdictStrategyOpt,
    compact_table,
    echo_json,
    echo_wrapped,
    portfolio_and_rounds,
    print_written,
    round_date,
)
from dealbench.cli.scenario_options import ExecutorOpt, JobsOpt, SchedulerOpt, executor_from
from dealbench.figures import quantity

if TYPE_CHECKING:
    from dealbench.model import Portfolio
    from dealbench.negotiate.room import History, Room


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
        str | None,
        typer.Option(
            "--points",
            help="Frontier points of the chart (2-1000), or 'all': every non-dominated package "
            "(default: 15; with --out).",
        ),
    ] = None,
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

    with handled(json_out):
        check_highs_only("history", solver)
        n = parse_points(points or "15")  # refused before the work, with or without --out
        check_needs_out(out, {"--points": points is not None})  # the chart's, drawn there
        pf, root = portfolio_and_rounds(portfolio, rounds)
        code = partner.upper()
        found = run_history(pf, root, code)
        written: list[Path] = []
        if out is not None:
            written = _write_history_chart(pf, root, code, out, n, force)
        if json_out:
            echo_json(found.model_dump(mode="json"), written)
            return
        print_history(found)
        print_written(written)


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

    if not h.rounds:  # an empty table says nothing a newcomer can act on
        echo_wrapped(
            f"{h.name} ({h.partner}) — {h.stage}: no round is recorded yet. `dealbench offer` "
            f"records our first offer to {h.partner}, `dealbench counter` a proposal of its own."
        )
        return
    table = compact_table(
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
        whole=("Security",),
    )
    for r in h.rounds:
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
            r.ok,
            strategy,
        )
    print_table(console(), table)
    for r in h.rounds:
        for line in broken_messages(r.violations):
            echo_wrapped(f"round {r.round}: {line}", indent="  ")
        if r.since:  # fine when made: said apart, naming the deals concluded since
            echo_wrapped(f"round {r.round}: {r.since_said}", indent="  ")
        if r.retreat:
            echo_wrapped(
                f"round {r.round}: a retreat, recorded as allowed: {r.retreat}", indent="  "
            )
    for r in h.rounds:  # as the web's history page lists them
        if r.note:
            echo_wrapped(f"round {r.round}, note: {r.note}", indent="  ")


@app.command(
    epilog=examples(
        "dealbench room deals/portfolios/gulf-asia.yaml",
        "dealbench room deals/portfolios/gulf-asia.yaml --json",
        "dealbench room deals/portfolios/gulf-asia.yaml --why",
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
        typer.Option(
            "--date",
            metavar="DATE",
            help="Date of the memo (with --render), YYYY-MM-DD, or `today`.",
        ),
    ] = None,
    why: Annotated[
        bool,
        typer.Option(
            "--why",
            help="Also say why the plan gives a partner not yet offered anything no deal, "
            "as solve --rounds says it (a search per partner; the memo always says it).",
        ),
    ] = False,
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
    from dealbench.negotiate.documents import check_memo_date, negotiation_memo_document
    from dealbench.negotiate.room import room as run_room
    from dealbench.render.clause_check import check_portfolio_clauses

    with handled(json_out):
        check_highs_only("room", solver)
        formats = parse_formats(render, "--render") if render is not None else None
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
        if out is not None and formats is None:  # else nothing would be written there
            raise InputError(
                Issue("--out", None, "", "needs --render, the memo's formats (e.g. md,pdf)")
            )
        if date is not None and formats is None:  # no memo: the date would date nothing
            raise InputError(
                Issue("--date", None, "", "dates the memo; only with --render (and --out)")
            )
        memo_date = round_date(date)  # refused before the work, not after
        pf, root = portfolio_and_rounds(portfolio, rounds)
        check_memo_date(pf, root, memo_date)
        if formats is not None:  # refused before the room is planned, not after
            check_portfolio_clauses(pf)
        ex = executor_from(jobs, executor, scheduler)
        found = run_room(
            pf,
            root,
            strategy=strategy,
            deadline=deadline,
            executor=ex,
            why=why or formats is not None,  # the memo for principals says why
        ).worded(CHOOSES)
        written: list[Path] = []
        if formats is not None and out is not None:
            folder = OutputDir(out, force=force)
            doc = negotiation_memo_document(pf, found, date=memo_date)
            write_documents(folder, [doc], formats)
            written = folder.written
        if json_out:
            echo_json(found.model_dump(mode="json"), written)
            return
        print_room(found, portfolio, root, strategy=strategy, deadline=deadline)
        print_written(written)


def print_room(
    r: Room,
    portfolio: Path | None = None,
    rounds: Path | None = None,
    *,
    strategy: str | None = None,
    deadline: int | None = None,
) -> None:
    """The room as a table that fits 80 columns: each utility pair on two lines (US, partner).
    `portfolio` and `rounds`: the file and folder, for the command a reason points to, and
    each next move's command (`move_command`, as `counter`'s Next line names it: the room
    named only the frontier's, and left the others to the Next move column), with the
    `strategy` and `deadline` the verdicts were given. Shipped rounds take no round: the
    commands record in a copy, whose `cp` is printed first (`record_copy`); they named
    the shipped folder, and each was refused as printed (qa49-room)."""
    from dealbench.cli import output
    from dealbench.cli.explaining import frontier_pointer
    from dealbench.cli.output import console, print_table
    from dealbench.cli.verdict_output import move_command
    from dealbench.model.yamlio import display_path

    m = output.money
    held = None if rounds is None else Path(display_path(rounds))
    record_in = held if held is None else record_copy(held, r.portfolio)
    table = compact_table(
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
        a, b = row.shown()  # a concluded deal: the round signed, in its side's column
        said = row.us_said()  # the gap the difference of the two as printed
        table.add_row(
            row.partner,
            row.stage,
            str(row.rounds),
            f"{said.offer if said else m(a.us_utility)}\n{m(a.partner_utility)}{row.offer_mark}"
            if a
            else "-",
            f"{said.counter if said else m(b.us_utility)}\n{m(b.partner_utility)}{row.counter_mark}"
            if b
            else "-",
            said.gap if said else "-",
            m(row.frontier_gain) + row.frontier_mark if row.frontier_gain is not None else "-",
            row.next_move,
        )
    print_table(console(), table)
    for note in r.frontier_notes():
        echo_wrapped(note)
    echo_wrapped(f"Portfolio US utility V (open negotiations re-planned): {m(r.objective)}")
    left = ", ".join(f"{t} {quantity(r.supply_left[t])}/{quantity(r.supply[t])}" for t in r.periods)
    echo_wrapped(f"Supply left after concluded deals (H100e): {left}")
    if r.risk_budget is not None and r.risk_left is not None:
        echo_wrapped(f"Risk budget left: {quantity(r.risk_left)} of {quantity(r.risk_budget)}")
    if r.overcommitted is not None:
        echo_wrapped(r.overcommitted)
    if r.replan_note is not None:
        echo_wrapped(r.replan_note)
    commands = {
        row.partner: move_command(
            row.next_move,
            row.partner,
            portfolio,
            record_in,
            counter=row.last_counter.round if row.last_counter is not None else None,
            strategy=strategy,
            deadline=deadline,
            retreat=row.next_offer_retreat is not None,
        )
        for row in r.rows
        if row.agreed is None
    }
    if record_in != held and any(commands.values()):  # the copy the commands record in
        echo_wrapped(
            "These rounds are the example dealbench ships, where nothing is recorded: "
            "each Next command below records in a copy of them, which the First command "
            "makes."
        )
        typer.echo(f"    First: {shlex.join(['cp', '-r', str(held), str(record_in)])}")
    for row in r.rows:
        if row.agreed is not None:  # the terms signed, not the last offer and counter above
            a = row.agreed
            echo_wrapped(
                f"{row.partner}: {row.reason}; agreed: US {m(a.us_utility)}, partner "
                f"{m(a.partner_utility)}",
                indent="  ",
            )
        elif row.next_move not in ("-",):
            see = ""
            if row.frontier_drawn:  # the frontier the reason speaks of: the re-plan's
                see = frontier_pointer(portfolio, row.partner, rounds=held)
            echo_wrapped(f"{row.partner}: {row.next_move} — {row.reason}{see}", indent="  ")
            if row.next_offer_retreat is not None:  # `offer` would refuse it as it is
                echo_wrapped(f"Note: {row.next_offer_retreat}", indent="    ")
            command = commands[row.partner]
            if command is not None:  # one line, unwrapped: a command to copy
                typer.echo(f"    Next: {command}")
        else:
            echo_wrapped(f"{row.partner}: {row.reason}", indent="  ")


def record_copy(rounds: Path, portfolio_id: str) -> Path:
    """The folder the room's Next commands record in: `rounds` itself, or, for the example
    rounds dealbench ships (`shipped_rounds`), a copy to make in the working folder, under
    a name not yet taken (`cp -r` into a folder that exists would copy into it)."""
    from dealbench.negotiate.rounds.write import shipped_rounds

    if not shipped_rounds(rounds):
        return rounds
    copy, n = Path(f"{portfolio_id}-rounds"), 1
    while copy.exists():
        n += 1
        copy = Path(f"{portfolio_id}-rounds-{n}")
    return copy
