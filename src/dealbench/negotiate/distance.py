"""How far a package lies from the frontier: the most the US could get at the same partner
utility, and the package that does it (a verdict's third part, `negotiate.verdict`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dealbench.checker import DealFigures, check, evaluate
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import SAME_ABS, SAME_REL, offering
from dealbench.negotiate.plan import Plan, alone

__all__ = ["FrontierGap", "frontier_gap"]


class FrontierGap(BaseModel):
    """What the US could get at the package's partner utility, and the package that does it."""

    model_config = ConfigDict(frozen=True)

    us_utility: float
    partner_utility: float
    gain: float
    package: Package | None
    #: The package itself is the point: no package gives the partner as much and the US more.
    on_frontier: bool = False
    #: Whether `package` fits beside the other open negotiations as planned (None: no other
    #: open negotiation, or no package). The point is the partner's alone in what the
    #: concluded deals leave, so it may take supply or risk budget the plan gives them.
    fits_plan: bool | None = None


def frontier_gap(
    portfolio: Portfolio, plan: Plan, partner: str, figures: DealFigures
) -> FrontierGap:
    """The US-best package at the package's partner utility, within what the fixed deals leave.

    The other open negotiations are left out (the counter is weighed as a deal
    on its own; what it takes from them is the verdict's portfolio figures).
    The optimizer may choose the package's own amounts of range concessions
    beside the grid, and a package that keeps every limit is a candidate itself,
    so the gain is never negative for it (0, `on_frontier`, when nothing beats it).
    With no package at that partner utility, the point is no deal.
    """
    package = figures.package()
    one = offering(alone(portfolio, plan, partner), package)
    u = max(figures.partner_utility, figures.acceptance_threshold)
    point = _us_best_at(portfolio, one, partner, u)
    if figures.accepts and check(one, [package]).ok:
        best = figures.us_value if point is None else point.us_value
        if figures.us_value >= best - max(SAME_ABS, SAME_REL * abs(best)):
            return FrontierGap(
                us_utility=figures.us_value,
                partner_utility=figures.partner_utility,
                gain=0.0,
                package=package,
                on_frontier=True,
            )
    if point is None:  # no deal: each side has its walk-away value
        return FrontierGap(
            us_utility=figures.us_batna,
            partner_utility=figures.batna,
            gain=figures.us_batna - figures.us_value,
            package=None,
        )
    return FrontierGap(
        us_utility=point.us_value,
        partner_utility=point.partner_utility,
        gain=point.us_value - figures.us_value,
        package=point.package(),
    )


def _us_best_at(portfolio: Portfolio, one: Portfolio, partner: str, u: float) -> DealFigures | None:
    """The point as a package the documents print: in a portfolio decided in whole steps,
    the optimizer's (`jointly`: the partner is the only open negotiation in `one`), whose
    schedule is put on the step keeping acceptance, that is the floor `u`. The exact
    curves treat compute as continuous and fill it greedily: a corridor's VN read
    "2027Q4 8,800" in steps of 500 H100e, PH "1,142.857143"."""
    from dealbench.negotiate.frontier import us_best_at

    found = us_best_at(one, partner, u, jointly=one.granularity.h100e > 0)
    if found is None or found.package is None:
        return None
    return evaluate(portfolio, found.package)
