"""`dealbench solve`: a portfolio's best packages, checked, explained, and written.

Heavy libraries (PuLP, pydantic models, Jinja2) are imported inside the
commands that need them, so `dealbench --help` stays fast. What a solve writes
into --out is `cli.result_files`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealbench.cli.base import (
    Date,
    Force,
    Json,
    OutDir,
    PortfolioArg,
    SolverOpt,
    app,
    check_gap,
    check_needs_out,
    check_time_limit,
    folder_option,
    gap_option,
    parse_money_option,
    time_limit_option,
    typed_share_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.result_files import RESULT_FILE, write_outputs
from dealbench.cli.scenario_options import PolicyOpt, SetOpt
from dealbench.result_words import EXPLAIN_ALL_HELP, MAX_EXPLAINED

#: A robust solve's samples of the uncertain figures, and their seed, by default.
SAMPLES, SEED = 10_000, 0  # as the library's (analyze.analysed)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dealbench.analyze.analysed import Analysed
    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.optimize.explain.data import NoDeal


@app.command(
    epilog=examples(
        "dealbench solve deals/portfolios/gulf-asia.yaml",
        "dealbench solve deals/portfolios/global.yaml --mode partner-best --json",
        "dealbench solve deals/portfolios/gulf-asia.yaml --mode nash",
        "dealbench solve deals/portfolios/gulf-asia.yaml --solver cbc --time-limit 30 --out out/",
        "dealbench solve deals/portfolios/gulf-asia.yaml --out out/ --render md,html,docx,pdf",
        "dealbench solve deals/portfolios/gulf-asia.yaml --policy tiered",
        "dealbench solve deals/portfolios/gulf-asia.yaml --set partners.AE.batna=12bn --set portfolio.caps.AE.veu=800_000",
        "dealbench solve deals/portfolios/gulf-asia.yaml --prices",
        "dealbench solve deals/portfolios/gulf-asia-uncertain.yaml --robust 0.9 --samples 10000",
        "dealbench solve deals/portfolios/gulf-asia.yaml --require-deal AE --json",
        "dealbench solve deals/portfolios/gulf-asia.yaml --rounds deals/rounds/gulf-asia",
    )
)
def solve(
    portfolio: PortfolioArg,
    mode: Annotated[
        str,
        typer.Option(
            help="Objective: us-best, partner-best, nash (the largest product of both sides' "
            "gains; its error bound is stated) or kalai (the largest equal share of each "
            "side's ideal gain). nash and kalai over many partners can take minutes: "
            "--time-limit bounds them and says how far from the best they stopped."
        ),
    ] = "us-best",
    solver: SolverOpt = "highs",
    time_limit: Annotated[
        float | None, time_limit_option("Seconds before the solver stops.")
    ] = None,
    gap: Annotated[
        float, gap_option("Relative optimality gap at which to stop (0.0001, or 0.01%).")
    ] = 1e-6,
    v_floor: Annotated[
        str | None,
        typer.Option(
            "--v-floor",
            help="partner-best: least US utility, USD such as 100bn (default: no deal).",
        ),
    ] = None,
    json_out: Json = False,
    out: OutDir = None,
    force: Force = False,
    date: Date = None,
    render: Annotated[
        str | None,
        typer.Option(
            "--render",
            help="Also render every deal's term sheet and the portfolio memo into --out, in "
            "these formats: md, html, docx, pdf, json (comma-separated).",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        folder_option("--templates", "House templates overriding the shipped ones by name."),
    ] = None,
    policy: PolicyOpt = None,
    sets: SetOpt = None,
    prices: Annotated[
        bool,
        typer.Option(
            "--prices",
            help="Also report shadow prices: what one more H100e of supply, of risk budget or "
            "of a binding cap is worth, where that holds, and where the full model disagrees.",
        ),
    ] = False,
    robust: Annotated[
        float | None,
        typer.Option(
            "--robust",
            metavar="SHARE",
            parser=typed_share_option,
            help="Find packages each partner accepts in at least this share of samples of its "
            "uncertain figures (0.9, or 90%), and report what that costs.",
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            help=f"Samples of the uncertain figures for --robust (default: {SAMPLES:,}).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help=f"Seed of the samples (default: {SEED}).")
    ] = None,
    require_deal: Annotated[
        list[str] | None,
        typer.Option(
            "--require-deal",
            metavar="CODE",
            help="A partner that must have a deal (repeatable, or comma-separated: AE,SA); explained when impossible.",
        ),
    ] = None,
    rounds: Annotated[
        Path | None,
        folder_option(
            "--rounds",
            "Re-plan from the rounds in DIR (deals/rounds/<portfolio id>): concluded "
            "deals fixed as agreed, walked-away partners without a deal, the open "
            "negotiations re-optimized in what is left (us-best).",
            metavar="DIR",
        ),
    ] = None,
    explain_all: Annotated[
        bool,
        typer.Option(
            "--explain-all",
            help=EXPLAIN_ALL_HELP,
        ),
    ] = False,
) -> None:
    """Find the best packages every partner still accepts, within every limit.

    Uncertain figures (distributions) count at their means, unless --robust. When no
    set of packages fits (a --v-floor or --require-deal out of reach), the smallest set
    of limits to relax is reported, with amounts, and the exit code is 3. Every partner
    left without a deal gets the reason why. A plain solve ignores the rounds; with
    --rounds, the deals concluded in them are fixed and only the open negotiations are
    re-optimized, as the deal room plans them.
    """
    from dealbench.cli import explaining, output
    from dealbench.cli.documents import parse_date, parse_formats
    from dealbench.errors import InputError, Issue
    from dealbench.list_words import unknown
    from dealbench.optimize import MODES, SOLVERS, Status
    from dealbench.render.clause_check import check_portfolio_clauses

    with handled(json_out):
        if mode not in MODES:
            raise InputError(Issue("--mode", None, "", unknown("mode", mode, MODES)))
        if solver not in SOLVERS:
            raise InputError(Issue("--solver", None, "", unknown("solver", solver, SOLVERS)))
        gap, time_limit = check_gap(gap), check_time_limit(time_limit)
        floor = parse_money_option("--v-floor", v_floor, "a floor on US utility")
        if rounds is None:  # refused before the solve
            from dealbench.analyze.analysed import check_analysis

            check_analysis(mode, prices)
        formats = parse_formats(render, "--render") if render is not None else None
        day = parse_date(date)
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
        check_needs_out(out, {"--date": date is not None, "--templates": templates is not None})
        if robust is None:  # nothing is drawn
            for name, given in (("--samples", samples), ("--seed", seed)):
                if given is not None:
                    raise InputError(Issue(name, None, "", "only with --robust SHARE"))
        samples = SAMPLES if samples is None else samples
        seed = SEED if seed is None else seed
        if out is not None:  # refused before the solve, not after
            from dealbench.io import OutputDir

            OutputDir(out, force=force).check([RESULT_FILE])
        from dealbench.analyze.scenarios import load_scenario

        if rounds is not None:
            _check_with_rounds(rounds, mode, floor, prices, robust, require_deal)
        pf = load_scenario(portfolio, policy, sets or ())
        if out is not None:  # its term sheets are written: refused before the solve
            check_portfolio_clauses(pf)
        require = explaining.check_required(pf, require_deal or [])
        limit = None if explain_all else MAX_EXPLAINED
        options = {"solver": solver, "time_limit": time_limit, "gap": gap, "v_floor": floor}
        if rounds is not None:
            from dealbench.cli.analysis_output import note_uncertainty
            from dealbench.cli.rounds_base import note_other_portfolio
            from dealbench.negotiate.plan import solve_rounds

            note_other_portfolio(portfolio, pf, rounds)
            note_uncertainty(pf)  # the re-plan counts distributions at their means too
            replanned = solve_rounds(
                pf, rounds, solver=solver, gap=gap, time_limit=time_limit, limit=limit
            )
            result, reasons = replanned.result, replanned.reasons
            extra: dict[str, Any] = {}
        else:
            found = _solve_with_analysis(
                pf, mode, options, prices, robust, samples, seed, require=require
            )
            result, extra = found.result, found.extra()
            reasons = found.no_deal_reasons(require, limit=limit)
        # Computed once, carried in the result: the terminal, result.json and every
        # document say the same reason.
        result = result.explained(reasons, pf)
        zopa = None
        if mode in ("nash", "kalai"):
            from dealbench.negotiate import zopas

            zopa = zopas(pf)
        if json_out:
            from dealbench.analyze.uncertainty import uncertainty_json

            data = {**output.result_json(result), **extra}
            # The figures given as distributions whose means the figures use, as the text
            # output's notes say them (none under --robust: its packages face the draws).
            data["uncertain"] = uncertainty_json(pf) if robust is None else []
            if zopa is not None:
                data["zopa"] = zopa
            typer.echo(output.to_json(data))
        else:
            # The options the commands a reason points to repeat: the same figures.
            scenario = ["--policy", policy] if policy is not None else []
            scenario += [w for item in sets or () for w in ("--set", item)]
            _print_solved(result, reasons, zopa, extra, portfolio, rounds=rounds, scenario=scenario)
        if out is not None:
            written = write_outputs(
                pf,
                result,
                out,
                force=force,
                date=day,
                portfolio_path=portfolio,
                formats=formats,
                templates=templates,
            )
            if not json_out:
                typer.echo(f"Wrote {len(written)} files to {out}/")
        if result.status == Status.TIME_LIMIT:
            from dealbench.render.filters import stopped_distance

            typer.echo(
                "warning: the time limit stopped the solver with the packages "
                f"{stopped_distance(result, 4)}",
                err=True,
            )
            raise typer.Exit(4)


def _check_with_rounds(
    rounds: Path,
    mode: str,
    floor: float | None,
    prices: bool,
    robust: float | None,
    require_deal: list[str] | None,
) -> None:
    """--rounds re-plans the us-best portfolio around the concluded deals; the options
    that ask for another problem are refused rather than ignored. The folder must exist:
    a mistyped one would otherwise read as no rounds at all."""
    from dealbench.errors import InputError, Issue

    check_rounds_folder(rounds)
    clashes = [
        name
        for name, given in (
            (f"--mode {mode}", mode != "us-best"),
            ("--v-floor", floor is not None),
            ("--prices", prices),
            ("--robust", robust is not None),
            ("--require-deal", bool(require_deal)),
        )
        if given
    ]
    if clashes:
        raise InputError(
            Issue(
                "--rounds",
                None,
                "",
                f"re-plans the us-best portfolio from the rounds; not with {', '.join(clashes)}",
            )
        )


def check_rounds_folder(rounds: Path) -> None:
    """A re-plan's `--rounds DIR` (`solve`, `frontier`) must be a folder: a mistyped one
    would otherwise read as no rounds at all, a plain solve under the re-plan's name."""
    from dealbench.errors import InputError, Issue
    from dealbench.folders import folder_fault
    from dealbench.model.yamlio import display_path, near_path

    if not rounds.is_dir():
        expected = "the portfolio's rounds folder for --rounds, e.g. deals/rounds/<id>"
        near = near_path(rounds, display_path(rounds))
        meant = f"; did you mean {near}?" if near else ""
        what = folder_fault(rounds, expected) or f"does not exist; expected {expected}{meant}"
        raise InputError(Issue(display_path(rounds), None, "", what))


