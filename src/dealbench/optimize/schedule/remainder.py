"""Whole steps by largest remainders: every amount rounded down, partners that no longer
accept get steps back (largest remainder first; when no step fits, a deal that accepts
without one of its own gives it up), then the remaining remainders are rounded up,
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


#: The share of a step below which an amount is taken as on the step (`_greedy`).
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
    D, T = smooth.shape
    gave = False
    top = np.array([d.top for d in deals])

    def whole_steps(snap: float) -> Vector:
        """Each amount floored to whole steps (its top when it reaches it), `snap` of a
        step below a step counted as that step."""
        floor = np.floor(smooth / step + snap) * step
        out: Vector = np.minimum(np.where(smooth >= top - 1e-6, top, floor), top)
        return out

    # An amount a hair below a step (the smoothing's trade, LP noise) is that step: floored,
    # it would leave a whole step to place again, and the step may go where it is worth less.
    x = whole_steps(SNAP)
    supply = np.array([pf.supply[t] for t in pf.periods])
    risk = np.array([d.risk for d in deals])
    limit = np.inf if pf.risk_budget is None else pf.risk_budget
    # ... where the shared limits have the hair: 41,999 H100e of 125,999 left is no step of
    # 1,000 to take (it overran supply by one H100e, and `check` refused the schedule).
    floored = whole_steps(0.0)
    over = x.sum(axis=0) > supply + 1e-6
    x[:, over] = floored[:, over]
    if float(risk @ x.sum(axis=1)) > limit + 1e-6:
        x = floored
    remainder = smooth - x
    room = supply - x.sum(axis=0)
    budget = limit - float(risk @ x.sum(axis=1))
    v_now = objective(pf, "us-best", deals, x)
    least_v = v_least(pf, v_floor) if mode == "partner-best" else -np.inf
    # Plain lists from here: indexing numpy arrays element by element was half the time.
    # The same doubles and the same operations; `_round6` rounds as numpy did.
    x, top, remainder = x.tolist(), top.tolist(), remainder.tolist()
    room, risk = room.tolist(), risk.tolist()

    def up(i: int, t: int) -> float:
        """The increase to the next allowed amount, if it fits (else 0)."""
        inc = min(x[i][t] + step, top[i][t]) - x[i][t]
        fits = inc > 1e-9 and inc <= room[t] + 1e-6 and risk[i] * inc <= budget + 1e-6
        return inc if fits else 0.0

    value = [d.value(x[i]) for i, d in enumerate(deals)]  # each partner's, kept current

    def take(i: int, t: int, inc: float) -> None:
        nonlocal budget, v_now
        before = x[i][t]
        x[i][t] = clean(x[i][t] + inc)
        value[i] += _gain(deals[i], before, x[i][t] - before)
        room[t] -= inc
        budget -= risk[i] * inc
        remainder[i][t] -= inc
        v_now += deals[i].a * inc

    # The step below each amount and what the partner loses with it, kept while the
    # amount stays (make_room asks for every deal and period each time).
    below: dict[tuple[int, int], tuple[Any, float, float]] = {}

    def step_down(k: int, t: int) -> tuple[float, float]:
        """The decrease to the allowed amount below, and the partner's value of it."""
        known = below.get((k, t))
        if known is None or known[0] != x[k][t]:
            dec = x[k][t] - math.floor(x[k][t] / step - 1e-9) * step if x[k][t] > 1e-9 else 0.0
            lost = _gain(deals[k], x[k][t] - dec, dec) if dec > 1e-9 else 0.0
            known = below[k, t] = (x[k][t], dec, lost)
        return known[1], known[2]

    def down(k: int, t: int) -> float:
        """The decrease to the allowed amount below, if deal k still accepts (else 0)."""
        dec, lost = step_down(k, t)
        if dec <= 1e-9:
            return 0.0
        if value[k] - lost < deals[k].need:
            return 0.0
        return dec if v_now - deals[k].a * dec >= least_v else 0.0

    def make_room(i: int) -> bool:
        """Deal i has no step that fits: a step given back by another deal (one that still
        accepts without it) makes room; the one the objective misses least, then the one
        listed first, then the later period. False when no step helps."""
        options = []
        for t in range(T):
            inc = min(x[i][t] + step, top[i][t]) - x[i][t]
            if inc <= 1e-9:
                continue
            # Only a step that frees what the increase lacks (supply or budget) helps.
            lacks_supply = inc > room[t] + 1e-6
            lacks_budget = risk[i] * inc > budget + 1e-6
            if not lacks_supply and not lacks_budget:
                continue
            for k in range(D):
                if k == i or (not lacks_supply and risk[k] <= 0):
                    continue
                if (dec := down(k, t)) <= 0:
                    continue
                if not lacks_supply and not risk[k] * dec > 1e-12:
                    continue
                loss = deals[k].a * dec if mode == "us-best" else step_down(k, t)[1]
                options.append((_round6(loss / dec), deals[k].index, -t, k, t, dec))
        if not options:
            return False
        _, _, _, k, t, dec = min(options)
        take(k, t, -dec)
        return True

    # What each option costs to compute, kept while its inputs stay: only the period just
    # stepped (and the one a step was given back in) changes, so the others are not
    # computed again (half the rounding's time at M). The same numbers, in the same order.
    per_unit: dict[tuple[int, int], tuple[Any, Any]] = {}
    rounded_room: dict[int, tuple[Any, Any]] = {}

    def gain_per_unit(i: int, t: int, inc: float) -> float:
        """round(_gain(deal i, x[i][t], inc) / inc, 6); inc depends on x[i][t] alone."""
        known = per_unit.get((i, t))
        if known is None or known[0] != x[i][t]:
            gain = _gain(deals[i], x[i][t], inc)
            known = per_unit[i, t] = (x[i][t], _round6(gain / inc))
        return known[1]

    def room_left(t: int) -> float:
        """`_round6(room[t])`."""
        known = rounded_room.get(t)
        if known is None or known[0] != room[t]:
            known = rounded_room[t] = (room[t], _round6(room[t]))
        return known[1]

    for i, d in enumerate(deals):
        budget_moves = 4 * D * T  # a guard: giving back steps always ends, bounded anyway
        while value[i] < d.need:
            # The step that adds most to the partner's value per H100e, then the period
            # with most room left (keeping tight periods for deals that need them), then
            # the largest remainder, then the later period.
            options = [
                (gain_per_unit(i, t, inc), room_left(t), remainder[i][t], t)
                for t in range(T)
                if (inc := up(i, t)) > 0
            ]
            if not options:
                gave = True
                budget_moves -= 1
                if not donors or budget_moves < 0 or not make_room(i):
                    return None, gave
                continue
            t = max(options)[3]
            take(i, t, up(i, t))
    gains = [
        (remainder[i][t], -deals[i].index, t, i)
        for i in range(D)
        for t in range(T)
        if remainder[i][t] > 1e-9 and (deals[i].a > 0 or mode == "partner-best")
    ]
    for _, _, t, i in sorted(gains, reverse=True):
        inc = up(i, t)
        if inc > 0 and v_now + deals[i].a * inc >= least_v:
            take(i, t, inc)
    out: Vector = np.array(x)
    return (out if keeps(pf, mode, deals, out, least, v_floor) else None), gave


def _round6(value: float) -> float:
    """`value` to six decimals as numpy rounds a float64: scaled by 1e6, to the nearest
    integer (ties to even, as `round` of a float does), scaled back; numpy's own
    `round(np.float64(value), 6)` does the same operations 25 times slower, which was a
    tenth of a failing rounding's time at M. (Numpy keeps -0.0 where this gives 0.0;
    the two compare equal, and the rounding only compares them.)"""
    return round(value * 1e6) / 1e6


def _gain(d: Deal, amount: float, inc: float) -> float:
    return d.worth(amount + inc) - d.worth(amount)
