"""The restricted MIP: one of the given concession sets per deal, solved by HiGHS.

For each block b (a partner under a level) with candidate Pareto points
f_0 < f_1 < ... (by cost), chain binaries c[b, i] = 1 when point f_i or a later
one is chosen (c[b, 0] opens the deal; c[b, i+1] <= c[b, i]). The block's
compute y is switched on by c[b, 0]:

    y[b, i] <= ub[b, i] * c[b, 0]                        (each period and segment)
    sum_i v[b, i] y[b, i] >= sum_i dneed[b, i] c[b, i]   (the partner accepts)
    sum_{b of p} c[b, 0] <= 1                            (one deal per partner)

plus supply, the risk budget and (partner-best) the US floor. Branching on a
chain variable splits a partner's ordered sets, as SOS branching would. With
every point of every Pareto list this is the full problem; `decompose` proves
which points can be left out. The model goes to HiGHS as arrays in one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.decomposition.blocks import F64, I64, Blocks, distinct
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.pricing import Pricing
from dealbench.optimize.highs import INF, ctrl_c_held, new_highs, pass_model

#: HiGHS heuristics a restricted MIP goes without: it starts from an incumbent,
#: and their sub-MIPs took 7.5 s of 10 on M's proof without finding a better one.
RESTRICTED_HEURISTICS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
)


#: An incumbent round (`search`, `start_search=True`) of at least this many sets runs
#: HiGHS's RINS heuristic all the same: it looks for a better portfolio near the start
#: and the LP's, and such a round's tree is mostly the search for one. Replayed (bench/
#: replay.py), M seed 1's joint frontier's 22 slowest rounds took 11.4 s with it off and
#: 6.5 s on (the same portfolios, two a little better); that frontier, one chain after
#: the other, 24.6-28.6 -> 20.4-21.3 s; L seeds 1 and 3, 27.5 -> 24.3 s; M seeds 0-5,
#: 7.5 and 8.0 -> 7.0 and 8.4 s (noise; seed 0 slower). Global's rounds (80 sets at most)
#: were 5-15% slower with it; the proof, which starts from the best portfolio found,
#: stays without (bench/README.md, "Session 8").
RINS_MIN_SETS = 100


#: How HiGHS searches a restricted MIP: branch on pseudocosts from the start
#: (no strong branching until they are reliable) and separate cuts at the root
#: only. The LP bound already starts at L, so nodes are cheap and many pay more
#: than a few well-chosen ones (one run each, `solve_blocks`: L seeds 2 and 3
#: 11.1 and 50.7 s -> 6.3 and 19.2 s, L seed 1 45 -> 28 s, M seeds 0-6 41.7 ->
#: 35.1 s in all; bench/README.md).
RESTRICTED_SEARCH: dict[str, int | bool] = {
    "mip_pscost_minreliable": 0,
    "mip_allow_cut_separation_at_nodes": False,
}


#: A restricted MIP of at most this many columns goes without HiGHS's presolve. The
#: incumbent rounds (about 220-430 columns at M) and a joint frontier point's proof
#: (950-1,100) search fewer nodes from the model as built, where presolve's reductions
#: only change the path: M seeds 0-5, cold solves 9.3-10.7 s -> 6.5-6.7 s in all; M
#: seed 1's 25-point joint frontier, its 31 restricted MIPs 11.4 -> 8.8 s of process
#: time. Larger ones keep it: L seed 1's proof (8,785 columns) took 8.0 s with it and
#: 17.7 s without, L seed 3's first round (1,134) 1.3 s and 3.6 s (bench/README.md).
PRESOLVE_MAX_COLUMNS = 1000


@dataclass
class MipOutcome:
    status: str  # optimal | time-limit | infeasible | no-solution | error
    value: float | None  # objective of the incumbent (model units)
    bound: float | None  # HiGHS's dual bound on this restricted MIP
    choices: list[Choice] = field(default_factory=list)
    binaries: int = 0


@dataclass
class _Layout:
    """Where each block's columns sit."""

    blocks: list[int] = field(default_factory=list)
    items: list[I64] = field(default_factory=list)  # item indices (into T*J) with ub > 0
    y0: list[int] = field(default_factory=list)  # first y column
    chain0: list[int] = field(default_factory=list)  # first chain column
    points: list[I64] = field(default_factory=list)  # the block's Pareto points
    columns: int = 0

    @property
    def sets(self) -> int:
        """The concession sets to choose from: one chain binary each."""
        return int(sum(len(p) for p in self.points))


