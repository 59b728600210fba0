"""`dealbench validate | solve | evaluate | demo`: the pipeline from files to a checked result.

Heavy libraries (PuLP, pydantic models, Jinja2) are imported inside the
commands that need them, so `dealbench --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dealbench.cli.base import DEMO_PORTFOLIO, SHIPPED, Date, Force, Json, OutDir, app
from dealbench.cli.errors import handled
from dealbench.cli.help import examples

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.render.documents import Document, Format


@app.command(
    epilog=examples(
        "dealbench validate deals/portfolios/gulf-asia.yaml deals/partners/*.yaml",
        "dealbench validate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
    )
)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="Policy, partner, portfolio or package files."),
    ],
    portfolio: Annotated[
        Path | None, typer.Option("--portfolio", help="Check packages against this portfolio.")
    ] = None,
) -> None:
    """Check data files: shape, units, references, and every cross-file rule."""
    from dealbench.errors import InputError
    from dealbench.model import load_portfolio, validate_file

    with handled():
        pf = load_portfolio(portfolio) if portfolio else None
        issues = []
        for path in paths:
            try:
                kind = validate_file(path, pf)
            except InputError as exc:
                issues += exc.issues
                continue
            typer.echo(f"ok: {path} ({kind})")
        if issues:
            raise InputError(issues)


@app.command(
    epilog=examples(
        "dealbench solve deals/portfolios/gulf-asia.yaml",
        "dealbench solve deals/portfolios/global.yaml --mode partner-best --json",
        "dealbench solve deals/portfolios/gulf-asia.yaml --mode nash",
        "dealbench solve deals/portfolios/gulf-asia.yaml --solver cbc --time-limit 30 --out out/",
        "dealbench solve deals/portfolios/gulf-asia.yaml --out out/ --render md,html,docx,pdf",
    )
)
def solve(
    portfolio: Annotated[
        Path,
        typer.Argument(metavar="PORTFOLIO", help="A portfolio file (deals/portfolios/*.yaml)."),
    ],
    mode: Annotated[
        str,
        typer.Option(
            help="Objective: us-best, partner-best, nash (the largest product of both sides' "
            "gains; its error bound is stated) or kalai (the largest equal share of each "
            "side's ideal gain)."
        ),
    ] = "us-best",
    solver: Annotated[str, typer.Option(help="Solver: highs or cbc.")] = "highs",
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds before the solver stops.")
    ] = None,
    gap: Annotated[float, typer.Option(help="Relative optimality gap at which to stop.")] = 1e-6,
    v_floor: Annotated[
        float | None,
        typer.Option("--v-floor", help="partner-best: least US utility, USD (default: no deal)."),
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
            "these formats: md, html, docx, pdf (comma-separated).",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="House templates overriding the shipped ones by name."),
    ] = None,
) -> None:
    """Find the best packages every partner still accepts, within every limit."""
    from dealbench.cli import output
    from dealbench.cli.documents import parse_formats
    from dealbench.errors import InputError, Issue
    from dealbench.model import load_portfolio
    from dealbench.optimize import MODES, SOLVERS, Status
    from dealbench.optimize import solve as run_solve

    with handled():
        if mode not in MODES:
            raise InputError(
                Issue(
                    "--mode",
                    None,
                    "",
                    f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}",
                )
            )
        if solver not in SOLVERS:
            raise InputError(
                Issue(
                    "--solver",
                    None,
                    "",
                    f"unknown solver {solver!r}; expected one of: {', '.join(SOLVERS)}",
                )
            )
        formats = parse_formats(render) if render is not None else None
        if formats is not None and out is None:
            raise InputError(Issue("--render", None, "", "needs --out, the folder to write into"))
        pf = load_portfolio(portfolio)
        result = run_solve(pf, mode, solver=solver, time_limit=time_limit, gap=gap, v_floor=v_floor)
        result.raise_for_status()
        zopa = None
        if mode in ("nash", "kalai"):
            from dealbench.negotiate import zopas

            zopa = zopas(pf)
        if json_out:
            data = output.result_json(result)
            if zopa is not None:
                data["zopa"] = zopa
            typer.echo(output.to_json(data))
        else:
            output.print_result(result)
            if result.message and mode in ("nash", "kalai"):
                typer.echo(result.message)
            if mode == "partner-best":
                for line in partner_best_lines(pf, result, v_floor):
                    typer.echo(line)
            for z in zopa or []:
                gain = f"largest joint gain {output.money(z['largest_joint_gain'])}"
                typer.echo(
                    f"Zone of agreement with {z['partner']}: "
                    + (f"yes, {gain}" if z["exists"] else "none")
                )
        if out is not None:
            written = write_outputs(
                pf,
                result,
                out,
                force=force,
                date=date.date() if date else None,
                portfolio_path=portfolio,
                formats=formats,
                templates=templates,
            )
            if not json_out:
                typer.echo(f"Wrote {len(written)} files to {out}/")
        if result.status == Status.TIME_LIMIT:
            typer.echo(
                f"warning: the time limit stopped the solver; the packages are within a gap of "
                f"{result.solver.gap if result.solver.gap is not None else 'unknown'} of the best",
                err=True,
            )
            raise typer.Exit(4)


@app.command(
    epilog=examples(
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
        "dealbench evaluate deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia.yaml --json",
    )
)
def evaluate(
    package: Annotated[
        Path,
        typer.Argument(
            metavar="PACKAGE", help="A package file: an offer, a counter or a solution."
        ),
    ],
    portfolio: Annotated[
        Path, typer.Option("--portfolio", help="The portfolio the package belongs to.")
    ],
    json_out: Json = False,
) -> None:
    """Recompute a package's values and check every limit, without a solver."""
    from dealbench.checker import check as run_check
    from dealbench.cli import output
    from dealbench.model import load_package, load_portfolio

    with handled():
        pf = load_portfolio(portfolio)
        pkg = load_package(package, pf)
        # Checked alone against the portfolio: its own limits, and supply and risk budget
        # as if it were the only deal.
        checked = run_check(pf, [pkg])
        deal = checked.deals[0]
        deal = deal.model_copy(update={"violations": deal.violations + checked.violations})
        if json_out:
            typer.echo(output.to_json(deal.model_dump(mode="json")))
        else:
            output.print_evaluation(deal, pf.periods)


