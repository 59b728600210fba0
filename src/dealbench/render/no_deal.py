"""Why a partner gets no deal, as far as the figures show it: the memos' reasons.

Computed from the checked figures alone (no solver), as `render.limits` is: its caps, its
ask, the supply or the risk budget the other deals leave, or no package worth more to
the United States than no deal.
"""

from __future__ import annotations

from collections.abc import Callable

from dealbench.checker import DealFigures, PortfolioCheck
from dealbench.model.periods import each as each_period
from dealbench.model.schema import Partner, Portfolio
from dealbench.render.filters import h100e, money
from dealbench.render.limits import COMPUTE_TOL, MARGIN_TOL, basis_note

__all__ = ["no_deal_reason"]


def no_deal_reason(
    portfolio: Portfolio,
    code: str,
    checked: PortfolioCheck,
    *,
    stopped: bool = False,
    worth_nothing: Callable[[], DealFigures | None] | None = None,
) -> str:
    """Which limit keeps a partner out of the portfolio, as far as the figures show it.

    The partner's best case is the most compute its caps (and the supply) allow
    under each security level it can meet, for no commitment at all. If even
    that leaves it short of its walk-away value plus the required margin, the
    caps prevent the deal, unless its full ask (within the supply) would leave it
    short too: then it accepts no package, whatever the caps (as `compare`'s
    `analyze.limits.decided_by` says). Otherwise no package it accepts was worth more to the
    United States than no deal (within the supply and risk budget the solve had), or,
    when the solve stopped at its time limit (`stopped`), none was found before it.

    `worth_nothing` (a solve's documents: `Source.worth_nothing_alone`) gives the partner's
    best package with every limit to itself when that is worth no more to the United
    States than no deal: then that is the reason, as `solve` and `compare` say it, and not
    a supply or risk budget the other deals use up (lifting it would open no deal).
    """

    partner = portfolio.partner(code)
    assert partner is not None
    levels = portfolio.levels_for(partner)
    if partner.tier == 3 or not levels:
        why = "it is in Tier 3" if partner.tier == 3 else "it can meet no security level"
        return f"{code}: no compute may be exported ({why})."
    if not any(portfolio.ask(partner, t) > COMPUTE_TOL for t in portfolio.periods):
        return (
            f"{code}: {partner.in_text(start=True)} asks for no compute in this portfolio's periods "
            f"({', '.join(portfolio.periods)})."
        )
    # The caps that apply: a partner's own (the portfolio's deal-by-deal caps), else its tier's.
    caps = {lv: portfolio.level_cap(partner, lv) for lv in levels}
    if all(c is not None and c <= COMPUTE_TOL for c in caps.values()):
        return f"{code}: the tier {partner.tier} cap is zero under every security level."
    best = _most_compute(portfolio, partner, levels, checked, capped=True)
    if best.partner_utility < best.acceptance_threshold - MARGIN_TOL:
        return _short_at_most_compute(portfolio, code, partner, levels, checked, caps, best)
    best_alone = None if worth_nothing is None else worth_nothing()
    if best_alone is not None:
        return f"{code}: {_not_worth_it(portfolio, partner, best_alone)}"
    left = _left_prevents(portfolio, partner, levels, checked)
    if left:
        return f"{code}: {left}"
    if stopped:  # the solve stopped before proving anything of the packages it did not find
        return (
            f"{code}: the solve stopped at its time limit before it found a package "
            f"{partner.in_text()} would accept that leaves the United States better off than its "
            f"walk-away value ({money(partner.us_batna)})."
        )
    return (
        f"{code}: no package {partner.in_text()} would accept leaves the United States better off "
        f"than its walk-away value ({money(partner.us_batna)}) within the supply and risk "
        "budget left by the other deals."
    )