def solve_restricted(
    blocks: Blocks,
    selection: dict[int, I64],
    *,
    start: list[Choice] | None = None,
    gap: float = 1e-6,
    time_limit: float | None = None,
    threads: int | None = None,
    forced: NDArray[np.bool_] | None = None,
    prices: Pricing | None = None,
    target: float | None = None,
    start_search: bool = False,
) -> MipOutcome:
    """The best portfolio using only the selected Pareto points of each block.

    `forced[p]`: partner p must deal (its no-deal option is proven useless).
    `prices`: blocks priced at the master's duals; each block then gets the
    compute-cost row that makes the LP relaxation as tight as the master's.
    `target`: stop as soon as a portfolio worth this much is found (a bound
    proven elsewhere already makes it good enough).
    `start_search`: the MIP looks for a better portfolio more than it proves one
    (an incumbent round): from RINS_MIN_SETS sets up, HiGHS's RINS runs.
    """
    layout = _layout(blocks, selection)
    if layout.columns == 0:
        return _empty(blocks, forced)
    rins = start_search and layout.sets >= RINS_MIN_SETS
    integral = not _decided(blocks, layout, forced)
    args = (blocks, layout, forced, gap, time_limit, threads, prices, target, rins, integral)
    with ctrl_c_held() as pressed:  # the target's callback would swallow Ctrl-C
        h = _model(*args, pressed)
        if start:
            n = layout.columns
            h.setSolution(n, np.arange(n, dtype=np.int32), _vector(layout, start))
        h.run()
        if start and not _consistent(h) and not pressed():
            # HiGHS 1.16 can report a better objective than the solution it returns when
            # it improves on a given start; solve again from scratch rather than lose it.
            h = _model(*args, pressed)
            h.run()
    return _outcome(h, blocks, layout, integral)


def _decided(blocks: Blocks, layout: _Layout, forced: NDArray[np.bool_] | None) -> bool:
    """Whether the rows alone fix every chain at 1: each block one set, each partner one
    block, every partner forced to deal (`coarse.lift`: a portfolio's sets, its compute
    decided again). Its linear program is then the whole problem, solved without the
    MIP's root work (cuts, heuristics): M seed 2's joint frontier, 33 lifts 0.25 -> 0.20 s."""
    if forced is None or any(len(p) != 1 for p in layout.points):
        return False
    partners = blocks.partner[np.asarray(layout.blocks, dtype=np.int64)]
    return len(distinct(partners)) == len(partners) and bool(forced[partners].all())


def _empty(blocks: Blocks, forced: NDArray[np.bool_] | None) -> MipOutcome:
    """A restricted MIP without a set to choose: the portfolio of no deals, if allowed.

    HiGHS reports a model without columns as empty (kModelEmpty), not solved; the
    proof round of a warm start met it when no set passed its cut, and failed
    ("HiGHS failed on the proof round") where no deal at all was the answer.
    """
    must = forced is not None and bool(forced.any())
    if must or (blocks.floor is not None and blocks.floor > 0):
        return MipOutcome("infeasible", None, None)
    return MipOutcome("optimal", 0.0, 0.0)


def _model(
    blocks: Blocks,
    layout: _Layout,
    forced: NDArray[np.bool_] | None,
    gap: float,
    time_limit: float | None,
    threads: int | None,
    prices: Pricing | None,
    target: float | None,
    rins: bool,
    integral: bool,
    pressed: Callable[[], bool],
) -> Any:
    h = new_highs(threads=threads, time_limit=time_limit, gap=gap)
    configure(h, layout.columns, rins)
    _pass(h, blocks, layout, forced, prices, integral)
    if target is not None:
        _stop_at(h, target, pressed)
    return h


