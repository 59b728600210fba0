"""A portfolio of choices in the model's own terms, without a solver: its objective, and
whether it meets every row of the model."""

from __future__ import annotations

import numpy as np

from dealbench.optimize.decomposition.blocks import Blocks
from dealbench.optimize.decomposition.choice import Choice


def objective(blocks: Blocks, choices: list[Choice]) -> float:
    """The model objective of a portfolio (model units)."""
    total = 0.0
    for c in choices:
        b, sets = c.block, blocks.concession_sets[c.block]
        if blocks.mode == "us-best":
            total += sets.value[c.point] - blocks.us_batna[b] + blocks.a0[b] * c.y.sum()
        else:
            partner = float((c.y * blocks.v[b]).sum()) - sets.cost[c.point]
            total += partner - blocks.sec[b] - blocks.batna[b]
    return float(total)


def feasible(blocks: Blocks, choices: list[Choice], tol: float = 1e-6) -> bool:
    """Whether a portfolio meets every row of the model, to a solver's tolerance
    (`tol`, relative to each row's size; `check` vouches for the packages later)."""
    seen: set[int] = set()
    used = np.zeros(len(blocks.supply))
    risk = us_gain = 0.0
    for c in choices:
        b = c.block
        p = int(blocks.partner[b])
        if p in seen or not 0 <= c.point < blocks.usable[b] or c.y.shape != blocks.ub[b].shape:
            return False
        seen.add(p)
        if blocks.barred is not None and blocks.barred[p]:
            return False
        if (c.y < -tol).any() or (c.y > blocks.ub[b] * (1 + tol) + tol).any():
            return False
        need = blocks.need0[b] + blocks.concession_sets[b].cost[c.point]
        if float((c.y * blocks.v[b]).sum()) < need - tol * max(1.0, abs(need)):
            return False
        x = c.y.sum(axis=1)
        used += x
        risk += blocks.risk[b] * x.sum()
        us_gain += (
            blocks.concession_sets[b].value[c.point] - blocks.us_batna[b] + blocks.a0[b] * x.sum()
        )
    if (used > blocks.supply * (1 + tol) + tol).any():
        return False
    if blocks.budget is not None and risk > blocks.budget * (1 + tol) + tol:
        return False
    if blocks.forced is not None and not seen.issuperset(np.flatnonzero(blocks.forced).tolist()):
        return False
    return blocks.floor is None or us_gain >= blocks.floor - tol * max(1.0, abs(blocks.floor))