def _short_at_most_compute(
    portfolio: Portfolio,
    code: str,
    partner: Partner,
    levels: list[str],
    checked: PortfolioCheck,
    caps: dict[str, float | None],
    best: DealFigures,
) -> str:
    """The reason when even the most compute the caps allow (`best`), for no commitment at
    all, leaves the partner short of its walk-away value plus the required margin: the
    supply, the caps, or nothing at all (its full ask would leave it short too)."""
    full = _most_compute(portfolio, partner, levels, checked, capped=False)
    unsupplied = _most_compute(portfolio, partner, levels, checked, capped=False, supplied=False)
    if full.partner_utility < full.acceptance_threshold - MARGIN_TOL and (
        unsupplied.partner_utility >= unsupplied.acceptance_threshold - MARGIN_TOL
    ):  # its full ask would do, but not the supply there is: the supply prevents it
        capped = _most_compute(portfolio, partner, levels, checked, capped=True, supplied=False)
        alone = capped.partner_utility >= capped.acceptance_threshold - MARGIN_TOL
        limits = "the supply prevents" if alone else "the supply and the caps prevent"
        return (
            f"{code}: {limits} a deal. {partner.in_text(start=True)} would accept its full "
            "ask, but within the supply, with no commitment at all, it gets a partner "
            f"utility of {money(full.partner_utility)}, "
            f"{money(full.acceptance_threshold - full.partner_utility)} short of its "
            "walk-away value plus the required margin."
        )
    if full.partner_utility < full.acceptance_threshold - MARGIN_TOL:
        return (
            f"{code}: {partner.in_text(start=True)} accepts no package, whatever the caps. Even its full "
            "ask (within the supply), with no commitment at all, gives it a partner utility "
            f"of {money(full.partner_utility)}, "
            f"{money(full.acceptance_threshold - full.partner_utility)} short of its "
            "walk-away value plus the required margin."
        )
    cap = caps[best.security]
    own = best.security in portfolio.caps.get(code, {})
    whose = f"{code}'s own cap" if own else f"the tier {partner.tier} cap"
    limit = (
        f"{whose} ({h100e(cap)} H100e {each_period(portfolio.periods)} under {best.security}"
        f"{basis_note(portfolio, partner, best.security)})"
        if cap is not None
        else "its ask"
    )
    return (
        f"{code}: {limit} prevents a deal. Even the most compute it allows, with no "
        f"commitment at all, gives {partner.in_text()} a partner utility of "
        f"{money(best.partner_utility)}, {money(best.acceptance_threshold - best.partner_utility)}"
        f" short of its walk-away value plus the required margin."
    )


def _not_worth_it(portfolio: Portfolio, partner: Partner, alone: DealFigures) -> str:
    """No package the partner accepts is worth more to the United States than no deal,
    whatever the other deals leave: `alone` is its best one with every limit to itself."""
    shared = "the supply" if portfolio.risk_budget is None else "the supply and the risk budget"
    worth = (
        "as much as no deal"
        if alone.us_margin > -0.5
        else f"{money(alone.us_value)} to the United States"
    )
    return (
        f"no package {partner.in_text()} would accept leaves the United States better off "
        f"than its walk-away value ({money(partner.us_batna)}), even with {shared} to itself: "
        f"the best, under {alone.security} with {h100e(alone.total_compute)} H100e, is "
        f"worth {worth}."
    )


def _most_compute(
    portfolio: Portfolio,
    partner: Partner,
    levels: list[str],
    checked: PortfolioCheck,
    *,
    capped: bool,
    supplied: bool = True,
) -> DealFigures:
    """The partner's best case for no commitment: under the level that serves it best, the
    most compute its caps (unless not `capped`: its ask) and the supply (unless not
    `supplied`) allow."""
    from dealbench.checker import evaluate
    from dealbench.model.schema import Package

    best = None
    for lv in levels:
        compute = {
            t: min(
                portfolio.cap(partner, lv, t) if capped else portfolio.ask(partner, t),
                checked.supply.get(t, float("inf")) if supplied else float("inf"),
            )
            for t in portfolio.periods
        }
        figures = evaluate(portfolio, Package(partner=partner.code, security=lv, compute=compute))
        if best is None or figures.partner_utility > best.partner_utility:
            best = figures
    assert best is not None
    return best


