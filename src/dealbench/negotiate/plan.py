"""Re-planning a portfolio from its rounds: concluded deals fixed, walked-away partners out.

DESIGN.md, "Negotiation": whenever the portfolio is re-planned from its rounds
(`room`, `offer`, `counter`'s verdict, `solve --rounds`), a concluded deal's
package is fixed (its compute and risk are no longer available to others) and a
walked-away partner gets no deal; only the open negotiations are re-optimized.
`replan` does that with `residual` (the portfolio of the open partners, with
the supply and risk budget the fixed packages leave) and one solve;
`solve_rounds` gives the whole portfolio's result of it, as `solve` gives one.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dealbench.arguments import given_briefly
from dealbench.checker import DealFigures, check, evaluate
from dealbench.errors import ArgumentError, DealbenchError
from dealbench.list_words import and_list
from dealbench.model.arguments import a_package, a_portfolio, partner_codes
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import Side, walked_away_words
from dealbench.negotiate.replan import residual
from dealbench.negotiate.rounds.negotiation import (
    Negotiation,
    negotiations_of,
    rounds_fingerprint,
)
from dealbench.negotiate.rounds.read import load_negotiations
from dealbench.optimize import SolveResult, Status, solve
from dealbench.optimize.backends import version
from dealbench.optimize.explain.data import NoDeal
from dealbench.optimize.explain.no_deal import MAX_EXPLAINED, no_deal_reasons
from dealbench.optimize.finish import result_from_check
from dealbench.optimize.result import NO_SOLVER, FromRounds, SolverInfo

__all__ = [
    "KeptReplans",
    "Plan",
    "RoundsSolve",
    "alone",
    "concluded_over",
    "plan_reasons",
    "replan",
    "shared_replans",
    "single_partner",
    "solve_rounds",
]


@dataclass(frozen=True)
class Plan:
    """The open negotiations re-optimized around the fixed deals."""

    portfolio: Portfolio
    fixed: dict[str, DealFigures]
    excluded: list[str]
    open_portfolio: Portfolio | None
    result: SolveResult | None
    notes: list[str] = field(default_factory=list)

    @property
    def objective(self) -> float:
        """The portfolio's US utility V: fixed deals, walked-away partners, re-planned rest."""
        rest = self.result.us_value if self.result and self.result.us_value is not None else 0.0
        return self.held_value + rest

    @property
    def held_value(self) -> float:
        """What the fixed deals (their US value) and the walked-away partners (their US
        walk-away values) add to the open negotiations' V: the room's V less the re-plan's."""
        fixed = sum(d.us_value for d in self.fixed.values())
        walked = sum(p.us_batna for p in self.portfolio.partners if p.code in self.excluded)
        return fixed + walked

    def package(self, partner: str) -> Package | None:
        """The plan's package for an open partner (None: no deal in the plan)."""
        if self.result is None:
            return None
        deal = self.result.deal(partner)
        return deal.package() if deal else None

    @property
    def supply_left(self) -> dict[str, float]:
        """Supply per period not taken by the fixed deals."""
        pf = self.portfolio
        return {
            t: pf.supply[t] - sum(d.compute.get(t, 0.0) for d in self.fixed.values())
            for t in pf.periods
        }

    @property
    def risk_left(self) -> float | None:
        budget = self.portfolio.risk_budget
        if budget is None:
            return None
        return budget - sum(d.risk for d in self.fixed.values())


def a_plan(value: object, name: str = "plan") -> Plan:
    """`value` when it is a Plan; else an ArgumentError saying where one comes from (None
    here was an AttributeError deep inside)."""
    if not isinstance(value, Plan):
        raise ArgumentError(
            name,
            "expected a Plan (replan(portfolio, negotiations) makes one), "
            f"got {given_briefly(value)}",
        )
    return value


