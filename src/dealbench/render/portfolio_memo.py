"""The render model of a portfolio memo: every deal of a solve, for principals.

Its allocation table and charts are `render.portfolio_allocation`; the uncertain figures it
names, `render.uncertain_words`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dealbench.checker import DealFigures
from dealbench.checker.used_up import supply_wanted, used_up
from dealbench.model.portfolio import Portfolio
from dealbench.render.docmeta import doc_meta, fingerprint
from dealbench.render.filters import (
    and_list,
    distance_to_best,
    exact_total,
    h100e,
    money,
    percent,
    periods_said,
    plural,
    rows_note,
    shown_usd,
    stopped_distance,
)
from dealbench.render.glossary import glossary
from dealbench.render.limits import (
    MARGIN_TOL,
    deal_limits,
    held_words,
    raised_held,
    shared_limits,
    supply_left,
    thin_margin,
)
from dealbench.render.no_deal import no_deal_reason
from dealbench.render.portfolio_allocation import allocation, portfolio_charts
from dealbench.render.sources import Source
from dealbench.render.uncertain_words import uncertain_lines
from dealbench.units import share_percent


def portfolio_memo_context(source: Source, *, date: dt.date | None) -> dict[str, Any]:
    pf, checked = source.portfolio, source.checked
    return {
        "doc": doc_meta(
            "portfolio-memo",
            portfolio=pf,
            key="",
            digest=fingerprint(pf, [d.package() for d in checked.deals]),
            title=f"Portfolio memo: {pf.title}",
            audience="internal",
            date=date,
            robust=source.robust,
        ),
        "portfolio": {"id": pf.id, "title": pf.title, "regime": pf.policy.title},
        "method": method(source),
        "recommendation": recommendation(source),
        "periods": list(pf.periods),
        "deals": [deal_row(d) for d in checked.deals],
        "no_deal": no_deal_rows(source),
        "prevented": [row["reason"] for row in no_deal_rows(source)] if not checked.deals else [],
        "totals": {
            "us_value": checked.objective,
            "us_value_note": us_value_note(source),
            "partner_total": checked.partner_total,
            "risk": exact_total(d.risk for d in checked.deals),
            "risk_budget": checked.risk_budget,
            "h100e": exact_total(compute_of(checked.deals)),
            "rows_note": rows_note(
                [
                    (
                        "H100e",
                        [d.total_compute for d in checked.deals],
                        sum(compute_of(checked.deals)),
                    ),
                    ("risk-weighted H100e", [d.risk for d in checked.deals], checked.risk_total),
                ]
            ),
        },
        "allocation": allocation(source),
        "tradeoffs": tradeoffs(source),
        "limits": shared_limits(pf, checked, step=source.compute_step, why=source.no_deal_reason)
        + grouped_deal_limits(pf, checked.deals)
        + raised_held(source.result, checked.deals),
        "risks": risks(source),
        "acceptance": acceptance(source),
        **shadow_prices(source),
        "charts": portfolio_charts(source),
        "glossary": glossary(pf.policy),
    }


def shadow_prices(source: Source) -> dict[str, list[str]]:
    """The shadow prices the solve was asked for (`solve --prices`), as the terminal says
    them: `prices`, each limit's in plain words, and `price_warnings`, where the full model
    one step away does not follow one (both empty where none were asked)."""
    prices = source.result.prices if source.result is not None else None
    if not prices:
        return {"prices": [], "price_warnings": []}
    return {
        "prices": [limit["text"] for limit in prices["limits"]],
        "price_warnings": list(prices["warnings"]),
    }


def acceptance(source: Source) -> dict[str, Any] | None:
    """How often each partner accepts in a robust solve's samples, as `solve --robust`
    prints it (kept in result.json, so a later render has it too): the intro, the share
    the robust packages were made to reach, and a row per partner with a deal in either
    solve (`deterministic`, `robust`: shares, None for no deal; `raised`: USD added to
    the walk-away value the solver saw). None for a solve at the means, or a result
    written before dealbench recorded it."""
    made = source.robust
    if made is None or not made.acceptance:
        return None
    names = {p.code: p.name for p in source.portfolio.partners}
    return {
        "intro": (
            f"How often each partner accepts, in the {plural(made.samples, 'sample')} of its "
            f"uncertain figures the robust solve was made on (seed {made.seed}): the package "
            "best at the means, and the robust package. To reach the share, the solver saw a "
            "partner's walk-away value raised by the amount shown; the figures of the "
            "packages above are at the means."
        ),
        "level": share_percent(made.level),
        "rows": [
            {
                "code": a.partner,
                "name": names.get(a.partner, a.partner),
                "deterministic": _accepts(a.deterministic),
                "robust": _accepts(a.robust),
                "raised": a.batna_raised_by,
            }
            for a in made.acceptance
        ],
    }


def _accepts(share: float | None) -> str:
    return "no deal" if share is None else percent(share)


def grouped_deal_limits(pf: Portfolio, deals: list[DealFigures]) -> list[str]:
    """Each deal's limits, with the partners held to their walk-away value on one line."""
    out = [
        line
        for d in deals
        for line in deal_limits(pf, d)
        if not line.startswith(f"{d.partner} is held to its walk-away value")
    ]
    held_deals = [d for d in deals if abs(d.partner_margin) <= MARGIN_TOL]
    held = [d.partner for d in held_deals]
    if len(held) == 1:
        out += [line for d in deals if d.partner == held[0] for line in deal_limits(pf, d)[-1:]]
    elif held:
        out.append(
            f"{', '.join(held[:-1])} and {held[-1]} are held to their walk-away value: each one's "
            f"partner utility {held_words([d.partner_margin for d in held_deals], 'its walk-away value plus the required margin')}."
        )
    return out


