"""The joint frontier's points: the whole portfolio solved at every floor, from the
highest down, each solve warm-started from the point before (whose optimum meets the lower
floor: a feasible incumbent), in JOINT_CHAINS interleaved chains that run side by side on
the machine's cores (the same chains on one), beside the no-deal solve and the
partner-best end (the joint optimum at the held partner-best's U).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from dealbench.analyze.parallel import Executor, default_jobs
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import SAME_ABS, FrontierPoint, point_of
from dealbench.negotiate.frontier_ends import joint_no_deal, lifted_point
from dealbench.negotiate.replan import solve_with_floor
from dealbench.negotiate.single import Single
from dealbench.optimize.decomposition.warm import WarmStart, warm_from
from dealbench.optimize.result import SolveResult

#: The first incumbent round of a joint point searches about this many concession sets
#: per partner (a cold solve: `rounds.MIP_SETS_PER_PARTNER`, 4) where it starts from a
#: start further off than a neighbouring floor: a chain's first floor (from the held
#: package), the partner-best end (from the held end) and the no-deal point (from the
#: base optimum less the partner's deal). M seed 1, AM, 25 points, one HiGHS thread (so
#: process time is work), every floor at one count: 16.7-16.9 s with 4, 14.3-14.9 s with
#: 3, 15.4-15.7 s with 2 (the proof round then runs more often). Every point is proven.
JOINT_SETS_PER_PARTNER = 3

#: ... and this many where it starts from the floor before in its chain, whose optimum
#: is closer. Session 37, the 25-point frontier at `jobs=1`, process time, two runs each
#: against 3 everywhere: M seed 0 17.78 / 18.05 s against 20.19 / 19.44 s, seed 2 6.76 /
#: 7.07 / 7.03 / 6.83 s against 7.26 / 7.61 / 7.36 / 7.02 s, seed 1 8.77 / 8.94 s against
#: 8.55 / 8.97 s; 2 at every floor, a chain's first ones too, took seed 2's first chain
#: 1.9-2.0 s against 1.4-1.7 s (its first floor 467-515 ms against 344-354 ms), and 2
#: at every floor but the first gave seed 0 and 2 their best times (bench/README.md).
JOINT_SETS_FROM_NEIGHBOUR = 2


def joint_points(
    portfolio: Portfolio,
    partner: str,
    alone: Single,
    fixed: list[Package],
    base: SolveResult,
    grid: list[float],
    gap: float,
    partner_best: FrontierPoint | None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[FrontierPoint], FrontierPoint | None, FrontierPoint]:
    """Every point a proven optimum of the whole portfolio at its floor, the partner-best
    end, and the no-deal point (the others re-optimized without the partner).

    The partner-best end, when `partner_best` (the held end) is given, is the joint
    optimum at its U, started from it, and returned apart from the grid's points. The
    grid's floors, from the highest down, are dealt into JOINT_CHAINS interleaved
    chains; each chain starts from the held package at its first floor and solves its
    floors in turn, each from the one before (whose optimum meets every lower floor: its
    packages as the incumbent, its prices and columns as seeds). The end, the chains
    and the no-deal solve run side by side on the machine's cores, longest first; the
    chains are the same whatever the number of cores, so the points are too."""
    stop = base.us_value or 0.0
    end_chain = (
        None if partner_best is None else _end_chain(portfolio, partner, partner_best, base, gap)
    )
    tasks: list[_Chain | _Without] = [] if end_chain is None else [end_chain]
    ends = len(tasks)
    floors = sorted(grid, reverse=True)
    for k in range(JOINT_CHAINS):
        chain = floors[k::JOINT_CHAINS]
        if chain:
            package, _ = alone.best_at(chain[0])  # the held package: a feasible first start
            start = _start(base, None if package is None else [*fixed, package])
            tasks.append(_Chain(portfolio, partner, chain, gap, start, stop))
    tasks.append(_Without(portfolio, partner, gap, warm_from(base)))
    *done, [no_deal] = _joint_executor(jobs).map(
        _run, tasks, progress=progress, cost=_cost, together=True
    )
    end = next(iter(done[0]), None) if ends else None
    found = sorted(
        (point for points in done[ends:] for point in points), key=lambda p: -p.partner_utility
    )
    return found, end, no_deal


def _start(base: SolveResult, packages: list[Package] | None) -> WarmStart | None:
    """The base optimum's prices and columns, with `packages` as the incumbent."""
    warm = warm_from(base)
    return warm if warm is None or packages is None else _with_packages(warm, packages)


#: The joint frontier's floors are solved as this many chains, side by side (`joint_points`).
JOINT_CHAINS = 4


def _joint_executor(jobs: int | None = None) -> Executor:
    """Worker processes for the chains and the no-deal point, one a core (at most one a
    task), or this process on a single core (or `jobs` 1)."""
    n = joint_jobs(jobs)
    return Executor("processes", n) if n > 1 else Executor()


def joint_jobs(jobs: int | None = None) -> int:
    return min(default_jobs() if jobs is None else jobs, JOINT_CHAINS + 1)


@dataclasses.dataclass(frozen=True)
class _Chain:
    """Floors solved one after the other, each from the one before."""

    portfolio: Portfolio
    partner: str
    floors: list[float]
    gap: float
    warm: WarmStart | None
    #: The unconstrained optimum's V: a point that reaches it ends the chain (every lower
    #: floor is that point too).
    stop: float = math.inf
    #: What the chain costs against one floor's solve (`_cost`); None: one a floor.
    cost: float | None = None


