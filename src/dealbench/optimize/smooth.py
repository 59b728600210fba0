"""The smooth schedule: four lexicographic linear programs with every choice fixed.

With the deals' terms fixed (security levels, concessions), compute is a
linear program over the portfolio's rows: acceptance (the concave value in
segments), caps and asks, supply, the risk budget, and in `partner-best` the
US floor. Four stages, each kept as a row when the next runs (HiGHS, arrays):

1. **value**: the best objective (V in `us-best`; the partners' total in
   `partner-best`); later stages may give up a twentieth of the solve's gap of it;
2. **steadiness**: the least total change between consecutive periods,
   sum |x[t] - x[t-1]| (no mid-horizon zeros, no small dips);
3. **evenness**: the least deviation from equal amounts, |T x[t] - sum x|,
   convex in pieces (`EVEN_PIECES`), so equal yearly amounts where the limits
   allow and small deviations rather than one large one;
4. **a fixed tie-break**: a remainder goes to the later periods, a tie between
   partners to the one listed first.

Stages 2-4 count each deal relative to its total, as a negotiator reads a
schedule. The answer depends only on the choices, so two solvers that agree
on the terms give the same schedule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealbench.model.schema import Portfolio
from dealbench.optimize.decomposition.highs import INF, new_highs, pass_model
from dealbench.optimize.formulate import COMPUTE, MONEY, Mode
from dealbench.optimize.grid import Deal, Vector, partner_rest, us_floor, us_rest

__all__ = ["EVEN_PIECES", "smooth_schedule"]


#: HiGHS's `simplex_strategy` values.
SIMPLEX_DUAL, SIMPLEX_PRIMAL = 1, 4

#: The share of the solve's relative gap the shape stages may give up; rounding may give
#: up as much again (`schedule.GAP_SHARE`), a tenth of the gap in all.
SMOOTH_SHARE = 0.05


class _Model:
    """Columns and rows of a linear program, collected as triplets."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    def col(self, lower: float, upper: float) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.lower) - 1

    def row(self, terms: dict[int, float], lower: float, upper: float) -> None:
        r = len(self.row_lower)
        for c, v in terms.items():
            if v != 0.0:
                self.rows.append(r)
                self.cols.append(c)
                self.vals.append(v)
        self.row_lower.append(lower)
        self.row_upper.append(upper)


@dataclass
class _Layout:
    """Where each deal's amounts live in the model (model units: COMPUTE, MONEY)."""

    model: _Model
    x: dict[tuple[int, int], int] = field(default_factory=dict)  # (deal, period) -> column
    value: dict[int, float] = field(default_factory=dict)  # partner value of segment columns
    tv: dict[int, list[int]] = field(default_factory=dict)  # deal -> |x[t] - x[t-1]| columns
    #: deal -> per period, the pieces of |T x[t] - sum x| (see `EVEN_PIECES`)
    dev: dict[int, list[list[int]]] = field(default_factory=dict)


#: Evenness is convex, close to quadratic: each 2.5% of the deal's total by which an
#: amount (times T) strays from the equal amount costs one more per unit than the last,
#: so two small deviations beat one large one (97,000 / 40,000 / 97,000 rather than
#: 78,000 / 40,000 / 116,000).
EVEN_PIECES: tuple[tuple[float, float], ...] = (
    *((0.025, float(k + 1)) for k in range(20)),
    (INF, 21.0),
)


