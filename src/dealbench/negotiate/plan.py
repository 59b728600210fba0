"""Re-planning a portfolio from its rounds: concluded deals fixed, walked-away partners out.

DESIGN.md, "Negotiation": whenever the portfolio is re-planned from its rounds
(`room`, `offer`, `counter`'s verdict), a concluded deal's package is fixed
(its compute and risk are no longer available to others) and a walked-away
partner gets no deal; only the open negotiations are re-optimized. `replan`
does that with `residual` (the portfolio of the open partners, with the
supply and risk budget the fixed packages leave) and one solve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dealbench.checker import DealFigures, evaluate
from dealbench.model.schema import Package, Portfolio
from dealbench.negotiate.replan import residual
from dealbench.negotiate.rounds import Negotiation
from dealbench.optimize import SolveResult, solve

__all__ = ["Plan", "alone", "replan", "single_partner"]


@dataclass(frozen=True)
class Plan:
    """The open negotiations re-optimized around the fixed deals."""

    portfolio: Portfolio
    fixed: dict[str, DealFigures]
    excluded: list[str]
    open_portfolio: Portfolio | None
    result: SolveResult | None
    notes: list[str] = field(default_factory=list)

    @property
    def objective(self) -> float:
        """The portfolio's US utility V: fixed deals, walked-away partners, re-planned rest."""
        fixed = sum(d.us_value for d in self.fixed.values())
        walked = sum(p.us_batna for p in self.portfolio.partners if p.code in self.excluded)
        rest = self.result.us_value if self.result and self.result.us_value is not None else 0.0
        return fixed + walked + rest

    def package(self, partner: str) -> Package | None:
        """The plan's package for an open partner (None: no deal in the plan)."""
        if self.result is None:
            return None
        deal = self.result.deal(partner)
        return deal.package() if deal else None

    @property
    def supply_left(self) -> dict[str, float]:
        """Supply per period not taken by the fixed deals."""
        pf = self.portfolio
        return {
            t: pf.supply[t] - sum(d.compute.get(t, 0.0) for d in self.fixed.values())
            for t in pf.periods
        }

    @property
    def risk_left(self) -> float | None:
        budget = self.portfolio.risk_budget
        if budget is None:
            return None
        return budget - sum(d.risk for d in self.fixed.values())


def replan(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    *,
    fix: Mapping[str, Package] | None = None,
    exclude: Iterable[str] = (),
    gap: float = 1e-6,
    time_limit: float | None = None,
) -> Plan:
    """Fix concluded deals (and `fix`), exclude walked-away partners (and `exclude`), solve the rest."""
    fixed: dict[str, Package] = {}
    excluded: list[str] = list(exclude)
    for code, negotiation in negotiations.items():
        if negotiation.status == "concluded" and negotiation.concluded_package is not None:
            fixed[code] = negotiation.concluded_package
        elif negotiation.status == "walked-away":
            excluded.append(code)
    fixed.update(fix or {})
    excluded = [c for c in dict.fromkeys(excluded) if c not in fixed]
    figures = {code: evaluate(portfolio, pkg) for code, pkg in fixed.items()}
    open_codes = [
        p.code for p in portfolio.partners if p.code not in fixed and p.code not in excluded
    ]
    if not open_codes:
        return Plan(portfolio, figures, excluded, None, None)
    rest = residual(portfolio, fixed=list(fixed.values()), excluded=excluded)
    result = solve(rest, gap=gap, time_limit=time_limit).raise_for_status()
    return Plan(portfolio, figures, excluded, rest, result)


def single_partner(portfolio: Portfolio, plan: Plan, partner: str) -> Portfolio:
    """The portfolio as one partner sees it: everyone else held at the plan (or fixed, or out)."""
    others: list[Package] = list(_fixed_packages(plan))
    dropped: list[str] = list(plan.excluded)
    for p in portfolio.partners:
        if p.code == partner or p.code in plan.fixed or p.code in plan.excluded:
            continue
        pkg = plan.package(p.code)
        if pkg is None:
            dropped.append(p.code)
        else:
            others.append(pkg)
    return residual(portfolio, fixed=others, excluded=dropped)


def alone(portfolio: Portfolio, plan: Plan, partner: str) -> Portfolio:
    """The portfolio as if `partner` were the only open negotiation: what the fixed deals leave."""
    others = [p.code for p in portfolio.partners if p.code != partner and p.code not in plan.fixed]
    return residual(portfolio, fixed=list(_fixed_packages(plan)), excluded=others)


def _fixed_packages(plan: Plan) -> Sequence[Package]:
    return [d.package() for d in plan.fixed.values()]
