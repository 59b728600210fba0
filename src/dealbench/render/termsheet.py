"""The render model of a term sheet: plain data built from a checked deal.

One context feeds every format. External documents get only what is proposed;
the `internal` key exists only for the internal audience, so an external
template cannot show an internal figure even by mistake.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dealbench.arguments import a_date, one_of
from dealbench.checker import DealFigures, PortfolioCheck
from dealbench.checker.used_up import NoDealWhy, unknown_why
from dealbench.errors import ArgumentError
from dealbench.figures import figure, shown
from dealbench.limit import broken_messages
from dealbench.list_words import period_words, span
from dealbench.model.amounts import amount_label
from dealbench.model.arguments import a_portfolio
from dealbench.model.concession import GRANTED, Concession, ConcessionLevel
from dealbench.model.names import named
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.render.docmeta import (
    AUDIENCES,
    MARKINGS,
    Audience,
    doc_meta,
    fingerprint,
    with_said_id,
)
from dealbench.render.environment import render_clause, render_template
from dealbench.render.filters import exact_total, money, printed_usd, rows_note, shown_usd
from dealbench.render.glossary import glossary
from dealbench.render.limits import (
    deal_limits,
    partner_uncertain_line,
    shared_limits,
    verdict,
)
from dealbench.units import H100_TPP

if TYPE_CHECKING:
    from dealbench.optimize.result import Robust

US_PARTY = "The Government of the United States of America"

#: The sections of a term sheet, in order: (id, heading). Each is numbered by its place;
#: the text of each comes from `templates/clauses/<id>.txt.j2` (a house template of that
#: name replaces it), except the schedule, commitments and signature blocks, which are data.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("participants", "Participants"),
    ("purpose", "Purpose and status"),
    ("definitions", "Definitions"),
    ("schedule", "Compute schedule"),
    ("security", "Security conditions"),
    ("commitments", "Commitments of the Partner"),
    ("us-commitments", "Commitments of the United States"),
    ("verification", "Conditions, verification and reporting"),
    ("consultation", "Consultation and resolution of differences"),
    ("confidentiality", "Confidentiality"),
    ("term", "Effective date, duration, amendment and termination"),
    ("signature", "Signature"),
)
SECTION = {sid: n for n, (sid, _) in enumerate(SECTIONS, start=1)}
SECTION_SECURITY, SECTION_COMMITMENTS = SECTION["security"], SECTION["commitments"]
#: Annexes, generated from the data.
ANNEXES = {"schedule": "A", "security": "B", "commitments": "C"}


def commitments(portfolio: Portfolio, deal: DealFigures) -> list[dict[str, Any]]:
    """Each granted concession with its clause rendered (sandboxed) for its level."""
    partner = _partner(portfolio, deal)
    where = portfolio.partner_files.get(partner.code, partner.code)
    out = []
    for i, (cid, level_id) in enumerate(deal.concessions.items(), start=1):
        concession = partner.concession(cid)
        assert concession is not None
        option = concession.option(GRANTED if level_id is True else str(level_id))
        assert option is not None
        level_ctx = {"id": option.id, "title": option.title, **amount_ctx(concession, option)}
        text = concession.clause or (
            "The Partner commits to: {{ concession.title }}"
            + ("" if concession.is_yes_no else " ({{ level.title }})")
            + "."
        )
        clause = render_clause(
            text,
            {
                "level": level_ctx,
                "partner": _partner_ctx(partner),
                "concession": {"id": cid, "title": concession.title},
            },
            f"{where}: concession {cid!r}",
        )
        out.append(
            {
                "number": f"{SECTION_COMMITMENTS}.{i}",
                "id": cid,
                "title": concession.title,
                "category": concession.category,
                "level": level_ctx,
                "clause": clause,
            }
        )
    return out


def amount_ctx(concession: Concession, option: ConcessionLevel) -> dict[str, Any]:
    """A range concession's amount for clause templates: `amount` ("USD 75bn") and
    `amount_value` (75e9); both None for other concessions."""
    if not concession.is_range or option.amount is None or concession.amount is None:
        return {"amount": None, "amount_value": None}
    return {
        "amount": amount_label(option.amount, concession.amount.unit),
        "amount_value": option.amount,
    }


def security_terms(portfolio: Portfolio, deal: DealFigures) -> dict[str, Any]:
    """The deal's security level and its clause (from the policy, sandboxed)."""
    partner = _partner(portfolio, deal)
    policy = portfolio.policy
    level = policy.level(deal.security)
    text = level.clause or "All delivered compute is subject to: {{ level.title }}."
    clause = render_clause(
        text,
        {"partner": _partner_ctx(partner), "level": {"id": level.id, "title": level.title}},
        f"policy {policy.id}: security level {level.id!r}",
    )
    # `own`: the policy wrote the level's clause; the default only restates the title,
    # which Annex B, naming the level first, then does not say twice.
    return {"id": level.id, "title": level.title, "clause": clause, "own": bool(level.clause)}


