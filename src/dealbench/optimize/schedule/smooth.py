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

Each stage's columns join the model when it needs them: the value stage sees
only the amounts and their rows, the changes (rise - fall, one row each) come
with steadiness, and the deviations' 21 pieces (six in seven columns at M) with
evenness, from a basis that already meets their rows; evenness and the
tie-break run primal simplex with unperturbed bounds (M, seeds 0 and 1: the
four linear programs 0.42 / 0.24 -> 0.04 / 0.04 s). Different paths end on the
same optimum up to the solver's tolerances; `schedule.settle` keeps that noise
out of the rounding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import COMPUTE, MONEY, Mode
from dealbench.optimize.highs import INF, new_highs
from dealbench.optimize.schedule.grid import Deal, Vector, partner_rest, us_floor, us_rest
from dealbench.optimize.triplets import Triplets

__all__ = ["EVEN_PIECES", "smooth_schedule"]


#: HiGHS's `simplex_strategy` values.
SIMPLEX_DUAL, SIMPLEX_PRIMAL = 1, 4

#: The share of the solve's relative gap the shape stages may give up; rounding may give
#: up as much again (`schedule.GAP_SHARE`), a tenth of the gap in all.
SMOOTH_SHARE = 0.05

#: H100e: an amount the smooth LPs leave below this is their noise (their feasibility
#: tolerance is 1e-7 of a thousand H100e), not compute: it is 0. Kept, a continuous
#: portfolio's package gave 3.1e-05 H100e in a period without supply (qa46-verify).
NOISE = 1e-3


@dataclass
class _Layout:
    """Where each deal's amounts live in the model (model units: COMPUTE, MONEY)."""

    model: Triplets
    x: dict[tuple[int, int], int] = field(default_factory=dict)  # (deal, period) -> column
    value: dict[int, float] = field(default_factory=dict)  # partner value of segment columns
    #: deal -> its changes between periods, x[t] - x[t-1] = rise - fall (both columns)
    tv: dict[int, list[int]] = field(default_factory=dict)
    #: deal -> per period, the pieces of |T x[t] - sum x| (see `EVEN_PIECES`)
    dev: dict[int, list[list[int]]] = field(default_factory=dict)
    #: (first column, first row) of the changes, of the deviations, and the end
    parts: list[tuple[int, int]] = field(default_factory=list)
    #: What each column and row is, in order (a deal's amount in a period, its partner's
    #: code first; a period's supply; ...): `ScheduleStart` finds them again by it.
    col_keys: list[Key] = field(default_factory=list)
    row_keys: list[Key] = field(default_factory=list)


#: What a column or row of the schedule's program is (`_Layout.col_keys`).
Key = tuple[Any, ...]


@dataclass
class ScheduleStart:
    """Where a schedule's value and steadiness stages ended: each column's and row's basis
    status, by what it is (`_Layout.col_keys`), for the next schedule of a close
    portfolio to start its stages from (the joint frontier's floors, each from the floor
    before: `WarmStart.schedule`). A column it does not know starts at its lower bound, a
    row it does not know basic; a start whose basic count does not fit the program is not
    used. Only the path changes: each stage is still solved to its optimum, and the
    stages' rows keep the same objectives (M seed 2's floors, one chain: 22 of 23
    schedules the same to 0.001 H100e, the other a stage that stalls either way)."""

    stages: dict[int, tuple[dict[Key, Any], dict[Key, Any]]] = field(default_factory=dict)


#: Evenness is convex, close to quadratic: each 2.5% of the deal's total by which an
#: amount (times T) strays from the equal amount costs one more per unit than the last,
#: so two small deviations beat one large one (97,000 / 40,000 / 97,000 rather than
#: 78,000 / 40,000 / 116,000).
EVEN_PIECES: tuple[tuple[float, float], ...] = (
    *((0.025, float(k + 1)) for k in range(20)),
    (INF, 21.0),
)


_SHARES = np.array([share for share, _ in EVEN_PIECES])
_PRICES = np.array([price for _, price in EVEN_PIECES])


