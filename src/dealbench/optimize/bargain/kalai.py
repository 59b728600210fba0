"""kalai's point (`kalai_point`): max tau, found partner by partner, the portfolio's shared
limits outside, when it can (`best_tau_by_partner`), else as one MIP; then the sum of
shares with tau held.

kalai's first stage, max tau with every side's gain at least tau x its ideal gain, is a
max-min over partners that share only the supply of each period and the risk budget.
Solved as one MIP, the solver searches every partner's choices at once (global: 14,000
to 150,000 nodes, its LP bound 0.414 against 0.3937). Split by partner:

- r_p(q), the least risk of a deal of partner p alone giving every side of p at least
  q x its ideal gain (a one-partner MIP, `formulate(..., least_risk=True)`), is a step
  function of q, nondecreasing; T_p(r), the best tau of p alone within risk r (a
  one-partner kalai MIP with the risk budget r), is where its step at r ends;
- a tau q is possible with the risk budget B only if sum_p r_p(q) <= B, so the best tau
  is the largest q with sum_p r_p(q) <= B: a search over q in which each partner's steps
  are solved once (`Steps`), where it ends being the end of a partner's step.

Alone, each partner has the whole supply of each period: the tau found is an upper bound
of the portfolio's, and its own when the packages found at that tau fit each period's
supply together. So the split is tried only when the first stage's LP relaxation leaves
every period's supply room (global: 461,000 H100e a year; gulf-asia's LP uses it all,
and keeps the one MIP), and its tau is used only when its packages fit the supply and the
second stage, solved over the whole portfolio, finds packages at it; otherwise
`kalai_point` solves the first stage as one MIP. The one-partner MIPs are solved exactly
(gap 0): a least risk above the least would end the search below the best tau.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulp

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.backends import Backend, run_pulp
from dealbench.optimize.formulate import formulate
from dealbench.optimize.formulation import COMPUTE, MONEY, Formulation
from dealbench.optimize.objectives import Ideals, gains
from dealbench.optimize.plain import outcome_status
from dealbench.optimize.result import Status

__all__ = ["best_tau_by_partner", "kalai_point"]

Solve = Callable[[Formulation], tuple[Status, float | None, float | None]]

#: How far above the best tau found the search looks for one more step, relative: the
#: tau found is the best within it, as the one MIP's is within its default gap. (Nearer,
#: the solver's tolerance on a share's row, 1e-7 in USD bn, can meet the probe with the
#: step below it.) A smaller gap asked for is the one MIP's to meet.
PROBE = 1e-6
#: Thousands of H100e (risk-weighted or not) a sum may exceed a shared limit by: the
#: solver's feasibility tolerance on a row.
SLACK = 1e-7
#: Under a time limit, the share of what is left of it (after the ideal gains) that the
#: partner-by-partner search may take before the one MIP is solved with the rest.
SPLIT_SHARE = 0.5


class NotSplit(Exception):
    """A one-partner MIP ended without its optimum (a time limit, a solver error)."""


@dataclass(frozen=True)
class Step:
    """r_p = `risk` for every q from `start` to `end`, where a package of the partner
    alone (using `supply`, thousands of H100e by period) reaches tau = `end`; `end` is
    T_p(risk) once `exact`, else the tau of the least-risk package found at `start`. The
    solver meets a share's row within its tolerance, so `end` can be a hair below
    `start`: the step is then `start` alone."""

    start: float
    end: float
    risk: float
    supply: dict[str, float]
    exact: bool


#: r_p(q) and its package's tau and supply used; T_p(r) and its package's supply used.
Least = Callable[[float], tuple[float, float, dict[str, float]]]
Most = Callable[[float], tuple[float, dict[str, float]]]


@dataclass
class Steps:
    """One partner's steps of r_p, each solved once."""

    least: Least
    most: Most
    found: list[Step] = field(default_factory=list)

    def at(self, q: float) -> Step:
        for step in self.found:
            if step.start <= q <= max(step.start, step.end):
                return step
        r, reached, supply = self.least(q)
        if math.isinf(r):  # nor above q: r_p is nondecreasing
            step = Step(q, math.inf, math.inf, {}, True)
        else:
            step = Step(q, reached, r, supply, False)
        self.found.append(step)
        return step

    def end(self, q: float) -> float:
        """T_p(r_p(q)), where the step holding q ends (solved at most once a step)."""
        step = self.at(q)
        if not step.exact:
            reached, supply = self.most(step.risk)
            self.found.remove(step)
            step = Step(step.start, max(step.end, reached), step.risk, supply, True)
            self.found.append(step)
        return step.end