def configure(h: Any, columns: int, rins: bool) -> None:
    """How HiGHS searches a restricted MIP of `columns` columns (with RINS, or not)."""
    h.setOptionValue("mip_detect_symmetry", False)  # none to find; detection costs time
    for option in RESTRICTED_HEURISTICS:
        h.setOptionValue(option, rins and option == "mip_heuristic_run_rins")
    for option, value in RESTRICTED_SEARCH.items():
        h.setOptionValue(option, value)
    if columns <= PRESOLVE_MAX_COLUMNS:
        h.setOptionValue("presolve", "off")


def _stop_at(h: Any, target: float, pressed: Callable[[], bool]) -> None:
    """Interrupt the MIP once its incumbent reaches `target`, or Ctrl-C was `pressed`."""

    def check(event: Any) -> None:
        if pressed() or event.data_out.mip_primal_bound >= target:
            event.interrupt()

    h.cbMipInterrupt.subscribe(check)


def _consistent(h: Any) -> bool:
    """Whether the returned solution has the objective value HiGHS reports."""
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return True
    x = np.asarray(h.getSolution().col_value)
    value = float(np.asarray(h.getLp().col_cost_) @ x)
    reported = float(info.objective_function_value)
    return abs(value - reported) <= 1e-9 * max(1.0, abs(reported))


def size(blocks: Blocks, selection: dict[int, I64]) -> int:
    """Columns the restricted MIP would have."""
    return int(sum((blocks.ub[b] > 0).sum() + len(p) for b, p in selection.items() if len(p)))


def _layout(blocks: Blocks, selection: dict[int, I64]) -> _Layout:
    out = _Layout()
    for b in sorted(selection):
        points = distinct(selection[b])
        if len(points) == 0:
            continue
        items = np.flatnonzero(blocks.ub[b].ravel() > 0)
        out.blocks.append(b)
        out.items.append(items)
        out.points.append(points)
        out.y0.append(out.columns)
        out.chain0.append(out.columns + len(items))
        out.columns += len(items) + len(points)
    return out


@dataclass
class _Flat:
    """The layout's columns as arrays: each compute item and each chain binary with its
    block (`k`: index into the layout; `b`: the block), its column and, for the chain,
    its place in the block's chain (`pos`, 0 opens the deal)."""

    items: I64
    item_k: I64
    ycols: I64
    points: I64
    point_k: I64
    pos: I64
    chain: I64

    @staticmethod
    def of(layout: _Layout) -> _Flat:
        n_items = np.array([len(i) for i in layout.items], dtype=np.int64)
        n_points = np.array([len(p) for p in layout.points], dtype=np.int64)
        k = np.arange(len(layout.blocks), dtype=np.int64)
        item_k, point_k = np.repeat(k, n_items), np.repeat(k, n_points)
        within = _within(n_items, item_k)
        pos = _within(n_points, point_k)
        y0, chain0 = np.array(layout.y0, dtype=np.int64), np.array(layout.chain0, dtype=np.int64)
        return _Flat(
            items=np.concatenate(layout.items).astype(np.int64),
            item_k=item_k,
            ycols=y0[item_k] + within,
            points=np.concatenate(layout.points).astype(np.int64),
            point_k=point_k,
            pos=pos,
            chain=chain0[point_k] + pos,
        )


def _within(counts: I64, owner: I64) -> I64:
    """Each element's place within its group (groups of `counts`, in order)."""
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return np.arange(int(counts.sum()), dtype=np.int64) - first[owner]


