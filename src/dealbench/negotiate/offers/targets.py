"""The two ends every strategy moves between (the US ideal and reservation value), and the
package of the frontier at a target US utility (`offer_at`), its compute tidied to whole H100e.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dealbench.checker import DealFigures, check, evaluate
from dealbench.errors import InfeasibleError
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.fixed_terms import check_kept, constrained
from dealbench.negotiate.plan import Plan, plan_reasons, single_partner
from dealbench.negotiate.replan import solve_with_floor
from dealbench.optimize import solve
from dealbench.optimize.best import solve_best
from dealbench.optimize.schedule.grid import FLOOR_TOL
from dealbench.optimize.schedule.signable import schedule

__all__ = [
    "Targets",
    "offer_at",
    "on_step",
    "targets",
    "tidy",
]


@dataclass(frozen=True)
class Targets:
    """The two ends every strategy moves between, for one partner (USD, V_p of the deal)."""

    ideal: float
    reservation: float
    ideal_package: Package | None
    #: Without an ideal package, why the partner has no deal (`optimize.explain.no_deal`'s reason).
    why: str | None = None

    def no_offer(self, partner: str, fixed: str = "") -> InfeasibleError:
        """The refusal of an offer when no package beats walking away, headed by solve's
        reason when there is one (a partner that accepts no package, or that receives no
        compute: then "better than walking away" is not what stops the offer)."""
        held = f"(with the other partners held at the plan{fixed})"
        if self.why:
            return InfeasibleError(f"no offer can be made to {partner} {held}: {self.why}")
        return InfeasibleError(
            f"no package with {partner} is better for the US than walking away {held}"
        )


def targets(
    portfolio: Portfolio,
    plan: Plan,
    partner: str,
    fix: Sequence[str] = (),
    last: Package | None = None,
    walk_away: float | None = None,
) -> Targets:
    """The US ideal for this partner (others held at the plan) and its reservation value.

    The reservation value is the deal's US utility below which the portfolio
    would do better walking away from this partner: the larger of `us_batna`
    and the plan's V for this deal less what the deal adds to the portfolio
    (the plan's V against `walk_away`, the V of re-planning without the partner).
    """
    found = portfolio.partner(partner)
    assert found is not None
    one, _shift = constrained(single_partner(portfolio, plan, partner), partner, fix, last)
    result = solve(one, "us-best")
    deal = result.deal(partner) if result.us_value is not None else None
    if deal is not None and last is not None:
        check_kept(found, fix, last, deal.package())
    reservation = found.us_batna
    planned = plan.package(partner)
    if walk_away is not None and planned is not None:
        contribution = plan.objective - walk_away
        reservation = max(reservation, evaluate(portfolio, planned).us_value - contribution)
    ideal = None if deal is None else tidy(portfolio, deal.package())
    if planned is not None and not fix:
        # The plan's own package fits beside the others held at the plan, so the ideal is
        # no worse: the one-partner solve rounds its compute to the declared step within
        # one step's value, where the plan may have needed a finer step to keep more.
        kept = evaluate(portfolio, planned)
        if ideal is None or _prefers(kept, ideal):
            return Targets(kept.us_value, reservation, kept.package())
    if ideal is None:
        why = None
        if not fix:  # with terms fixed, the partner's figures are shifted (constrained)
            # As `solve --rounds` and `room` say it where the plan gives it no deal (the
            # shared limits the plan gives others: the supply was named as a limit to raise
            # beside the deals held); else the partner alone beside them.
            said = plan_reasons(plan, [partner]).get(partner)
            if said is None:
                from dealbench.optimize.explain.no_deal import why_no_deal

                said = next((r for r in why_no_deal(one, result) if r.partner == partner), None)
            why = None if said is None else said.message
        return Targets(reservation, reservation, None, why)
    return Targets(ideal.us_value, reservation, ideal.package())


def _prefers(a: DealFigures, b: DealFigures) -> bool:
    """Whether the US prefers `a` to `b`: more US utility, or as much (within USD 1) and
    more for the partner."""
    if abs(a.us_value - b.us_value) > 1.0:
        return a.us_value > b.us_value
    return a.partner_utility > b.partner_utility + 1.0


def offer_at(
    portfolio: Portfolio,
    plan: Plan,
    partner: str,
    target: float,
    *,
    fix: Sequence[str] = (),
    last: Package | None = None,
) -> DealFigures | None:
    """The package best for the partner with the deal's US utility at least `target`, and of
    those the best for the US: a point of the frontier.

    Partner-best cannot tell apart packages of one partner utility, and would as soon offer
    the one worth less to the US: compute beyond what the partner values (Gondor's
    100,000 H100e a year of the 150,000 it asks, 0.8bn less for the US), a term free to
    the partner left out. The US-best package at the partner utility found (less
    `FLOOR_TOL`) is taken instead when it gives the US more.

    Without fixed terms the plan's own package is a candidate too, as it is for the
    ideal (`targets`): the one-partner solve puts compute in whole steps, holding a
    reserve for it if need be, where the plan may have kept finer amounts worth more
    (synthetic M: $42.60bn in the plan, $39.43bn in steps of 1,000 H100e), and a
    target between the two (Boulware's second, a Zeuthen offer repeated) found no
    package."""
    one, shift = constrained(single_partner(portfolio, plan, partner), partner, fix, last)
    # `solve_best`, not `solve`: the offer needs the package, not `solve`'s second solve
    # saying whether the floor binds.
    result = solve_best(one, "partner-best", v_floor=target + shift)
    deal = result.deal(partner) if result.us_value is not None else None
    found = None
    if deal is not None:
        best = solve_with_floor(one, partner, deal.partner_utility - FLOOR_TOL)
        better = best.deal(partner) if best is not None else None
        if better is not None and better.us_value > deal.us_value + FLOOR_TOL:
            deal = better
        found = tidy(portfolio, deal.package())
    # The plan's package (not with fixed terms: it need not keep them), and our last offer
    # where it still fits beside the others held at the plan: each put in whole steps by a
    # solve of its own, a lower target can round to less for both sides than a higher one
    # did (qa35: a linear offer of 256 B200 chips, US $5.11m, partner $2.91m, after one of
    # 300 chips, $5.99m and $3.41m). The last offer keeps every term fixed (they are its
    # own), and wins a tie: worth as much to both sides, it is repeated word for word, not
    # swapped for another schedule (qa40: KR's Zeuthen offer "repeats its offer" moved
    # 220,000/220,000/176,000 H100e to 205,000/205,000/206,000, the same utilities).
    if not fix:
        found = kept_if_better(portfolio, plan, found, target, plan.package(partner), fits=True)
    return kept_if_better(portfolio, plan, found, target, last, ties=True)


def kept_if_better(
    portfolio: Portfolio,
    plan: Plan,
    found: DealFigures | None,
    target: float,
    candidate: Package | None,
    *,
    fits: bool = False,
    ties: bool = False,
) -> DealFigures | None:
    """`candidate` (the plan's package, or our last offer) instead of `found` where it gives
    the US at least `target`, keeps every limit and gives the partner more (or as much and
    the US more; with `ties`, also as much to both); else `found`. `fits`: known to fit
    beside the others held at the plan (the plan's own package); else checked."""
    if candidate is None or (not fits and not _fits(portfolio, plan, candidate)):
        return found
    kept = tidy(portfolio, candidate)
    if kept.us_value < target - 1.0 or not kept.accepts or kept.violations:
        return found
    if found is None or _prefers_partner(kept, found):
        return kept
    return kept if ties and not _prefers_partner(found, kept) else found


def _fits(portfolio: Portfolio, plan: Plan, package: Package) -> bool:
    """Whether `package` keeps every limit beside the other deals held at the plan."""
    return not check(single_partner(portfolio, plan, package.partner), [package]).violations


def _prefers_partner(a: DealFigures, b: DealFigures) -> bool:
    """Whether `a` is the better offer to the partner: more partner utility, or as much
    (within USD 1) and more for the US."""
    if abs(a.partner_utility - b.partner_utility) > 1.0:
        return a.partner_utility > b.partner_utility
    return a.us_value > b.us_value + 1.0


def on_step(portfolio: Portfolio, package: Package) -> Package:
    """`package` with its compute in whole steps of the portfolio's granularity, its terms
    and its shape kept (as `solve --mode nash` rounds a bargaining point: each amount moves
    by less than a step); as it is when no schedule in steps keeps the limits.
    `portfolio`: the deal's own (`single_partner`), the others' compute already taken."""
    if portfolio.granularity.h100e <= 0:
        return package
    scheduled = schedule(portfolio, "us-best", [package], keep_shape=True)
    return scheduled.packages[0] if scheduled.step > 0 else package


def tidy(portfolio: Portfolio, package: Package) -> DealFigures:
    """The package with compute in whole H100e, unless rounding breaks a limit or acceptance;
    an amount in whole chips of a portfolio decided in chips stays as it is (the offer is
    recorded in those chips: `Package.in_steps_of`)."""
    exact = evaluate(portfolio, package)
    chips = portfolio.granularity.in_chips(package.compute)
    whole = package.model_copy(
        update={
            "compute": {t: x if t in chips else float(round(x)) for t, x in package.compute.items()}
        }
    )
    rounded = evaluate(portfolio, whole)
    if rounded.accepts and not rounded.violations and rounded.us_value >= exact.us_value - 1e5:
        return rounded
    return exact
