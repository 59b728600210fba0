"""The linear program left when an optimum's discrete choices are fixed.

DESIGN.md: "Shadow prices: fix the binaries of the optimum, solve the LP,
report duals of supply, risk budget and caps". With each concluded deal's
security level and concessions fixed (and every other partner without a
deal), what remains is continuous: the compute x[p,t] of each deal and the
segments y[p,t,j] of the partner's value curve, under

    value   sum_j y[p,t,j] - x[p,t] <= 0
    accept  sum_{t,j} v_j y[p,t,j] >= batna + margin + concession costs + security cost
    cap     x[p,t] <= cap            (only where the cap is below the ask)
    supply  sum_p x[p,t] <= supply[t]
    risk    sum_{p,t} r_p x[p,t] <= risk budget

maximising the US value sum_{p,t} (export value - risk penalty r_p) x[p,t]
plus the constants of the fixed choices. Built straight into HiGHS (model
units: thousands of H100e, billions of USD) so that its duals and HiGHS's
ranging of row bounds can be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from dealbench.checker import DealFigures
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import COMPUTE, MONEY
from dealbench.optimize.highs import INF, new_highs
from dealbench.optimize.triplets import Triplets

Kind = Literal["supply", "risk-budget", "cap"]

#: A cap counts as a limit of its own only when it is below the ask by more than this (H100e).
CAP_TOL = 0.5
#: How far a price's range is sought past HiGHS's own (`_widen`): the span doubles up to
#: this many times, then the end is bisected this many times (to 1e-7 of the limit).
WIDEN_DOUBLINGS = 20
WIDEN_BISECTIONS = 40
#: The bisection stops within this share of the limit (of one model unit at least).
WIDEN_PRECISION = 1e-7


@dataclass(frozen=True)
class LimitRow:
    """One row of the fixed LP that is a limit a user can move."""

    kind: Kind
    row: int
    value: float  # the limit, in H100e or risk-weighted H100e
    period: str | None = None
    partner: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class RowPrice:
    """A row's price (USD per unit of the limit) and the limit values over which it holds."""

    usd_per_unit: float
    holds_from: float | None  # None: however low (or: the price is one-sided)
    holds_to: float | None  # None: however high


