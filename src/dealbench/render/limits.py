"""The limits a deal or a portfolio sits on, and the verdicts on them, in plain words.

Computed from the checked figures alone (no solver), so a hand-written package
and the optimizer's answer are described the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dealbench.checker import (
    DealFigures,
    PortfolioCheck,
    at_limit,
    in_full,
    risk_used_up_line,
    used_up,
)
from dealbench.limit import broken_messages
from dealbench.model.periods import each as each_period
from dealbench.model.schema import Partner, Portfolio
from dealbench.render.filters import exact_total, h100e, money, periods_said, plural
from dealbench.units import shown

#: A margin within this many USD of zero means the acceptance limit binds.
MARGIN_TOL = 1e6
#: Compute within this many H100e of a limit sits on it.
COMPUTE_TOL = 0.5
#: A partner margin under this share of its acceptance threshold is thin.
THIN_MARGIN = 0.05


def thin_margin(deal: DealFigures) -> bool:
    """Whether an accepted package clears the partner's walk-away value plus the required
    margin by so little (within MARGIN_TOL, or under THIN_MARGIN of that threshold) that
    a slip in its valuation loses the deal: the deal memo's and the portfolio memo's
    "Acceptance is thin" both read it."""
    threshold = abs(deal.acceptance_threshold) or 1.0
    return deal.accepts and deal.partner_margin <= max(MARGIN_TOL, THIN_MARGIN * threshold)


def deal_limits(portfolio: Portfolio, deal: DealFigures) -> list[str]:
    """The per-deal limits that bind: asks, caps, and the partner's acceptance."""
    partner = portfolio.partner(deal.partner)
    assert partner is not None
    out = []
    cap = portfolio.level_cap(partner, deal.security)
    full, capped = [], []
    for t, x in deal.compute.items():
        ask = portfolio.ask(partner, t)
        if x <= COMPUTE_TOL:
            continue
        # A limit binds where the package sits on it; above it, it is broken (a violation,
        # reported as one), and "receives the cap" would be false.
        # In whole units (one chip when the step is in chips) a limit is met a hair below.
        on_ask = at_limit(portfolio, x, ask) and x <= ask + COMPUTE_TOL
        # What is printed is what the partner receives, as the schedule prints it: a limit
        # met in whole units is a hair below the limit written (an ask of 30,002.5 H100e is
        # met at 13,194 B200, 30,001.5 H100e), and is said to be so.
        if on_ask and (cap is None or x <= cap + COMPUTE_TOL):
            full.append((t, x, ask))
        elif cap is not None and at_limit(portfolio, x, cap) and x <= cap + COMPUTE_TOL and x < ask:
            capped.append((t, x, cap))
    if full:
        out.append(
            f"{deal.partner} receives its full ask in {_periods(full)}{_whole(portfolio, full)} "
            f"({_amounts(full)})."
        )
    if capped:
        out.append(
            f"{deal.partner} receives {portfolio.cap_name(partner, deal.security, its=True)} "
            f"({h100e(capped[0][1])} H100e{_basis(portfolio, partner, deal.security)}) in "
            f"{_periods(capped)}{_whole(portfolio, capped)}, "
            "less than it asks for."
        )
    if abs(deal.partner_margin) <= MARGIN_TOL:
        out.append(
            f"{deal.partner} is held to its walk-away value: its partner utility "
            + held_words(
                [deal],
                f"its walk-away value plus the required margin "
                f"({money(deal.acceptance_threshold)})",
            )
            + "."
        )
    return out


def held_words(deals: Sequence[DealFigures], threshold: str) -> str:
    """How the partner utility of deals held to the walk-away value (within MARGIN_TOL)
    stands to `threshold` (the words for it), as their partner margins print: `equals
    ...` where each reads $0, else `exceeds ... by only $22,100` (one deal) or `by at most`
    the largest: never "equals" beside a margin printed as +$22,100."""
    largest = max(d.partner_margin for d in deals)
    if largest <= 0 or money(largest) == money(0.0):
        return f"equals {threshold}"
    by = "only" if len(deals) == 1 else "at most"
    return f"exceeds {threshold} by {by} {money(largest)}"


def _basis(portfolio: Portfolio, partner: Partner, level: str) -> str:
    """`, a quarter of the policy's 600,000 H100e a year` where the cap is pro-rated, to
    follow its amount in brackets; else nothing."""
    basis = portfolio.cap_basis(partner, level)
    return f", {basis}" if basis else ""


