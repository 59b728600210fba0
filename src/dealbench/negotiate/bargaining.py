"""Bargaining points on a frontier: Nash, Kalai–Smorodinsky, and the zone of agreement.

Gains are measured from the no-deal point: the US gain is V - V(no deal with
the partner) and the partner's gain is U - BATNA. The Nash point maximises
the product of the two gains, the Kalai–Smorodinsky point the least share of
each side's ideal gain (its gain at its own best end of the frontier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dealbench.model.arguments import a_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import Frontier, FrontierPoint, clean, point_of
from dealbench.negotiate.frontier_ends import lifted_point
from dealbench.negotiate.single import Single
from dealbench.optimize.bargain.solve import GAIN_TOL
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve

if TYPE_CHECKING:
    from dealbench.negotiate.exact import Segment

__all__ = ["attach_bargaining", "gains", "zopa_of", "zopas"]

#: Gains no larger than this (USD) are no gain (`optimize.bargain.solve.GAIN_TOL`, the bargaining
#: modes' threshold too).
TOL = GAIN_TOL
#: How far below its no-deal value (USD) the US may be at a point still counted as no
#: worse off, for the partner's ideal gain: the solves' rounding, not a gain.
NO_WORSE = 1e4


def gains(frontier: Frontier, point: FrontierPoint) -> tuple[float, float]:
    """(US gain, partner gain) of `point` over the no-deal point."""
    nd = frontier.no_deal
    return point.us_utility - nd.us_utility, point.partner_utility - nd.partner_utility


#: Why a risk frontier with the others re-optimized has no Nash or Kalai point.
NOT_ON_RISK_AXIS = "not on this axis (see the note)"
RISK_AXIS_NOTE = (
    "No Nash or Kalai-Smorodinsky point on the risk axis with the others re-optimized: its "
    "points are the best V at each risk, not the frontier of V against the partner's "
    "utility, which the partner axis with the others re-optimized gives with both."
)


def attach_bargaining(
    frontier: Frontier, portfolio: Portfolio, alone: Single, fixed: list[Package]
) -> Frontier:
    """The frontier with its Nash and Kalai points and its zone of agreement."""
    candidates = [*frontier.points]
    info: dict[str, Any] = {}
    if frontier.jointly and frontier.axis == "risk":
        # The points are the best V at each risk, not the V-U frontier: the best Nash
        # product among them is no Nash point (the partner axis finds it).
        method = NOT_ON_RISK_AXIS
        return frontier.model_copy(
            update={
                "nash": None,
                "kalai": None,
                "bargaining": {"nash": {"method": method}, "kalai": {"method": method}},
                "zopa": zopa_of(frontier, None),
                "notes": [*frontier.notes, RISK_AXIS_NOTE],
            }
        )
    ideal_us, ideal_partner = _ideals(frontier)
    scores: dict[str, Any] = {"nash": lambda g: g[0] * g[1]}
    if ideal_us > TOL and ideal_partner > TOL:
        scores["kalai"] = lambda g: min(g[0] / ideal_us, g[1] / ideal_partner)
    nash = _best(frontier, candidates, scores["nash"])
    kalai = _best(frontier, candidates, scores["kalai"]) if "kalai" in scores else None
    info["nash"] = {"method": "best of the frontier's points", "error_bound": None}
    # Among the points, tau is the best point's least share of the ideal gains: a Kalai
    # point is never reported without its tau (jointly it was null, qa46-bargain).
    info["kalai"] = {
        "method": "best of the frontier's points",
        "tau": None if kalai is None else float(scores["kalai"](gains(frontier, kalai))),
    }
    zone = zopa_of(frontier, None if frontier.jointly else alone)
    if not frontier.jointly and zone["exists"]:
        # Others held: the best over every deal of the partner alone in the residual
        # portfolio, exact on its curves (`exact`), as the zone is. Whenever a deal beats
        # both walk-away values (the exact zone), not only when one of the points does: the
        # points of `--points 5` can all lie where one side gains nothing (qa36-reference:
        # PB's gains were on a stretch of USD 7.6m of its utility between the grid's first
        # two points, and `--points 5` showed no Nash or Kalai point where `all` did).
        exact = _kalai_on_curves(frontier, portfolio, alone, fixed, scores.get("kalai"))
        if exact is not None:
            kalai, info["kalai"] = exact
        exact = _nash_on_curves(frontier, portfolio, alone, fixed)
        if exact is not None:
            nash, info["nash"] = exact
    # Nash and Kalai are Pareto optimal in V and U: they belong on the partner axis's
    # frontier too. On the risk axis they are no best V at their risk (a package of the
    # same risk can give the US more and the partner less): they stay markers only.
    extra = [
        (name, p)
        for name, p in (("Nash", nash), ("Kalai", kalai))
        if p is not None and p not in frontier.points and frontier.axis == "partner"
    ]
    points = clean([*frontier.points, *(p for _, p in extra)], frontier.axis, frontier.jointly)
    return frontier.model_copy(
        update={
            "points": points,
            "added": [name for name, p in extra if any(q is p for q in points)],
            "nash": nash,
            "kalai": kalai,
            "bargaining": info,
            "zopa": zone,
        }
    )


def _kalai_on_curves(
    frontier: Frontier,
    portfolio: Portfolio,
    alone: Single,
    fixed: list[Package],
    score: Any,
) -> tuple[FrontierPoint, dict[str, Any]] | None:
    """The held Kalai point, exact: the most tau over every deal of the partner on its
    curves (`exact.best_tau`), the frontier's ends its ideals, and its tau. Until
    qa47-bargain it was a `solve --mode kalai` of the partner alone, in the declared step,
    then lifted to the curves or replaced by a frontier point scoring more: qa45's plain seed
    19 (steps of 5,000 H100e) showed tau 0.4170 where a package on the curves it is drawn
    on has 0.4178, and nothing said so."""
    from dealbench.negotiate.exact import best_tau

    if score is None:  # an ideal gain of 0: no Kalai point
        return None
    _, segment, x = best_tau(alone, alone.us_batna, _ideals(frontier))
    if segment is None:
        return None
    point = _held_point(frontier, portfolio, alone, fixed, (segment, x), "kalai")
    method = "exact over every deal of the partner, others held"
    return point, {"method": method, "tau": float(score(gains(frontier, point)))}


def _nash_on_curves(
    frontier: Frontier, portfolio: Portfolio, alone: Single, fixed: list[Package]
) -> tuple[FrontierPoint, dict[str, Any]] | None:
    """The held Nash point, exact: the largest product of gains over every deal of the
    partner on its curves (`exact.best_product`), as the Kalai point is found; its bound is
    0. Until qa48-frontier it was a `solve --mode nash` of the partner alone in the declared
    step (tangent cuts on log, compute rounded to the step, in continuous amounts where the
    step left no deal), lifted to the curves or replaced by a frontier point scoring more,
    with the solve's bound less what that gained."""
    from dealbench.negotiate.exact import best_product

    _, segment, x = best_product(alone, alone.us_batna)
    if segment is None:
        return None
    point = _held_point(frontier, portfolio, alone, fixed, (segment, x), "nash")
    return point, {
        "method": "exact over every deal of the partner, others held",
        "error_bound": 0.0,
        "log_error_bound": 0.0,
        "log_error_cuts": None,
        "log_error_steps": 0.0,
    }


