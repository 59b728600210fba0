"""The checker's tolerances, and what lies within them: whether a figure is over a limit,
uses all of a shared one, or sits on an ask or cap in whole units."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dealbench.model.portfolio import Portfolio

if TYPE_CHECKING:
    from dealbench.checker.deal import DealFigures

#: USD: a partner this close to its walk-away value (plus the margin) is held to it.
HELD_TOL = 1e6
#: Tolerances: the solver works in thousands of H100e and billions of USD with
#: feasibility tolerances near 1e-7 of those units.
#: A compute limit (ask, cap, supply, risk budget) is broken by more than half an H100e
#: over it, however large it is: the solver's noise is far below that (1e-7 of a
#: thousand H100e), and a whole H100e over a limit is over it (until qa43-verify a
#: relative 1e-6 was added, so 600,001 H100e passed a cap of 600,000).
COMPUTE_TOL = 0.5  # H100e
MONEY_TOL = 1e4  # USD
REL_TOL = 1e-6


def over(value: float, limit: float, abs_tol: float) -> bool:
    """Whether compute `value` breaks `limit` by more than `abs_tol` (absolute: H100e)."""
    return value > limit + abs_tol


def compute_limit_reach(limit: float) -> float:
    """The most compute (or risk-weighted compute) a shared `limit` admits, within the
    checker's tolerance: above it, `check` calls the limit broken."""
    return limit + COMPUTE_TOL


def in_full(limit: float, used: float) -> bool:
    """Whether `used` takes all of a shared `limit` (supply, the risk budget), within the
    checker's tolerance: less than half an H100e (or risk-weighted H100e) left, however
    large the limit, as `over` allows half an H100e over it. A whole H100e left is not
    used in full (until qa44-verify 1e-6 of the limit was allowed besides, so 1,399,999
    of a supply of 1,400,000 read "fully allocated")."""
    return limit - used <= COMPUTE_TOL


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


def least_accepted(portfolio: Portfolio, deal: DealFigures, step: float | None = None) -> bool:
    """Whether `deal`'s compute is the least the partner accepts: its utility is on its
    walk-away value plus the required margin (within `HELD_TOL`), or above it by less than
    one step's worth to it in every period it receives compute in (`step`, H100e: the
    step the compute is in, else the portfolio's). In whole steps of 1,000 H100e worth
    $45m each to TR, 21,000 H100e at $35m over its walk-away value is the least it
    accepts, as 20,000 at $0 is when the margin asked is $0."""
    margin = deal.partner_margin
    if abs(margin) <= HELD_TOL:
        return True
    partner = portfolio.partner(deal.partner)
    step = portfolio.granularity.h100e if step is None else step
    if partner is None or margin < 0 or step <= 0:
        return False
    losses = [
        partner.value_of(x) - partner.value_of(x - step)
        for x in deal.compute.values()
        if x >= step - COMPUTE_TOL
    ]
    return bool(losses) and margin < min(losses) - MONEY_TOL
