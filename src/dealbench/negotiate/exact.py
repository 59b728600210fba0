"""`--points all` and the zone of agreement, exactly, for one partner with the others held.

Each (security level, Pareto-optimal concession set) of the partner is a curve
in (U, V) (see `single`): a polyline whose vertices are the breakpoints of the
partner's greedy value fill (V falls as U rises when an H100e costs the US more
than it earns it), or one point (when it does not). The frontier is the
non-dominated part of the union of these polylines: its vertices are curve
vertices and crossings of two curves' segments, so every vertex and every
crossing is computed, the partner's utility and the US value at each is the
best any curve reaches there, and the dominated ones are dropped.

Between two consecutive points the frontier is not always the step: a curve may run
through the gap above the next point's V (the same terms, compute varying), from the
point before (two points of one curve) or from below it (a curve whose own vertex there
another curve's point dominates, but whose packages just past it no point does). Each
such straight piece is returned beside the points (`FrontierPiece`): the frontier is the
step to the next point or the piece, whichever gives the US more.

Exact, but it enumerates pairs of segments: it refuses instances with more
than MAX_SEGMENTS segments (a menu with many Pareto-optimal concession sets
under a value curve with many pieces); the ε-constraint frontier
(`--points N`) serves those.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from dealbench.errors import ArgumentError
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import Axis, FrontierPiece, FrontierPoint, point_of
from dealbench.negotiate.single import TOL as FLOOR_TOL
from dealbench.negotiate.single import Single
from dealbench.optimize.bargain.solve import GAIN_TOL

__all__ = [
    "MAX_SEGMENTS",
    "Segment",
    "best_product",
    "best_tau",
    "curves",
    "exact_frontier",
    "largest_joint_gain",
]

#: --points all refuses instances with more curve segments than this.
MAX_SEGMENTS = 3000
TOL = 1e3  # USD


@dataclass(frozen=True)
class Segment:
    """From (u0, v0) at compute x0 to (u1, v1) at x1, for level k and concession set f."""

    k: int
    f: int
    x0: float
    x1: float
    u0: float
    u1: float
    v0: float
    v1: float

    def at_u(self, u: float) -> tuple[float, float]:
        """(V, X) where the segment gives the partner `u`."""
        if self.u1 - self.u0 <= 1e-9:
            return self.v1, self.x1
        s = (u - self.u0) / (self.u1 - self.u0)
        return self.v0 + s * (self.v1 - self.v0), self.x0 + s * (self.x1 - self.x0)


def curves(alone: Single) -> list[Segment]:
    """Every acceptable deal's curve, as segments (a point is a segment of length 0)."""
    out: list[Segment] = []
    for k, lv in enumerate(alone.levels):
        cost, value = lv.sets.cost * 1e9, lv.sets.value * 1e9
        top = min(lv.xcap, lv.w_top) if lv.a < 0 else lv.xcap
        x_lo = lv.x_for(alone.need + cost + lv.sec) if lv.a < 0 else np.full(len(cost), top)
        for f in range(len(cost)):
            lo = float(x_lo[f])
            if not np.isfinite(lo) or lo > top + 1e-9:
                continue
            if float(lv.w(top)) - cost[f] - lv.sec < alone.need - FLOOR_TOL:
                continue
            xs = [lo, *(float(x) for x in lv.x_bp if lo < x < top), top] if lv.a < 0 else [top]
            us = [float(lv.w(x)) - cost[f] - lv.sec for x in xs]
            vs = [float(value[f]) + lv.a * x for x in xs]
            if len(xs) == 1:
                out.append(Segment(k, f, xs[0], xs[0], us[0], us[0], vs[0], vs[0]))
            for i in range(len(xs) - 1):
                out.append(Segment(k, f, xs[i], xs[i + 1], us[i], us[i + 1], vs[i], vs[i + 1]))
            if len(out) > MAX_SEGMENTS:
                raise ArgumentError(
                    "points",
                    f"'all': this partner's deals make more than {MAX_SEGMENTS:,} curve "
                    "segments (Pareto-optimal concession sets x pieces of its value curve); "
                    "give a number of points instead",
                )
    return out


