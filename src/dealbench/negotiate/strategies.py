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

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dealbench.arguments import one_of, partner_code
from dealbench.checker import DealFigures, check, evaluate
from dealbench.errors import ArgumentError, DealbenchError, InfeasibleError
from dealbench.model.amounts import amount_label
from dealbench.model.rules import case_hint
from dealbench.model.schema import (
    GRANTED,
    Concession,
    ConcessionLevel,
    Package,
    Partner,
    Portfolio,
)
from dealbench.negotiate.plan import Plan, replan, single_partner
from dealbench.negotiate.replan import solve_with_floor
from dealbench.negotiate.rounds import (
    Negotiation,
    Round,
    StrategyRecord,
    concluded_with,
    same_terms,
)
from dealbench.optimize import solve
from dealbench.optimize.best import solve_best
from dealbench.optimize.grid import FLOOR_TOL
from dealbench.optimize.schedule import schedule
from dealbench.units import and_list, h100e, usd

__all__ = [
    "BETAS",
    "MODES",
    "STRATEGIES",
    "CounterDemand",
    "CounterWorth",
    "NextOffer",
    "Targets",
    "beta_typed",
    "check_strategy",
    "check_time_dependent",
    "counter_demand",
    "counter_worth",
    "deadline_typed",
    "mode_offer",
    "next_offer",
    "offer_at",
    "offer_floor",
    "resolve_strategy",
    "targets",
    "time_dependent_target",
]

#: The concession exponent of each time-dependent tactic.
BETAS: dict[str, float] = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}
STRATEGIES: tuple[str, ...] = ("boulware", "linear", "conceder", "zeuthen")
#: Offers at a point of the frontier rather than along a concession path.
MODES: tuple[str, ...] = ("us-best", "nash", "kalai")
DEFAULT_DEADLINE = 6
#: A value that dwarfs every utility of a deal (USD): used to force a fixed term.
_FORCE = 1e12


@dataclass(frozen=True)
class Targets:
    """The two ends every strategy moves between, for one partner (USD, V_p of the deal)."""

    ideal: float
    reservation: float
    ideal_package: Package | None
    #: Without an ideal package, why the partner has no deal (`optimize.no_deal`'s reason).
    why: str | None = None

    def no_offer(self, partner: str, fixed: str = "") -> InfeasibleError:
        """The refusal of an offer when no package beats walking away, with the reason
        when there is no package at all (a partner that accepts none, or that receives
        no compute)."""
        why = f": {self.why}" if self.why else ""
        return InfeasibleError(
            f"no package with {partner} is better for the US than walking away "
            f"(with the other partners held at the plan{fixed}){why}"
        )


@dataclass(frozen=True)
class NextOffer:
    """A proposed US package, its figures, and how it was chosen."""

    package: Package
    figures: DealFigures
    strategy: StrategyRecord


def time_dependent_target(
    ideal: float, reservation: float, offers_made: int, deadline: int, beta: float
) -> float:
    """Faratin et al.'s polynomial tactic: the target after `offers_made` US offers."""
    share = min(1.0, offers_made / deadline) if deadline > 0 else 1.0
    return float(ideal - (ideal - reservation) * share ** (1.0 / beta))


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
    one, _shift = _constrained(single_partner(portfolio, plan, partner), partner, fix, last)
    result = solve(one, "us-best")
    deal = result.deal(partner) if result.us_value is not None else None
    if deal is not None and last is not None:
        _check_kept(found, fix, last, deal.package())
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
        if not fix:  # with terms fixed, the partner's figures are shifted (_constrained)
            from dealbench.optimize.no_deal import why_no_deal

            why = next((r.message for r in why_no_deal(one, result) if r.partner == partner), None)
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
    one, shift = _constrained(single_partner(portfolio, plan, partner), partner, fix, last)
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
    planned = plan.package(partner) if not fix else None
    if planned is None:
        return found
    kept = tidy(portfolio, planned)
    if kept.us_value < target - 1.0 or not kept.accepts or kept.violations:
        return found
    if found is None or _prefers_partner(kept, found):
        return kept
    return found


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


