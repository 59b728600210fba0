"""The Dantzig–Wolfe master LP over deal points, in highspy, and column generation.

The master has one row per shared limit (supply per period, the risk budget,
and in partner-best mode the US floor, written -gain <= -floor) and one
convexity row per partner (no deal is its slack); a column is one point of one
block: a concession set (Pareto point f) with a compute schedule y. An
artificial column with a large cost keeps the floor row feasible; if the LP
still needs it at the end, the floor cannot be met.

Column generation alternates the LP and pricing. Every pricing gives a valid
upper bound (the Lagrangian bound); the best one is kept with its duals, and
the loop ends when no column has a positive reduced cost, so the LP value and
the bound meet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from dealbench.optimize.decomposition.blocks import F64, Blocks
from dealbench.optimize.decomposition.pricing import Duals, Pricing, price
from dealbench.optimize.highs import INF, new_highs, run_lp

#: Cost of an artificial column (model units, USD billions): far above any deal.
ARTIFICIAL_COST = 1e5
_TOL = 1e-9


@dataclass
class RootLP:
    """How column generation ended."""

    bound: float  # best Lagrangian bound met (model units)
    value: float  # the LP value at the end
    #: The duals at which `bound` was met: always L(duals) == bound, since the
    #: reduced-cost argument (`search`) prices at these duals and measures
    #: its cuts from `bound`. A pair from two different duals is no bound.
    duals: Duals
    converged: bool
    iterations: int
    artificial: float = 0.0  # > 0: the LP could not meet the US floor


class Master:
    """The master LP; columns accumulate as pricing finds them."""

    def __init__(self, blocks: Blocks, threads: int | None) -> None:
        import highspy

        self.blocks = blocks
        self.h = new_highs(threads=threads)
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
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
        lower = np.full(n, -INF)
        if blocks.forced is not None:  # a partner that must deal: its convexity row is = 1
            lower[self.n_coupling :][blocks.forced] = 1.0
        empty = np.zeros(n + 1, dtype=np.int32)
        self.h.addRows(n, lower, np.array(upper), 0, empty, empty[:0], np.zeros(0))
        self.block: list[int] = []  # per column: block (-1: artificial)
        self.point: list[int] = []  # per column: Pareto point
        # Artificial columns: one per partner and the floor (gain + s >= floor).
        art = [[(self.n_coupling + p, 1.0)] for p in range(blocks.n_partners)]
        if self.floor_row >= 0:
            art.append([(self.floor_row, -1.0)])
        self._add([-ARTIFICIAL_COST] * len(art), art)
        self.n_artificial = len(art)
        self.block += [-1] * len(art)
        self.point += [-1] * len(art)

    def restrict(self, blocks: Blocks) -> None:
        """The same master for `blocks`, the same blocks with other partners forced to
        deal or barred from it (`Blocks.forced`, `Blocks.barred`): the convexity rows'
        bounds follow them; the columns stay (a barred partner's are held at zero)."""
        self.blocks = blocks
        n = blocks.n_partners
        forced = blocks.forced if blocks.forced is not None else np.zeros(n, dtype=bool)
        barred = blocks.barred if blocks.barred is not None else np.zeros(n, dtype=bool)
        rows = self.n_coupling + np.arange(n, dtype=np.int32)
        lower = np.where(forced, 1.0, -INF)
        upper = np.where(barred, 0.0, 1.0)
        self.h.changeRowsBounds(n, rows, lower, upper)

    def add_points(self, pricing: Pricing, picks: list[tuple[int, int]]) -> None:
        """Columns for the best compute schedule of each (block, Pareto point), all at once:
        each column's entries are its supply rows (periods with compute), the risk budget,
        the US floor and its partner's convexity row, in that order."""
        if not picks:
            return
        b_ = self.blocks
        b = np.array([p[0] for p in picks], dtype=np.int64)
        f = np.array([p[1] for p in picks], dtype=np.int64)
        y = pricing.points(b, f)  # (n, T, J)
        x = y.sum(axis=2)
        total = x.sum(axis=1)
        flat = b_.flat
        assert flat is not None
        at = flat.offset[b] + f
        us_gain = flat.value[at] - b_.us_batna[b] + b_.a0[b] * total
        if b_.mode == "us-best":
            costs = us_gain
        else:
            value = (y * b_.v[b][:, None, :]).reshape(len(b), -1).sum(axis=1)
            costs = value - flat.cost[at] - b_.sec[b] - b_.batna[b]
        n = len(b)
        rows = np.empty((n, self.n_t + 3), dtype=np.int64)
        vals = np.empty((n, self.n_t + 3))
        keep = np.ones((n, self.n_t + 3), dtype=bool)
        rows[:, : self.n_t] = np.arange(self.n_t)
        vals[:, : self.n_t] = x
        keep[:, : self.n_t] = x != 0.0
        rows[:, self.n_t], vals[:, self.n_t] = self.risk_row, b_.risk[b] * total
        keep[:, self.n_t] = self.risk_row >= 0
        rows[:, self.n_t + 1], vals[:, self.n_t + 1] = self.floor_row, -us_gain
        keep[:, self.n_t + 1] = self.floor_row >= 0
        rows[:, self.n_t + 2], vals[:, self.n_t + 2] = self.n_coupling + b_.partner[b], 1.0
        self._add_columns(costs, keep.sum(axis=1), rows[keep], vals[keep])
        self.block += b.tolist()
        self.point += f.tolist()

    def _add(self, costs: list[float], entries: list[list[tuple[int, float]]]) -> None:
        index = np.array([r for e in entries for r, _ in e], dtype=np.int32)
        value = np.array([v for e in entries for _, v in e], dtype=np.float64)
        self._add_columns(costs, np.array([len(e) for e in entries]), index, value)

    def _add_columns(
        self, costs: ArrayLike, counts: ArrayLike, index: ArrayLike, value: ArrayLike
    ) -> None:
        """Columns in [0, inf) with `counts[i]` entries each, `index`/`value` in order."""
        cost = np.asarray(costs, dtype=np.float64)
        rows = np.asarray(index, dtype=np.int32)
        n = len(cost)
        if n == 0:
            return
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
        self.h.addCols(
            n,
            cost,
            np.zeros(n),
            np.full(n, INF),
            len(rows),
            starts,
            rows,
            np.asarray(value, dtype=np.float64),
        )

    def artificial_in_use(self) -> float:
        return float(self.values()[: self.n_artificial].sum())

    def solve(self) -> tuple[float, Duals, F64]:
        """LP value, duals of the shared limits, duals of the partners' convexity rows."""
        run_lp(self.h, "the master LP of the decomposition")
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
    duals: Duals | None = None,
    *,
    deadline: float = np.inf,
    max_iterations: int = 1000,
) -> RootLP:
    """Column generation from `duals` (a warm start) or zero prices.

    The loop ends (converged) only when pricing at the master's own duals finds
    no improving column: `duals` given from outside (a previous, different
    portfolio's) are a valid place to price from and their Lagrangian bound
    counts, but no column improving there says nothing about the LP optimum.
    """
    blocks = master.blocks
    pricing = price(blocks, duals or Duals.zero(blocks))
    root = RootLP(pricing.bound, -np.inf, pricing.duals, False, 0)
    sigma = np.zeros(blocks.n_partners)
    at_master = False  # whether `pricing` and `sigma` come from the master LP

    def resolve() -> None:
        nonlocal pricing, sigma, at_master
        root.value, master_duals, sigma = master.solve()
        pricing = price(blocks, master_duals)
        at_master = True
        if pricing.bound < root.bound:  # the bound and its duals change together
            root.bound, root.duals = pricing.bound, master_duals

    if master.h.getNumCol() > master.n_artificial:  # seeded columns (a warm start)
        resolve()
    while root.iterations < max_iterations:
        picks = improving(pricing, sigma, _TOL * max(1.0, abs(root.bound)))
        if not picks and not at_master:
            resolve()  # nothing improves at outside prices: ask the master for its own
            continue
        if not picks or root.bound - root.value <= _TOL * max(1.0, abs(root.bound)):
            root.converged = True
            break
        if time.perf_counter() > deadline:
            break
        master.add_points(pricing, picks)
        root.iterations += 1
        resolve()
    root.artificial = master.artificial_in_use()
    return root


def improving(pricing: Pricing, sigma: F64, tol: float) -> list[tuple[int, int]]:
    """Each block's best point when its reduced cost is positive."""
    rc = pricing.best - sigma[pricing.blocks.partner]
    return [(int(b), int(pricing.arg[b])) for b in np.flatnonzero(rc > tol)]