@app.command(epilog=examples("dealbench demo", "dealbench demo --out /tmp/demo-out"))
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the result and the documents.")
    ] = Path("out"),
    force: Force = False,
) -> None:
    """Solve the shipped example portfolio and write every document in every format.

    Term sheets (external and internal) and deal memos for each deal, the
    portfolio memo, and a redline of the shipped UAE offer against its
    counter, each in Markdown, HTML, DOCX and PDF.
    """
    from dealbench.cli import output
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve as run_solve
    from dealbench.render.documents import FORMATS

    with handled():
        path = _shipped(DEMO_PORTFOLIO)
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
            portfolio_path=path,
            formats=FORMATS,
            everything=True,
        )
        typer.echo(f"Wrote {len(written)} files to {out}/:")
        for path in written:
            typer.echo(f"  {path}")


def partner_best_lines(pf: Portfolio, result: SolveResult, v_floor: float | None) -> list[str]:
    """What partner-best maximised (the partners' total), V beside it, and the V floor
    when it binds."""
    from dealbench.cli.output import money

    floor = sum(p.us_batna for p in pf.partners) if v_floor is None else v_floor
    lines = [
        f"Maximised: the partners' total utility, {money(result.partner_total)} "
        f"(US utility V beside it: {money(result.objective)})."
    ]
    if result.objective is not None and result.objective <= floor + max(1e6, 1e-6 * abs(floor)):
        lines.append(f"Binding: the US floor, V >= {money(floor)}.")
    return lines


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
) -> list[Path]:
    """result.json, and the documents of the result.

    Without `formats`: one Markdown term sheet per deal. With `formats`: every
    deal's term sheet and the portfolio memo in each format. `everything` adds
    internal term sheets, deal memos and the shipped redline (the demo).
    """
    from dealbench.cli import output
    from dealbench.cli.documents import write_documents
    from dealbench.io import OutputDir
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import source_from_result

    folder = OutputDir(out, force=force)
    if portfolio_path is not None:
        result = result.model_copy(update={"portfolio_file": _portfolio_ref(portfolio_path, out)})
    result_json = output.to_json(output.result_json(result)) + "\n"
    source = source_from_result(pf, result)
    docs = documents_for(source, "term-sheet", audience="external", date=date)
    if formats is not None:
        if everything:
            docs += documents_for(source, "term-sheet", audience="internal", date=date)
            docs += documents_for(source, "deal-memo", date=date)
        docs += documents_for(source, "portfolio-memo", date=date)
        if everything:
            docs += _shipped_redline(pf, date)
    extra = {"result.json": result_json.encode()}
    write_documents(folder, docs, formats or ["md"], templates, extra)
    return folder.written


def _portfolio_ref(portfolio: Path, out: Path) -> str:
    """The portfolio as result.json names it: relative to out/ when they share a folder."""
    target, base = portfolio.resolve(), out.resolve()
    if os.path.commonpath([target, base]) == target.anchor:
        return target.as_posix()
    return Path(os.path.relpath(target, base)).as_posix()


def _shipped_redline(pf: Portfolio, date: dt.date | None) -> list[Document]:
    """The demo's redline: the shipped UAE offer against the UAE's counter, internal."""
    from dealbench.model import load_package
    from dealbench.render.documents import redline_document

    old, new = _shipped("packages/ae-offer.yaml"), _shipped("packages/ae-counter.yaml")
    a, b = load_package(old, pf), load_package(new, pf)
    return [
        redline_document(
            pf,
            a,
            b,
            labels=(
                a.title or "US offer (ae-offer.yaml)",
                b.title or "UAE counter (ae-counter.yaml)",
            ),
            path="redlines/AE-offer-to-counter",
            audience="internal",
            date=date,
        )
    ]


def _shipped(relative: str) -> Path:
    for root in (Path.cwd() / "deals", SHIPPED):
        if (root / relative).exists():
            return root / relative
    from dealbench.errors import InputError, Issue

    raise InputError(Issue(f"deals/{relative}", None, "", "the shipped example data was not found"))
