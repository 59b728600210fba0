"""The render model of a term sheet: plain data built from a checked deal.

One context feeds every format. External documents get only what is proposed;
the `internal` key exists only for the internal audience, so an external
template cannot show an internal figure even by mistake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from dealbench.check import DealFigures
from dealbench.model.schema import GRANTED, Portfolio
from dealbench.render.environment import render_clause, render_template

Audience = Literal["external", "internal"]
US_PARTY = "The Government of the United States of America"


def deal_fingerprint(portfolio: Portfolio, deal: DealFigures) -> str:
    """Digest of the input files and the package: same inputs, same fingerprint."""
    payload = json.dumps(
        {"inputs": portfolio.inputs, "package": deal.package().model_dump(mode="json")},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def term_sheet_context(
    portfolio: Portfolio,
    deal: DealFigures,
    *,
    audience: Audience = "external",
    date: dt.date | None = None,
) -> dict[str, Any]:
    partner = portfolio.partner(deal.partner)
    assert partner is not None
    policy = portfolio.policy
    level = policy.level(deal.security)
    fingerprint = deal_fingerprint(portfolio, deal)
    partner_ctx = {"code": partner.code, "name": partner.name, "tier": partner.tier}
    where = portfolio.partner_files.get(partner.code, partner.code)

    commitments = []
    for cid, level_id in deal.concessions.items():
        concession = partner.concession(cid)
        assert concession is not None
        option = concession.option(GRANTED if level_id is True else str(level_id))
        assert option is not None
        level_ctx = {"id": option.id, "title": option.title}
        text = concession.clause or (
            f"The Partner commits to: {concession.title}"
            + ("" if concession.is_yes_no else f" ({option.title})")
            + "."
        )
        clause = render_clause(
            text,
            {
                "level": level_ctx,
                "partner": partner_ctx,
                "concession": {"id": cid, "title": concession.title},
            },
            f"{where}: concession {cid!r}",
        )
        commitments.append(
            {
                "id": cid,
                "title": concession.title,
                "category": concession.category,
                "level": level_ctx,
                "clause": clause,
            }
        )

    security_clause = (
        render_clause(
            level.clause,
            {"partner": partner_ctx, "level": {"id": level.id, "title": level.title}},
            f"policy {policy.id}: security level {level.id!r}",
        )
        if level.clause
        else f"All delivered compute is subject to: {level.title}."
    )
    schedule = [{"period": t, "h100e": x} for t, x in deal.compute.items() if x > 0]
    context: dict[str, Any] = {
        "doc": {
            "id": f"DB-{portfolio.id}-{partner.code}-{fingerprint[:8]}".upper(),
            "title": f"Term sheet: compute partnership with {partner.name}",
            "date": date.isoformat() if date else None,
            "fingerprint": fingerprint,
            "audience": audience,
            "regime": policy.title,
        },
        "us_party": US_PARTY,
        "partner": partner_ctx,
        "schedule": schedule,
        "total_h100e": sum(deal.compute.values()),
        "security": {"id": level.id, "title": level.title, "clause": security_clause},
        "commitments": commitments,
    }
    if audience == "internal":
        context["internal"] = deal.model_dump(mode="json")
    return context


def render_term_sheet(
    portfolio: Portfolio,
    deal: DealFigures,
    *,
    audience: Audience = "external",
    date: dt.date | None = None,
    templates: str | None = None,
) -> str:
    """The term sheet in Markdown (the canonical format)."""
    context = term_sheet_context(portfolio, deal, audience=audience, date=date)
    return render_template("term_sheet.md.j2", context, templates)
