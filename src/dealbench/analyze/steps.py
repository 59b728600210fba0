"""The full model re-solved with one limit moved one step, to test an LP price against.

Supply and the risk budget are fields of the portfolio. A cap of one partner in
one period is not (a policy caps a whole tier under a level), so the step
re-solves a portfolio whose `cap` gives that partner and period the moved cap;
the policy's cap for the tier is raised with it (never lowered), so that the
checker, which reads the policy, accepts what the solver was allowed to do and
still holds every other deal to caps at least as loose as the solver's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dealbench.analyze.fixed_lp import LimitRow
from dealbench.model.schema import Partner, Portfolio
from dealbench.optimize.result import SolveResult, Status


@dataclass(frozen=True)
class StepResolve:
    """The full model one step away: US value per unit of the step, and what changed."""

    rate: float | None
    objective: float | None
    changes: list[str] = field(default_factory=list)


def resolve_one_step(
    portfolio: Portfolio,
    result: SolveResult,
    limit: LimitRow,
    step: float,
    tick: Callable[[], None] | None = None,
    **options: Any,
) -> tuple[StepResolve | None, StepResolve | None]:
    """Re-solve with `limit` one step up, and one step down when it is at least a step."""
    from dealbench.optimize import solve

    base = result.us_value
    assert base is not None
    out: list[StepResolve | None] = []
    for sign in (1.0, -1.0):
        amount = limit.value + sign * step
        if amount < 0:
            out.append(None)
        else:
            moved = moved_limit(portfolio, limit, amount)
            # Cold: a warm start from `result` has been seen to return a worse
            # "optimal" portfolio after a cut (see docs/decisions.md, "Shadow prices").
            again = solve(moved, **options)
            if again.status in (Status.OPTIMAL, Status.TIME_LIMIT) and again.us_value is not None:
                rate = (again.us_value - base) / step * sign
                out.append(StepResolve(rate, again.us_value, choice_changes(result, again)))
            else:
                out.append(StepResolve(None, None, [again.message or again.status.value]))
        if tick is not None:
            tick()
    return out[0], out[1]


def moved_limit(portfolio: Portfolio, limit: LimitRow, amount: float) -> Portfolio:
    """`portfolio` with one limit at `amount`."""
    if limit.kind == "supply":
        assert limit.period is not None
        return portfolio.model_copy(update={"supply": {**portfolio.supply, limit.period: amount}})
    if limit.kind == "risk-budget":
        return portfolio.model_copy(update={"risk_budget": amount})
    assert limit.partner is not None and limit.level is not None and limit.period is not None
    partner = portfolio.partner(limit.partner)
    assert partner is not None
    override = dict(getattr(portfolio, "cap_overrides", {}))
    override[limit.partner, limit.level, limit.period] = amount
    policy = portfolio.policy
    tiers = {f"tier{i}": getattr(policy.caps, f"tier{i}") for i in (1, 2, 3)}
    key = f"tier{partner.tier}"
    current = tiers[key]
    as_dict = (
        dict(current) if isinstance(current, dict) else dict.fromkeys(policy.level_ids, current)
    )
    if limit.level in as_dict:
        as_dict[limit.level] = max(as_dict[limit.level], amount)
    tiers[key] = as_dict
    caps = policy.caps.model_copy(update=tiers)
    fields = {name: getattr(portfolio, name) for name in Portfolio.model_fields}
    fields["policy"] = policy.model_copy(update={"caps": caps})
    return CapOverride(**fields, cap_overrides=override)


class CapOverride(Portfolio):
    """A portfolio in which named (partner, level, period) caps replace the policy's."""

    cap_overrides: dict[tuple[str, str, str], float]

    def cap(self, partner: Partner, level: str, period: str) -> float:
        moved = self.cap_overrides.get((partner.code, level, period))
        if moved is None or partner.tier == 3:
            return super().cap(partner, level, period)
        return min(self.ask(partner, period), moved)


def choice_changes(before: SolveResult, after: SolveResult) -> list[str]:
    """The discrete choices that differ between two results, partner by partner."""
    out = []
    old = {d.partner: d for d in before.deals}
    new = {d.partner: d for d in after.deals}
    for code in [*old, *(c for c in new if c not in old)]:
        a, b = old.get(code), new.get(code)
        if a is None and b is not None:
            out.append(f"{code} concludes a deal under {b.security}")
        elif b is None and a is not None:
            out.append(f"{code} no longer gets a deal")
        elif a is not None and b is not None:
            if a.security != b.security:
                out.append(f"{code} moves from {a.security} to {b.security}")
            if a.concessions != b.concessions:
                gained = sorted(set(b.concessions.items()) - set(a.concessions.items()))
                lost = sorted(set(a.concessions.items()) - set(b.concessions.items()))
                terms = [f"+{_term(c, lv)}" for c, lv in gained]
                terms += [f"-{_term(c, lv)}" for c, lv in lost]
                out.append(f"{code} concessions {' '.join(terms)}")
    return out


def _term(cid: str, level: str | bool) -> str:
    return cid if level is True else f"{cid}={level}"
