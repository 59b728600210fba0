"""The restricted MIP: choose one of the given concession sets per deal, exactly.

For each block b (a partner under a level) and its candidate frontier points
S_b, binaries lam[b, f] pick at most one set; the block's compute `y` is shared
by its sets and switched on by open[b] = sum_f lam[b, f]:

    y[b, i] <= ub[b, i] * open[b]                       (each period and segment)
    sum_i v[b, i] y[b, i] >= sum_f need[b, f] lam[b, f]  (the partner accepts)
    sum_{b of p} open[b] <= 1                            (one deal per partner)

plus supply, the risk budget and (partner-best) the US floor. With every point
of every frontier this is the full problem; `decompose` proves which points can
be left out. The model goes to HiGHS as arrays in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dealbench.optimize.blocks import F64, I64, Blocks
from dealbench.optimize.highs import INF, new_highs, pass_model


@dataclass
class Choice:
    """One deal of a solution: block, frontier point, compute (T, J)."""

    block: int
    point: int
    y: F64


@dataclass
class MipOutcome:
    status: str  # optimal | time-limit | infeasible | no-solution | error
    value: float | None  # objective of the incumbent (model units)
    bound: float | None  # HiGHS's dual bound on this restricted MIP
    choices: list[Choice] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)  # columns, binaries


@dataclass
class _Layout:
    """Where each block's columns sit."""

    blocks: list[int]
    items: list[I64]  # item indices (into T*J) with ub > 0
    y0: list[int]  # first y column
    chain0: list[int]  # first chain column: chain[i] = 1 when point i or a later one is chosen
    points: list[I64]  # the block's frontier points


def solve_restricted(
    blocks: Blocks,
    selection: dict[int, I64],
    *,
    start: list[Choice] | None = None,
    gap: float = 1e-6,
    time_limit: float | None = None,
    threads: int | None = None,
    hull: bool = False,
) -> MipOutcome:
    """The best solution using only the selected frontier points."""
    h = new_highs(threads=threads, time_limit=time_limit, gap=gap)
    layout, n_cols = _layout(blocks, selection, hull)
    _pass(h, blocks, layout, n_cols)
    if start:
        h.setSolution(n_cols, np.arange(n_cols, dtype=np.int32), _vector(layout, start, n_cols))
    h.run()
    return _outcome(h, blocks, layout, n_cols)


def _layout(blocks: Blocks, selection: dict[int, I64], hull: bool) -> tuple[_Layout, int]:
    groups: list[tuple[int, I64]] = []
    for b in sorted(selection):
        points = np.unique(selection[b])
        if hull:
            groups += [(b, points[i : i + 1]) for i in range(len(points))]
        elif len(points):
            groups.append((b, points))
    out = _Layout([], [], [], [], [])
    col = 0
    for b, points in groups:
        items = np.flatnonzero(blocks.ub[b].ravel() > 0)
        out.blocks.append(b)
        out.items.append(items)
        out.points.append(points)
        out.y0.append(col)
        out.chain0.append(col + len(items))
        col += len(items) + len(points)
    return out, col