@dataclasses.dataclass(frozen=True)
class _Without:
    """The portfolio re-optimized without the partner: the joint no-deal point."""

    portfolio: Portfolio
    partner: str
    gap: float
    warm: WarmStart | None


def _run(task: _Chain | _Without) -> list[FrontierPoint]:
    """One task of `joint_points`, in a worker process (or here)."""
    if isinstance(task, _Chain):
        return _run_chain(task)
    # As a floor is solved: one solver thread (a chain runs on the other core), the first
    # round narrowed (its start, the base optimum less the partner's deal, is close). M seed
    # 2: 0.44 s against 0.50 s with HiGHS's threads and 4 sets a partner; the same point.
    return [joint_no_deal(task.portfolio, task.partner, task.gap, _narrowed(task.warm), 1)]


#: The no-deal point's solve against one floor's: it starts from the base optimum, not
#: from a neighbouring floor (M seed 2: 0.31 s against 0.21-0.25 s a floor).
NO_DEAL_COST = 1.5

#: The partner-best end's one floor against a floor of a chain: it starts from the held
#: end, not from a neighbouring floor (M seed 0: 0.74-0.81 s against 0.4 s a floor; seed
#: 2: 0.20 s against 0.28 s). Above NO_DEAL_COST, so the no-deal point goes last: the
#: queue on two workers, each floor +-15% at random (5,000 draws), ended 1.7% sooner at
#: seed 0 that way, the same at seed 2 (bench/README.md, session 36).
END_COST = 2.0


def _cost(task: _Chain | _Without) -> float:
    """Longest first: a chain costs a solve a floor (the partner-best end, END_COST); the
    no-deal point, NO_DEAL_COST: the last task is the no-deal point."""
    if isinstance(task, _Without):
        return NO_DEAL_COST
    return float(len(task.floors)) if task.cost is None else task.cost


def _run_chain(chain: _Chain) -> list[FrontierPoint]:
    found: list[FrontierPoint] = []
    warm, sets = chain.warm, JOINT_SETS_PER_PARTNER
    for u in chain.floors:
        result = _floored(chain.portfolio, chain.partner, u, chain.gap, warm, sets)
        if result is None:
            continue
        warm, sets = warm_from(result), JOINT_SETS_FROM_NEIGHBOUR
        # The other deals' figures as `solve` checked them (the floored portfolio differs
        # from this one in the partner's walk-away value alone): not evaluated again.
        others = [d for d in result.deals if d.partner != chain.partner]
        packages = [d.package() for d in result.deals]
        point = point_of(chain.portfolio, chain.partner, packages, checked=others)
        found.append(lifted_point(chain.portfolio, chain.partner, point, None, others))
        if point.us_utility >= chain.stop - SAME_ABS:
            break  # V is the unconstrained optimum's: every lower floor is that point too
    return found


def _floored(
    portfolio: Portfolio,
    partner: str,
    u: float,
    gap: float,
    warm: WarmStart | None,
    sets: int | None = None,
) -> SolveResult | None:
    """A joint point: the whole portfolio at floor `u`, warm-started (its first incumbent
    round narrowed to `sets` sets a partner, default JOINT_SETS_PER_PARTNER), on one solver
    thread: the chains run side by side, one to a core."""
    start = _narrowed(warm, sets)
    return solve_with_floor(portfolio, partner, u, gap=gap, warm_start=start, threads=1)


def _narrowed(warm: WarmStart | None, sets: int | None = None) -> WarmStart | None:
    """`warm` with its first incumbent round narrowed to `sets` sets a partner (default
    JOINT_SETS_PER_PARTNER), its schedule started from the solve before's where it has
    one, and its own kept for the next (`WarmStart.keep_schedule`)."""
    if warm is None:
        return None
    narrowed = sets or JOINT_SETS_PER_PARTNER
    return dataclasses.replace(warm, sets_per_partner=narrowed, keep_schedule=True)


def _with_packages(warm: WarmStart, packages: list[Package]) -> WarmStart:
    """`warm` with other packages as the incumbent (a copy: `warm` may be a result's own)."""
    return dataclasses.replace(warm, packages=packages)


def _end_chain(
    portfolio: Portfolio, partner: str, held_best: FrontierPoint, base: SolveResult, gap: float
) -> _Chain | None:
    """The partner-best end with every other deal re-optimized, as a chain of one floor:
    the held end's U less USD 1 (its own packages meet it whatever the rounding), started
    from the held end; None when the held end has no deal."""
    if held_best.package is None:
        return None
    start = _start(base, [*held_best.others, held_best.package])
    floor = held_best.partner_utility - 1.0
    return _Chain(portfolio, partner, [floor], gap, start, cost=END_COST)


def joint_end(
    portfolio: Portfolio, partner: str, held_best: FrontierPoint, base: SolveResult, gap: float
) -> FrontierPoint:
    """`_end_chain` solved here; the held end when no joint point reaches its U."""
    chain = _end_chain(portfolio, partner, held_best, base, gap)
    found = [] if chain is None else _run_chain(chain)
    return found[0].model_copy(update={"label": "partner-best"}) if found else held_best