def _whole(portfolio: Portfolio, rows: list[tuple[str, float, float]]) -> str:
    """` in whole B200 chips` where a limit is met in whole units below what it says
    (as printed), else nothing."""
    if all(shown(x) == shown(limit) for _, x, limit in rows):
        return ""
    model = portfolio.granularity.model
    return f" in whole {model} chips" if model else " in whole H100e"


def _amounts(rows: Sequence[tuple[str, float] | tuple[str, float, float]]) -> str:
    """`20,000 H100e`, `500,000 H100e each`, or `1,000,000 H100e in 2026, 1,200,000 in 2027`."""
    values = {shown(row[1]) for row in rows}
    if len(values) == 1:
        return f"{h100e(rows[0][1])} H100e" + (" each" if len(rows) > 1 else "")
    return "H100e: " + ", ".join(f"{h100e(row[1])} in {row[0]}" for row in rows)


def _periods(rows: Sequence[tuple[str, float] | tuple[str, float, float]]) -> str:
    """`2026`, `2026 and 2027`, `2026, 2027 and 2028`, `2026Q1–2027Q4`."""
    return periods_said(None, (row[0] for row in rows))


def shared_limits(
    portfolio: Portfolio,
    checked: PortfolioCheck,
    partner: str | None = None,
    step: float | None = None,
) -> list[str]:
    """Supply and risk-budget limits that bind (`checker.used_up`: used, or what is left
    is less than a step); with `partner`, only those that touch it.

    The periods whose supply is fully allocated are one line, not one each; those with less
    than a step left, another.
    """
    out = []
    deal = next((d for d in checked.deals if d.partner == partner), None)
    full: list[tuple[str, float]] = []
    shared: list[tuple[str, float]] = []
    alone: list[tuple[str, float]] = []
    full_periods, risk_used_up = used_up(portfolio, checked, step)
    # A limit the packages overrun is broken, not binding: "Limits broken" says so.
    over = {v.period for v in checked.violations if v.kind == "supply"}
    for t, supply in checked.supply.items():
        if t not in full_periods or t in over:
            continue
        if partner is None:
            full.append((t, supply))
        elif deal is not None and deal.compute.get(t, 0.0) > COMPUTE_TOL:
            others = any(
                d.compute.get(t, 0.0) > COMPUTE_TOL for d in checked.deals if d.partner != partner
            )
            (shared if others else alone).append((t, supply))
    out += _supply_lines(portfolio, checked, full, "")
    # only where another deal has compute is more for one less for another
    out += _supply_lines(
        portfolio, checked, shared, f": more for {partner} means less for another partner"
    )
    out += _supply_lines(portfolio, checked, alone, f", all of it to {partner}")
    budget = checked.risk_budget
    broken = any(v.kind == "risk-budget" for v in checked.violations)
    if budget and risk_used_up and not broken:
        out.append(risk_used_up_line(budget, checked.risk_total))
    return out


def supply_left(checked: PortfolioCheck, period: str) -> float:
    """What is left of a period's supply as the memos print it: the supply less what the
    deals use (`exact_total`), each rounded; nothing where the deals use the supply in full (within the
    checker's tolerance), whichever way their rounded amounts miss it (rows rounded above
    or below a supply used in full still leave nothing: 59,999 of 60,000 is not 1 left)."""
    supply = checked.supply.get(period, 0.0)
    if allocated_in_full(checked, period):
        return 0.0
    used = exact_total(d.compute.get(period, 0.0) for d in checked.deals)
    return max(exact_total([supply]) - used, 0.0)


def allocated_in_full(checked: PortfolioCheck, period: str) -> bool:
    """Whether the deals use a period's supply in full, unrounded, as the checker reads it
    (`solve` then says "fully allocated"), though their amounts as printed may miss it."""
    supply = checked.supply.get(period, 0.0)
    return supply > 0 and in_full(supply, checked.supply_used.get(period, 0.0))


def _supply_lines(
    portfolio: Portfolio, checked: PortfolioCheck, rows: list[tuple[str, float]], tail: str
) -> list[str]:
    """The periods of `rows` whose supply is used up, in one sentence for those with
    nothing left ("fully allocated") and one for those with less than a step left (used
    up, "with less than one step left", as the allocation's Unallocated row shows it)."""
    stepped = portfolio.granularity.h100e > 0
    left = [(t, supply_left(checked, t)) for t, _ in rows]
    some = [(t, x) for t, x in left if stepped and x > 0]
    full = [row for row in rows if row[0] not in dict(some)]
    out = []
    if full:
        out.append(f"Supply is fully allocated in {_periods(full)} ({_amounts(full)}){tail}.")
    if some:
        out.append(
            f"Supply is used up in {_periods(some)}, with less than one step "
            f"({portfolio.granularity.one_step()}) left ({_amounts(some)}){tail}."
        )
    return out