def method(source: Source) -> str:
    # A solve that concludes no deal has no packages to come from it (monopoly: no exports).
    said = (
        f"Packages from the {source.origin}"
        if source.checked.deals
        else f"The {source.origin} concludes no deal"
    )
    text = f"{said}; every figure is recomputed by the independent checker from the data files."
    if source.maximised:
        text += f" {source.maximised}"
    if source.gap is not None:
        distance = (
            stopped_distance(source.result)
            if source.result is not None
            else distance_to_best(source.gap)
        )
        text += f" The solver stopped at its time limit, {distance}" + (
            " (of what it maximised)." if source.maximised else "."
        )
    return text


def no_deal_value(source: Source) -> float:
    """US utility if no deal at all is concluded: the sum of every partner's us_batna."""
    return sum(p.us_batna for p in source.portfolio.partners)


def recommendation(source: Source) -> str:
    checked = source.checked
    deals = checked.deals
    if not deals and source.stopped:
        return (
            "Conclude nothing yet: the solve stopped at its time limit before it found a "
            "package both acceptable to a partner and better for the United States than its "
            "walk-away value; solve again with a longer time limit before deciding."
        )
    if not deals:
        return (
            "Conclude no deal: under this regime no package is both acceptable to a partner and "
            "better for the United States than its walk-away value (see What prevents a deal)."
        )
    gain = checked.objective - no_deal_value(source)
    codes = ", ".join(d.partner for d in deals)
    text = (
        f"Conclude {plural(len(deals), 'deal')} ({codes}) on the "
        f"{'package' if len(deals) == 1 else 'packages'} below: US utility "
        f"{money(checked.objective)}, {money(gain)} more than with no deal at all, "
        f"using {h100e(exact_total(compute_of(deals)))} H100e."
    )
    if checked.no_deal:
        text += f" Offer no package to {and_list(checked.no_deal)}."
    if checked.problems():
        text += f" Fix {plural(len(checked.problems()), 'problem')} first (see Risks)."
    if source.stopped:  # as the options memo says of a stopped solve: recommend nothing yet
        text += (
            " The solve stopped at its time limit: these are the best packages found, not "
            "proven the best there are; solve again with a longer time limit before deciding."
        )
    return text


def compute_of(deals: list[DealFigures]) -> list[float]:
    """Every tranche of `deals`, each period of each deal: what the deals use in all."""
    return [x for d in deals for x in d.compute.values()]


