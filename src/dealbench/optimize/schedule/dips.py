"""One-unit dips filled: in single units, a deal a unit lower in a middle period than on
both sides of it gets the unit back by an exchange with another deal (`fill_dips`)."""

from __future__ import annotations

from typing import Any

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import Mode
from dealbench.optimize.schedule.grid import Deal, Vector, objective


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