def smooth_schedule(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    gap: float,
    v_floor: float | None,
    threads: int | None,
    timings: dict[str, float],
    prior: ScheduleStart | None = None,
    keep: ScheduleStart | None = None,
) -> Vector | None:
    """(D, T) amounts in H100e: the four stages as linear programs, every choice fixed.
    `prior`: where a close program's value and steadiness stages ended (their start here);
    `keep`: filled with where this one's ended."""
    start = time.perf_counter()
    lay = _build(pf, mode, deals, v_floor, keyed=prior is not None or keep is not None)
    arrays = lay.model.arrays()
    h = new_highs(threads=threads)
    arrays.pass_to(h, maximize=True, end=lay.parts[0])  # the value stage's model
    timings["schedule build"] = time.perf_counter() - start
    T = len(pf.periods)
    n_cols = arrays.n_cols
    stages = [("schedule value", _value_cost(mode, deals, lay, T, n_cols), True)]
    solution: Vector | None = None
    for stage in range(4):
        if stage == 1:
            assert solution is not None
            stages += _shape_costs(deals, lay, T, n_cols, solution)
            # Dual simplex goes on from the value optimum: with costs on the changes
            # alone, its basis is dual feasible (primal from a basis that meets the new
            # rows took 40-60% more iterations).
            arrays.add_to(h, lay.parts[0], lay.parts[1], arrays.upper)
        if stage == 2:
            assert solution is not None
            widths = _even_widths(deals, lay, T, solution, arrays.upper)
            first_row = h.getNumRow()
            arrays.add_to(h, lay.parts[1], lay.parts[2], widths)
            _feasible_start(h, lay, T, solution, widths, first_row)
            _primal(h, True)
        name, cost, maximise = stages[stage]
        clock = time.perf_counter()
        cols, rows = _keys_in(lay, stage) if (prior or keep) and stage < 2 else ([], [])
        if prior is not None and stage in prior.stages:
            _start_from(h, prior.stages[stage], cols, rows)
        start_basis = h.getBasis() if stage >= 2 else None
        value = _run_stage(h, cost[: h.getNumCol()], maximise)
        if value is None and start_basis is not None:
            h = _afresh(h, start_basis, threads)
            value = _run_stage(h, cost[: h.getNumCol()], maximise)
        if value is None and stage >= 2:  # a guard: HiGHS's defaults from where it stopped
            _primal(h, False)
            value = _run_stage(h, cost[: h.getNumCol()], maximise)
            _primal(h, True)
        timings[name] = time.perf_counter() - clock
        if value is None:
            if solution is None:
                return None
            break  # keep the previous stage's schedule
        solution = np.array(h.getSolution().col_value)
        if keep is not None and stage < 2:
            basis = h.getBasis()
            keep.stages[stage] = (
                dict(zip(cols, basis.col_status, strict=True)),
                dict(zip(rows, basis.row_status, strict=True)),
            )
        if stage == 0:
            scale = abs(value + _constant(mode, deals, pf) / MONEY)
            slack = SMOOTH_SHARE * max(gap, 1e-9) * scale + 1e-9  # a twentieth of the gap
        else:
            slack = 1e-9 * (1.0 + abs(value))
        _keep(h, cost[: h.getNumCol()], value, slack, maximise)
    assert solution is not None
    out = np.zeros((len(deals), T))
    for (i, t), col in lay.x.items():
        amount = min(max(float(solution[col]) * COMPUTE, 0.0), deals[i].top[t])
        out[i, t] = 0.0 if amount < NOISE else amount
    return out


def _keys_in(lay: _Layout, stage: int) -> tuple[list[Key], list[Key]]:
    """The keys of the columns and rows HiGHS holds at `stage` (0 or 1, the stages a
    `ScheduleStart` keeps): each part's so far, and after the value stage the row that
    keeps its objective (`_keep`)."""
    (c0, r0), (c1, r1) = lay.parts[0], lay.parts[1]
    if stage == 0:
        return lay.col_keys[:c0], lay.row_keys[:r0]
    return lay.col_keys[:c1], [*lay.row_keys[:r0], ("keep", 0), *lay.row_keys[r0:r1]]


