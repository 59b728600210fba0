"""One deal of a portfolio as the decomposition holds it."""

from __future__ import annotations

from dataclasses import dataclass

from dealbench.optimize.decomposition.blocks import F64


@dataclass
class Choice:
    """One deal of a portfolio: block, Pareto point, compute (T, J)."""

    block: int
    point: int
    y: F64
