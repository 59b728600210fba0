"""The options memo's facts: the recommendation and what would change it, from a Comparison.

The numbers and the reasoning live here (analysis); `dealbench.render.options_memo`
only lays them out. Sensitivities hold each regime's packages fixed and ask how far
one figure must move before another regime's US utility overtakes the best one:
a first-order answer, which the memo says, with the sweep that confirms it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from dealbench.analyze.compare import Comparison, PartnerCell, RegimeRow, tie
from dealbench.analyze.compare import ranked as by_utility
from dealbench.limit import grouped_messages, messages
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, Status
from dealbench.render.filters import and_list, exact_total, h100e, money, plural, rows_note

__all__ = [
    "confirmations",
    "options_facts",
    "options_memo_document",
    "principals_memo_documents",
    "risk_factors",
    "sensitivities",
]

#: Risk thresholds beyond this multiple of the policy's estimate are not re-solved.
MAX_FACTOR = 20.0
#: A re-solve checks a threshold this far (relatively) past it.
PAST = 0.01

#: How the debate names each shipped regime.
OPTION_NAMES = {
    "tiered": "a tier framework (the 2025 diffusion rule's shape)",
    "monopoly": "an American compute monopoly",
    "repeal": "repeal without replacement",
    "bilateral": "bilateral deals under security conditions",
}


def options_facts(c: Comparison, confirmed: list[str] | None = None) -> dict[str, Any]:
    """Plain data for the options memo: rows, recommendation, sensitivities (with the
    re-solves that `confirmations` made, if any), descriptions."""
    regimes = list(c.regimes)
    ok = by_utility(regimes)
    return {
        "portfolio": {"id": c.portfolio, "title": c.title},
        "periods": list(c.periods),
        "regimes": [_regime(r) for r in regimes],
        # The compute each regime exports over the horizon, in the text, against its rows
        # by period in the table.
        "rows_note": rows_note(
            (f"H100e exported under {r.regime}", list(r.compute.values()), sum(r.compute.values()))
            for r in regimes
            if r.us_value is not None
        ),
        "partners": [
            {
                "code": p.code,
                "name": p.name,
                "tier": p.tier,
                "cells": [
                    {
                        "regime": r.regime,
                        "deal": p.regimes[r.regime].deal,
                        "security": p.regimes[r.regime].security,
                        "compute": _partner_compute(p.regimes[r.regime]),
                        "decided_by": p.regimes[r.regime].decided_by,
                    }
                    for r in c.regimes
                ],
            }
            for p in c.partners
        ],
        "recommendation": recommendation(ok),
        "notes": list(c.notes),
        "sensitivities": sensitivities(ok) + list(confirmed or []),
        "options": [describe(r) for r in regimes],
        "failed": [f"{r.regime}: {r.status}: {r.message}" for r in regimes if r.us_value is None],
    }


def _regime(r: RegimeRow) -> dict[str, Any]:
    return {
        "id": r.regime,
        "name": OPTION_NAMES.get(r.regime, r.title),
        "title": r.title,
        "ok": r.us_value is not None,
        "status": r.status,
        "deals": r.deals,
        "compute": r.compute,
        "compute_total": exported(r),
        "us_value": r.us_value,
        "concessions": r.concessions,
        "export_value": r.export_value,
        "risk_cost": r.risk_cost,
        "no_deal_losses": r.no_deal_losses,
        "partner_surplus": r.partner_surplus,
        "risk": r.risk_total,
        "risk_budget": r.risk_budget,
    }


def _partner_compute(cell: PartnerCell) -> float:
    """A partner's compute as its term sheet and the principals memo total it: the exact
    sum of its periods, rounded (`exact_total`)."""
    return exact_total(cell.schedule.values()) if cell.schedule else cell.compute


def exported(row: RegimeRow) -> float:
    """The compute a regime exports over the horizon, as every page prints it: the exact
    sum, rounded (`exact_total`), never above the supply it uses in full."""
    return exact_total(row.compute.values())


def recommendation(ranked: list[RegimeRow]) -> str:
    """The options' ranking in words; a solve the time limit stopped proved nothing best,
    so then the text ranks the packages found and recommends none."""
    if not ranked:
        return "No regime gave a solvable portfolio; see the failures below."
    return _ranking(ranked) + _stopped(ranked)


def _stopped(ranked: list[RegimeRow]) -> str:
    stopped = [r.regime for r in ranked if r.status == Status.TIME_LIMIT]
    if not stopped:
        return ""
    solves = "solve" if len(stopped) == 1 else "solves"
    return (
        f" The {solves} under {_join(stopped)} stopped at the time limit: the figures are "
        "of the best packages found before it, not proven the best there are, so this "
        "ranking may change and recommends no option; solve again with a longer time limit "
        "before deciding."
    )


def _ranking(ranked: list[RegimeRow]) -> str:
    best = ranked[0]
    proven = all(r.status != Status.TIME_LIMIT for r in ranked)
    tied = [r for r in ranked[1:] if _lead(best, r) <= _tie(best)]
    if tied:  # the numbers do not pick one: say so, and what does differ
        together = [best, *tied]
        text = (
            f"{_upper(_join([_option(r) for r in together]))} give the United States the same "
            f"utility, {money(best.us_value)}: on these figures they are equivalent, and the "
            "choice rests on what the model leaves out (enforcement cost, credibility, "
            "precedent)."
        )
        safest = min(together, key=lambda r: r.risk_total)
        riskiest = max(together, key=lambda r: r.risk_total)
        if safest.risk_total < riskiest.risk_total - 0.5:
            # Those level with the safest share "the least risk": none is the only one.
            least = [r for r in together if r.risk_total <= safest.risk_total + 0.5]
            verb = "carries" if len(least) == 1 else "carry"
            text += (
                f" Of these, {_join([_option(r) for r in least])} {verb} the least risk "
                f"({h100e(safest.risk_total)} against {h100e(riskiest.risk_total)})."
            )
        return text
    lead = (
        f"Adopt {_option(best)}: it gives"
        if proven
        else f"Of the packages found, those under {_option(best)} give"
    )
    text = (
        f"{lead} the United States the highest utility, "
        f"{money(best.us_value)}, with {plural(best.deals, 'deal')}, {h100e(exported(best))} H100e "
        f"exported and {h100e(best.risk_total)} risk-weighted H100e of risk."
    )
    if len(ranked) > 1:
        second = ranked[1]
        # Regimes tied with the runner-up share its place: none of them is "the" runner-up.
        seconds = [r for r in ranked[1:] if _lead(second, r) <= _tie(second)]
        who = (
            f"The runner-up is {second.regime}"
            if len(seconds) == 1
            else f"The runners-up, tied, are {_join([r.regime for r in seconds])}"
        )
        text += f" {who} at {money(second.us_value)}, {money(_lead(best, second))} less."
        safer = [r for r in seconds if r.risk_total < best.risk_total - 0.5]
        if safer:
            verb = "carries" if len(safer) == 1 else "carry"
            shown = [h100e(r.risk_total) for r in safer]
            risks = shown[0] if len(set(shown)) == 1 else _join(shown)  # "0", not "0 and 0"
            text += (
                f" {_upper(_join([_option(r) for r in safer]))} {verb} less risk "
                f"({risks} against {h100e(best.risk_total)})."
            )
        text += _at_one_price(best, second)
    return text


def _at_one_price(best: RegimeRow, second: RegimeRow) -> str:
    """Where the best prices risk otherwise than the runner-up, its packages valued at the
    runner-up's price: how much of its lead is the price, not the packages."""
    if _same_penalty(best, second):
        return ""
    at = (best.us_value or 0.0) - (second.risk_penalty - best.risk_penalty) * best.risk_total
    gap = at - (second.us_value or 0.0)
    if abs(gap) <= _tie(second):
        than = f"as much as {second.regime}: its lead is its price of risk, not its packages"
    else:
        than = f"{money(abs(gap))} {'more' if gap > 0 else 'less'} than {second.regime}"
    return (
        f" {best.regime} prices a risk-weighted H100e at {money(best.risk_penalty)}, "
        f"{second.regime} at {money(second.risk_penalty)}: at {second.regime}'s price, its "
        f"packages held fixed, {best.regime} gives {money(at)}, {than}."
    )


