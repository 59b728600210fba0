"""Packages checked together against the portfolio's shared limits (supply, the risk
budget): `check`, `PortfolioCheck`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dealbench.arguments import given_briefly, instance_of
from dealbench.checker.deal import DealFigures, evaluate
from dealbench.checker.tolerance import COMPUTE_TOL, over
from dealbench.errors import ArgumentError
from dealbench.figures import quantity, usd
from dealbench.limit import Limit, limits_from_details, messages
from dealbench.list_words import and_list
from dealbench.model.arguments import a_portfolio, packages_of, partner_codes
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio


class PortfolioCheck(BaseModel):
    """A set of packages checked together against the portfolio's shared limits."""

    model_config = ConfigDict(frozen=True)

    deals: list[DealFigures]
    no_deal: list[str]
    objective: float = Field(description="US utility V, with us_batna of partners without a deal")
    partner_total: float = Field(description="Sum of partner utilities U (BATNA where no deal)")
    supply_used: dict[str, float]
    supply: dict[str, float]
    risk_total: float
    risk_budget: float | None
    violations: list[Limit] = Field(description="The shared limits broken")

    @model_validator(mode="before")
    @classmethod
    def _older_shape(cls, data: Any) -> Any:
        return limits_from_details(data, "violations", "violation_details")

    @property
    def ok(self) -> bool:
        return not self.violations and all(d.accepts and not d.violations for d in self.deals)

    def problems(self) -> list[str]:
        """Every violation, and every refusal, in plain words."""
        out = messages(self.violations)
        for deal in self.deals:
            out += messages(deal.violations)
            if not deal.accepts:
                out.append(_refusal(deal))
        return out


def check(
    portfolio: Portfolio,
    packages: Iterable[Package] | Package,
    *,
    agreed: Iterable[str] = (),
    checked: Iterable[DealFigures] = (),
) -> PortfolioCheck:
    """Check packages together: each deal, then supply and the risk budget (one package
    may be given alone). `agreed`: partners among them whose deals are concluded; a
    supply or risk budget broken says their part of the total (else a counter's "risk
    budget: 18,030 risk-weighted H100e" reads as its own where it carries 17,000).
    `checked`: figures `evaluate` gave against this portfolio; a package that is one of
    them exactly keeps its figures rather than being evaluated again (a frontier's point
    changes one deal of a checked portfolio)."""
    a_portfolio(portfolio)
    packages = packages_of(packages)
    agreed = partner_codes(portfolio, agreed, "agreed")  # `ae` was no concluded deal, unsaid
    known = known_figures(checked)
    deals: list[DealFigures] = []
    violations: list[Limit] = []
    seen: set[str] = set()
    for package in packages:
        who = package.partner
        if who in seen:
            message = f"{who} has more than one package"
            violations.append(Limit(kind="package", partner=who, message=message))
            continue
        seen.add(who)
        if portfolio.partner(who) is None:
            message = f"{who} is not a partner of portfolio {portfolio.id}"
            violations.append(Limit(kind="package", partner=who, message=message))
            continue
        deals.append(figures_of(portfolio, package, known))
    no_deal = [p.code for p in portfolio.partners if p.code not in seen]

    fixed = [d for d in deals if d.partner in set(agreed)]

    def part(amount: float) -> str:  # the concluded deals' share of a total, when they have one
        if amount < 0.5:
            return ""
        deals_word = "deals" if len(fixed) > 1 else "deal"
        who = and_list(d.partner for d in fixed)
        return f" with the {deals_word} concluded with {who} ({quantity(amount)} of it)"

    used = {t: sum(d.compute.get(t, 0.0) for d in deals) for t in portfolio.periods}
    for t in portfolio.periods:
        if over(used[t], portfolio.supply[t], COMPUTE_TOL):
            theirs = part(sum(d.compute.get(t, 0.0) for d in fixed))
            message = (
                f"supply in {t}: {quantity(used[t])} H100e allocated{theirs}, "
                f"{quantity(portfolio.supply[t])} available"
            )
            violations.append(
                Limit(
                    kind="supply",
                    period=t,
                    limit=portfolio.supply[t],
                    amount=used[t],
                    message=message,
                )
            )
    risk_total = sum(d.risk for d in deals)
    budget = portfolio.risk_budget
    if budget is not None and over(risk_total, budget, COMPUTE_TOL):
        theirs = part(sum(d.risk for d in fixed))
        message = (
            f"risk budget: {quantity(risk_total)} risk-weighted H100e{theirs}, "
            f"the budget is {quantity(budget)}"
        )
        violations.append(
            Limit(kind="risk-budget", limit=budget, amount=risk_total, message=message)
        )
    objective = sum(d.us_value for d in deals) + sum(
        p.us_batna for p in portfolio.partners if p.code in no_deal
    )
    partner_total = sum(d.partner_utility for d in deals) + sum(
        p.batna for p in portfolio.partners if p.code in no_deal
    )
    return PortfolioCheck(
        deals=deals,
        no_deal=no_deal,
        objective=objective,
        partner_total=partner_total,
        supply_used=used,
        supply=dict(portfolio.supply),
        risk_total=risk_total,
        risk_budget=budget,
        violations=violations,
    )


def known_figures(checked: object, name: str = "checked") -> dict[str, DealFigures]:
    """Figures `evaluate` gave (`check`'s and `residual`'s `checked`), by partner; anything
    else is an ArgumentError naming `name` (a str or None was an error from inside)."""
    if isinstance(checked, DealFigures):
        checked = [checked]
    if isinstance(checked, str | bytes | dict) or not isinstance(checked, Iterable):
        raise ArgumentError(
            name, f"expected figures evaluate() gave (DealFigures), got {given_briefly(checked)}"
        )
    return {d.partner: d for d in (instance_of(d, DealFigures, name, EVALUATED) for d in checked)}


#: Where a `DealFigures` comes from, as a refusal of something else says it.
EVALUATED = "evaluate(portfolio, package) gives one; a solve's are result.deals"


def figures_of(
    portfolio: Portfolio, package: Package, known: Mapping[str, DealFigures]
) -> DealFigures:
    """`package`'s figures: `known[partner]` when they are this package's exactly (the
    same terms and compute, evaluated against `portfolio`), else evaluated."""
    figures = known.get(package.partner)
    if figures is None or not _same(figures, package):
        figures = evaluate(portfolio, package)
    return figures


def _same(figures: DealFigures, package: Package) -> bool:
    """Whether `figures` are those of `package`: the same terms and compute."""
    return (
        figures.security == package.security
        and figures.compute == package.compute
        and figures.concessions == package.concessions
    )


def _refusal(deal: DealFigures) -> str:
    return (
        f"{deal.partner} would not accept: its utility from the deal, {usd(deal.partner_utility)}, "
        f"is below its walk-away value plus margin, {usd(deal.acceptance_threshold)}"
    )
