"""Schedules a negotiator can sign: compute in whole steps, smooth among equal values.

The optimizer's packages fix every discrete choice: which deals, their security
levels and concessions. With those fixed, this module decides each deal's
compute again, in whole steps of the portfolio's granularity, by one small
mixed-integer program solved in four lexicographic stages (HiGHS, from arrays):

1. **value**: the best objective on the grid (V in `us-best`; the partners'
   total utility in `partner-best`, with V at least the floor), every row of
   the portfolio kept: acceptance, caps and asks, supply, the risk budget;
2. **steadiness**: among schedules within the gap of that value, the least
   total change between consecutive periods, sum |x[t] - x[t-1]| (no
   mid-horizon zeros, no small dips);
3. **evenness**: then the least deviation from equal amounts,
   sum |T x[t] - sum x| (equal yearly amounts where the limits allow);
4. **a fixed tie-break**: then the least sum c[t] x[t] with c falling over
   time and rising over the portfolio's partner order (a remainder goes to the
   later periods, a tie between partners to the one listed first), so the
   answer depends neither on the solver's path nor on the optimizer's
   continuous amounts, only on the choices.

Allowed amounts per deal and period are the multiples of the step up to the
limit min(ask, cap), and that limit itself floored to a whole unit (one H100e,
or one chip when the step is written in chips): "the full ask" and "the cap"
are amounts a negotiator writes too. If no grid schedule keeps every partner
accepting within the shared limits, the step is refined by tens down to one
unit, and the result says so; if even that fails, the optimizer's own
amounts are kept, and the result says that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealbench.model.schema import Granularity, Package, Portfolio
from dealbench.optimize.decomposition.highs import INF, new_highs, pass_model
from dealbench.optimize.formulate import COMPUTE, MONEY, Mode
from dealbench.optimize.grid import (
    Deal,
    Vector,
    clean,
    closest,
    deal_of,
    largest_remainder,
    objective,
    partner_rest,
    step_value,
    us_floor,
    us_rest,
)

__all__ = ["Scheduled", "schedule"]

#: Seconds each stage may take; a stage stopped by it keeps its best schedule.
STAGE_LIMIT_S = 10.0


@dataclass
class Scheduled:
    """The packages with their compute decided on the grid, and how that went."""

    packages: list[Package]
    #: The step used, H100e (0: continuous amounts).
    step: float
    #: What a reader must know: a refined step, or amounts left unrounded.
    note: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    #: Single units that overrun a shared limit within the checker's tolerance.
    within_tolerance: bool = False


def schedule(
    portfolio: Portfolio,
    mode: Mode,
    packages: list[Package],
    *,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
    room: Portfolio | None = None,
    tolerance: bool = True,
) -> Scheduled:
    """The packages with compute in whole steps, smooth among equal values (see module).

    `room`: the same portfolio with wider shared limits for the rounding alone (see
    `dealbench.optimize.reserve`); the smooth schedule keeps `portfolio`'s.
    `tolerance`: as a last resort, single units may overrun a shared limit inside the
    checker's tolerance (`TOLERANCE`)."""
    grid = portfolio.granularity
    if not packages:
        return Scheduled([], grid.h100e)
    deals = [deal_of(portfolio, p, grid) for p in packages]
    timings: dict[str, float] = {}
    smooth = _smooth(portfolio, mode, deals, gap, v_floor, threads, timings)
    if smooth is None:  # the LP failed: nothing better than the optimizer's amounts
        note = "The schedule could not be smoothed: the optimizer's amounts are shown."
        return Scheduled(list(packages), 0.0, note, timings)
    base = objective(portfolio, mode, deals, smooth)
    for step in _steps(grid):
        start = time.perf_counter()
        amounts = smooth if step == 0 else None
        if amounts is None:
            least = base - step_value(mode, deals, step)
            args = (room or portfolio, mode, deals, smooth, step, least, v_floor)
            amounts = largest_remainder(*args)
            timings["schedule rounding"] = timings.get("schedule rounding", 0.0) + (
                time.perf_counter() - start
            )
            if amounts is None:
                start = time.perf_counter()
                amounts = closest(*args, threads=threads)
                timings["schedule closest"] = timings.get("schedule closest", 0.0) + (
                    time.perf_counter() - start
                )
        if amounts is not None:
            note = "" if step == grid.h100e else _refined(grid, step)
            return Scheduled(_packages(portfolio, deals, amounts), step, note, timings)
    if grid.h100e > 0 and tolerance:
        start = time.perf_counter()
        amounts = _within_tolerance(room or portfolio, mode, deals, smooth, grid, base, v_floor)
        timings["schedule tolerance"] = time.perf_counter() - start
        if amounts is not None:
            step = grid.unit
            note = _refined(grid, step) + _overshoot(room or portfolio, deals, amounts)
            packages = _packages(portfolio, deals, amounts)
            return Scheduled(packages, step, note, timings, within_tolerance=True)
    note = (
        f"Compute is unrounded: with the deals' terms as chosen, no schedule in whole units "
        f"({grid.describe()} down to single units) keeps every partner accepting within the "
        "shared limits."
    )
    return Scheduled(_packages(portfolio, deals, smooth), 0.0, note, timings)


