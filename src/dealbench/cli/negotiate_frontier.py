"""`dealbench frontier`: the trade-off between the US and one partner, with its chart."""

from __future__ import annotations

from itertools import pairwise
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
from dealbench.cli.output import print_table, say
from dealbench.cli.scenario_options import PolicyOpt, SetOpt
from dealbench.units import in_units, quantity

if TYPE_CHECKING:
    from dealbench.negotiate import Frontier, FrontierPoint


@app.command(
    epilog=examples(
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner SA --points all --out out/",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --axis risk --json",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --jointly --points 10",
        "dealbench frontier deals/portfolios/gulf-asia.yaml --partner AE --set partners.AE.batna=12bn",
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
    """
    from dealbench.analyze.scenarios import load_scenario
    from dealbench.cli import output
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.errors import ArgumentError, InputError, Issue
    from dealbench.io import OutputDir
    from dealbench.negotiate import frontier as run_frontier
    from dealbench.negotiate.chart import chart_files, chart_stem
    from dealbench.negotiate.round_points import rounds_on_frontier
    from dealbench.negotiate.rounds import rounds_root

    with handled():
        check_highs_only("frontier", solver)
        partner = partner.upper()  # as offer, counter, history and room read it
        n = parse_points(points)
        if axis not in ("partner", "risk"):
            raise InputError(
                Issue("--axis", None, "", f"unknown axis {axis!r}; expected partner or risk")
            )
        stem = chart_stem(partner, axis)
        folder = OutputDir(out, force=force) if out is not None else None
        if folder is not None:  # refused before the work, not after
            folder.check([f"{stem}.json", f"{stem}.svg", f"{stem}.png"])
        pf = load_scenario(portfolio, policy, sets or ())
        note_uncertainty(pf)
        if pf.partner(partner) is None:
            raise InputError(Issue("--partner", None, "", pf.unknown_partner(partner)))
        try:
            result = run_frontier(pf, partner, points=n, axis=axis, jointly=jointly, gap=gap)  # type: ignore[arg-type]
        except ArgumentError as exc:  # the library's words, under the option's name
            option = f"--{exc.argument.replace('_', '-')}"
            raise InputError(Issue(option, None, "", exc.issues[0].message)) from None
        if json_out:
            typer.echo(output.to_json(result.to_json()))
        else:
            print_frontier(result)
        if folder is not None:
            # The chart's curve gains a proven point at each round's U (round_points).
            drawn, rounds = rounds_on_frontier(result, pf, rounds_root(portfolio, pf))
            files = {f"{stem}.json": (output.to_json(result.to_json()) + "\n").encode()}
            written = folder.publish({**files, **chart_files(drawn, rounds)})
            if not json_out:
                typer.echo(f"Wrote {', '.join(str(p) for p in written)}")


def parse_points(text: str) -> int | Literal["all"]:
    """--points: a number of points from 2 to 1000, or 'all' (frontier, history)."""
    from dealbench.arguments import frontier_points
    from dealbench.errors import ArgumentError, InputError, Issue

    try:
        return frontier_points(text)
    except ArgumentError as exc:
        raise InputError(Issue("--points", None, "", exc.issues[0].message)) from None


#: The frontier's money unit: the largest its figures reach (USD bn for deals of billions,
#: as the shipped portfolios have them; m, k or dollars for smaller ones, which in bn all
#: read 0.00).
MONEY_UNITS: tuple[tuple[float, str], ...] = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))


#: The most decimals of its unit a frontier figure gets to be told apart from its neighbour
#: (USD 100k in bn), and the least difference that asks for them (a ten-thousandth).
MAX_PLACES = 4


def money_unit(f: Frontier) -> tuple[float, str, int]:
    """(scale, suffix, decimals) for every money figure of `f`'s table and lines."""
    marked = [f.no_deal, f.us_best, f.partner_best, f.nash, f.kalai, *f.points]
    figures = [abs(a) for p in marked if p is not None for a in (p.us_utility, p.partner_utility)]
    figures.append(abs(float(f.zopa.get("largest_joint_gain") or 0.0)))
    top = max(figures, default=0.0)
    scale, suffix = next(((s, u) for s, u in MONEY_UNITS if top >= s), MONEY_UNITS[-1])
    return scale, suffix, _places(f, scale) if suffix else 0


def _places(f: Frontier, scale: float) -> int:
    """Two decimals, or as many more (up to MAX_PLACES) as tell apart each two neighbouring
    rows of a column, and both ends of each straight piece, that differ by a ten-thousandth
    of the unit or more. A corridor's PH (deals of $100m-$300m in a portfolio of $1.2bn)
    read "V 1.04bn, U 0.10bn to V 1.04bn, U 0.10bn" for a piece from 1.0363bn, 0.1050bn
    to 1.0343bn, 0.1200bn, and rows of V 1.03 one under another."""
    pairs = [
        (getattr(a, side), getattr(b, side))
        for a, b in [*pairwise(f.points), *((q.start, q.end) for q in f.pieces)]
        for side in ("us_utility", "partner_utility")
    ]
    apart = [(a, b) for a, b in pairs if abs(a - b) >= scale / 10**MAX_PLACES]
    places = 2
    while places < MAX_PLACES and any(
        in_units(a, scale, places) == in_units(b, scale, places) for a, b in apart
    ):
        places += 1
    return places


def _money(amount: float, unit: tuple[float, str, int]) -> str:
    return in_units(amount, unit[0], unit[2])


def _step_notes(f: Frontier) -> list[str]:
    """Which points are not in the declared step: their compute is in a finer one or not
    in whole H100e. Held, the points of the partner's exact curves are never rounded (a
    solved US-best, Nash or Kalai point is); jointly, each point is a solve whose rounding
    found no schedule in the declared step within one step's value."""
    declared = f.step_h100e
    if declared is None:
        return []
    finer: dict[float, list[str]] = {}
    for i, p in enumerate(f.points, 1):
        if p.step_h100e is not None and p.step_h100e < declared:
            finer.setdefault(p.step_h100e, []).append(str(i))
    lines = []
    for step, numbers in sorted(finer.items(), reverse=True):
        if len(numbers) == len(f.points) > 1:
            which = "Every point"
        elif len(numbers) == 1:
            which = f"Point {numbers[0]}"
        else:
            which = f"Points {', '.join(numbers)}"
        where = _in_steps(f, step)
        solved = (
            "no schedule in those was found that keeps their terms within the limits and V "
            "within one step's value"
        )
        why = (
            solved
            if f.jointly
            else f"points of the exact curves are not rounded; for a solved one, {solved}"
        )
        units = f.granularity.units if f.granularity is not None else round(declared)
        lines.append(
            f"{which}: the portfolio's compute is {where}, not the declared {units:,}: {why}."
        )
    return lines


def _in_steps(f: Frontier, step: float) -> str:
    """`in steps of 100 H100e`, `in steps of 25 B200 chips`, or `not in whole H100e` (or
    chips) for a step of 0: a step in the unit the portfolio declares its step in."""
    from dealbench.optimize.schedule import finer

    grid = f.granularity
    unit = f"{grid.model} chips" if grid is not None and grid.model else "H100e"
    if step <= 0:
        return f"not in whole {unit}"
    if grid is None:
        return f"in steps of {quantity(step)} H100e"
    return f"in {finer(grid, step).describe()}"


def print_frontier(f: Frontier) -> None:
    """The points as a table that fits 80 columns, then the marked points and the ZOPA."""
    from rich.console import Console
    from rich.table import Table

    out = Console(width=80, highlight=False)
    held = "others re-optimized" if f.jointly else "others held"
    axis = "U" if f.axis == "partner" else "risk"
    table = Table(
        title=f"{f.portfolio}: {f.partner} frontier, V against {axis} ({held})",
        title_justify="left",
    )
    unit = money_unit(f)
    v_head, u_head = (
        (f"V (USD {unit[1]})", f"{f.partner} U ({unit[1]})")
        if unit[1]
        else ("V (USD)", f"{f.partner} U (USD)")
    )
    for name in ("#", v_head, u_head, "Risk", "Security", "H100e", "Conc."):
        table.add_column(name, justify="left" if name == "Security" else "right")
    for i, p in enumerate(f.points, 1):
        pkg = p.package
        table.add_row(
            str(i),
            _money(p.us_utility, unit),
            _money(p.partner_utility, unit),
            f"{quantity(p.portfolio_risk if f.jointly and f.axis == 'risk' else p.risk)}",
            "no deal" if pkg is None else pkg.security,
            "-" if pkg is None else f"{quantity(sum(pkg.compute.values()))}",
            "-" if pkg is None else str(len(pkg.granted())),
        )
    print_table(out, table)
    for line in _step_notes(f):
        say(out, line)
    for line in _piece_lines(f, unit):
        say(out, line)
    from dealbench.render.environment import plural

    points = plural(len(f.points), "point")
    out.print(f"Method: {f.method}, {points}, {f.seconds:.2f} s (gap {f.gap:g})")
    for label, point, key in (
        ("No deal", f.no_deal, ""),
        ("US-best", f.us_best, ""),
        ("Partner-best", f.partner_best, ""),
        ("Nash", f.nash, "nash"),
        ("Kalai-Smorodinsky", f.kalai, "kalai"),
    ):
        method = f.bargaining.get(key, {}).get("method", "") if key else ""
        where = method if point is None and method.startswith("not ") else _where(point, unit)
        out.print(f"{label + ':':<19}{where}")
    nash = f.bargaining.get("nash", {})
    if nash.get("error_bound") is not None:
        out.print(
            f"Nash bound: product of gains >= {1 - nash['error_bound']:.6f} x the best "
            "(tangent cuts on log)."
        )
    elif f.nash is not None:
        out.print(f"Nash: {nash.get('method', '')}.")
    z = f.zopa
    if z.get("exists"):
        out.print(
            f"ZOPA: yes, largest joint gain USD {_money(z['largest_joint_gain'], unit)}{unit[1]} over both "
            "walk-away values."
        )
    else:
        out.print("ZOPA: none: no package beats both walk-away values.")
    for note in f.notes:
        say(out, f"Note: {note}")


def _piece_lines(f: Frontier, unit: tuple[float, str, int]) -> list[str]:
    """Where the exact frontier runs straight above the step between two points."""
    lines = []
    for piece in f.pieces:
        a, b = piece.start, piece.end
        after = max(
            (i for i, p in enumerate(f.points, 1) if p.partner_utility <= a.partner_utility + 1e3),
            default=0,
        )
        x0 = 0.0 if a.package is None else sum(a.package.compute.values())
        x1 = 0.0 if b.package is None else sum(b.package.compute.values())
        lines.append(
            f"After point {after} the frontier runs straight from V {_money(a.us_utility, unit)}"
            f"{unit[1]}, U {_money(a.partner_utility, unit)}{unit[1]} to V "
            f"{_money(b.us_utility, unit)}{unit[1]}, U {_money(b.partner_utility, unit)}{unit[1]}: "
            f"the same terms, compute from {quantity(x0)} to "
            f"{quantity(x1)} H100e (above the step to the next point)."
        )
    return lines


def _where(point: FrontierPoint | None, unit: tuple[float, str, int]) -> str:
    if point is None:
        return "none (no package gives both sides a gain)"
    v, u = _money(point.us_utility, unit), _money(point.partner_utility, unit)
    text = f"V {v}{unit[1]}, U {u}{unit[1]}" if unit[1] else f"V USD {v}, U USD {u}"
    if point.package is not None:
        text += f", {point.package.security}, {quantity(sum(point.package.compute.values()))} H100e"
    return text
