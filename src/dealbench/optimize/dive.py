"""A diving heuristic on the master LP: a good portfolio, fast.

The master LP's solution is a portfolio except for a few partners (at most one
per shared limit) whose weight is split between concession sets or between a
deal and no deal. The dive fixes one such partner at a time to the option
whose LP, re-solved by column generation, is best, until every partner holds
one set; that LP solution is then a portfolio (points of one set average into
a schedule of that set), and its value a lower bound for the exact stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.blocks import F64, I64, Blocks, FlatPoints
from dealbench.optimize.master import Master, generate_columns
from dealbench.optimize.pricing import Duals

_MASS = 1e-6
#: Options tried for the partner fixed at each step, heaviest first.
OPTIONS_PER_STEP = 3

Option = tuple[int, int]  # (block, frontier point); (-1, -1) is no deal


@dataclass
class Choice:
    """One deal of a portfolio: block, frontier point, compute (T, J)."""

    block: int
    point: int
    y: F64


@dataclass
class _Fixing:
    start: I64
    stop: I64
    no_deal: NDArray[np.bool_]

    def copy(self) -> _Fixing:
        return _Fixing(self.start.copy(), self.stop.copy(), self.no_deal.copy())

    def fix(self, blocks: Blocks, p: int, option: Option, walk: bool) -> _Fixing:
        """Partner p takes `option`; with `walk`, it may still end without a deal."""
        out = self.copy()
        mine = blocks.partner == p
        out.start[mine] = out.stop[mine] = 0
        b, f = option
        out.no_deal[p] = b < 0 or walk
        if b >= 0:
            out.start[b], out.stop[b] = f, f + 1
        return out


def dive(
    master: Master,
    duals: Duals,
    *,
    points: FlatPoints | None = None,
    deadline: float,
    max_steps: int = 1000,
) -> tuple[float, list[Choice]] | None:
    """A portfolio from the master LP by successive fixing, or None (deadline, infeasible).

    Column generation prices only `points` (the candidates; default all).
    """
    blocks = master.blocks
    fixing = _Fixing(
        np.zeros(blocks.n_blocks, np.int64),
        blocks.usable.copy(),
        np.ones(blocks.n_partners, dtype=bool),
    )
    for step in range(max_steps):
        mass = masses(master)
        if step == 0:  # partners the LP already settles keep their set (or stay out)
            for p, weights in enumerate(mass):
                if len(weights) == 1:
                    fixing = fixing.fix(blocks, p, next(iter(weights)), walk=True)
            for p in range(blocks.n_partners):
                if not mass[p]:
                    fixing = fixing.fix(blocks, p, (-1, -1), walk=True)
        spread = _most_spread(mass)
        if spread is None:
            return master_value(master), portfolio(master)
        options = sorted(mass[spread], key=lambda o: -mass[spread][o])[:OPTIONS_PER_STEP]
        # Between sets, pick a set and leave walking away open; between a set and no deal, decide.
        walk = (-1, -1) not in mass[spread]
        best: tuple[float, _Fixing, Duals] | None = None
        for option in options:
            trial = fixing.fix(blocks, spread, option, walk)
            lp = generate_columns(
                master,
                duals,
                window=(trial.start, trial.stop),
                no_deal=trial.no_deal,
                points=points,
                deadline=deadline,
            )
            if lp.artificial <= _MASS and lp.converged and (best is None or lp.value > best[0]):
                best = (lp.value, trial, lp.duals)
            if time.perf_counter() > deadline:
                return None
        if best is None:
            return None
        _, fixing, duals = best
        generate_columns(
            master,
            duals,
            window=(fixing.start, fixing.stop),
            no_deal=fixing.no_deal,
            points=points,
            deadline=deadline,
        )
    return None


def master_value(master: Master) -> float:
    return float(master.h.getInfo().objective_function_value)


def masses(master: Master) -> list[dict[Option, float]]:
    """Each partner's LP weight per option (no deal included)."""
    x = master.values()
    blocks = master.blocks
    mass: list[dict[Option, float]] = [{} for _ in range(blocks.n_partners)]
    for col in np.flatnonzero(x > _MASS):
        b = master.block[col]
        if b < 0:
            continue
        key = (b, master.point[col])
        weights = mass[int(blocks.partner[b])]
        weights[key] = weights.get(key, 0.0) + float(x[col])
    for weights in mass:
        left = 1.0 - sum(weights.values())
        if left > _MASS:
            weights[(-1, -1)] = left
    return mass


def _most_spread(mass: list[dict[Option, float]]) -> int | None:
    """The partner whose weight is furthest from a single option (None: all integral)."""
    best, score = None, _MASS
    for p, weights in enumerate(mass):
        if len(weights) > 1:
            s = 1.0 - max(weights.values())
            if s > score:
                best, score = p, s
    return best


def portfolio(master: Master) -> list[Choice]:
    """The LP solution as deals: per block, the weighted schedule of its one set."""
    x = master.values()
    agg: dict[int, tuple[int, float, F64]] = {}
    for col in np.flatnonzero(x > _MASS):
        b = master.block[col]
        if b < 0:
            continue
        f, w, y = agg.get(b, (master.point[col], 0.0, np.zeros_like(master.y[col])))
        agg[b] = (f, w + float(x[col]), y + float(x[col]) * master.y[col])
    return [Choice(b, f, y / w) for b, (f, w, y) in agg.items() if w > 0.5]
