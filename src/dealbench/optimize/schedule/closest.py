"""The grid schedule closest to the smooth one, exactly: a small MIP (HiGHS) under every
row of the portfolio and `optimize.schedule.grid`'s bound, each deal's distance relative to its
total (`closest`). Used when largest remainders (`optimize.schedule.remainder`) fail."""

from __future__ import annotations

import math

import numpy as np

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import COMPUTE, MONEY, Mode
from dealbench.optimize.highs import INF, new_highs
from dealbench.optimize.schedule.grid import (
    Deal,
    Vector,
    clean,
    keeps,
    partner_rest,
    us_rest,
    v_least,
)
from dealbench.optimize.triplets import Triplets

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
    lp = Triplets()
    x: dict[tuple[int, int], dict[int, float]] = {}
    top_col: dict[tuple[int, int], int] = {}
    value: dict[int, float] = {}
    distance: dict[int, float] = {}
    for i, d in enumerate(deals):
        _add_deal(lp, i, d, smooth[i], step, steady, x, top_col, value, distance)
    gain = _add_shared_rows(lp, pf, mode, deals, T, x, value, least, v_floor)
    cost = np.zeros(lp.n_cols)
    for c, w in distance.items():
        cost[c] = w
    if best:  # the best objective instead: a diagnosis of what the grid allows
        cost[:] = 0.0
        for c, w in (gain if mode == "us-best" else value).items():
            cost[c] = -w
    solution = _solve(lp, cost, threads)
    if solution is None:
        return None
    out = np.zeros((D, T))
    for (i, t), terms in x.items():
        n = next(iter(terms))
        amount = round(float(solution[n])) * step
        if (i, t) in top_col and round(float(solution[top_col[i, t]])) == 1:
            amount = deals[i].top[t]
        out[i, t] = clean(amount)
    return out if keeps(pf, mode, deals, out, least, v_floor) else None


def _add_deal(
    lp: Triplets,
    i: int,
    d: Deal,
    smooth: Vector,
    step: float,
    steady: bool,
    x: dict[tuple[int, int], dict[int, float]],
    top_col: dict[tuple[int, int], int],
    value: dict[int, float],
    distance: dict[int, float],
) -> None:
    """Deal `i`'s amounts in steps (and its top where off the grid: `top_col`), its value
    segments (`value`), its distance to `smooth` and change between periods (`distance`,
    weighted by its total), and its acceptance row."""
    T = len(smooth)
    accept: dict[int, float] = {}
    weight = 1.0 / max(float(smooth.sum()) / COMPUTE, step / COMPUTE)
    for t in range(T):
        count = math.floor(d.top[t] / step + 1e-9)
        rest = d.top[t] - count * step
        n = lp.col(0.0, float(count), integer=True)
        x[i, t] = {n: step / COMPUTE}
        if rest > 1e-9 * step:
            top_col[i, t] = b = lp.col(0.0, 1.0, integer=True)
            x[i, t][b] = rest / COMPUTE
            lp.row({b: float(count), n: -1.0}, -INF, 0.0)  # top = 1 only at n = count
        left, ys = d.top[t], {}
        for width, per in d.partner.segments:
            if left <= 0:
                break
            y = lp.col(0.0, min(width, left) / COMPUTE)
            ys[y] = 1.0
            accept[y] = value[y] = per * COMPUTE / MONEY
            left -= min(width, left)
        lp.row({**ys, **{c: -v for c, v in x[i, t].items()}}, -INF, 0.0)
        dist = lp.col(0.0, INF)
        distance[dist] = weight
        target = float(smooth[t]) / COMPUTE
        lp.row({dist: 1.0, **{c: -v for c, v in x[i, t].items()}}, -target, INF)
        lp.row({dist: 1.0, **x[i, t]}, target, INF)
        if t > 0 and steady:
            change = dict(x[i, t])
            for c, v in x[i, t - 1].items():
                change[c] = change.get(c, 0.0) - v
            tv = lp.col(0.0, INF)
            distance[tv] = weight
            lp.row({tv: 1.0, **{c: -v for c, v in change.items()}}, 0.0, INF)
            lp.row({tv: 1.0, **change}, 0.0, INF)
    lp.row(accept, d.need / MONEY, INF)


def _add_shared_rows(
    lp: Triplets,
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    T: int,
    x: dict[tuple[int, int], dict[int, float]],
    value: dict[int, float],
    least: float,
    v_floor: float | None,
) -> dict[int, float]:
    """Each period's supply, the risk budget and the objective's bound (us-best: and each
    deal's least US value, `Deal.us_least`; partner-best: the V floor); the US gain's
    coefficients."""
    D = len(deals)
    for t, period in enumerate(pf.periods):
        row = {c: v for i in range(D) for c, v in x[i, t].items()}
        lp.row(row, -INF, pf.supply[period] / COMPUTE)
    if pf.risk_budget is not None:
        risk = {
            c: v * d.risk for i, d in enumerate(deals) for t in range(T) for c, v in x[i, t].items()
        }
        lp.row(risk, -INF, pf.risk_budget / COMPUTE)
    gain = {
        c: v * d.a * COMPUTE / MONEY
        for i, d in enumerate(deals)
        for t in range(T)
        for c, v in x[i, t].items()
    }
    if mode == "us-best":
        lp.row(gain, (least - us_rest(pf, deals)) / MONEY, INF)
        for i, d in enumerate(deals):  # each deal's own floor (`Deal.us_least`)
            if d.us_least > -math.inf:
                own = {c: v * d.a * COMPUTE / MONEY for t in range(T) for c, v in x[i, t].items()}
                lp.row(own, (d.us_least - d.us_const) / MONEY, INF)
    else:
        lp.row(gain, (v_least(pf, v_floor) - us_rest(pf, deals)) / MONEY, INF)
        lp.row(value, (least - partner_rest(pf, deals)) / MONEY, INF)
    return gain


def _solve(lp: Triplets, cost: Vector, threads: int | None) -> Vector | None:
    """The MIP minimising `cost` in HiGHS, its branch and bound held to a node count
    (`CLOSEST_WORK`); the columns' values, or None when no feasible point was found."""
    h = new_highs(threads=threads, time_limit=CLOSEST_LIMIT_S)
    nodes = CLOSEST_WORK // max(lp.n_cols, 1) ** 2
    h.setOptionValue("mip_max_nodes", min(CLOSEST_MAX_NODES, max(CLOSEST_MIN_NODES, nodes)))
    lp.arrays().pass_to(h, cost=cost, maximize=False)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # 2: feasible
        return None
    solution: Vector = np.array(h.getSolution().col_value)
    return solution
