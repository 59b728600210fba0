"""A portfolio as the decomposition holds it, and how to read one off the master LP."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dealbench.optimize.blocks import F64
from dealbench.optimize.master import Master

_MASS = 1e-6

Option = tuple[int, int]  # (block, frontier point); (-1, -1) is no deal


@dataclass
class Choice:
    """One deal of a portfolio: block, frontier point, compute (T, J)."""

    block: int
    point: int
    y: F64


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
