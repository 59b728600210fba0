"""The least the next US offer may give the US (`offer_floor`): the reservation value, what the
partner's last counter is worth to the US (`counter_worth`) or, for a counter the US cannot
accept, what meeting its demand leaves the US (`counter_demand`); with the words that say why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dealbench.checker import check, evaluate
from dealbench.errors import DealbenchError
from dealbench.figures import usd
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.fixed_terms import constrained, fixed_words
from dealbench.negotiate.offers.targets import Targets, tidy
from dealbench.negotiate.plan import Plan, replan, single_partner
from dealbench.negotiate.replan import solve_with_floor
from dealbench.negotiate.rounds.negotiation import Negotiation, concluded_with
from dealbench.optimize.schedule.grid import FLOOR_TOL

__all__ = [
    "CounterDemand",
    "CounterWorth",
    "any_offer",
    "breaks_beside_concluded",
    "counter_demand",
    "counter_worth",
    "offer_floor",
]


@dataclass(frozen=True)
class CounterWorth:
    """What the partner's last counter is worth to the US in the frame of our next offer:
    the deal's US utility V_p, the other open negotiations held at the plan."""

    #: V_p that leaves the portfolio where accepting the counter does (at most its own V_p).
    us_value: float
    #: The counter fits beside the others held at the plan (its V_p is its worth).
    fits: bool


def counter_worth(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    plan: Plan,
    negotiation: Negotiation,
) -> CounterWorth | None:
    """The worth of the partner's last counter to the US, in the terms of a next offer's
    target (V_p, the others held at the plan); None without a counter that keeps its limits.

    A counter that fits beside the others held at the plan is worth its own V_p. One that
    takes supply or risk budget the plan gives them can only be accepted with them
    re-planned around it, as the verdict weighs it: it is worth the V_p of an offer that
    leaves the portfolio where accepting it does (the V re-planned with the counter fixed,
    less what the plan gives the others), and never more than its own V_p. Its own V_p
    alone made the next offer concede no further than a counter the verdict weighs as
    worse than that offer, or than walking away, and told the negotiator to accept it."""
    counter = negotiation.last_counter
    c = counter.figures if counter is not None else None
    if counter is None or counter.package is None or c is None or c.violations or not c.accepts:
        return None
    if breaks_beside_concluded(portfolio, plan, counter.package):
        return None  # it cannot be concluded: `counter_demand` weighs what it asks for
    partner = negotiation.partner
    if not check(single_partner(portfolio, plan, partner), [counter.package]).violations:
        return CounterWorth(c.us_value, True)
    try:
        accepted = replan(portfolio, negotiations, fix={partner: counter.package}).objective
    except DealbenchError:
        return CounterWorth(-math.inf, False)
    planned = plan.package(partner)
    found = portfolio.partner(partner)
    assert found is not None
    own = evaluate(portfolio, planned).us_value if planned is not None else found.us_batna
    return CounterWorth(min(c.us_value, accepted - (plan.objective - own)), False)


def offer_floor(
    negotiation: Negotiation,
    ends: Targets,
    fix: Sequence[str] = (),
    worth: CounterWorth | None = None,
    demand: CounterDemand | None = None,
) -> tuple[float, str]:
    """The least the next US offer may give the US, whatever chose it (a strategy or a
    point of the frontier), and the words that say why when an offer is raised to it.

    The reservation value; or what the partner's last counter is worth to the US
    (`counter_worth`), when that is more and the counter keeps every limit of its own
    (the partner's acceptance too): an offer below it would concede past what the
    partner asked for, when the US could simply accept it. A counter that breaks a
    limit cannot be accepted, but it still says what the partner asks for: the floor is
    then what the best package within the limits giving the partner that gives the US
    (`counter_demand`), when that is more than the reservation value. Never above the
    `ideal` (with terms fixed, the counter may give more than any offer can; `fix` names
    them for the words)."""
    counter = negotiation.last_counter
    if counter is not None and worth is None and demand is not None:
        asked = min(demand.us_value, ends.ideal)
        # Never above what our last offer gave the US: a partner asking less than we offered
        # (in a form that breaks a limit) is not met by taking back what was offered.
        offer = negotiation.last_offer
        held = None
        if offer is not None and offer.figures is not None:
            held = offer.number if offer.figures.us_value < asked else None
            asked = min(asked, offer.figures.us_value)
        if asked > ends.reservation:
            return asked, _demand_words(counter.number, demand, asked, fix, held)
    floor = -math.inf if worth is None else min(worth.us_value, ends.ideal)
    if counter is None or worth is None or floor <= ends.reservation:
        return ends.reservation, (
            "; below the US reservation value, so the package at that value instead"
        )
    if worth.us_value > ends.ideal + 1.0:
        return floor, (
            f"; the partner's counter of round {counter.number} gives the US more than "
            f"{any_offer(fix)}, so the offer is the US ideal; whether to accept the counter "
            "is the verdict's"
        )
    if not worth.fits:
        return floor, (
            f"; the partner's counter of round {counter.number} takes supply or risk budget "
            "the plan gives the other open negotiations: accepted with them re-planned, it "
            f"leaves the portfolio where an offer of {usd(floor)} to the US would, so the "
            "offer gives no less than that: accept it (conclude the deal on round "
            f"{counter.number}) or offer this"
        )
    return floor, (
        f"; the partner's counter of round {counter.number} already gives the US more than "
        f"that, so the offer gives no less than it: accept it (conclude the deal on round "
        f"{counter.number}) or offer this"
    )


