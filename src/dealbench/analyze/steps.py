"""The full model re-solved with one limit moved one step, to test an LP price against.

Supply and the risk budget are fields of the portfolio. A cap of one partner in
one period is not (a policy caps a whole tier under a level, a portfolio a
partner under a level in every period), so the step re-solves a portfolio whose
`cap` gives that partner and period the moved cap and every other partner and
period its cap as before. The partner's own cap under the level is made at least
the moved one, so that the checker, which reads one cap per partner and level,
accepts what the solver was allowed to do. (Raising the tier's cap instead moved
every partner's cap of the tier, in every period, at once.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dealbench.analyze.fixed_lp import LimitRow
from dealbench.analyze.packages import described_in_titles, signature
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.result import SolveResult, Status
from dealbench.optimize.schedule.signable import finer


@dataclass(frozen=True)
class StepResolve:
    """The full model one step away: US value per unit of the step, and what changed."""

    rate: float | None
    objective: float | None
    changes: list[str] = field(default_factory=list)
    #: The same changes by title, as a principal's document says them (`described_in_titles`).
    titled: list[str] = field(default_factory=list)


def resolve_one_step(
    portfolio: Portfolio,
    result: SolveResult,
    limit: LimitRow,
    step: float,
    tick: Callable[[], None] | None = None,
    *,
    base: float | None = None,
    **options: Any,
) -> tuple[StepResolve | None, StepResolve | None]:
    """Re-solve with `limit` one step up, and one step down when it is at least a step.
    Each rate is measured from `base`: the US value of the portfolio re-solved the same way
    with no limit moved (`resolve_unmoved`), else `result`'s."""
    if base is None:
        base = result.us_value
    assert base is not None
    out: list[StepResolve | None] = []
    for sign in (1.0, -1.0):
        amount = limit.value + sign * step
        out.append(
            None if amount < 0 else resolve_at(portfolio, result, limit, amount, base, **options)
        )
        if tick is not None:
            tick()
    return out[0], out[1]


def resolve_at(
    portfolio: Portfolio,
    result: SolveResult,
    limit: LimitRow,
    amount: float,
    base: float,
    *,
    in_step: bool = True,
    **options: Any,
) -> StepResolve:
    """The full model with `limit` at `amount` (in the step of `result`'s amounts,
    `in_step_of`; `in_step` False: in the portfolio's own, as `solve --set` solves it):
    its US value, its rate per unit of the move from `base` (the US value now), and the
    choices that differ from `result`'s."""
    from dealbench.optimize import solve

    moved = moved_limit(portfolio, limit, amount)
    moved = in_step_of(moved, result) if in_step else moved
    # Cold: a warm start from `result` has been seen to return a worse
    # "optimal" portfolio after a cut (see docs/decisions.md, "Shadow prices").
    again = solve(moved, **options)
    if again.status not in (Status.OPTIMAL, Status.TIME_LIMIT) or again.us_value is None:
        return StepResolve(None, None, [again.message or again.status.value])
    return StepResolve(
        (again.us_value - base) / (amount - limit.value),
        again.us_value,
        choice_changes(result, again),
        described_in_titles(signature(result), signature(again), portfolio),
    )


def resolve_unmoved(
    portfolio: Portfolio, result: SolveResult, **options: Any
) -> SolveResult | None:
    """`portfolio` re-solved as every step re-solve is (`in_step_of`), no limit moved: the
    base their rates are measured from (None where it finds no optimum). A re-solve in the
    result's step can fall back to a finer one of its own and land above the result: global
    (steps of 1,000 fallen back to 100) re-solved in steps of 100 falls back to 10, $5.1m
    higher, so measured from the result every limit, binding or not, seemed to gain $5.1m
    a step, and a supply with 348,700 H100e unused "gained $204 per H100e" (session 43)."""
    from dealbench.optimize import solve

    again = solve(in_step_of(portfolio, result), **options)
    if again.status in (Status.OPTIMAL, Status.TIME_LIMIT) and again.us_value is not None:
        return again
    return None


def in_step_of(portfolio: Portfolio, result: SolveResult) -> Portfolio:
    """`portfolio` deciding compute in the step `result`'s amounts are in, where the
    rounding left the declared one (steps of 10 H100e where 1,000 cost more than a
    step's value; 0 where it stayed unrounded). Re-solved in the declared step, a limit
    moved up could keep those steps and show their loss as a negative gain, although
    the base's packages still fit."""
    step = result.solver.details.get("granularity_h100e")
    grid = portfolio.granularity
    if not isinstance(step, int | float) or abs(step - grid.h100e) <= 1e-9 * max(1.0, step):
        return portfolio
    return portfolio.model_copy(update={"own_granularity": finer(grid, float(step))})


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
    held = dict(getattr(portfolio, "held_caps", {}))
    original = portfolio.level_cap(partner, limit.level)
    held.setdefault((limit.partner, limit.level), original)
    # The checker reads one cap per partner and level (`level_cap`): the partner's own
    # cap is made at least the moved one, so that it accepts what the solver may do;
    # the solver still holds the partner's other periods to their caps (`held_caps`),
    # and every other partner to its own.
    own = dict(portfolio.caps.get(limit.partner, {}))
    own[limit.level] = amount if original is None else max(original, amount)
    fields = {name: getattr(portfolio, name) for name in Portfolio.model_fields}
    fields["caps"] = {**portfolio.caps, limit.partner: own}
    return CapOverride(**fields, cap_overrides=override, held_caps=held)


class CapOverride(Portfolio):
    """A portfolio in which named (partner, level, period) caps are moved, and only those:
    the partner's cap under that level in its other periods stays where it was."""

    cap_overrides: dict[tuple[str, str, str], float]
    #: (partner, level) -> its cap per period before any was moved (None: uncapped).
    held_caps: dict[tuple[str, str], float | None]

    def cap(self, partner: Partner, level: str, period: str) -> float:
        if partner.tier == 3:
            return super().cap(partner, level, period)
        moved = self.cap_overrides.get((partner.code, level, period))
        if moved is not None:
            return min(self.ask(partner, period), moved)
        if (partner.code, level) in self.held_caps:
            before = self.held_caps[partner.code, level]
            ask = self.ask(partner, period)
            return ask if before is None else min(ask, before)
        return super().cap(partner, level, period)


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