def _start_from(
    h: Any, stage: tuple[dict[Key, Any], dict[Key, Any]], cols: list[Key], rows: list[Key]
) -> None:
    """Start HiGHS from a close program's basis at this stage (`ScheduleStart`), where it
    fits: as many basic columns and rows as rows."""
    import highspy

    if len(cols) != h.getNumCol() or len(rows) != h.getNumRow():
        return
    status = highspy.HighsBasisStatus
    col_map, row_map = stage
    col_status = [col_map.get(k, status.kLower) for k in cols]
    row_status = [row_map.get(k, status.kBasic) for k in rows]
    basic = sum(x == status.kBasic for x in col_status) + sum(
        x == status.kBasic for x in row_status
    )
    if basic != len(rows):
        return
    basis = highspy.HighsBasis()
    basis.col_status = col_status
    basis.row_status = row_status
    basis.valid = True
    h.setBasis(basis)


def _build(
    pf: Portfolio, mode: Mode, deals: list[Deal], v_floor: float | None, keyed: bool = False
) -> _Layout:
    """The rows of the portfolio with every choice fixed: a linear program in the amounts.
    `keyed`: say what each column and row of the first two stages is (`_Layout.col_keys`)."""
    lay = _Layout(Triplets())
    m = lay.model
    T = len(pf.periods)
    cols, rows = lay.col_keys, lay.row_keys
    for i, d in enumerate(deals):
        code = d.partner.code
        accept: dict[int, float] = {}
        for t in range(T):
            lay.x[i, t] = x = m.col(0.0, d.top[t] / COMPUTE)
            if keyed:
                cols.append((code, t))
            left = d.top[t]
            ys: dict[int, float] = {}
            for j, (width, value) in enumerate(d.partner.segments):
                if left <= 0:
                    break
                take = min(width, left)
                col = m.col(0.0, take / COMPUTE)
                ys[col] = 1.0
                accept[col] = lay.value[col] = value * COMPUTE / MONEY
                left -= take
                if keyed:
                    cols.append((code, t, j))
            m.row({**ys, x: -1.0}, -INF, 0.0)
            if keyed:
                rows.append((code, t))
        m.row(accept, d.need / MONEY, INF)
        if keyed:
            rows.append((code,))
    for t, period in enumerate(pf.periods):
        used = {lay.x[i, t]: 1.0 for i in range(len(deals))}
        m.row(used, -INF, pf.supply[period] / COMPUTE)
    if pf.risk_budget is not None:
        risk = {lay.x[i, t]: d.risk for i, d in enumerate(deals) for t in range(T)}
        m.row(risk, -INF, pf.risk_budget / COMPUTE)
    if mode == "partner-best":
        rest = us_rest(pf, deals)
        m.row(_us_gain(deals, lay, T), (us_floor(pf, v_floor) - rest) / MONEY, INF)
    if keyed:
        rows += [("supply", t) for t in range(T)]
        rows += [("risk",)] * (pf.risk_budget is not None) + [("floor",)] * (mode == "partner-best")
    _shape_columns(lay, deals, T, keyed)
    return lay


def _us_gain(deals: list[Deal], lay: _Layout, T: int) -> dict[int, float]:
    return {lay.x[i, t]: d.a * COMPUTE / MONEY for i, d in enumerate(deals) for t in range(T)}


