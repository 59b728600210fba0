"""Why there is no answer, in the user's words.

`explain_infeasible` re-solves DESIGN.md's plain model with penalised slack on
named groups of constraints (`optimize.explain.slack_model`) — each partner's acceptance, each
cap (tier and security level), the supply of each period, the risk budget, each `requires`
and `excludes`, and what the user asked for (a V floor, a required deal) — and
reports the smallest set of groups to relax, with amounts. Each relaxed group
costs 1 (a user's request 1,000, so it is dropped only when no limit can give);
amounts, scaled by each group's size, break ties. Up to two other sets of the
same size are reported as alternatives.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from dealbench.figures import usd as money
from dealbench.figures import usd_at_most as money_at_most
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.data import Explanation, Relaxation
from dealbench.optimize.explain.slack_model import SlackGroup, SlackModel
from dealbench.optimize.formulation import Mode
from dealbench.optimize.result import SolveResult, Status

__all__ = ["explain_infeasible", "raise_explained"]


#: What relaxing one group costs when looking for a remedy: a limit 1, a partner's
#: acceptance (being paid more) 100, what the user asked for 1,000 — so the remedy is
#: a change of limits whenever one exists.
REMEDY_COSTS: dict[str, float] = {
    "cap": 1.0,
    "supply": 1.0,
    "risk-budget": 1.0,
    "requires": 1.0,
    "requires-security": 1.0,
    "excludes": 1.0,
    "acceptance": 100.0,
    "v-floor": 1_000.0,
    "required-deal": 1_000.0,
}
#: The groups that state the shortfall: how far acceptance or the V floor is out of reach.
SHORTFALL_COSTS: dict[str, float] = {"acceptance": 1.0, "v-floor": 1.0}


#: The search for limits to raise instead of a V floor runs on portfolios of at most this
#: many (partner, period) amounts: DESIGN.md's plain model with a slack on every group
#: does not finish within minutes at bench size M (50 partners x 12 periods), where the
#: floor's exact shortfall (one us-best solve) is the answer given.
SEARCH_MAX_AMOUNTS = 240


def amount_count(pf: Portfolio) -> int:
    return len(pf.partners) * len(pf.periods)


def explain_infeasible(
    portfolio: Portfolio,
    mode: Mode = "us-best",
    v_floor: float | None = None,
    require: Sequence[str] = (),
    *,
    time_limit: float | None = 25.0,
    alternatives: int = 2,
) -> Explanation:
    """The smallest set of limits (or requests) to relax so that a package exists.

    A V floor's shortfall is exact: the best US utility (one us-best solve) against the
    floor. The search for the smallest set of limits is given `time_limit` seconds; a
    set it cannot prove smallest in time is not offered, and lowering the floor (to the
    best US utility, exactly) is the remedy then.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    if mode in ("nash", "kalai"):
        # Their packages are us-best's (partners without a zone of agreement only lose
        # deals, which never makes a required deal harder): the same limits decide.
        mode = "us-best"
    head, floor_fix = _floor_shortfall(portfolio, mode, v_floor, require)
    if floor_fix is not None and amount_count(portfolio) > SEARCH_MAX_AMOUNTS:
        # The floor's shortfall is exact; the search for limits to raise instead is not
        # run where it cannot finish (a size rule, so the answer is the same every run).
        return Explanation(f"{head}: {floor_fix.message}", [floor_fix])
    if mode == "us-best" and require:
        # Without a floor, partners not required can always go without a deal: only
        # the required ones (and the limits they share) can make the request impossible.
        keep = set(require)
        portfolio = portfolio.model_copy(
            update={"partners": [p for p in portfolio.partners if p.code in keep]}
        )
    if head is None:
        short = SlackModel(portfolio, mode, v_floor, require, SHORTFALL_COSTS)
        found = short.solve(deadline)
        head = "; ".join(short.shortfall(g) for g in found or [])
    head = head or "no set of packages satisfies every limit"
    if mode == "us-best" and require:  # a required partner that can receive nothing
        said = [no_compute(portfolio, p) for p in portfolio.partners if p.code in require]
        head = "; ".join([*(n for n in said if n is not None), head])
    model = SlackModel(portfolio, mode, v_floor, require, REMEDY_COSTS)
    first = model.solve(deadline)
    if first is None:
        relax = [floor_fix] if floor_fix is not None else []
        change = " and ".join(r.message for r in relax)
        return Explanation(f"{head}: {change}" if change else head, relax)
    sets = [[model.words(g) for g in first]]  # read now: the next solve moves the values
    last: list[SlackGroup] | None = first
    cost = sum(g.cost for g in first)
    while len(sets) <= alternatives and last is not None:
        model.forbid(last)
        last = model.solve(deadline)
        if last is None or sum(g.cost for g in last) > cost + 1e-9:
            break
        sets.append([model.words(g) for g in last])
    if floor_fix is not None and [r.kind for r in sets[0]] == ["v-floor"]:
        sets[0] = [floor_fix]  # the exact amount, from the us-best solve
    change = " and ".join(r.message for r in sets[0])
    return Explanation(f"{head}: {change}" if change else head, sets[0], sets[1:])


def _floor_shortfall(
    pf: Portfolio, mode: Mode, v_floor: float | None, require: Sequence[str]
) -> tuple[str | None, Relaxation | None]:
    """How far a V floor is above the best US utility any packages give (one solve)."""
    from dealbench.optimize.solve import solve

    if mode != "partner-best" or v_floor is None:
        return None, None
    best = solve(pf, "us-best", require=require)
    if best.status != Status.OPTIMAL or best.us_value is None:
        return None, None
    gap = v_floor - best.us_value
    head = (
        f"the most US utility any set of packages within the limits gives is "
        f"{money(best.us_value, apart=v_floor)}, {money(gap)} below the floor of "
        f"{money(v_floor, apart=best.us_value)}"
    )
    fix = Relaxation(
        "v-floor",
        f"lower the US utility floor from {money(v_floor)} to {money_at_most(best.us_value)}",
        limit=v_floor,
        amount=gap,
    )
    return head, fix


def no_compute(portfolio: Portfolio, p: Partner) -> str | None:
    """Why `p` can receive no compute in `portfolio` whatever the limits, if it cannot:
    the first thing to say of a deal with it that cannot be made."""
    if p.tier == 3:
        return f"{p.code} is tier 3 and receives no compute under any deal"
    if not any(p.ask.get(t, 0.0) > 0 for t in portfolio.periods):
        # A partner file serves several horizons: its asks may all lie beyond this one.
        return (
            f"{p.code} asks for no compute in this portfolio's periods "
            f"({', '.join(portfolio.periods)})"
        )
    return None


def raise_explained(
    portfolio: Portfolio,
    result: SolveResult,
    *,
    mode: Mode = "us-best",
    v_floor: float | None = None,
    require: Sequence[str] = (),
) -> SolveResult:
    """`result` when it has packages; else its error, an infeasible one explained (the
    smallest set of limits to relax, with amounts) as every shell reports it."""
    from dealbench.errors import InfeasibleError
    from dealbench.optimize.result import Status

    if result.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        return result
    if result.status == Status.INFEASIBLE:
        explanation = explain_infeasible(portfolio, mode, v_floor, require)
        raise InfeasibleError(explanation.message, explanation.lines(), explanation.as_dict())
    return result.raise_for_status()