def _held_packages(portfolio: Portfolio, fix: object, name: str = "fix") -> dict[str, Package]:
    """`replan(fix=)`: partner code -> the Package held for it; else an ArgumentError (a
    package file's path or a list of packages was a ValueError of `dict.update`; AE's
    package under `SA` replaced SA's concluded deal and re-planned SA as open)."""
    if fix is None:
        return {}
    keyed = "({pkg.partner: pkg for pkg in packages})"
    if not isinstance(fix, Mapping):
        raise ArgumentError(
            name, f"expected a mapping of partner code to Package {keyed}, got {given_briefly(fix)}"
        )
    held = {code: a_package(pkg, name) for code, pkg in fix.items()}
    partner_codes(portfolio, list(held), name)
    for code, pkg in held.items():
        if pkg.partner != code:
            raise ArgumentError(
                name, f"{code}: the package is {pkg.partner}'s; key each by its partner {keyed}"
            )
    return held


def replan(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    *,
    fix: Mapping[str, Package] | None = None,
    excluded: Iterable[str] = (),
    gap: float = 1e-6,
    time_limit: float | None = None,
    solver: str = "highs",
    exclude: Iterable[str] | None = None,
) -> Plan:
    """Fix concluded deals (and `fix`), exclude walked-away partners (and the codes
    `excluded`, as `residual` names them), solve the rest. `exclude` is the old name of
    `excluded` (a DeprecationWarning): the library says the idea one way."""
    name = "excluded"
    if exclude is not None:
        if excluded:
            raise ArgumentError("exclude", "the old name of `excluded`; give one of them")
        warnings.warn(
            "replan(exclude=) is now replan(excluded=), as residual(excluded=) names it",
            DeprecationWarning,
            stacklevel=2,
        )
        excluded, name = exclude, "exclude"  # a refused code names the keyword as given
    fixed: dict[str, Package] = {}
    gone: list[str] = partner_codes(a_portfolio(portfolio), excluded, name)
    for code, negotiation in negotiations_of(negotiations).items():
        if negotiation.status == "concluded" and negotiation.concluded_package is not None:
            fixed[code] = negotiation.concluded_package
        elif negotiation.status == "walked-away":
            gone.append(code)
    fixed.update(_held_packages(portfolio, fix))
    excluded = [c for c in dict.fromkeys(gone) if c not in fixed]
    memo = _SHARED.get()
    if memo is None:
        return _replan(portfolio, fixed, excluded, gap, time_limit, solver)
    key = (
        id(portfolio),
        tuple((code, pkg.model_dump_json()) for code, pkg in fixed.items()),
        tuple(excluded),
        gap,
        time_limit,
        solver,
    )
    if key not in memo:
        try:
            memo[key] = (portfolio, _replan(portfolio, fixed, excluded, gap, time_limit, solver))
        except DealbenchError as exc:
            memo[key] = (portfolio, exc)
    held, answer = memo[key]
    assert held is portfolio  # the key's id is of a portfolio the memo itself holds alive
    if isinstance(answer, DealbenchError):
        raise answer
    return answer


#: The re-plans of the innermost `shared_replans` (None: outside one, nothing kept).
_SHARED: ContextVar[
    MutableMapping[tuple[object, ...], tuple[Portfolio, Plan | DealbenchError]] | None
] = ContextVar("shared_replans", default=None)


class KeptReplans(OrderedDict[tuple[object, ...], tuple[Portfolio, "Plan | DealbenchError"]]):
    """Re-plans kept from one `shared_replans` to the next (`shared_replans(kept)`): the
    last `size` asked, the oldest dropped first. Each holds its portfolio alive, so a key's
    portfolio id is never another's."""

    def __init__(self, size: int = 64) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: tuple[object, ...], value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.size:
            self.popitem(last=False)


