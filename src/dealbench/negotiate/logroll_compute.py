"""The compute schedule that makes a set of discrete terms best for both sides together.

With the security level and the concessions fixed, the US utility is linear in
the compute delivered (`net` per H100e: export value minus the risk penalty
under the level) and the partner's utility is concave (its value curve per
period). `replan` maximises their sum, the joint gain, subject to each side
gaining at least `min_gain` (and the partner accepting), within the caps, the
supply left by other deals and the risk budget left.

Greedy and exact: pieces of the value curves (period, segment) are filled in
order of value per H100e, while a piece adds to the joint gain and the US floor
allows; then, if the partner still gains too little, the next most valuable
pieces, the cheapest way (in joint gain) to raise the partner's utility.
Amounts are whole units of the caller's scale (`logroll` counts in the portfolio's
step, or finer); a limit off that unit is taken as it is, for the caller to round.
`check` has the last word on every answer.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one deal may take: per period (caps, ask, supply left), and in total (risk)."""

    per_period: dict[str, float]
    #: The most H100e in total the risk budget allows under the level (inf: no budget).
    total: float


@dataclass(frozen=True)
class Targets:
    """What the schedule must achieve, in USD."""

    #: US utility from the discrete terms alone (compute 0), minus the US floor.
    us_slack: float
    #: US utility per H100e delivered under the level.
    net: float
    #: The value of compute the partner needs (for its floor and its acceptance).
    partner_need: float


def replan(
    segments: list[tuple[float, float]], limits: Limits, targets: Targets
) -> dict[str, float] | None:
    """The schedule of largest joint gain meeting `targets`, or None if none does.

    `segments` is the partner's value curve per period: (width, value per H100e).
    """
    pieces = _pieces(segments, limits.per_period)
    most = limits.total
    if targets.net < 0:
        most = min(most, targets.us_slack / -targets.net)
    if most < 0:
        return None
    # Whole units in total (the risk budget, the US floor), each period to its bound: two
    # periods' limits off the unit (a partner's ask in whole chips) are each reachable.
    bounds = sum(max(b, 0.0) for b in limits.per_period.values())
    left = min(float(math.floor(most + 1e-9)) if math.isfinite(most) else math.inf, bounds)
    plan = dict.fromkeys(limits.per_period, 0.0)
    value = 0.0
    rest: list[tuple[float, str, float]] = []
    for v, t, width in pieces:
        take = min(width, left)
        if v + targets.net > 0 and take > 0:
            plan[t] += take
            value += take * v
            left -= take
            if take < width:
                rest.append((v, t, width - take))
        else:
            rest.append((v, t, width))
    for v, t, width in rest:
        if value >= targets.partner_need or left <= 0 or v <= 0:
            break
        take = min(width, left, math.ceil((targets.partner_need - value) / v))
        plan[t] += take
        value += take * v
        left -= take
    if value < targets.partner_need - 1e-6:
        return None
    if targets.us_slack + targets.net * sum(plan.values()) < 0:
        return None
    return plan


def _pieces(
    segments: list[tuple[float, float]], bounds: dict[str, float]
) -> list[tuple[float, str, float]]:
    """(value per H100e, period, width) of every piece of the value curves within the bounds,
    most valuable first (periods in order on ties); beyond the curve compute is worth 0.

    Pieces run between whole units: a unit a segment ends inside is one piece, at its
    average value, so the greedy fills whole units and the caller's whole steps keep what
    was planned (qa36-steps: in steps of 582 H100e, a segment ending at 2.25 steps was
    filled to 2.25 and floored to 2, leaving a third step the partner valued unplanned)."""
    out: list[tuple[float, int, str, float]] = []
    for i, (t, bound) in enumerate(bounds.items()):
        top = max(bound, 0.0)  # a limit off the unit is the caller's to round
        ends, at = [], 0.0
        for width, _ in segments:
            at += width
            ends.append(at)
        cuts = {0.0, top}
        for end in ends:
            if math.isfinite(end):
                cuts |= {c for c in (math.floor(end), math.ceil(end)) if 0 < c < top}
        for a, b in itertools.pairwise(sorted(cuts)):
            if b - a <= 1e-12:
                continue
            if math.isinf(b):  # no limit: the rest at the value where it starts
                v = _worth(segments, a + 1.0) - _worth(segments, a)
            else:
                v = (_worth(segments, b) - _worth(segments, a)) / (b - a)
            out.append((v, i, t, b - a))
    out.sort(key=lambda piece: (-piece[0], piece[1]))
    return [(v, t, width) for v, _, t, width in out]


def _worth(segments: list[tuple[float, float]], x: float) -> float:
    """The value of `x` units on the curve (0 beyond its last segment)."""
    total = 0.0
    for width, v in segments:
        take = min(width, max(x, 0.0))
        total += take * v
        x -= take
    return total