def _pass(h: object, blocks: Blocks, layout: _Layout, n_cols: int) -> None:
    n_t, n_j = blocks.ub.shape[1:]
    cost, lower, upper = np.zeros(n_cols), np.zeros(n_cols), np.ones(n_cols)
    integer = np.zeros(n_cols, dtype=bool)
    rows: list[I64] = []
    cols: list[I64] = []
    vals: list[F64] = []
    row_lo = [-INF] * n_t
    row_hi = list(blocks.supply)
    risk_row = floor_row = -1
    if blocks.budget is not None:
        risk_row = len(row_lo)
        row_lo.append(-INF)
        row_hi.append(blocks.budget)
    if blocks.floor is not None:
        floor_row = len(row_lo)
        row_lo.append(blocks.floor)
        row_hi.append(INF)
    partner_row0 = len(row_lo)
    row_lo += [-INF] * blocks.n_partners
    row_hi += [1.0] * blocks.n_partners
    us_best = blocks.mode == "us-best"

    def add(r: I64 | int, c: I64 | int, v: F64 | float) -> None:
        rr, cc, vv = np.broadcast_arrays(np.asarray(r), np.asarray(c), np.asarray(v, dtype=float))
        rows.append(rr.ravel().astype(np.int64))
        cols.append(cc.ravel().astype(np.int64))
        vals.append(vv.ravel())

    for k, b in enumerate(layout.blocks):
        items, points = layout.items[k], layout.points[k]
        ycols = layout.y0[k] + np.arange(len(items))
        chain = layout.chain0[k] + np.arange(len(points))  # chain[i] = 1: point i or a later one
        opened = chain[0]
        ub = blocks.ub[b].ravel()[items]
        v = np.broadcast_to(blocks.v[b][None, :], (n_t, n_j)).ravel()[items]
        upper[ycols] = ub
        integer[chain] = True
        frontier = blocks.frontiers[b]
        us_gain = np.diff(frontier.value[points] - blocks.us_batna[b], prepend=0.0)
        need = np.diff(blocks.need0[b] + frontier.cost[points], prepend=0.0)
        if us_best:
            cost[ycols], cost[chain] = blocks.a0[b], us_gain
        else:
            cost[ycols] = v
            cost[chain] = -need
            cost[opened] += blocks.need0[b] - blocks.sec[b] - blocks.batna[b]
        add(items // n_j, ycols, 1.0)  # supply
        if risk_row >= 0:
            add(risk_row, ycols, blocks.risk[b])
        if floor_row >= 0:
            add(floor_row, ycols, blocks.a0[b])
            add(floor_row, chain, us_gain)
        add(partner_row0 + int(blocks.partner[b]), opened, 1.0)
        first = len(row_lo)
        vub = first + np.arange(len(items))
        add(vub, ycols, 1.0)
        add(vub, opened, -ub)
        order = first + len(items) + np.arange(len(points) - 1)
        add(order, chain[1:], 1.0)
        add(order, chain[:-1], -1.0)
        accept = first + len(items) + len(points) - 1
        add(accept, ycols, v)
        add(accept, chain, -need)
        row_lo += [-INF] * (len(items) + len(points) - 1) + [0.0]
        row_hi += [0.0] * (len(items) + len(points) - 1) + [INF]
    pass_model(
        h,
        cost=cost,
        lower=lower,
        upper=upper,
        row_lower=np.array(row_lo),
        row_upper=np.array(row_hi),
        matrix=(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
        if rows
        else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)),
        integer=integer,
    )


def _vector(layout: _Layout, start: list[Choice], n_cols: int) -> F64:
    x = np.zeros(n_cols)
    where = {
        (b, int(f)): (k, i)
        for k, b in enumerate(layout.blocks)
        for i, f in enumerate(layout.points[k])
    }
    for choice in start:
        k, i = where.get((choice.block, choice.point), (-1, -1))
        if k < 0:
            continue
        x[layout.y0[k] : layout.y0[k] + len(layout.items[k])] = choice.y.ravel()[layout.items[k]]
        x[layout.chain0[k] : layout.chain0[k] + i + 1] = 1.0
    return x


def _outcome(h: object, blocks: Blocks, layout: _Layout, n_cols: int) -> MipOutcome:
    import highspy

    assert isinstance(h, highspy.Highs)
    model_status = h.getModelStatus()
    info = h.getInfo()
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    S = highspy.HighsModelStatus
    status = {
        S.kOptimal: "optimal",
        S.kTimeLimit: "time-limit",
        S.kInterrupt: "time-limit",
        S.kInfeasible: "infeasible",
    }.get(model_status, "error")
    if status == "time-limit" and not has:
        status = "no-solution"
    n_bin = int(sum(len(p) for p in layout.points))
    bound = float(info.mip_dual_bound) if n_bin else float(info.objective_function_value)
    if not has:
        return MipOutcome(status, None, bound if np.isfinite(bound) else None, [], (n_cols, n_bin))
    x = np.asarray(h.getSolution().col_value)
    choices = []
    n_t, n_j = blocks.ub.shape[1:]
    for k, b in enumerate(layout.blocks):
        chain = x[layout.chain0[k] : layout.chain0[k] + len(layout.points[k])]
        if chain[0] < 0.5:
            continue
        y = np.zeros(n_t * n_j)
        y[layout.items[k]] = x[layout.y0[k] : layout.y0[k] + len(layout.items[k])]
        chosen = int((chain > 0.5).sum()) - 1
        choices.append(Choice(b, int(layout.points[k][chosen]), y.reshape(n_t, n_j)))
    value = float(info.objective_function_value)
    if not np.isfinite(bound):
        bound = value
    return MipOutcome(status, value, bound, choices, (n_cols, n_bin))
