"""`dealbench risk`: how likely a partner is to accept a package, and what it is then worth."""

from __future__ import annotations

from typing import Annotated

import typer

from dealbench.cli.base import Json, PackageArg, PackagePortfolio, app
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.scenario_options import ExecutorOpt, SchedulerOpt, executor_from


@app.command(
    epilog=examples(
        "dealbench risk deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia-uncertain.yaml",
        "dealbench risk deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia-uncertain.yaml --samples 100000 --seed 7 --json",
        "dealbench risk deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia-uncertain.yaml --samples 1000000 --executor dask --scheduler tcp://10.0.0.5:8786",
        needs="The last needs a Dask cluster of your own, its scheduler's address in place of "
        "tcp://10.0.0.5:8786: start one with `dask scheduler` and, where this dealbench is "
        "installed, `dask worker ADDRESS`.",
    )
)
def risk(
    package: PackageArg,
    portfolio: PackagePortfolio,
    samples: Annotated[
        int, typer.Option("--samples", help="Samples of the partner's uncertain figures.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed, the same numbers.")] = 0,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Processes to spread the samples over (default 1; not with dask). "
            "The numbers do not change.",
            show_default=False,
        ),
    ] = None,
    executor: ExecutorOpt = None,
    scheduler: SchedulerOpt = None,
    json_out: Json = False,
) -> None:
    """Sample the partner's uncertain figures: acceptance probability, US value and risk.

    Figures given as distributions in the partner's file (batna, value_per_h100e,
    diversion_risk, partner_cost) are drawn; the package is evaluated in every
    sample, without a solver.

    Exit code: 3 when the package breaks a limit (its ask, a cap, supply, the risk
    budget) at the figures' means, as `evaluate` checks it (output unchanged); else 0.
    """
    from dealbench.analyze.cluster import SAMPLING
    from dealbench.analyze.uncertainty import risk_report
    from dealbench.cli import output
    from dealbench.cli.analysis_output import note_inputs, print_risk
    from dealbench.cli.delayed_progress import DelayedBar
    from dealbench.model import load_package, load_portfolio

    with handled(json_out):
        ex = executor_from(jobs, executor, scheduler, default=1, work=SAMPLING)
        pf = load_portfolio(portfolio)
        pkg = load_package(package, pf)
        note_inputs(pf)  # no note of means: the samples draw the distributions
        with DelayedBar("Sampling") as bar:
            report = risk_report(pf, pkg, samples, seed, executor=ex, progress=bar)
        if json_out:
            typer.echo(output.to_json(report.model_dump(mode="json")))
        else:
            print_risk(report)
    if report.violations or any(limit.broken_at_means for limit in report.sampled_limits):
        raise typer.Exit(3)  # as `evaluate`: a package that breaks a limit cannot be signed