def _solve_with_analysis(
    pf: Portfolio,
    mode: str,
    options: dict[str, Any],
    prices: bool,
    robust: float | None,
    samples: int,
    seed: int,
    *,
    require: Sequence[str] = (),
) -> Analysed:
    """The solve, robust when asked, and its shadow prices when asked, by the library's
    one call (`analyze.analysed.solve_with_analysis`, as the web's).

    A solve without packages is explained (and exits 3) before any analysis runs.
    """
    from dealbench.analyze.analysed import solve_with_analysis
    from dealbench.cli import explaining
    from dealbench.cli.analysis_output import note_nothing_uncertain, note_uncertainty
    from dealbench.cli.delayed_progress import DelayedBar

    def explain(result: SolveResult) -> None:
        if robust is not None:
            note_nothing_uncertain(pf)  # once the solve took its arguments
        else:
            note_uncertainty(pf)
        explaining.raise_for_status(
            pf, result, mode=mode, v_floor=options["v_floor"], require=require
        )

    found = solve_with_analysis(
        pf,
        mode,
        prices=prices,
        robust=robust,
        samples=samples,
        seed=seed,
        require=require,
        explain=explain,
        stage=DelayedBar,
        **options,
    )
    return found


def _print_solved(
    result: SolveResult,
    reasons: Sequence[NoDeal],
    zopa: list[dict[str, Any]] | None,
    extra: dict[str, Any],
    portfolio: Path,
    *,
    rounds: Path | None = None,
    scenario: Sequence[str] = (),
) -> None:
    """The solve as the terminal says it: the packages, why a partner has none (`portfolio`:
    the file as given, for the commands it points to; `rounds`: the folder of a re-plan from
    the rounds, whose frontier `frontier --rounds` draws; `scenario`: the --policy and --set
    they repeat), the zones of agreement (nash, kalai), and the analysis asked for."""
    from dealbench.cli import explaining, output
    from dealbench.result_words import message_after

    output.print_result(result)
    if after := message_after(result):
        typer.echo(output.paragraph(after))
    output.print_notes(result.notes)  # before "the best package MX accepts": under which caps
    explaining.print_reasons(
        reasons, portfolio, rounds=rounds, scenario=scenario, required=result.required
    )
    if zopa:
        # Not the bargaining's own test (each partner alone): say what differs.
        typer.echo(
            output.paragraph(
                "Zones of agreement, each partner with the others held at the us-best "
                "optimum (a partner can have one alone, as the bargaining above counts "
                "it, but none once the others' deals have taken the supply):"
            )
        )
    for z in zopa or []:
        gain = f"largest joint gain {output.money(z['largest_joint_gain'])}"
        typer.echo(f"  {z['partner']}: " + (f"yes, {gain}" if z["exists"] else "none"))
    _print_analysis(result, extra)


def _print_analysis(result: SolveResult, extra: dict[str, Any]) -> None:
    from dealbench.analyze.prices import Prices
    from dealbench.analyze.robust import Robustness
    from dealbench.cli.analysis_output import print_prices, print_robustness

    if "robustness" in extra:
        print_robustness(Robustness.model_validate(extra["robustness"]))
    if result.prices is not None:
        print_prices(Prices.model_validate(result.prices))
