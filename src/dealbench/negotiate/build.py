"""Building a frontier: its ends, the ε-constraint points between them, the cleanup."""

from __future__ import annotations

import time
from typing import Literal

from dealbench.model.schema import Package, Portfolio
from dealbench.negotiate.frontier import (
    Axis,
    Frontier,
    FrontierPoint,
    clean,
    point_of,
)
from dealbench.negotiate.replan import residual, solve_with_floor
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve

#: `points` at most this many (beyond it, ask for `all` or fewer).
MAX_POINTS = 1000


def build_frontier(
    portfolio: Portfolio,
    partner: str,
    *,
    points: int | Literal["all"],
    axis: Axis,
    jointly: bool,
    gap: float,
    base: SolveResult | None,
    bargaining: bool,
) -> Frontier:
    start = time.perf_counter()
    p = portfolio.partner(partner)
    if p is None:
        codes = ", ".join(q.code for q in portfolio.partners)
        raise ValueError(f"partner {partner!r} is not in portfolio {portfolio.id} ({codes})")
    if points != "all" and not 2 <= points <= MAX_POINTS:
        raise ValueError(f"points must be between 2 and {MAX_POINTS}, or 'all'")
    if base is None:
        base = solve(portfolio, gap=gap).raise_for_status()
    fixed = [d.package() for d in base.deals if d.partner != partner]
    rest = residual(portfolio, fixed)
    us_best = point_of(portfolio, partner, [d.package() for d in base.deals], "US-best")
    no_deal = _no_deal(portfolio, partner, base, fixed, jointly, gap)
    partner_best = _partner_best(portfolio, partner, rest, fixed, us_best, gap)
    notes: list[str] = []

    if points == "all":
        from dealbench.negotiate.exact import exact_points

        if jointly:
            raise ValueError(
                "--points all is exact for one partner: it cannot be combined with --jointly"
            )
        found, method = exact_points(portfolio, partner, rest, fixed, axis), "exact"
        notes.append(
            "Every non-dominated package: each security level and Pareto-optimal concession "
            "set, with compute by a parametric LP (see docs/frontier.md)."
        )
    else:
        method = "epsilon-constraint"
        if axis == "partner":
            found = _partner_axis(
                portfolio, partner, rest, fixed, base, us_best, partner_best, points, jointly, gap
            )
        else:
            found = _risk_axis(portfolio, partner, rest, fixed, base, us_best, points, jointly, gap)
    kept = clean(found, axis, jointly)
    frontier = Frontier(
        portfolio=portfolio.id,
        partner=partner,
        axis=axis,
        jointly=jointly,
        points=kept,
        us_best=us_best,
        partner_best=partner_best,
        no_deal=no_deal,
        gap=gap,
        method=method,
        notes=notes,
    )
    if bargaining:
        from dealbench.negotiate.bargaining import attach_bargaining

        frontier = attach_bargaining(frontier, portfolio, rest, fixed, gap)
    return frontier.model_copy(update={"seconds": time.perf_counter() - start})


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
    without = residual(portfolio, excluded=[partner])
    if not without.partners:
        return point_of(portfolio, partner, [], "no deal")
    result = solve(without, gap=gap, warm_start=base).raise_for_status()
    return point_of(portfolio, partner, [d.package() for d in result.deals], "no deal")


def _partner_best(
    portfolio: Portfolio,
    partner: str,
    rest: Portfolio,
    fixed: list[Package],
    us_best: FrontierPoint,
    gap: float,
) -> FrontierPoint:
    """max U subject to V no worse than the US walk-away, then the best V at that U."""
    p = rest.partner(partner)
    assert p is not None
    best = solve(rest, "partner-best", v_floor=p.us_batna, gap=gap).raise_for_status()
    deal = best.deal(partner)
    if deal is None or deal.partner_utility <= us_best.partner_utility:
        return us_best.model_copy(update={"label": "partner-best"})
    u = deal.partner_utility
    top = solve_with_floor(rest, partner, u - max(1e4, 1e-7 * abs(u)), gap=gap)
    packages = [d.package() for d in (top or best).deals]
    return point_of(portfolio, partner, [*fixed, *packages], "partner-best")


def _partner_axis(
    portfolio: Portfolio,
    partner: str,
    rest: Portfolio,
    fixed: list[Package],
    base: SolveResult,
    us_best: FrontierPoint,
    partner_best: FrontierPoint,
    n: int,
    jointly: bool,
    gap: float,
) -> list[FrontierPoint]:
    lo, hi = us_best.partner_utility, partner_best.partner_utility
    found = [us_best, partner_best]
    if hi <= lo:
        return found
    previous: SolveResult | None = base if jointly else None
    for i in range(1, n - 1):
        u = lo + (hi - lo) * i / (n - 1)
        if jointly:
            result = solve_with_floor(portfolio, partner, u, gap=gap, warm_start=previous)
            if result is None:
                continue
            previous = result
            found.append(point_of(portfolio, partner, [d.package() for d in result.deals]))
        else:
            result = solve_with_floor(rest, partner, u, gap=gap, warm_start=previous)
            if result is None:
                continue
            previous = result
            packages = [*fixed, *(d.package() for d in result.deals)]
            found.append(point_of(portfolio, partner, packages))
    return found


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
    previous: SolveResult | None = base if jointly else None
    for i in range(1, n):
        r = top * (1 - i / (n - 1))
        target = portfolio if jointly else rest
        budget = r if target.risk_budget is None else min(r, target.risk_budget)
        capped = target.model_copy(update={"risk_budget": budget, "own_risk_budget": budget})
        result = solve(capped, gap=gap, warm_start=previous).raise_for_status()
        previous = result
        packages = [d.package() for d in result.deals]
        found.append(point_of(portfolio, partner, packages if jointly else [*fixed, *packages]))
    return found
