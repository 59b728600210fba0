"""Zeuthen's strategy (1930): each side's willingness to risk a breakdown, and the target of
the next US offer (the US concedes just enough that its offer's Nash product beats the
partner's counter's, else repeats its offer).
"""

from __future__ import annotations

from collections.abc import Sequence

from dealbench.figures import usd
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.floor import CounterWorth, any_offer, breaks_beside_concluded
from dealbench.negotiate.offers.targets import Targets, offer_at
from dealbench.negotiate.plan import Plan
from dealbench.negotiate.rounds.negotiation import Negotiation, same_terms

__all__ = [
    "risks",
    "zeuthen_target",
]


def risks(us: float, partner: float) -> str:
    """Both sides' Zeuthen risks, with the digits that tell them apart: two decimals read
    "its risk 1.00 against the partner's 1.00" for 1 against 0.99999, a decision the
    reader could not see (at most six; equal risks print equal)."""
    digits = next((d for d in range(2, 7) if f"{us:.{d}f}" != f"{partner:.{d}f}"), 2)
    return f"its risk {us:.{digits}f} against the partner's {partner:.{digits}f}"


def zeuthen_target(
    portfolio: Portfolio,
    plan: Plan,
    negotiation: Negotiation,
    ends: Targets,
    fix: Sequence[str],
    worth: CounterWorth | None = None,
) -> tuple[float, str]:
    offer, counter = negotiation.last_offer, negotiation.last_counter
    if offer is None or counter is None or offer.figures is None or counter.figures is None:
        return ends.ideal, "no counter yet: open at the US ideal"
    o, c = offer.figures, counter.figures
    d_us, d_p = ends.reservation, c.acceptance_threshold
    shared = counter.package is not None and breaks_beside_concluded(
        portfolio, plan, counter.package
    )
    if c.violations or not c.accepts or shared:
        # No agreement: the US cannot accept it (nor would the partner sign it), so to the
        # US it is worth walking away, whatever its figures say: risk 1, the partner concedes.
        broken = (
            "breaks a limit"
            if c.violations or shared
            else "leaves the partner below its own walk-away value"
        )
        return min(o.us_value, ends.ideal), (
            f"Zeuthen: the partner's counter of round {counter.number} {broken}, so the US "
            "cannot accept it: to the US it is worth walking away (its risk 1.00); the partner "
            "should concede, so the US repeats its offer"
        )
    # The counter's US utility in our offer's terms (`counter_worth`): a counter taking what
    # the plan gives the others is worth what accepting it leaves the portfolio; one that
    # leaves it no better than walking away is worth walking away.
    c_us = max(worth.us_value, d_us) if worth is not None else c.us_value
    risk_us = _risk(o.us_value, c_us, d_us)
    risk_p = _risk(c.partner_utility, o.partner_utility, d_p)
    if same_terms(o, c):
        # Our offer's own terms: agreement, whatever the plan's move since has made each
        # side's worth of it (a worth in the target's terms against our offer's own V_p
        # read "the partner should concede" of the very package the verdict accepts).
        return min(c_us, ends.ideal), (
            f"Zeuthen: the partner's counter of round {counter.number} is our offer of round "
            f"{offer.number} word for word, so the process ends; accept it (conclude the deal "
            f"on round {counter.number})"
        )
    if c_us >= o.us_value - 1e6:
        if c_us > ends.ideal + 1.0:  # as `offer_floor` caps it
            return ends.ideal, (
                "Zeuthen: the counter gives the US at least our last offer, so the process "
                f"ends; it gives the US more than {any_offer(fix)}, so the offer is the US "
                "ideal; whether to accept the counter is the verdict's"
            )
        return c_us, (
            "Zeuthen: the counter gives the US at least our last offer, so the process ends; "
            f"accept it (conclude the deal on round {counter.number}) or offer no less than it "
            "gives the US"
        )
    # Risks equal to the six digits `risks` prints are a tie, on which both sides concede
    # (Harsanyi), so the US does: "the US has less to lose by conceding (its risk 1.00
    # against the partner's 1.00)" said of a tie (KR's first offer at its walk-away value,
    # its counter worth less to the US than the reservation value: both risks 1).
    tie = f"{risk_us:.6f}" == f"{risk_p:.6f}"
    if risk_us > risk_p and not tie:
        return min(o.us_value, ends.ideal), (
            f"Zeuthen: the US would lose more by conceding ({risks(risk_us, risk_p)}); the "
            "partner should concede, so the US repeats its offer"
        )
    best, found = _concession(
        portfolio,
        plan,
        negotiation.partner,
        (max(c_us, d_us), o.us_value),
        (d_us, d_p),
        (c_us - d_us) * (c.partner_utility - d_p),
        fix,
        offer.package,
    )
    conceding = (
        f"Zeuthen: the risks are equal ({risks(risk_us, risk_p)}), and on a tie both sides "
        "concede, so the US does; "
        if tie
        else f"Zeuthen: the US has less to lose by conceding ({risks(risk_us, risk_p)}); "
    )
    if not found:  # the target is the counter's worth to the US: the offer meets it
        # The offer at that target may give the US more than it (the next package up the
        # frontier; our last offer once more, when none lies between): it said "the offer
        # gives the US what the counter does" beside an offer giving $26.18bn where the
        # counter was worth $25.97bn (qa42-scale).
        return best, conceding + (
            f"no target between the counter's worth to the US ({usd(c_us)}) and our last "
            f"offer's ({usd(o.us_value)}) gives an offer whose Nash product beats that of the "
            f"partner's counter of round {counter.number}, so the target is the counter's "
            f"worth: accept it (conclude the deal on round {counter.number}) or offer this"
        )
    return (
        best,
        conceding + "it concedes just enough that its offer's Nash product beats the counter's",
    )


def _concession(
    portfolio: Portfolio,
    plan: Plan,
    partner: str,
    between: tuple[float, float],
    walk_aways: tuple[float, float],
    floor: float,
    fix: Sequence[str],
    last: Package | None,
) -> tuple[float, bool]:
    """The least target US utility `between` the counter's and our last offer's whose offer's
    Nash product (over the `walk_aways` of the US and the partner) beats `floor`, the
    counter's, by bisection; the lower end and False when none does."""
    (lo, hi), (d_us, d_p) = between, walk_aways
    best, found = lo, False
    for _ in range(12):
        mid = (lo + hi) / 2
        point = offer_at(portfolio, plan, partner, mid, fix=fix, last=last)
        if point is not None and (point.us_value - d_us) * (point.partner_utility - d_p) > floor:
            best, lo, found = mid, mid, True
        else:
            hi = mid
        if hi - lo <= 1e-4 * max(1.0, abs(hi)):
            break
    return best, found


def _risk(own_offer: float, other_offer: float, walk_away: float) -> float:
    """Zeuthen's willingness to risk a breakdown: 1 when the other's offer is worth no more than walking away."""
    span = own_offer - walk_away
    if span <= 0:
        return 0.0
    return max(0.0, min(1.0, (own_offer - other_offer) / span))
