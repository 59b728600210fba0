"""The Dantzig–Wolfe master LP over deal points, in highspy, and its column generation.

The master has one row per shared limit (supply per period, the risk budget,
and the US floor in partner-best mode, written -gain <= -floor) and one
convexity row per partner; a column is one point of one block: a concession
set (frontier point f) with a compute schedule y. A branch-and-price node
restricts each partner to a window of its concession sets, possibly without
"no deal": columns outside it get an upper bound of 0, and the partner's
convexity row becomes an equality. Artificial columns with a large cost keep
every node's LP feasible; a node needing one is infeasible, and its
Lagrangian bound says so.

Column generation at a node alternates the LP and pricing; every pricing gives
a valid upper bound (the Lagrangian bound), so a node is dropped as soon as
one falls below the incumbent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.blocks import F64, I64, Blocks
from dealbench.optimize.highs import INF, new_highs
from dealbench.optimize.pricing import Duals, Pricing, price

#: Cost of an artificial column (model units, USD billions): far above any deal.
ARTIFICIAL_COST = 1e5
_TOL = 1e-9


@dataclass
class NodeLP:
    """How column generation at one node ended."""

    bound: float  # best Lagrangian bound met at the node
    value: float  # the LP value at the end
    duals: Duals  # duals of the best bound
    converged: bool
    iterations: int
    pruned: bool = False  # the bound fell to the cutoff before convergence


class Master:
    """The master LP; columns accumulate over the whole search."""

    def __init__(self, blocks: Blocks, threads: int | None) -> None:
        import highspy

        self.blocks = blocks
        self.h = new_highs(threads=threads)
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        upper = list(blocks.supply)
        self.n_t = len(upper)
        self.risk_row = self.floor_row = -1
        if blocks.budget is not None:
            self.risk_row = len(upper)
            upper.append(blocks.budget)
        if blocks.floor is not None:
            self.floor_row = len(upper)
            upper.append(-blocks.floor)
        self.n_coupling = len(upper)
        upper += [1.0] * blocks.n_partners
        n = len(upper)
        empty = np.zeros(n + 1, dtype=np.int32)
        self.h.addRows(n, np.full(n, -INF), np.array(upper), 0, empty, empty[:0], np.zeros(0))
        self.block: list[int] = []  # per column: block (-1: artificial)
        self.point: list[int] = []  # per column: frontier point
        self.y: list[F64] = []  # per column: compute (T, J)
        art = [[(self.n_coupling + p, 1.0)] for p in range(blocks.n_partners)]
        if self.floor_row >= 0:
            art.append([(self.floor_row, -1.0)])  # gain + s >= floor
        self._add([-ARTIFICIAL_COST] * len(art), art)
        self.block += [-1] * len(art)
        self.point += [-1] * len(art)
        self.y += [np.zeros(0)] * len(art)

    def add_points(self, pricing: Pricing, picks: list[tuple[int, int]]) -> None:
        """Columns for the best compute schedule of each (block, frontier point)."""
        b_ = self.blocks
        costs, entries = [], []
        for b, f in picks:
            y = pricing.point(b, f)
            x = y.sum(axis=1)
            us_gain = float(b_.frontiers[b].value[f] - b_.us_batna[b] + b_.a0[b] * x.sum())
            if b_.mode == "us-best":
                costs.append(us_gain)
            else:
                partner = float((y * b_.v[b]).sum() - b_.frontiers[b].cost[f])
                costs.append(partner - b_.sec[b] - b_.batna[b])
            col = [(t, float(x[t])) for t in range(self.n_t) if x[t] != 0.0]
            if self.risk_row >= 0:
                col.append((self.risk_row, float(b_.risk[b] * x.sum())))
            if self.floor_row >= 0:
                col.append((self.floor_row, -us_gain))
            col.append((self.n_coupling + int(b_.partner[b]), 1.0))
            entries.append(col)
            self.block.append(b)
            self.point.append(f)
            self.y.append(y)
        self._add(costs, entries)

    def _add(self, costs: list[float], entries: list[list[tuple[int, float]]]) -> None:
        starts = np.cumsum([0, *(len(e) for e in entries)])[:-1].astype(np.int32)
        index = np.array([r for e in entries for r, _ in e], dtype=np.int32)
        value = np.array([v for e in entries for _, v in e], dtype=np.float64)
        n = len(costs)
        self.h.addCols(
            n, np.array(costs), np.zeros(n), np.full(n, INF), len(index), starts, index, value
        )

    def restrict(self, start: I64, stop: I64, no_deal: NDArray[np.bool_]) -> None:
        """Allow only the columns inside each block's window; force deals where no_deal is False."""
        block, point = np.array(self.block), np.array(self.point)
        real = block >= 0
        ok = ~real.copy()
        ok[real] = (point[real] >= start[block[real]]) & (point[real] < stop[block[real]])
        n = len(block)
        self.h.changeColsBounds(
            n, np.arange(n, dtype=np.int32), np.zeros(n), np.where(ok, INF, 0.0)
        )
        p = len(no_deal)
        rows = (self.n_coupling + np.arange(p)).astype(np.int32)
        self.h.changeRowsBounds(p, rows, np.where(no_deal, -INF, 1.0), np.ones(p))

    def solve(self) -> tuple[float, Duals, F64]:
        """LP value, duals of the shared limits, duals of the partners' convexity rows."""
        self.h.run()
        dual = np.array(self.h.getSolution().row_dual)
        duals = Duals(
            supply=np.maximum(dual[: self.n_t], 0.0),
            risk=max(float(dual[self.risk_row]), 0.0) if self.risk_row >= 0 else 0.0,
            floor=max(float(dual[self.floor_row]), 0.0) if self.floor_row >= 0 else 0.0,
        )
        value = float(self.h.getInfo().objective_function_value)
        return value, duals, dual[self.n_coupling :]

    def values(self) -> F64:
        return np.asarray(self.h.getSolution().col_value)


def generate_columns(
    master: Master,
    window: tuple[I64, I64],
    no_deal: NDArray[np.bool_],
    *,
    cutoff: float = -np.inf,
    deadline: float = np.inf,
    max_iterations: int = 1000,
) -> NodeLP:
    """Column generation at one node, from the columns already there."""
    blocks = master.blocks
    master.restrict(*window, no_deal)
    node = NodeLP(np.inf, -np.inf, Duals.zero(blocks), False, 0)
    while node.iterations < max_iterations:
        node.iterations += 1
        node.value, duals, sigma = master.solve()
        pricing = price(blocks, duals, window, no_deal)
        if pricing.bound < node.bound:
            node.bound, node.duals = pricing.bound, duals
        tol = _TOL * max(1.0, abs(node.bound))
        if node.bound <= cutoff:
            node.pruned = True
            break
        picks = improving(pricing, sigma, tol)
        if not picks or node.bound - node.value <= tol:
            node.converged = True
            break
        if time.perf_counter() > deadline:
            break
        master.add_points(pricing, picks)
    return node


def improving(pricing: Pricing, sigma: F64, tol: float) -> list[tuple[int, int]]:
    """Each block's best point when its reduced cost is positive."""
    rc = pricing.best - sigma[pricing.blocks.partner]
    return [(int(b), int(pricing.arg[b])) for b in np.flatnonzero(rc > tol)]