#: The last rung: single units may overrun a shared limit by this much, inside the
#: checker's tolerance (`checker.COMPUTE_TOL`, 0.5 H100e or risk-weighted H100e).
TOLERANCE = 0.45


def _within_tolerance(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    grid: Granularity,
    base: float,
    v_floor: float | None,
) -> Vector | None:
    """Single units by largest remainders, shared limits widened by `TOLERANCE`."""
    budget = None if pf.risk_budget is None else pf.risk_budget + TOLERANCE
    wide = pf.model_copy(
        update={
            "supply": {t: s + TOLERANCE for t, s in pf.supply.items()},
            "risk_budget": budget,
        }
    )
    least = base - step_value(mode, deals, grid.unit)
    return largest_remainder(wide, mode, deals, smooth, grid.unit, least, v_floor)


def _overshoot(pf: Portfolio, deals: list[Deal], x: Vector) -> str:
    """What a single-unit schedule overruns, in words ("" when nothing)."""
    out = []
    for j, t in enumerate(pf.periods):
        over = float(x[:, j].sum()) - pf.supply[t]
        if over > 1e-9:
            out.append(f"supply in {t} by {over:.2f} H100e")
    if pf.risk_budget is not None:
        over = sum(d.risk * float(x[i].sum()) for i, d in enumerate(deals)) - pf.risk_budget
        if over > 1e-9:
            out.append(f"the risk budget by {over:.2f} risk-weighted H100e")
    if not out:
        return ""
    return (
        f" In single units it exceeds {' and '.join(out)}, within the independent "
        "check's tolerance of 0.5."
    )


def _steps(grid: Granularity) -> list[float]:
    """The step, then finer ones by tens down to one unit (H100e or chip)."""
    if grid.h100e == 0:
        return [0.0]
    units, out = grid.units, []
    while units >= 1:
        out.append(units)
        units = units // 10 if units >= 10 else 0
    if out[-1] != 1:
        out.append(1)
    return [grid.h100e if u == grid.units else u * grid.unit for u in out]


def _refined(grid: Granularity, step: float) -> str:
    finer = Granularity(
        h100e=step,
        chips=None if grid.model is None else round(step / grid.unit),
        model=grid.model,
    )
    return (
        f"Compute is in {finer.describe()}, not the declared {grid.describe()}: with the "
        "deals' terms as chosen, no schedule in those keeps every partner accepting within "
        "the shared limits."
    )


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


def _smooth(
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
            slack = 0.1 * max(gap, 1e-9) * scale + 1e-9  # a tenth of the gap
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


def _packages(pf: Portfolio, deals: list[Deal], amounts: Vector) -> list[Package]:
    return [
        d.package.model_copy(
            update={
                "compute": {
                    t: clean(round(float(amounts[i, j]), 6)) for j, t in enumerate(pf.periods)
                }
            }
        )
        for i, d in enumerate(deals)
    ]