def _option(r: RegimeRow) -> str:
    return f"{OPTION_NAMES.get(r.regime, r.title)} ({r.regime})"


def _lead(best: RegimeRow, other: RegimeRow) -> float:
    return (best.us_value or 0.0) - (other.us_value or 0.0)


def _tie(best: RegimeRow) -> float:
    from dealbench.analyze.compare import tie

    return tie(best.us_value)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def sensitivities(ranked: list[RegimeRow]) -> list[str]:
    """How far the risk penalty or the value of concessions must move for the runner-up
    (or any other regime) to overtake the best, packages held fixed; a regime that no
    such move lets overtake is named as one (none is left out).

    Thresholds are printed on their far side: "F times or more" rounds up, "less than
    P%" down, so that the change really has happened at the figure printed."""
    if len(ranked) < 2:
        return []
    best, out, never = ranked[0], [], []
    for other in ranked[1:]:
        lead = (best.us_value or 0.0) - (other.us_value or 0.0)
        if lead <= max(1e6, 1e-6 * abs(best.us_value or 0.0)):
            out.append(
                f"{other.regime} ties with {best.regime}: any change separating them decides."
            )
            continue
        found = False
        # Risk cost scales with the penalty: V(k) = V - (k - 1) * risk_cost.
        extra = best.risk_cost - other.risk_cost
        if extra > 1e6:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if the "
                f"cost of risk is {_times_past(1 + lead / extra)} times {_estimate(best, other)} "
                f"or more ({_penalties(best, other)}{best.regime}'s risk costs {money(extra)} "
                f"more)."
            )
        # The same with k < 1: a regime carrying more risk overtakes where risk costs less
        # (from 0.01 times the estimate: below, it catches up only as risk costs nothing).
        riskier = other.risk_cost - best.risk_cost
        if riskier > lead and 1 - lead / riskier > 0.01:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if the "
                f"cost of risk is {_times_below(1 - lead / riskier)} times "
                f"{_estimate(best, other)} or less ({_penalties(best, other)}{other.regime}'s "
                f"risk costs {money(riskier)} more)."
            )
        # Concessions' US value scaled by f: V(f) = V - (1 - f) * concessions.
        more = best.concessions - other.concessions
        if more > 1e6 and lead < more:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if "
                f"concessions are worth {_share_below(1 - lead / more)} to the United States."
            )
        # ... and with f > 1, a regime whose packages bring more concessions.
        if -more > 1e6:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if "
                f"concessions are worth {_times_past(1 + lead / -more)} times their estimated "
                f"value or more to the United States ({other.regime}'s bring {money(-more)} more)."
            )
        if not found:
            never.append(other.regime)
    if never:
        others = "another regime" if len(never) == len(ranked) - 1 else _join(never)
        out.append(
            f"No single scaling of the risk penalty or of the concessions' value lets {others} "
            f"overtake {best.regime} with the packages as they are."
        )
    out.append(
        "These hold each regime's packages fixed (a first-order answer). Packages re-optimise "
        "as figures move: the re-solves below, where there are any, and a sweep of the risk "
        "penalty under each regime (dealbench sweep --policy REGIME --param "
        "policy.risk_penalty_per_h100e) "
        "show where the ranking really turns."
    )
    return out


