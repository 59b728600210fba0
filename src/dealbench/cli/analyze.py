"""`dealbench compare | sweep | diff`: regimes side by side, what-if scenarios, two results apart.

Thin: each command parses its options, calls `dealbench.analyze`, prints a
table (or `--json`) and writes files. The figures are `check`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from dealbench.cli.base import (
    Date,
    Force,
    Json,
    PortfolioArg,
    SolverOpt,
    app,
    check_needs_out,
    folder_option,
    home_expanded,
    time_limit_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.scenario_options import (
    ExecutorOpt,
    JobsOpt,
    PolicyOpt,
    SchedulerOpt,
    SetOpt,
    executor_from,
    progress,
)
from dealbench.result_words import EXPLAIN_ALL_HELP, MAX_EXPLAINED

if TYPE_CHECKING:
    from pydantic import BaseModel

TimeLimit = Annotated[float | None, time_limit_option("Seconds before each solve stops.")]
Found = TypeVar("Found", bound="BaseModel")
#: A param sweep's values from A to B, and bisections of each change point, by default.
STEPS, REFINE = 11, 6
_PARAM_ONLY = "only with --param PATH (a sweep of one figure), not with a SCENARIOS file"


def _answer(found: Found, json_out: bool, table: Callable[[Found], None]) -> None:
    """What a command found: one JSON object with --json, else its table."""
    from dealbench.cli import analyze_output as show

    if json_out:
        typer.echo(show.to_json(found.model_dump(mode="json")))
    else:
        table(found)


def _stopped(solves: list[tuple[str, str]], word: str) -> None:
    """Solves (name, status) the time limit stopped show the best packages found, not the
    best there are (often none: every regime 'tied' at no deal): say which, and exit 4 as
    `solve` does."""
    from dealbench.optimize import Status

    which = [name for name, status in solves if status == Status.TIME_LIMIT]
    if which:
        one = len(which) == 1
        typer.echo(
            f"warning: the time limit stopped the solve{'' if one else 's'} {word} "
            f"{', '.join(which)}: {'its' if one else 'their'} figures are the best found "
            "before it, not the best there are (raise --time-limit)",
            err=True,
        )
        raise typer.Exit(4)


def _wrote(written: list[Path], out: Path, json_out: bool) -> None:
    if not json_out:
        typer.echo(f"Wrote {len(written)} files to {out}/")


@app.command(
    epilog=examples(
        "dealbench compare deals/portfolios/gulf-asia.yaml",
        "dealbench compare deals/portfolios/global.yaml --regimes tiered,bilateral --json",
        "dealbench compare deals/portfolios/gulf-asia.yaml --set policy.risk_penalty_per_h100e=200k",
        "dealbench compare deals/portfolios/gulf-asia.yaml --out out/compare --render md,html,docx,pdf",
    )
)
def compare(
    portfolio: PortfolioArg,
    regimes: Annotated[
        str | None,
        typer.Option(
            help="Regimes to compare, comma-separated (names or policy files). Default: "
            "tiered, monopoly, repeal and bilateral; where the portfolio's partners name "
            "security levels some of them lack, those they fit and the portfolio's own regime.",
            show_default=False,
        ),
    ] = None,
    sets: SetOpt = None,
    json_out: Json = False,
    out: Annotated[
        Path | None,
        folder_option(
            "--out", "Write comparison.json, each regime's result.json and the charts here."
        ),
    ] = None,
    render: Annotated[
        str | None,
        typer.Option(
            "--render", help="Also write the options memo into --out: md, html, docx, pdf, json."
        ),
    ] = None,
    force: Force = False,
    date: Date = None,
    solver: SolverOpt = "highs",
    time_limit: TimeLimit = None,
    jobs: JobsOpt = None,
    executor: ExecutorOpt = None,
    scheduler: SchedulerOpt = None,
    explain_all: Annotated[
        bool,
        typer.Option(
            "--explain-all",
            help=f"{EXPLAIN_ALL_HELP} Said in each regime's result.json and memos: needs --out.",
        ),
    ] = False,
) -> None:
    """Solve the same portfolio under each regime and compare them.

    The same partners, supply and horizon under each regime's caps, security
    levels and risk budget: deals, compute per period, US value and its parts,
    partner surplus and risk, per regime and per partner. `--set` applies after
    the regime change (so `--set policy.X=...` changes every regime).
    """
    from dealbench.analyze.compare import compare as run_compare
    from dealbench.analyze.compare import refuse_shared_ids, under_each
    from dealbench.analyze.scenarios import parse_set
    from dealbench.analyze.solves import SolveOptions
    from dealbench.cli import analyze_output as show
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.cli.documents import parse_date, parse_formats
    from dealbench.errors import InputError, Issue
    from dealbench.model import load_portfolio
    from dealbench.model.regimes import default_regimes, find_regime, parse_regimes
    from dealbench.render.clause_check import check_portfolio_clauses

    with handled(json_out):
        formats = parse_formats(render, "--render") if render is not None else None
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
        if explain_all and out is None:  # the table's words explain each partner anyway
            raise InputError(
                Issue(
                    "--explain-all", None, "", "needs --out, whose files say why (the table does)"
                )
            )
        check_needs_out(out, {"--date": date is not None})
        overrides = parse_set(sets or [])
        ex = executor_from(jobs, executor, scheduler)
        if out is not None:  # refused before the solves, not after
            from dealbench.cli.analyze_output import COMPARISON_FILE
            from dealbench.io import OutputDir

            OutputDir(out, force=force).check([COMPARISON_FILE])
        options = SolveOptions(solver=solver, time_limit=time_limit)  # before any file
        pf = load_portfolio(portfolio)
        if formats is not None:  # refused before the solves, not after
            check_portfolio_clauses(pf)
        if regimes is None:
            policies, note = default_regimes(pf, portfolio)
            if note is not None:
                typer.echo(f"note: {note}; --regimes names any policy file", err=True)
        else:
            names = parse_regimes(regimes, "--regimes")
            policies = [find_regime(home_expanded(name), portfolio, "--regimes") for name in names]
            refuse_shared_ids(names, policies, "--regimes")
        note_uncertainty(*under_each(pf, policies, overrides))  # each regime's file too
        with progress("Solving regimes") as bar:
            comparison, solved = run_compare(
                pf,
                policies,
                overrides=overrides,
                options=options,
                executor=ex,
                progress=bar,
                explain=out is not None,  # the files say why, as `solve` does
                limit=None if explain_all else MAX_EXPLAINED,
            )
        _answer(comparison, json_out, show.print_comparison)
        if out is not None:
            written = show.write_comparison(
                out,
                comparison,
                solved,
                formats,
                force=force,
                date=parse_date(date),
                executor=ex,
                portfolio_path=portfolio,
            )
            _wrote(written, out, json_out)
            if not explain_all:
                _unexplained(solved)
    _stopped([(r.regime, r.status) for r in comparison.regimes], "under")


def _unexplained(solved: dict[str, tuple[Any, Any]]) -> None:
    """Where the files name partners as not explained (past the first `MAX_EXPLAINED`
    without a deal), the CLI's way to have every one explained: the files' reason names
    no command (session 42; it said "`dealbench compare --explain-all` ..." on the web)."""
    from dealbench.list_words import and_list
    from dealbench.result_words import explain_all_words

    regimes = [
        rid
        for rid, (_pf, result) in solved.items()
        if result.us_value is not None and len(result.no_deal) > MAX_EXPLAINED
    ]
    if regimes:
        typer.echo(
            f"note: under {and_list(regimes)}, the files say why for the first "
            f"{MAX_EXPLAINED} partners without a deal and name the others as not "
            f"explained; {explain_all_words('compare')}",
            err=True,
        )


@app.command(
    epilog=examples(
        "dealbench sweep deals/portfolios/gulf-asia.yaml deals/scenarios/gulf-asia.yaml --out out/sweep",
        "dealbench sweep deals/portfolios/gulf-asia.yaml --param policy.risk_penalty_per_h100e --from 50k --to 400k --steps 15",
        "dealbench sweep deals/portfolios/gulf-asia.yaml --policy repeal --param policy.risk_penalty_per_h100e --from 50k --to 400k --steps 5",
        "dealbench sweep deals/portfolios/gulf-asia.yaml --param portfolio.supply.2027 --from 900_000 --to 1_100_000 --steps 3 --refine 2 --json",
    )
)
def sweep(
    portfolio: PortfolioArg,
    scenarios: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCENARIOS",
            help="A scenarios file: scenarios: [{id, title, set: {PATH: VALUE}}].",
        ),
    ] = None,
    param: Annotated[
        str | None, typer.Option("--param", metavar="PATH", help="The --set path to sweep.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="A", help="First value, in the path's unit.")
    ] = None,
    stop: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="B",
            help="Last value, in the path's unit (below A: the sweep runs downward).",
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            help=f"Values from A to B, both included, 1 to 1,000 (default: {STEPS}).",
        ),
    ] = None,
    refine: Annotated[
        int | None,
        typer.Option(
            "--refine",
            help=f"Bisections narrowing each change point, 0 (none) to 30 (default: {REFINE}).",
        ),
    ] = None,
    policy: PolicyOpt = None,
    sets: SetOpt = None,
    json_out: Json = False,
    out: Annotated[
        Path | None,
        folder_option("--out", "Write sweep.json and the sweep's chart (SVG, PNG) here."),
    ] = None,
    force: Force = False,
    solver: SolverOpt = "highs",
    time_limit: TimeLimit = None,
    jobs: JobsOpt = None,
    executor: ExecutorOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Solve named scenarios side by side, or sweep one figure and find where the package changes.

    With a SCENARIOS file: the base portfolio and each scenario in one table,
    each scenario's changes against the base. With --param PATH --from A --to B
    --steps N: N values of PATH and the values at which the optimal package
    changes (a partner gains or loses a deal, a security level or a concession
    flips), each narrowed by bisection.
    """
    from dealbench.analyze.scenarios import (
        apply_overrides,
        load_scenario,
        load_scenarios,
        parse_set,
    )
    from dealbench.analyze.solves import SolveOptions
    from dealbench.analyze.sweep import (
        check_steps,
        check_swept,
        parse_bound,
        sweep_param,
        sweep_scenarios,
    )
    from dealbench.cli import analyze_output as show
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.errors import InputError, Issue

    with handled(json_out):
        if scenarios is None and param is None:
            raise InputError(
                Issue(
                    "sweep",
                    None,
                    "",
                    "give either a SCENARIOS file or --param PATH --from A --to B",
                )
            )
        if scenarios is not None and param is not None:
            # `--from 5 bn` leaves `bn` as the SCENARIOS file: say which word was read so.
            spaced = (
                ""
                if scenarios.exists()
                else f" ({str(scenarios)!r} was read as the SCENARIOS file: a value with a "
                "space, `--from 5 bn`, is two arguments; write 5bn)"
            )
            raise InputError(
                Issue(
                    "sweep",
                    None,
                    "",
                    "give either a SCENARIOS file or --param PATH --from A --to B, not both"
                    + spaced,
                )
            )
        if param is None:  # a SCENARIOS file: these have no figure to sweep
            for name, given in (("--from", start), ("--to", stop), ("--steps", steps),
                                ("--refine", refine)):  # fmt: skip
                if given is not None:
                    raise InputError(Issue(name, None, "", _PARAM_ONLY))
        if param is not None and (start is None or stop is None):
            raise InputError(Issue("--param", None, "", "needs --from A and --to B"))
        steps = STEPS if steps is None else steps
        refine = REFINE if refine is None else refine
        check_steps(steps, refine)  # the library's bounds, refused before any solve
        overrides = parse_set(sets or [])
        if param is not None:
            check_swept(param, overrides)  # before the portfolio is read, as --steps is
        ex = executor_from(jobs, executor, scheduler)
        if out is not None:  # refused before the solves, not after
            from dealbench.cli.analyze_output import SWEEP_FILE
            from dealbench.io import OutputDir

            OutputDir(out, force=force).check([SWEEP_FILE])
        pf = load_scenario(portfolio, policy)  # under --policy; --set applies below
        options = SolveOptions(solver=solver, time_limit=time_limit)
        base = apply_overrides(pf, overrides)
        loaded = None if scenarios is None else load_scenarios(scenarios, base)
        if param is not None:  # the bounds the path refuses, before any note
            parse_bound(base, param, start, "start")
            parse_bound(base, param, stop, "stop")
        # Every row counts the figures given as distributions at their means, but the one
        # the sweep sets (it is noted at the first value it takes, where it is a number).
        first = base if param is None else apply_overrides(base, {param: start})
        note_uncertainty(first, *(pf for _, pf in loaded or []))  # the scenarios' own too
        with progress("Solving scenarios") as bar:
            if loaded is not None:
                result, _ = sweep_scenarios(
                    base, loaded, options=options, executor=ex, progress=bar
                )
            else:
                assert param is not None and start is not None and stop is not None
                result, _ = sweep_param(
                    pf,
                    param,
                    start,
                    stop,
                    steps,
                    overrides=overrides,
                    options=options,
                    executor=ex,
                    refine=refine,
                    progress=bar,
                )
        _answer(result, json_out, show.print_sweep)
        if not json_out:
            typed = ["--policy", policy] if policy else []
            typed += [w for v in sets or [] for w in ("--set", v)]
            sets_of = {sc.id: sc.set for sc, _ in loaded or []}
            show.print_why_lost(result, portfolio, typed, sets_of)
        if out is not None:
            _wrote(show.write_sweep(out, result, force=force), out, json_out)
    _stopped(
        [(r.id if r.value is None else f"{r.value:,.6g}", r.status) for r in result.rows], "of"
    )


@app.command(
    epilog=examples(
        "dealbench compare deals/portfolios/gulf-asia.yaml --out out/compare",
        "dealbench solve deals/portfolios/gulf-asia.yaml --out out/",
        "dealbench diff out/compare/bilateral/result.json out/compare/tiered/result.json",
        "dealbench diff out/result.json out/compare/bilateral/result.json --json",
    )
)
def diff(
    result_a: Annotated[
        Path, typer.Argument(metavar="RESULT_A", help="A result.json (solve --out).")
    ],
    result_b: Annotated[Path, typer.Argument(metavar="RESULT_B", help="Another result.json.")],
    json_out: Json = False,
) -> None:
    """Say what changed between two results, partner by partner."""
    from dealbench.analyze.diff import diff_results, load_result
    from dealbench.cli import analyze_output as show

    with handled(json_out):
        a, b = load_result(result_a), load_result(result_b)
        d = diff_results(a, b, (str(result_a), str(result_b)))
        _answer(d, json_out, show.print_diff)