def chips_shown(
    portfolio: Portfolio,
    compute: Mapping[str, float],
    written: Mapping[str, tuple[float, str]] | None = None,
) -> dict[str, tuple[float, str]]:
    """Period -> (chips, model) as Annex A gives a package's tranches: the chips it was
    written in (`written`), else, in a portfolio decided in chips, each amount that is a
    whole number of its chips. The term sheet, the deal memo and the redline all show a
    tranche by this one rule, so a redline never marks as changed a row that reads the
    same in the two term sheets it compares."""
    return dict(written or portfolio.granularity.in_chips(compute))


#: Annex A's site of a tranche the package names none for, where it names some.
NO_SITE = "Not named"


def schedule(
    deal: DealFigures,
    chips: dict[str, tuple[float, str]] | None = None,
    sites: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Periods with deliveries, in order; chip counts and sites where the package gives them.
    When it names the site of some tranches, each other one says it names none (`NO_SITE`):
    a blank cell in Annex A read as a term left out by mistake."""
    chips, sites = chips or {}, sites or {}
    rows = []
    for t, x in deal.compute.items():
        if x <= 0.5:
            continue
        count, model = chips.get(t, (None, None))
        rows.append({"period": t, "h100e": x, "chips": count, "model": model, "site": sites.get(t)})
    if any(r["site"] for r in rows):
        for r in rows:
            r["site"] = r["site"] or NO_SITE
    return rows


#: Under Annex A, of a tranche whose H100e print rounded and which is not given in chips
#: (section 4 says how a tranche in chips is counted).
ROUNDED_TRANCHE = (
    "A tranche that is not a whole number of H100e has its H100e rounded to the nearest "
    "whole one and its TPP from the exact amount."
)


def schedule_note(rows: list[dict[str, Any]]) -> str:
    """The note under Annex A: where its rows as printed add up to another figure than the
    total (`rows_note`), and where a tranche not in chips is not a whole number of H100e,
    that its TPP is from the exact amount: a counter's 24,999.5 H100e print 25,000 beside
    395,792,084 TPP, which is not 25,000 times the 15,832 TPP the definitions give an H100e.
    '' where neither."""
    note = rows_note(
        [
            ("H100e", [r["h100e"] for r in rows], sum(r["h100e"] for r in rows)),
            (
                "TPP",
                [r["h100e"] * H100_TPP for r in rows],
                sum(r["h100e"] * H100_TPP for r in rows),
            ),
        ]
    )
    if any(r["chips"] is None and shown(r["h100e"]) != figure(r["h100e"]) for r in rows):
        note = f"{note} {ROUNDED_TRANCHE}".strip()
    return note


def internal_annex(
    portfolio: Portfolio,
    deal: DealFigures,
    checked: PortfolioCheck | None,
    *,
    side: str | None = None,
    step: float | None = None,
    why: Callable[[str], NoDealWhy | None] = unknown_why,
) -> dict[str, Any]:
    """The valuation annex: every figure of the deal, the limits that bind, the verdict
    (on what the package is, `side`: an offer, a counter, the terms agreed). `step`: the step a solve put the compute in
    (`Source.compute_step`); `why`: why a partner has no deal (`Source.no_deal_reason`)."""
    limits = deal_limits(portfolio, deal)
    if checked is not None:
        limits += shared_limits(portfolio, checked, deal.partner, step, why)
    return {
        **deal.model_dump(mode="json"),
        "acceptance_margin": deal.acceptance_threshold - deal.batna,
        "violations": broken_messages(deal.violations),
        "limits": limits,
        "verdict": verdict(deal, side=side),
        "uncertain": partner_uncertain_line(portfolio, deal),
        **sides_notes(deal),
    }


#: A line of `sides_notes`: what it says, the figure the lines above make as printed, the
#: line's figure as printed, and how `money` prints it (`apart`, `signed`).
_Line = tuple[str, float, str, dict[str, Any]]


def sides_notes(deal: DealFigures) -> dict[str, str]:
    """Under each table of what each side gets (`_sides`), where its lines as printed, each
    rounded on its own, do not make the total printed below them (the total being the exact
    figure), the sentence that says what they make; else ''. `us_note`: Qatar's $10.25bn
    of concessions and $1.95bn of exports less a risk penalty of $1.03bn make $11.17bn, its
    US utility of $11,178,340,000 prints $11.18bn. `partner_note`: a partner utility of
    $1.55bn less a walk-away value plus margin of $1.28bn is $270.0m, its partner margin
    +$263.4m. Each figure as `_sides` prints it (the same `apart` and `signed`)."""
    threshold = deal.acceptance_threshold
    us_value = money(deal.us_value, apart=deal.us_batna)
    utility = money(deal.partner_utility, apart=threshold)
    walk_away = money(threshold, apart=deal.batna)
    us: list[_Line] = [
        (
            "the rows above the US utility add up to",
            shown_usd(deal.us_concession_value)
            + shown_usd(deal.export_value)
            - shown_usd(deal.risk_penalty),
            us_value,
            {"apart": deal.us_batna},
        ),
        (
            "the US utility less the US walk-away value is",
            printed_usd(us_value) - shown_usd(deal.us_batna),
            money(deal.us_margin, signed=True),
            {"signed": True},
        ),
    ]
    partner: list[_Line] = [
        (
            "the rows above the partner utility add up to",
            shown_usd(deal.compute_value)
            - shown_usd(deal.concession_cost)
            - shown_usd(deal.security_cost),
            utility,
            {"apart": threshold},
        ),
        (
            "the walk-away value and the required margin add up to",
            shown_usd(deal.batna) + shown_usd(threshold - deal.batna),
            walk_away,
            {"apart": deal.batna},
        ),
        (
            "the partner utility less its walk-away value plus the required margin is",
            printed_usd(utility) - printed_usd(walk_away),
            money(deal.partner_margin, signed=True),
            {"signed": True},
        ),
    ]
    return {"us_note": _sides_note(us), "partner_note": _sides_note(partner)}


def _sides_note(lines: list[_Line]) -> str:
    parts = []
    for what, added, printed, how in lines:
        said = money(added, **how)
        if said != printed:
            parts.append(f"{what} {said}")
    if not parts:
        return ""
    return (
        "Each total is the exact figure, rounded; each row is rounded on its own, and as "
        f"printed {'; '.join(parts)}."
    )


def term_sheet_context(
    portfolio: Portfolio,
    deal: DealFigures,
    *,
    audience: Audience = "external",
    date: dt.date | None = None,
    checked: PortfolioCheck | None = None,
    side: str | None = None,
    chips: dict[str, tuple[float, str]] | None = None,
    sites: dict[str, str] | None = None,
    robust: Robust | None = None,
    step: float | None = None,
    why: Callable[[str], NoDealWhy | None] = unknown_why,
) -> dict[str, Any]:
    """The one render model of a term sheet; `internal` only for the internal audience.
    `robust`: how a robust solve made the package (said in the internal one); `step`: the
    step a solve put the compute in (`Source.compute_step`); `why`: why a partner has no
    deal (`Source.no_deal_reason`: the shared limits bind only where someone wants more)."""
    partner = _partner(portfolio, deal)
    rows = schedule(deal, chips_shown(portfolio, deal.compute, chips), sites)
    periods = [r["period"] for r in rows] or list(portfolio.periods)
    status = {
        "counter": "Draft for discussion. Proposal of the Partner",
        "offer": "Draft for discussion. Proposal of the United States",
        "agreed": "Terms agreed by the Participants",
    }.get(side or "", "Draft for discussion. Proposal")
    context: dict[str, Any] = {
        "doc": doc_meta(
            "term-sheet",
            portfolio=portfolio,
            # A counter or the agreed terms apart from an offer of the same terms (one id
            # for round 1's offer and the terms agreed on it, their status lines aside).
            key=partner.code + {"counter": "-COUNTER", "agreed": "-AGREED"}.get(side or "", ""),
            digest=fingerprint(portfolio, [deal.package()]),
            title=f"Memorandum of understanding: compute partnership with {partner.in_text()}",
            audience=audience,
            date=date,
            robust=robust,
            partner=partner.name,
            code=partner.code,
        ),
        "status": f"Non-binding. {status}.",
        "marking": MARKINGS[audience],  # as `doc.marking`; a house template may use either
        "us_party": US_PARTY,
        "partner": _partner_ctx(partner),
        "sections": [
            {"id": sid, "number": SECTION[sid], "title": title} for sid, title in SECTIONS
        ],
        "section": SECTION,
        "annex": ANNEXES,
        "term": _term(periods[0], periods[-1], len(portfolio.periods)),
        "schedule": rows,
        "chips": any(r["chips"] is not None for r in rows),
        "sites": any(r["site"] for r in rows),
        # The totals of Annex A's columns: the exact sums, rounded (as every document says
        # the deal's compute); a note where the rows as printed add up to another figure.
        "total_h100e": exact_total(r["h100e"] for r in rows),
        "total_tpp": exact_total(r["h100e"] * H100_TPP for r in rows),
        "rows_note": schedule_note(rows),
        "security": security_terms(portfolio, deal),
        "commitments": commitments(portfolio, deal),
    }
    if audience == "internal":
        context["internal"] = internal_annex(
            portfolio, deal, checked, side=side, step=step, why=why
        )
        context["glossary"] = glossary(portfolio.policy)
    else:
        context["doc"] = with_said_id(context)
    return context


def render_term_sheet(
    portfolio: Portfolio,
    deal: DealFigures,
    *,
    audience: Audience = "external",
    date: dt.date | None = None,
    templates: str | os.PathLike[str] | None = None,
) -> str:
    """The term sheet in Markdown (the canonical format); `templates`: a house templates folder."""
    a_portfolio(portfolio)
    if not isinstance(deal, DealFigures):  # a Package: `evaluate(portfolio, package)` figures it
        raise ArgumentError(
            "deal",
            f"expected a deal's DealFigures (evaluate(portfolio, package) gives them), got {type(deal).__name__}",
        )
    audience = one_of(audience, AUDIENCES, "audience", "audience")  # a KeyError deep inside
    a_date(date)
    context = term_sheet_context(portfolio, deal, audience=audience, date=date)
    return render_template("term_sheet.md.j2", context, templates)


def _partner(portfolio: Portfolio, deal: DealFigures) -> Partner:
    partner = portfolio.partner(deal.partner)
    if partner is None:
        raise ArgumentError("deal", portfolio.unknown_partner(deal.partner))
    return partner


def _term(first: str, last: str, periods: int) -> dict[str, Any]:
    """The term as the definitions clause says it: `span` in the form every document writes
    a span of periods in (2026–2028, 2026Q1–2028Q4), and `said`, what quarter or half
    labels mean to a reader ("the first quarter of 2026 to the fourth quarter of 2028"),
    or None for years. The term sheet alone wrote "from 2026Q1 to 2028Q4"."""
    words = [period_words(first), period_words(last)]
    said = None if None in words else " to ".join(dict.fromkeys(w for w in words if w))
    return {
        "first": first,
        "last": last,
        "periods": periods,
        "span": span(first, last),
        "said": said,
    }


def _partner_ctx(partner: Partner) -> dict[str, Any]:
    return named(
        {"code": partner.code, "name": partner.name, "tier": partner.tier}, partner.article
    )
