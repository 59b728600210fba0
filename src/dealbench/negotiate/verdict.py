"""The verdict on a counter, from both sides: utilities, limits, the frontier, the portfolio, a move.

For a partner's package (a counter, a round, a solved deal) `verdict` reports
1. both sides' utilities and the change from the last US offer;
2. every limit it breaks: its own (caps, asks, logic, acceptance) and the
   shared ones (supply, risk budget) left by the concluded deals;
3. its distance to the frontier: the most the US could get at the same
   partner utility, and the package that does it (the partner alone in what the
   concluded deals leave, and whether that package fits beside the others as planned);
4. what accepting it takes from the other open negotiations: its compute and
   risk, and the portfolio's V with it fixed and the rest re-optimized,
   against the plan with the partner still open and against walking away;
5. a recommendation, accept, counter or walk away, with the reason.

The rule (documented in docs/negotiation.md; worded by `recommend`): accept our
last offer taken word for word when it breaks no limit (it stands until another
replaces it); walk away when no package for
this partner beats no deal for the US; counter a package that breaks a limit;
counter when accepting leaves the portfolio worse off than walking away;
accept when the package gives the US at least the target of its own next
offer (the "next offer" acceptance rule of Baarslag et al.); counter otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from dealbench.arguments import at_least_one, given_briefly
from dealbench.checker import DealFigures, check, evaluate
from dealbench.checker.tolerance import COMPUTE_TOL
from dealbench.errors import ArgumentError, DealbenchError, InfeasibleError
from dealbench.figures import quantity, usd_change, usd_changes, usd_together
from dealbench.limit import Limit, messages
from dealbench.model.amounts import amount_label
from dealbench.model.arguments import a_package
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import RoundFile
from dealbench.negotiate.distance import FrontierGap, frontier_gap
from dealbench.negotiate.offers.retreat import retreat_words
from dealbench.negotiate.offers.strategies import next_offer
from dealbench.negotiate.offers.strategy_args import resolve_strategy
from dealbench.negotiate.plan import Plan, a_plan, replan, shared_replans, single_partner
from dealbench.negotiate.recommend import Move, accepts_standing, recommend, standing_offer
from dealbench.negotiate.rounds.check import refuse_after_close
from dealbench.negotiate.rounds.negotiation import (
    Negotiation,
    Round,
    concluded_with,
    negotiation_of,
    offers_beyond,
    same_terms,
)
from dealbench.render.filters import money
from dealbench.result_words import concessions_text

__all__ = [
    "FrontierGap",
    "Move",
    "Verdict",
    "counter_beside_next",
    "frontier_gap",
    "refusal",
    "verdict",
]


class Verdict(BaseModel):
    """Everything a negotiator needs to answer a counter (USD; risk in risk-weighted H100e)."""

    model_config = ConfigDict(frozen=True)

    partner: str
    round: int | None
    figures: DealFigures
    us_utility: float
    partner_utility: float
    compared_with: str | None
    us_change: float | None
    partner_change: float | None
    #: The utilities of the package compared with (`compared_with`: our last offer), of
    #: which the changes are the differences.
    compared_us_utility: float | None = None
    compared_partner_utility: float | None = None
    violations: list[Limit]
    frontier: FrontierGap
    compute_taken: dict[str, float]
    risk_taken: float
    #: Supply left in each period if the package is accepted (H100e): below zero where it
    #: asks more than the concluded deals leave (see `supply_short`).
    supply_left: dict[str, float]
    #: What the package asks beyond the supply left, in each period where it asks more than
    #: the concluded deals leave (H100e, above zero; the periods it fits are absent).
    supply_short: dict[str, float] = {}
    risk_left: float | None
    portfolio_if_accepted: float | None
    portfolio_plan: float
    portfolio_walk_away: float
    next_target: float | None
    portfolio_next_offer: float | None
    #: What our next offer (the strategy's package at `next_target`, the one `offer` records
    #: now) gives the US and the partner: beside the counter's utilities, how far it moves.
    next_offer_us: float | None = None
    next_offer_partner: float | None = None
    recommendation: Move
    reason: str
    #: What to know beside the limits: a range amount off its concession's declared step.
    notes: list[str] = []
    #: The note (among `notes`) that our next offer takes back part of what our last offer
    #: gave, so `offer` records it only with the retreat allowed; None when it does not.
    next_offer_retreat: str | None = None
    #: The other open negotiations (re-planned around the counter when it is accepted).
    others_open: list[str] = []

    def rest_words(self) -> str:
        """What the portfolio's V if accepted assumes of the other open negotiations, in the
        words of the recommendation's reason ("with the rest re-planned"), for `counter` and
        the web's verdict alike (qa46-negotiate: the CLI said "(rest re-optimized)" a line
        above a reason saying "re-planned"): " (rest re-planned)", or nothing with none."""
        return " (rest re-planned)" if self.others_open else ""

    def portfolio_texts(self) -> dict[str, str]:
        """The portfolio's V if accepted, in the plan and after walking away, as said side
        by side: with the decimals that tell them apart ("$1.42tn if accepted ... $1.42tn
        if the US walks away" hid $5.88bn between the two at M)."""
        accepted, plan, walk = usd_together(
            [self.portfolio_if_accepted, self.portfolio_plan, self.portfolio_walk_away]
        )
        return {"accepted": accepted, "plan": plan, "walk_away": walk}

    def changes(self) -> dict[str, tuple[str, str, str]] | None:
        """The package compared with (our last offer), this one and the change, for each
        side (`us`, `partner`), printed so that the change as printed is the difference of
        the two as printed (`figures.usd_change`): "US -$22.46bn" beside our $35.28bn and
        the counter's $12.81bn, each rounded apart, read a cent off; None without one."""
        if self.compared_us_utility is None or self.compared_partner_utility is None:
            return None
        return {
            "us": usd_change(self.compared_us_utility, self.us_utility),
            "partner": usd_change(self.compared_partner_utility, self.partner_utility),
        }

    def beside_next(self) -> dict[str, tuple[str, str, str]] | None:
        """This counter, our next offer and the change from one to the other, for each
        side, as `counter`, the web's recorded round and the status memo print them
        (`counter_beside_next`); None when there is no next offer."""
        return counter_beside_next(
            self.us_utility, self.partner_utility, self.next_offer_us, self.next_offer_partner
        )

    def frontier_words(self, periods: Sequence[str]) -> str:
        """Where the frontier lies from this package, as `counter` and the web's verdict say
        it: the most the US could get giving the partner as much, with the package that
        does it (its security, concessions and compute in each of `periods`)."""
        f = self.frontier
        floor = money(self.frontier_floor)
        if f.on_frontier:
            return (
                f"the counter is itself on the frontier: no package gives the partner at least "
                f"{floor} and the US more than its {money(f.us_utility)}"
            )
        if f.package is None:  # the point is no deal: the gain is measured against it
            return (
                f"no package gives the partner that utility; no deal gives the US "
                f"{self.frontier_us_said()}, {self._beside_counter()}, and the partner its "
                f"walk-away value {money(f.partner_utility)}"
            )
        more = self.frontier_gain_words()
        compute = ", ".join(f"{t} {quantity(f.package.compute.get(t, 0))}" for t in periods)
        alone = (
            ": the partner alone, taking supply or risk budget the plan gives the other open "
            "negotiations"
            if f.fits_plan is False
            else ""
        )
        # A sentence, not a table cell: a package of no concessions says so, never "-"
        # ("with veu, -, compute ...", qa46-newuser). The level is said apart from the
        # concessions: a concession may share a level's id ("with kyc, russia-controls,
        # kyc, ...", qa49-negotiate).
        given: dict[str, str | bool] = {
            cid: level for cid, level in f.package.concessions.items() if level is not False
        }
        granted = concessions_text(given) if given else "no concessions"
        return (
            f"giving the partner at least {floor}, the US could get {self.frontier_us_said()} "
            f"({more}), the partner {money(f.partner_utility)}, under {f.package.security} "
            f"with {granted}, compute {compute}{alone}"
        )

    @property
    def frontier_floor(self) -> float:
        """The partner utility the frontier's point gives at least: the counter's, or the
        partner's walk-away value plus margin when the counter gives less (a point the
        partner would not accept is no point of the frontier)."""
        return max(self.partner_utility, self.figures.acceptance_threshold)

    def frontier_us_said(self) -> str:
        """The frontier point's US utility as printed beside the counter's, so that what it
        gives more or less (`frontier_gain_words`) is the difference as printed."""
        return usd_change(self.us_utility, self.frontier.us_utility)[1]

    def frontier_gain_words(self) -> str:
        """What the frontier's point gives the US beside the counter, as `counter` says it
        ("$9.0m less than the counter", never "a gain of -$9.0m")."""
        f = self.frontier
        if f.on_frontier:
            return "the counter is itself on the frontier"
        if f.package is None:
            return f"no deal, {self._beside_counter()}"
        # Less only for a counter that breaks a limit (its partner's refusal too): it lies
        # beyond the frontier.
        return self._beside_counter(more="more")

    def _beside_counter(self, more: str = "more than the counter") -> str:
        """What the frontier's point gives the US beside the counter, in words that need no
        sign: "a gain of -$9.85bn on the counter" was a loss worded as a gain (qa43-verdict).
        The difference of the two as printed (`figures.usd_change`): "$748.4m less" beside
        the counter's $2.09bn and the point's $1.34bn read $1.6m off the change the verdict
        prints from our last offer of $1.34bn, +$750m (qa49-negotiate)."""
        counter, _, change = usd_change(self.us_utility, self.frontier.us_utility)
        if change.lstrip("+-") == money(0.0):
            return "as much as the counter"
        # The counter's figure beside it, to the digits the difference needs: "$7.485bn ($9m
        # less than the counter)" beside its $7.49bn read $5m apart.
        if change.startswith("-"):
            return f"{change[1:]} less than the counter's {counter}"
        if more == "more":
            return f"{change.lstrip('+')} more"
        return f"{change.lstrip('+')} more than the counter's {counter}"

    def taken_words(self) -> str:
        """What accepting the package takes, as `counter` and the web's verdict say it."""
        taken = ", ".join(f"{t} {quantity(x)}" for t, x in self.compute_taken.items()) or "none"
        return f"H100e {taken}; risk {quantity(self.risk_taken)} risk-weighted H100e"

    def supply_left_words(self) -> str:
        """The supply each period leaves if the package is accepted, as `counter` and the
        web's verdict say it (for the other open negotiations, when there are any). A
        period the package asks more of than is left says so, with none left: "2026
        -11,708" is no amount a negotiator can have left (qa43-verdict)."""
        left = ", ".join(
            f"{t} none (it asks {quantity(self.supply_short[t])} more than the "
            f"{quantity(x + self.figures.compute.get(t, 0.0))} left)"
            if t in self.supply_short
            else f"{t} {quantity(x)}"
            for t, x in self.supply_left.items()
        )
        if self.others_open:  # a lone open negotiation has no rest to re-plan
            return f"Supply left for the other open negotiations if accepted (H100e): {left}"
        return f"Supply left if accepted (H100e): {left} (no other open negotiation)"


def counter_beside_next(
    counter_us: float,
    counter_partner: float,
    next_us: float | None,
    next_partner: float | None,
) -> dict[str, tuple[str, str, str]] | None:
    """A counter's utilities beside our next offer's, for each side (`us`, `partner`): the
    counter, the next offer and the change from the one to the other, printed so that the
    change as printed is the difference as printed, both rows to one precision
    (`figures.usd_changes`); None without a
    next offer."""
    if next_us is None or next_partner is None:
        return None
    us, partner = usd_changes([(counter_us, next_us), (counter_partner, next_partner)])
    return {"us": us, "partner": partner}


def refusal(figures: DealFigures) -> list[Limit]:
    """The partner's own refusal of a package, as a broken limit (none when it accepts):
    the verdict and `history` count it beside the package's limits."""
    if figures.accepts:
        return []
    return [
        Limit(
            kind="acceptance",
            partner=figures.partner,
            limit=figures.acceptance_threshold,
            amount=figures.partner_utility,
            message=(
                f"{figures.partner} itself would not accept it: its utility "
                f"{money(figures.partner_utility)} is below its walk-away value plus margin "
                f"{money(figures.acceptance_threshold)}"
            ),
        )
    ]


def verdict(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    package: Package,
    *,
    round_number: int | None = None,
    strategy: str | None = None,
    deadline: int | None = None,
    plan: Plan | None = None,
    against: tuple[Package, str] | None = None,
) -> Verdict:
    """The verdict on `package` (a counter) in the negotiation with its partner.

    The change is measured from our last offer, or from `against` (a package
    and its label) when given. The next offer the counter is weighed against
    follows `strategy` and `deadline`, by default those recorded in our last
    offer (else Boulware with a deadline of 6 offers).

    A re-plan asked twice (the counter accepted, here and in what the counter is worth
    to the next offer) is solved once (`shared_replans`).
    """
    negotiation_of(negotiations, a_package(package).partner)  # each an ArgumentError
    if round_number is not None:  # -1 was taken as given, a round before the first
        at_least_one(round_number, "round_number")
    if against is not None:
        _against(against)
    if plan is not None:
        a_plan(plan)
    with shared_replans():
        return _verdict(
            portfolio,
            negotiations,
            package,
            round_number=round_number,
            strategy=strategy,
            deadline=deadline,
            plan=plan,
            against=against,
        )


def _verdict(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    package: Package,
    *,
    round_number: int | None,
    strategy: str | None,
    deadline: int | None,
    plan: Plan | None,
    against: tuple[Package, str] | None,
) -> Verdict:
    code = package.partner
    negotiation = negotiations[code]
    refuse_after_close(negotiation, "no counter in it can be weighed any more", again=False)
    figures = evaluate(portfolio, package)
    plan = plan or replan(portfolio, negotiations)
    offer = negotiation.last_offer
    offer_figures = offer.figures if offer is not None else None
    compared = f"our round {offer.number} ({offer.name})" if offer is not None else None
    if against is not None:
        offer_figures, compared = evaluate(portfolio, against[0]), against[1]

    shared = concluded_with(portfolio, [d.package() for d in plan.fixed.values()], package)
    violations = list(figures.violations) + shared + refusal(figures)

    gap = frontier_gap(portfolio, plan, code, figures)
    opened = plan.open_portfolio.partners if plan.open_portfolio is not None else []
    others_open = [p.code for p in opened if p.code != code]
    if gap.package is not None and not gap.on_frontier and others_open:
        # The point leaves the others out: "the US could get $268.0m more" beside an ACCEPT
        # read as a gain to be had, where its package takes what the plan gives them.
        beside = check(single_partner(portfolio, plan, code), [gap.package]).violations
        gap = gap.model_copy(update={"fits_plan": not beside})
    walk = replan(portfolio, negotiations, excluded=[code]).objective
    accepted: float | None = None
    if not violations:
        try:
            accepted = replan(portfolio, negotiations, fix={code: package}).objective
        except DealbenchError:
            accepted = None
    supply_left = {t: plan.supply_left[t] - figures.compute.get(t, 0.0) for t in portfolio.periods}
    supply_short = {t: -x for t, x in supply_left.items() if x < -COMPUTE_TOL}
    risk_left = plan.risk_left - figures.risk if plan.risk_left is not None else None

    target: float | None = None
    next_value: float | None = None
    proposed: DealFigures | None = None
    # Our next offer answers this package as the partner's last word, as `counter` records
    # it; unrecorded (`evaluate --against`), the offer answered the partner's earlier
    # counter, and the same package got another verdict.
    weighed = (
        negotiations
        if round_number is not None
        else _as_last_counter(negotiations, code, package, figures)
    )
    with contextlib.suppress(InfeasibleError):
        proposal = next_offer(
            portfolio,
            weighed,
            plan,
            code,
            **resolve_strategy(negotiation, strategy, deadline),
            walk_away=walk,
        )
        target, proposed = proposal.strategy.target_us_utility, proposal.figures
    if target is not None:
        planned = plan.package(code)
        found = portfolio.partner(code)
        assert found is not None
        planned_v = evaluate(portfolio, planned).us_value if planned else found.us_batna
        next_value = plan.objective - planned_v + target
    move: Move
    next_us = proposed.us_value if proposed is not None else None
    standing = standing_offer(offer, figures)
    if standing is not None and not violations and accepted is not None:
        move, reason = (
            "accept",
            accepts_standing(
                standing, figures, accepted, walk, target, next_value, next_us, bool(others_open)
            ),
        )
    elif target is None:
        move, reason = (
            "walk away",
            (
                f"no package with {code} is better for the US than no deal, with the other "
                "partners held at the plan"
            ),
        )
    else:
        assert next_value is not None
        move, reason = recommend(
            figures, violations, accepted, walk, target, next_value, next_us, bool(others_open)
        )
    if standing is not None and violations:
        reason = f"it is our offer of round {standing.number}, word for word, but {reason}"
    retreat = _next_offer_retreat(offer, proposed)
    beyond = _beyond_the_plan(portfolio, plan, package, figures, proposed)
    return Verdict(
        partner=code,
        round=round_number,
        figures=figures,
        us_utility=figures.us_value,
        partner_utility=figures.partner_utility,
        compared_with=compared,
        us_change=figures.us_value - offer_figures.us_value if offer_figures else None,
        partner_change=(
            figures.partner_utility - offer_figures.partner_utility if offer_figures else None
        ),
        compared_us_utility=offer_figures.us_value if offer_figures else None,
        compared_partner_utility=offer_figures.partner_utility if offer_figures else None,
        violations=violations,
        frontier=gap,
        compute_taken={t: x for t, x in figures.compute.items() if x > COMPUTE_TOL},
        risk_taken=figures.risk,
        supply_left=supply_left,
        supply_short=supply_short,
        risk_left=risk_left,
        portfolio_if_accepted=accepted,
        others_open=others_open,
        portfolio_plan=plan.objective,
        portfolio_walk_away=walk,
        next_target=target,
        portfolio_next_offer=next_value,
        next_offer_us=proposed.us_value if proposed is not None else None,
        next_offer_partner=proposed.partner_utility if proposed is not None else None,
        recommendation=move,
        reason=reason,
        notes=[
            *_unmoved(negotiation, figures, round_number),
            *off_step_notes(portfolio, package),
            # only where accepting is possible: a package that breaks a limit cannot be
            *(
                _offers_left_short(portfolio, negotiations, code, supply_left, risk_left)
                if not violations
                else []
            ),
            *([retreat] if retreat is not None else []),
            *([beyond] if beyond is not None else []),
        ],
        next_offer_retreat=retreat,
    )


def _unmoved(negotiation: Negotiation, figures: DealFigures, round_number: int | None) -> list[str]:
    """A note when the counter has the terms of the partner's counter before it (a round
    dealbench records, when a US offer came between): the partner has not moved, said with
    the first of the unbroken run of its counters on those terms. Our offers speak of it
    ("our offer stands, unmoved by ..."); a counter that conceded nothing was weighed with no
    word of it, its change from our last offer read as a new demand (qa43: BH's counter of
    round 14, its seventh on the terms of round 2, as our linear offers went from $1.62bn
    to $174.7m to the US)."""
    last = negotiation.last
    if round_number is None and _is_last_counter(negotiation, figures):
        assert last is not None
        round_number = last.number  # `evaluate --against` of the last counter: that round
    earlier = [
        r
        for r in negotiation.rounds
        if r.side == "partner"
        and r.figures is not None
        and r.status == "open"
        and (round_number is None or r.number < round_number)
    ]
    first = None
    for r in reversed(earlier):
        if r.figures is None or not same_terms(r.figures, figures):
            break
        first = r
    if first is None:
        return []
    since = (
        f"its counter of round {first.number} ({first.name})"
        if first is earlier[-1]
        else f"each of its counters since round {first.number} ({first.name})"
    )
    return [f"{negotiation.partner} has not moved: the same terms as {since}"]


def _is_last_counter(negotiation: Negotiation, figures: DealFigures) -> bool:
    """Whether the partner's last round is a counter on the terms of `figures`, as
    `counter` tells the command run twice (`record._not_again`). Not by the packages'
    equality: a round file given as the package (`evaluate 006-partner.yaml --against 5`)
    carries its side, round and date, and its own verdict said "AE has not moved: the same
    terms as its counter of round 6" of round 6 itself (qa48-negotiate)."""
    last = negotiation.last
    return (
        last is not None
        and last.side == "partner"
        and last.figures is not None
        and same_terms(last.figures, figures)
    )


def _as_last_counter(
    negotiations: Mapping[str, Negotiation], code: str, package: Package, figures: DealFigures
) -> Mapping[str, Negotiation]:
    """The negotiations as recording `package` as the partner's next round leaves them (as
    they are when it is its last round already). A corridor's VN: `evaluate --against` of a
    counter said COUNTER against a next offer held by an earlier counter's demand ($621.0m),
    `counter` of the same package ACCEPT (its own worth, $604.0m, the target)."""
    negotiation = negotiations[code]
    if _is_last_counter(negotiation, figures):
        return negotiations
    number = negotiation.next_number
    pending = Round(
        negotiation.folder / f"{number:03d}-partner.yaml",
        RoundFile(round=number, side="partner", package=package),
        figures,
    )
    return {
        **negotiations,
        code: dataclasses.replace(negotiation, rounds=[*negotiation.rounds, pending]),
    }


def _next_offer_retreat(offer: Round | None, proposed: DealFigures | None) -> str | None:
    """A note when our next offer gives the partner less than our last offer did: `offer`
    records it only with the retreat allowed (docs/negotiation.md, "Taking back what was
    offered"), so the next offer printed beside the counter is not one it records as it is."""
    said = retreat_words(offer, proposed) if proposed is not None else ""
    if not said:
        return None
    return (
        f"our next {said.removeprefix('the ')}: it takes back part of what that offer gave, "
        "and is recorded only with the retreat allowed"
    )


def _beyond_the_plan(
    portfolio: Portfolio,
    plan: Plan,
    package: Package,
    figures: DealFigures,
    proposed: DealFigures | None,
) -> str | None:
    """A note when our next offer gives both sides less than the package weighed, said
    with why: the next offer keeps to the supply and risk budget the plan leaves the
    partner beside the other deals, which the package breaks. Only then can it: a package
    within them giving the US at least the target would be found by the offer's own solve.
    `evaluate ae-offer.yaml --against 4` set "our next offer", US $88.98bn and AE $8.05bn,
    beside the package's $89.01bn and $8.50bn (taking 28,142 H100e of 2027 the plan gives
    the others) with no word why, as if a dominated package were our next move."""
    if proposed is None or not (
        proposed.us_value < figures.us_value - 1.0
        and proposed.partner_utility < figures.partner_utility - 1.0
    ):
        return None
    beside = check(single_partner(portfolio, plan, package.partner), [package]).violations
    if not beside:
        return None
    next_us, us = usd_together([proposed.us_value, figures.us_value])
    next_partner, partner = usd_together([proposed.partner_utility, figures.partner_utility])
    code = package.partner
    return (
        f"our next offer gives both sides less than this package (the US {next_us} against "
        f"{us}, {code} {next_partner} against {partner}) because it keeps to the supply and "
        f"risk budget the plan leaves {code} beside the other deals, which this package "
        f"takes more of ({'; '.join(messages(beside))}): accepting it is weighed on the "
        "portfolio, the others re-planned"
    )


def _offers_left_short(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    code: str,
    supply_left: dict[str, float],
    risk_left: float | None,
) -> list[str]:
    """A note when accepting leaves less than our open offers to the others take: they
    could not all be concluded as offered. (qa31: MA's counter, taking 10,000 H100e of a
    scarce 2027, was ACCEPT with no word that our offers to KE, GH and RW took the whole
    40,000 between them.) Said only of a package that breaks no limit (the caller's):
    one that does cannot be accepted, whatever it leaves (qa43-verdict: QA's counter
    below its own walk-away value was told what accepting it would leave our offers)."""
    over = offers_beyond(portfolio, negotiations, supply_left, risk_left, exclude=code)
    if over is None:
        return []
    if over.offers == 1:  # "not all of them" of one offer (qa43)
        return [
            f"accepting leaves less than our open offer to another partner takes: {over.words} "
            "if it is accepted; it could then not be concluded as offered"
        ]
    return [
        f"accepting leaves less than our open offers to the others take: {over.words} if it "
        "is accepted; not all of them could then be concluded as offered"
    ]


def off_step_notes(portfolio: Portfolio, package: Package) -> list[str]:
    """One note per range amount of `package` that is off its concession's declared step
    (docs/amounts.md), naming the nearest amounts on it: the package stands as written
    (it is valued by interpolation), but the optimizer never offers such an amount."""
    partner = portfolio.partner(package.partner)
    if partner is None:
        return []
    notes = []
    for cid, level_id in package.granted().items():
        c = partner.concession(cid)
        level = c.option(level_id) if c is not None else None
        if c is None or c.amount is None or level is None or level.amount is None:
            continue
        near = c.off_step(level.amount)
        if near is None or c.amount.step is None:
            continue
        unit = c.amount.unit
        steps = " and ".join(amount_label(a, unit) for a in near if a is not None)
        notes.append(
            f"{cid}: {amount_label(level.amount, unit)} is off the declared step of "
            f"{amount_label(c.amount.step, unit)}; the nearest amounts on it are {steps}"
        )
    return notes


def _against(value: object, name: str = "against") -> None:
    """A (Package, label) pair; else an ArgumentError naming `against`."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str)):
        raise ArgumentError(
            name,
            "expected a (Package, label) pair, such as (offer, 'our draft'), "
            f"got {given_briefly(value)}",
        )
    a_package(value[0], name)
