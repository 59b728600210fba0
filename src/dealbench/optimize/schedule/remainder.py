"""Whole steps by largest remainders: every amount rounded down, partners that no longer
accept get steps back (largest remainder first; when no step fits, a deal that accepts
without one of its own gives it up), in us-best a deal whose compute costs the US gives
back the steps it accepts without, then the remaining remainders are rounded up,
largest first, where supply and the risk budget leave room and the objective gains.
Milliseconds. The cheap way of `optimize.schedule.grid`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import Mode
from dealbench.optimize.schedule.grid import Deal, Vector, clean, keeps, objective, v_least


def largest_remainder(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    step: float,
    least: float,
    v_floor: float | None,
    donors: bool = True,
) -> Vector | None:
    """The smooth amounts in whole steps by largest remainders (see module), or None.
    `donors`: a deal that accepts without a step may give it back to one that needs it."""
    return _greedy(pf, mode, deals, smooth, step, least, v_floor, donors)[0]


def largest_remainders(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    step: float,
    least: float,
    v_floor: float | None,
) -> tuple[Vector | None, Vector | None]:
    """`largest_remainder` without donors and with them, from one run: the two are the
    same run until a step is first given back, and without donors that is where it fails."""
    out, gave = _greedy(pf, mode, deals, smooth, step, least, v_floor, True)
    return (None if gave else out), out


#: The share of a step below which an amount is taken as on the step (`_start`).
SNAP = 1e-3


def _greedy(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    step: float,
    least: float,
    v_floor: float | None,
    donors: bool,
) -> tuple[Vector | None, bool]:
    """`largest_remainder`, and whether a step was given back (or asked for in vain)."""
    rounding = _Rounding(pf, mode, deals, smooth, step, v_floor)
    met, gave = rounding.meet_needs(donors)
    if not met:
        return None, gave
    rounding.give_back_unneeded()
    rounding.round_up_remainders()
    out: Vector = np.array(rounding.x)
    return (out if keeps(pf, mode, deals, out, least, v_floor) else None), gave


def _start(
    smooth: Vector, step: float, top: Vector, supply: Vector, risk: Vector, limit: float
) -> Vector:
    """Every smooth amount floored to whole steps (its top when it reaches it), an amount
    `SNAP` of a step below a step counted as that step where the shared limits (`supply`,
    the risk budget `limit`) allow."""

    def whole_steps(snap: float) -> Vector:
        """Each amount floored to whole steps (its top when it reaches it), `snap` of a
        step below a step counted as that step."""
        floor = np.floor(smooth / step + snap) * step
        out: Vector = np.minimum(np.where(smooth >= top - 1e-6, top, floor), top)
        return out

    # An amount a hair below a step (the smoothing's trade, LP noise) is that step: floored,
    # it would leave a whole step to place again, and the step may go where it is worth less.
    x = whole_steps(SNAP)
    # ... where the shared limits have the hair: 41,999 H100e of 125,999 left is no step of
    # 1,000 to take (it overran supply by one H100e, and `check` refused the schedule).
    floored = whole_steps(0.0)
    over = x.sum(axis=0) > supply + 1e-6
    x[:, over] = floored[:, over]
    if float(risk @ x.sum(axis=1)) > limit + 1e-6:
        x = floored
    return x


class _Rounding:
    """The rounding's state, from `_start`'s amounts: what each period's supply and the
    risk budget have left, V, each partner's value, and the remainders; steps taken and
    given back keep them current."""

    def __init__(
        self,
        pf: Portfolio,
        mode: Mode,
        deals: list[Deal],
        smooth: Vector,
        step: float,
        v_floor: float | None,
    ) -> None:
        self.mode, self.deals, self.step = mode, deals, step
        self.D, self.T = smooth.shape
        top = np.array([d.top for d in deals])
        supply = np.array([pf.supply[t] for t in pf.periods])
        risk = np.array([d.risk for d in deals])
        limit = np.inf if pf.risk_budget is None else pf.risk_budget
        x = _start(smooth, step, top, supply, risk, limit)
        remainder = smooth - x
        room = supply - x.sum(axis=0)
        self.budget = limit - float(risk @ x.sum(axis=1))
        self.v_now = objective(pf, "us-best", deals, x)
        self.least_v = v_least(pf, v_floor) if mode == "partner-best" else -np.inf
        # Plain lists from here: indexing numpy arrays element by element was half the time.
        # The same doubles and the same operations; `_round6` rounds as numpy did.
        self.x, self.top, self.remainder = x.tolist(), top.tolist(), remainder.tolist()
        self.room, self.risk = room.tolist(), risk.tolist()
        self.value = [d.value(self.x[i]) for i, d in enumerate(deals)]  # kept current
        # The step below each amount and what the partner loses with it, kept while the
        # amount stays (make_room asks for every deal and period each time).
        self.below: dict[tuple[int, int], tuple[Any, float, float]] = {}
        # What each option costs to compute, kept while its inputs stay: only the period
        # just stepped (and the one a step was given back in) changes, so the others are
        # not computed again (half the rounding's time at M). The same numbers, in the
        # same order.
        self.per_unit: dict[tuple[int, int], tuple[Any, Any]] = {}
        self.rounded_room: dict[int, tuple[Any, Any]] = {}

    def meet_needs(self, donors: bool) -> tuple[bool, bool]:
        """Steps added until every partner accepts, deal by deal; whether they all do, and
        whether a step was given back (or asked for in vain). `donors`: see
        `largest_remainder`."""
        deals, remainder, D, T = self.deals, self.remainder, self.D, self.T
        gave = False
        for i, d in enumerate(deals):
            budget_moves = 4 * D * T  # a guard: giving back steps always ends, bounded anyway
            while self.value[i] < d.need:
                # The step that adds most to the partner's value per H100e, then the period
                # with most room left (keeping tight periods for deals that need them), then
                # the largest remainder, then the later period.
                options = [
                    (self.gain_per_unit(i, t, inc), self.room_left(t), remainder[i][t], t)
                    for t in range(T)
                    if (inc := self.up(i, t)) > 0
                ]
                if not options:
                    gave = True
                    budget_moves -= 1
                    if not donors or budget_moves < 0 or not self.make_room(i):
                        return False, gave
                    continue
                t = max(options)[3]
                self.take(i, t, self.up(i, t))
        return True, gave

    def give_back_unneeded(self) -> None:
        """us-best: what a deal whose compute costs the US (export value below its risk
        penalty) was given beyond what its partner needs to accept, given back, the largest
        decrease first. Steps are added until the partner accepts, and one may stop short at
        a limit off the grid: AE, needing 478,889 H100e over three years of 159,630, took
        159,000 / 160,000 / 160,500 under a cap of 160,500, where 160,000 is enough, so a cap
        500 H100e higher gave the US $0.23m less (qa46-rounding)."""
        if self.mode != "us-best":
            return
        for i, d in enumerate(self.deals):
            if d.a >= 0:
                continue
            while options := [(dec, t) for t in range(self.T) if (dec := self.down(i, t)) > 0]:
                dec, t = max(options)
                self.take(i, t, -dec)

    def round_up_remainders(self) -> None:
        """The remaining remainders rounded up, largest first, where supply and the risk
        budget leave room and the objective gains (partner-best: V stays above its floor)."""
        deals, mode, remainder, D, T = self.deals, self.mode, self.remainder, self.D, self.T
        gains = [
            (remainder[i][t], -deals[i].index, t, i)
            for i in range(D)
            for t in range(T)
            if remainder[i][t] > 1e-9 and (deals[i].a > 0 or mode == "partner-best")
        ]
        for _, _, t, i in sorted(gains, reverse=True):
            inc = self.up(i, t)
            if inc > 0 and self.v_now + deals[i].a * inc >= self.least_v:
                self.take(i, t, inc)

    def up(self, i: int, t: int) -> float:
        """The increase to the next allowed amount, if it fits (else 0)."""
        x = self.x
        inc = min(x[i][t] + self.step, self.top[i][t]) - x[i][t]
        fits = (
            inc > 1e-9 and inc <= self.room[t] + 1e-6 and self.risk[i] * inc <= self.budget + 1e-6
        )
        return inc if fits else 0.0

    def take(self, i: int, t: int, inc: float) -> None:
        """`inc` more of deal i in period t (less when negative), everything kept current."""
        x = self.x
        before = x[i][t]
        x[i][t] = clean(x[i][t] + inc)
        self.value[i] += _gain(self.deals[i], before, x[i][t] - before)
        self.room[t] -= inc
        self.budget -= self.risk[i] * inc
        self.remainder[i][t] -= inc
        self.v_now += self.deals[i].a * inc

    def step_down(self, k: int, t: int) -> tuple[float, float]:
        """The decrease to the allowed amount below, and the partner's value of it."""
        x, step = self.x, self.step
        known = self.below.get((k, t))
        if known is None or known[0] != x[k][t]:
            dec = x[k][t] - math.floor(x[k][t] / step - 1e-9) * step if x[k][t] > 1e-9 else 0.0
            lost = _gain(self.deals[k], x[k][t] - dec, dec) if dec > 1e-9 else 0.0
            known = self.below[k, t] = (x[k][t], dec, lost)
        return known[1], known[2]

    def down(self, k: int, t: int) -> float:
        """The decrease to the allowed amount below, if deal k still accepts (else 0)."""
        dec, lost = self.step_down(k, t)
        if dec <= 1e-9:
            return 0.0
        deal = self.deals[k]
        if self.value[k] - lost < deal.need:
            return 0.0
        return dec if self.v_now - deal.a * dec >= self.least_v else 0.0

    def make_room(self, i: int) -> bool:
        """Deal i has no step that fits: a step given back by another deal (one that still
        accepts without it) makes room; the one the objective misses least, then the one
        listed first, then the later period. False when no step helps."""
        x, top, room, risk, deals = self.x, self.top, self.room, self.risk, self.deals
        D, T = self.D, self.T
        options = []
        for t in range(T):
            inc = min(x[i][t] + self.step, top[i][t]) - x[i][t]
            if inc <= 1e-9:
                continue
            # Only a step that frees what the increase lacks (supply or budget) helps.
            lacks_supply = inc > room[t] + 1e-6
            lacks_budget = risk[i] * inc > self.budget + 1e-6
            if not lacks_supply and not lacks_budget:
                continue
            for k in range(D):
                if k == i or (not lacks_supply and risk[k] <= 0):
                    continue
                if (dec := self.down(k, t)) <= 0:
                    continue
                if not lacks_supply and not risk[k] * dec > 1e-12:
                    continue
                loss = deals[k].a * dec if self.mode == "us-best" else self.step_down(k, t)[1]
                options.append((_round6(loss / dec), deals[k].index, -t, k, t, dec))
        if not options:
            return False
        _, _, _, k, t, dec = min(options)
        self.take(k, t, -dec)
        return True

    def gain_per_unit(self, i: int, t: int, inc: float) -> float:
        """round(_gain(deal i, x[i][t], inc) / inc, 6); inc depends on x[i][t] alone."""
        amount = self.x[i][t]
        known = self.per_unit.get((i, t))
        if known is None or known[0] != amount:
            gain = _gain(self.deals[i], amount, inc)
            known = self.per_unit[i, t] = (amount, _round6(gain / inc))
        return known[1]

    def room_left(self, t: int) -> float:
        """`_round6(room[t])`."""
        room = self.room[t]
        known = self.rounded_room.get(t)
        if known is None or known[0] != room:
            known = self.rounded_room[t] = (room, _round6(room))
        return known[1]


def _round6(value: float) -> float:
    """`value` to six decimals as numpy rounds a float64: scaled by 1e6, to the nearest
    integer (ties to even, as `round` of a float does), scaled back; numpy's own
    `round(np.float64(value), 6)` does the same operations 25 times slower, which was a
    tenth of a failing rounding's time at M. (Numpy keeps -0.0 where this gives 0.0;
    the two compare equal, and the rounding only compares them.)"""
    return round(value * 1e6) / 1e6


def _gain(d: Deal, amount: float, inc: float) -> float:
    return d.worth(amount + inc) - d.worth(amount)