def exact_frontier(
    portfolio: Portfolio, partner: str, alone: Single, fixed: list[Package], axis: Axis
) -> tuple[list[FrontierPoint], list[FrontierPiece]]:
    """Every vertex of the exact frontier, as points with their packages, and the straight
    pieces between them where the frontier is above the step (see the module)."""
    if axis != "partner":  # frontier() refuses it first, in the caller's words
        raise ArgumentError(
            "points", "'all' is exact on the partner axis; on the risk axis give a number"
        )
    # The range ends at the partner-best deal (docs/frontier.md, "Range"): beyond it the US
    # does better walking away, and the ε-constraint frontier stops there too.
    segments = [c for s in curves(alone) if (c := _no_worse_than(s, alone.us_batna)) is not None]
    if not segments:
        return [], []
    candidates = sorted(
        {round(u, 3) for s in segments for u in (s.u0, s.u1)} | _crossings(segments)
    )
    chosen: list[tuple[float, float, Segment, float]] = []  # (u, V, segment, X)
    for u in candidates:
        best: tuple[float, Segment, float] | None = None
        for s in segments:
            if s.u0 - 1.0 <= u <= s.u1 + 1.0:
                v, x = s.at_u(u)
                if best is None or v > best[0]:
                    best = (v, s, x)
        if best is not None:
            chosen.append((u, best[0], best[1], best[2]))
    # non-dominated: scanning from the highest u, keep a point only if its V beats every
    # point to its right
    kept: list[tuple[float, float, Segment, float]] = []
    top = -np.inf
    for item in sorted(chosen, key=lambda c: (-c[0], -c[1])):
        if item[1] > top + TOL:
            kept.append(item)
            top = item[1]
    ascending = list(reversed(kept))
    points = [
        point_of(portfolio, partner, [*fixed, alone.package(s.k, s.f, x)])
        for _, _, s, x in ascending
    ]
    pieces = []
    for (u, _, _, _), (u_next, v_next, _, _) in itertools.pairwise(ascending):
        piece = _piece(segments, u, u_next, v_next)
        if piece is not None:
            (s, x0, x1) = piece
            start = point_of(portfolio, partner, [*fixed, alone.package(s.k, s.f, x0)])
            end = point_of(portfolio, partner, [*fixed, alone.package(s.k, s.f, x1)])
            pieces.append(FrontierPiece(start=start, end=end))
    return points, pieces


def _piece(
    segments: list[Segment], u: float, u_next: float, v_next: float
) -> tuple[Segment, float, float] | None:
    """The curve above the step between the points at `u` and `u_next` (V `v_next`), as
    (its segment, compute where it starts at `u`, compute where it falls to `v_next`), or
    None when the step is the frontier there.

    No vertex or crossing inside the gap is above `v_next` (it would be a point), so the
    best segment just past `u` stays the best until it falls to `v_next`, and the
    frontier is flat at `v_next` from there to `u_next`."""
    just_past = u + min(1.0, (u_next - u) / 1e3)
    best: tuple[float, Segment] | None = None
    for s in segments:
        if s.u1 - s.u0 > 1e-6 and s.u0 <= u + 1.0 and s.u1 >= just_past:
            v, _ = s.at_u(just_past)
            if best is None or v > best[0]:
                best = (v, s)
    if best is None:
        return None
    s = best[1]
    v_start, x_start = s.at_u(max(u, s.u0))
    if v_start <= v_next + TOL:
        return None
    slope = (s.v1 - s.v0) / (s.u1 - s.u0)  # V falls as U rises along a curve
    u_end = min(u_next, s.u1) if slope >= 0 else min(u_next, s.u1, u + (v_next - v_start) / slope)
    _, x_end = s.at_u(u_end)
    return s, x_start, x_end


def _no_worse_than(s: Segment, v_min: float) -> Segment | None:
    """The part of `s` where the US is no worse off than walking away (V >= `v_min`, the
    partner's own V and its us_batna, as `largest_joint_gain` reads them); None when
    there is none. Kept whole, `--points all` ran past the partner-best end: a corridor's
    PH read points of V 0.90bn against no deal's 0.95bn, beyond a partner-best of U 0.19bn,
    where `--points N` stops."""
    if min(s.v0, s.v1) >= v_min - TOL:
        return s
    if max(s.v0, s.v1) < v_min - TOL:
        return None
    t = (v_min - s.v0) / (s.v1 - s.v0)  # the segment slopes: one end above, one below
    lo, hi = (0.0, t) if s.v1 < s.v0 else (t, 1.0)

    def at(a: float, b: float, w: float) -> float:
        return a + w * (b - a)

    return Segment(
        s.k,
        s.f,
        at(s.x0, s.x1, lo),
        at(s.x0, s.x1, hi),
        at(s.u0, s.u1, lo),
        at(s.u0, s.u1, hi),
        at(s.v0, s.v1, lo),
        at(s.v0, s.v1, hi),
    )