def resolve_strategy(
    negotiation: Negotiation, strategy: str | None, deadline: int | None
) -> dict[str, Any]:
    """The next-offer strategy, deadline and beta: as asked, else as recorded in the last US
    offer (the deadline: in the last US offer that records one), else Boulware with a
    deadline of 6 offers."""
    offer = negotiation.last_offer
    record = offer.data.strategy if offer is not None else None
    out: dict[str, Any] = {"strategy": "boulware", "deadline": DEFAULT_DEADLINE, "beta": None}
    # A Zeuthen offer, a point of the frontier or a package of one's own records no
    # deadline: the one set before still runs (a corridor's VN, deadline 4, then a Zeuthen
    # offer: the next linear offer read "past the deadline of 6 offers").
    for earlier in reversed(negotiation.offers()):
        kept = earlier.data.strategy
        if kept is not None and isinstance(kept.params.get("deadline"), int | float):
            out["deadline"] = int(kept.params["deadline"])
            break
    if record is not None and record.name in STRATEGIES:
        out["strategy"] = record.name
        if isinstance(record.params.get("beta"), int | float):
            out["beta"] = float(record.params["beta"])
    if strategy is not None and strategy != out["strategy"]:
        out["strategy"], out["beta"] = strategy, None
    if deadline is not None:
        out["deadline"] = deadline
    return out


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
) -> NextOffer:
    """The next US package for `partner` by `strategy` (see the module's docstring)."""
    partner_code(portfolio, partner)  # not a KeyError from `negotiations`
    check_strategy(strategy, deadline, beta)
    negotiation = negotiations[partner]
    last = negotiation.last_offer
    last_package = last.package if last is not None else None
    _check_fix(portfolio, partner, fix, last_package)
    walk = walk_away
    if walk is None:
        walk = replan(portfolio, negotiations, exclude=[partner]).objective
    ends = targets(portfolio, plan, partner, fix, last_package, walk)
    if ends.ideal_package is None or ends.ideal < ends.reservation - 1e6:
        raise ends.no_offer(partner, _fixed_words(fix))
    offers = len(negotiation.offers())
    params: dict[str, int | float | str] = {}
    worth = counter_worth(portfolio, negotiations, plan, negotiation)
    demand = counter_demand(portfolio, plan, negotiation, fix, last_package)
    if strategy == "zeuthen":
        target, reason = _zeuthen_target(portfolio, plan, negotiation, ends, fix, worth)
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
    floor, why = offer_floor(negotiation, ends, fix, worth, demand)
    if target < floor:
        target, reason = floor, reason + why
    figures = offer_at(portfolio, plan, partner, target, fix=fix, last=last_package)
    if figures is None:
        raise InfeasibleError(
            f"no package with {partner} reaches the target US utility {usd(target)}"
            f"{_fixed_words(fix)}"
        )
    reason += _above_target(portfolio, figures, target, ends, fix)
    reason += _less_than_last(portfolio, plan, figures, last, target)
    reason += _refitted(portfolio, plan, figures, last)
    record = StrategyRecord(
        name=strategy,
        params=params,
        target_us_utility=round(target, 2),
        ideal_us_utility=round(ends.ideal, 2),
        reservation_us_utility=round(ends.reservation, 2),
        fixed=list(fix),
        reason=reason,
    )
    return NextOffer(figures.package(), figures, record)


def _above_target(
    portfolio: Portfolio,
    figures: DealFigures,
    target: float,
    ends: Targets,
    fix: Sequence[str] = (),
) -> str:
    """Why an offer gives the US clearly more than its target, when it does: the package
    best for the partner at or above the target sits above it, as every package the
    partner prefers gives the US less than the target (the frontier jumps there).
    Without it a negotiator saw a target of $90m, an offer worth $1.06bn to the US and,
    offer after offer, nearly the same package, with no word why."""
    above = figures.us_value - target
    if above <= max(1e6, 0.01 * abs(ends.ideal - ends.reservation)):
        return ""
    return (
        f"; the offer gives the US {usd(figures.us_value)}, {usd(above)} above the target: "
        f"every package within the limits that {figures.partner} prefers to it"
        # with terms kept, only among packages keeping them (VN: invest-us and compute kept,
        # the offer repeated; without the words, as if no package at all were better for VN)
        f"{_fixed_words(fix)}{_grid_words(portfolio, figures.partner, fix)}"
        f"{',' if fix or _grid_words(portfolio, figures.partner, fix) else ''} gives the US "
        "less than the target"
    )


