"""`dealbench frontier`: the trade-off between the US and one partner, with its chart."""

from __future__ import annotations

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
    folder_option,
    gap_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.output import console, print_table, say
from dealbench.cli.scenario_options import PolicyOpt, SetOpt

if TYPE_CHECKING:
    from dealbench.errors import InputError, Issue
    from dealbench.io import OutputDir
    from dealbench.negotiate import Frontier


@app.command(
    epilog=examples(
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner SA --points all --out out/",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --axis risk --json",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --jointly --points 10",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --set partners.AE.batna=12bn",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --rounds deals/rounds/gulf-asia",
    )
)
def frontier(
    portfolio: PortfolioArg,
    partner: Annotated[str, typer.Option("--partner", "-p", help="The partner's code, e.g. AE.")],
    points: Annotated[
        str,
        typer.Option(
            "--points",
            help="Number of ε-constraint points (2-1000), or 'all': every non-dominated "
            "package, exactly (one partner, others held; refused for menus too large).",
        ),
    ] = "25",
    axis: Annotated[
        str,
        typer.Option(
            "--axis", help="partner: V against the partner's utility; risk: V against risk."
        ),
    ] = "partner",
    jointly: Annotated[
        bool,
        typer.Option(
            "--jointly", help="Re-optimize every other deal at each point (default: hold them)."
        ),
    ] = False,
    gap: Annotated[
        float, gap_option("Relative optimality gap of each point (0.0001, or 0.01%).")
    ] = 1e-6,
    solver: HighsOnlyOpt = "highs",
    json_out: Json = False,
    out: Annotated[
        Path | None,
        folder_option("--out", "Write frontier-<CODE>.json, .svg and .png into this folder."),
    ] = None,
    rounds: Annotated[
        Path | None,
        folder_option(
            "--rounds",
            "The frontier in the portfolio re-planned from the rounds in DIR "
            "(deals/rounds/<portfolio id>), as room and solve --rounds plan it: concluded "
            "deals held at their agreed terms, walked-away partners without a deal, the other "
            "open negotiations held at the re-plan; every V the whole portfolio's.",
            metavar="DIR",
        ),
    ] = None,
    force: Force = False,
    policy: PolicyOpt = None,
    sets: SetOpt = None,
) -> None:
    """The Pareto frontier between the US utility V and one partner's utility U.

    Every point is a proven optimum (max V subject to the partner's utility
    >= u, within the gap) with its package; dominated and duplicate points are
    removed. Marks the no-deal point, both ends, and the Nash and
    Kalai-Smorodinsky points, and reports the zone of possible agreement. The
    chart also draws every recorded round with the partner (deals/rounds/...).
    With --rounds, the frontier of the re-plan from the rounds, the one room --why
    and solve --rounds speak of; a partner whose talks ended has none (exit 2).
    """
    from dealbench.analyze.scenarios import load_scenario
    from dealbench.arguments import one_of
    from dealbench.cli import output
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.cli.rounds_base import note_other_portfolio
    from dealbench.cli.solving import check_rounds_folder
    from dealbench.errors import ArgumentError, InputError, Issue
    from dealbench.io import OutputDir
    from dealbench.model.regimes import caps_notes
    from dealbench.negotiate import frontier as run_frontier
    from dealbench.negotiate.chart import chart_stem, out_files
    from dealbench.negotiate.frontier import AXES
    from dealbench.negotiate.round_points import rounds_on_frontier
    from dealbench.negotiate.rounds.negotiation import rounds_root
    from dealbench.negotiate.rounds_frontier import frontier_from_rounds

    with handled(json_out):
        check_highs_only("frontier", solver)
        partner = partner.upper()  # as offer, counter, history and room read it
        n = parse_points(points)
        one_of(axis, AXES, "axis", "axis")  # the library's check, as the web's form makes it
        stem = chart_stem(partner, axis)
        folder = OutputDir(out, force=force) if out is not None else None
        if folder is not None:  # refused before the work, not after
            folder.check([f"{stem}.json", f"{stem}.svg", f"{stem}.png"])
        if rounds is not None:
            check_rounds_folder(rounds)
        pf = load_scenario(portfolio, policy, sets or ())
        if rounds is not None:
            note_other_portfolio(portfolio, pf, rounds)
        note_uncertainty(pf)
        if pf.partner(partner) is None:
            raise InputError(Issue("--partner", None, "", pf.unknown_partner(partner)))
        options = {"points": n, "axis": axis, "jointly": jointly, "gap": gap}
        try:
            if rounds is None:
                result = run_frontier(pf, partner, **options)  # type: ignore[arg-type]
            else:
                result = frontier_from_rounds(pf, rounds, partner, **options)  # type: ignore[arg-type]
        except ArgumentError as exc:  # the library's words, under the option's name
            option = f"--{exc.argument.replace('_', '-')}"
            issue = Issue(option, None, "", exc.issues[0].message)
            raise nothing_written(InputError(issue), folder) from None
        except InputError as exc:  # a partner whose talks ended: no frontier in the re-plan
            raise nothing_written(exc, folder) from None
        if json_out:
            typer.echo(output.to_json(output.with_notes(result.to_json(), caps_notes(pf))))
        else:
            print_frontier(result)
            output.print_notes(caps_notes(pf))
        if folder is not None:
            # The chart's curve gains a proven point at each round's U (round_points).
            root = rounds if rounds is not None else rounds_root(portfolio, pf)
            drawn, on_chart = rounds_on_frontier(result, pf, root)
            written = folder.publish(out_files(result, drawn, on_chart))
            if not json_out:
                typer.echo(f"Wrote {', '.join(str(p) for p in written)}")


def nothing_written(exc: InputError, folder: OutputDir | None) -> InputError:
    """`exc`, saying that nothing was written when there was a folder to write into
    (`--out`): the library writes no files, so its refusals do not say so."""
    from dataclasses import replace

    from dealbench.errors import InputError

    if folder is None:
        return exc

    def said(issue: Issue) -> Issue:
        if issue.chosen is not None:  # its message is said from `chosen`, each shell its way
            more = replace(issue.chosen, after=f"{issue.chosen.after}; nothing written")
            return issue.choosing(more)
        return replace(issue, message=f"{issue.message}; nothing written")

    return InputError([said(i) for i in exc.issues], argument=exc.argument)


def parse_points(text: str) -> int | Literal["all"]:
    """--points: a number of points from 2 to 1000, or 'all' (frontier, history)."""
    from dealbench.arguments import frontier_points
    from dealbench.errors import ArgumentError, InputError, Issue

    try:
        return frontier_points(text)
    except ArgumentError as exc:
        raise InputError(Issue("--points", None, "", exc.issues[0].message)) from None


def print_frontier(f: Frontier) -> None:
    """The points as a table that fits the terminal, then the marked points and the ZOPA,
    in the words the web's frontier pages show too (`negotiate.frontier_words`)."""
    from rich.table import Table

    from dealbench.negotiate.frontier_words import frontier_words

    out = console()  # the terminal's width: the table follows it, the notes wrap to it
    said = frontier_words(f)
    table = Table(title=said.title, title_justify="left")
    for name in said.heads:
        table.add_column(name, justify="left" if name == "Security" else "right")
    for row in said.rows:
        table.add_row(*row)
    print_table(out, table)
    if said.held is not None:
        say(out, said.held)
    for line in said.step_lines:
        say(out, line)
    say(out, said.method)
    for label, where in said.marked:
        say(out, f"{label + ':':<19}{where}", indent=19)
    for line in said.summary:
        say(out, line)
    for note in said.notes:
        say(out, note)