def best_tau_by_partner(
    portfolio: Portfolio,
    require: Sequence[str],
    ideals: Ideals,
    step: float,
    run: Solve,
    backend: Backend,
    gap: float = PROBE,
) -> float | None:
    """The best tau, found partner by partner (see the module's note); None when the split
    does not apply (a gap below `PROBE` asked for, compute not in steps, fewer than two
    partners bargain, a required
    partner outside the bargaining, the
    LP relaxation uses a period's whole supply, the packages found need more supply than a
    period has, no tau above 0) or a one-partner MIP ended without its optimum."""
    if gap < PROBE or step <= 0 or len(ideals) < 2 or any(c not in ideals for c in require):
        # Continuous compute: the one MIP is quick (global: 940 nodes), and r_p has no
        # steps; one partner: the one MIP is its own. A required deal outside the
        # bargaining takes its share of the limits.
        return None
    try:
        top = _relaxed(portfolio, require, ideals, step, backend)
        if top is None:
            return None
        steps = [_steps(portfolio, code, ideals, step, run) for code in ideals]
        if portfolio.risk_budget is None:  # nothing shared but the supply: each alone
            found = [s.most(math.inf) for s in steps]
            tau = min(end for end, _ in found)
            packages = [supply for _, supply in found]
        else:
            tau, fitting = _search(steps, top, portfolio.risk_budget / COMPUTE)
            packages = [step.supply for step in fitting]  # each reaches tau or more
    except NotSplit:
        return None
    used = {t: sum(supply.get(t, 0.0) for supply in packages) for t in portfolio.periods}
    if tau <= 0 or any(used[t] > portfolio.supply[t] / COMPUTE + SLACK for t in used):
        return None
    return tau


def _relaxed(
    portfolio: Portfolio,
    require: Sequence[str],
    ideals: Ideals,
    step: float,
    backend: Backend,
) -> float | None:
    """The first stage's LP relaxation: its tau (above the best), or None when it uses a
    period's whole supply (the supply is then shared as the risk budget is, and the split
    would find a tau the portfolio does not reach)."""
    form = formulate(portfolio, "kalai", require=require, ideals=ideals, step=step)
    for var in form.problem.variables():
        var.cat = pulp.LpContinuous
    status, _, _ = outcome_status(form, run_pulp(form.problem, backend))
    if status != Status.OPTIMAL:
        raise NotSplit
    for t in portfolio.periods:
        used = sum(float(form.x[p.code, t].varValue or 0.0) for p in portfolio.partners)
        if used > portfolio.supply[t] / COMPUTE - SLACK:
            return None
    return float(form.problem.variablesDict()["tau"].varValue or 0.0)


def _search(steps: list[Steps], top: float, budget: float) -> tuple[float, list[Step]]:
    """The largest q <= top with sum_p r_p(q) <= budget, in [lo, hi): narrowed by the
    secant of sum_p r_p - budget at its ends (Illinois: an end kept twice counts half),
    lo moved to where the steps at a q that fits end. A new lo is probed just above
    (when that does not fit, lo is the best): at once after a secant's q that fits, else
    after the next q that does not (two probes in a row would walk step by step).
    Returns the best q found and the steps of a q that fits (each reaches q or more)."""
    lo, below = 0.0, -budget
    hi, above = top, math.inf
    kept, probe, fresh = "", False, False
    fitting: list[Step] = []
    while hi - lo > PROBE * lo + 1e-9:  # (lo 0: no tau above 0 fits, the one MIP's case)
        width = hi - lo
        if probe:
            q = lo * (1 + PROBE)
        elif lo == 0 or below <= -budget:  # nothing to draw a line through yet
            q = lo + width / 2
        elif math.isinf(above):  # the sum's line through 0 and lo, up to the budget
            q = min(lo * budget / (budget + below), hi - width / 64)
        else:
            q = lo + width * -below / (above - below)
            q = min(max(q, lo * (1 + PROBE)), hi - width / 64)
        over = _total(steps, q, budget) - budget
        if math.isinf(over) and not probe:
            # Some partner alone cannot reach q: the best it reaches alone is a top.
            top = min(s.most(budget)[0] for s in steps if math.isinf(s.at(q).risk))
            if top < hi:
                if _total(steps, top, budget) - budget <= SLACK:
                    return top, [s.at(top) for s in steps]
                hi, above = top, math.inf
                continue
        if over > SLACK:
            if probe:
                return lo, fitting  # the next step of some partner does not fit
            hi, above = q, over
            below, kept = (below / 2 if kept == "lo" else below), "lo"
            probe = fresh
            continue
        reached = _jump(steps, q)
        if probe and reached <= lo:
            raise NotSplit  # fits only within the solver's tolerance: the probe is too near
        lo, below, fitting = max(lo, reached), over, [s.at(q) for s in steps]
        above, kept = (above / 2 if kept == "hi" else above), "hi"
        probe, fresh = not probe, probe
    return lo, fitting


