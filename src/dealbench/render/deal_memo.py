"""The render model of a deal memo: one package explained to principals.

Every sentence with a figure is composed here, in Python, from the checked
figures; the templates only place the pieces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dealbench.checker import DealFigures
from dealbench.figures import usd_change
from dealbench.limit import broken_messages
from dealbench.model.concession import GRANTED
from dealbench.model.names import named
from dealbench.model.periods import each as each_period
from dealbench.model.portfolio import Portfolio
from dealbench.render.charts import Chart
from dealbench.render.docmeta import doc_meta, fingerprint
from dealbench.render.filters import exact_total, h100e, money, percent, plural, ratio, rows_note
from dealbench.render.glossary import glossary
from dealbench.render.limits import (
    COMPUTE_TOL,
    MARGIN_TOL,
    counter_gives,
    deal_limits,
    partner_uncertain_line,
    raised_held,
    shared_limits,
    thin_margin,
)
from dealbench.render.sources import Source
from dealbench.render.termsheet import chips_shown, internal_annex, security_terms


def deal_memo_context(
    source: Source,
    partner: str,
    *,
    date: dt.date | None,
    against: Against | None = None,
) -> dict[str, Any]:
    """The deal memo of one package; a counter is assessed against `against`, our last offer."""
    pf = source.portfolio
    deal = source.deal(partner)
    name = deal.partner_name
    counter, agreed = source.side == "counter", source.side == "agreed"
    return {
        "doc": doc_meta(
            "deal-memo",
            portfolio=pf,
            key=deal.partner,
            digest=fingerprint(pf, [deal.package()]),
            title=f"Deal memo: compute partnership with {deal.partner_in_text()}",
            audience="internal",
            date=date,
            robust=source.robust,
            partner=name,
            code=deal.partner,
        ),
        "origin": source.origin,
        "partner": named(
            {"code": deal.partner, "name": name, "tier": deal.tier}, deal.partner_article
        ),
        "heading": (
            "The Partner's proposal"
            if counter
            else "The terms agreed"
            if agreed
            else "Recommendation"
        ),
        "recommendation": (
            counter_assessment(deal, source.round, against)
            if counter
            else agreed_terms(deal, source.round)
            if agreed
            else recommendation(deal)
        ),
        "security": security_terms(pf, deal),
        "schedule": package_schedule(pf, deal, source.chips),
        "cap_note": cap_note(pf, deal),
        "total_h100e": exact_total(deal.compute.values()),  # as every document totals it
        "rows_note": rows_note(
            [("H100e", list(deal.compute.values()), sum(deal.compute.values()))]
        ),
        "commitments": commitment_rows(pf, deal),
        "internal": internal_annex(
            pf,
            deal,
            source.checked,
            side=source.side,
            step=source.compute_step,
            why=source.no_deal_reason,
        ),
        "tradeoffs": tradeoffs(pf, deal),
        "limits": deal_limits(pf, deal)
        + raised_held(source.result, [deal], deal.partner)
        + shared_limits(
            pf, source.checked, deal.partner, source.compute_step, source.no_deal_reason
        ),
        "risks": risks(pf, deal, source.checked.risk_budget),
        "charts": deal_charts(pf, deal),
        "glossary": glossary(pf.policy),
    }


@dataclass(frozen=True)
class Against:
    """Our last offer, which a counter is compared with: its label and its checked figures."""

    label: str
    figures: DealFigures


def package_terms(deal: DealFigures) -> str:
    return (
        f"{h100e(exact_total(deal.compute.values()))} H100e under {deal.security} security "
        "conditions, "
        f"against {plural(len(deal.concessions), 'commitment') if deal.concessions else 'no commitments'}"
    )


def counter_assessment(deal: DealFigures, round_: int | None, against: Against | None) -> str:
    """A counter is the partner's proposal: what it asks, set against our last offer."""
    when = f" in round {round_}" if round_ else ""
    text = f"{deal.partner_in_text(start=True)} proposes {package_terms(deal)}{when}. "
    if against is None:
        text += "No earlier offer of ours was given to compare it with. "
    else:
        old = against.figures
        text += (
            f"Compared with our last offer{f' ({against.label})' if against.label else ''}, "
            f"it is {_change(old.us_value, deal.us_value, 'the United States', 'US')} and "
            f"{_change(old.partner_utility, deal.partner_utility, deal.partner_in_text(), 'partner')}. "
        )
    if deal.violations:
        return text + (
            f"It breaks {plural(len(broken_messages(deal.violations)), 'limit')}, so it cannot be "
            "accepted"
            " as written."
        )
    if not deal.accepts:
        # The partner's own proposal, below what it accepts on our figures for it: said, or
        # "Accepting it would leave the United States ... above" read as a deal to take.
        return text + counter_gives(deal)
    if deal.us_margin < 0:
        return text + (
            f"Accepting it would leave the United States {money(-deal.us_margin)} below its "
            "walk-away value."
        )
    return text + (
        f"Accepting it would leave the United States {money(deal.us_margin)} above its "
        "walk-away value."
    )