def _estimate(best: RegimeRow, other: RegimeRow) -> str:
    """What "the cost of risk" is scaled from: the policy's estimate, or, where the two
    regimes' penalties differ, each one's own (the re-solves scale each by the factor)."""
    return "the policy's estimate" if _same_penalty(best, other) else "each regime's own estimate"


def _penalties(best: RegimeRow, other: RegimeRow) -> str:
    """The two penalties where they differ ("cove's $100,000 and monopoly's $120,000 per
    risk-weighted H100e; "), else nothing."""
    if _same_penalty(best, other):
        return ""
    return (
        f"{best.regime}'s {money(best.risk_penalty)} and {other.regime}'s "
        f"{money(other.risk_penalty)} per risk-weighted H100e; "
    )


def _same_penalty(best: RegimeRow, other: RegimeRow) -> bool:
    return math.isclose(best.risk_penalty, other.risk_penalty, rel_tol=1e-9)


def _times_past(factor: float) -> str:
    """`factor` to two decimals, on its far side: the least two-decimal figure above it
    (1.1616 -> 1.17, as 1.16 times would not yet overtake); from 100 times, the least
    whole number above it, grouped as every figure is (29,978.3 -> 29,979)."""
    if factor >= 100:
        return f"{math.floor(factor + 1e-9) + 1:,}"
    return f"{(math.floor(factor * 100 + 1e-9) + 1) / 100:.2f}"


