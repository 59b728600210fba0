"""Building a frontier: its ends, the ε-constraint points between them, the cleanup.

Held (the default): the partner alone in the residual portfolio, scanned
exactly by `single`. Jointly: the whole portfolio solved at every point, from
the highest floor down, each solve warm-started from the point before (whose
optimum meets the lower floor: a feasible incumbent), in JOINT_CHAINS interleaved
chains that run side by side on the machine's cores (the same chains on one). The
partner-best end is the joint optimum at the held partner-best's U, so it is a
joint optimum too; the US-best end is the base optimum (the best at its own floor).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Literal

from dealbench.analyze.parallel import Executor, default_jobs, start_workers
from dealbench.arguments import one_of, relative_gap
from dealbench.errors import ArgumentError
from dealbench.model.schema import Package, Portfolio
from dealbench.negotiate.bargaining import attach_bargaining
from dealbench.negotiate.exact import exact_frontier
from dealbench.negotiate.frontier import (
    AXES,
    SAME_ABS,
    Axis,
    Frontier,
    FrontierPiece,
    FrontierPoint,
    check_partner,
    clean,
    held,
    point_of,
    step_of,
)
from dealbench.negotiate.replan import residual, solve_with_floor
from dealbench.negotiate.single import Single, single
from dealbench.optimize.decomposition.warm import WarmStart, warm_from
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve
from dealbench.units import and_list, usd

#: `points` at most this many (beyond it, ask for `all` or fewer).
MAX_POINTS = 1000

#: The first incumbent round of a joint point searches about this many concession sets
#: per partner (a cold solve: `search.MIP_SETS_PER_PARTNER`, 4). Started from the point
#: before, fewer suffice: M seed 1, AM, 25 points, one HiGHS thread (so process time is
#: work): 16.7-16.9 s with 4, 14.3-14.9 s with 3, 15.4-15.7 s with 2 (the proof round
#: then runs more often); B&B nodes 37,311 -> 26,219. Every point is still proven.
JOINT_SETS_PER_PARTNER = 3

#: A lift the US loses nothing by replaces a point when the partner gains more than this
#: (USD): more than the solves' noise, less than the cleanup's SAME_ABS.
DOMINATED_BY = 1.0


def frontier(
    portfolio: Portfolio,
    partner: str,
    *,
    points: int | Literal["all"] = 25,
    axis: Axis = "partner",
    jointly: bool = False,
    gap: float = 1e-6,
    base: SolveResult | None = None,
    bargaining: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Frontier:
    """The Pareto frontier for `partner` (see `negotiate.frontier`'s docstring).

    `points`: 2 to 1,000 points, or "all" (every vertex; held only); `axis`: "partner"
    (V against the partner's utility U, USD) or "risk" (V against risk-weighted H100e);
    `jointly`: re-optimize every other deal at every point (run it under
    `if __name__ == "__main__":`, as it starts worker processes); `gap`: relative,
    0 <= gap < 1; `base`: the portfolio's solve to hold the others at (solved if None).
    `jobs`: processes for the joint points (None: one a core, at most one a chain; 1: all
    in this process, as a process that may not start others must: the points are the same
    at any number); `progress(done, total)`: the joint points' solves as they end.
    Raises `dealbench.errors.ArgumentError` (a ValueError) for an argument out of range.
    """
    start = time.perf_counter()
    check_partner(portfolio, partner)
    one_of(axis, AXES, "axis", "axis")
    gap = relative_gap(gap)
    whole = isinstance(points, int) and not isinstance(points, bool)
    if points != "all" and not (whole and 2 <= points <= MAX_POINTS):
        raise ArgumentError("points", f"points must be between 2 and {MAX_POINTS}, or 'all'")
    if points == "all" and jointly:
        raise ArgumentError(
            "points",
            "'all' is exact for one partner with the others held, not for the partners jointly",
        )
    if points == "all" and axis != "partner":  # found before any solve, not after the base
        raise ArgumentError(
            "points", "'all' is exact on the partner axis; on the risk axis give a number"
        )
    if base is None:
        if jointly and axis == "partner" and _joint_jobs(jobs) > 1:
            # The chains' workers start now, not after the base solve (forked before this
            # process runs HiGHS, or from a fork server whose imports run beside it).
            start_workers(_joint_jobs(jobs), [__name__])
        base = solve(portfolio, gap=gap).raise_for_status()
    fixed, rest = held(portfolio, partner, base)
    alone = single(rest, partner)
    us_best = point_of(portfolio, partner, [d.package() for d in base.deals], "US-best")
    side_by_side = jointly and axis == "partner"  # its no-deal point solved beside the chains
    no_deal = None if side_by_side else _no_deal(portfolio, partner, base, fixed, jointly, gap)
    partner_best = _partner_best(portfolio, partner, alone, fixed, us_best)
    joint_end = False  # jointly, the partner-best end re-optimized (one of the points found)
    notes: list[str] = []
    method = "epsilon-constraint"
    pieces: list[FrontierPiece] = []
    if points == "all":
        found, pieces = exact_frontier(portfolio, partner, alone, fixed, axis)
        method = "exact"
        if not found:  # no deal at all: the frontier is the no-deal point, as with N points
            found = [us_best]
    elif axis == "partner":
        lo, hi = us_best.partner_utility, partner_best.partner_utility
        if jointly and hi <= lo + SAME_ABS:
            # Held, the others' deals leave the partner nothing (a twin took the supply);
            # re-optimized, they may make room: the range runs to its best deal alone.
            room = _alone_best(portfolio, partner)
            if room is not None and room.partner_utility > lo + SAME_ABS:
                partner_best, hi = room, room.partner_utility
                notes.append(
                    f"Held, the other deals leave {partner} no better deal than this; jointly "
                    "the range runs to its best deal alone (the US no worse off than without "
                    "it), every other deal re-optimized at each point."
                )
        grid = [lo + (hi - lo) * i / (points - 1) for i in range(1, points - 1)] if hi > lo else []
        if jointly:
            end = partner_best if hi > lo else None
            found, joint_best, no_deal = _jointly(
                portfolio, partner, alone, fixed, base, grid, gap, end, jobs, progress
            )
            if joint_best is not None:  # the held partner-best's U, others re-optimized
                partner_best = joint_best.model_copy(update={"label": "partner-best"})
                found.append(partner_best)
                joint_end = True
        else:
            found = _held(portfolio, partner, alone, fixed, grid)
        found += [us_best] if joint_end else [us_best, partner_best]
    else:
        found = _risk_axis(portfolio, partner, rest, fixed, base, us_best, points, jointly, gap)
        if jointly:  # the marker where the chart's risk is: the others re-optimized
            partner_best = _joint_end(portfolio, partner, partner_best, base, gap)
    assert no_deal is not None
    if axis == "partner" and points != "all":
        # Ties in V: the ε-constraint's optimum at a floor may leave the partner less
        # than the same V allows (the US indifferent, the partner not). The held points
        # are the partner's best among equal V already (`Single.best_at`), the joint ones
        # are lifted where they are solved (`_run_chain`); the base optimum (the US-best
        # end) is lifted here.
        lifted = _lifted(portfolio, partner, us_best, alone)  # the base optimum: held others
        found = [lifted if p is us_best else p for p in found]
        us_best = lifted
    if jointly and axis == "partner" and not notes:  # (else: the range of a deal alone)
        notes.append(
            "Jointly: the partner's utility runs over the range of the held frontier; every "
            "other deal is re-optimized at each point, both ends included."
        )
    kept = clean(found, axis, jointly)
    if axis == "partner":
        # The US-best end is the best V and, among packages giving it, the partner's best:
        # jointly another deal's re-optimization can give the partner more at the same V.
        top = max(kept, key=lambda p: (p.us_utility, p.partner_utility), default=None)
        if (
            top is not None
            and top.us_utility >= us_best.us_utility - SAME_ABS
            and top.partner_utility > us_best.partner_utility + SAME_ABS
        ):
            us_best = top.model_copy(update={"label": "US-best"})
    curve = Frontier(
        portfolio=portfolio.id,
        partner=partner,
        axis=axis,
        jointly=jointly,
        points=kept,
        pieces=pieces,
        us_best=us_best,
        partner_best=partner_best,
        no_deal=no_deal,
        gap=gap,
        method=method,
        notes=notes,
        step_h100e=step_of(portfolio, []),
        granularity=portfolio.granularity,
    )
    if jointly and axis == "partner" and partner_best.us_utility < no_deal.us_utility - SAME_ABS:
        walk = [p.partner_utility for p in kept if p.us_utility >= no_deal.us_utility - SAME_ABS]
        notes.append(
            "Above a partner utility of "  # in its own unit: "USD 0.06bn" for BD's $60.0m
            f"{usd(max(walk, default=no_deal.partner_utility))} (the highest point "
            "at which the US is no worse off), the US does better with no deal and the "
            "others re-optimized."
        )
        curve = curve.model_copy(update={"notes": notes})
    if bargaining:
        curve = attach_bargaining(curve, portfolio, alone, fixed)
        said = _displaced(portfolio, partner, base, fixed, jointly, curve.zopa)
        if said is not None:
            curve = curve.model_copy(update={"notes": [*curve.notes, said]})
    return curve.model_copy(update={"seconds": time.perf_counter() - start})


def _displaced(
    portfolio: Portfolio,
    partner: str,
    base: SolveResult,
    fixed: list[Package],
    jointly: bool,
    zopa: dict[str, object],
) -> str | None:
    """Why no zone of agreement is no contradiction of `solve`, where the portfolio leaves
    the partner without a deal that would be worth having alone (am-eu's FR: "ZOPA: none"
    here, "alone, a deal with FR would add $1.13bn" there): the shared limits go to the
    other deals. None when there is a zone, or no other deal, or no deal worth having alone."""
    from dealbench.optimize.explain.no_deal import best_alone
    from dealbench.optimize.result import Status

    others = [p.partner for p in fixed if p.partner != partner]
    if zopa.get("exists") or partner not in base.no_deal or not others:
        return None
    forced = best_alone(portfolio, partner)
    deal = forced.deal(partner) if forced.status == Status.OPTIMAL else None
    if deal is None or deal.us_margin <= 0.5:
        return None
    worth = (
        f"with no other deal, a deal with {partner} would add {usd(deal.us_margin)} to US utility"
    )
    why = f"'Why no deal with {partner}'"
    if jointly:
        return (
            f"No zone of agreement with the other deals ({and_list(others)}) re-planned at "
            f"each point: {worth}, but the room it needs of the shared limits is worth more "
            f"to them, as `solve` says ({why})."
        )
    return (
        f"No zone of agreement with the other deals held ({and_list(others)}): what they "
        f"take of the shared limits leaves {partner} no package better for both sides than "
        f"no deal. Alone, {worth.removeprefix('with no other deal, ')}, but the portfolio "
        f"gives the room it needs to deals worth more, as `solve` says ({why}); --jointly "
        "re-plans the other deals at each point."
    )


def _lifted(
    portfolio: Portfolio, partner: str, point: FrontierPoint, alone: Single | None
) -> FrontierPoint:
    """`point` with the partner's deal as good for the partner as the same US value of the
    deal allows, the other deals as they are (`alone`: the partner's curves among them, when
    known): the US-best end, and jointly each ε-constraint optimum, can be a package the US
    values like another the partner prefers (V flat in compute, two concessions of equal US
    value); such a point is dominated by that other one, which is what is kept."""
    if point.package is None or point.figures is None:
        return point
    if alone is None:
        dealing = {o.partner for o in point.others}
        idle = [p.code for p in portfolio.partners if p.code != partner and p.code not in dealing]
        alone = single(residual(portfolio, point.others, excluded=idle), partner)
    better = alone.partner_best(point.figures.us_value)
    if better is None:
        return point
    try:
        lifted = point_of(portfolio, partner, [*point.others, better], point.label)
    except ValueError:  # a limit broken by a rounding of the exact curve: keep the point
        return point
    gain = lifted.partner_utility - point.partner_utility
    if gain > SAME_ABS and lifted.us_utility >= point.us_utility - SAME_ABS:
        return lifted
    # A package the US values no less and the partner more: the point is dominated, by
    # however little (solve's schedule may give up a twentieth of the gap of V for a
    # smoother one, leaving compute the partner values more than the US under a limit).
    if gain > DOMINATED_BY and lifted.us_utility >= point.us_utility:
        return lifted
    return point


def _alone_best(portfolio: Portfolio, partner: str) -> FrontierPoint | None:
    """The partner's best deal with no other deal (the US no worse off than without it):
    a feasible point of the whole portfolio, the top of what re-optimizing can give it."""
    others = [p.code for p in portfolio.partners if p.code != partner]
    one = single(residual(portfolio, excluded=others), partner)
    best = one.partner_best(one.us_batna)
    if best is None:
        return None
    try:
        return point_of(portfolio, partner, [best], "partner-best")
    except ValueError:  # a limit broken by a rounding of the exact curve
        return None


def _no_deal(
    portfolio: Portfolio,
    partner: str,
    base: SolveResult,
    fixed: list[Package],
    jointly: bool,
    gap: float,
) -> FrontierPoint:
    """No deal with `partner`: the others held (or, jointly, re-optimized without it)."""
    if not jointly:
        return point_of(portfolio, partner, fixed, "no deal")
    return _joint_no_deal(portfolio, partner, gap, base)


def _joint_no_deal(
    portfolio: Portfolio,
    partner: str,
    gap: float,
    warm: SolveResult | WarmStart | None,
    threads: int | None = None,
) -> FrontierPoint:
    """No deal with `partner`, every other deal re-optimized."""
    without = residual(portfolio, excluded=[partner])
    if not without.partners:
        return point_of(portfolio, partner, [], "no deal")
    result = solve(without, gap=gap, warm_start=warm, threads=threads).raise_for_status()
    return point_of(portfolio, partner, [d.package() for d in result.deals], "no deal")


def _partner_best(
    portfolio: Portfolio,
    partner: str,
    alone: Single,
    fixed: list[Package],
    us_best: FrontierPoint,
) -> FrontierPoint:
    """max U subject to V no worse than the US walk-away, then the best V at that U."""
    best = alone.partner_best(alone.us_batna)
    if best is None:
        return us_best.model_copy(update={"label": "partner-best"})
    top = point_of(portfolio, partner, [*fixed, best])
    if top.partner_utility <= us_best.partner_utility:
        return us_best.model_copy(update={"label": "partner-best"})
    package, _ = alone.best_at(top.partner_utility - 1.0)
    if package is not None:
        top = point_of(portfolio, partner, [*fixed, package])
    return top.model_copy(update={"label": "partner-best"})


def _held(
    portfolio: Portfolio,
    partner: str,
    alone: Single,
    fixed: list[Package],
    grid: list[float],
) -> list[FrontierPoint]:
    found = []
    for u in grid:
        package, _ = alone.best_at(u)
        if package is not None:
            found.append(point_of(portfolio, partner, [*fixed, package]))
    return found


def _jointly(
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


#: The joint frontier's floors are solved as this many chains, side by side (`_jointly`).
JOINT_CHAINS = 4


def _joint_executor(jobs: int | None = None) -> Executor:
    """Worker processes for the chains and the no-deal point, one a core (at most one a
    task), or this process on a single core (or `jobs` 1)."""
    n = _joint_jobs(jobs)
    return Executor("processes", n) if n > 1 else Executor()


def _joint_jobs(jobs: int | None = None) -> int:
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


@dataclasses.dataclass(frozen=True)
class _Without:
    """The portfolio re-optimized without the partner: the joint no-deal point."""

    portfolio: Portfolio
    partner: str
    gap: float
    warm: WarmStart | None


def _run(task: _Chain | _Without) -> list[FrontierPoint]:
    """One task of `_jointly`, in a worker process (or here)."""
    if isinstance(task, _Chain):
        return _run_chain(task)
    # As a floor is solved: one solver thread (a chain runs on the other core), the first
    # round narrowed (its start, the base optimum less the partner's deal, is close). M seed
    # 2: 0.44 s against 0.50 s with HiGHS's threads and 4 sets a partner; the same point.
    return [_joint_no_deal(task.portfolio, task.partner, task.gap, _narrowed(task.warm), 1)]


#: The no-deal point's solve against one floor's: it starts from the base optimum, not
#: from a neighbouring floor (M seed 2: 0.31 s against 0.21-0.25 s a floor).
NO_DEAL_COST = 1.5


def _cost(task: _Chain | _Without) -> float:
    """Longest first: a chain costs a solve a floor; the no-deal point, NO_DEAL_COST (so it
    goes before the partner-best end's one floor, and the last task is the shortest)."""
    return float(len(task.floors)) if isinstance(task, _Chain) else NO_DEAL_COST


def _run_chain(chain: _Chain) -> list[FrontierPoint]:
    found: list[FrontierPoint] = []
    warm = chain.warm
    for u in chain.floors:
        result = _floored(chain.portfolio, chain.partner, u, chain.gap, warm)
        if result is None:
            continue
        warm = warm_from(result)
        point = point_of(chain.portfolio, chain.partner, [d.package() for d in result.deals])
        found.append(_lifted(chain.portfolio, chain.partner, point, None))
        if point.us_utility >= chain.stop - SAME_ABS:
            break  # V is the unconstrained optimum's: every lower floor is that point too
    return found


def _floored(
    portfolio: Portfolio, partner: str, u: float, gap: float, warm: WarmStart | None
) -> SolveResult | None:
    """A joint point: the whole portfolio at floor `u`, warm-started (its first incumbent
    round narrowed to JOINT_SETS_PER_PARTNER sets, as the start is the point before), on
    one solver thread: the chains run side by side, one to a core."""
    return solve_with_floor(portfolio, partner, u, gap=gap, warm_start=_narrowed(warm), threads=1)


def _narrowed(warm: WarmStart | None) -> WarmStart | None:
    """`warm` with its first incumbent round narrowed to JOINT_SETS_PER_PARTNER sets."""
    return (
        None if warm is None else dataclasses.replace(warm, sets_per_partner=JOINT_SETS_PER_PARTNER)
    )


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
    return _Chain(portfolio, partner, [held_best.partner_utility - 1.0], gap, start)


def _joint_end(
    portfolio: Portfolio, partner: str, held_best: FrontierPoint, base: SolveResult, gap: float
) -> FrontierPoint:
    """`_end_chain` solved here; the held end when no joint point reaches its U."""
    chain = _end_chain(portfolio, partner, held_best, base, gap)
    found = [] if chain is None else _run_chain(chain)
    return found[0].model_copy(update={"label": "partner-best"}) if found else held_best


def _risk_axis(
    portfolio: Portfolio,
    partner: str,
    rest: Portfolio,
    fixed: list[Package],
    base: SolveResult,
    us_best: FrontierPoint,
    n: int,
    jointly: bool,
    gap: float,
) -> list[FrontierPoint]:
    """max V subject to the risk (the partner's, or jointly the portfolio's) <= r."""
    top = us_best.portfolio_risk if jointly else us_best.risk
    found = [us_best]
    for i in range(1, n):
        r = top * (1 - i / (n - 1))
        target = portfolio if jointly else rest
        budget = r if target.risk_budget is None else min(r, target.risk_budget)
        capped = target.model_copy(update={"risk_budget": budget, "own_risk_budget": budget})
        if jointly:
            result = solve(capped, gap=gap, warm_start=base).raise_for_status()
            found.append(point_of(portfolio, partner, [d.package() for d in result.deals]))
            continue
        package, _ = single(capped, partner).best_at(None)
        found.append(point_of(portfolio, partner, [*fixed, *([package] if package else [])]))
    return found