def smooth_schedule(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    gap: float,
    v_floor: float | None,
    threads: int | None,
    timings: dict[str, float],
) -> Vector | None:
    """(D, T) amounts in H100e: the four stages as linear programs, every choice fixed."""
    start = time.perf_counter()
    lay = _build(pf, mode, deals, v_floor)
    m = lay.model
    n_cols = len(m.lower)
    h = new_highs(threads=threads)
    pass_model(
        h,
        cost=np.zeros(n_cols),
        lower=np.array(m.lower),
        upper=np.array(m.upper),
        row_lower=np.array(m.row_lower),
        row_upper=np.array(m.row_upper),
        matrix=(
            np.array(m.rows, dtype=np.int64),
            np.array(m.cols, dtype=np.int64),
            np.array(m.vals, dtype=np.float64),
        ),
    )
    timings["schedule build"] = time.perf_counter() - start
    T = len(pf.periods)
    stages = [("schedule value", _value_cost(mode, deals, lay, T, n_cols), True)]
    solution: Vector | None = None
    for stage in range(4):
        if stage in (2, 3):
            # Evenness changes only costs and adds a row its start meets: primal simplex
            # goes on from that feasible basis (M: 0.34 -> 0.05 s). The tie-break stays
            # dual: primal returned another of two equal schedules there.
            h.setOptionValue("simplex_strategy", SIMPLEX_PRIMAL if stage == 2 else SIMPLEX_DUAL)
        if stage == 1:
            assert solution is not None
            stages += _shape_costs(deals, lay, T, n_cols, solution)
            _even_widths(h, deals, lay, T, solution)
        name, cost, maximise = stages[stage]
        clock = time.perf_counter()
        value = _run_stage(h, cost, maximise)
        timings[name] = time.perf_counter() - clock
        if value is None:
            if solution is None:
                return None
            break  # keep the previous stage's schedule
        solution = np.array(h.getSolution().col_value)
        if stage == 0:
            scale = abs(value + _constant(mode, deals, pf) / MONEY)
            slack = SMOOTH_SHARE * max(gap, 1e-9) * scale + 1e-9  # a twentieth of the gap
        else:
            slack = 1e-9 * (1.0 + abs(value))
        _keep(h, cost, value, slack, maximise)
    assert solution is not None
    out = np.zeros((len(deals), T))
    for (i, t), col in lay.x.items():
        out[i, t] = min(max(float(solution[col]) * COMPUTE, 0.0), deals[i].top[t])
    return out


def _build(pf: Portfolio, mode: Mode, deals: list[Deal], v_floor: float | None) -> _Layout:
    """The rows of the portfolio with every choice fixed: a linear program in the amounts."""
    lay = _Layout(_Model())
    m = lay.model
    T = len(pf.periods)
    for i, d in enumerate(deals):
        accept: dict[int, float] = {}
        for t in range(T):
            lay.x[i, t] = x = m.col(0.0, d.top[t] / COMPUTE)
            left = d.top[t]
            ys: dict[int, float] = {}
            for width, value in d.partner.segments:
                if left <= 0:
                    break
                take = min(width, left)
                col = m.col(0.0, take / COMPUTE)
                ys[col] = 1.0
                accept[col] = lay.value[col] = value * COMPUTE / MONEY
                left -= take
            m.row({**ys, x: -1.0}, -INF, 0.0)
        m.row(accept, d.need / MONEY, INF)
    for t, period in enumerate(pf.periods):
        used = {lay.x[i, t]: 1.0 for i in range(len(deals))}
        m.row(used, -INF, pf.supply[period] / COMPUTE)
    if pf.risk_budget is not None:
        risk = {lay.x[i, t]: d.risk for i, d in enumerate(deals) for t in range(T)}
        m.row(risk, -INF, pf.risk_budget / COMPUTE)
    if mode == "partner-best":
        rest = us_rest(pf, deals)
        m.row(_us_gain(deals, lay, T), (us_floor(pf, v_floor) - rest) / MONEY, INF)
    _shape_columns(lay, len(deals), T)
    return lay


def _us_gain(deals: list[Deal], lay: _Layout, T: int) -> dict[int, float]:
    return {lay.x[i, t]: d.a * COMPUTE / MONEY for i, d in enumerate(deals) for t in range(T)}