def _crossings(segments: list[Segment]) -> set[float]:
    """The u of every crossing of two sloped segments (V as a line in u on each)."""
    sloped = [s for s in segments if s.u1 - s.u0 > 1e-6]
    if len(sloped) < 2:
        return set()
    u0 = np.array([s.u0 for s in sloped])
    u1 = np.array([s.u1 for s in sloped])
    slope = np.array([(s.v1 - s.v0) / (s.u1 - s.u0) for s in sloped])
    icpt = np.array([s.v0 for s in sloped]) - slope * u0
    out: set[float] = set()
    for i in range(len(sloped)):
        ds = slope[i + 1 :] - slope[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (icpt[i] - icpt[i + 1 :]) / ds
        lo = np.maximum(u0[i], u0[i + 1 :])
        hi = np.minimum(u1[i], u1[i + 1 :])
        ok = np.isfinite(u) & (u > lo) & (u < hi)
        out |= {round(float(v), 3) for v in u[ok]}
    return out


def largest_joint_gain(alone: Single, us_walk_away: float) -> tuple[float, Segment | None, float]:
    """The most (V - V walk-away) + (U - BATNA) over deals beating both walk-away values (each
    gain at least `GAIN_TOL`), with the segment and compute that reach it (0, None, 0 when
    none does).

    `us_walk_away` is the partner's own US value without a deal (its us_batna): V and the
    walk-away are both the partner's part, so held deals cancel out."""
    best, where, at = 0.0, None, 0.0
    least = GAIN_TOL * (1 - 1e-9)  # (a clipped end's gain is GAIN_TOL, within rounding)
    for s in curves(alone):
        # The gains are linear along a segment: clip it to both gains >= GAIN_TOL (what a
        # gain must exceed) and check the ends. Clipped to gains >= 0, an end where one gain
        # is 0 was dropped as no gain, and the other end kept, though the joint gain was
        # largest just inside the first (tests/data/qa31verify/thinzone: $199.72m for $200m).
        for t in _clip(s, us_walk_away + GAIN_TOL, alone.batna + GAIN_TOL):
            u = float(s.u0 + t * (s.u1 - s.u0))
            v = float(s.v0 + t * (s.v1 - s.v0))
            gain_us, gain_partner = v - us_walk_away, u - alone.batna
            if gain_us >= least and gain_partner >= least and gain_us + gain_partner > best:
                best, where, at = gain_us + gain_partner, s, float(s.x0 + t * (s.x1 - s.x0))
    return best, where, at


def best_tau(
    alone: Single, us_walk_away: float, ideals: tuple[float, float]
) -> tuple[float, Segment | None, float]:
    """The Kalai-Smorodinsky point over every deal of the partner: the most tau with each
    side's gain at least tau times its ideal gain (`ideals`: US, partner; USD), among equal
    tau the largest sum of shares, with the segment and compute that reach it (0, None, 0
    when no deal beats both walk-away values by `GAIN_TOL`). Exact, as `largest_joint_gain`
    is: along a segment both shares are linear, so the lesser is largest at an end (clipped
    to both gains >= GAIN_TOL) or where the two cross."""
    vi, ui = ideals
    best, where, at = (0.0, 0.0), None, 0.0
    for s in curves(alone):
        ends = _clip(s, us_walk_away + GAIN_TOL, alone.batna + GAIN_TOL)
        if not ends:
            continue
        a0, a1 = (s.v0 - us_walk_away) / vi, (s.v1 - us_walk_away) / vi
        b0, b1 = (s.u0 - alone.batna) / ui, (s.u1 - alone.batna) / ui
        ts = list(ends)
        if abs((a1 - a0) - (b1 - b0)) > 1e-15:
            cross = (b0 - a0) / ((a1 - a0) - (b1 - b0))
            if ends[0] < cross < ends[1]:
                ts.append(cross)
        for t in ts:
            a, b = a0 + t * (a1 - a0), b0 + t * (b1 - b0)
            if (min(a, b), a + b) > best:
                best, where, at = (min(a, b), a + b), s, float(s.x0 + t * (s.x1 - s.x0))
    return best[0], where, at


def best_product(alone: Single, us_walk_away: float) -> tuple[float, Segment | None, float]:
    """The Nash point over every deal of the partner: the largest product of the two gains
    (each at least `GAIN_TOL`), with the segment and compute that reach it (0, None, 0 when
    no deal beats both walk-away values). Exact, as `best_tau` is: along a segment both
    gains are linear, so their product is a quadratic, largest at an end (clipped to both
    gains >= GAIN_TOL) or at its vertex between them."""
    best, where, at = 0.0, None, 0.0
    for s in curves(alone):
        ends = _clip(s, us_walk_away + GAIN_TOL, alone.batna + GAIN_TOL)
        if not ends:
            continue
        a0, da = s.v0 - us_walk_away, s.v1 - s.v0
        b0, db = s.u0 - alone.batna, s.u1 - s.u0
        ts = list(ends)
        if da * db < 0:  # one gain falls as the other rises: the product has a top
            top = -(da * b0 + db * a0) / (2 * da * db)
            if ends[0] < top < ends[1]:
                ts.append(top)
        for t in ts:
            product = (a0 + t * da) * (b0 + t * db)
            if product > best:
                best, where, at = product, s, float(s.x0 + t * (s.x1 - s.x0))
    return best, where, at


def _clip(s: Segment, v_min: float, u_min: float) -> list[float]:
    lo, hi = 0.0, 1.0
    for start, end, floor in ((s.v0, s.v1, v_min), (s.u0, s.u1, u_min)):
        if abs(end - start) < 1e-12:
            if start < floor:
                return []
            continue
        t = (floor - start) / (end - start)
        if end > start:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
    return [lo, hi] if lo <= hi else []