def _jump(steps: list[Steps], q: float) -> float:
    """Where the first of the steps holding q ends: every tau up to it fits as q does
    (T_p solved only for the partners whose step may end first)."""
    while True:
        first = min(steps, key=lambda s: s.at(q).end)
        if first.at(q).exact:
            return first.at(q).end
        first.end(q)


def _total(steps: list[Steps], q: float, budget: float) -> float:
    """sum_p r_p(q), or a part of it once that is above the budget."""
    total = 0.0
    for s in steps:
        total += s.at(q).risk
        if total > budget + SLACK:
            break
    return total


def _steps(portfolio: Portfolio, code: str, ideals: Ideals, step: float, run: Solve) -> Steps:
    partner = portfolio.partner(code)
    assert partner is not None
    alone = portfolio.model_copy(update={"partners": [partner]})
    mine = {code: ideals[code]}

    def least(q: float) -> tuple[float, float, dict[str, float]]:
        form = formulate(alone, "kalai", ideals=mine, tau_floor=q, least_risk=True, step=step)
        status, _, _ = run(form)
        if status == Status.INFEASIBLE:
            return math.inf, q, {}
        if status != Status.OPTIMAL:
            raise NotSplit
        us, them = (float(pulp.value(g) or 0.0) for g in gains(form, partner))
        reached = min(us / mine[code][0], them / mine[code][1])
        risk = max(-float(pulp.value(form.problem.objective) or 0.0), 0.0)
        return risk, reached, _use(form, code, portfolio.periods)

    def most(r: float) -> tuple[float, dict[str, float]]:
        budget = None if math.isinf(r) else (r + SLACK) * COMPUTE
        within = alone.model_copy(update={"risk_budget": budget})
        form = formulate(within, "kalai", ideals=mine, step=step)
        status, _, _ = run(form)
        if status != Status.OPTIMAL:
            raise NotSplit
        tau = float(form.problem.variablesDict()["tau"].varValue or 0.0)
        return tau, _use(form, code, portfolio.periods)

    return Steps(least, most)


def _use(form: Formulation, code: str, periods: Sequence[str]) -> dict[str, float]:
    """The supply a one-partner package uses, by period (thousands of H100e)."""
    return {t: float(form.x[code, t].varValue or 0.0) for t in periods}


def kalai_point(
    portfolio: Portfolio,
    require: Sequence[str],
    ideals: Ideals,
    step: float,
    run: Callable[..., tuple[Status, float | None, float | None]],
    details: dict[str, float],
    backend: Backend,
    gap: float,
    *,
    split_until: float | None = None,
) -> tuple[Formulation, Status, float | None]:
    """Max tau, then the sum of shares with tau held (`_kalai_point`). Under CBC, an
    optimum's tau is checked against the continuous relaxation's: CBC 2.10 (PuLP 3's
    build) has called "Optimal", at gap 0, a first stage 0.45% short of the best
    (tests/data/qa46bargain/cbc5013: tau 0.5116 where HiGHS and CBC without preprocessing
    find 0.5139; the point breaks no row, so `backends.broken_rows` cannot see it), and
    the message said "exact within the gap". Where the relaxation's tau is above the one
    found, that is the bound stated (`tau_relaxation_bound`: no point has a larger tau),
    CBC's own proof not taken for one (qa46-bargain)."""
    found = _kalai_point(
        portfolio, require, ideals, step, run, details, backend, gap, split_until=split_until
    )
    unchecked = ("tau_bound", "tau_not_proven", "shares_not_maximised")
    if backend.name != "cbc" or found[1] != Status.OPTIMAL or any(k in details for k in unchecked):
        return found
    tau = details.get("tau")
    bound = _relaxed_tau(portfolio, require, ideals, step, backend)
    if tau is not None and bound is not None and bound > tau + TAU_SAID:
        details["tau_relaxation_bound"] = bound
        # the gap said is tau's to that bound, not CBC's 0 (as HiGHS's: to the incumbent)
        return found[0], found[1], min((bound - tau) / max(tau, 1e-9), 1.0)
    return found