def _shape_columns(lay: _Layout, D: int, T: int) -> None:
    """|x[t] - x[t-1]| and |T x[t] - sum x| of each deal, as columns bounded from below."""
    m = lay.model
    for i in range(D):
        for t in range(1, T):
            now, before = lay.x[i, t], lay.x[i, t - 1]
            col = m.col(0.0, INF)
            lay.tv.setdefault(i, []).append(col)
            m.row({col: 1.0, now: -1.0, before: 1.0}, 0.0, INF)
            m.row({col: 1.0, now: 1.0, before: -1.0}, 0.0, INF)
        for t in range(T):
            spread = {lay.x[i, s]: (T - 1.0 if s == t else -1.0) for s in range(T)}
            pieces = [m.col(0.0, INF) for _ in EVEN_PIECES]
            lay.dev.setdefault(i, []).append(pieces)
            ones = dict.fromkeys(pieces, 1.0)
            m.row({**ones, **{c: -v for c, v in spread.items()}}, 0.0, INF)
            m.row({**ones, **spread}, 0.0, INF)


def _value_cost(mode: Mode, deals: list[Deal], lay: _Layout, T: int, n_cols: int) -> Vector:
    """Stage 1: V's compute terms (us-best) or the partners' value of compute."""
    value = np.zeros(n_cols)
    terms = _us_gain(deals, lay, T) if mode == "us-best" else lay.value
    for c, v in terms.items():
        value[c] = v
    return value


def _shape_costs(
    deals: list[Deal], lay: _Layout, T: int, n_cols: int, solution: Vector
) -> list[tuple[str, Vector, bool]]:
    """Stages 2-4. Each deal's changes and deviations count relative to its total in
    stage 1, as a negotiator reads them: 10,000 H100e is a ripple in a 600,000
    schedule and a lurch in a 20,000 one, so supply that grows from period to
    period goes to the large schedules and the small ones stay flat."""
    steady, even, tie = np.zeros(n_cols), np.zeros(n_cols), np.zeros(n_cols)
    D = len(deals)
    rank = {i: r for r, i in enumerate(sorted(range(D), key=lambda i: deals[i].index))}
    for i in range(D):
        total = sum(float(solution[lay.x[i, t]]) for t in range(T))
        weight = 1.0 / max(total, 1.0)  # model units: at least 1,000 H100e
        steady[lay.tv.get(i, [])] = weight
        for pieces in lay.dev.get(i, []):
            for col, (_, price) in zip(pieces, EVEN_PIECES, strict=True):
                even[col] = price * weight / T
        for t in range(T):
            tie[lay.x[i, t]] = ((T - t) * (D + 1) + rank[i] + 1) * weight
    return [
        ("schedule steadiness", steady, False),
        ("schedule evenness", even, False),
        ("schedule tie-break", tie, False),
    ]


def _even_widths(h: Any, deals: list[Deal], lay: _Layout, T: int, solution: Vector) -> None:
    """The pieces of each deviation, as shares of the deal's total in stage 1."""
    cols, upper = [], []
    for i in range(len(deals)):
        total = max(sum(float(solution[lay.x[i, t]]) for t in range(T)), 1e-6)
        for pieces in lay.dev.get(i, []):
            for col, (share, _) in zip(pieces, EVEN_PIECES, strict=True):
                cols.append(col)
                upper.append(share * total if share != INF else INF)
    if cols:
        n = len(cols)
        h.changeColsBounds(n, np.array(cols, dtype=np.int32), np.zeros(n), np.array(upper))


def _run_stage(h: Any, cost: Vector, maximise: bool) -> float | None:
    """Solve with `cost`; the objective value, or None when the program has no optimum."""
    import highspy

    n = len(cost)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    h.changeObjectiveSense(sense)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def _keep(h: Any, cost: Vector, value: float, slack: float, maximise: bool) -> None:
    """A row that keeps the stage's objective within `slack` of `value`."""
    idx = np.flatnonzero(cost).astype(np.int32)
    lower, upper = (value - slack, INF) if maximise else (-INF, value + slack)
    h.addRow(lower, upper, len(idx), idx, cost[idx])


def _constant(mode: Mode, deals: list[Deal], pf: Portfolio) -> float:
    """The part of the stage-1 objective the model leaves out, USD (for a relative gap)."""
    return us_rest(pf, deals) if mode == "us-best" else partner_rest(pf, deals)