def _less_than_last(
    portfolio: Portfolio,
    plan: Plan,
    figures: DealFigures,
    last: Round | None,
    target: float,
) -> str:
    """Why an offer gives the partner less than our last offer did, when it does: the last
    offer no longer fits beside the deals concluded since and the plan for the other open
    negotiations, or no longer reaches the target. (qa31: after MA's counter taking 10,000
    H100e of 2027 was concluded, KE's offer went from 30,000 to 22,000 H100e in 2027, $2.62bn
    to $2.38bn for KE, with no word that something offered was taken back, or why.)"""
    before = last.figures if last is not None else None
    if last is None or before is None or figures.partner_utility > before.partner_utility - 1.0:
        return ""
    code = figures.partner
    # A limit of its own first: BH's offer of 150,000 H100e over its ask and cap (a package
    # of one's own) read "it no longer fits beside the deals concluded and the plan ...:
    # 2026 leaves BH 10,941 H100e, where it gave 150,000", as if it once had (qa32-neg).
    short = [] if before.violations else _no_longer_fits(portfolio, plan, before)
    if before.violations:
        why = "it breaks a limit now: " + "; ".join(
            v.message.rstrip(".") for v in before.violations
        )
    elif short:
        why = (
            "it no longer fits beside the deals concluded and the plan for the other open "
            f"negotiations: {and_list(short)}"
        )
    elif before.us_value < target - 1.0:
        why = f"it gives the US {usd(before.us_value)}, less than the target"
    else:  # a package of one's own off the amounts offers name, say: the fact alone
        why = ""
    return (
        f"; the offer gives {code} {usd(figures.partner_utility)}, less than our offer of round "
        f"{last.number} did ({usd(before.partner_utility)}){': ' + why if why else ''}"
    )


def _no_longer_fits(portfolio: Portfolio, plan: Plan, before: DealFigures) -> list[str]:
    """Where an earlier offer's package no longer fits beside the deals concluded and the
    plan for the other open negotiations: per period, and the risk budget ("2026 leaves SG
    17,895 H100e, where it gave 18,349")."""
    code = before.partner
    seen = single_partner(portfolio, plan, code)
    short = [
        f"{t} leaves {code} {h100e(seen.supply[t])} H100e, where it gave "
        f"{h100e(before.compute.get(t, 0.0))}"
        for t in seen.periods
        if before.compute.get(t, 0.0) > seen.supply[t] + 0.5
    ]
    if seen.risk_budget is not None and before.risk > seen.risk_budget + 0.5:
        short.append(
            f"the risk budget leaves {code} {h100e(seen.risk_budget)} risk-weighted H100e, "
            f"where it took {h100e(before.risk)}"
        )
    return short


def _refitted(portfolio: Portfolio, plan: Plan, figures: DealFigures, last: Round | None) -> str:
    """Why an offer that gives the partner no less than our last offer did has another
    package, when our last offer no longer fits beside the deals concluded since and the
    plan for the other open negotiations (one giving the partner less says so itself,
    `_less_than_last`). After IN walked away the plan moved SG's compute from 2026 to
    2028, and Zeuthen's next offer to SG said "the US repeats its offer" of a package
    with 454 H100e less in 2026 and 2027 and 908 more in 2028 (qa32-neg)."""
    before = last.figures if last is not None else None
    if last is None or before is None or figures.partner_utility <= before.partner_utility - 1.0:
        return ""
    if before.violations or same_terms(before, figures):  # one breaking a limit: the offer's own
        return ""
    short = _no_longer_fits(portfolio, plan, before)
    if not short:
        return ""
    return (
        f"; our offer of round {last.number} no longer fits beside the deals concluded and the "
        f"plan for the other open negotiations ({and_list(short)}), so this package is fitted "
        "to what they leave"
    )


def _grid_words(portfolio: Portfolio, code: str, fix: Sequence[str] = ()) -> str:
    """The amounts of the partner's range concessions an offer names, when it has any not
    kept by `fix`: an offer is chosen among them (docs/amounts.md), so a package at an
    amount between them may give the partner more and the US the target (qa31: KE's
    counter at invest-us=3.5bn gave the US the target and KE more than our offer at 4bn, an
    offer said to be above the target as "every package ... KE prefers gives the US less")."""
    partner = portfolio.partner(code)
    if partner is None:
        return ""
    said = []
    for c in partner.concessions:
        if c.amount is None or not c.is_range or c.id in fix:
            continue
        step = c.amount.step
        said.append(
            f"{c.id} in steps of {amount_label(step, c.amount.unit)}"
            if step is not None
            else f"{c.id} at its levels and the amounts between them on its grid"
        )
    return f", with {and_list(said)} (the amounts offers name)" if said else ""


