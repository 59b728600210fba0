"""`--points all`: every non-dominated package of one partner, exactly."""

from __future__ import annotations

from dealbench.model.schema import Package, Portfolio
from dealbench.negotiate.frontier import Axis, FrontierPoint
from dealbench.negotiate.single import Single


def exact_points(
    portfolio: Portfolio, partner: str, alone: Single, fixed: list[Package], axis: Axis
) -> list[FrontierPoint]:
    raise ValueError("--points all is not available yet; give a number of points")