def _pass(
    h: Any,
    blocks: Blocks,
    layout: _Layout,
    forced: NDArray[np.bool_] | None,
    prices: Pricing | None,
    integral: bool = True,
) -> None:
    """The restricted MIP (see module) to HiGHS in one call, built for every block at
    once. Its rows: supply per period, the risk budget, the US floor, one per partner;
    then block by block its compute bounds, its chain's order, its acceptance and (with
    `prices`) its compute-cost row."""
    n = layout.columns
    f = _Flat.of(layout)
    bk = np.asarray(layout.blocks, dtype=np.int64)
    ib, pb = bk[f.item_k], bk[f.point_k]  # the block of each item, of each chain binary
    n_j = blocks.ub.shape[2]
    ub = blocks.ub.reshape(blocks.n_blocks, -1)[ib, f.items]
    v = blocks.v[ib, f.items % n_j]
    sets = [blocks.concession_sets[b] for b in layout.blocks]
    first = f.pos == 0
    us_gain = _steps(
        np.concatenate([s.value[p] for s, p in zip(sets, layout.points, strict=True)])
        - blocks.us_batna[pb],
        first,
    )
    cost_f = np.concatenate([s.cost[p] for s, p in zip(sets, layout.points, strict=True)])
    need = _steps(blocks.need0[pb] + cost_f, first)
    cost, upper, integer = np.zeros(n), np.ones(n), np.zeros(n, dtype=bool)
    upper[f.ycols] = ub
    integer[f.chain] = integral
    opens = f.chain[first]  # each block's chain[0]
    if blocks.mode == "us-best":
        cost[f.ycols], cost[f.chain] = blocks.a0[ib], us_gain
    else:
        cost[f.ycols], cost[f.chain] = v, -need
        cost[opens] += blocks.need0[bk] - blocks.sec[bk] - blocks.batna[bk]
    # The shared rows, then the partners', then each block's.
    lo = [-INF] * len(blocks.supply)
    hi = [float(s) for s in blocks.supply]
    risk = floor = -1
    if blocks.budget is not None:
        risk = len(lo)
        lo.append(-INF)
        hi.append(blocks.budget)
    if blocks.floor is not None:
        floor = len(lo)
        lo.append(blocks.floor)
        hi.append(INF)
    must = forced if forced is not None else np.zeros(blocks.n_partners, dtype=bool)
    barred = blocks.barred if blocks.barred is not None else np.zeros_like(must)
    partner0 = len(lo)
    lo += np.where(must, 1.0, -INF).tolist()
    hi += np.where(barred, 0.0, 1.0).tolist()
    n_items = np.bincount(f.item_k, minlength=len(bk))
    n_points = np.bincount(f.point_k, minlength=len(bk))
    cc = prices is not None
    per_block = n_items + n_points + int(cc)  # bounds, order (points - 1), accept, cost
    start = len(lo) + np.concatenate(([0], np.cumsum(per_block)[:-1])).astype(np.int64)
    vub = start[f.item_k] + _within(n_items, f.item_k)
    later = ~first
    order = start[f.point_k[later]] + n_items[f.point_k[later]] + f.pos[later] - 1
    accept = start + n_items + n_points - 1
    kinds = np.ones(int(per_block.sum()), dtype=bool)  # True: <= 0; False: >= 0
    kinds[accept - len(lo)] = False
    if cc:
        kinds[accept + 1 - len(lo)] = False
    row_lower = np.concatenate((lo, np.where(kinds, -INF, 0.0)))
    row_upper = np.concatenate((hi, np.where(kinds, 0.0, INF)))
    triplets = [
        (f.items // n_j, f.ycols, np.ones(len(f.ycols))),  # supply
        (partner0 + blocks.partner[bk], opens, np.ones(len(bk))),
        (vub, f.ycols, np.ones(len(f.ycols))),
        (vub, f.chain[first][f.item_k], -ub),
        (order, f.chain[later], np.ones(len(order))),
        (order, f.chain[later] - 1, -np.ones(len(order))),
        (accept[f.item_k], f.ycols, v),
        (accept[f.point_k], f.chain, -need),
    ]
    if risk >= 0:
        triplets.append((np.full(len(f.ycols), risk), f.ycols, blocks.risk[ib]))
    if floor >= 0:
        triplets.append((np.full(len(f.ycols), floor), f.ycols, blocks.a0[ib]))
        triplets.append((np.full(len(f.chain), floor), f.chain, us_gain))
    if prices is not None:
        least = _least(prices, layout)
        row = accept + 1
        triplets.append((row[f.item_k], f.ycols, -prices.items[ib, f.items]))
        triplets.append((row[f.point_k], f.chain, -_steps(least, first)))
    rows, cols, vals = (np.concatenate(part) for part in zip(*triplets, strict=True))
    pass_model(
        h,
        cost=cost,
        lower=np.zeros(n),
        upper=upper,
        row_lower=row_lower,
        row_upper=row_upper,
        matrix=(rows.astype(np.int64), cols.astype(np.int64), vals.astype(np.float64)),
        integer=integer,
    )


def _least(prices: Pricing, layout: _Layout) -> F64:
    """Each chain binary's m(need_f): the least its set's need costs at the master's
    prices (the compute-cost row: cost·y >= sum_f lambda_f m(need_f)).

    With `cost` the items' prices (minus their reduced profit at the duals) and
    m(W) = min cost·y subject to v·y >= W, 0 <= y <= ub (the pricing's
    continuous knapsack), every deal with set f spends at least m(need_f), and a
    mix of sets (lambda_f = c_f - c_{f+1} on the chain) at least the mix of those.
    The chain formulation alone lets a fractional deal draw its value from the
    best segments beyond its weight; this row takes that away, so the LP bound
    at these prices is no weaker than the master's.
    """
    blocks = prices.blocks
    return np.concatenate(
        [
            -np.interp(
                blocks.need0[b] + blocks.concession_sets[b].cost[points],
                prices.vs[b],
                prices.gains[b],
            )
            for b, points in zip(layout.blocks, layout.points, strict=True)
        ]
    )


def _steps(values: F64, first: NDArray[np.bool_]) -> F64:
    """Increments along each block's chain (`first`: where a chain starts); increments
    below rounding noise are zero."""
    out = np.diff(values, prepend=0.0)
    out[first] = values[first]
    out[np.abs(out) < 1e-12] = 0.0
    return out


def _vector(layout: _Layout, start: list[Choice]) -> F64:
    x = np.zeros(layout.columns)
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


def _outcome(h: Any, blocks: Blocks, layout: _Layout, integral: bool = True) -> MipOutcome:
    import highspy

    info = h.getInfo()
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time-limit",
        highspy.HighsModelStatus.kInterrupt: "time-limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }.get(h.getModelStatus(), "error")
    binaries = layout.sets
    if status == "error":  # neither its solution nor its bound can be trusted
        return MipOutcome(status, None, None, [], binaries)
    mip = integral and binaries
    bound = float(info.mip_dual_bound) if mip else float(info.objective_function_value)
    if not has:
        ok = status == "infeasible" or np.isfinite(bound)
        return MipOutcome(
            "no-solution" if status == "time-limit" else status,
            None,
            bound if ok and np.isfinite(bound) else None,
            [],
            binaries,
        )
    x = np.asarray(h.getSolution().col_value)
    n_t, n_j = blocks.ub.shape[1:]
    choices = []
    for k, b in enumerate(layout.blocks):
        chain = x[layout.chain0[k] : layout.chain0[k] + len(layout.points[k])]
        if chain[0] < 0.5:
            continue
        y = np.zeros(n_t * n_j)
        y[layout.items[k]] = x[layout.y0[k] : layout.y0[k] + len(layout.items[k])]
        chosen = int((chain > 0.5).sum()) - 1
        choices.append(Choice(b, int(layout.points[k][chosen]), y.reshape(n_t, n_j)))
    value = float(info.objective_function_value)
    return MipOutcome(status, value, bound if np.isfinite(bound) else value, choices, binaries)