def _held_point(
    frontier: Frontier,
    portfolio: Portfolio,
    alone: Single,
    fixed: list[Package],
    at: tuple[Segment, float],
    label: str,
) -> FrontierPoint:
    """The held bargaining point at compute `x` on `segment` of the partner's curves (what
    `exact.best_tau` or `best_product` found), the other deals `fixed`: checked as a point
    of the frontier, then lifted to the curves."""
    segment, x = at
    package = alone.package(segment.k, segment.f, x)
    point = point_of(portfolio, frontier.partner, [*fixed, package], label)
    return lifted_point(portfolio, frontier.partner, point, alone).model_copy(
        update={"label": label}
    )


def _ideals(frontier: Frontier) -> tuple[float, float]:
    """Each side's ideal gain: the US gain at the US-best end; the partner's largest gain
    with the US no worse off than with no deal. Held, that is the partner-best end (its
    range stops there); jointly, the end can lie below the no-deal point (the others
    re-optimized without the partner do better), so it is the best such point solved."""
    us = gains(frontier, frontier.us_best)[0]
    rational = [
        g[1]
        for g in (gains(frontier, p) for p in [frontier.partner_best, *frontier.points])
        if g[0] >= -NO_WORSE
    ]
    return us, max(rational, default=0.0)


def _best(frontier: Frontier, points: list[FrontierPoint], score: Any) -> FrontierPoint | None:
    best, best_score = None, 0.0
    for p in points:
        g = gains(frontier, p)
        if g[0] <= TOL or g[1] <= TOL:
            continue
        s = score(g)
        if best is None or s > best_score:
            best, best_score = p, s
    return best


def zopa_of(frontier: Frontier, alone: Single | None = None) -> dict[str, Any]:
    """Whether a package beats both walk-away values, and the largest joint gain.

    With the others held (`alone` given) the gain is exact, over every deal of
    the partner; jointly it is the best of the frontier's points."""
    best_gain, best_point = 0.0, None
    for p in [*frontier.points, frontier.us_best, frontier.partner_best]:
        us, partner = gains(frontier, p)
        if us > TOL and partner > TOL and us + partner > best_gain:
            best_gain, best_point = us + partner, p
    method = "best of the frontier's points"
    if alone is not None:
        from dealbench.negotiate.exact import largest_joint_gain

        gain, segment, x = largest_joint_gain(alone, alone.us_batna)
        method = "exact, over every deal of the partner (others held)"
        best_gain, best_point = gain, None
        if segment is not None:
            package = alone.package(segment.k, segment.f, x)
            others = frontier.no_deal.others
            best_point = point_of(alone.portfolio, frontier.partner, [package]).model_copy(
                update={"others": others}
            )
    return {
        "partner": frontier.partner,
        "exists": bool(best_gain > TOL),
        "largest_joint_gain": float(best_gain),
        "method": method,
        "package": None
        if best_point is None or best_point.package is None
        else best_point.package.model_dump(mode="json", exclude_none=True),
        "us_walk_away": frontier.no_deal.us_utility,
        "partner_walk_away": frontier.no_deal.partner_utility,
    }


def zopas(portfolio: Portfolio, base: SolveResult | None = None) -> list[dict[str, Any]]:
    """The zone of agreement of every partner, the other deals held at `base` (solved if
    None): does a deal beat both walk-away values, and the largest joint gain (exact)."""
    from dealbench.negotiate.exact import largest_joint_gain
    from dealbench.negotiate.frontier import held
    from dealbench.negotiate.single import single

    a_portfolio(portfolio)  # a path was an AttributeError once it was solved
    if base is None:
        base = solve(portfolio).raise_for_status()
    out = []
    for p in portfolio.partners:
        _, rest = held(portfolio, p.code, base)
        gain, _, _ = largest_joint_gain(single(rest, p.code), p.us_batna)
        out.append(
            {
                "partner": p.code,
                "exists": bool(gain > TOL),
                "largest_joint_gain": float(gain),
                "us_walk_away": p.us_batna,
                "partner_walk_away": p.batna,
            }
        )
    return out