@dataclass(frozen=True)
class CounterDemand:
    """What the partner's last counter asks for when the US cannot accept it (it breaks a
    limit, or leaves the partner below its own walk-away value), and what giving the
    partner that within the limits leaves the US."""

    #: The partner utility asked for: the counter's, at least its walk-away value plus margin.
    partner_utility: float
    #: V_p of the best package for the US within the limits that gives the partner that.
    us_value: float
    #: The counter breaks a limit of its own (else it leaves the partner below its walk-away).
    breaks: bool


def counter_demand(
    portfolio: Portfolio,
    plan: Plan,
    negotiation: Negotiation,
    fix: Sequence[str] = (),
    last: Package | None = None,
) -> CounterDemand | None:
    """What the partner's last counter asks for, when the US cannot accept it, and the most
    the US keeps giving the partner that (the others held at the plan, `fix` kept of
    `last`); None for a counter the US could accept (`counter_worth` weighs it), without
    a counter, or when no package within the limits gives the partner as much.

    A counter over a cap still names the partner utility its side asks for. A time-dependent
    target below what meeting that demand leaves the US gave the partner more than it asked
    (a corridor's VN asked for $530m over a tier cap; linear's next offer gave it $632.5m,
    conceder's $915m, the US $300.2m and -$106.4m where meeting the demand left it $413.4m)."""
    counter = negotiation.last_counter
    c = counter.figures if counter is not None else None
    if counter is None or counter.package is None or c is None:
        return None
    shared = breaks_beside_concluded(portfolio, plan, counter.package)
    if not c.violations and c.accepts and not shared:
        return None
    partner = negotiation.partner
    asked = max(c.partner_utility, c.acceptance_threshold)
    one, _shift = constrained(single_partner(portfolio, plan, partner), partner, fix, last)
    best = solve_with_floor(one, partner, asked - FLOOR_TOL)
    deal = best.deal(partner) if best is not None else None
    if deal is None:
        return None
    return CounterDemand(
        asked, tidy(portfolio, deal.package()).us_value, bool(c.violations) or shared
    )


def breaks_beside_concluded(portfolio: Portfolio, plan: Plan, package: Package) -> bool:
    """Whether `package` breaks the supply or risk budget beside the deals concluded with the
    others (none concluded: on its own): then it cannot be concluded (`conclude` refuses
    it), whatever it kept when it was made. (qa31: KE's counter of 30,000 H100e of 2027,
    which fitted when made, held KE's offers at its worth, "accept it (dealbench
    conclude)", after MA's and RW's deals left 22,000. qa35: a counter of 3,750 H100e where
    the whole supply is 3,137, no deal concluded, held the offers at its worth too.)"""
    concluded = [d.package() for code, d in plan.fixed.items() if code != package.partner]
    broken = concluded_with(portfolio, concluded, package)
    return any(limit.kind in SHARED for limit in broken)


#: The limits a package shares with the others: what it can break beside them.
SHARED = ("supply", "risk-budget")


def _demand_words(
    number: int, demand: CounterDemand, floor: float, fix: Sequence[str], held: int | None
) -> str:
    """Why an offer is held at what meeting a counter the US cannot accept leaves the US, or
    at our last offer (round `held`) when that gives the US less."""
    if demand.breaks:
        what = (
            f"breaks a limit, so the US cannot accept it, but it asks for a partner utility "
            f"of {usd(demand.partner_utility)}"
        )
    else:
        what = (
            "leaves the partner below its own walk-away value, so the US cannot accept it; "
            f"the partner accepts {usd(demand.partner_utility)}"
        )
    if held is not None:
        return (
            f"; the partner's counter of round {number} {what}: the best package within the "
            f"limits that gives it that gives the US {usd(demand.us_value)}"
            f"{fixed_words(fix)}, more than our offer of round {held}, so the offer gives the "
            f"US what that offer did, {usd(floor)} (nothing offered is taken back)"
        )
    return (
        f"; the partner's counter of round {number} {what}: the best package within the limits "
        f"that gives it that gives the US {usd(floor)}{fixed_words(fix)}, so the offer gives the "
        "US no less (it concedes no more than meeting what the partner asked for costs the US)"
    )


def any_offer(fix: Sequence[str]) -> str:
    """Why no offer reaches a counter that keeps its limits: the terms kept from our last
    offer may hold every offer below it; without them, what the plan gives the others."""
    if fix:
        return f"any offer can with the others held at the plan{fixed_words(fix)}"
    return (
        "any offer can with the others held at the plan (it takes supply or risk budget the "
        "plan gives them)"
    )