def deal_row(deal: DealFigures) -> dict[str, Any]:
    return {
        "code": deal.partner,
        "name": deal.partner_name,
        "security": deal.security,
        "total": exact_total(deal.compute.values()),  # as its term sheet totals it
        "commitments": len(deal.concessions),
        "us_value": deal.us_value,
        "us_margin": deal.us_margin,
        "partner_margin": deal.partner_margin,
        "risk": deal.risk,
        "value_per_risk": None if deal.risk <= 0 else deal.us_value / deal.risk,
    }


def us_value_note(source: Source) -> str:
    """Where the packages' US utilities and the walk-away values of the partners without
    one (rows of the same table) do not add up, as the memo prints each, to the total
    printed (each is rounded on its own, the total is the exact sum), a sentence that says
    so; else ''. With partners without a deal it follows the sentence on their walk-away
    values ("It is ..."), else it stands alone (there is no such sentence when every
    partner has a deal)."""
    no_deal = no_deal_rows(source)
    figures = [d.us_value for d in source.checked.deals] + [row["us_batna"] for row in no_deal]
    printed = sum(shown_usd(x) for x in figures)
    if money(printed) == money(source.checked.objective):
        return ""
    lead = " It is" if no_deal else "The total US utility is"
    return (
        f"{lead} the exact sum: each figure is rounded on its own, and as printed the US "
        f"utilities above add up to {money(printed)}."
    )


def no_deal_rows(source: Source) -> list[dict[str, Any]]:
    pf = source.portfolio
    rows = []
    for code in source.checked.no_deal:
        partner = pf.partner(code)
        assert partner is not None
        reason = no_deal_reason(pf, code, source.no_deal_reason(code), explained=source.explained)
        why = reason.removeprefix(f"{code}: ")
        rows.append(
            {
                "code": code,
                "name": partner.name,
                "us_batna": partner.us_batna,
                "reason": reason,
                # beside the partner's name, the reason without its code: why no package
                "why": why[:1].upper() + why[1:],
            }
        )
    return rows


def _contested(source: Source, period: str) -> bool:
    """Whether more of `period`'s supply for one partner would be less for another who
    wants it (`used_up.supply_wanted`, as "Limits that bind" reads it)."""
    checked = source.checked
    return supply_wanted(
        source.portfolio, checked.deals, checked.no_deal, period, source.no_deal_reason
    )


def tradeoffs(source: Source) -> list[str]:
    checked = source.checked
    if not checked.deals:
        return []
    deals = [d for d in checked.deals if d.total_compute > 0]
    out = []
    if deals:
        ranked = sorted(deals, key=lambda d: (-d.us_value / d.total_compute, d.partner))
        per = ", ".join(f"{d.partner} {money(d.us_value / d.total_compute)}" for d in ranked)
        order = ", best first" if len(ranked) > 1 else ""  # one deal is no ranking
        out.append(f"US utility per H100e delivered{order}: {per}.")
    full, _ = used_up(source.portfolio, checked, source.compute_step)
    # A period without supply trades nothing off: none of it goes to anyone; nor, among
    # several partners, does one whose supply every deal's full ask or cap takes, with no
    # partner kept out by it (one partner's is all its own, and said so).
    alone = len(source.portfolio.partners) == 1
    full = [t for t in full if source.portfolio.supply[t] > 0 and (alone or _contested(source, t))]
    # With less than a step left of a period, its supply is used up, not fully allocated.
    stepped = source.portfolio.granularity.h100e > 0
    state = (
        "used up"
        if stepped and any(supply_left(checked, t) > 0 for t in full)
        else "fully allocated"
    )
    if full and alone:  # no other partner to take it from
        out.append(
            f"Supply is {state} in {periods_said(None, full)}, all of it to "
            f"{source.portfolio.partners[0].code}."
        )
    elif full:
        out.append(
            f"Supply is {state} in {periods_said(None, full)}: every H100e given to one partner is "
            "taken from another, so compute goes where it buys the most value net of risk."
        )
    margins = sum(d.partner_margin for d in checked.deals)
    if len(source.portfolio.partners) == 1:  # one partner: no sum, no "together"
        out.append(
            f"{checked.deals[0].partner}'s utility is {money(checked.partner_total)}; it clears "
            f"its walk-away value and required margin by {money(margins)}."
        )
        return out
    # A partner without a deal counts its walk-away value in the partners' total; said
    # apart, so that what the deals give the partners is not read as that total.
    dealt = sum(d.partner_utility for d in checked.deals)
    values = "value" if len(checked.no_deal) == 1 else "values"  # one partner: "value"
    apart = (
        f" ({money(checked.partner_total)} with the walk-away {values} of "
        f"{and_list(checked.no_deal)}, without a deal)"
        if checked.no_deal
        else ""
    )
    if len(checked.deals) == 1:  # one deal among several partners: no "together"
        out.append(
            f"{checked.deals[0].partner}, the one partner with a deal, has a utility of "
            f"{money(dealt)}{apart}; it clears its walk-away value and required margin by "
            f"{money(margins)}."
        )
    elif checked.no_deal:
        out.append(
            f"The partners with a deal have a summed utility of {money(dealt)}{apart}; "
            f"together they clear their walk-away values and required margins by "
            f"{money(margins)}."
        )
    else:
        out.append(
            f"The partners' summed utility is {money(checked.partner_total)}; together they "
            f"clear their walk-away values and required margins by {money(margins)}."
        )
    return out


