"""Why a partner gets no deal, in the user's words.

`why_no_deal` says, for each partner the optimum leaves without a deal, what
blocks it: no package it accepts fits the limits (and the smallest change that
makes one), the best one it accepts is worth less to the US than no deal, or
the shared supply and risk budget go to deals worth more (and how much would
make room for it: `optimize.explain.shared_limits`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from dealbench.arguments import zero_or_more
from dealbench.figures import h100e
from dealbench.figures import usd as money
from dealbench.list_words import and_list, spans
from dealbench.model.arguments import partner_codes
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.data import NoDeal, Relaxation
from dealbench.optimize.explain.infeasible import explain_infeasible, no_compute
from dealbench.optimize.explain.relax_words import RAISE_NOISE, limit_raised
from dealbench.optimize.explain.shared_limits import shared_limits
from dealbench.optimize.reasons import NOT_EXPLAINED
from dealbench.optimize.result import SolveResult, Status, result_fits
from dealbench.result_words import MAX_EXPLAINED

__all__ = [
    "MAX_EXPLAINED",
    "best_alone",
    "caps_lifted",
    "no_acceptable_package",
    "no_deal_reasons",
    "raised",
    "why_no_deal",
]


def why_no_deal(
    portfolio: Portfolio, result: SolveResult, require: Sequence[str] = (), *, cold: bool = False
) -> list[NoDeal]:
    """For each partner the optimum leaves without a deal, what blocks it. `require`: the
    partners the solve was required to give a deal (it had to, whatever they are worth);
    `cold`: a raise of the shared limits re-solved from nothing, not from `result` (the
    same sentences, slower: `shared_limits._least_room`)."""
    out = []
    for code in result.no_deal:
        if portfolio.partner(code) is None:
            continue
        forced = best_alone(portfolio, code)
        if forced.status == Status.INFEASIBLE:
            out.append(no_acceptable_package(portfolio, code))
            continue
        deal = forced.deal(code)
        if deal is None:  # a solver limit: say nothing rather than guess
            continue
        if deal.us_margin <= 0.5:
            said = _not_worth_it(code, deal)
            partner = portfolio.partner(code)
            first = None if partner is None else no_compute(portfolio, partner)
            if first is not None:  # the first thing to say (a tier 3 partner), then the rest
                said = replace(said, message=f"{first}; {said.message}")
            out.append(said)
            continue
        if result.status == Status.TIME_LIMIT:  # the packages are not proven best
            out.append(_not_found(code, deal))
            continue
        off = _off_the_step(portfolio, result, code, deal)
        if off is not None:
            out.append(off)
            continue
        out.append(shared_limits(portfolio, result, code, deal, require, cold=cold))
    return out


def no_acceptable_package(portfolio: Portfolio, code: str) -> NoDeal:
    """Why no package `code` accepts fits the limits, with every limit to itself (where
    `best_alone` is infeasible), and what would open a deal, if any change of limits would:
    the words `solve` says ("no package XB accepts fits the limits: ...") and `improve`
    says of a package no change can make acceptable."""
    alone = forced_portfolio(portfolio, code)
    explanation = explain_infeasible(alone, "us-best", None, [code], alternatives=0)
    message = explanation.message
    relax = explanation.relax
    if [r.kind for r in relax] == ["acceptance"]:  # no limit helps
        message = message.split(": ")[0] + "; no change of limits opens a deal"
    elif relax and all(r.kind == "cap" for r in relax):
        message, relax = _caps_worth_raising(alone, code, message, relax)
    elif relax:
        added, relax = _none_worth_it_lifted(alone, code, relax)
        message += added
    # A partner that can receive no compute is said so first: the explanation of
    # its required deal opens with it (`no_compute`), once.
    return NoDeal(
        code,
        "no-acceptable-package",
        f"no package {code} accepts fits the limits: {message}",
        relax,
    )


def caps_lifted(portfolio: Portfolio, code: str, levels: Sequence[str] | None = None) -> Portfolio:
    """`portfolio` with `code`'s caps under `levels` (by default every level it can meet)
    raised to its largest ask: no cap keeps its deal from any amount it asks."""
    partner = portfolio.partner(code)
    assert partner is not None
    room = max(partner.ask.values(), default=0.0)
    caps = {k: dict(v) for k, v in portfolio.caps.items()}
    for level in portfolio.levels_for(partner) if levels is None else levels:
        caps.setdefault(code, {})[level] = room
    return portfolio.model_copy(update={"caps": caps})


def _caps_worth_raising(
    alone: Portfolio, code: str, message: str, relax: list[Relaxation]
) -> tuple[str, list[Relaxation]]:
    """The least raise of caps that gives `code` (alone) a package it accepts, if the
    package it gives is worth more to the US than no deal; else the raise that gives the
    best deal with its caps lifted under every level, when that one is worth having, or
    the least raise said to be not enough for the US (cove under monopoly: CC's baseline
    cap raised to 20,000 gives a package CC accepts worth less than no deal; its deal
    worth having is under veu). `analyze.limit_costs` costs the same lifting."""
    from dealbench.optimize.plain import solve_plain

    partner = alone.partner(code)
    assert partner is not None
    caps = {k: dict(v) for k, v in alone.caps.items()}
    for r in relax:
        if r.level is not None and r.limit is not None and r.amount is not None:
            caps.setdefault(code, {})[r.level] = r.limit + r.amount
    least = solve_plain(alone.model_copy(update={"caps": caps}), "us-best", require=[code])
    deal = least.deal(code)
    if deal is None or deal.us_margin > 0.5:  # worth having (or not solved: say nothing new)
        return message, relax
    head, _, change = message.partition(": ")
    free = solve_plain(caps_lifted(alone, code), "us-best").deal(code)
    if free is None or free.us_margin <= 0.5:
        return (
            f"{head}: {change}; that gives a package {code} accepts but none worth more to "
            f"the US than no deal, and no raise of its caps gives one",
            relax,
        )
    cap = alone.level_cap(partner, free.security) or 0.0
    need = max(free.compute.values(), default=0.0)
    basis = alone.cap_basis(partner, free.security)
    name = alone.cap_to_raise(partner, free.security) + (f" ({basis})" if basis else "")
    used = [t for t, x in free.compute.items() if x > cap + 0.5]
    raised = limit_raised(
        "cap",
        name,
        cap,
        need - cap,
        f"H100e per period (for {code} in {spans(alone.periods, used)})",
        level=free.security,
        partner=code if free.security in alone.caps.get(code, {}) else None,
    )
    one_cap = partner.code not in alone.caps and alone.policy.caps.one_for_all(partner.tier)
    least_said = and_list(
        [
            # Monopoly's one cap at every level: the level is its package's, not the cap's.
            f"to {_raised_to(r)} H100e, its package under {r.level}"
            if one_cap
            else f"under {r.level} to {_raised_to(r)} H100e"
            for r in relax
        ]
    )
    return (
        f"{head}: {raised.message}, for a deal that alone would add {money(free.us_margin)} "
        f"to US utility (the least raise that gives a package {code} accepts, {least_said}, "
        "gives none worth more than no deal)",
        [raised],
    )


def _raised_to(r: Relaxation) -> str:
    return h100e(math.ceil((r.limit or 0.0) + (r.amount or 0.0) - RAISE_NOISE))


#: The limits a change of which `_none_worth_it_lifted` weighs: lifting them only adds packages.
_SHARED_LIMITS = ("cap", "supply", "risk-budget")


def _none_worth_it_lifted(
    alone: Portfolio, code: str, relax: list[Relaxation]
) -> tuple[str, list[Relaxation]]:
    """What to add to the least change of supply, risk budget or caps that gives `code`
    (alone) a package it accepts, when the package it gives is worth no more to the US
    than no deal, and the change to say instead. Even with all of them lifted its best
    package may be worth no more: the change opens no deal worth having. (qa31: ET, whose
    every package costs the US more than it earns, was told to "raise the risk budget from
    20,000 to 22,283" under the heading that no package beats walking away.) Else a larger
    change opens one, and that is the change to make (qa33: VN, told to raise a supply of 0
    to 1,000 H100e, accepts under open with it a package worth -$840m to the US; its deal
    worth having, under sovereign-vault, needs 7,000)."""
    from dealbench.optimize.plain import solve_plain

    partner = alone.partner(code)
    if partner is None or not all(r.kind in _SHARED_LIMITS for r in relax):
        return "", relax
    supply = {t: max(s, partner.ask.get(t, 0.0)) for t, s in alone.supply.items()}
    free = caps_lifted(alone, code).model_copy(
        update={"supply": supply, "risk_budget": None, "no_risk_budget": True}
    )
    deal = solve_plain(free, "us-best", require=[code]).deal(code)
    if deal is None:  # not solved: say nothing new
        return "", relax
    if deal.us_margin <= 0.5:
        return (
            f"; that gives a package {code} accepts but none worth more to the US than no "
            f"deal, and no change of these limits gives one: with them lifted, the best "
            f"package {code} accepts ({deal.security}, {h100e(deal.total_compute)} H100e) is "
            f"worth {money(deal.us_value)} to the US against {money(deal.us_batna)} without "
            "a deal",
            relax,
        )
    least = solve_plain(raised(alone, code, relax), "us-best", require=[code]).deal(code)
    if least is None or least.us_margin > 0.5:  # the least change opens a deal worth having
        return "", relax
    said = (
        f"; that gives a package {code} accepts but none worth more to the US than no deal "
        f"(the best, {least.security} with {h100e(least.total_compute)} H100e, is worth "
        f"{money(least.us_value)} to the US against {money(least.us_batna)} without a deal)"
    )
    worth = _worth_having(alone, code)
    if worth is None:  # lifted, one is worth having; the change that opens it is not known
        return f"{said}; with these limits lifted, one is", relax
    change, opened = worth
    return (
        f"{said}; to open one worth having, {and_list([r.message for r in change])}: "
        f"{opened.security} with {h100e(opened.total_compute)} H100e, worth "
        f"{money(opened.us_value)} to the US",
        change,
    )


#: How much more than no deal a package is asked to be worth to the US to be worth having
#: (USD; `DealFigures.us_margin` over half a dollar is a gain).
_WORTH_HAVING = 1.0


def _worth_having(alone: Portfolio, code: str) -> tuple[list[Relaxation], Any] | None:
    """The least change of supply, risk budget or caps that gives `code` (alone) a package
    it accepts worth more to the US than no deal, and that package (the partner-best slack
    model with a V floor just above the US's walk-away value); None when it is not found,
    needs another kind of change, or does not open one when made."""
    import time

    from dealbench.optimize.explain.infeasible import REMEDY_COSTS
    from dealbench.optimize.explain.slack_model import SlackModel
    from dealbench.optimize.plain import solve_plain

    partner = alone.partner(code)
    assert partner is not None
    model = SlackModel(
        alone, "partner-best", partner.us_batna + _WORTH_HAVING, [code], REMEDY_COSTS
    )
    groups = model.solve(time.monotonic() + 25.0)
    if not groups:
        return None
    change = [model.words(g) for g in groups]
    if not all(r.kind in _SHARED_LIMITS for r in change):
        return None
    opened = solve_plain(raised(alone, code, change), "us-best", require=[code]).deal(code)
    if opened is None or opened.us_margin <= 0.5:
        return None
    return change, opened


def raised(portfolio: Portfolio, code: str, relax: Sequence[Relaxation]) -> Portfolio:
    """`portfolio` with the supply, risk budget and caps of `code` raised as `relax` says,
    to the whole amounts its words give (`relax_words.limit_raised`)."""
    partner = portfolio.partner(code)
    assert partner is not None
    supply = dict(portfolio.supply)
    caps = {k: dict(v) for k, v in portfolio.caps.items()}
    budget = portfolio.risk_budget
    for r in relax:
        if r.limit is None or r.amount is None:
            continue
        more = math.ceil(r.limit + r.amount - RAISE_NOISE) - r.limit
        if r.kind == "supply" and r.period is not None:
            supply[r.period] = supply[r.period] + more
        elif r.kind == "risk-budget" and budget is not None:
            budget += more
        elif r.kind == "cap" and r.level is not None:
            cap = portfolio.level_cap(partner, r.level)
            if cap is not None:
                caps.setdefault(code, {})[r.level] = cap + more
    return portfolio.model_copy(update={"supply": supply, "risk_budget": budget, "caps": caps})


def forced_portfolio(portfolio: Portfolio, code: str) -> Portfolio:
    """`portfolio` with `code` its only partner: every limit the partner's alone."""
    return portfolio.model_copy(update={"partners": [portfolio.partner(code)]})


def best_alone(portfolio: Portfolio, code: str) -> SolveResult:
    """The package best for the US that `code` accepts within the limits, with every
    limit to itself (DESIGN.md's plain model, its deal required): infeasible when no
    package it accepts fits, and worth no more than no deal when none is worth having."""
    from dealbench.optimize.plain import solve_plain

    return solve_plain(forced_portfolio(portfolio, code), "us-best", require=[code])


def _not_worth_it(code: str, deal: Any) -> NoDeal:
    """The best package the partner accepts is worth no more to the US than no deal."""
    if deal.us_margin > -0.5:
        return NoDeal(
            code,
            "not-worth-it",
            f"no package {code} accepts adds anything to US utility (the best one, under "
            f"{deal.security} with {h100e(deal.total_compute)} H100e, is worth as much as no "
            f"deal); it opens when {code} offers a concession of value to the US",
        )
    return NoDeal(
        code,
        "not-worth-it",
        f"the best package {code} accepts ({deal.security}, {h100e(deal.total_compute)} H100e) "
        f"is worth {money(deal.us_value)} to the US against {money(deal.us_batna)} without a "
        f"deal; it opens when {code} offers {money(-deal.us_margin)} more in concessions or "
        "accepts less risk",
        [
            Relaxation(
                "us-value",
                f"{money(-deal.us_margin)} more US value from {code}",
                partner=code,
                amount=-deal.us_margin,
            )
        ],
    )


#: The modes that bargain over gains: a partner without a gain in whole steps gets no deal.
_BARGAINING = ("nash", "kalai")


def _off_the_step(portfolio: Portfolio, result: SolveResult, code: str, deal: Any) -> NoDeal | None:
    """A bargaining point in whole steps (nash, kalai) gives no deal to a partner that, alone
    in those steps, has no package gaining both sides: its zone of agreement lies between
    the steps. That is why, not the supply the other deals take (qa47-verify's seed 0,
    tiny-zopa: PA's USD 5m of room needs all 31,000 H100e of 2026, off the step of 5,000,
    and its reason said "its best package needs 20,000 H100e in 2026 more than they leave",
    where in whole steps PA gains nothing even with all of it). None otherwise."""
    from dealbench.optimize.bargain.solve import ideal_gains

    step = result.compute_step
    if result.mode not in _BARGAINING or not step:
        return None
    alone = forced_portfolio(portfolio, code)
    if code in ideal_gains(alone, step=step):
        return None
    between = code in ideal_gains(alone, step=0.0)
    return NoDeal(
        code,
        "whole-steps",
        f"alone, a deal with {code} would add {money(deal.us_margin)} to US utility, but in "
        f"whole steps of {h100e(step)} H100e no package within the limits gives both {code} "
        "and the US a gain"
        + (
            "; in continuous amounts one does: its zone of agreement lies between the steps"
            if between
            else ""
        ),
    )


def _not_found(code: str, deal: Any) -> NoDeal:
    """A deal worth having alone that a solve stopped by its time limit did not find: the
    packages are the best found, so nothing says the others are worth more."""
    return NoDeal(
        code,
        "time-limit",
        f"alone, a deal with {code} would add {money(deal.us_margin)} to US utility; the time "
        "limit stopped the solve before it found a package with it (the packages are the best "
        "found, not proven the best)",
    )


def no_deal_reasons(
    portfolio: Portfolio,
    result: SolveResult,
    require: Sequence[str] = (),
    *,
    limit: int | None = MAX_EXPLAINED,
    cold: bool = False,
) -> list[NoDeal]:
    """Why each partner without a deal has none: the first `limit` of them (None: every
    one), and for each of the rest a reason saying it was not explained (never silence,
    which reads as a complete list); `require` and `cold` as for `why_no_deal`. The
    reason is saved in result.json and shown on the web and in memos, so it names no
    command: each shell says how to have every one explained (the CLI `--explain-all`,
    `result_words.explain_all_words`; the web its button). It named `dealbench solve
    --explain-all` in every shell until session 42."""
    from dealbench.optimize.decomposition.warm import remember, warm_from

    result_fits(portfolio, result)  # another portfolio's, or one of other figures
    require = partner_codes(portfolio, require, "require")
    limit = zero_or_more(limit, "limit", "partners to explain")
    if not result.no_deal:
        return []
    if limit is None or len(result.no_deal) <= limit:
        return why_no_deal(portfolio, result, require, cold=cold)
    shown = result.model_copy(update={"no_deal": result.no_deal[:limit]})
    kept = warm_from(result)
    if kept is not None:  # the copy re-solves from what `result` was solved from
        remember(shown, kept)
    total = len(result.no_deal)
    left = [
        NoDeal(
            code,
            NOT_EXPLAINED,
            f"not explained: the solve says why for the first {limit} of its {total} "
            "partners without a deal only (each takes one solve or more); asked to, it "
            "says why for every one",
        )
        for code in result.no_deal[limit:]
        if portfolio.partner(code) is not None
    ]
    return why_no_deal(portfolio, shown, require, cold=cold) + left
