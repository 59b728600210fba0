"""A frontier's ends and the lift of its points: no deal with the partner (the others
held, or re-optimized without it), the partner-best end, the partner's best deal alone,
and a point made as good for the partner as the same US value allows (`lifted_point`).
"""

from __future__ import annotations

from collections.abc import Sequence

from dealbench.checker import DealFigures
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import (
    SAME_ABS,
    FrontierPoint,
    point_of,
)
from dealbench.negotiate.replan import residual
from dealbench.negotiate.single import Single, single
from dealbench.optimize.decomposition.warm import WarmStart
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve

#: A lift the US loses nothing by replaces a point when the partner gains more than this
#: (USD): more than the solves' noise, less than the cleanup's SAME_ABS.
DOMINATED_BY = 1.0


def lifted_point(
    portfolio: Portfolio,
    partner: str,
    point: FrontierPoint,
    alone: Single | None,
    checked: Sequence[DealFigures] = (),
) -> FrontierPoint:
    """`point` with the partner's deal as good for the partner as the same US value of the
    deal allows, the other deals as they are (`alone`: the partner's curves among them, when
    known): the US-best end, and jointly each ε-constraint optimum, can be a package the US
    values like another the partner prefers (V flat in compute, two concessions of equal US
    value); such a point is dominated by that other one, which is what is kept. `checked`:
    the other deals' figures against `portfolio`, when known (not evaluated again)."""
    if point.package is None or point.figures is None:
        return point
    if alone is None:
        dealing = {o.partner for o in point.others}
        idle = [p.code for p in portfolio.partners if p.code != partner and p.code not in dealing]
        alone = single(residual(portfolio, point.others, excluded=idle, checked=checked), partner)
    better = alone.partner_best(point.figures.us_value)
    if better is None:
        return point
    try:
        lifted = point_of(portfolio, partner, [*point.others, better], point.label, checked)
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


def alone_best(portfolio: Portfolio, partner: str) -> FrontierPoint | None:
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


def no_deal_point(
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
    return joint_no_deal(portfolio, partner, gap, base)


def joint_no_deal(
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


def partner_best_point(
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