def _times_below(factor: float) -> str:
    """`factor` (below 1) to two decimals, on its far side: the greatest two-decimal figure
    under it (0.492 -> 0.49; 0.49 -> 0.48, as 0.49 times would only tie)."""
    return f"{max(math.ceil(factor * 100 - 1e-9) - 1, 0) / 100:.2f}"


def _share_below(share: float) -> str:
    """What concessions must be worth, with the share at most `share` (61.6% -> 'less
    than 61% of their estimated value'); a share too small to show in three decimals
    of a percent is 'nothing'."""
    for digits in range(4):
        scale = 10 ** (digits + 2)
        shown = math.floor(share * scale + 1e-9) / scale
        if shown > 0:
            return f"less than {shown * 100:.{digits}f}% of their estimated value"
    return "nothing"


def risk_factors(ranked: list[RegimeRow]) -> list[tuple[str, float]]:
    """(regime, factor): the cost of risk times which another regime overtakes the best,
    packages held fixed (only where that factor is finite and at most MAX_FACTOR)."""
    if len(ranked) < 2:
        return []
    best, out = ranked[0], []
    for other in ranked[1:]:
        lead = (best.us_value or 0.0) - (other.us_value or 0.0)
        extra = best.risk_cost - other.risk_cost
        if lead > 1e6 and extra > 1e6 and 1 + lead / extra <= MAX_FACTOR:
            out.append((other.regime, 1 + lead / extra))
    return out


def confirmations(
    c: Comparison,
    solved: dict[str, tuple[Portfolio, SolveResult]],
    *,
    executor: Any = None,
) -> list[str]:
    """Each first-order risk threshold re-solved: both regimes with the cost of risk just
    past it, packages free to move. Says whether the overtaking really happens there."""
    from dealbench.analyze.scenarios import apply_overrides
    from dealbench.analyze.solves import SolveOptions, solve_all

    order = by_utility(c.regimes)
    factors = risk_factors(order)
    if not factors:
        return []
    best = order[0].regime
    # Solved at the two-decimal multiple the sentence states (a reader's re-solve at
    # "6.91 times" gives the figures printed), the least one PAST beyond the threshold.
    multiples = [math.ceil(round(factor * (1 + PAST) * 100, 6)) / 100 for _, factor in factors]
    work = []
    for (other, _), times in zip(factors, multiples, strict=True):
        for regime in (best, other):
            pf = solved[regime][0]
            penalty = pf.policy.risk_penalty_per_h100e * times
            work.append(apply_overrides(pf, {"policy.risk_penalty_per_h100e": penalty}))
    results = solve_all(work, SolveOptions(), executor, chain=1)
    out = []
    rows = {r.regime: r for r in order}
    for i, ((other, _), times) in enumerate(zip(factors, multiples, strict=True)):
        at_best, at_other = results[2 * i].us_value, results[2 * i + 1].us_value
        if at_best is None or at_other is None:
            continue
        if abs(at_other - at_best) <= tie(at_best):  # both fall to the same (no deal, say)
            verdict = "ties with it"
        elif at_other > at_best:
            verdict = "overtakes it"
        else:
            verdict = f"is still {money(at_best - at_other)} behind"
        pair = rows[best], rows[other]
        if _same_penalty(*pair):
            scaled = "the estimate ("
        else:
            scaled = (
                f"each regime's own estimate ({best}'s {money(pair[0].risk_penalty * times)} and "
                f"{other}'s {money(pair[1].risk_penalty * times)} per risk-weighted H100e; "
            )
        out.append(
            f"Re-solved with the cost of risk at {times:.2f} times {scaled}"
            f"packages free to move): {best} {money(at_best)}, {other} {money(at_other)}; "
            f"{other} {verdict}."
        )
    return out


