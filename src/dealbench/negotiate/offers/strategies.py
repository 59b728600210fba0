"""The next US offer: a named concession strategy picks a target US utility, the frontier a package.

Every strategy works on the deal's US utility V_p (DESIGN.md's V for one
partner) between two ends: the **ideal**, the US-best package for this partner
with the other partners held at the plan, and the **reservation value**, the
US utility of no deal (`us_batna`). No offer goes below the reservation value.
Given a target, the offer is the package that maximises the partner's utility
with V_p at least the target, and of those the best for the US: a point of the
frontier, found by one `partner-best` solve of the one-partner portfolio and one
`us-best` solve at the partner utility it gives (`offer_at`).

Strategies (Faratin, Sierra and Jennings 1998; Zeuthen 1930):
- time-dependent tactics, `boulware` (beta 0.2), `linear` (beta 1) and
  `conceder` (beta 5): at the US's j-th offer (j = 0, 1, ...) with a deadline
  of T offers, target = ideal - (ideal - reservation) * min(1, j / T) ** (1 / beta).
  Boulware holds firm until late, Conceder gives ground early.
- `zeuthen`: each side's willingness to risk a breakdown is
  (own utility of own offer - own utility of the other's offer) / (own
  utility of own offer - own walk-away). The side with the smaller value
  concedes: the US concedes just enough that its new offer's Nash product
  beats the partner's counter's; otherwise it repeats its offer.

Whatever chose it, a strategy or a point of the frontier (`mode_offer`), no offer
gives the US less than `offer_floor`: the reservation value, or what the partner's
last counter gives the US when it keeps its own limits, or, when it breaks one, what
the best package within the limits that gives the partner what it asked for gives the
US: no offer concedes past what the partner asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dealbench.arguments import amount_of_usd, one_of, texts
from dealbench.checker import DealFigures
from dealbench.errors import InfeasibleError
from dealbench.figures import usd
from dealbench.model.arguments import a_portfolio, partner_code
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.fixed_terms import check_fix, fixed_words
from dealbench.negotiate.offers.floor import counter_demand, counter_worth, offer_floor
from dealbench.negotiate.offers.strategy_args import BETAS, DEFAULT_DEADLINE, MODES, check_strategy
from dealbench.negotiate.offers.targets import (
    kept_if_better,
    offer_at,
    on_step,
    targets,
    tidy,
)
from dealbench.negotiate.offers.words import above_target, less_than_last, refitted
from dealbench.negotiate.offers.zeuthen import zeuthen_target
from dealbench.negotiate.plan import Plan, a_plan, replan, single_partner
from dealbench.negotiate.rounds.negotiation import Negotiation, StrategyRecord, negotiation_of

__all__ = [
    "NextOffer",
    "mode_offer",
    "next_offer",
    "time_dependent_target",
]


@dataclass(frozen=True)
class NextOffer:
    """A proposed US package, its figures, and how it was chosen."""

    package: Package
    figures: DealFigures
    strategy: StrategyRecord
    #: What it takes back from our last offer, and why ("the offer gives AE $8.05bn, less
    #: than our offer of round 3 did ($14.05bn): ..."); "" when it gives no less.
    retreat: str = ""


def time_dependent_target(
    ideal: float, reservation: float, offers_made: int, deadline: int, beta: float
) -> float:
    """Faratin et al.'s polynomial tactic: the target after `offers_made` US offers."""
    share = min(1.0, offers_made / deadline) if deadline > 0 else 1.0
    return float(ideal - (ideal - reservation) * share ** (1.0 / beta))


def next_offer(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    plan: Plan,
    partner: str,
    *,
    strategy: str = "boulware",
    deadline: int = DEFAULT_DEADLINE,
    beta: float | None = None,
    fix: Sequence[str] = (),
    walk_away: float | None = None,
    hold: bool = False,
) -> NextOffer:
    """The next US package for `partner` by `strategy` (see the module's docstring).
    `hold`: the strategy is no switch from the one our offers ran on (`resolve_strategy`),
    so its target is at most what our last offer gives the US (unless that offer breaks a
    limit of its own): it takes nothing back. A first offer at the Nash point, then
    `offer`: Boulware's target, near the ideal, was refused as a retreat."""
    partner_code(a_portfolio(portfolio), partner)  # not a KeyError from `negotiations`
    check_strategy(strategy, deadline, beta)
    negotiation = negotiation_of(negotiations, partner)
    a_plan(plan)  # None here was an AttributeError deep inside
    last = negotiation.last_offer
    last_package = last.package if last is not None else None
    fix = texts(fix, "fix", "term")  # None was a TypeError once an offer was chosen
    check_fix(portfolio, partner, fix, last_package)
    walk = (  # a nan given was taken as the reservation value, an offer chosen by it
        replan(portfolio, negotiations, excluded=[partner]).objective
        if walk_away is None
        else amount_of_usd(walk_away, "walk_away")
    )
    ends = targets(portfolio, plan, partner, fix, last_package, walk)
    if ends.ideal_package is None or ends.ideal < ends.reservation - 1e6:
        raise ends.no_offer(partner, fixed_words(fix))
    offers = len(negotiation.offers())
    params: dict[str, int | float | str] = {}
    worth = counter_worth(portfolio, negotiations, plan, negotiation)
    demand = counter_demand(portfolio, plan, negotiation, fix, last_package)
    if strategy == "zeuthen":
        target, reason = zeuthen_target(portfolio, plan, negotiation, ends, fix, worth)
    else:
        b = beta if beta is not None else BETAS[strategy]
        params = {"beta": b, "deadline": deadline, "offers_made": offers}
        target = time_dependent_target(ends.ideal, ends.reservation, offers, deadline, b)
        reason = (
            f"US offer {offers + 1} of a deadline of {deadline}: the target moves from the ideal "
            f"toward the reservation value with exponent 1/{b:g}"
            if offers < deadline
            else f"US offer {offers + 1}, past the deadline of {deadline} "
            f"offer{'' if deadline == 1 else 's'}: the target is the reservation value"
        )
    given = last.figures if hold and last is not None else None
    if (
        last is not None
        and given is not None
        and not given.violations
        and target > given.us_value + 1.0
    ):
        reason += (
            f" ({usd(target)}), above the {usd(given.us_value)} our offer of round "
            f"{last.number} gives the US; a strategy not switched takes back nothing "
            "offered, so the target is that offer's"
        )
        target = given.us_value
    floor, why = offer_floor(negotiation, ends, fix, worth, demand)
    if target < floor:
        target, reason = floor, reason + why
    figures = offer_at(portfolio, plan, partner, target, fix=fix, last=last_package)
    if figures is None:
        raise InfeasibleError(
            f"no package with {partner} reaches the target US utility {usd(target)}"
            f"{fixed_words(fix)}"
        )
    reason += above_target(portfolio, figures, target, ends, fix)
    taken = less_than_last(portfolio, plan, figures, last, target)
    reason += taken + refitted(portfolio, plan, figures, last)
    record = StrategyRecord(
        name=strategy,
        params=params,
        target_us_utility=round(target, 2),
        ideal_us_utility=round(ends.ideal, 2),
        reservation_us_utility=round(ends.reservation, 2),
        fixed=list(fix),
        reason=reason,
    )
    return NextOffer(figures.package(), figures, record, taken.removeprefix("; "))


