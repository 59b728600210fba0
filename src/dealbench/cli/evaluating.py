"""`dealbench evaluate`: a package's values and limits recomputed without a solver, and
with --against the verdict on it as a counter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dealbench.cli.base import (
    HighsOnlyOpt,
    Json,
    PackageArg,
    PackagePortfolio,
    app,
    check_highs_only,
    folder_option,
    home_expanded,
)
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.scenario_options import PolicyOpt, SetOpt

if TYPE_CHECKING:
    from dealbench.model import Package, Portfolio
    from dealbench.negotiate.verdict import Verdict


@app.command(
    epilog=examples(
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml",
        "dealbench evaluate deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia.yaml --json",
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml --set partners.AE.batna=12bn",
        "dealbench evaluate deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml "
        "--against 3",
        "dealbench solve deals/portfolios/gulf-asia.yaml --out out/",
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

    with handled(json_out):
        from dealbench.analyze.scenarios import load_scenario
        from dealbench.model.regimes import caps_notes

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
            from dealbench.negotiate.rounds.negotiation import shared_violations
            from dealbench.negotiate.rounds.read import load_negotiations

            shared = shared_violations(pf, load_negotiations(pf, rounds), pkg)
        deal = deal.model_copy(update={"violations": deal.violations + shared})
        if json_out:
            typer.echo(
                output.to_json(output.with_notes(deal.model_dump(mode="json"), caps_notes(pf)))
            )
        else:
            output.print_evaluation(deal, pf.periods, pkg)
            output.print_notes(caps_notes(pf))
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
    from dealbench.cli.verdict_output import print_verdict
    from dealbench.model.regimes import caps_notes
    from dealbench.negotiate.against import against_package
    from dealbench.negotiate.rounds.negotiation import rounds_root
    from dealbench.negotiate.rounds.read import load_negotiations
    from dealbench.negotiate.verdict import verdict

    root = rounds if rounds is not None else rounds_root(path, pf)
    base = against_package(pf, pkg.partner, against, root)
    answer = verdict(pf, load_negotiations(pf, root), pkg, against=base)
    if json_out:
        typer.echo(
            output.to_json(output.with_notes(answer.model_dump(mode="json"), caps_notes(pf)))
        )
        return answer
    # The figures' own limits and the shared ones the verdict counts (supply and risk
    # budget with the concluded deals): its "Limits broken" below lists the same, and the
    # partner's refusal, which "Partner accepts" already says.
    broken = [v for v in answer.violations if v.kind != "acceptance"]
    output.print_evaluation(
        answer.figures.model_copy(update={"violations": broken}), pf.periods, pkg
    )
    print_verdict(answer, pf.periods)
    output.print_notes(caps_notes(pf))
    return answer