@dataclass
class FixedLP:
    """The fixed LP in HiGHS, its limit rows, and the constant of its objective (USD)."""

    highs: Any
    limits: list[LimitRow] = field(default_factory=list)
    constant: float = 0.0
    #: No deal, so no column: every limit is unused and worth nothing in this LP.
    empty: bool = False
    #: Each deal's compute columns, by partner code.
    columns: dict[str, list[int]] = field(default_factory=dict)

    def value(self) -> float | None:
        """US value V in USD at the current row bounds; None when infeasible."""
        import highspy

        if self.empty:
            return self.constant
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(self.highs.getInfo().objective_function_value) * MONEY + self.constant

    def value_at(self, limit: LimitRow, amount: float) -> float | None:
        """V with one limit moved to `amount` (then put back)."""
        self._set(limit, amount)
        try:
            return self.value()
        finally:
            self._set(limit, limit.value)

    def rate_at(self, limit: LimitRow, amount: float) -> float | None:
        """The dual of `limit` (USD per unit) with it moved to `amount` (then put back):
        the slope of V there; None where the LP is infeasible there."""
        self._set(limit, amount)
        try:
            if self.value() is None:
                return None
            if self.empty:
                return 0.0
            dual = self._row(limit.row)[0] * MONEY / COMPUTE
            return 0.0 if abs(dual) < 1e-9 else dual
        finally:
            self._set(limit, limit.value)

    def price_at(self, limit: LimitRow, amount: float) -> RowPrice | None:
        """`price` with `limit` moved to `amount` (then put back): the slope of V there and
        its range; None where the LP is infeasible there."""
        moved = replace(limit, value=amount)
        try:
            self._set(moved, amount)
            if self.value() is None:
                return None
            return self.price(moved)
        finally:
            self._set(limit, limit.value)

    def price(self, limit: LimitRow) -> RowPrice:
        """The value of one more unit of `limit`, and the range over which it holds.

        A limit with room to spare is worth nothing however much is added, and down to
        what is used at least. HiGHS reports one dual per row; at a degenerate optimum that dual may hold
        only for decreases, so the price of an increase is then read just above.
        The range is where V keeps that slope, not where HiGHS's basis changes
        (`_widen`): a basis change at the same price moved no figure a reader acts on.
        """
        if self.value() is None:
            raise RuntimeError("the fixed LP is infeasible at the optimum's own limits")
        if self.empty:
            return RowPrice(0.0, 0.0, None)
        scale = _scale(limit)
        bound = limit.value / scale
        dual, low, high, used = self._row(limit.row)
        if used < bound - _slack(bound):  # room to spare: nothing, down to what is used
            dual, low, high = 0.0, used, INF
        elif high <= bound + _slack(bound):  # the dual holds for no increase at all
            nudged = bound + max(abs(bound) * 1e-5, 1e-4)
            self._set(limit, nudged * scale)
            try:
                if self.value() is not None:
                    dual, _, high, used = self._row(limit.row)
                    if used < nudged - _slack(nudged):  # more is not used: worth nothing
                        dual, high = 0.0, INF
                low = bound
            finally:
                self._set(limit, limit.value)
                self.value()
        low, high = self._widen(limit, dual, low, high)
        usd = dual * MONEY / COMPUTE
        return RowPrice(
            usd_per_unit=0.0 if abs(usd) < 1e-9 else usd,
            holds_from=None if low == -INF else max(0.0, low * scale),
            holds_to=None if high == INF else high * scale,
        )

    def _widen(self, limit: LimitRow, dual: float, low: float, high: float) -> tuple[float, float]:
        """The range of `limit` (model units) over which V keeps the slope `dual`.

        HiGHS ranges a row bound over the current basis only; at a degenerate optimum
        the next basis often has the same dual, so its end is not where the price
        changes (gulf-asia's 2026 supply: the basis changed 13,071 H100e up, the price
        176,077 H100e up). V is concave in the bound, so it keeps the slope up to a
        bound exactly when V there is V now plus the slope times the move: that test
        is doubled out from HiGHS's end, then bisected to where it first fails.
        """
        base = self.value()
        assert base is not None
        bound = limit.value / _scale(limit)

        def linear(at: float) -> bool:
            self._set(limit, at * _scale(limit))
            there = self.value()
            if there is None:
                return False
            if at == INF:  # no limit at all: linear only at a price of nothing
                return dual == 0.0 and abs(there - base) <= _agree(base, 0.0)
            move = (at - bound) * dual * MONEY
            return abs(there - base - move) <= _agree(base, move)

        try:
            return self._walk(linear, bound, low, -1.0), self._walk(linear, bound, high, +1.0)
        finally:  # the bound put back; whoever reads the LP next solves it first
            self._set(limit, limit.value)

    @staticmethod
    def _walk(linear: Callable[[float], bool], bound: float, end: float, sign: float) -> float:
        """The far end (`sign` +1 up, -1 down) of the bounds `linear` holds on, from
        `end`, where it is known to hold; +-INF when it holds however far; 0 at most
        down (a limit is not negative)."""
        if abs(end) == INF or (sign < 0 and end <= 0.0):
            return end
        # Most often HiGHS's end is where the slope changes: one solve just past it says so.
        past = end + sign * max(abs(end) * 1e-6, 1e-4)
        if not (sign < 0 and past < 0.0) and not linear(past):
            return end
        if linear(INF if sign > 0 else 0.0):  # however far (down to nothing)
            return INF if sign > 0 else 0.0
        span = max(abs(end - bound), abs(bound) * 1e-3, 1e-3)
        good, bad = end, INF if sign > 0 else 0.0
        for _ in range(WIDEN_DOUBLINGS):
            at = bound + sign * span
            if sign < 0 and at <= 0.0:
                break
            if not linear(at):
                bad = at
                break
            good, span = at, 2 * span
        if abs(bad) == INF:  # linear a thousand times the limit away, yet not without end
            return good
        for _ in range(WIDEN_BISECTIONS):
            if abs(bad - good) <= max(abs(bound), 1.0) * WIDEN_PRECISION:
                break
            mid = (good + bad) / 2
            good, bad = (mid, bad) if linear(mid) else (good, mid)
        return good

    def compute_span(self, code: str, within: float) -> tuple[float, float] | None:
        """The least and the most total compute (H100e) of `code`'s deal over the schedules
        whose US value is within `within` USD of the best: the amounts a solve to that
        tolerance may return. None when the LP is infeasible. Changes the LP for good."""
        import highspy

        best = self.value()
        if best is None or code not in self.columns:
            return None
        lp = self.highs.getLp()
        cost = np.array(lp.col_cost_, dtype=float)
        idx = np.flatnonzero(cost).astype(np.int32)
        floor = (best - self.constant - within) / MONEY
        self.highs.addRow(floor, INF, len(idx), idx, cost[idx])
        mine = np.zeros(len(cost))
        mine[self.columns[code]] = 1.0
        self.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), mine)
        ends = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            self.highs.changeObjectiveSense(sense)
            self.highs.run()
            if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            ends.append(float(self.highs.getInfo().objective_function_value) * COMPUTE)
        return ends[0], ends[1]

    def _row(self, row: int) -> tuple[float, float, float, float]:
        """Dual, ranging down and up, and activity of a row (model units)."""
        solution = self.highs.getSolution()
        _, ranging = self.highs.getRanging()
        return (
            float(solution.row_dual[row]),
            float(ranging.row_bound_dn.value_[row]),
            float(ranging.row_bound_up.value_[row]),
            float(solution.row_value[row]),
        )

    def _set(self, limit: LimitRow, amount: float) -> None:
        self.highs.changeRowBounds(limit.row, -INF, amount / _scale(limit))