def describe(r: RegimeRow) -> str:
    name = OPTION_NAMES.get(r.regime, r.title)
    if r.us_value is None:
        return f"{_upper(name)} ({r.regime}): no result ({r.status}). {r.message}"
    if not r.deals:
        return (
            f"{_upper(name)} ({r.regime}): no deal is concluded; the United States stands at "
            f"{money(r.us_value)}, every partner's value without a deal."
        )
    without = f"; no deal with {and_list(r.no_deal)}" if r.no_deal else ""
    # One sentence for the periods of one limit, as `solve` prints them.
    binding = grouped_messages(messages(r.binding, unique=True))
    binding_text = f" Binding: {' '.join(binding)}" if binding else ""
    return (
        f"{_upper(name)} ({r.regime}): {plural(r.deals, 'deal')} ({', '.join(r.partners)})"
        f"{without}; "
        f"{h100e(exported(r))} H100e exported, US utility {money(r.us_value)}, partners "
        f"{money(r.partner_surplus)} above their walk-away values.{binding_text}"
    )


def options_memo_document(
    c: Comparison,
    solved: dict[str, tuple[Portfolio, SolveResult]],
    *,
    date: dt.date | None = None,
    executor: Any = None,
) -> Any:
    """The options memo as a render `Document` (re-solving each risk threshold it names)."""
    from dealbench.render.options_memo import options_memo_document as document

    base = next(iter(solved.values()))[0]
    facts = options_facts(c, confirmations(c, solved, executor=executor))
    options = [pf.policy for pf, _ in solved.values()]
    return document(facts, base, digest=c.fingerprint, date=date, options=options)


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def principals_memo_documents(
    solved: dict[str, tuple[Portfolio, SolveResult]],
    *,
    executor: Any = None,
    date: dt.date | None = None,
) -> list[Any]:
    """A portfolio memo for principals for each solved regime: allocation, value against
    risk, binding limits with their shadow prices and what each limit costs."""
    from dealbench.analyze.limit_costs import limit_costs, limit_unit, marginal_prices
    from dealbench.render.principals_memo import principals_memo_document
    from dealbench.render.sources import source_from_result

    docs = []
    for pf, result in solved.values():
        if result.us_value is None:
            continue
        prices, why = marginal_prices(pf, result)
        costs = limit_costs(pf, result, executor=executor, prices=prices)
        rows = [
            {
                **cost.model_dump(),
                "unit": limit_unit(pf, cost),
                # A limit the packages do not sit on is listed for the deal it keeps out.
                "label": cost.name
                + (f" (keeps {and_list(cost.blocks)} from a deal)" if cost.blocks else ""),
            }
            for cost in costs
        ]
        docs.append(
            principals_memo_document(
                source_from_result(pf, result), rows, prices_note=why, date=date
            )
        )
    return docs