def partner_uncertain_line(portfolio: Portfolio, deal: DealFigures) -> str:
    """One deal's documents: its partner's figures given as distributions count at their
    means (DESIGN.md), so "should accept" holds at the means only; empty when none is.

    A concession's cost counts only where the package grants it (at that level, or at an
    amount its levels are interpolated for): the cost of a level not granted is in no
    figure of the package."""
    from dealbench.model.uncertain import short, uncertain_figures

    code = deal.partner
    partner = portfolio.partner(code)
    figures = uncertain_figures(partner) if partner is not None else []
    figures = [f for f in figures if in_package(partner, deal, f.field)]
    if not figures:
        return ""
    listed = ", ".join(f"{f.field} ({f.distribution}; mean {short(f.mean)})" for f in figures)
    return (
        f"Uncertain figures count at their means in this package: {code}'s {listed}. The "
        f"margins hold at the means only; the command dealbench risk estimates how often "
        f"{code} accepts."
    )


def in_package(partner: Partner | None, deal: DealFigures, field: str) -> bool:
    """Whether an uncertain figure (`concessions.ID.LEVEL.partner_cost`, ...) enters the
    package's figures: every figure does but the costs of concessions, or levels, not
    granted."""
    if partner is None or not field.startswith("concessions."):
        return True
    for cid, granted in deal.concessions.items():
        if field == f"concessions.{cid}.partner_cost":  # a yes/no term, granted
            return True
        concession = partner.concession(cid)
        level = None if granted is True or concession is None else concession.option(str(granted))
        if field.startswith(f"concessions.{cid}.") and (
            level is None or field == f"concessions.{cid}.{level.id}.partner_cost"
        ):
            return True  # the level granted, or an amount between levels
    return False


def verdict(deal: DealFigures, *, agreed: bool = False) -> str:
    """One sentence: would both sides sign, and does the package keep every limit?

    `agreed`: the terms a concluded round records. The Partner has signed them, so it
    "has agreed" where the figures say it "should accept", and "agreed, though" it would
    refuse on these figures."""
    short = deal.acceptance_threshold - deal.partner_utility
    refuses = (
        f"refuse: its partner utility, {money(deal.partner_utility)}, falls {money(short)} "
        f"short of its walk-away value plus the required margin "
        f"({money(deal.acceptance_threshold)})."
    )
    if deal.violations:
        lines = broken_messages(deal.violations)
        broken = f"The package breaks {plural(len(lines), 'limit')}: " + "; ".join(lines) + "."
        # Both, when both: the limits alone read as if the partner would sign otherwise,
        # and as if the United States would gain (a corridor's VN counter over a cap:
        # -$250.0m to the US, $50.0m below its walk-away value, unsaid, and no full stop).
        also = "" if deal.accepts else f" {deal.partner_in_text(start=True)} would also {refuses}"
        if deal.us_margin < 0:
            also += (
                f" The United States would be {money(-deal.us_margin)} better off without "
                "this deal."
            )
        return broken + also
    if not deal.accepts:
        if agreed:
            return f"{deal.partner_in_text(start=True)} agreed, though on these figures it would {refuses}"
        return f"{deal.partner_in_text(start=True)} would {refuses}"
    accepts = "agreed" if agreed else "would accept"
    if deal.us_margin < 0:
        return (
            f"{deal.partner_in_text(start=True)} {accepts}, but the United States would be "
            f"{money(-deal.us_margin)} better off without this deal."
        )
    partner_side = (
        "it is held to its walk-away value plus the required margin"
        if deal.partner_margin <= MARGIN_TOL
        else f"{money(deal.partner_margin)} over its walk-away value and the required margin"
    )
    return (
        f"{deal.partner_in_text(start=True)} {'has agreed' if agreed else 'should accept'} ({partner_side}), "
        f"and the United States gains "
        f"{money(deal.us_margin)} over its walk-away value."
    )


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
        full = _most_compute(portfolio, partner, levels, checked, capped=False)
        unsupplied = _most_compute(
            portfolio, partner, levels, checked, capped=False, supplied=False
        )
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
            f"{_basis(portfolio, partner, best.security)})"
            if cap is not None
            else "its ask"
        )
        return (
            f"{code}: {limit} prevents a deal. Even the most compute it allows, with no "
            f"commitment at all, gives {partner.in_text()} a partner utility of "
            f"{money(best.partner_utility)}, {money(best.acceptance_threshold - best.partner_utility)}"
            f" short of its walk-away value plus the required margin."
        )
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
