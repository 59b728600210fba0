"""Re-planning around fixed deals: the portfolio that remains, and floored solves.

`residual` is the portfolio left once some deals are settled (concluded, or
held at an optimum) and some partners are gone (walked away): the settled
partners leave, and the supply and risk budget they take leave with them.

`solve_with_floor` is the ε-constraint step of the frontier: the best
portfolio for the US in which one partner's utility is at least `u`. A floor
above the partner's BATNA needs a deal whose terms give it `u` or more, which
is the partner's acceptance row with a higher threshold: the partner is
solved as if its walk-away value were `u` (less the acceptance margin), and no
deal with it is no option (it would leave the partner below `u`): the solve
requires the deal (`solve(..., require=[partner])`), which both methods model
directly, so the gap is measured on the real objective. (`force_deal_penalty`
and `gain_bound` bound what forcing a deal through the US's no-deal value
would cost; they stay for callers that force a deal that way.)
Every package is re-checked against the real portfolio by the callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dealbench.checker import DealFigures, figures_of, known_figures
from dealbench.errors import ArgumentError, InfeasibleError
from dealbench.model.arguments import a_portfolio, packages_of, partner_codes
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.decomposition.warm import WarmStart
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import Method, solve

__all__ = ["force_deal_penalty", "gain_bound", "residual", "solve_with_floor", "with_partner"]


def residual(
    portfolio: Portfolio,
    fixed: Sequence[Package] | Package = (),
    excluded: Iterable[str] | str = (),
    checked: Iterable[DealFigures] = (),
) -> Portfolio:
    """`portfolio` without the partners of `fixed` and `excluded`, its supply per period
    reduced by the fixed packages' compute and its risk budget by their risk (as `check`
    computes them). Limits never go below zero. One package, or one partner code, may be
    given alone. `checked`: figures `evaluate` gave against `portfolio`; a fixed package
    that is one of them exactly is not evaluated again (as in `check`)."""
    portfolio = a_portfolio(portfolio)
    fixed = packages_of(fixed, "fixed")
    excluded = partner_codes(portfolio, excluded, "excluded")  # a code it lacks was ignored
    gone = {pkg.partner for pkg in fixed} | set(excluded)
    known = known_figures(checked)
    supply = dict(portfolio.supply)
    risk = 0.0
    for pkg in fixed:
        if portfolio.partner(pkg.partner) is None:
            raise ArgumentError("partner", portfolio.unknown_partner(pkg.partner))
        deal = figures_of(portfolio, pkg, known)
        for t in portfolio.periods:
            supply[t] = max(supply[t] - deal.compute.get(t, 0.0), 0.0)
        risk += deal.risk
    budget = None if portfolio.risk_budget is None else max(portfolio.risk_budget - risk, 0.0)
    held = {
        t: portfolio.held_supply.get(t, 0.0) + portfolio.supply[t] - supply[t]
        for t in portfolio.periods
    }
    held_risk = portfolio.held_risk
    if budget is not None and portfolio.risk_budget is not None:
        held_risk += portfolio.risk_budget - budget
    return portfolio.model_copy(
        update={
            "partners": [p for p in portfolio.partners if p.code not in gone],
            "supply": supply,
            "risk_budget": budget,
            "own_risk_budget": budget,
            "held_supply": held,
            "held_risk": held_risk,
            "partner_files": {
                code: f for code, f in portfolio.partner_files.items() if code not in gone
            },
        }
    )


def with_partner(portfolio: Portfolio, partner: Partner) -> Portfolio:
    """`portfolio` with `partner` replacing the partner of the same code."""
    return portfolio.model_copy(
        update={"partners": [partner if p.code == partner.code else p for p in portfolio.partners]}
    )


def force_deal_penalty(portfolio: Portfolio, partner: Partner) -> float:
    """More than the US could lose by any deal with `partner` against no deal (USD)."""
    policy = portfolio.policy
    worst = sum(min(0.0, *(o.us_value for o in c.options)) for c in partner.concessions)
    for t in portfolio.periods:
        for k in portfolio.levels_for(partner):
            margin = policy.export_value_per_h100e - policy.risk_penalty_per_h100e * (
                partner.diversion_risk * (1.0 - policy.level(k).mitigation)
            )
            worst += min(0.0, margin) * portfolio.cap(partner, k, t)
    return max(0.0, partner.us_batna - worst) + 1e9


def gain_bound(portfolio: Portfolio, partner: Partner) -> float:
    """More than the US could gain by any deal with `partner` over no deal (USD)."""
    policy = portfolio.policy
    best = sum(max(0.0, *(o.us_value for o in c.options)) for c in partner.concessions)
    for t in portfolio.periods:
        best += max(0.0, policy.export_value_per_h100e) * max(
            (portfolio.cap(partner, k, t) for k in portfolio.levels_for(partner)), default=0.0
        )
    return max(0.0, best - partner.us_batna)


def solve_with_floor(
    portfolio: Portfolio,
    partner: str,
    floor: float | None,
    *,
    gap: float = 1e-6,
    method: Method = "auto",
    warm_start: SolveResult | WarmStart | None = None,
    time_limit: float | None = None,
    threads: int | None = None,
) -> SolveResult | None:
    """max V subject to every limit and U[partner] >= floor (USD); None if no deal reaches it.

    The result's figures are those of the solved (shifted) portfolio: callers
    re-check its packages against `portfolio`.
    """
    p = portfolio.partner(partner)
    if p is None:
        raise ArgumentError("partner", portfolio.unknown_partner(partner))

    def run(pf: Portfolio, require: Sequence[str] = ()) -> SolveResult:
        result = solve(
            pf,
            gap=gap,
            method=method,
            warm_start=warm_start,
            time_limit=time_limit,
            require=require,
            threads=threads,
        )
        return result.raise_for_status()

    if floor is None or floor <= p.batna:
        return run(portfolio)
    margin = portfolio.policy.acceptance_margin
    raised = p.model_copy(update={"batna": max(floor, p.batna + margin) - margin})
    try:
        result = run(with_partner(portfolio, raised), require=[partner])
    except InfeasibleError:
        return None
    return result if result.deal(partner) is not None else None
