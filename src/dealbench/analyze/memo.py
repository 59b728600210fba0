"""The options memo's facts, from a Comparison, and the memos of a comparison as documents.

The numbers and the reasoning live in analysis (the ranking in words:
`analyze.recommendation`; what would change it: `analyze.sensitivity`);
`dealbench.render.options_memo` only lays them out. Sensitivities hold each regime's
packages fixed and ask how far one figure must move before another regime's US utility
overtakes the best one: a first-order answer, which the memo says, with the sweep that
confirms it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dealbench.analyze.compare import Comparison, PartnerCell, RegimeRow
from dealbench.analyze.compare import ranked as by_utility
from dealbench.analyze.recommendation import (
    OPTION_NAMES,
    exported,
    recommendation,
    upper_first,
)
from dealbench.analyze.sensitivity import (
    MAX_FACTOR,
    PAST,
    confirmations,
    risk_factors,
    sensitivities,
)
from dealbench.limit import grouped_messages, messages
from dealbench.list_words import span
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.render.filters import and_list, exact_total, money, plural, rows_note

__all__ = [
    "ACCEPTANCE_SAID",
    "MAX_FACTOR",
    "OPTION_NAMES",
    "PAST",
    "confirmations",
    "exported",
    "options_facts",
    "options_memo_document",
    "principals_memo_documents",
    "recommendation",
    "risk_factors",
    "sensitivities",
    "who_gets_what",
]


def options_facts(c: Comparison, confirmed: list[str] | None = None) -> dict[str, Any]:
    """Plain data for the options memo: rows, recommendation, sensitivities (with the
    re-solves that `confirmations` made, if any), descriptions."""
    regimes = list(c.regimes)
    ok = by_utility(regimes)
    who = who_gets_what(c)
    return {
        "portfolio": {"id": c.portfolio, "title": c.title},
        "periods": list(c.periods),
        # the total row under the rows by period (none for a horizon of one period)
        "exported_head": _exported_head(list(c.periods)),
        "regimes": [_regime(r) for r in regimes],
        # The compute each regime exports over the horizon: a total row under its rows by
        # period, and one under its rows by partner, each table saying what its rows add up to.
        "rows_note": rows_note(
            (f"H100e exported under {r.regime}", list(r.compute.values()), sum(r.compute.values()))
            for r in regimes
            if r.us_value is not None
        ),
        "partners_note": who["note"],
        "partners_legend": who["legend"],
        "partners": who["partners"],
        "recommendation": recommendation(ok, [r for r in regimes if r.us_value is None]),
        "notes": list(c.notes),
        "sensitivities": sensitivities(ok) + list(confirmed or []),
        "options": [describe(r) for r in regimes],
        "failed": [f"{r.regime}: {r.status}: {r.message}" for r in regimes if r.us_value is None],
    }


#: What "acceptance" says of a partner's compute, where a cell says it (`analyze.limits`):
#: the other limit words (supply, cap, full ask, risk budget, risk penalty) name a limit or
#: a price; this one names the partner's own walk-away value, which a reader meets nowhere
#: else in the table.
ACCEPTANCE_SAID = (
    "Acceptance (named where no other limit binds): the partner gets the least compute it "
    "accepts, in whole steps; a step less would leave it below its walk-away value plus "
    "the required margin."
)


def who_gets_what(c: Comparison) -> dict[str, Any]:
    """Each partner under each regime, each regime's total, and what the partners' rows as
    printed add up to where that is another figure: the options memo's "Each partner under
    each option", `compare`'s "Who gets what" and the web's compare page, from one set of
    figures. `totals` has a regime's horizon total (`exported`), None for one not solved;
    `legend`, what a limit word the cells use means where the word alone does not say it."""
    said = {p.regimes[r.regime].decided_by for p in c.partners for r in c.regimes}
    return {
        "legend": ACCEPTANCE_SAID if any("acceptance" in d for d in said) else None,
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
        "totals": [exported(r) if r.us_value is not None else None for r in c.regimes],
        "note": rows_note(
            (
                f"H100e under {r.regime}",
                [_partner_compute(p.regimes[r.regime]) for p in c.partners],
                sum(r.compute.values()),
            )
            for r in c.regimes
            if r.us_value is not None
        ),
    }


def _exported_head(periods: list[str]) -> str | None:
    """The head of the row totalling the exports by period, as every total over the horizon
    is headed (`h100e_total_head`): "H100e exported, 2026–2028 total"."""
    if len(periods) < 2:  # one period's row is its own total
        return None
    return f"H100e exported, {span(periods[0], periods[-1])} total"


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


def describe(r: RegimeRow) -> str:
    name = OPTION_NAMES.get(r.regime, r.title)
    if r.us_value is None:
        return f"{upper_first(name)} ({r.regime}): no result ({r.status}). {r.message}"
    if not r.deals:
        return (
            f"{upper_first(name)} ({r.regime}): no deal is concluded; the United States stands at "
            f"{money(r.us_value)}, its own walk-away values with the partners, summed."
        )
    without = f"; no deal with {and_list(r.no_deal)}" if r.no_deal else ""
    # One sentence for the periods of one limit, as `solve` prints them.
    binding = grouped_messages(messages(r.binding, unique=True))
    binding_text = f" Binding: {' '.join(binding)}" if binding else ""
    # one deal: its partner and "its" value, not "partners ... their values" (qa43-docs)
    above = (
        f"{r.partners[0]} {money(r.partner_surplus)} above its walk-away value"
        if len(r.partners) == 1
        else f"partners {money(r.partner_surplus)} above their walk-away values"
    )
    return (
        f"{upper_first(name)} ({r.regime}): {plural(r.deals, 'deal')} ({', '.join(r.partners)})"
        f"{without}; US utility {money(r.us_value)}, {above}.{binding_text}"
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


def principals_memo_documents(
    solved: dict[str, tuple[Portfolio, SolveResult]],
    *,
    executor: Any = None,
    date: dt.date | None = None,
) -> list[Any]:
    """A portfolio memo for principals for each solved regime: allocation, value against
    risk, binding limits with their shadow prices and what each limit costs."""
    from dealbench.analyze.limit_costs import limit_costs, limit_unit, priced
    from dealbench.analyze.parallel import Executor
    from dealbench.render.principals_memo import principals_memo_document
    from dealbench.render.sources import source_from_result

    regimes = [(pf, result) for pf, result in solved.values() if result.us_value is not None]
    # Each regime's shadow prices (two re-solves a limit) are its own: worked out side by
    # side where the executor runs things, not one regime after another in this process.
    ex = executor if isinstance(executor, Executor) else Executor()
    prices_of = ex.map(priced, regimes, cost=lambda task: float(len(task[1].deals)))
    docs = []
    for (pf, result), (prices, why) in zip(regimes, prices_of, strict=True):
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
