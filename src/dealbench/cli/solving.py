"""`dealbench validate | solve | evaluate | demo`: the pipeline from files to a checked result.

Heavy libraries (PuLP, pydantic models, Jinja2) are imported inside the
commands that need them, so `dealbench --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealbench.cli.base import (
    DEMO_PORTFOLIO,
    SHIPPED,
    Date,
    Force,
    HighsOnlyOpt,
    Json,
    OutDir,
    PackageArg,
    PackagePortfolio,
    PortfolioArg,
    SolverOpt,
    app,
    check_gap,
    check_highs_only,
    check_time_limit,
    file_option,
    folder_option,
    gap_option,
    home_expanded,
    parse_money_option,
    share_option,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.scenario_options import PolicyOpt, SetOpt

#: The file `solve --out` and `demo` write on every run.
RESULT_FILE = "result.json"
#: A robust solve's samples of the uncertain figures, and their seed, by default.
SAMPLES, SEED = 10_000, 0  # as the library's (analyze.analysed)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dealbench.analyze.analysed import Analysed
    from dealbench.model import Package, Portfolio
    from dealbench.negotiate.verdict import Verdict
    from dealbench.optimize import SolveResult
    from dealbench.render.documents import Document, Format


@app.command(
    epilog=examples(
        "dealbench validate deals/portfolios/gulf-asia.yaml deals/partners/*.yaml",
        "dealbench validate deals/policy deals/partners",
        "dealbench validate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
    )
)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Policy, partner, portfolio, package, round or scenarios files, or folders "
            "of them (*.yaml).",
        ),
    ],
    portfolio: Annotated[
        Path | None, file_option("--portfolio", "Check packages against this portfolio.")
    ] = None,
) -> None:
    """Check data files: shape, units, references, and every cross-file rule."""
    from dealbench.analyze.validation import validate_files
    from dealbench.errors import InputError, user_lines
    from dealbench.model import load_portfolio

    with handled():
        pf = load_portfolio(portfolio) if portfolio else None
        found = validate_files(list(paths), pf)
        for path, kind in found.ok:
            typer.echo(f"ok: {path} ({kind})")
        for line in user_lines(InputError(found.notes)) if found.notes else []:
            typer.echo(f"note: {line.removeprefix('error: ')}", err=True)
        if found.issues:
            raise InputError(found.issues)


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
        float | None, typer.Option("--time-limit", help="Seconds before the solver stops.")
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
            parser=share_option,
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
            help="A partner that must have a deal (repeatable); explained when impossible.",
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
    from dealbench.model.rules import unknown
    from dealbench.optimize import MODES, SOLVERS, Status
    from dealbench.render.clause_check import check_portfolio_clauses
    from dealbench.result_words import message_after

    with handled():
        if mode not in MODES:
            raise InputError(Issue("--mode", None, "", unknown("mode", mode, MODES)))
        if solver not in SOLVERS:
            raise InputError(Issue("--solver", None, "", unknown("solver", solver, SOLVERS)))
        check_gap(gap)
        check_time_limit(time_limit)
        floor = parse_money_option("--v-floor", v_floor)
        if rounds is None:  # refused before the solve
            from dealbench.analyze.analysed import check_analysis

            check_analysis(mode, prices)
        formats = parse_formats(render, "--render") if render is not None else None
        day = parse_date(date)
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
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
        options = {"solver": solver, "time_limit": time_limit, "gap": gap, "v_floor": floor}
        if rounds is not None:
            from dealbench.negotiate.plan import solve_rounds

            replanned = solve_rounds(pf, rounds, solver=solver, gap=gap, time_limit=time_limit)
            result, reasons = replanned.result, replanned.reasons
            extra: dict[str, Any] = {}
        else:
            found = _solve_with_analysis(
                pf, mode, options, prices, robust, samples, seed, require=require, json_out=json_out
            )
            result, extra = found.result, found.extra()
            reasons = found.no_deal_reasons(require)
        zopa = None
        if mode in ("nash", "kalai"):
            from dealbench.negotiate import zopas

            zopa = zopas(pf)
        if json_out:
            data = {**output.result_json(result), **extra}
            data["no_deal_reasons"] = [r.as_dict() for r in reasons]
            if zopa is not None:
                data["zopa"] = zopa
            typer.echo(output.to_json(data))
        else:
            output.print_result(result)
            if after := message_after(result):
                typer.echo(after)
            explaining.print_reasons(reasons)
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
            _print_analysis(extra)
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
            from dealbench.render.environment import distance_to_best

            typer.echo(
                "warning: the time limit stopped the solver with the packages "
                f"{distance_to_best(result.solver.gap, 4)}",
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
    from dealbench.io import folder_fault
    from dealbench.model.yamlio import display_path

    if not rounds.is_dir():
        expected = "the portfolio's rounds folder for --rounds, e.g. deals/rounds/<id>"
        what = folder_fault(rounds, expected) or f"does not exist; expected {expected}"
        raise InputError(Issue(display_path(rounds), None, "", what))

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
    json_out: bool = False,
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
            pf, result, mode=mode, v_floor=options["v_floor"], require=require, json_out=json_out
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


def _print_analysis(extra: dict[str, Any]) -> None:
    from dealbench.analyze.prices import Prices
    from dealbench.analyze.robust import Robustness
    from dealbench.cli.analysis_output import print_prices, print_robustness

    if "robustness" in extra:
        print_robustness(Robustness.model_validate(extra["robustness"]))
    if "prices" in extra:
        print_prices(Prices.model_validate(extra["prices"]))


@app.command(
    epilog=examples(
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
        "dealbench evaluate deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia.yaml --json",
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml --set partners.AE.batna=12bn",
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml "
        "--against 3",
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml "
        "--against out/result.json",
    )
)
def evaluate(
    package: PackageArg,
    portfolio: PackagePortfolio,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            parser=home_expanded,
            help="Also give the verdict on the package as a counter to this: a round number of "
            "the partner's negotiation, a round or package file, or a result.json (solves "
            "re-plan the portfolio around the rounds).",
        ),
    ] = None,
    rounds: Annotated[
        Path | None,
        folder_option(
            "--rounds",
            "The portfolio's rounds folder (with --against, default: deals/rounds/<id>); "
            "without --against, supply and risk budget are checked beside the deals "
            "concluded in it.",
        ),
    ] = None,
    solver: HighsOnlyOpt = "highs",
    json_out: Json = False,
    policy: PolicyOpt = None,
    sets: SetOpt = None,
) -> None:
    """Recompute a package's values and check every limit, without a solver.

    With --against, also the verdict on it as a counter (see `dealbench counter`),
    which solves (with HiGHS).

    Exit code: 0 when the package keeps every limit and the partner accepts it,
    3 when it breaks a limit or the partner would not accept (output unchanged).
    """
    from dealbench.checker import check as run_check
    from dealbench.cli import output
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.model import load_package

    with handled():
        from dealbench.analyze.scenarios import load_scenario

        if against is None and solver != "highs" and solver in _known_solvers():
            # Nothing solves: the checker reads the package alone.
            typer.echo(
                f"note: evaluate solves nothing without --against; --solver {solver} is not used",
                err=True,
            )
        else:
            check_highs_only("evaluate", solver)  # the verdict's re-plans: HiGHS only
        pf = load_scenario(portfolio, policy, sets or ())
        pkg = load_package(package, pf)
        note_uncertainty(pf)
        if against is not None:
            answer = _evaluate_against(pf, portfolio, pkg, against, rounds, json_out)
            _note_other_overrides(against, sets or [])
            if answer.violations:  # its own limits, acceptance, and the shared ones
                raise typer.Exit(3)
            return
        # Checked against the portfolio: its own limits, and supply and risk budget as if
        # it were the only deal, or, given --rounds, beside the deals concluded in them
        # (as `history` and `offer` count them).
        checked = run_check(pf, [pkg])
        deal = checked.deals[0]
        shared = checked.violations
        if rounds is not None:
            from dealbench.negotiate.rounds import load_negotiations, shared_violations

            shared = shared_violations(pf, load_negotiations(pf, rounds), pkg)
        deal = deal.model_copy(update={"violations": deal.violations + shared})
        if json_out:
            typer.echo(output.to_json(deal.model_dump(mode="json")))
        else:
            output.print_evaluation(deal, pf.periods, pkg)
    if deal.violations or not deal.accepts:
        raise typer.Exit(3)  # the verdict: breaks a limit, or the partner would not accept


def _known_solvers() -> tuple[str, ...]:
    from dealbench.optimize import SOLVERS

    return SOLVERS


def _note_other_overrides(against: str, sets: list[str]) -> None:
    """Say on stderr when `--against` names a result solved under other `--set` overrides
    than this command's: the verdict weighs both packages in this command's scenario."""
    from dealbench.model.override_values import parse_set
    from dealbench.render.sources import is_result_file, read_result

    path = Path(against)
    if against.strip().isdigit() or not path.is_file() or not is_result_file(path):
        return
    solved = read_result(path).overrides
    if dict(parse_set(solved)) == dict(parse_set(sets)):
        return
    theirs = " ".join(f"--set {item}" for item in solved) or "no --set"
    ours = " ".join(f"--set {item}" for item in sets) or "no --set"
    typer.echo(
        f"note: {path.name} was solved with {theirs}; this verdict weighs both packages "
        f"with {ours} (give the result's --set to weigh them in its scenario)",
        err=True,
    )


def _evaluate_against(
    pf: Portfolio, path: Path, pkg: Package, against: str, rounds: Path | None, json_out: bool
) -> Verdict:
    from dealbench.cli import output
    from dealbench.cli.negotiate_rounds import print_verdict
    from dealbench.negotiate.against import against_package
    from dealbench.negotiate.rounds import load_negotiations, rounds_root
    from dealbench.negotiate.verdict import verdict

    root = rounds if rounds is not None else rounds_root(path, pf)
    base = against_package(pf, pkg.partner, against, root)
    answer = verdict(pf, load_negotiations(pf, root), pkg, against=base)
    if json_out:
        typer.echo(output.to_json(answer.model_dump(mode="json")))
        return answer
    # The figures' own limits and the shared ones the verdict counts (supply and risk
    # budget with the concluded deals): its "Limits broken" below lists the same, and the
    # partner's refusal, which "Partner accepts" already says.
    broken = [v for v in answer.violations if v.kind != "acceptance"]
    output.print_evaluation(
        answer.figures.model_copy(update={"violations": broken}), pf.periods, pkg
    )
    print_verdict(answer, pf.periods)
    return answer


@app.command(epilog=examples("dealbench demo", "dealbench demo --out /tmp/demo-out"))
def demo(
    out: Annotated[
        Path,
        folder_option("--out", "Folder for the result and the documents."),
    ] = Path("out"),
    force: Force = False,
) -> None:
    """Solve the shipped example portfolio and write every document in every format.

    Term sheets (external and internal) and deal memos for each deal, the
    portfolio memo, a redline of the shipped UAE offer against its counter,
    and the memo of that counter (the partner's proposal against our offer),
    each in Markdown, HTML, DOCX, PDF and JSON; and a copy of the example data in
    OUT/deals, on which every command's examples run (from OUT).
    """
    from dealbench.cli import output
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve as run_solve
    from dealbench.render.documents import FORMATS

    with handled():
        from dealbench.io import OutputDir

        OutputDir(out, force=force).check([RESULT_FILE])  # refused before the solve, not after
        path = _shipped(DEMO_PORTFOLIO)
        example_data = _example_files(path.parent.parent)  # read before the solve
        pf = load_portfolio(path)
        result = run_solve(pf).raise_for_status()
        output.print_result(result)
        typer.echo(f"Rendering documents ({', '.join(FORMATS)}) ...", err=True)
        written = write_outputs(
            pf,
            result,
            out,
            force=force,
            date=None,
            portfolio_path=out / "deals" / DEMO_PORTFOLIO,  # result.json names the copy
            formats=FORMATS,
            everything=True,
            copies=example_data,
        )
        documents = [p for p in written if p.relative_to(out).parts[0] != "deals"]
        typer.echo(f"Wrote {len(documents)} files to {out}/:")
        for path in documents:
            typer.echo(f"  {path}")
        typer.echo(
            f"Wrote the example data ({len(example_data)} files) to {out / 'deals'}/: every "
            f"command's --help examples run on it in {out}/ (cd {shlex.quote(str(out))})."
        )


def write_outputs(
    pf: Portfolio,
    result: SolveResult,
    out: Path,
    *,
    force: bool,
    date: dt.date | None,
    portfolio_path: Path | None = None,
    formats: Sequence[Format] | None = None,
    templates: Path | None = None,
    everything: bool = False,
    copies: dict[str, bytes] | None = None,
) -> list[Path]:
    """result.json, and the documents of the result.

    Without `formats`: one Markdown term sheet per deal. With `formats`: every
    deal's term sheet and the portfolio memo in each format. `everything` adds
    internal term sheets, deal memos and the shipped redline (the demo);
    `copies` more files, by their path in `out` (the demo's example data).
    """
    from dealbench.cli import output
    from dealbench.cli.documents import write_documents
    from dealbench.io import OutputDir
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import source_from_result

    folder = OutputDir(out, force=force, replace=True)  # stale documents go
    if portfolio_path is not None:
        result = result.model_copy(update={"portfolio_file": portfolio_ref(portfolio_path, out)})
    data = output.result_json(result)
    if date is not None:
        data["date"] = date.isoformat()  # the documents' date: a later render keeps it
    result_json = output.to_json(data) + "\n"
    source = source_from_result(pf, result)
    docs = documents_for(source, "term-sheet", audience="external", date=date)
    if formats is not None:
        if everything:
            docs += documents_for(source, "term-sheet", audience="internal", date=date)
            docs += documents_for(source, "deal-memo", date=date)
        docs += documents_for(source, "portfolio-memo", date=date)
        if everything:
            docs += _shipped_redline(pf, date) + _shipped_counter_memo(date)
    extra = {RESULT_FILE: result_json.encode(), **package_files(pf, result), **(copies or {})}
    write_documents(folder, docs, formats or ["md"], templates, extra)
    return folder.written


def package_files(pf: Portfolio, result: SolveResult) -> dict[str, bytes]:
    """packages/<CODE>.yaml for every deal: package files `evaluate`, `redline` and `counter` read."""
    from dealbench.negotiate.rounds import package_yaml

    header = (
        f"'s package from the {result.mode} solve of portfolio {pf.id} "
        f"({pf.policy.id} regime), input fingerprint {result.fingerprint}."
    )
    if result.overrides:  # its figures hold under them: say how to evaluate it as solved
        sets = " ".join(f"--set {shlex.quote(item)}" for item in result.overrides)
        header += f"\nSolved with {sets}: evaluate it with the same."
    return {
        f"packages/{d.partner}.yaml": package_yaml(
            d.package().in_steps_of(pf.granularity), d.partner + header
        ).encode()
        for d in result.deals
    }


def portfolio_ref(portfolio: Path, out: Path) -> str:
    """The portfolio as result.json names it: relative to out/ when they share a folder."""
    target, base = portfolio.resolve(), out.resolve()
    if os.path.commonpath([target, base]) == target.anchor:
        return target.as_posix()
    return Path(os.path.relpath(target, base)).as_posix()


def _shipped_redline(pf: Portfolio, date: dt.date | None) -> list[Document]:
    """The demo's redline: the shipped UAE offer against the UAE's counter, internal."""
    import dataclasses

    from dealbench.model import load_package
    from dealbench.render.documents import package_redline

    old, new = _shipped("packages/ae-offer.yaml"), _shipped("packages/ae-counter.yaml")
    a, b = load_package(old, pf), load_package(new, pf)
    doc = package_redline(
        pf,
        a,
        b,
        files=(str(old), str(new)),
        audience="internal",
        date=date,
        fallbacks=("US offer", "UAE counter"),
    )
    return [dataclasses.replace(doc, path=f"redlines/{doc.path}")]


def _shipped_counter_memo(date: dt.date | None) -> list[Document]:
    """The demo's memo of the UAE counter: the partner's proposal against our offer."""
    from dealbench.cli.documents import _against
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import load_source

    portfolio = _shipped(DEMO_PORTFOLIO)
    source = load_source(_shipped("packages/ae-counter.yaml"), portfolio)
    against = _against(_shipped("packages/ae-offer.yaml"), source)
    return documents_for(source, "deal-memo", partners=["AE"], date=date, against=against)


def _example_files(root: Path) -> dict[str, bytes]:
    """Every file of the example data at `root` as `deals/<its path>` (hidden names left
    out, as every folder dealbench lists leaves them), each read as a data file is: a FIFO
    or a device there is refused by name, not waited on."""
    from dealbench.model.yamlio import display_path, read_regular_file

    files = {}
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                path = Path(folder) / name
                files[f"deals/{path.relative_to(root).as_posix()}"] = read_regular_file(
                    path, display_path(path), _MAX_EXAMPLE_BYTES, "a file of the example data"
                )
    return files


#: The largest file of the example data the demo copies (a house reference.docx included).
_MAX_EXAMPLE_BYTES = 64 * 1024 * 1024


def _shipped(relative: str) -> Path:
    for root in (Path.cwd() / "deals", SHIPPED):
        if (root / relative).exists():
            return root / relative
    from dealbench.errors import InputError, Issue

    raise InputError(Issue(f"deals/{relative}", None, "", "the shipped example data was not found"))