def risks(source: Source) -> list[str]:
    checked = source.checked
    budget = checked.risk_budget
    total = exact_total(d.risk for d in checked.deals)
    # the share of the figures printed: 327,000 of 327,000 is all of it, 326,867 is not
    used = f" of a budget of {h100e(budget)} ({percent(total / budget)})" if budget else ""
    out = (
        [
            f"{'The deal carries' if len(checked.deals) == 1 else 'The deals carry'} "
            f"{h100e(total)} risk-weighted H100e{used}."
        ]
        if checked.deals
        else []
    )
    if len(checked.deals) > 1 and checked.risk_total > 0:  # one deal carries all of it
        top = max(checked.deals, key=lambda d: (d.risk, d.partner))
        out.append(
            f"The largest share of risk is {top.partner}'s: {h100e(top.risk)} risk-weighted H100e "
            f"({percent(top.risk / checked.risk_total)} of the total)."
        )
    thin = _thin_acceptance(checked.deals)
    if thin:
        out.append(thin)
    for row in no_deal_rows(source):
        if row["us_batna"] < 0:
            out.append(
                f"No deal with {row['code']} leaves the United States at {money(row['us_batna'])}."
            )
    # A robust solve's memo has the partners' acceptance in its samples (`acceptance`).
    told = {"told": "the table Acceptance in the samples gives"} if acceptance(source) else {}
    out += uncertain_lines(source.portfolio, checked.deals, **told)
    out += [f"Problem: {p}" for p in checked.problems()]
    return out


def _thin_acceptance(deals: list[DealFigures]) -> str:
    """The deals whose acceptance is thin, as each deal memo says it (`thin_margin`): those
    held to the partner's walk-away value plus the required margin, and those that clear
    it by only a little, with the amount."""
    thin = [d for d in deals if thin_margin(d)]
    held = [d.partner for d in thin if abs(d.partner_margin) <= MARGIN_TOL]
    slim = [d for d in thin if abs(d.partner_margin) > MARGIN_TOL]
    if not thin:
        return ""
    head = f"Acceptance is thin for {and_list(d.partner for d in thin)}: "
    one = len(thin) == 1
    slip = (
        "so any slip in its valuation and it walks away"
        if one or not slim
        else "any slip in a valuation and the partner walks away"
    )
    if not slim:
        each = "it is held" if one else "each is held"
        return f"{head}{each} to its walk-away value plus the required margin, {slip}."
    by = and_list(money(d.partner_margin) for d in slim)
    if not held:
        they = (
            "it clears its walk-away value and the required margin"
            if one
            else "they clear their walk-away values and required margins"
        )
        return f"{head}{they} by only {by}{', ' if one else '; '}{slip}."
    are = "is" if len(held) == 1 else "are each"
    clear = (
        f"{slim[0].partner} clears its own"
        if len(slim) == 1
        else f"{and_list(d.partner for d in slim)} clear theirs"
    )
    return (
        f"{head}{and_list(held)} {are} held to its walk-away value plus the required margin; "
        f"{clear} by only {by}; {slip}."
    )
