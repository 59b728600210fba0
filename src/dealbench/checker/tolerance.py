"""The checker's tolerances, and what lies within them: whether a figure is over a limit,
uses all of a shared one, or sits on an ask or cap in whole units."""

from __future__ import annotations

import math

from dealbench.model.portfolio import Portfolio

#: Tolerances: the solver works in thousands of H100e and billions of USD with
#: feasibility tolerances near 1e-7 of those units.
COMPUTE_TOL = 0.5  # H100e
MONEY_TOL = 1e4  # USD
REL_TOL = 1e-6


def over(value: float, limit: float, abs_tol: float) -> bool:
    return value > limit + abs_tol + REL_TOL * abs(limit)


def compute_limit_reach(limit: float) -> float:
    """The most compute (or risk-weighted compute) a shared `limit` admits, within the
    checker's tolerance: above it, `check` calls the limit broken."""
    return limit + COMPUTE_TOL + REL_TOL * abs(limit)


def in_full(limit: float, used: float) -> bool:
    """Whether `used` takes all of a shared `limit` (supply, the risk budget), within the
    checker's tolerance."""
    return limit - used <= limit * REL_TOL + COMPUTE_TOL


def reachable(portfolio: Portfolio, amount: float) -> float:
    """`amount` (an ask, a cap) as whole steps can give it: the grid allows each limit
    itself in whole units (one H100e, or one chip when the step is in chips), so an ask
    of 49,898.9 H100e in B200 chips is met at 21,944 chips (49,897.9 H100e)."""
    grid = portfolio.granularity
    if grid.h100e == 0:
        return amount
    return math.floor(amount / grid.unit + 1e-9) * grid.unit


def at_limit(portfolio: Portfolio, amount: float, limit: float) -> bool:
    """Whether `amount` of compute sits on `limit` (an ask, a cap), in whole units."""
    return amount >= reachable(portfolio, limit) - COMPUTE_TOL