def _change(old: float, new: float, whom: str, side: str) -> str:
    """ "$270m better for the United States (US utility $78.25bn against $77.98bn)": the
    change as printed is the difference of the two figures as printed (`usd_change`)."""
    before, after, change = usd_change(old, new)
    if not change.startswith(("+", "-")):
        # No change as printed ($0, under half a dollar): "it is $0 better for the
        # United States" read as a gain of nothing (qa41b-docs' Left).
        return f"as good for {whom} ({side} utility {after}, as in our offer)"
    words = "worse" if change.startswith("-") else "better"
    return f"{change.lstrip('+-')} {words} for {whom} ({side} utility {after} against {before})"


def recommendation(deal: DealFigures) -> str:
    terms = package_terms(deal)
    short = (
        f"it leaves the Partner {money(deal.acceptance_threshold - deal.partner_utility)} "
        "short of its walk-away value plus the required margin."
    )
    if deal.violations:
        broken = (
            f"Do not offer this package ({terms}): it breaks "
            f"{plural(len(broken_messages(deal.violations)), 'limit')}."
        )
        # Both, when both (as `limits.verdict`): the limits alone read as if the partner
        # would sign the package once they are kept.
        return (
            broken
            if deal.accepts
            else f"{broken} {deal.partner_in_text(start=True)} would refuse it too: {short}"
        )
    if not deal.accepts:
        return f"Do not expect {deal.partner_in_text()} to sign this package ({terms}): {short}"
    if deal.us_margin < 0:
        return (
            f"Do not offer this package ({terms}): the United States would be "
            f"{money(-deal.us_margin)} better off at its walk-away value."
        )
    return (
        f"Offer {deal.partner_in_text()} {terms}. The United States gains "
        f"{money(deal.us_margin)} over its walk-away value; {_partner_side(deal)}."
    )


def agreed_terms(deal: DealFigures, round_: int | None) -> str:
    """The terms a concluded round records: agreed, not to be offered (the memo of
    `007-us.yaml` read "Offer Qatar ...", a deal concluded in round 6)."""
    when = f"In round {round_}, the" if round_ else "The"
    return (
        f"{when} United States and {deal.partner_in_text()} agreed {package_terms(deal)}. "
        f"The United States gains {money(deal.us_margin)} over its walk-away value; "
        f"{_partner_side(deal)}."
    )


def _partner_side(deal: DealFigures) -> str:
    return (
        "the Partner is held to its walk-away value plus the required margin"
        if deal.partner_margin <= MARGIN_TOL
        else f"the Partner clears its walk-away value and required margin by "
        f"{money(deal.partner_margin)}"
    )


def package_schedule(
    pf: Portfolio, deal: DealFigures, chips: dict[str, tuple[float, str]] | None = None
) -> list[dict[str, Any]]:
    """Each period: the package, the ask, the cap; the chip count where written in chips."""
    partner = pf.partner(deal.partner)
    assert partner is not None
    cap = pf.level_cap(partner, deal.security)
    written = chips_shown(pf, deal.compute, chips)  # a solve's, in its steps
    return [
        {
            "period": t,
            "h100e": x,
            "ask": pf.ask(partner, t),
            "cap": cap,
            "chips": written[t][0] if t in written else None,
            "model": written[t][1] if t in written else None,
        }
        for t, x in deal.compute.items()
    ]


def cap_note(pf: Portfolio, deal: DealFigures) -> str | None:
    """Below the compute table, where its cap is pro-rated from the policy's (a quarterly
    portfolio under caps written a year): what the figure is, in the words every message
    says it in (`Portfolio.cap_basis`); None for a cap as written."""
    partner = pf.partner(deal.partner)
    assert partner is not None
    basis = pf.cap_basis(partner, deal.security)
    cap = pf.level_cap(partner, deal.security)
    if basis is None or cap is None:
        return None
    return f"The cap under {deal.security}, {h100e(cap)} H100e, is {basis}."