@contextmanager
def shared_replans(kept: KeptReplans | None = None) -> Iterator[None]:
    """Within it, `replan` asked the same question again (the same portfolio object, the
    same deals fixed, the same partners out, the same options) answers with the plan, or
    the error, it gave the first time, instead of solving again. A verdict re-plans the
    portfolio with the counter accepted, and the next offer it weighs the counter against
    asks what the counter is worth with the same re-plan (`counter_worth`): at M, one M
    solve of four in `evaluate --against`, five of twenty in a room weighing eight
    counters (qa43-scale). Nested, the outer one's plans are kept; outside any, nothing.

    `kept`: the plans are kept there from one call to the next, for a caller that asks
    about the same portfolio object again and again (the web server, whose room re-weighed
    every counter after any round was recorded, though a re-plan reads only the concluded
    and walked-away negotiations: qa46-web)."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({} if kept is None else kept)
    try:
        yield
    finally:
        _SHARED.reset(token)


def _replan(
    portfolio: Portfolio,
    fixed: dict[str, Package],
    excluded: list[str],
    gap: float,
    time_limit: float | None,
    solver: str,
) -> Plan:
    figures = {code: evaluate(portfolio, pkg) for code, pkg in fixed.items()}
    open_codes = [
        p.code for p in portfolio.partners if p.code not in fixed and p.code not in excluded
    ]
    if not open_codes:
        return Plan(portfolio, figures, excluded, None, None)
    rest = residual(portfolio, fixed=list(fixed.values()), excluded=excluded)
    result = solve(rest, solver=solver, gap=gap, time_limit=time_limit).raise_for_status()
    return Plan(portfolio, figures, excluded, rest, result)


def concluded_over(plan: Plan) -> str | None:
    """The shared limits (supply, risk budget) the concluded deals break together, in a
    sentence; None when they fit. `conclude` refuses a deal that does not fit beside
    those concluded before it, but a portfolio or policy edited since (a supply cut, a
    smaller risk budget) can leave them more than there is. They stay fixed as agreed,
    and the rest is re-planned in nothing of that limit; `room` read "Supply left after
    concluded deals: 2026 -53,359/900,000" and `solve --rounds` "Supply used 2026 953,359
    of 900,000" under "Status: optimal", neither with a word of it (qa32-neg)."""
    if not plan.fixed:
        return None
    packages = [d.package() for d in plan.fixed.values()]
    broken = check(plan.portfolio, packages).violations
    if not broken:
        return None
    codes = and_list(sorted(plan.fixed))
    return (
        f"The concluded deals ({codes}) together break the portfolio's limits as they now "
        f"stand ({'; '.join(v.message for v in broken)}): they stay fixed as agreed, and "
        "nothing of that is left for the open negotiations."
    )


@dataclass(frozen=True)
class RoundsSolve:
    """`solve --rounds`: the whole portfolio re-planned from its rounds."""

    plan: Plan
    #: Every deal (concluded ones as agreed, open ones as re-planned), figures from `check`.
    result: SolveResult
    #: Why each partner without a deal has none (walked away, or the re-plan's reason).
    reasons: list[NoDeal]