def mode_offer(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    plan: Plan,
    partner: str,
    mode: str,
    *,
    points: int = 25,
) -> NextOffer:
    """The offer at a named point of the deal's frontier (others held at the plan).

    `us-best`: the US ideal. `nash` and `kalai`: the frontier's Nash and
    Kalai-Smorodinsky points (`negotiate.bargaining`, over `points` points).
    Never below `offer_floor` (the reservation value, or a counter that keeps its
    limits): a point below it is replaced by the package at the floor.
    """
    from dealbench.negotiate.build import frontier

    one_of(mode, MODES, "mode", "mode")
    walk = replan(portfolio, negotiations, excluded=[partner]).objective
    ends = targets(portfolio, plan, partner, walk_away=walk)
    if ends.ideal_package is None or ends.ideal < ends.reservation - 1e6:
        raise ends.no_offer(partner)
    figures: DealFigures | None = tidy(portfolio, ends.ideal_package)
    reason = "the US-best package for this partner, the others held at the plan"
    if mode != "us-best":
        curve = frontier(single_partner(portfolio, plan, partner), partner, points=points)
        point = curve.nash if mode == "nash" else curve.kalai
        if point is None or point.package is None:
            raise InfeasibleError(f"the frontier for {partner} has no {mode} point (no joint gain)")
        figures = tidy(portfolio, on_step(single_partner(portfolio, plan, partner), point.package))
        reason = f"the {mode} point of the deal's frontier ({points} points), the others held at the plan"
    assert figures is not None
    worth = counter_worth(portfolio, negotiations, plan, negotiations[partner])
    demand = counter_demand(portfolio, plan, negotiations[partner])
    floor, why = offer_floor(negotiations[partner], ends, worth=worth, demand=demand)
    target = figures.us_value
    if figures.us_value < floor:
        # The point's own value first: "below the US reservation value, so the package at
        # that value instead" read as if the offer were at the reservation value, beside a
        # target and an offer of the ideal (a corridor's PH: nash point $75.2m, reservation
        # $127.4m, offer $275.2m).
        reason += f", gives the US {usd(figures.us_value)}{why}"
        target = floor
        figures = offer_at(portfolio, plan, partner, floor)
        if figures is None:
            raise InfeasibleError(
                f"no package with {partner} reaches {usd(floor)} for the US, the least "
                "its offer may give"
            )
        reason += above_target(portfolio, figures, floor, ends)
    last = negotiations[partner].last_offer
    # Our last offer, where it still fits, is a candidate as in `offer_at`: the point is
    # put in the declared step (`on_step`), and a strategy's offer before it may sit on a finer one
    # that gives both sides more (qa35's stepback: linear's 300 B200 chips, US $5.99m and
    # PB $3.41m; the nash and kalai points 256 chips, $5.11m and $2.91m, refused as a retreat).
    kept = kept_if_better(portfolio, plan, figures, target, last.package if last else None)
    if kept is not None and kept is not figures:
        figures = kept
        reason += (
            "; our last offer gives the US at least as much and the partner more, so it "
            "is offered again"
        )
    assert figures is not None
    taken = less_than_last(portfolio, plan, figures, last, target)
    reason += taken + refitted(portfolio, plan, figures, last)
    record = StrategyRecord(
        name=mode,
        params={"points": points} if mode != "us-best" else {},
        target_us_utility=round(target, 2),
        ideal_us_utility=round(ends.ideal, 2),
        reservation_us_utility=round(ends.reservation, 2),
        reason=reason,
    )
    return NextOffer(figures.package(), figures, record, taken.removeprefix("; "))