def _shape_columns(lay: _Layout, deals: list[Deal], T: int, keyed: bool = False) -> None:
    """The changes x[t] - x[t-1] = rise - fall (their sum is at least |x[t] - x[t-1]|,
    equal where steadiness is minimised) and the deviations |T x[t] - sum x| of each
    deal: every deal's changes, then every deal's deviations (each joins with its stage).
    One equality row per change, rather than two rows bounding one column: the
    steadiness stage took 15-30% fewer dual iterations at M. `keyed`: the changes' keys
    too (the deviations, whose stages start from their own basis, go without)."""
    D = len(deals)
    m = lay.model
    x = np.array([[lay.x[i, t] for t in range(T)] for i in range(D)], dtype=np.int64)
    lay.parts.append((m.n_cols, m.n_rows))
    # Changes: per deal and period after the first, rise and fall columns and one row,
    # rise - fall - x[t] + x[t-1] = 0.
    n = D * (T - 1)
    rise = m.n_cols + 2 * np.arange(n)
    cols = np.stack([rise, rise + 1, x[:, 1:].ravel(), x[:, :-1].ravel()], axis=1)
    vals = np.tile(np.array([1.0, -1.0, -1.0, 1.0]), (n, 1))
    m.block(2 * n, n, cols, vals, 0.0)
    for i, pair in enumerate(rise.reshape(D, T - 1).tolist() if n else []):
        lay.tv[i] = [c + k for c in pair for k in (0, 1)]
    if keyed:
        changes = [(d.partner.code, t) for d in deals for t in range(1, T)]
        lay.col_keys += [(*key, side) for key in changes for side in ("rise", "fall")]
        lay.row_keys += [(*key, "change") for key in changes]
    lay.parts.append((m.n_cols, m.n_rows))
    # Deviations: per deal and period, the pieces and two rows, pieces >= T x[t] - sum x
    # and pieces >= sum x - T x[t] (`_feasible_start` reads this order).
    P = len(EVEN_PIECES)
    first = m.n_cols
    pieces = first + np.arange(D * T * P).reshape(D * T, P)
    spread = np.where(np.eye(T, dtype=bool), T - 1.0, -1.0)  # [t, s]: of x[s] in row t
    xs = np.repeat(x, T, axis=0)  # (D*T, T): the deal's amounts for each of its rows
    signs = np.tile(spread, (D, 1))
    ones = np.ones((D * T, P))
    cols = np.concatenate([pieces, xs], axis=1)
    both_cols = np.stack([cols, cols], axis=1).reshape(2 * D * T, P + T)
    both_vals = np.stack(
        [np.concatenate([ones, -signs], axis=1), np.concatenate([ones, signs], axis=1)], axis=1
    ).reshape(2 * D * T, P + T)
    m.block(D * T * P, 2 * D * T, both_cols, both_vals, INF)
    listed = pieces.reshape(D, T, P).tolist()
    for i in range(D):
        lay.dev[i] = listed[i]
    lay.parts.append((m.n_cols, m.n_rows))


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
        even[lay.dev[i]] = _PRICES * weight / T  # (T, pieces)
        for t in range(T):
            tie[lay.x[i, t]] = ((T - t) * (D + 1) + rank[i] + 1) * weight
    return [
        ("schedule steadiness", steady, False),
        ("schedule evenness", even, False),
        ("schedule tie-break", tie, False),
    ]


def _even_widths(
    deals: list[Deal], lay: _Layout, T: int, solution: Vector, upper: Vector
) -> Vector:
    """Column bounds with the pieces of each deviation as shares of the deal's total in
    stage 1."""
    out = upper.copy()
    last = np.isinf(_SHARES)
    for i in range(len(deals)):
        total = max(sum(float(solution[lay.x[i, t]]) for t in range(T)), 1e-6)
        out[lay.dev[i]] = np.where(last, INF, np.where(last, 0.0, _SHARES) * total)
    return out


