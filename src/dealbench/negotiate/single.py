"""One partner against fixed limits, solved exactly without a MIP solver.

With the other deals held, a partner's deal is a security level k, a concession
set (a point of the level's Pareto list of partner cost C and US value G, see
`optimize.decomposition.concession_sets`) and compute x[t] per period, bounded by
min(ask, cap, supply left) (an ask or cap in whole units of the portfolio's step) and, through the risk budget left, by
sum_t x[t] <= budget / risk weight of k. The US values every H100e alike
(a = export value - risk penalty x risk weight), so only the total X = sum x[t]
matters to it; the partner's best use of a total X is the greedy fill of its
value segments, most valuable first (a fractional knapsack, which greedy solves
exactly). So for each (k, set) the deal's (U, V) is a curve in X:

    V = G + a X,    U = W_k(X) - C - security cost,    W_k concave, piecewise linear,

and every question the frontier asks (the best V at a partner utility, the best
U at a US floor, the whole non-dominated set, the Nash and Kalai points) is
answered by scanning these curves: exact, and fast enough to run at every point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dealbench.checker.tolerance import reachable
from dealbench.errors import ArgumentError
from dealbench.model.concession import GRANTED
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.decomposition.concession_sets import (
    ConcessionSets,
    allowed_for,
    build_concession_sets,
    set_grants,
)

F64 = NDArray[np.float64]

__all__ = ["Level", "Single", "single"]

#: Money tolerance (USD) when comparing a utility with a floor: a solve's row may be this
#: short of its bound (HiGHS's MIP feasibility tolerance, 1e-6 in the model's USD bn), and
#: `check` accepts it, so a held deal's residual can leave a partner's own package that
#: far short of its acceptance (tests/data/qa31verify/shortfall: $4.30; at $1 the exact
#: frontier lost it, and every package with its concessions).
TOL = 1e3


@dataclass(frozen=True)
class Level:
    """One security level's curves: the greedy fill and the concession sets."""

    level: str
    a: float  # US value per H100e under this level, USD
    sec: float  # security cost, USD
    xcap: float  # most compute deliverable in total, H100e
    x_bp: F64  # cumulative compute at the breakpoints of W (from 0)
    w_bp: F64  # W at those breakpoints (USD)
    w_top: float  # X beyond which W no longer rises
    order: list[tuple[int, float]]  # greedy pieces: (period index, width)
    sets: ConcessionSets

    def w(self, x: F64 | float) -> F64:
        return np.asarray(np.interp(x, self.x_bp, self.w_bp), dtype=np.float64)

    def x_for(self, target: F64) -> F64:
        """The least X with W(X) >= target (inf where W never reaches it)."""
        rising = int(np.searchsorted(self.x_bp, self.w_top, side="right"))
        xs, ws = self.x_bp[:rising], self.w_bp[:rising]
        out = np.interp(target, ws, xs)
        out = np.where(target <= 0, 0.0, out)
        reach = float(self.w(min(self.xcap, self.w_top)))
        return np.where(target > reach + TOL, np.inf, np.minimum(out, self.xcap))