def _left_prevents(
    portfolio: Portfolio, partner: Partner, levels: list[str], checked: PortfolioCheck
) -> str:
    """Why no package the partner accepts fits in the supply and risk budget the other deals
    leave, or "" when one may. The partner's best case there is an upper bound: under each
    level, the most valuable H100e first (its value is concave per period) up to its cap and
    the supply left, as many as the risk budget left covers, for no commitment at all.

    The limit named is the one that keeps it out: the risk budget where the supply left
    would do under some level; the supply where the risk budget left would do; both where
    neither alone would (as `solve` and `compare` say it: "the supply it needs ... and the
    risk budget go to deals worth more")."""
    from dealbench.checker import evaluate
    from dealbench.model.schema import Package

    supply_left = {
        t: max(checked.supply.get(t, float("inf")) - checked.supply_used.get(t, 0.0), 0.0)
        for t in portfolio.periods
    }
    risk_left = (
        None if checked.risk_budget is None else max(checked.risk_budget - checked.risk_total, 0.0)
    )

    def accepts(figures: DealFigures) -> bool:
        return figures.partner_utility >= figures.acceptance_threshold - MARGIN_TOL

    def within_risk(level: str, room: dict[str, float]) -> DealFigures:
        """The partner's best case in `room`, cut to the risk budget left."""
        figures = evaluate(portfolio, Package(partner=partner.code, security=level, compute=room))
        if risk_left is not None and figures.risk > risk_left:
            most = risk_left / figures.risk * sum(room.values())
            compute = _best_first(partner, room, most)
            figures = evaluate(
                portfolio, Package(partner=partner.code, security=level, compute=compute)
            )
        return figures

    best, risk_binds, supply_would_do, risk_would_do = None, False, False, risk_left is None
    for lv in levels:
        room = {t: min(portfolio.cap(partner, lv, t), supply_left[t]) for t in portfolio.periods}
        plain = evaluate(portfolio, Package(partner=partner.code, security=lv, compute=room))
        supply_would_do = supply_would_do or accepts(plain)
        figures = within_risk(lv, room)
        risk_binds = risk_binds or (accepts(plain) and figures.risk < plain.risk)
        if accepts(figures):
            return ""  # its best case fits: something else keeps it out
        if not risk_would_do:  # the risk budget left alone, the supply as if free
            capped = {t: portfolio.cap(partner, lv, t) for t in portfolio.periods}
            risk_would_do = accepts(within_risk(lv, capped))
        if best is None or figures.partner_utility > best.partner_utility:
            best = figures
    if best is None:
        return ""
    budget = f"({h100e(risk_left)} risk-weighted H100e)"
    if risk_binds:
        what, leaves = f"the risk budget left by the other deals {budget} prevents", "it leaves"
    elif not supply_would_do and not risk_would_do:
        what = f"the supply and the risk budget left by the other deals {budget} prevent"
        leaves = "they leave"
    else:
        what, leaves = "the supply left by the other deals prevents", "it leaves"
    return (
        f"{what} a deal. The most compute {leaves}, with no commitment at all, "
        f"gives {partner.in_text()} a partner utility of {money(best.partner_utility)}, "
        f"{money(best.acceptance_threshold - best.partner_utility)} short of its walk-away "
        "value plus the required margin."
    )


def _best_first(partner: Partner, room: dict[str, float], most: float) -> dict[str, float]:
    """`most` H100e spread over the periods, the most valuable segments first, each period
    up to its `room`: the schedule of the highest value for that total (concave values)."""
    pieces = []
    for t, cap in room.items():
        start = 0.0
        for width, value in partner.segments:
            take = min(width, cap - start)
            if take <= 0:
                break
            pieces.append((value, t, take))
            start += take
    out = dict.fromkeys(room, 0.0)
    left = max(most, 0.0)
    for _, t, take in sorted(pieces, key=lambda p: -p[0]):
        out[t] += min(take, left)
        left -= min(take, left)
    return out
