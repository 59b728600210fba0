"""`dealbench improve`: logrolling, the changes to a package both sides prefer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealbench.cli.base import Json, PackagePortfolio, app
from dealbench.cli.errors import handled
from dealbench.cli.help import examples

if TYPE_CHECKING:
    from dealbench.checker import DealFigures
    from dealbench.model.portfolio import Portfolio
    from dealbench.negotiate import ConcessionRank, Improvement


@app.command(
    epilog=examples(
        "dealbench improve deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia.yaml",
        "dealbench improve deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml --top 3 --json",
    )
)
def improve(
    package: Annotated[
        Path, typer.Argument(metavar="PACKAGE", help="A package file: an offer or a counter.")
    ],
    portfolio: PackagePortfolio,
    hold: Annotated[
        list[Path] | None,
        typer.Option(
            "--hold",
            metavar="FILE",
            help="Another partner's package, held fixed (its supply and risk are taken); "
            "repeat for several.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Show at most N improvements.")] = 10,
    every_variant: Annotated[
        bool,
        typer.Option(
            "--all-variants",
            help="List every variant (each amount, level and schedule), not only the best "
            "per set of terms changed (nor only those whose every term adds a gain).",
        ),
    ] = False,
    json_out: Json = False,
) -> None:
    """Find changes to a package that leave both sides better off, and rank its concessions.

    First every concession level of the partner, ranked by US value per USD of
    partner cost. Then the improvements: changes of at most two terms
    (concessions, amounts, the security level), with the compute schedule kept
    or re-planned, that raise both the US utility and the partner's by at least
    USD 1m and break no limit; ranked by joint gain, the sum of both gains, and
    the best one per set of terms changed, none that a change of fewer of its
    terms gains both sides as much as, unless --all-variants.

    A round file (deals/rounds/<id>/<CODE>/NNN-us.yaml) is improved beside the deals
    concluded with the other partners in its rounds folder: they are held as --hold holds
    a package (a --hold of the same partner takes the place of its conclusion). A round of
    talks that have ended (concluded, or walked away) is said to be one: each change would
    reopen them.
    """
    from dealbench.checker import evaluate as run_evaluate
    from dealbench.cli import output
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.model import load_package, load_portfolio
    from dealbench.negotiate import concession_ranking, improvements, none_found
    from dealbench.negotiate.logroll import closed_said, held_beside

    with handled(json_out):
        pf = load_portfolio(portfolio)
        pkg = load_package(package, pf)
        note_uncertainty(pf)
        held = held_beside(pf, package, [load_package(path, pf) for path in hold or []])
        base = run_evaluate(pf, pkg)
        ranking = concession_ranking(pf, pkg.partner)
        found = improvements(pf, pkg, held.packages, top=top, every_variant=every_variant)
        if json_out:
            closed = closed_said(held.closed)
            none = "" if found else none_found(base, bool(held.packages), pf)
            typer.echo(output.to_json(_json(base, ranking, found, held.partners, closed, none)))
        else:
            _print(pf, base, ranking, found, held=bool(held.packages), said=held.said)


def _json(
    base: DealFigures,
    ranking: list[ConcessionRank],
    found: list[Improvement],
    held: list[str],
    closed: str,
    none: str = "",
) -> dict[str, Any]:
    return {
        "partner": base.partner,
        "package": {
            "us_utility": base.us_value,
            "partner_utility": base.partner_utility,
            "accepts": base.accepts,
            "violations": [v.model_dump(mode="json") for v in base.violations],
        },
        "ranking": [r.model_dump(mode="json") for r in ranking],
        "ranked_by": "joint_gain",
        "improvements": [i.model_dump(mode="json") for i in found],
        # the partners whose packages were held: --hold's, and the round's concluded deals
        "held": held,
        # a round whose talks have ended: what a change would reopen (null while open)
        "closed": closed or None,
        # no improvement: what that means, as the table says it (null when some are found)
        "none_found": none or None,
    }


def _print(
    pf: Portfolio,
    base: DealFigures,
    ranking: list[ConcessionRank],
    found: list[Improvement],
    *,
    held: bool = False,
    said: str = "",
) -> None:
    from rich.table import Table

    from dealbench.cli.errors import CHOOSES
    from dealbench.cli.output import console, money, print_table, say
    from dealbench.negotiate import none_found
    from dealbench.negotiate.logroll import UNHELD

    out = console()  # the terminal's width: the tables follow it, the text wraps to it
    code = base.partner
    table = Table(
        title=f"Concessions of {code}, by US value per USD of partner cost",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("Concession", overflow="fold")
    table.add_column("US value", justify="right")
    table.add_column(f"{code} cost", justify="right")
    table.add_column("Ratio", justify="right")
    table.add_column("Note")
    for r in ranking:
        name = r.concession if r.level is None else f"{r.concession}={r.level}"
        table.add_row(
            str(r.rank), name, money(r.us_value), money(r.partner_cost), r.ratio_text, r.note or ""
        )
    print_table(out, table)
    verdict = ""
    if base.violations:
        verdict = " It breaks limits (see evaluate)."
    elif not base.accepts:
        verdict = f" {code} would not accept it."
    say(
        out,
        f"The package: US utility {money(base.us_value)}, {code} utility "
        f"{money(base.partner_utility)}.{verdict}",
        indent=0,
    )
    if said:
        say(out, said, indent=0)
    if not found:
        say(out, none_found(base, held, pf), indent=0)
        return
    table = Table(
        title="Improvements for both sides, by joint gain",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("Joint", justify="right")
    table.add_column("US", justify="right")
    table.add_column(code, justify="right")
    table.add_column("Changes")
    for i in found:
        table.add_row(
            str(i.rank),
            money(i.joint_gain),
            f"+{money(i.us_gain)}",
            f"+{money(i.partner_gain)}",
            "\n".join(i.changes),
        )
    print_table(out, table)
    if not held:
        say(out, UNHELD.words(CHOOSES), indent=0)
