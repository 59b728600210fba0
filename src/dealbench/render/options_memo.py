"""The render model of an options memo: one portfolio under the options of the debate.

It receives plain data (the comparison's rows, the recommendation and its
sensitivities, worked out by `dealbench.analyze.memo`) and lays it out:
nothing here solves or decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.render.charts import Chart
from dealbench.render.docmeta import doc_meta
from dealbench.render.documents import Document
from dealbench.render.glossary import glossary
from dealbench.render.naming import Identity

__all__ = ["options_memo_context", "options_memo_document"]


def options_memo_context(
    facts: dict[str, Any],
    portfolio: Portfolio,
    *,
    digest: str,
    date: dt.date | None,
    options: Sequence[Policy] = (),
) -> dict[str, Any]:
    """The memo's context; `options` are the compared regimes' policies (their security
    levels in the glossary), `portfolio` the first of them."""
    doc = doc_meta(
        "options-memo",
        portfolio=portfolio,
        key="",
        digest=digest,
        title=f"Options memo: {facts['portfolio']['title']}",
        audience="internal",
        date=date,
    )
    doc["regime"] = ", ".join(r["id"] for r in facts["regimes"]) + " compared"
    # Every option's packages count the figures given as distributions at their means, as
    # the principals memos say under their risks: what would change the ranking says so.
    uncertain = uncertain_options_lines(portfolio)
    return {
        **facts,
        "uncertain": uncertain,
        "doc": doc,
        "charts": charts(facts),
        "glossary": glossary(portfolio.policy, options),
    }


def uncertain_options_lines(portfolio: Portfolio) -> list[str]:
    """The figures given as distributions, and that the options are compared at their means."""
    from dealbench.render.uncertain_words import uncertain_lines

    return uncertain_lines(
        portfolio,
        None,
        "under every option",
        "The comparison holds",
        "each partner accepts its package",
    )


def charts(facts: dict[str, Any]) -> list[Chart]:
    """The options' charts; none where no option has figures (each was drawn empty, its
    table saying why: each option's status)."""
    ok = [r for r in facts["regimes"] if r["ok"]]
    if not ok:
        return []
    return [
        Chart(
            id="value",
            kind="scenarios",
            caption="US utility under each option (USD).",
            data={"rows": [{"label": r["id"], "value_bn": r["us_value"] / 1e9} for r in ok]},
        ),
        Chart(
            id="value-risk",
            kind="value-risk",
            caption="US utility against risk under each option; marker area shows compute exported.",
            data={
                "ylabel": "US utility",
                "points": [
                    {
                        "label": r["id"],
                        "risk": r["risk"],
                        "value_bn": r["us_value"] / 1e9,
                        "h100e": r["compute_total"],
                    }
                    for r in ok
                ],
            },
        ),
    ]


def options_memo_document(
    facts: dict[str, Any],
    portfolio: Portfolio,
    *,
    digest: str,
    date: dt.date | None = None,
    options: Sequence[Policy] = (),
) -> Document:
    context = options_memo_context(facts, portfolio, digest=digest, date=date, options=options)
    chart_list = context.pop("charts")
    pf_id = facts["portfolio"]["id"]
    ident = Identity("options-memo", pf_id, "", "", "internal", "comparison of regimes")
    return Document("options-memo", f"memos/options-{pf_id}", context, chart_list, identity=ident)
