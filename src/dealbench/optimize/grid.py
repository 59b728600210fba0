"""Whole steps: a smooth schedule's amounts put on the grid of a granularity.

The deals' terms are fixed (security level, concessions); only compute moves.
Allowed amounts per deal and period are the multiples of the step up to the
limit min(ask, cap), and that limit itself in whole units (one H100e, or one
chip when the step is written in chips): "the full ask" and "the cap" are
amounts a negotiator writes too.

Two ways, the cheap one first, each bound to stay within **one step's value**
of the smooth schedule (`step_value`): in `us-best`, V may fall by at most the
US value of one step of the most valuable compute (step x max |export value -
risk penalty x risk weight| over the deals); in `partner-best`, the partners'
total by at most the value of one step to the partner that values compute most,
with V at the floor or above.

- `largest_remainder`: every amount rounded down, partners that no longer
  accept get steps back (largest remainder first; when no step fits, a deal
  that accepts without one of its own gives it up), then the remaining
  remainders are rounded up, largest first, where supply and the risk budget
  leave room and the objective gains. Milliseconds.
- `closest`: a small MIP (HiGHS) for the grid schedule closest to the smooth
  one (each deal's distance relative to its total) under every row of the
  portfolio and the bound. Used when the first fails.

Both return None when there is no such schedule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealbench.model.schema import Granularity, Package, Partner, Portfolio, value_on
from dealbench.optimize.formulation import COMPUTE, MONEY, Mode
from dealbench.optimize.highs import INF, new_highs, pass_model

Vector = np.ndarray[Any, np.dtype[np.float64]]

#: The exact search runs on portfolios of at most this many (deal, period) amounts: its
#: root alone can take seconds on 33 deals x 12 quarters (bench size M), where the
#: schedule step must stay under a fifth of the solve. A size rule, not a clock, so
#: the answer is the same on every run.
CLOSEST_MAX_AMOUNTS = 200
#: Its branch and bound stops after CLOSEST_WORK / columns² nodes (a node's cost grows
#: with about the square of its model's columns: 3 ms at 129 columns, 25-50 ms at 735),
#: between CLOSEST_MIN_NODES and CLOSEST_MAX_NODES, with the closest schedule found by
#: then. A count, not a clock: it stopped after 2 s, so a loaded machine returned another
#: schedule than a quiet one (a 12-partner, 3-period portfolio needs 401 nodes, 0.6 s
#: quiet and 1.9 s under load).
CLOSEST_WORK = 8_000_000
CLOSEST_MAX_NODES = 5_000
CLOSEST_MIN_NODES = 10
#: Only a guard against a pathology (an LP that does not end): the node count stops every
#: search far sooner (bench/README.md, "The schedule's exact search by count").
CLOSEST_LIMIT_S = 60.0


@dataclass
class Deal:
    """One package's fixed terms, as the schedule needs them (USD, H100e)."""

    package: Package
    partner: Partner
    index: int  # the partner's place in the portfolio
    top: list[float]  # per period: the largest amount allowed (the limit in whole units)
    a: float  # US value of one H100e delivered
    risk: float  # risk weight
    need: float  # what the partner's value of compute must reach for it to accept
    us_const: float  # US value of the concessions
    #: The partner's value segments (width H100e, USD per H100e), read once: the
    #: rounding asks for values tens of thousands of times at M.
    segments: list[tuple[float, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.segments = self.partner.segments

    def worth(self, h100e: float) -> float:
        """`Partner.value_of` on the segments read once."""
        return value_on(self.segments, h100e)

    def value(self, amounts: Any) -> float:
        return sum(self.worth(float(x)) for x in amounts)


def deal_of(pf: Portfolio, package: Package, grid: Granularity) -> Deal:
    # Its place by code (what `pf.partner` matches), not `partners.index`: that compares
    # whole partners field by field, half of this function's time at M.
    index = next(k for k, p in enumerate(pf.partners) if p.code == package.partner)
    partner = pf.partners[index]
    policy = pf.policy
    level = package.security
    risk = partner.diversion_risk * (1.0 - policy.level(level).mitigation)
    cost, us_value = 0.0, 0.0
    for cid, lid in package.granted().items():
        concession = partner.concession(cid)
        option = concession.option(lid) if concession else None
        assert option is not None
        cost += option.partner_cost
        us_value += option.us_value
    need = partner.batna + policy.acceptance_margin + partner.security_costs[level] + cost
    limits = [pf.cap(partner, level, t) for t in pf.periods]
    return Deal(
        package=package,
        partner=partner,
        index=index,
        top=limits if grid.h100e == 0 else [whole(m, grid.unit) for m in limits],
        a=policy.export_value_per_h100e - policy.risk_penalty_per_h100e * risk,
        risk=risk,
        need=need,
        us_const=us_value,
    )


def us_floor(pf: Portfolio, v_floor: float | None) -> float:
    """partner-best: the least V, USD (default: what the US has without any deal)."""
    return sum(p.us_batna for p in pf.partners) if v_floor is None else v_floor


#: USD by which rounded amounts may miss partner-best's V floor, as they may miss a
#: partner's acceptance (`_keeps`): float noise. A floor set at a package's own V (an
#: offer at the US ideal) was missed by a hair at the declared step, which the rounding
#: then refined (256-chip steps became 25) for no gain the floor could see.
FLOOR_TOL = 1e3


def v_least(pf: Portfolio, v_floor: float | None) -> float:
    """The least V rounded amounts may give under partner-best (`us_floor`, less `FLOOR_TOL`)."""
    return us_floor(pf, v_floor) - FLOOR_TOL


def us_rest(pf: Portfolio, deals: list[Deal]) -> float:
    """V apart from compute: the concessions, and us_batna where there is no deal (USD)."""
    in_deal = {d.partner.code for d in deals}
    no_deal = sum(p.us_batna for p in pf.partners if p.code not in in_deal)
    return sum(d.us_const for d in deals) + no_deal


def partner_rest(pf: Portfolio, deals: list[Deal]) -> float:
    """The partners' total apart from the value of compute (USD)."""
    in_deal = {d.partner.code for d in deals}
    no_deal = sum(p.batna for p in pf.partners if p.code not in in_deal)
    margin = pf.policy.acceptance_margin
    return no_deal - sum(d.need - d.partner.batna - margin for d in deals)


def objective(pf: Portfolio, mode: Mode, deals: list[Deal], x: Vector) -> float:
    """V (us-best) or the partners' total (partner-best) of amounts `x`, USD."""
    if mode == "us-best":
        return us_rest(pf, deals) + sum(d.a * float(x[i].sum()) for i, d in enumerate(deals))
    return partner_rest(pf, deals) + sum(d.value(x[i]) for i, d in enumerate(deals))


def step_value(mode: Mode, deals: list[Deal], step: float) -> float:
    """What rounding may cost: one step of the most valuable compute (see module)."""
    if mode == "us-best":
        return step * max((abs(d.a) for d in deals), default=0.0)
    return step * max((d.partner.segments[0][1] for d in deals), default=0.0)


def whole(amount: float, unit: float) -> float:
    """`amount` floored to whole units (a hair of float noise forgiven)."""
    return clean(math.floor(amount / unit + 1e-9) * unit)


def clean(amount: float) -> float:
    """A whole number of H100e stays exactly whole (no 35000.000000001)."""
    nearest = round(amount)
    return float(nearest) if abs(amount - nearest) < 1e-6 else float(amount)


def _keeps(
    pf: Portfolio, mode: Mode, deals: list[Deal], x: Vector, least: float, v_floor: float | None
) -> bool:
    """Every partner accepts, the objective is within one step's value, and (partner-best)
    V is at the floor."""
    if any(d.value(x[i]) < d.need - 1e3 for i, d in enumerate(deals)):
        return False
    if objective(pf, mode, deals, x) < least:
        return False
    return mode == "us-best" or objective(pf, "us-best", deals, x) >= v_least(pf, v_floor)


# --- largest remainder ---------------------------------------------------------------------


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
    return (out if _keeps(pf, mode, deals, out, least, v_floor) else None), gave


def _round6(value: float) -> float:
    """`value` to six decimals as numpy rounds a float64: scaled by 1e6, to the nearest
    integer (ties to even, as `round` of a float does), scaled back; numpy's own
    `round(np.float64(value), 6)` does the same operations 25 times slower, which was a
    tenth of a failing rounding's time at M. (Numpy keeps -0.0 where this gives 0.0;
    the two compare equal, and the rounding only compares them.)"""
    return round(value * 1e6) / 1e6


def _gain(d: Deal, amount: float, inc: float) -> float:
    return d.worth(amount + inc) - d.worth(amount)


# --- dips of one unit ------------------------------------------------------------------


def fill_dips(pf: Portfolio, mode: Mode, deals: list[Deal], x: Vector, unit: float) -> Vector:
    """Single-unit amounts with their one-unit dips filled by exchange, or `x` itself.

    In single units the greedy places each unit where supply is left, so a deal can end
    a unit lower in a middle period than on both sides of it (146,191 / 146,190 /
    146,191). A dip is filled by a unit from a neighbouring period of the same deal (the
    earlier one first: a remainder belongs to the later periods), while another deal
    moves a unit the other way: every period's supply and every deal's total stay, so V
    and the risk used stay too. An exchange is made only when the deal loses a dip and
    changes no more between periods, the other deal gains no dip, the two together change
    no more relative to their totals (as the smoothing counts), and no partner and not
    the objective lose more than a dollar (concave values); deals in the portfolio's
    order, the other deal the first listed that qualifies."""
    D, T = x.shape
    if T < 3 or D < 2:
        return x
    out = x.copy()
    order = sorted(range(D), key=lambda i: deals[i].index)
    worth = [d.value(out[i]) for i, d in enumerate(deals)]
    total = objective(pf, mode, deals, out)
    for _ in range(D * T):  # each exchange removes a dip; bounded besides
        move = _first_fill(pf, mode, deals, out, unit, order, worth, total)
        if move is None:
            break
        out, worth, total = move
    return out


def _dips(row: Any) -> int:
    return sum(1 for t in range(1, len(row) - 1) if row[t] < row[t - 1] and row[t] < row[t + 1])


def _changes(row: Any) -> float:
    return float(sum(abs(row[t] - row[t - 1]) for t in range(1, len(row))))


def _steadiness(row: Any) -> float:
    """The change between periods relative to the deal's total, as the smoothing counts."""
    return _changes(row) / max(float(sum(row)), 1.0)


def _first_fill(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    x: Vector,
    unit: float,
    order: list[int],
    worth: list[float],
    total: float,
) -> tuple[Vector, list[float], float] | None:
    """The first exchange `fill_dips` allows: the new amounts, values and objective."""
    T = x.shape[1]
    for i in order:
        row = x[i]
        for t in range(1, T - 1):
            if not (row[t] < row[t - 1] and row[t] < row[t + 1]):
                continue
            if row[t] + unit > deals[i].top[t] + 1e-9:
                continue
            for s in (t - 1, t + 1):
                if row[s] - unit < -1e-9:
                    continue
                mine = row.copy()
                mine[t] += unit
                mine[s] -= unit
                if _dips(mine) >= _dips(row) or _changes(mine) > _changes(row):
                    continue
                for j in order:
                    if j == i or x[j, t] - unit < -1e-9:
                        continue
                    if x[j, s] + unit > deals[j].top[s] + 1e-9:
                        continue
                    theirs = x[j].copy()
                    theirs[t] -= unit
                    theirs[s] += unit
                    if _dips(theirs) > _dips(x[j]):
                        continue
                    before = _steadiness(row) + _steadiness(x[j])
                    if _steadiness(mine) + _steadiness(theirs) > before:
                        continue
                    mine_worth, their_worth = deals[i].value(mine), deals[j].value(theirs)
                    if mine_worth < worth[i] - 1.0 or their_worth < worth[j] - 1.0:
                        continue
                    moved = x.copy()
                    moved[i], moved[j] = mine, theirs
                    after = objective(pf, mode, deals, moved)
                    if after < total - 1.0:
                        continue
                    values = list(worth)
                    values[i], values[j] = mine_worth, their_worth
                    return moved, values, after
    return None


# --- closest, exactly ----------------------------------------------------------------------


def closest(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    step: float,
    least: float,
    v_floor: float | None,
    threads: int | None = None,
    best: bool = False,
    steady: bool = True,
) -> Vector | None:
    """The grid schedule closest to `smooth` under every row and the bound, or None.

    Closeness is the distance to the smooth amounts plus the change between consecutive
    periods (so rounding adds no dips), each deal's relative to its total.
    `steady=False`: the distance alone, for a bargaining point's own amounts, which need not
    be smooth: counting their changes made a deal of 2,266 / 0 H100e as close at nothing
    as at 2,000 / 0, and its partner's share, and kalai's tau, fell to 0."""
    if smooth.size > CLOSEST_MAX_AMOUNTS and not best:
        return None
    D, T = smooth.shape
    lower: list[float] = []
    upper: list[float] = []
    integer: list[bool] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    row_lo: list[float] = []
    row_hi: list[float] = []

    def col(lo: float, hi: float, is_int: bool = False) -> int:
        lower.append(lo)
        upper.append(hi)
        integer.append(is_int)
        return len(lower) - 1

    def row(terms: dict[int, float], lo: float, hi: float) -> None:
        r = len(row_lo)
        for c, v in terms.items():
            rows.append(r)
            cols.append(c)
            vals.append(v)
        row_lo.append(lo)
        row_hi.append(hi)

    x: dict[tuple[int, int], dict[int, float]] = {}
    top_col: dict[tuple[int, int], int] = {}
    value: dict[int, float] = {}
    distance: dict[int, float] = {}
    for i, d in enumerate(deals):
        accept: dict[int, float] = {}
        weight = 1.0 / max(float(smooth[i].sum()) / COMPUTE, step / COMPUTE)
        for t in range(T):
            count = math.floor(d.top[t] / step + 1e-9)
            rest = d.top[t] - count * step
            n = col(0.0, float(count), True)
            x[i, t] = {n: step / COMPUTE}
            if rest > 1e-9 * step:
                top_col[i, t] = b = col(0.0, 1.0, True)
                x[i, t][b] = rest / COMPUTE
                row({b: float(count), n: -1.0}, -INF, 0.0)  # top = 1 only at n = count
            left, ys = d.top[t], {}
            for width, per in d.partner.segments:
                if left <= 0:
                    break
                y = col(0.0, min(width, left) / COMPUTE)
                ys[y] = 1.0
                accept[y] = value[y] = per * COMPUTE / MONEY
                left -= min(width, left)
            row({**ys, **{c: -v for c, v in x[i, t].items()}}, -INF, 0.0)
            dist = col(0.0, INF)
            distance[dist] = weight
            target = float(smooth[i, t]) / COMPUTE
            row({dist: 1.0, **{c: -v for c, v in x[i, t].items()}}, -target, INF)
            row({dist: 1.0, **x[i, t]}, target, INF)
            if t > 0 and steady:
                change = dict(x[i, t])
                for c, v in x[i, t - 1].items():
                    change[c] = change.get(c, 0.0) - v
                tv = col(0.0, INF)
                distance[tv] = weight
                row({tv: 1.0, **{c: -v for c, v in change.items()}}, 0.0, INF)
                row({tv: 1.0, **change}, 0.0, INF)
        row(accept, d.need / MONEY, INF)
    for t, period in enumerate(pf.periods):
        row({c: v for i in range(D) for c, v in x[i, t].items()}, -INF, pf.supply[period] / COMPUTE)
    if pf.risk_budget is not None:
        risk = {
            c: v * d.risk for i, d in enumerate(deals) for t in range(T) for c, v in x[i, t].items()
        }
        row(risk, -INF, pf.risk_budget / COMPUTE)
    gain = {
        c: v * d.a * COMPUTE / MONEY
        for i, d in enumerate(deals)
        for t in range(T)
        for c, v in x[i, t].items()
    }
    if mode == "us-best":
        row(gain, (least - us_rest(pf, deals)) / MONEY, INF)
    else:
        row(gain, (v_least(pf, v_floor) - us_rest(pf, deals)) / MONEY, INF)
        row(value, (least - partner_rest(pf, deals)) / MONEY, INF)

    h = new_highs(threads=threads, time_limit=CLOSEST_LIMIT_S)
    nodes = CLOSEST_WORK // max(len(lower), 1) ** 2
    h.setOptionValue("mip_max_nodes", min(CLOSEST_MAX_NODES, max(CLOSEST_MIN_NODES, nodes)))
    cost = np.zeros(len(lower))
    for c, w in distance.items():
        cost[c] = w
    if best:  # the best objective instead: a diagnosis of what the grid allows
        cost[:] = 0.0
        for c, w in (gain if mode == "us-best" else value).items():
            cost[c] = -w
    pass_model(
        h,
        cost=cost,
        lower=np.array(lower),
        upper=np.array(upper),
        row_lower=np.array(row_lo),
        row_upper=np.array(row_hi),
        matrix=(np.array(rows), np.array(cols), np.array(vals, dtype=np.float64)),
        integer=np.array(integer, dtype=bool),
        maximize=False,
    )
    h.run()
    if h.getInfo().primal_solution_status != 2:  # 2: feasible
        return None
    solution = np.array(h.getSolution().col_value)
    out = np.zeros((D, T))
    for (i, t), terms in x.items():
        n = next(iter(terms))
        amount = round(float(solution[n])) * step
        if (i, t) in top_col and round(float(solution[top_col[i, t]])) == 1:
            amount = deals[i].top[t]
        out[i, t] = clean(amount)
    return out if _keeps(pf, mode, deals, out, least, v_floor) else None