def end_precision(limit: LimitRow) -> float:
    """How far inside the range an end found by `_widen`'s bisection may lie from where
    the slope really changes (the limit's units): a point past the end must be further
    out than this (halves' 2027H1 supply held its price down to 10,000, found as
    10,000.007, and 10,000 was taken as past it)."""
    return WIDEN_PRECISION * max(abs(limit.value), _scale(limit))


def _agree(base: float, move: float) -> float:
    """USD within which V at a moved bound equals V now plus the price times the move:
    the LP's own accuracy (relative, on V in billions), and at least a dollar."""
    return max(1e-9 * max(abs(base), abs(move)), 1.0)


def _slack(bound: float) -> float:
    """Room below a bound (model units) that still counts as sitting on it."""
    return 1e-7 * max(1.0, abs(bound))


def _scale(limit: LimitRow) -> float:
    """Units of the limit per model unit (every limit is H100e-like: thousands in the model)."""
    return COMPUTE


def build_fixed_lp(portfolio: Portfolio, deals: list[DealFigures]) -> FixedLP:
    """The LP of `deals`' discrete choices: levels and concessions fixed, compute free."""
    pf = portfolio
    lp = Triplets()
    limits: list[LimitRow] = []
    x: dict[tuple[int, str], int] = {}
    weights: dict[int, float] = {}
    constant = sum(p.us_batna for p in pf.partners if not _dealt(p.code, deals))
    for d, deal in enumerate(deals):
        weights[d] = _add_deal(lp, pf, d, deal, x, limits)
        constant += deal.us_concession_value
    _add_shared_limits(lp, pf, len(deals), x, weights, limits)
    h = new_highs()
    h.setOptionValue("solver", "simplex")  # ranging needs a basis
    lp.arrays().pass_to(h, maximize=True)
    # Limits listed in the order a reader expects: supply by period, the risk budget, caps.
    order = {"supply": 0, "risk-budget": 1, "cap": 2}
    limits.sort(key=lambda lim: order[lim.kind])
    columns: dict[str, list[int]] = {}
    for (d, _), col in x.items():
        columns.setdefault(deals[d].partner, []).append(col)
    return FixedLP(h, limits, constant, empty=lp.n_cols == 0, columns=columns)


def _add_deal(
    lp: Triplets,
    pf: Portfolio,
    d: int,
    deal: DealFigures,
    x: dict[tuple[int, str], int],
    limits: list[LimitRow],
) -> float:
    """Deal `d`'s compute and value columns, its value, cap and acceptance rows (its caps
    added to `limits`, its compute columns to `x`); its risk weight."""
    policy = pf.policy
    partner = pf.partner(deal.partner)
    assert partner is not None
    weight = partner.diversion_risk * (1.0 - policy.level(deal.security).mitigation)
    per_unit = policy.export_value_per_h100e - policy.risk_penalty_per_h100e * weight
    accept: dict[int, float] = {}
    for t in pf.periods:
        ask = pf.ask(partner, t) if partner.tier < 3 else 0.0
        x[d, t] = col = lp.col(0.0, ask / COMPUTE, cost=per_unit * COMPUTE / MONEY)
        value: dict[int, float] = {col: -1.0}
        start = 0.0
        for width, v in partner.segments:
            if start >= ask:
                break
            seg = lp.col(0.0, min(width, ask - start) / COMPUTE)
            value[seg] = 1.0
            accept[seg] = v * COMPUTE / MONEY
            start += width
        lp.row(value, -INF, 0.0)
        cap = pf.cap(partner, deal.security, t)
        if cap < ask - CAP_TOL:
            row = lp.row({col: 1.0}, -INF, cap / COMPUTE)
            limits.append(LimitRow("cap", row, cap, t, partner.code, deal.security))
    need = partner.batna + policy.acceptance_margin + deal.concession_cost + deal.security_cost
    lp.row(accept, need / MONEY, INF)
    return weight


def _add_shared_limits(
    lp: Triplets,
    pf: Portfolio,
    n_deals: int,
    x: dict[tuple[int, str], int],
    weights: dict[int, float],
    limits: list[LimitRow],
) -> None:
    """Each period's supply row and the risk budget's, added to `limits`."""
    for t in pf.periods:
        row = lp.row({x[d, t]: 1.0 for d in range(n_deals)}, -INF, pf.supply[t] / COMPUTE)
        limits.append(LimitRow("supply", row, pf.supply[t], t))
    if pf.risk_budget is not None:
        risk = {col: weights[d] for (d, _), col in x.items()}
        row = lp.row(risk, -INF, pf.risk_budget / COMPUTE)
        limits.append(LimitRow("risk-budget", row, pf.risk_budget))


def _dealt(code: str, deals: list[DealFigures]) -> bool:
    return any(d.partner == code for d in deals)
