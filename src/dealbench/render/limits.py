"""The limits a deal or a portfolio sits on, and the verdicts on them, in plain words
(why a partner gets no deal at all is `render.no_deal`).

Computed from the checked figures alone (no solver), so a hand-written package
and the optimizer's answer are described the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dealbench.checker import DealFigures, PortfolioCheck
from dealbench.checker.tolerance import at_limit, in_full
from dealbench.checker.used_up import (
    NoDealWhy,
    risk_used_up_line,
    supply_wanted,
    unknown_why,
    used_up,
)
from dealbench.figures import shown
from dealbench.limit import broken_messages, no_supply_line
from dealbench.list_words import and_list
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.result import SolveResult, raised_walk_away
from dealbench.render.filters import exact_total, h100e, money, periods_said, plural

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
            f"({h100e(capped[0][1])} H100e{basis_note(portfolio, partner, deal.security)}) in "
            f"{_periods(capped)}{_whole(portfolio, capped)}, "
            "less than it asks for."
        )
    if abs(deal.partner_margin) <= MARGIN_TOL:
        out.append(
            f"{deal.partner} is held to its walk-away value: its partner utility "
            + held_words(
                [deal.partner_margin],
                f"its walk-away value plus the required margin "
                f"({money(deal.acceptance_threshold)})",
            )
            + "."
        )
    return out


def held_words(margins: Sequence[float], threshold: str) -> str:
    """How the partner utility of deals held to the walk-away value (within MARGIN_TOL)
    stands to `threshold` (the words for it), as their partner `margins` print: `equals
    ...` where each reads $0, else `exceeds ... by only $22,100` (one deal) or `by at most`
    the largest: never "equals" beside a margin printed as +$22,100."""
    largest = max(margins)
    if largest <= 0 or money(largest) == money(0.0):
        return f"equals {threshold}"
    by = "only" if len(margins) == 1 else "at most"
    return f"exceeds {threshold} by {by} {money(largest)}"


def raised_held(
    result: SolveResult | None, deals: Sequence[DealFigures], partner: str | None = None
) -> list[str]:
    """The partners a robust solve (`solve --robust`) holds to their walk-away value raised
    for acceptance in its share of the samples, as its result's `binding` names them: the
    deals, checked at the walk-away values as written, clear those by the raise, so only
    the result's acceptance limits say it. With `partner`, only that partner's."""
    if result is None or result.robust is None:
        return []
    held = {d.partner for d in deals if abs(d.partner_margin) <= MARGIN_TOL}
    raised = [
        b
        for b in result.binding
        if b.kind == "acceptance"
        and b.partner not in held
        and partner in (None, b.partner)
        and b.limit is not None
        and b.amount is not None
    ]
    if not raised:
        return []
    one = len(raised) == 1
    whose, are, each = ("its", "is", "its") if one else ("their", "are", "each one's")
    margins = [b.amount - b.limit for b in raised if b.amount is not None and b.limit is not None]
    return [
        f"{and_list([b.partner or '' for b in raised])} {are} held to "
        f"{raised_walk_away(result.robust.level, whose)}: "
        f"{each} partner utility "
        f"{held_words(margins, 'that value plus the required margin')}."
    ]


def basis_note(portfolio: Portfolio, partner: Partner, level: str) -> str:
    """`, a quarter of the policy's 600,000 H100e a year` where the cap is pro-rated, to
    follow its amount in brackets; else nothing."""
    basis = portfolio.cap_basis(partner, level)
    return f", {basis}" if basis else ""


#: H100e: an amount this far below a limit is below it, not on it (float noise is less).
BELOW_TOL = 1e-6


def _whole(portfolio: Portfolio, rows: list[tuple[str, float, float]]) -> str:
    """` in whole B200 chips` where a limit is met in whole units below what it says, else
    nothing. Below it, however it prints: an ask of 40,000 H100e met at 17,591 B200
    (39,999.75 H100e) prints 40,000, and "receives its full ask (40,000 H100e)" alone said
    that it receives the 40,000 (qa26fresh's MX). Compute decided continuously is in no
    whole unit."""
    if portfolio.granularity.h100e <= 0 or all(x >= limit - BELOW_TOL for _, x, limit in rows):
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
    why: Callable[[str], NoDealWhy | None] = unknown_why,
) -> list[str]:
    """Supply and risk-budget limits that bind (`used_up.used_up`: used, or what is left
    is less than a step); with `partner`, only those that touch it. A supply used in full
    binds only where someone wants more of it (`used_up.supply_wanted`, `why` a partner
    has no deal: `Source.no_deal_reason`, unknown by default).

    The periods whose supply is fully allocated are one line, not one each; those with less
    than a step left, another.
    """
    out = []
    deal = next((d for d in checked.deals if d.partner == partner), None)
    full: list[tuple[str, float]] = []
    shared: list[tuple[str, float]] = []
    alone: list[tuple[str, float]] = []
    none: list[str] = []  # periods without supply, where a deal (this one) asks for some
    full_periods, risk_used_up = used_up(portfolio, checked, step)
    # A limit the packages overrun is broken, not binding: "Limits broken" says so.
    over = {v.period for v in checked.violations if v.kind == "supply"}
    for t, supply in checked.supply.items():
        if t not in full_periods or t in over:
            continue
        if supply > COMPUTE_TOL and not supply_wanted(
            portfolio, checked.deals, checked.no_deal, t, why
        ):
            continue  # every deal's full ask (or cap) takes it, and no one else wants it
        if supply <= COMPUTE_TOL:  # none to allocate: what holds a deal that asks at 0
            if partner is None or (deal is not None and _asks_in(portfolio, deal, t)):
                none.append(t)
        elif partner is None:
            full.append((t, supply))
        elif deal is not None and deal.compute.get(t, 0.0) > COMPUTE_TOL:
            others = any(
                d.compute.get(t, 0.0) > COMPUTE_TOL for d in checked.deals if d.partner != partner
            )
            (shared if others else alone).append((t, supply))
    out += _supply_lines(portfolio, checked, full, "")
    if none:
        out.append(no_supply_line(periods_said(None, none), partner))
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


def _asks_in(portfolio: Portfolio, deal: DealFigures, period: str) -> bool:
    """Whether `deal` would take compute in `period`: its partner asks for some there and
    its security level's cap allows some."""
    partner = portfolio.partner(deal.partner)
    if partner is None or portfolio.ask(partner, period) <= COMPUTE_TOL:
        return False
    cap = portfolio.level_cap(partner, deal.security)
    return cap is None or cap > COMPUTE_TOL


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
    listed = ", ".join(f"{f.label} ({f.distribution}; mean {short(f.mean)})" for f in figures)
    return (
        f"Uncertain figures count at their means in this package: {code}'s {listed}. The "
        f"margins hold at the means only; the command dealbench risk estimates how often "
        f"{code} accepts."
    )


def in_package(partner: Partner | None, deal: DealFigures, field: str) -> bool:
    """Whether an uncertain figure (`concessions.ID.levels.LEVEL.partner_cost`, ...) enters the
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
            level is None or field == f"concessions.{cid}.levels.{level.id}.partner_cost"
        ):
            return True  # the level granted, or an amount between levels
    return False


def verdict(deal: DealFigures, *, side: str | None = None) -> str:
    """One sentence: would both sides sign, and does the package keep every limit?

    `side`: what the package is (`render.naming.side_word`). The terms a concluded round
    records (`agreed`): the Partner has signed them, so it "has agreed" where the figures
    say it "should accept", and "agreed, though" it would refuse on these figures. The
    Partner's own `counter`: it proposed the terms, so whether it "should accept" them is
    no question; the verdict says what the counter gives each side against its walk-away
    value (`counter_gives`)."""
    agreed = side == "agreed"
    if side == "counter":
        said = broken_messages(deal.violations)
        limits = (
            f"The package breaks {plural(len(said), 'limit')}: " + "; ".join(said) + ". "
            if said
            else ""
        )
        return limits + counter_gives(deal)
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


def counter_gives(deal: DealFigures) -> str:
    """What a partner's counter gives each side against its walk-away value, in one
    sentence: the Partner against its walk-away value plus the required margin (as our
    figures for it value the terms), the United States against its own."""
    partner = deal.partner_in_text()
    if not deal.accepts:
        theirs = (
            f"{partner} {money(deal.acceptance_threshold - deal.partner_utility)} less than "
            "its walk-away value plus the required margin, as our figures for it value the terms"
        )
    elif deal.partner_margin <= MARGIN_TOL:
        theirs = f"{partner} its walk-away value plus the required margin, and no more"
    else:
        theirs = (
            f"{partner} {money(deal.partner_margin)} over its walk-away value and the "
            "required margin"
        )
    ours = (
        f"the United States {money(deal.us_margin)} over its walk-away value"
        if deal.us_margin >= 0
        else f"the United States {money(-deal.us_margin)} less than its walk-away value"
    )
    return f"The counter gives {theirs}, and {ours}."