def commitment_rows(pf: Portfolio, deal: DealFigures) -> list[dict[str, Any]]:
    """Each commitment with what it gives the US and costs the Partner."""
    partner = pf.partner(deal.partner)
    assert partner is not None
    rows = []
    for cid, level_id in deal.concessions.items():
        concession = partner.concession(cid)
        assert concession is not None
        option = concession.option(GRANTED if level_id is True else str(level_id))
        assert option is not None
        per = option.us_value / option.partner_cost if option.partner_cost > 0 else None
        rows.append(
            {
                "id": cid,
                "title": concession.title,
                "level": None if concession.is_yes_no else option.title,
                "us_value": option.us_value,
                "partner_cost": option.partner_cost,
                "ratio": "n/a" if per is None else ratio(per, 1, "×"),
            }
        )
    return sorted(rows, key=lambda r: (-r["us_value"], r["id"]))


def tradeoffs(pf: Portfolio, deal: DealFigures) -> list[str]:
    policy = pf.policy
    partner = pf.partner(deal.partner)
    assert partner is not None
    mitigation = policy.level(deal.security).mitigation
    net = policy.export_value_per_h100e - (
        policy.risk_penalty_per_h100e * partner.diversion_risk * (1 - mitigation)
    )
    cost = money(deal.security_cost) if deal.security_cost else "nothing"
    security = f"Security: {deal.security} conditions cost the Partner {cost}"
    if deal.total_compute <= COMPUTE_TOL:
        security += "; the package delivers no compute, so there is no risk to mitigate."
    elif partner.diversion_risk <= 0:  # nothing to cut: not "from 0 to 0, avoiding $0"
        security += (
            f"; {deal.partner}'s diversion-risk index is 0, so there is no risk for them "
            "to mitigate."
        )
    elif mitigation <= 0:  # the weakest level cuts nothing: say so, not "from 1,819 to 1,819"
        security += (
            f" and mitigate none of the diversion risk: the {h100e(deal.risk)} risk-weighted "
            "H100e count in full."
        )
    else:
        security += f" and mitigate {percent(mitigation, 0)} of the diversion risk: " + _mitigated(
            pf, deal
        )
    risk_cost = policy.export_value_per_h100e - net
    costs = (
        f"costs {money(risk_cost)} in expected risk at this security level"
        if money(risk_cost) != money(0.0)
        else "costs nothing in expected risk"
    )
    out = [
        security,
        f"Compute: each H100e earns the United States {money(policy.export_value_per_h100e)} in "
        f"exports and {costs} (net {money(net, signed=True)} per H100e).",
    ]
    if deal.total_compute > 0:
        out.append(
            f"The Partner values the compute at {money(deal.compute_value)}, "
            f"{money(deal.compute_value / deal.total_compute)} per H100e on average, "
            f"{_pays(deal)}."
        )
    if deal.concession_cost > 0:
        # one commitment is "it", not "they" (qa43-docs)
        one = len(deal.concessions) == 1
        words = (
            ("Commitment: it is", "costs", "its")
            if one
            else ("Commitments: they are", "cost", "their")
        )
        they_are, cost, their = words
        out.append(
            f"{they_are} worth {money(deal.us_concession_value)} to the United "
            f"States and {cost} the Partner {money(deal.concession_cost)} "
            f"({deal.us_concession_value / deal.concession_cost:.1f}× {their} cost)."
        )
    return out


def _mitigated(pf: Portfolio, deal: DealFigures) -> str:
    """What the deal's security level does to its risk, against the weakest level the
    Partner can meet (no mitigation at all when the deal runs under it), and, where that
    level's cap would not allow the package's compute, how much of it the cap allows: "cut
    the risk-weighted compute from 13,780 to 5,512" compared with standard conditions at
    26,000 H100e, which standard's cap of 4,000 a quarter holds to 16,000."""
    partner = pf.partner(deal.partner)
    assert partner is not None
    policy = pf.policy
    weakest = pf.levels_for(partner)[0]
    other = weakest if weakest != deal.security else None
    other_mitigation = policy.level(other).mitigation if other is not None else 0.0
    against = partner.diversion_risk * (1 - other_mitigation) * deal.total_compute
    more = money((against - deal.risk) * policy.risk_penalty_per_h100e)
    where = f"under {other} conditions" if other is not None else "unmitigated"
    text = (
        f"the package's {h100e(deal.total_compute)} H100e carry {h100e(deal.risk)} "
        f"risk-weighted H100e, where {where} they would carry {h100e(against)} ({more} more "
        "risk penalty)"
    )
    cap = pf.level_cap(partner, other) if other is not None else None
    if other is None or cap is None:
        return f"{text}."
    allowed = exact_total(min(x, cap) for x in deal.compute.values())
    if allowed >= exact_total(deal.compute.values()):
        return f"{text}."
    return (
        f"{text}, but {pf.cap_name(partner, other)} ({h100e(cap)} H100e "
        f"{each_period(pf.periods)}) would allow "
        f"only {h100e(allowed)} H100e of them."
    )


