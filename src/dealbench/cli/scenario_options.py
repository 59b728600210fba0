"""Options the analysis commands share: `--set`, `--policy`, `--jobs`, `--executor`.

No commands here (so importing it registers nothing); `solving`, `evaluating`,
`analyze` and the negotiation commands use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from dealbench.cli.base import home_expanded

if TYPE_CHECKING:
    from dealbench.analyze.cluster import Work
    from dealbench.analyze.parallel import Executor


def _kept(sets: list[str] | None) -> list[str] | None:
    """The `--set` values as typed, kept for the error that names one (`errors.report`)."""
    from dealbench.cli.errors import GIVEN_SETS

    GIVEN_SETS.set(tuple(sets or ()))
    return sets


SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        callback=_kept,
        help="Override one figure for this run, in the files' units; repeatable. "
        "E.g. partners.AE.batna=3bn, policy.risk_penalty_per_h100e=200k, "
        "portfolio.supply.2027=900_000, portfolio.caps.AE.veu=800_000. Quote an amount "
        "typed with its $ ('partners.AE.batna=$12bn'): unquoted, a shell reads $1 as a "
        "variable.",
    ),
]
PolicyOpt = Annotated[
    str | None,
    typer.Option(
        "--policy",
        metavar="REGIME",
        parser=home_expanded,
        help="Solve under another regime: tiered, monopoly, repeal, bilateral, or a policy file.",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        help="Solves run side by side in this many processes (default: all cores; not with dask).",
    ),
]
ExecutorOpt = Annotated[
    str | None,
    typer.Option("--executor", help="processes (default) or dask (with --scheduler)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler", metavar="ADDRESS", help="A Dask scheduler, e.g. tcp://10.0.0.5:8786."
    ),
]


def executor_from(
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    *,
    default: int | None = None,
    work: Work | None = None,
) -> Executor:
    """The executor of --jobs, --executor and --scheduler, running `work` (solves unless
    said: `risk` runs batches of samples)."""
    from dealbench.analyze.cluster import SOLVING
    from dealbench.analyze.parallel import make_executor

    return make_executor(jobs, executor, scheduler, default=default, work=work or SOLVING)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, when it is a terminal, for work of several solves: drawn
    once the work has run a second (`DelayedBar`, as `risk` and `solve --robust` draw
    theirs), with `--json` too, whose answer is on stdout. `compare --json` and `sweep
    --json` drew none, however long they ran; without `--json` a bar flashed for a
    comparison of a fifth of a second."""
    if not sys.stderr.isatty():
        yield None
        return
    from dealbench.cli.delayed_progress import DelayedBar

    with DelayedBar(label) as bar:
        yield bar
