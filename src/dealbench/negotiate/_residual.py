"""A stand-in for `dealbench.negotiate.replan.residual` until that module lands (same contract)."""

from __future__ import annotations

from collections.abc import Iterable

from dealbench.checker import evaluate
from dealbench.model.schema import Package, Portfolio


def residual(
    portfolio: Portfolio, fixed: Iterable[Package] = (), excluded: Iterable[str] = ()
) -> Portfolio:
    """The portfolio without those partners, supply and risk budget reduced by fixed packages."""
    packages = list(fixed)
    gone = {p.partner for p in packages} | set(excluded)
    figures = [evaluate(portfolio, p) for p in packages]
    supply = {
        t: max(0.0, portfolio.supply[t] - sum(f.compute.get(t, 0.0) for f in figures))
        for t in portfolio.periods
    }
    budget = portfolio.risk_budget
    if budget is not None:
        budget = max(0.0, budget - sum(f.risk for f in figures))
    return portfolio.model_copy(
        update={
            "partners": [p for p in portfolio.partners if p.code not in gone],
            "supply": supply,
            "risk_budget": budget,
        }
    )