#: Taus closer than this are the same as said (four decimals).
TAU_SAID = 5e-5


def _relaxed_tau(
    portfolio: Portfolio, require: Sequence[str], ideals: Ideals, step: float, backend: Backend
) -> float | None:
    """The largest tau of kalai's first stage with every integer variable relaxed (an LP,
    which CBC's simplex solves without the search): no package has a larger tau."""
    form = formulate(portfolio, "kalai", require=require, ideals=ideals, step=step)
    for v in form.problem.variables():
        v.cat = pulp.LpContinuous
    if run_pulp(form.problem, backend).state != "optimal":
        return None
    return float(form.problem.variablesDict()["tau"].varValue or 0.0)


def _kalai_point(
    portfolio: Portfolio,
    require: Sequence[str],
    ideals: Ideals,
    step: float,
    run: Callable[..., tuple[Status, float | None, float | None]],
    details: dict[str, float],
    backend: Backend,
    gap: float,
    *,
    split_until: float | None = None,
) -> tuple[Formulation, Status, float | None]:
    """Max tau, then (for a Pareto-optimal answer) the sum of shares with tau held.

    Max tau is found partner by partner first when the supply is not used up
    (`best_tau_by_partner`: global's first stage in about 110 one-partner MIPs, where
    the one MIP searched 14,000-150,000 nodes); when that does not apply, or the second
    stage finds no packages at its tau, max tau is solved as one MIP, as before.

    Under a time limit the split's one-partner MIPs end by `split_until` (`run`'s
    `until`: `SPLIT_SHARE` of what was left of the limit), then the one MIP has the rest:
    the split can end without a tau (its packages need more supply than a period has), and
    on synthetic S seed 0 its 70-250 one-partner MIPs took the whole of `--time-limit 120`,
    leaving the one MIP half a second and the user tau 0."""
    # the one-partner MIPs, to a gap of 0, within the split's share of the time limit
    exact = functools.partial(run, exact=True, until=split_until)
    tau = best_tau_by_partner(portfolio, require, ideals, step, exact, backend, gap)
    if tau is not None:
        second = _held(portfolio, require, ideals, step, tau)
        then, proven_then, _ = run(second)
        if then in (Status.OPTIMAL, Status.TIME_LIMIT):
            details["tau"] = tau
            return second, then, proven_then
    form = formulate(portfolio, "kalai", require=require, ideals=ideals, step=step)
    status, proven, bound = run(form)
    if status == Status.TIME_LIMIT:
        if bound is not None:
            details["tau_bound"] = bound / MONEY  # no point has a larger tau
        else:  # the solver stopped without a bound: tau is the best found, not proven
            details["tau_not_proven"] = 1.0
    if status == Status.OPTIMAL:
        tau = float(form.problem.variablesDict()["tau"].varValue or 0.0)
        details["tau"] = tau
        second = _held(portfolio, require, ideals, step, tau)
        then, proven_then, _ = run(second)
        if then in (Status.OPTIMAL, Status.TIME_LIMIT):
            return second, then, proven_then
        # The time limit ended the second stage before it found a point: the first
        # stage's point has the best tau, its shares' sum not maximised.
        details["shares_not_maximised"] = 1.0
        return form, Status.TIME_LIMIT, proven
    return form, status, proven


def _held(
    portfolio: Portfolio, require: Sequence[str], ideals: Ideals, step: float, tau: float
) -> Formulation:
    """kalai's second stage: the largest sum of shares with every share at least tau."""
    floor = tau * (1 - 1e-7) - 1e-9
    return formulate(portfolio, "kalai", require=require, ideals=ideals, tau_floor=floor, step=step)
