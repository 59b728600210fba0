"""The default path: the portfolio decomposed into per-deal blocks (see `decompose`)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dealbench.model.concession import GRANTED
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.backends import version
from dealbench.optimize.decomposition.blocks import Blocks, build_blocks
from dealbench.optimize.decomposition.concession_sets import Grants, MenuTooLarge, set_grants
from dealbench.optimize.decomposition.search import Outcome, solve_blocks
from dealbench.optimize.decomposition.warm import WarmStart, incumbent, remember, seeds, warm_from
from dealbench.optimize.finish import empty_result, finish
from dealbench.optimize.formulation import COMPUTE, MONEY, Mode
from dealbench.optimize.plain import solve_plain
from dealbench.optimize.result import SolveResult, SolverInfo, Status
from dealbench.optimize.schedule.smooth import ScheduleStart


def solve_decomposed(
    portfolio: Portfolio,
    mode: Mode,
    *,
    time_limit: float | None,
    gap: float,
    v_floor: float | None,
    threads: int | None,
    warm_start: SolveResult | WarmStart | None,
    require: Sequence[str] = (),
    on_grid: bool = True,
) -> SolveResult:
    """Decompose, solve to the gap (or the time limit), extract, check. `require`: the
    partners that must deal (the plain model explains it when they cannot); `on_grid`:
    see `finish`."""

    start = time.perf_counter()
    deadline = start + time_limit if time_limit is not None else np.inf
    warm = warm_from(warm_start)

    def plain() -> SolveResult:
        return solve_plain(
            portfolio,
            mode,
            time_limit=time_limit,
            gap=gap,
            v_floor=v_floor,
            threads=threads,
            require=require,
            on_grid=on_grid,
        )

    try:
        blocks = build_blocks(portfolio, mode, v_floor, warm.cache if warm else None, require)
    except MenuTooLarge:
        return plain()
    if blocks.forced is not None and not _can_deal(blocks, blocks.forced):
        return plain()  # a required partner has no acceptable package: plain says why
    outcome, grants, timings = _search(blocks, warm, gap=gap, deadline=deadline, threads=threads)
    if outcome.status == "infeasible-lp":
        # The US floor cannot be met: the plain model explains infeasibility.
        return plain()
    info = _info(blocks, outcome, timings)
    if outcome.value is None:
        if time.perf_counter() < deadline:
            # The search ended, not the clock: the relaxation meets every row (a V floor
            # a convex mix of packages reaches) but no whole package set does. The plain
            # model proves it infeasible, which is then explained, not called a time limit.
            return plain()
        return empty_result(portfolio, mode, Status.NO_SOLUTION, info)
    return _result(
        portfolio,
        mode,
        blocks,
        outcome,
        grants,
        info,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        on_grid=on_grid,
        warm=warm,
    )


def _search(
    blocks: Blocks, warm: WarmStart | None, *, gap: float, deadline: float, threads: int | None
) -> tuple[Outcome, list[Grants], dict[str, float]]:
    """The search over the blocks, seeded from `warm`: its outcome, each choice's
    concession levels and the timings (none when the relaxation is infeasible)."""
    duals, columns = seeds(blocks, warm) if warm else (None, [])
    first = incumbent(blocks, warm.packages) if warm else None
    clock = time.perf_counter()
    outcome = solve_blocks(
        blocks,
        gap=gap,
        deadline=deadline,
        threads=threads,
        duals=duals,
        seeds=columns,
        incumbent=first,
        sets_per_partner=warm.sets_per_partner if warm else None,
    )
    if outcome.status == "infeasible-lp":
        return outcome, [], {}
    # Naming the concessions of a Pareto point replays that list's merge:
    # work of the search, not the reading of an answer.
    grants = [set_grants(blocks.concession_sets[c.block], c.point) for c in outcome.choices]
    timings = dict(blocks.timings)  # build, concession_sets
    timings["search"] = time.perf_counter() - clock
    timings["solve"] = timings["concession_sets"] + timings["search"]
    return outcome, grants, timings


def _result(
    portfolio: Portfolio,
    mode: Mode,
    blocks: Blocks,
    outcome: Outcome,
    grants: list[Grants],
    info: SolverInfo,
    *,
    gap: float,
    v_floor: float | None,
    threads: int | None,
    on_grid: bool,
    warm: WarmStart | None = None,
) -> SolveResult:
    """The packages found, extracted and finished, and what the next, similar solve can
    start from remembered with it (with where its schedule ended, when `warm` asks)."""
    keeps = warm is not None and warm.keep_schedule
    prior = warm.schedule if warm is not None and keeps else None
    keep = ScheduleStart() if keeps else None
    status = Status.OPTIMAL if outcome.status == "optimal" else Status.TIME_LIMIT
    clock = time.perf_counter()
    packages = extract(blocks, outcome, grants)
    info.timings["extract"] = time.perf_counter() - clock
    result = finish(
        portfolio,
        mode,
        status,
        info,
        packages,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        on_grid=on_grid,
        prior=prior,
        keep=keep,
    )
    remember(result, _warm_state(blocks, outcome, result, keep))
    return result


def _can_deal(blocks: Blocks, forced: NDArray[np.bool_]) -> bool:
    """Whether every forced partner has a block with an affordable concession set."""
    has = np.zeros(blocks.n_partners, dtype=bool)
    has[blocks.partner[blocks.usable > 0]] = True
    return bool(has[forced].all())


def _warm_state(
    blocks: Blocks, outcome: Outcome, result: SolveResult, schedule: ScheduleStart | None
) -> WarmStart:
    """What the next, similar solve can start from."""
    return WarmStart(
        mode=blocks.mode,
        periods=list(blocks.portfolio.periods),
        duals=outcome.duals,
        cache=blocks.cache,
        columns=[
            (blocks.partners[blocks.partner[b]].code, blocks.level[b], blocks.concession_sets[b], f)
            for b, f in outcome.columns
        ],
        packages=[deal.package() for deal in result.deals],
        schedule=schedule,
    )


def _info(blocks: Blocks, outcome: Outcome, timings: dict[str, float]) -> SolverInfo:
    offset = sum((p.us_batna if blocks.mode == "us-best" else p.batna) for p in blocks.partners)
    bound = None if outcome.bound is None else outcome.bound * MONEY + offset
    return SolverInfo(
        name="highs",
        version=version("highspy"),
        seconds=timings["solve"],
        gap=outcome.gap,
        bound=bound,
        timings=timings,
        method="decompose",
        details=dict(outcome.stats),
    )


def extract(blocks: Blocks, outcome: Outcome, grants: list[Grants]) -> list[Package]:
    """One package per concluded deal (`grants`: each choice's concession levels),
    partners in portfolio order."""
    pf = blocks.portfolio
    packages = []
    chosen = sorted(
        zip(outcome.choices, grants, strict=True), key=lambda c: int(blocks.partner[c[0].block])
    )
    for choice, granted in chosen:
        b = choice.block
        partner = blocks.partners[blocks.partner[b]]
        level = blocks.level[b]
        # y <= ub, whose segments add up to min(ask, cap): clip rounding noise only.
        x = np.clip(choice.y.sum(axis=1), 0.0, blocks.ub[b].sum(axis=1)) * COMPUTE
        compute = {t: round(float(x[i]), 6) for i, t in enumerate(pf.periods)}
        concessions: dict[str, str | bool] = {
            cid: True if lid == GRANTED else lid for cid, lid in granted
        }
        packages.append(
            Package(partner=partner.code, security=level, compute=compute, concessions=concessions)
        )
    return packages