def _pays(deal: DealFigures) -> str:
    """What the Partner gives for the compute: a price, nothing, or (commitments worth
    more to it than they cost, as opening a market it wanted open) a gain, never
    "pays -$30.0m" or "pays $0"."""
    cost = deal.concession_cost
    if cost > 0:
        return f"and pays {money(cost)} in commitments for it"
    if not deal.concessions:
        return "and makes no commitments for it"
    if cost == 0:
        return "and its commitments cost it nothing"
    return f"and its commitments, on balance, gain it {money(-cost)} rather than cost it"


def risks(pf: Portfolio, deal: DealFigures, budget: float | None) -> list[str]:
    partner = pf.partner(deal.partner)
    assert partner is not None
    mitigation = pf.policy.level(deal.security).mitigation
    share = f", {percent(deal.risk / budget)} of the risk budget" if budget else ""
    index = (
        f"Diversion: {deal.partner}'s diversion-risk index is {partner.diversion_risk:.2f} "
        "(a score from 0 to 1, not a probability)"
    )
    out = [
        f"{index}; the package carries no risk-weighted H100e."
        if partner.diversion_risk <= 0
        else f"{index}; {deal.security} conditions mitigate {percent(mitigation, 0)} of the "
        f"risk, leaving {h100e(deal.risk)} risk-weighted H100e{share}.",
    ]
    if thin_margin(deal):
        # "nothing" only where the package table's margin reads $0 too: a margin within
        # MARGIN_TOL is "held to" its walk-away value, but $1.0m is not nothing.
        margin = money(deal.partner_margin)
        by = "nothing" if margin == money(0.0) else f"only {margin}"
        out.append(
            f"Acceptance is thin: the Partner clears its walk-away value and required margin by "
            f"{by}; if it values the compute less or its costs rise, it walks away."
        )
    if deal.us_batna < -MARGIN_TOL:  # a few hundred dollars lost is not a cost to weigh
        out.append(
            f"Failure is costly: without a deal the United States stands at "
            f"{money(deal.us_batna)} (the Partner turns to another supplier)."
        )
    out += [f"Broken limit: {line}" for line in broken_messages(deal.violations)]
    uncertain = partner_uncertain_line(pf, deal)
    return [*out, uncertain] if uncertain else out


def deal_charts(pf: Portfolio, deal: DealFigures) -> list[Chart]:
    rows = package_schedule(pf, deal)
    cap = rows[0]["cap"] if rows else None
    # The bars say what the valuation table and the glossary say (`glossary.GLOSSARY`).
    build = [
        ("US value of concessions", deal.us_concession_value),
        ("Export value", deal.export_value),
        ("Risk penalty", -deal.risk_penalty),
        ("US utility", deal.us_value),
    ]
    charts = [
        Chart(
            id="schedule",
            kind="schedule",
            caption=f"Compute for {deal.partner_in_text()} by period: the package, the ask and the cap.",
            data={
                "periods": [r["period"] for r in rows],
                "offered": [r["h100e"] for r in rows],
                "ask": [r["ask"] for r in rows],
                "cap": cap,
            },
        ),
        Chart(
            id="value",
            kind="value-build",
            caption=(
                "The deal's US utility and its parts: the US value of concessions and the "
                "export value, less the risk penalty."
            ),
            data={"rows": [{"label": k, "value_bn": v / 1e9} for k, v in build]},
        ),
    ]
    drawn = {
        "schedule": deal.total_compute > COMPUTE_TOL,
        "value": any(abs(v) >= 0.5 for _, v in build),
    }
    return [c for c in charts if drawn[c.id]]  # an empty chart is not drawn
