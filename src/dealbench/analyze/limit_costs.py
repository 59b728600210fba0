"""What each binding limit costs the United States: the optimum re-solved with it lifted.

A shadow price says what one more unit of a limit is worth, with today's
choices fixed; principals also ask what the whole limit costs. For each limit
the optimum sits on (each period's supply, the risk budget, each partner's cap
under its deal's security level), and for each limit that keeps a partner out of
any deal it accepts though the packages do not sit on it (`blocking`: a budget
used to 40% that the left-out deal would overrun), the portfolio is solved again without it
(supply up to every partner's ask, no budget, no cap) and the cost is the
difference in US utility, both figures `check`'s. Marginal prices come from
`dealbench.analyze.prices.shadow_prices` when that module is present.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.limits import limit_basis
from dealbench.analyze.packages import describe_changes, described_in_titles, signature
from dealbench.analyze.parallel import Executor
from dealbench.analyze.solves import SolveOptions, solve_all
from dealbench.checker.tolerance import at_limit
from dealbench.checker.used_up import used_up
from dealbench.figures import quantity, shown
from dealbench.list_words import and_list
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.optimize.reasons import NoDeal

__all__ = [
    "LimitCost",
    "binding",
    "blocking",
    "cap_limit_name",
    "limit_costs",
    "limit_unit",
    "marginal_prices",
]


class LimitCost(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="supply | risk-budget | cap")
    name: str = Field(description="The limit in words")
    period: str | None = None
    partner: str | None = None
    level: str | None = None
    limit: float = Field(description="H100e (risk-weighted for the budget)")
    us_value: float | None = Field(description="US utility with the limit lifted (check's)")
    cost: float | None = Field(description="US utility the limit costs: lifted minus now")
    usd_per_unit: float | None = Field(default=None, description="Shadow price, when available")
    price_warnings: list[str] = Field(
        default_factory=list,
        description="Where the full model one step away does not follow the shadow price",
    )
    changes: list[str] = Field(default_factory=list, description="What lifting it changes")
    changes_in_titles: list[str] = Field(
        default_factory=list,
        description="The same, each partner, concession and level by its title (for documents)",
    )
    blocks: list[str] = Field(
        default_factory=list,
        description="Partners it keeps from a deal, for a limit the packages do not sit on",
    )
    compute_moves: bool = Field(
        default=True, description="Lifting it moves some deal's compute (by half an H100e or more)"
    )
    compute_changes: list[str] = Field(
        default_factory=list,
        description="How lifting it moves the compute of the deals it keeps, in words (`QA "
        "+205,700 H100e`), the largest moves first; a deal gained or lost is in `changes`",
    )
    compute_in_titles: list[str] = Field(
        default_factory=list,
        description="The same as one sentence for documents, each partner by its name",
    )


def binding(pf: Portfolio, result: SolveResult) -> list[dict[str, Any]]:
    """The limits the optimum sits on, each with how to lift it: supply and the risk
    budget when used up (`used_up.used_up`: what is left is less than a step takes, the
    rule `solve` and the memos' "Limits that bind" read), a cap when a deal's compute
    sits on it in whole units (`tolerance.at_limit`)."""
    out: list[dict[str, Any]] = []
    full, risk_used_up = used_up(pf, result, result.compute_step)
    for t in pf.periods:
        if t in full:
            supply = pf.supply[t]
            out.append({"kind": "supply", "period": t, "limit": supply, "name": f"Supply in {t}"})
    budget = pf.risk_budget
    if budget is not None and risk_used_up:
        out.append({"kind": "risk-budget", "limit": budget, "name": "The risk budget"})
    for deal in result.deals:
        partner = pf.partner(deal.partner)
        assert partner is not None
        cap = pf.level_cap(partner, deal.security)
        on = [
            t
            for t, x in deal.compute.items()
            if cap is not None and cap > 0 and at_limit(pf, x, cap)
        ]
        if cap is not None and on:
            out.append(
                {
                    "kind": "cap",
                    "partner": deal.partner,
                    "level": deal.security,
                    "period": ", ".join(on),
                    "limit": cap,
                    "name": cap_limit_name(pf, partner, deal.security),
                }
            )
    return out


def cap_limit_name(pf: Portfolio, partner: Partner, level: str) -> str:
    """A cap as a limit of the portfolio: `AE: the tier 2 cap under veu`, and, where the
    portfolio pro-rates the policy's (`Portfolio.cap_basis`), how: `(a quarter of the
    policy's 600,000 H100e a year)`, as the binding line and an explanation say it."""
    basis = pf.cap_basis(partner, level)
    said = f" ({basis})" if basis else ""
    return f"{partner.code}: {pf.cap_name(partner, level)}{said}"


def limit_unit(pf: Portfolio, cost: LimitCost) -> str:
    """What one unit of the limit is: a risk-weighted H100e of the budget, an H100e of
    supply, an H100e of a cap per the period it holds where pro-rated from the policy's
    (`H100e a quarter`: one more in each quarter the deal sits on it)."""
    if cost.kind == "risk-budget":
        return "risk-weighted H100e"
    return f"H100e a {pf.policy.caps_per}" if limit_basis(pf, cost) else "H100e"


def blocking(pf: Portfolio, result: SolveResult) -> list[dict[str, Any]]:
    """The limits the packages do not sit on that keep a partner from any deal it accepts
    (`why_no_deal`'s relaxations: a risk budget, a period's supply, a cap), each with the
    partners it blocks. A budget used to 40% can still cost billions: the deal it keeps
    out would take more than is left."""
    sat_on = {_key(lim) for lim in binding(pf, result)}
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for no_deal in _no_deal_reasons(pf, result):
        for r in no_deal.relax:
            # A relaxation of a partner explained alone names no partner: it is its own.
            lim = _limit_of(pf, r.kind, r.period, r.partner or no_deal.partner, r.level)
            if lim is None or _key(lim) in sat_on:
                continue
            entry = found.setdefault(_key(lim), {**lim, "blocks": []})
            if no_deal.partner not in entry["blocks"]:
                entry["blocks"].append(no_deal.partner)
    return list(found.values())


def _no_deal_reasons(pf: Portfolio, result: SolveResult) -> list[NoDeal]:
    """Why each partner without a deal has none: as the result carries them, where it
    explains every one (`compare --out` and `solve` explain each once, and the memos say
    those reasons), else worked out here (`why_no_deal`). Each principals memo worked them
    out a second time, seconds of re-solves a regime, for the same answer."""
    from dealbench.optimize.explain.no_deal import why_no_deal

    carried = {r.partner: r for r in result.no_deal_reasons or [] if r.explained}
    codes = [code for code in result.no_deal if pf.partner(code) is not None]
    if result.no_deal_reasons is not None and all(code in carried for code in codes):
        return [carried[code] for code in codes]
    return why_no_deal(pf, result)


def _limit_of(
    pf: Portfolio, kind: str, period: str | None, partner: str | None, level: str | None
) -> dict[str, Any] | None:
    """A limit of `binding`'s form from a relaxation's fields (None: not a limit here)."""
    if kind == "supply" and period in pf.supply:
        return {
            "kind": "supply",
            "period": period,
            "limit": pf.supply[period],
            "name": f"Supply in {period}",
        }
    if kind == "risk-budget" and pf.risk_budget is not None:
        return {"kind": "risk-budget", "limit": pf.risk_budget, "name": "The risk budget"}
    p = pf.partner(partner or "")
    if kind == "cap" and p is not None and level is not None:
        cap = pf.level_cap(p, level)
        if cap is not None:
            return {
                "kind": "cap",
                "partner": p.code,
                "level": level,
                "period": period,
                "limit": cap,
                "name": cap_limit_name(pf, p, level),
            }
    return None


def _key(lim: dict[str, Any]) -> tuple[Any, ...]:
    if lim["kind"] == "cap":
        return ("cap", lim["partner"], lim["level"])
    return (lim["kind"], lim.get("period"))


def lifted(pf: Portfolio, limit: dict[str, Any]) -> Portfolio:
    """`pf` without one limit."""
    if limit["kind"] == "supply":
        room = sum(p.ask.get(limit["period"], 0.0) for p in pf.partners)
        supply = {**pf.supply, limit["period"]: max(room, pf.supply[limit["period"]])}
        return pf.model_copy(update={"supply": supply})
    if limit["kind"] == "risk-budget":
        return pf.model_copy(update={"risk_budget": None, "no_risk_budget": True})
    # A cap that keeps the partner from a deal is lifted under every level it can meet, as
    # `why_no_deal` lifts them to find the deal worth having: the least raise that gives a
    # deal may be under another level than the best deal's (`limit_costs` names the one
    # its deal takes).
    from dealbench.optimize.explain.no_deal import caps_lifted

    levels = [limit["level"]] if "blocks" not in limit else None
    return caps_lifted(pf, limit["partner"], levels)


def _taken(pf: Portfolio, lim: dict[str, Any], free: SolveResult) -> dict[str, Any]:
    """A blocking cap, named at the level of the deal that lifting it gives its partner
    (as `lifted` lifts the partner's caps under every level)."""
    if lim["kind"] != "cap" or "blocks" not in lim:
        return lim
    deal = free.deal(lim["partner"])
    partner = pf.partner(lim["partner"])
    if deal is None or partner is None or deal.security == lim["level"]:
        return lim
    cap = pf.level_cap(partner, deal.security)
    if cap is None:
        return lim
    return {
        **lim,
        "level": deal.security,
        "limit": cap,
        "name": cap_limit_name(pf, partner, deal.security),
    }


def marginal_prices(pf: Portfolio, result: SolveResult) -> tuple[Any | None, str | None]:
    """The shadow prices of `result` and None, or None and why they are missing.

    Each limit is also re-solved one step up and down (`compare`), so that a price the
    discrete choices make misleading carries its warning, as `solve --prices` gives it:
    a memo must not print an LP price of $4,160 per H100e where one step more of supply
    gains $54,160 per H100e."""
    try:
        from dealbench.analyze.prices import shadow_prices  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None, "this build lacks dealbench.analyze.prices, the shadow-price module"
    try:
        return shadow_prices(pf, result, compare=True), None
    except Exception as exc:  # a price that cannot be computed must not sink the memo
        return None, f"shadow prices could not be computed: {exc}"


def priced(task: tuple[Portfolio, SolveResult]) -> tuple[Any | None, str | None]:
    """`marginal_prices` of one (portfolio, result), as a task for an executor."""
    return marginal_prices(*task)


def limit_costs(
    pf: Portfolio,
    result: SolveResult,
    *,
    options: SolveOptions | None = None,
    executor: Executor | None = None,
    prices: Any | None = None,
) -> list[LimitCost]:
    """Each binding limit, then each limit that keeps a partner from a deal (`blocking`),
    with its cost (a re-solve without it) and its price (if given)."""
    limits = binding(pf, result) + blocking(pf, result)
    results = solve_all([lifted(pf, lim) for lim in limits], options, executor, chain=1)
    codes = [p.code for p in pf.partners]
    out = []
    for lim, free in zip(limits, results, strict=True):
        lim = _taken(pf, lim, free)
        # A limit the packages do not sit on is listed only where lifting it really
        # gives a partner it kept out a deal: one it would accept may not be worth
        # having (a cap lifted at a level whose risk costs more than the deal brings).
        blocks = [code for code in lim.get("blocks", []) if free.deal(code) is not None]
        if "blocks" in lim and not blocks:
            continue
        moves = kept_deals_moves(result, free)
        value = free.us_value
        cost = None if value is None or result.us_value is None else value - result.us_value
        out.append(
            LimitCost(
                kind=lim["kind"],
                name=lim["name"],
                period=lim.get("period"),
                partner=lim.get("partner"),
                level=lim.get("level"),
                limit=lim["limit"],
                us_value=value,
                cost=cost,
                usd_per_unit=_price(prices, lim),
                price_warnings=_warnings(prices, lim),
                changes=describe_changes(signature(result), signature(free), codes),
                changes_in_titles=described_in_titles(signature(result), signature(free), pf),
                compute_moves=_compute_moves(result, free),
                compute_changes=[f"{code} {_signed(delta)}" for code, delta in moves],
                compute_in_titles=_moves_in_titles(pf, moves),
                blocks=blocks,
            )
        )
    return out


def _price(prices: Any | None, lim: dict[str, Any]) -> float | None:
    if prices is None:
        return None
    if lim["kind"] == "supply":
        value = prices.supply.get(lim["period"])
        return None if value is None else float(value)
    if lim["kind"] == "risk-budget":
        return None if prices.risk_budget is None else float(prices.risk_budget)
    rates = [
        c.usd_per_h100e
        for c in prices.caps
        if c.partner == lim["partner"] and c.level == lim["level"]
    ]
    # One more H100e of cap is one more in every period the deal sits on it.
    return sum(rates) if rates else None


def _compute_moves(before: SolveResult, after: SolveResult) -> bool:
    """Whether any deal's compute in any period differs by half an H100e or more."""

    def schedule(r: SolveResult) -> dict[tuple[str, str], float]:
        return {(d.partner, t): x for d in r.deals for t, x in d.compute.items()}

    a, b = schedule(before), schedule(after)
    return any(abs(a.get(k, 0.0) - b.get(k, 0.0)) >= 0.5 for k in set(a) | set(b))


#: A document names this many of the deals kept whose compute moves, the largest moves first;
#: the others are counted, with their sum.
MOVES_NAMED = 4


def kept_deals_moves(before: SolveResult, after: SolveResult) -> list[tuple[str, Decimal]]:
    """Each deal in both results whose compute over the horizon moves as printed (`shown`),
    largest move first: (partner, H100e more or less). Lifting a limit moves compute as
    much as terms (the global risk budget: QA +205,700, IL +97,500, JP +73,300, ...), and a
    reader told only of the terms that change would take them for all of its cost."""
    moved = []
    for a in before.deals:
        b = after.deal(a.partner)
        if b is None:
            continue
        delta = shown(b.total_compute) - shown(a.total_compute)
        if delta:
            moved.append((a.partner, delta))
    return sorted(moved, key=lambda m: -abs(m[1]))


def _signed(delta: Decimal) -> str:
    """+205,700 H100e, -1,600 H100e."""
    return f"{'+' if delta > 0 else '-'}{quantity(abs(float(delta)))} H100e"


def _moves_in_titles(pf: Portfolio, moves: list[tuple[str, Decimal]]) -> list[str]:
    """`kept_deals_moves` as one sentence of a principal's document: "Compute of the deals
    kept: Qatar (QA) +205,700 H100e, ... and 10 others (+97,000 H100e together)"."""
    if not moves:
        return []

    def name(code: str) -> str:
        partner = pf.partner(code)
        return f"{partner.name} ({code})" if partner is not None else code

    named = [f"{name(code)} {_signed(delta)}" for code, delta in moves[:MOVES_NAMED]]
    rest = moves[MOVES_NAMED:]
    if rest:
        together = sum((delta for _, delta in rest), Decimal(0))
        net = f"{_signed(together)} together" if together else "0 H100e net"
        named.append(f"{len(rest)} other{'s' if len(rest) > 1 else ''} ({net})")
    return [f"Compute of the deals kept: {and_list(named)}"]


def _warnings(prices: Any | None, lim: dict[str, Any]) -> list[str]:
    """The prices' warnings about `lim` (a cap's, in each period the deal sits on it)."""
    if prices is None:
        return []
    mine = [
        p
        for p in prices.limits
        if p.kind == lim["kind"]
        and (
            (lim["kind"] == "supply" and p.period == lim["period"])
            or lim["kind"] == "risk-budget"
            or (lim["kind"] == "cap" and (p.partner, p.level) == (lim["partner"], lim["level"]))
        )
    ]
    said = [p.warning_titled or p.warning for p in mine if p.warning]
    # Past a price's range the full model may lose far more than the price says (a cliff
    # where today's choices no longer fit): the memo says so as `solve --prices` does.
    past = [(p, p.past_words(titled=True, cliffs=True)) for p in mine]
    return said + [f"{_past_name(p)}: {words[0].lower()}{words[1:]}" for p, words in past if words]


def _past_name(price: Any) -> str:
    """The limit a past-the-range note is about, as the warnings name it."""
    from dealbench.analyze.prices import limit_name

    return str(limit_name(price))
