"""The sentences a next offer's reason adds when the package surprises: above its target, giving
the partner less than our last offer, or refitted to what the other deals leave.
"""

from __future__ import annotations

from collections.abc import Sequence

from dealbench.checker import DealFigures
from dealbench.figures import h100e, usd, usd_change
from dealbench.limit import broken_messages
from dealbench.list_words import and_list
from dealbench.model.amounts import amount_label
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.fixed_terms import fixed_words
from dealbench.negotiate.offers.targets import Targets
from dealbench.negotiate.plan import Plan, single_partner
from dealbench.negotiate.rounds.negotiation import Round, same_terms

__all__ = [
    "above_target",
    "less_than_last",
    "refitted",
    "step_words",
]


def above_target(
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
        f"{fixed_words(fix)}{_grid_words(portfolio, figures.partner, fix)}"
        f"{',' if fix or _grid_words(portfolio, figures.partner, fix) else ''} gives the US "
        "less than the target"
    )


def less_than_last(
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
    # Named, not "it": "... less than our offer of round 5 did ($15.02bn): it gives the US
    # $73.97bn, less than the target" read as the new offer's US utility (qa40-web).
    that = f"round {last.number}'s offer"
    if before.violations:
        # One cap broken in three periods is one limit, said once, as the violations are
        # listed ("SG: compute of 50,000 H100e in each of 2026, 2027 and 2028 exceeds ..."),
        # not three sentences (qa45-negotiate).
        why = f"{that} breaks a limit now: " + "; ".join(
            line.rstrip(".") for line in broken_messages(before.violations)
        )
    else:
        # Both, where both hold: after a switch from linear to Boulware, AE's offer of round
        # 3 fell short of 2027's supply left by 28,142 H100e, but what took $6bn back from
        # AE was the target, $10.67bn above what round 3 gives the US (qa34-newuser).
        said = []
        if short:
            said.append(
                f"{that} no longer fits beside the deals concluded and the plan for the other "
                f"open negotiations: {and_list(short)}"
            )
        if before.us_value < target - 1.0:
            said.append(
                f"{'and it' if short else that} gives the US {usd(before.us_value)}, less than the "
                f"target ({usd(target)})"
            )
        # none: a package of one's own off the amounts offers name, say: the fact alone
        why = "; ".join(said)
    then, given, _ = usd_change(before.partner_utility, figures.partner_utility)  # told apart
    return (
        f"; the offer gives {code} {given}, less than our offer of round "
        f"{last.number} did ({then}){': ' + why if why else ''}"
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


def refitted(portfolio: Portfolio, plan: Plan, figures: DealFigures, last: Round | None) -> str:
    """Why an offer that gives the partner no less than our last offer did has another
    package, when our last offer no longer fits beside the deals concluded since and the
    plan for the other open negotiations (one giving the partner less says so itself,
    `less_than_last`). After IN walked away the plan moved SG's compute from 2026 to
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


def step_words(portfolio: Portfolio, package: Package) -> str:
    """What an offer dealbench chose says of its compute when it is not in the portfolio's
    declared step, as `solve` says it of a plan ("Compute is in steps of 1 H100e, not the
    declared steps of 1,000 H100e."); "" when it is. The deals held beside it can leave it
    only a finer step (gulf-asia's rounds: SA concluded at 353,359 H100e in 2026 left QA
    47,143), and an offer of 47,143 H100e said nothing of the declared 1,000."""
    from dealbench.negotiate.frontier import step_of
    from dealbench.optimize.schedule.signable import finer

    grid = portfolio.granularity
    step = step_of(portfolio, [package])  # None: continuous amounts
    if step is None or step == grid.h100e:
        return ""
    if step == 0:
        return f"Compute is unrounded, not in the declared {grid.describe()}."
    return f"Compute is in {finer(grid, step).describe()}, not the declared {grid.describe()}."
