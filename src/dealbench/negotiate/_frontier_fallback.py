"""Stand-in for `frontier.us_best_at` until that module lands: bisection over partner-best solves."""

from __future__ import annotations

from dataclasses import dataclass

from dealbench.checker import evaluate
from dealbench.model.schema import Package, Portfolio
from dealbench.optimize import solve


@dataclass(frozen=True)
class Point:
    us_utility: float
    partner_utility: float
    package: Package


def us_best_at(one: Portfolio, partner: str, u: float) -> Point | None:
    best = solve(one, "us-best")
    deal = best.deal(partner) if best.objective is not None else None
    if deal is None:
        return None
    if deal.partner_utility >= u - 1e4:
        return Point(deal.us_value, deal.partner_utility, deal.package())
    found = one.partner(partner)
    assert found is not None
    lo, hi = found.us_batna, deal.us_value
    point: Point | None = None
    for _ in range(40):
        mid = (lo + hi) / 2
        r = solve(one, "partner-best", v_floor=mid)
        d = r.deal(partner) if r.objective is not None else None
        if d is not None and d.partner_utility >= u - 1e4:
            f = evaluate(one, d.package())
            point, lo = Point(f.us_value, f.partner_utility, f.package()), mid
        else:
            hi = mid
        if hi - lo < 1e5:
            break
    return point
