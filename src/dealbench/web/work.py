"""The work of the analysis jobs, run in a worker process (`web.jobs`): each is the
library call the CLI's command makes (`solve --prices | --robust`, `sweep`, `frontier
--jointly`), reporting its progress to the job's page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dealbench.analyze.analysed import Analysed, solve_with_analysis
from dealbench.analyze.parallel import Executor
from dealbench.analyze.scenarios import Scenario, apply_overrides
from dealbench.analyze.solves import SolveOptions
from dealbench.analyze.sweep import SweepResult, sweep_param, sweep_scenarios
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.build import frontier
from dealbench.negotiate.frontier import Axis, Frontier
from dealbench.optimize.explain.infeasible import raise_explained
from dealbench.result_words import MAX_EXPLAINED
from dealbench.web.jobs import report

#: What a sweep's page says while it runs (the CLI's bar says the same).
SWEEP_STAGE = "Solving scenarios"


@contextmanager
def stage(description: str) -> Iterator[Callable[[int, int], None]]:
    """The `progress(done, total)` of one stage of a job, reported to its page."""
    yield lambda done, total: report(description, done, total)


def analysed_solve_job(
    pf: Portfolio,
    options: dict[str, Any],
    analysis: dict[str, Any],
    limit: int | None = MAX_EXPLAINED,
) -> Analysed:
    """`solve --prices` / `solve --robust SHARE --samples N --seed S`, as the CLI calls it;
    a result without packages is explained as a plain solve's job explains it, its partners
    without a deal as `solve` explains them (`limit`: None with `--explain-all`)."""

    def explain(result: Any) -> None:
        raise_explained(pf, result, mode=options["mode"], v_floor=options["v_floor"])

    found = solve_with_analysis(pf, **options, **analysis, explain=explain, stage=stage)
    return found.explained(limit=limit)


def sweep_job(
    pf: Portfolio,
    overrides: dict[str, Any],
    scenarios: list[tuple[Scenario, Portfolio]] | None,
    param: dict[str, Any] | None,
    time_limit: float | None,
) -> SweepResult:
    """`sweep PORTFOLIO SCENARIOS` or `sweep PORTFOLIO --param PATH --from A --to B --steps N`
    (with `--set` overrides), called as the CLI calls it. Serial, in this one process: the
    numbers are the same at any `--jobs`, and the server keeps a core."""
    options = SolveOptions(time_limit=time_limit)
    executor = Executor()
    with stage(SWEEP_STAGE) as bar:
        if scenarios is not None:
            base = apply_overrides(pf, overrides)
            result, _ = sweep_scenarios(
                base, scenarios, options=options, executor=executor, progress=bar
            )
        else:
            assert param is not None
            result, _ = sweep_param(
                pf, **param, overrides=overrides, options=options, executor=executor, progress=bar
            )
    return result


#: What a joint frontier's page says while it runs: its solves (the chains of floors, the
#: partner-best end, the no-deal point) as they end.
FRONTIER_STAGE = "Solving the frontier's chains of points"


def joint_frontier_job(
    pf: Portfolio, partner: str, points: int, gap: float, axis: Axis = "partner"
) -> Frontier:
    """`frontier PORTFOLIO --partner CODE --jointly --points N --axis A --gap G`, called as
    the CLI calls it. Its chains one after the other in this one process (a job's process
    may not start others): the points are the same at any number of processes, and the
    server keeps a core."""
    with stage(FRONTIER_STAGE) as bar:
        return frontier(
            pf, partner, points=points, axis=axis, jointly=True, gap=gap, jobs=1, progress=bar
        )