@dataclass(frozen=True)
class Single:
    """A partner in a residual portfolio, ready to be scanned."""

    portfolio: Portfolio
    partner: str
    levels: list[Level]
    need: float  # partner's acceptance threshold: batna + margin (USD)
    batna: float
    us_batna: float
    periods: list[str]

    def package(self, k: int, f: int, x: float) -> Package:
        """The package of level k, concession set f and total compute x."""
        lv = self.levels[k]
        compute = [0.0] * len(self.periods)
        left = max(x, 0.0)
        for t, width in lv.order:
            take = min(width, left)
            compute[t] += take
            left -= take
            if left <= 1e-9:
                break
        concessions: dict[str, str | bool] = {
            cid: True if lid == GRANTED else lid for cid, lid in set_grants(lv.sets, f)
        }
        return Package(
            partner=self.partner,
            security=lv.level,
            compute={t: round(c, 6) for t, c in zip(self.periods, compute, strict=True)},
            concessions=concessions,
        )

    def best_at(self, floor: float | None) -> tuple[Package | None, float]:
        """max V subject to U >= floor (USD): the package (None: no deal) and V."""
        no_deal_ok = floor is None or floor <= self.batna + TOL
        best: tuple[float, float, int, int, float] | None = None  # (V, U, k, f, X)
        need = self.need if floor is None else max(floor, self.need)
        for k, lv in enumerate(self.levels):
            cost, value = lv.sets.cost * 1e9, lv.sets.value * 1e9
            target = need + cost + lv.sec
            if lv.a < 0:
                x = lv.x_for(target)
            else:
                x = np.full(len(cost), lv.xcap)
                x = np.where(lv.w(lv.xcap) >= target - TOL, x, np.inf)
            ok = np.isfinite(x)
            if not ok.any():
                continue
            v = np.where(ok, value + lv.a * np.where(ok, x, 0.0), -np.inf)
            u = lv.w(np.where(ok, x, 0.0)) - cost - lv.sec
            f = int(np.lexsort((-u, -v))[0])
            cand = (float(v[f]), float(u[f]), k, f, float(x[f]))
            if best is None or (cand[0], cand[1]) > (best[0], best[1]):
                best = cand
        if best is None or (no_deal_ok and self.us_batna > best[0]):
            return None, self.us_batna
        return self.package(best[2], best[3], best[4]), best[0]

    def partner_best(self, v_floor: float) -> Package | None:
        """max U subject to V >= v_floor (USD) and acceptance; None if no deal qualifies."""
        best: tuple[float, int, int, float] | None = None
        for k, lv in enumerate(self.levels):
            cost, value = lv.sets.cost * 1e9, lv.sets.value * 1e9
            top = min(lv.xcap, lv.w_top)
            if lv.a < 0:
                x = np.minimum(top, (value - v_floor) / -lv.a)
            else:
                x = np.where(value + lv.a * lv.xcap >= v_floor - TOL, lv.xcap, -1.0)
            x = np.where(x < -1e-9, np.nan, np.maximum(x, 0.0))
            u = lv.w(np.nan_to_num(x)) - cost - lv.sec
            u = np.where(np.isnan(x) | (u < self.need - TOL), -np.inf, u)
            f = int(np.argmax(u))
            if np.isfinite(u[f]) and (best is None or u[f] > best[0]):
                best = (float(u[f]), k, f, float(x[f]))
        if best is None:
            return None
        return self.package(best[1], best[2], best[3])


def single(portfolio: Portfolio, partner: str) -> Single:
    """The curves of `partner` in `portfolio` (usually a residual portfolio)."""
    p = portfolio.partner(partner)
    if p is None:
        raise ArgumentError("partner", portfolio.unknown_partner(partner))
    policy = portfolio.policy
    rank_of = {k: i for i, k in enumerate(policy.level_ids)}
    periods = list(portfolio.periods)
    margin = policy.acceptance_margin
    levels = []
    for k in portfolio.levels_for(p):
        weight = p.diversion_risk * (1.0 - policy.level(k).mitigation)
        a = policy.export_value_per_h100e - policy.risk_penalty_per_h100e * weight
        # An ask or cap as whole steps can give it: the grid allows the limit itself in
        # whole units (an ask of 2,911 H100e in B200 chips is 1,280 chips, 2,910.56 H100e);
        # a curve reaching the raw limit gave an end off the grid, above solve's optimum.
        bounds = [
            min(reachable(portfolio, portfolio.cap(p, k, t)), portfolio.supply[t]) for t in periods
        ]
        xcap = float(sum(bounds))
        if portfolio.risk_budget is not None and weight > 0:
            xcap = min(xcap, portfolio.risk_budget / weight)
        pieces = _pieces(p.segments, bounds)
        order = [(t, width) for t, width, _ in pieces]
        widths = np.array([w for _, w, _ in pieces])
        values = np.array([v for _, _, v in pieces])
        x_bp = np.concatenate(([0.0], np.cumsum(widths)))
        w_bp = np.concatenate(([0.0], np.cumsum(widths * values)))
        rising = x_bp[1:][values > 0]
        w_top = float(rising[-1]) if len(rising) else 0.0
        sec = p.security_costs[k]
        limit = (float(w_bp[-1]) - (p.batna + margin) - sec + TOL) / 1e9
        sets = build_concession_sets(p, allowed_for(p, rank_of, k), max(limit, 0.0))
        levels.append(Level(k, a, sec, xcap, x_bp, w_bp, w_top, order, sets))
    return Single(
        portfolio=portfolio,
        partner=partner,
        levels=levels,
        need=p.batna + margin,
        batna=p.batna,
        us_batna=p.us_batna,
        periods=periods,
    )


def _pieces(
    segments: list[tuple[float, float]], bounds: list[float]
) -> list[tuple[int, float, float]]:
    """(period, width, value per H100e) of every value segment under the bounds,
    most valuable first (a zero-value tail last)."""
    out = []
    for t, bound in enumerate(bounds):
        start = 0.0
        for width, value in segments:
            take = min(width, bound - start)
            if take <= 0:
                break
            out.append((t, take, value))
            start += take
        if bound > start:
            out.append((t, bound - start, 0.0))
    out.sort(key=lambda piece: -piece[2])  # stable: periods in order within a value
    return out
