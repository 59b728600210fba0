"""Warm starts: what a solve leaves behind for the next, similar one.

A re-solve after a small change (one partner's ask, one cap) starts from the
previous prices (duals), the concession sets the previous LP used, the
concession_sets of partners whose menus did not change, and the previous packages as
an incumbent when they still meet every limit. None of it is trusted: seeds
are re-priced, and the incumbent is re-checked against the new data, so the
answer is exact either way.

The state is kept beside the result (not in it: results stay plain data that
serialise and compare as before); a result read back from JSON still seeds
the search with its packages.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from dealbench.checker import evaluate
from dealbench.model.package import Package
from dealbench.optimize.decomposition.blocks import F64, Blocks, SetsCache
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.concession_sets import ConcessionSets
from dealbench.optimize.decomposition.pricing import Duals
from dealbench.optimize.formulation import COMPUTE, MONEY
from dealbench.optimize.result import SolveResult
from dealbench.optimize.schedule.smooth import ScheduleStart


@dataclass
class WarmStart:
    mode: str
    periods: list[str]
    duals: Duals | None = None
    cache: SetsCache = field(default_factory=dict)
    #: (partner code, level, Pareto list, point) of the sets the previous LP used
    columns: list[tuple[str, str, ConcessionSets, int]] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    #: The first incumbent round's sets per partner for a solve started from this state
    #: (None: `rounds.MIP_SETS_PER_PARTNER`); a caller that solves a path of close
    #: problems, each from the one before, may ask for fewer (`negotiate.joint_chains`).
    sets_per_partner: int | None = None
    #: Where the smooth schedule of the solve that left this state ended, and whether a
    #: solve started from this state starts its schedule there and keeps its own for the
    #: next (`smooth.ScheduleStart`): a caller that solves a path of close problems asks
    #: for it (`negotiate.joint_chains`); each stage is still solved to its optimum.
    schedule: ScheduleStart | None = None
    keep_schedule: bool = False


_KEPT: dict[int, tuple[weakref.ref[SolveResult], WarmStart]] = {}


def remember(result: SolveResult, warm: WarmStart) -> None:
    """Keep `warm` for as long as `result` lives."""
    key = id(result)
    _KEPT[key] = (weakref.ref(result, lambda _: _KEPT.pop(key, None)), warm)


def warm_from(source: SolveResult | WarmStart | None) -> WarmStart | None:
    if source is None or isinstance(source, WarmStart):
        return source
    kept = _KEPT.get(id(source))
    if kept is not None and kept[0]() is source:
        return kept[1]
    return WarmStart(
        mode=source.mode,
        periods=list(source.periods),
        packages=[deal.package() for deal in source.deals],
    )


def seeds(blocks: Blocks, warm: WarmStart) -> tuple[Duals | None, list[tuple[int, int]]]:
    """The previous duals (when the shared limits match) and columns (when concession_sets match)."""
    if warm.mode != blocks.mode or warm.periods != list(blocks.portfolio.periods):
        return None, []
    where = _block_index(blocks)
    out = []
    for code, level, sets, point in warm.columns:
        b = where.get((code, level))
        if b is not None and blocks.concession_sets[b] is sets and point < blocks.usable[b]:
            out.append((b, point))
    return warm.duals, out


def incumbent(blocks: Blocks, packages: list[Package]) -> list[Choice] | None:
    """The previous packages as a portfolio of this model; deals no longer acceptable are dropped."""
    if not packages:
        return None
    pf = blocks.portfolio
    where = _block_index(blocks)
    choices = []
    for package in packages:
        b = where.get((package.partner, package.security))
        if b is None or pf.partner(package.partner) is None:
            continue  # a partner or level that is gone: no deal there
        deal = evaluate(pf, package)
        if deal.violations or not deal.accepts:
            continue
        sets = blocks.concession_sets[b]
        cost = deal.concession_cost / MONEY
        f = int(np.searchsorted(sets.cost, cost + 1e-9, side="right")) - 1
        if f < 0 or f >= blocks.usable[b]:
            continue
        if sets.value[f] < deal.us_concession_value / MONEY - 1e-9:
            continue
        x = np.array([deal.compute[t] for t in pf.periods]) / COMPUTE
        choices.append(Choice(b, f, _fill(blocks, b, x)))
    return choices or None


def _fill(blocks: Blocks, b: int, x: F64) -> F64:
    """Compute per period into value segments, in order (the partner's own valuation)."""
    ub = blocks.ub[b]
    starts = np.concatenate((np.zeros((ub.shape[0], 1)), np.cumsum(ub, axis=1)[:, :-1]), axis=1)
    out: F64 = np.clip(x[:, None] - starts, 0.0, ub)
    return out


def _block_index(blocks: Blocks) -> dict[tuple[str, str], int]:
    return {
        (blocks.partners[blocks.partner[b]].code, blocks.level[b]): b
        for b in range(blocks.n_blocks)
    }