def solve_rounds(
    portfolio: Portfolio,
    root: Path,
    *,
    solver: str = "highs",
    gap: float = 1e-6,
    time_limit: float | None = None,
    limit: int | None = MAX_EXPLAINED,
) -> RoundsSolve:
    """The portfolio solved from its rounds under `root` (deals/rounds/<id>/): concluded
    deals fixed as agreed, walked-away partners without a deal, the open negotiations
    re-optimized in the supply and risk budget the concluded deals leave (`replan`);
    the first `limit` partners it leaves without a deal explained (None: every one).

    The result is the whole portfolio's, as `solve` gives it: every package checked
    together by `check`, its V the fixed deals' plus the walked-away partners' US
    walk-away values plus the re-planned rest; the solver's bound and gap are the
    re-plan's, moved by what was fixed. Its fingerprint covers the round files."""
    negotiations = load_negotiations(portfolio, root)
    plan = replan(portfolio, negotiations, gap=gap, time_limit=time_limit, solver=solver)
    packages = [d.package() for d in plan.fixed.values()]
    rest = plan.result
    if rest is not None:
        packages += [d.package() for d in rest.deals]
    checked = check(portfolio, packages)
    if rest is not None:
        status, info = rest.status, rest.solver
        moved = checked.objective - (rest.objective or 0.0)  # what the fixed deals add
        details = dict(info.details)
        for key in ("unrounded_objective", "unrounded_us_value"):
            if key in details:
                details[key] += moved
        update: dict[str, object] = {"details": details}
        if info.bound is not None:
            # The solver's gap is its bound against its optimum before rounding, as a plain
            # solve reports it: against V after rounding it read "gap 0.0012" for a corridor
            # whose plain solve of the same deals says "gap 0" ($1.32m of rounding).
            solved = details.get("unrounded_objective", checked.objective)
            update.update(bound=info.bound + moved, gap=_gap(solved, info.bound + moved))
        info = info.model_copy(update=update)
    else:  # nothing left to optimize
        status = Status.OPTIMAL
        info = SolverInfo(
            name=NO_SOLVER,
            version=version("dealbench"),
            seconds=0.0,
            gap=0.0,
            bound=checked.objective,
        )
    result = result_from_check(portfolio, "us-best", status, info, checked)
    result = result.model_copy(
        update={
            "fingerprint": rounds_fingerprint(portfolio, negotiations),
            "message": _message(plan, negotiations, rest),
            "rounds": FromRounds(
                concluded={c: _concluded_in(negotiations[c]) for c in sorted(plan.fixed)},
                walked_away=sorted(plan.excluded),
                walked_away_by={
                    c: _walked_by(negotiations[c])
                    for c in sorted(plan.excluded)
                    if c in negotiations
                },
                inputs=portfolio.fingerprint(),
            ),
        }
    )
    reasons = [
        NoDeal(
            code,
            "walked-away",
            f"{_who_walked(negotiations[code])} ({_round_of(negotiations[code])}"
            f"{_last_note(negotiations[code])}).",
        )
        for code in plan.excluded
        if code in negotiations
    ]
    if rest is not None and plan.open_portfolio is not None:
        reasons += no_deal_reasons(plan.open_portfolio, rest, limit=limit)
    return RoundsSolve(plan, result.explained(reasons, portfolio), reasons)


def plan_reasons(plan: Plan, codes: Sequence[str]) -> dict[str, NoDeal]:
    """Why the plan gives each of `codes` (open partners) no deal, as `solve --rounds`
    says it (`no_deal_reasons` of the open negotiations' re-plan): the room's reason."""
    if plan.result is None or plan.open_portfolio is None:
        return {}
    asked = [c for c in plan.result.no_deal if c in codes]
    if not asked:
        return {}
    shown = plan.result.model_copy(update={"no_deal": asked})
    return {r.partner: r for r in no_deal_reasons(plan.open_portfolio, shown)}


def _gap(value: float, bound: float) -> float:
    return max(bound - value, 0.0) / max(abs(value), 1e-9)


def _concluded_in(negotiation: Negotiation) -> int:
    last = negotiation.last
    return 0 if last is None else last.number


def _walked_by(negotiation: Negotiation) -> Side:
    """Who ended the talks: the last round's side (`walk-away --by`, us by default)."""
    last = negotiation.last
    return "us" if last is not None and last.side == "us" else "partner"


def _who_walked(negotiation: Negotiation) -> str:
    """Who ended the talks, as `room` says it; "AE walked away" of the United States' own
    walk-away said the opposite."""
    return walked_away_words(negotiation.partner, _walked_by(negotiation))


def _last_note(negotiation: Negotiation) -> str:
    """The walk-away round's note, its reason (qa35-newuser: `room` said it, a re-plan's
    "why no deal" did not)."""
    last = negotiation.last
    return "" if last is None else last.note_said