def check_strategy(
    strategy: str | None, deadline: int | None = None, beta: float | None = None
) -> None:
    """A known strategy, a deadline of at least one offer and a positive, finite concession
    exponent (None: not given); an ArgumentError naming the argument otherwise. Calls that
    record a round check them before writing, since their next offer or verdict needs them."""
    if strategy is not None:
        one_of(strategy, STRATEGIES, "strategy", "strategy")
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, int) or deadline < 1
    ):
        raise _deadline_refused(deadline)
    if beta is not None and not (math.isfinite(beta) and beta > 0):
        raise _beta_refused(f"{beta:g}")


def _beta_refused(got: str) -> ArgumentError:
    return ArgumentError(
        "beta",
        f"the concession exponent must be a positive number (boulware 0.2, linear 1, "
        f"conceder 5); got {got}",
    )


def beta_typed(text: str) -> float | None:
    """A concession exponent as typed in a form's field (the web's offer form): None when
    left empty (the recorded exponent runs on, else the strategy's own), else a number
    checked as `check_strategy` checks `offer --beta`, in its words."""
    text = text.strip()
    if not text:
        return None
    try:
        beta = float(text)
    except ValueError:
        raise _beta_refused(repr(text)) from None
    check_strategy(None, None, beta)
    return beta


def check_time_dependent(strategy: str, deadline: int | None, beta: float | None) -> None:
    """A deadline or an exponent given (not None) for the strategy an offer runs, which
    must use them: Zeuthen's offer follows the partner's counters, not a deadline nor an
    exponent, so `offer --strategy zeuthen --beta 2` recorded its offer and dropped the
    exponent without a word. An ArgumentError naming the first given."""
    if strategy in BETAS:
        return
    ignored = [w for w, given in (("deadline", deadline), ("beta", beta)) if given is not None]
    if ignored:
        said = {"deadline": "a deadline", "beta": "a concession exponent (beta)"}
        raise ArgumentError(
            ignored[0],
            f"{strategy} concedes by weighing the partner's last counter, not along a path "
            f"to a deadline, so {' and '.join(said[w] for w in ignored)} would be ignored; give "
            "them with boulware, linear or conceder, or leave them empty",
        )


