"""Negotiation: the frontier, bargaining points, re-planning around settled deals.

A layer above `solve` and `check`: plain functions that call them, never the
other way round.
"""

from dealbench.negotiate.bargaining import zopas
from dealbench.negotiate.frontier import (
    Axis,
    Frontier,
    FrontierPoint,
    frontier,
    point_of,
    us_best_at,
)
from dealbench.negotiate.replan import residual, solve_with_floor

__all__ = [
    "Axis",
    "Frontier",
    "FrontierPoint",
    "frontier",
    "point_of",
    "residual",
    "solve_with_floor",
    "us_best_at",
    "zopas",
]