def _feasible_start(
    h: Any, lay: _Layout, T: int, solution: Vector, widths: Vector, first_row: int
) -> None:
    """A basis for the deviations just added (rows from `first_row`) that meets their
    rows at `solution`: each |T x[t] - sum x| filled into its pieces in order (the
    cheapest first), the partly filled piece basic, the row it makes tight at its bound,
    the other row basic. The basis of the rest stays as the last stage left it."""
    import highspy

    status = highspy.HighsBasisStatus
    kinds = (status.kLower, status.kBasic, status.kUpper)
    D = len(lay.dev)
    amounts = [[float(solution[lay.x[i, t]]) for t in range(T)] for i in range(D)]
    totals = np.array([sum(row) for row in amounts])
    deviation = (T * np.array(amounts) - totals[:, None]).ravel()  # per (deal, period)
    pieces = np.array([lay.dev[i] for i in range(D)]).reshape(D * T, -1)
    left = np.abs(deviation)
    placed = np.zeros(len(left), dtype=bool)
    kind = np.zeros(pieces.shape, dtype=np.int64)  # 0 lower, 1 basic, 2 upper
    for k in range(pieces.shape[1]):  # in order, as a loop over each deviation would
        width = widths[pieces[:, k]]
        full = ~placed & (left >= width)
        basic = ~placed & ~full
        kind[:, k] = np.where(full, 2, np.where(basic, 1, 0))
        left = np.where(full, left - width, left)
        placed |= basic
    basis = h.getBasis()
    col_status = list(basis.col_status)
    flat = pieces.ravel()
    # The pieces are one run of columns (`_shape_columns`): one slice, not 12,600 stores.
    assert len(flat) == 0 or (np.diff(flat) == 1).all()
    if len(flat):
        col_status[flat[0] : flat[-1] + 1] = [kinds[k] for k in kind.ravel().tolist()]
    row_status = list(basis.row_status)
    rows = first_row + 2 * np.arange(len(deviation))
    tight = np.where(deviation >= 0, rows, rows + 1).tolist()
    loose = np.where(deviation >= 0, rows + 1, rows).tolist()
    for r in tight:
        row_status[r] = status.kLower
    for r in loose:
        row_status[r] = status.kBasic
    basis.col_status = col_status
    basis.row_status = row_status
    h.setBasis(basis)


#: A primal stage that takes more simplex iterations than this many times the program's
#: rows has stalled: it is solved afresh (`_afresh`), then by HiGHS's defaults. From the
#: basis the stage before leaves, evenness and the tie-break take at most 0.15 times the
#: rows (M seeds 0-7 and the 25-point joint frontiers of seeds 0-2: 1-234 iterations of
#: 1,455-1,600 rows; L seeds 0-2 at most 605; XL seed 0 1,182 of 12,423). A stall ran on:
#: a tie-break at M seed 2, 2,894 iterations (0.21 s), where the same stage afresh takes 12.
PRIMAL_ROWS = 0.5


def _primal(h: Any, on: bool) -> None:
    """Evenness and the tie-break: primal simplex from a basis that meets every row, its
    bounds unperturbed, at most PRIMAL_ROWS times the rows in iterations. With the
    perturbation, the tie-break at M (seed 1) ended 2.99 over a piece's width, status
    unknown, in both primal and dual simplex (the evenness row it keeps leaves it 1e-9 of
    room); without, it took 3 iterations. `on=False`: the defaults (dual simplex,
    perturbed), without the iteration guard."""
    limit = max(int(PRIMAL_ROWS * h.getNumRow()), 1) if on else 2**31 - 1
    h.setOptionValue("simplex_strategy", SIMPLEX_PRIMAL if on else SIMPLEX_DUAL)
    h.setOptionValue("primal_simplex_bound_perturbation_multiplier", 0.0 if on else 1.0)
    h.setOptionValue("simplex_iteration_limit", limit)


def _afresh(h: Any, basis: Any, threads: int | None) -> Any:
    """The program `h` holds, passed whole to a new HiGHS, from `basis`, primal simplex.

    HiGHS changed in place stage by stage can stall where the same program passed at
    once does not: at M (seed 2, a point of the joint frontier) the tie-break's primal
    simplex ended with status unknown after 2,894 iterations, and dual simplex after
    3,726 more (0.9 s); from the same basis, passed afresh, 12 iterations (0.01 s)."""
    fresh = new_highs(threads=threads)
    fresh.passModel(h.getLp())
    fresh.setBasis(basis)
    _primal(fresh, True)
    return fresh


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
