"""The render model of the portfolio memo for principals: the portfolio memo, plus what
each binding limit is worth at the margin and what the whole limit costs.

It receives plain data for the limits (worked out by `dealbench.analyze.limit_costs`)
and lays it out: nothing here solves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dealbench.render.docmeta import doc_meta, fingerprint
from dealbench.render.documents import Document
from dealbench.render.naming import Identity
from dealbench.render.portfolio_memo import portfolio_memo_context
from dealbench.render.sources import Source

__all__ = ["principals_memo_document"]


def principals_memo_document(
    source: Source,
    limits: list[dict[str, Any]],
    *,
    prices_note: str | None,
    date: dt.date | None = None,
    path: str | None = None,
) -> Document:
    """`limits`: rows with name, limit, unit, usd_per_unit, cost, us_value, changes."""
    context = portfolio_memo_context(source, date=date or source.date)
    pf, checked = source.portfolio, source.checked
    context["doc"] = doc_meta(
        "principals-memo",
        portfolio=pf,
        key=pf.policy.id,
        digest=fingerprint(pf, [d.package() for d in checked.deals]),
        title=f"Portfolio memo for principals: {pf.title}",
        audience="internal",
        date=date or source.date,
        robust=source.robust,
    )
    context["limit_costs"] = limits
    context["prices_note"] = prices_note
    # The glossary closes the memo, after the limits' costs (its own template puts it
    # there; the portfolio memo's leaves it out).
    context["glossary_last"] = True
    charts = context.pop("charts")
    ident = Identity(
        "principals-memo", pf.id, "", pf.policy.id, "internal", "comparison of regimes"
    )
    path = path or f"memos/principals-{pf.id}-{pf.policy.id}"
    return Document("principals-memo", path, context, charts, identity=ident)
