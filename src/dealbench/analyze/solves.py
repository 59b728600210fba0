"""One solve as a task an executor can ship to another process or machine.

A task is plain data (a portfolio and solve options) and `run_chain` a
top-level function, so both pickle. A chain solves its portfolios in order,
each warm-started from the one before (neighbouring scenarios of a sweep share
most of their structure); chains are cut the same way whatever the number of
workers, so the results do not depend on `--jobs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dealbench.arguments import (
    at_least_one,
    instance_of,
    one_of,
    plain_argument,
    positive_seconds,
    relative_gap,
)
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import MODES, SOLVERS, SolveResult, Status, solve

__all__ = ["SolveOptions", "chain_cost", "chains", "run_chain", "solve_all", "solve_options"]

#: Portfolios per chain: each after the first is warm-started from its neighbour.
CHAIN = 5


@dataclass(frozen=True)
class SolveOptions:
    """What every solve of an analysis shares."""

    mode: str = "us-best"
    solver: str = "highs"
    time_limit: float | None = None
    gap: float = 1e-6
    #: One solver thread: solves run side by side, and one thread makes a solve's answer
    #: independent of how many run at once.
    threads: int | None = 1
    warm: bool = True

    def __post_init__(self) -> None:
        """Every field checked as `solve` checks its argument, before any solve: a bad one
        (`threads=0`, `gap=2`) was refused by the first solve of a run, or never (`warm`)."""
        one_of(self.mode, MODES, "mode", "mode")
        one_of(self.solver, SOLVERS, "solver", "solver")
        positive_seconds(self.time_limit)
        relative_gap(self.gap)
        if self.threads is not None:
            at_least_one(self.threads, "threads", "thread")
        plain_argument(self.warm, ["bool"], "warm")


@dataclass(frozen=True)
class Chain:
    portfolios: Sequence[Portfolio]
    options: SolveOptions = field(default_factory=SolveOptions)


def run_chain(chain: Chain) -> list[SolveResult]:
    """Solve each portfolio of the chain in order; the figures are `check`'s."""
    out: list[SolveResult] = []
    opts = chain.options
    for portfolio in chain.portfolios:
        previous = out[-1] if out and opts.warm and out[-1].deals else None
        out.append(
            solve(
                portfolio,
                opts.mode,  # type: ignore[arg-type]
                solver=opts.solver,
                time_limit=opts.time_limit,
                gap=opts.gap,
                threads=opts.threads,
                warm_start=previous if opts.solver == "highs" else None,
            )
        )
    return out


def solve_options(options: SolveOptions | None) -> SolveOptions:
    """`options` as an analysis' solves take them (None: `SolveOptions()`); else an
    ArgumentError naming `options` (a dict of them was an AttributeError)."""
    if options is None:
        return SolveOptions()
    return instance_of(options, SolveOptions, "options", "dealbench.SolveOptions(gap=0.01, ...)")


def chain_cost(chain: Chain) -> float:
    """A cheap estimate of a chain's solve time, to start the longest first: the compute
    its portfolios could deliver (every partner's ask under each level's cap, each
    period), times the number of levels whose caps differ (choices the search must weigh
    apart). Only the order of the work depends on it, and it is rough: on the global
    portfolio it ranks bilateral (0.25 s) first, as measured, where the compute alone
    ranked repeal (0.07 s) first; on synthetic portfolios the longest regime's solve is
    sometimes monopoly's, which no count of compute foresees."""
    total = 0.0
    for pf in chain.portfolios:
        for partner in pf.partners:
            caps = [
                tuple(pf.cap(partner, level, period) for period in pf.periods)
                for level in pf.levels_for(partner)
            ]
            total += len(set(caps)) * sum(map(sum, caps))
    return total


def chains(
    portfolios: Sequence[Portfolio], options: SolveOptions | None, size: int = CHAIN
) -> list[Chain]:
    """The portfolios cut into chains of `size` neighbours (1: no warm starts)."""
    options = solve_options(options)
    step = max(1, size if options.warm else 1)
    return [Chain(portfolios[i : i + step], options) for i in range(0, len(portfolios), step)]


def solve_all(
    portfolios: Sequence[Portfolio],
    options: SolveOptions | None,
    executor: object | None = None,
    *,
    chain: int = CHAIN,
    progress: object | None = None,
) -> list[SolveResult]:
    """Solve every portfolio (in parallel when the executor says so), results in order."""
    from dealbench.analyze.parallel import Executor

    ex = executor if isinstance(executor, Executor) else Executor()
    work = chains(portfolios, options, chain)
    batches = ex.map(run_chain, work, progress, cost=chain_cost)  # type: ignore[arg-type]
    return [result for batch in batches for result in batch]


#: Why a row stopped by its time limit before it found any deal has no figures: the no-deal
#: V of that stop is no solve's answer (qa48-room: "-$19.50bn" and 0 deals in every row of
#: `compare --time-limit 0.001` on global, the best of them starred).
NONE_FOUND = "the time limit stopped the solve before it found any deal"


def found_deals(result: SolveResult) -> bool:
    """A result a comparison or sweep row gives figures of: an optimum, or a solve the time
    limit stopped once it had found a deal (the best found, said as such)."""
    return result.status is Status.OPTIMAL or (
        result.status is Status.TIME_LIMIT and bool(result.deals)
    )