def _round_of(negotiation: Negotiation) -> str:
    last = negotiation.last
    return "no round" if last is None else f"round {last.number}, {last.path.name}"


def _message(plan: Plan, negotiations: Mapping[str, Negotiation], rest: SolveResult | None) -> str:
    """What was fixed, who is out, what was re-planned (and the re-plan's own note)."""
    parts = []
    if plan.fixed:
        fixed = ", ".join(f"{c} ({_round_of(negotiations[c])})" for c in sorted(plan.fixed))
        parts.append(f"Concluded deals fixed as agreed: {fixed}.")
        over = concluded_over(plan)
        if over is not None:
            parts.append(over)
    if plan.excluded:
        parts.append(f"Walked away, no deal: {', '.join(sorted(plan.excluded))}.")
    if plan.open_portfolio is not None:
        codes = ", ".join(p.code for p in plan.open_portfolio.partners)
        parts.append(
            f"Re-planned: the open negotiations ({codes}) in the supply and risk budget "
            "the concluded deals leave."
        )
    else:
        parts.append("No negotiation is open: nothing was re-planned.")
    note = replan_note(rest)
    if note is not None:
        parts.append(note)
    return " ".join(parts)


def replan_note(rest: SolveResult | None) -> str | None:
    """The re-plan's own note (the step its compute is in when not the declared one: "Compute
    is in steps of 1 H100e, not the declared steps of 1,000 H100e: ..."), as `solve --rounds`
    and `room` (its table, JSON, memo and web page) say it; None without one. The room said
    nothing of a plan in a finer step that `solve --rounds` named (qa46-negotiate2)."""
    if rest is None or not rest.message:  # its V is the open negotiations'
        return None
    return f"In the re-plan of the open negotiations: {rest.message}"


def single_partner(portfolio: Portfolio, plan: Plan, partner: str) -> Portfolio:
    """The portfolio as one partner sees it: everyone else held at the plan (or fixed, or out).

    The partner's own package in the plan always fits in it. The plan's packages are
    checked together within the checker's tolerance: a schedule in whole units may
    exceed a supply by a fraction of an H100e (`optimize.schedule.signable`), and what the
    others hold at the plan would then leave this partner that fraction less than its
    own package. The optimizer's limits are exact, and a deal at its partner's
    acceptance (as the US-best deals are) loses its terms to that fraction: on M, the
    ideal kept from the plan was $2.5bn above anything the one-partner solves could
    reach, and every target between was refused. The overrun is counted against the
    others: the partner gets at least its plan's compute in each period and its
    plan's risk."""
    others: list[Package] = list(_fixed_packages(plan))
    dropped: list[str] = list(plan.excluded)
    for p in portfolio.partners:
        if p.code == partner or p.code in plan.fixed or p.code in plan.excluded:
            continue
        pkg = plan.package(p.code)
        if pkg is None:
            dropped.append(p.code)
        else:
            others.append(pkg)
    seen = residual(portfolio, fixed=others, excluded=dropped)
    own = plan.package(partner) if partner not in plan.fixed else None
    if own is None:
        return seen
    deal = evaluate(portfolio, own)
    supply = {t: max(seen.supply[t], deal.compute.get(t, 0.0)) for t in seen.periods}
    budget = seen.risk_budget
    if budget is not None:
        budget = max(budget, deal.risk)
    return seen.model_copy(
        update={"supply": supply, "risk_budget": budget, "own_risk_budget": budget}
    )


def alone(portfolio: Portfolio, plan: Plan, partner: str) -> Portfolio:
    """The portfolio as if `partner` were the only open negotiation: what the fixed deals leave."""
    others = [p.code for p in portfolio.partners if p.code != partner and p.code not in plan.fixed]
    return residual(portfolio, fixed=list(_fixed_packages(plan)), excluded=others)


def _fixed_packages(plan: Plan) -> Sequence[Package]:
    return [d.package() for d in plan.fixed.values()]
