"""The limits a deal or a portfolio sits on, and the verdicts on them, in plain words.

Computed from the checked figures alone (no solver), so a hand-written package
and the optimizer's answer are described the same way.
"""

from __future__ import annotations

from dealbench.checker import DealFigures, PortfolioCheck
from dealbench.model.schema import Portfolio
from dealbench.render.environment import h100e, money

#: A margin within this many USD of zero means the acceptance limit binds.
MARGIN_TOL = 1e6
#: Compute within this many H100e of a limit sits on it.
COMPUTE_TOL = 0.5


def deal_limits(portfolio: Portfolio, deal: DealFigures) -> list[str]:
    """The per-deal limits that bind: asks, caps, and the partner's acceptance."""
    partner = portfolio.partner(deal.partner)
    assert partner is not None
    out = []
    cap = portfolio.level_cap(partner, deal.security)
    for t, x in deal.compute.items():
        ask = portfolio.ask(partner, t)
        if x <= COMPUTE_TOL:
            continue
        if x >= ask - COMPUTE_TOL:
            out.append(f"{deal.partner} receives its full ask in {t} ({h100e(ask)} H100e).")
        elif cap is not None and x >= cap - COMPUTE_TOL:
            out.append(
                f"{deal.partner} in {t} receives {portfolio.cap_name(partner, deal.security)} "
                f"({h100e(cap)} H100e), less than its ask of {h100e(ask)} H100e."
            )
    if abs(deal.partner_margin) <= MARGIN_TOL:
        out.append(
            f"{deal.partner} is held to its walk-away value: its utility from the deal equals its "
            f"BATNA plus the required margin ({money(deal.acceptance_threshold)})."
        )
    return out


def shared_limits(checked: PortfolioCheck, partner: str | None = None) -> list[str]:
    """Supply and risk-budget limits that bind; with `partner`, only those that touch it."""
    out = []
    deal = next((d for d in checked.deals if d.partner == partner), None)
    for t, supply in checked.supply.items():
        used = checked.supply_used.get(t, 0.0)
        if supply <= 0 or used < supply * (1 - 1e-6) - COMPUTE_TOL:
            continue
        if partner is None:
            out.append(f"Supply in {t} is fully allocated ({h100e(supply)} H100e).")
        elif deal is not None and deal.compute.get(t, 0.0) > COMPUTE_TOL:
            out.append(
                f"Supply in {t} is fully allocated ({h100e(supply)} H100e): more for "
                f"{partner} means less for another partner."
            )
    budget = checked.risk_budget
    if budget and checked.risk_total >= budget * (1 - 1e-6) - COMPUTE_TOL:
        out.append(f"The risk budget is used up ({h100e(budget)} risk-weighted H100e).")
    return out


def verdict(deal: DealFigures) -> str:
    """One sentence: would both sides sign, and does the package keep every limit?"""
    if deal.violations:
        return f"The package breaks {len(deal.violations)} limit(s): " + "; ".join(deal.violations)
    if not deal.accepts:
        short = deal.acceptance_threshold - deal.partner_utility
        return (
            f"{deal.partner_name} would refuse: its utility from the deal, "
            f"{money(deal.partner_utility)}, falls {money(short)} short of its walk-away value "
            f"plus the required margin ({money(deal.acceptance_threshold)})."
        )
    if deal.us_margin < 0:
        return (
            f"{deal.partner_name} would accept, but the United States would be "
            f"{money(-deal.us_margin)} better off without this deal."
        )
    partner_side = (
        "it is held to its walk-away value plus the required margin"
        if deal.partner_margin <= MARGIN_TOL
        else f"{money(deal.partner_margin)} over its walk-away value and the required margin"
    )
    return (
        f"{deal.partner_name} should accept ({partner_side}), and the United States gains "
        f"{money(deal.us_margin)} over no deal."
    )