def deadline_typed(text: str) -> int | None:
    """A deadline as typed in a form's field (a shell that reads text, as the web's offer
    form): None when left empty (the recorded deadline runs on), else a whole number of US
    offers checked as `check_strategy` checks one, in its words."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text) is None:
        raise _deadline_refused(text)
    deadline = int(text)
    check_strategy(None, deadline)
    return deadline


def _deadline_refused(got: object) -> ArgumentError:
    return ArgumentError(
        "deadline", f"expected a whole number of US offers, at least 1; got {got!r}"
    )


def risks(us: float, partner: float) -> str:
    """Both sides' Zeuthen risks, with the digits that tell them apart: two decimals read
    "its risk 1.00 against the partner's 1.00" for 1 against 0.99999, a decision the
    reader could not see (at most six; equal risks print equal)."""
    digits = next((d for d in range(2, 7) if f"{us:.{d}f}" != f"{partner:.{d}f}"), 2)
    return f"its risk {us:.{digits}f} against the partner's {partner:.{digits}f}"


def _zeuthen_target(
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
    shared = counter.package is not None and _breaks_beside_concluded(
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
    if c_us >= o.us_value - 1e6:
        if c_us > ends.ideal + 1.0:  # as `offer_floor` caps it
            return ends.ideal, (
                "Zeuthen: the counter gives the US at least our last offer, so the process "
                f"ends; it gives the US more than {_any_offer(fix)}, so the offer is the US "
                "ideal; whether to accept the counter is the verdict's"
            )
        return c_us, (
            "Zeuthen: the counter gives the US at least our last offer, so the process ends; "
            "accept it (dealbench conclude) or offer no less than it gives the US"
        )
    if risk_us > risk_p:
        return min(o.us_value, ends.ideal), (
            f"Zeuthen: the US would lose more by conceding ({risks(risk_us, risk_p)}); the "
            "partner should concede, so the US repeats its offer"
        )
    floor = (c_us - d_us) * (c.partner_utility - d_p)
    lo, hi = max(c_us, d_us), o.us_value
    best, found = lo, False
    for _ in range(12):
        mid = (lo + hi) / 2
        point = offer_at(portfolio, plan, negotiation.partner, mid, fix=fix, last=offer.package)
        if point is not None and (point.us_value - d_us) * (point.partner_utility - d_p) > floor:
            best, lo, found = mid, mid, True
        else:
            hi = mid
        if hi - lo <= 1e-4 * max(1.0, abs(hi)):
            break
    conceding = f"Zeuthen: the US has less to lose by conceding ({risks(risk_us, risk_p)}); "
    if not found:  # the offer at `lo` is the counter's US utility: it meets the counter
        return best, conceding + (
            f"no package between the counter's US utility and our last offer's beats the "
            f"Nash product of the partner's counter of round {counter.number}, so the offer "
            "gives the US what the counter does: accept it (dealbench conclude) or offer this"
        )
    return (
        best,
        conceding + "it concedes just enough that its offer's Nash product beats the counter's",
    )


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
    if _breaks_beside_concluded(portfolio, plan, counter.package):
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
            f"{_any_offer(fix)}, so the offer is the US ideal; whether to accept the counter "
            "is the verdict's"
        )
    if not worth.fits:
        return floor, (
            f"; the partner's counter of round {counter.number} takes supply or risk budget "
            "the plan gives the other open negotiations: accepted with them re-planned, it "
            f"leaves the portfolio where an offer of {usd(floor)} to the US would, so the "
            "offer gives no less than that: accept it (dealbench conclude) or offer this"
        )
    return floor, (
        f"; the partner's counter of round {counter.number} already gives the US more than "
        "that, so the offer gives no less than it: accept it (dealbench conclude) or offer "
        "this"
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
    shared = _breaks_beside_concluded(portfolio, plan, counter.package)
    if not c.violations and c.accepts and not shared:
        return None
    partner = negotiation.partner
    asked = max(c.partner_utility, c.acceptance_threshold)
    one, _shift = _constrained(single_partner(portfolio, plan, partner), partner, fix, last)
    best = solve_with_floor(one, partner, asked - FLOOR_TOL)
    deal = best.deal(partner) if best is not None else None
    if deal is None:
        return None
    return CounterDemand(
        asked, tidy(portfolio, deal.package()).us_value, bool(c.violations) or shared
    )


def _breaks_beside_concluded(portfolio: Portfolio, plan: Plan, package: Package) -> bool:
    """Whether `package` breaks the supply or risk budget beside the deals concluded with the
    others: then it can no longer be concluded (`conclude` refuses it), whatever it kept
    when it was made. (qa31: KE's counter of 30,000 H100e of 2027, which fitted when made,
    held KE's offers at its worth, "accept it (dealbench conclude)", after MA's and RW's
    deals left 22,000.)"""
    concluded = [d.package() for code, d in plan.fixed.items() if code != package.partner]
    return bool(concluded) and bool(concluded_with(portfolio, concluded, package))


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
            f"{_fixed_words(fix)}, more than our offer of round {held}, so the offer gives the "
            f"US what that offer did, {usd(floor)} (nothing offered is taken back)"
        )
    return (
        f"; the partner's counter of round {number} {what}: the best package within the limits "
        f"that gives it that gives the US {usd(floor)}{_fixed_words(fix)}, so the offer gives no "
        "less (no offer gives the partner more than it asked for)"
    )


def _any_offer(fix: Sequence[str]) -> str:
    """Why no offer reaches a counter that keeps its limits: the terms kept from our last
    offer may hold every offer below it; without them, what the plan gives the others."""
    if fix:
        return f"any offer can with the others held at the plan{_fixed_words(fix)}"
    return (
        "any offer can with the others held at the plan (it takes supply or risk budget the "
        "plan gives them)"
    )


def _risk(own_offer: float, other_offer: float, walk_away: float) -> float:
    """Zeuthen's willingness to risk a breakdown: 1 when the other's offer is worth no more than walking away."""
    span = own_offer - walk_away
    if span <= 0:
        return 0.0
    return max(0.0, min(1.0, (own_offer - other_offer) / span))


# --- keeping parts of the last offer -----------------------------------------------------------


def _check_fix(
    portfolio: Portfolio, partner: str, fix: Sequence[str], last: Package | None
) -> None:
    if not fix:
        return
    if last is None:
        raise ArgumentError("fix", f"there is no earlier US offer to {partner} to keep terms of")
    found = portfolio.partner(partner)
    assert found is not None
    ids = [c.id for c in found.concessions]
    for item in fix:
        if item not in ("compute", "security") and item not in ids:
            raise ArgumentError(
                "fix",
                (
                    f"unknown term {item!r}; expected compute, security or a concession of "
                    f"{partner}: {', '.join(ids)}"
                    if ids
                    else f"unknown term {item!r}; expected compute or security ({partner} "
                    "offers no concessions)"
                )
                + case_hint(item, ["compute", "security", *ids]),
            )


def _constrained(
    one: Portfolio, partner: str, fix: Sequence[str], last: Package | None
) -> tuple[Portfolio, float]:
    """The one-partner portfolio with the fixed terms of `last` imposed, and the V shift it adds.

    Security: only that level is available. A concession granted in `last`:
    only that level, worth `_FORCE` more to the US, with the V floor raised by
    `_FORCE`, so every package meeting the floor grants it (and figures are
    recomputed against the real partner). A concession not granted: worth
    `-_FORCE`, so no package meeting the floor grants it. Compute: the last
    offer's schedule becomes the ask, the most any period may receive.
    """
    if not fix or last is None:
        return one, 0.0
    partner_obj = one.partner(partner)
    assert partner_obj is not None
    data = partner_obj.model_dump()
    shift = 0.0
    if "compute" in fix:
        data["ask"] = {t: last.compute.get(t, 0.0) for t in one.periods}
    if "security" in fix:
        data["security_costs"] = {last.security: partner_obj.security_costs[last.security]}
    granted = last.granted()
    concessions = []
    for concession in partner_obj.concessions:
        c = concession.model_dump()
        if concession.id in fix:
            level = granted.get(concession.id)
            if level is None:
                c = _worth(concession, [(o, -_FORCE) for o in concession.options])
            else:
                option = concession.option(level)
                assert option is not None
                c = _worth(concession, [(option, _FORCE)])
                shift += _FORCE
        concessions.append(c)
    data["concessions"] = concessions
    changed = Partner.model_validate(data)
    partners = [changed if p.code == partner else p for p in one.partners]
    return one.model_copy(update={"partners": partners}), shift


def _worth(
    concession: Concession, options: list[tuple[ConcessionLevel, float]]
) -> dict[str, object]:
    """`concession` offering only `options`, each worth `extra` more to the US. A range
    becomes a concession of those levels alone: kept a range, the amounts between its
    breakpoints would be valued on a line to the forced value and take a share of it
    (the grid's 960bn below a fixed 1tn met the floor the fixed amount raised)."""
    data = concession.model_dump()
    levels = [
        {**o.model_dump(exclude={"amount"}), "us_value": o.us_value + extra} for o, extra in options
    ]
    if concession.is_yes_no:
        data["us_value"] = levels[0]["us_value"]
    else:
        data["levels"] = levels
        data["amount"] = None
    return data


def _check_kept(partner: Partner, fix: Sequence[str], last: Package, ideal: Package) -> None:
    """Refuse fixed terms no package keeps: a concession granted in `last` is forced only by
    the value `_constrained` adds to it, so the US-best package of the fixed menu leaves it
    out exactly when no package the partner accepts (within the limits) grants it with the
    other fixed terms."""
    granted, got = last.granted(), ideal.granted()

    def kept(cid: str) -> bool:  # the same option, however written (`1k` is level `small`)
        concession = partner.concession(cid)
        if concession is None or cid not in got:
            return False
        was, now = concession.option(granted[cid]), concession.option(got[cid])
        return was is not None and now is not None and was.id == now.id

    lost = [c for c in fix if c in granted and not kept(c)]
    if not lost:
        return
    terms = and_list(f"{c}={granted[c]}" if granted[c] != GRANTED else c for c in lost)
    others = [c for c in fix if c not in lost]
    also = f", with {and_list(others)} kept too" if others else ""
    raise InfeasibleError(
        f"no package {partner.code} accepts keeps {terms} of the last offer{also} (the other "
        "partners held at the plan); fix fewer terms, or offer a package of your own "
        "(--package)"
    )


def _fixed_words(fix: Sequence[str]) -> str:
    return f", keeping {', '.join(fix)} of the last offer" if fix else ""


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
    walk = replan(portfolio, negotiations, exclude=[partner]).objective
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
        reason += _above_target(portfolio, figures, floor, ends)
    last = negotiations[partner].last_offer
    reason += _less_than_last(portfolio, plan, figures, last, target)
    reason += _refitted(portfolio, plan, figures, last)
    record = StrategyRecord(
        name=mode,
        params={"points": points} if mode != "us-best" else {},
        target_us_utility=round(target, 2),
        ideal_us_utility=round(ends.ideal, 2),
        reservation_us_utility=round(ends.reservation, 2),
        reason=reason,
    )
    return NextOffer(figures.package(), figures, record)
