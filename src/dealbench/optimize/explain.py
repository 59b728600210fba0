"""Why there is no answer, and why a partner gets no deal, in the user's words.

`explain_infeasible` re-solves DESIGN.md's plain model with penalised slack on
named groups of constraints — each partner's acceptance, each cap (tier and
security level), the supply of each period, the risk budget, each `requires` and
`excludes`, and what the user asked for (a V floor, a required deal) — and
reports the smallest set of groups to relax, with amounts. Each relaxed group
costs 1 (a user's request 1,000, so it is dropped only when no limit can give);
amounts, scaled by each group's size, break ties. Up to two other sets of the
same size are reported as alternatives.

`why_no_deal` says, for each partner the optimum leaves without a deal, what
blocks it: no package it accepts fits the limits (and the smallest change that
makes one), the best one it accepts is worth less to the US than no deal, or
the shared supply and risk budget go to deals worth more (and how much would
make room for it).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pulp

from dealbench.checker import used_up
from dealbench.model.schema import Caps, Partner, Portfolio
from dealbench.optimize.backends import make_backend, run_pulp
from dealbench.optimize.formulate import formulate
from dealbench.optimize.formulation import COMPUTE, MONEY, Formulation, Mode, Row
from dealbench.optimize.result import SolveResult, Status
from dealbench.units import and_list, h100e, periods_said, spans
from dealbench.units import usd as money

__all__ = ["Explanation", "NoDeal", "Relaxation", "explain_infeasible", "why_no_deal"]

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


def _amounts(pf: Portfolio) -> int:
    return len(pf.partners) * len(pf.periods)


@dataclass(frozen=True)
class Relaxation:
    """One group of constraints to relax, and by how much (USD, H100e or a yes/no)."""

    kind: str  # acceptance | cap | supply | risk-budget | requires | excludes | v-floor | required-deal
    message: str
    partner: str | None = None
    period: str | None = None
    level: str | None = None
    limit: float | None = None  # the limit as it stands
    amount: float | None = None  # how much it must move

    def as_dict(self) -> dict[str, Any]:
        """For scripts: money to the dollar, compute and risk to a thousandth of an H100e
        (the model resolves neither more finely)."""
        out = asdict(self)
        digits = 0 if self.kind in _MONEY_KINDS else 3
        for key in ("limit", "amount"):
            if out[key] is not None:
                out[key] = round(out[key], digits)
        return out


_MONEY_KINDS = ("acceptance", "v-floor", "us-value")


@dataclass(frozen=True)
class Explanation:
    """The smallest set of groups to relax, and other sets as small."""

    message: str
    relax: list[Relaxation]
    alternatives: list[list[Relaxation]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The remedy item by item, and the alternatives; none when the message, which
        ends with the remedy, says it all (one change and no other): the line repeated it."""
        if (
            len(self.relax) == 1
            and not self.alternatives
            and self.message.endswith(self.relax[0].message)
        ):
            return []
        out = [f"relax: {r.message}" for r in self.relax]
        for i, other in enumerate(self.alternatives, 1):
            out.append(f"or ({i}): " + "; ".join(r.message for r in other))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "relax": [r.as_dict() for r in self.relax],
            "alternatives": [[r.as_dict() for r in alt] for alt in self.alternatives],
        }


@dataclass(frozen=True)
class NoDeal:
    """Why the optimum leaves one partner without a deal."""

    partner: str
    reason: str  # no-acceptable-package | not-worth-it | shared-limits | time-limit | walked-away
    message: str
    relax: list[Relaxation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "reason": self.reason,
            "message": self.message,
            "relax": [r.as_dict() for r in self.relax],
        }


# --- infeasibility ----------------------------------------------------------------------


@dataclass
class _Group:
    kind: str
    cost: float
    scale: float  # slack bound, model units
    key: tuple[Any, ...]
    on: pulp.LpVariable
    slacks: list[tuple[pulp.LpVariable, tuple[Any, ...]]] = field(default_factory=list)
    #: A cap group's rows: (w[p,t,k], (code, period, level, cap H100e)); one raise for all.
    rows: list[tuple[pulp.LpVariable, tuple[Any, ...]]] = field(default_factory=list)


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
    if floor_fix is not None and _amounts(portfolio) > SEARCH_MAX_AMOUNTS:
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
        short = _SlackModel(portfolio, mode, v_floor, require, SHORTFALL_COSTS)
        found = short.solve(deadline)
        head = "; ".join(short.shortfall(g) for g in found or [])
    head = head or "no set of packages satisfies every limit"
    if mode == "us-best" and require:  # a required partner that can receive nothing
        said = [_no_compute(portfolio, p) for p in portfolio.partners if p.code in require]
        head = "; ".join([*(n for n in said if n is not None), head])
    model = _SlackModel(portfolio, mode, v_floor, require, REMEDY_COSTS)
    first = model.solve(deadline)
    if first is None:
        relax = [floor_fix] if floor_fix is not None else []
        change = " and ".join(r.message for r in relax)
        return Explanation(f"{head}: {change}" if change else head, relax)
    sets = [[model.words(g) for g in first]]  # read now: the next solve moves the values
    last: list[_Group] | None = first
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
        f"{money(best.us_value)}, {money(gap)} below the floor of {money(v_floor)}"
    )
    fix = Relaxation(
        "v-floor",
        f"lower the US utility floor from {money(v_floor)} to {money(best.us_value)}",
        limit=v_floor,
        amount=gap,
    )
    return head, fix


class _SlackModel:
    """The plain model with caps opened to the asks and a slack on every named group."""

    def __init__(
        self,
        pf: Portfolio,
        mode: Mode,
        v_floor: float | None,
        require: Sequence[str],
        costs: dict[str, float],
    ) -> None:
        self.pf = pf
        self.costs = costs
        self.v_floor = v_floor
        # The same portfolio with every cap opened up to the asks (tier 3 still gets
        # nothing); the true caps are added back below, each with its slack.
        policy = pf.policy.model_copy(update={"caps": Caps(tier3=pf.policy.caps.tier3)})
        # A portfolio's deal-by-deal caps are opened too: each is a cap to relax by name.
        opened = pf.model_copy(update={"policy": policy, "caps": {}})
        self.f: Formulation = formulate(opened, mode, v_floor, require)
        self.groups: dict[tuple[Any, ...], _Group] = {}
        self._count = 0
        for name, row in list(self.f.rows.items()):
            self._relax_row(name, row)
        self._add_true_caps(opened)
        self.cost = pulp.lpSum(g.cost * g.on for g in self.groups.values())
        self.amounts = pulp.lpSum(
            var * (1.0 / g.scale) for g in self.groups.values() for var, _ in g.slacks
        )
        self.f.problem.sense = pulp.LpMinimize

    # building ---------------------------------------------------------------------------

    def _group(self, key: tuple[Any, ...], kind: str, scale: float, cost: float) -> _Group:
        group = self.groups.get(key)
        if group is None:
            on = self.f.problem.add_variable(f"relax_{len(self.groups)}", cat=pulp.LpBinary)
            group = _Group(kind, cost, max(scale, 1e-6), key, on)
            self.groups[key] = group
        return group

    def _slack(self, group: _Group, detail: tuple[Any, ...], bound: float) -> pulp.LpVariable:
        self._count += 1
        var = self.f.problem.add_variable(f"slack_{self._count}", lowBound=0)
        self.f.problem += var <= bound * group.on, f"slackon_{var.name}"
        group.slacks.append((var, detail))
        return var

    def _relax_row(self, name: str, row: Row) -> None:
        pf, f = self.pf, self.f
        con = f.problem.get_constraint_by_name(name)
        sign = 1.0 if con.sense == pulp.LpConstraintGE else -1.0
        partner = pf.partner(row.partner) if row.partner else None
        spec: tuple[tuple[Any, ...], str, float] | None = None
        if row.family == "accept" and partner is not None:
            spec = (("acceptance", partner.code), "acceptance", _acceptance_scale(pf, partner))
        elif row.family == "supply" and row.period is not None:
            total = sum(pf.ask(p, row.period) for p in pf.partners) / COMPUTE
            spec = (("supply", row.period), "supply", total)
        elif row.family == "risk-budget":
            worst = sum(p.diversion_risk * sum(p.ask.values()) for p in pf.partners) / COMPUTE
            spec = (("risk-budget",), "risk-budget", worst)
        elif row.family in ("requires", "requires-security", "excludes"):
            spec = (("logic", name), row.family, 1.0)
        elif row.family == "us-floor":
            spec = (("v-floor",), "v-floor", _floor_scale(pf, self.v_floor))
        elif row.family == "require":
            spec = (("required-deal", row.partner), "required-deal", 1.0)
        if spec is None or spec[1] not in self.costs:
            return
        key, kind, scale = spec
        group = self._group(key, kind, scale, self.costs[kind])
        var = self._slack(group, (name, row), scale)
        con.addInPlace(sign * var)

    def _add_true_caps(self, opened: Portfolio) -> None:
        """w[p,t,k] <= cap s[p,k] + slack, for every cap below the ask."""
        pf = self.pf
        if "cap" not in self.costs:  # the caps hold as they are
            for (code, t, k), var in self.f.w.items():
                p = pf.partner(code)
                assert p is not None
                cap = pf.cap(p, k, t) / COMPUTE
                self.f.problem += var <= cap * self.f.s[code, k], f"tcap_{var.name}"
            return
        # A cap is one amount for every period (and, a tier's, every partner of the tier):
        # it is raised once, by one slack per group, so the amount named is the least raise
        # of the cap itself. A slack per period let the raise pile up in some periods (the
        # same total): "raise DL's own cap from 60,000 to 100,000" where 77,084 in every
        # quarter does (qa6-journey).
        rows: dict[tuple[Any, ...], list[tuple[pulp.LpVariable, tuple[Any, ...], float]]] = {}
        for (code, t, k), var in self.f.w.items():
            p = pf.partner(code)
            assert p is not None
            cap, ask = pf.cap(p, k, t), opened.cap(p, k, t)
            if cap >= ask:
                continue
            own = k in pf.caps.get(code, {})  # the partner's own cap, not its tier's
            key = ("own-cap", code, k) if own else ("cap", p.tier, k)
            rows.setdefault(key, []).append((var, (code, t, k, cap), ask))
        for key, found in rows.items():
            top = max(ask for _, _, ask in found)
            least = min(detail[3] for _, detail, _ in found)
            group = self._group(key, "cap", top / COMPUTE, self.costs["cap"])
            slack = self._slack(group, ("raise",), (top - least) / COMPUTE)
            for var, detail, _ in found:
                code, _t, k, cap = detail
                group.rows.append((var, detail))
                self.f.problem += (
                    var <= cap / COMPUTE * self.f.s[code, k] + slack,
                    f"tcap_{var.name}",
                )

    # solving ------------------------------------------------------------------------------

    def solve(self, deadline: float | None) -> list[_Group] | None:
        """The cheapest set of groups to relax, then the least amounts for that set;
        None when there is none or it is not proven cheapest by `deadline`."""
        # Among sets of the same cost, the one that needs the least: each slack over its
        # group's scale is at most 1, so the amounts, weighted below a thousandth of one
        # group's cost in all, only break ties (raising the risk budget by 8,385 and TR's
        # own cap was passed over for raising it by 35,100 and the baseline cap).
        slacks = sum(len(g.slacks) for g in self.groups.values())
        self.f.problem.setObjective(self.cost + (1e-3 / max(slacks, 1)) * self.amounts)
        if not self._run(deadline):
            return None
        chosen = [g for g in self.groups.values() if _val(g.on) > 0.5]
        for g in self.groups.values():  # fix the set; the amounts are a second objective
            g.on.lowBound = g.on.upBound = 1 if g in chosen else 0
        self.f.problem.setObjective(self.amounts)
        try:
            amounts_found = self._run(deadline)
        finally:
            for g in self.groups.values():
                g.on.lowBound, g.on.upBound = 0, 1
        return chosen if amounts_found else None

    def _run(self, deadline: float | None) -> bool:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return False
        backend = make_backend("highs", time_limit=left, gap=1e-9)
        outcome = run_pulp(self.f.problem, backend)
        return outcome.state == "optimal" and outcome.has_solution

    def forbid(self, groups: list[_Group]) -> None:
        """Ask for another set: not all of `groups` again."""
        ons = [g.on for g in groups]
        self._count += 1
        self.f.problem += pulp.lpSum(ons) <= len(ons) - 1, f"other_{self._count}"

    # words ------------------------------------------------------------------------------

    def shortfall(self, group: _Group) -> str:
        """How far a partner's acceptance or the V floor is out of reach."""
        amount = sum(_val(var) for var, _ in group.slacks) * MONEY
        if group.kind == "v-floor":
            floor = self.v_floor or 0.0
            return (
                f"the most US utility any set of packages within the limits gives is "
                f"{money(floor - amount)}, {money(amount)} below the floor of {money(floor)}"
            )
        code = group.key[1]
        p = self.pf.partner(code)
        assert p is not None
        margin = self.pf.policy.acceptance_margin
        return (
            f"{code}'s acceptance needs {money(amount)} more than any package within the "
            f"limits gives (its {_threshold_name(margin)} is {money(p.batna + margin)})"
        )

    def words(self, group: _Group) -> Relaxation:
        pf = self.pf
        used = [(detail, _val(var)) for var, detail in group.slacks if _val(var) > 1e-7]
        if group.kind == "acceptance":
            code = group.key[1]
            p = pf.partner(code)
            assert p is not None
            need = sum(v for _, v in used) * MONEY
            margin = pf.policy.acceptance_margin
            threshold = p.batna + margin
            return Relaxation(
                "acceptance",
                f"{code} takes {money(need)} less than its {_threshold_name(margin)} of "
                f"{money(threshold)} (or is offered that much more outside the package)",
                partner=code,
                limit=threshold,
                amount=need,
            )
        if group.kind == "cap":
            level = group.key[2]
            # The periods (and partners) named are those whose amount uses the raise by half
            # an H100e or more.
            over = [(d, _val(var) * COMPUTE - d[3]) for var, d in group.rows]
            used = [(d, v) for d, v in over if v >= 0.5] or [(d, v) for d, v in over if v > 1e-4]
            cap = max((d[3] for d, _ in used), default=max(d[3] for _, d in group.rows))
            extra = sum(_val(var) for var, _ in group.slacks) * COMPUTE
            if group.key[0] == "own-cap":  # a deal-by-deal cap of the portfolio's
                code = group.key[1]
                return _raised(
                    "cap",
                    f"{code}'s own cap under {level}",
                    cap,
                    extra,
                    f"H100e per period (in {spans(pf.periods, (d[1] for d, _ in used))})",
                    level=level,
                    partner=code,
                )
            # Each partner once, with its periods (on M: "AW in 2026Q1–2028Q4", not twelve
            # items "AW in 2026Q1, AW in 2026Q2, ...").
            periods: dict[str, set[str]] = {}
            for d, _ in used:
                periods.setdefault(d[0], set()).add(d[1])
            who = [f"{code} in {spans(pf.periods, ts)}" for code, ts in sorted(periods.items())]
            # A cap the portfolio pro-rated from the policy's says so: 150,000 a quarter is
            # not the figure the policy file holds.
            first = pf.partner(group.rows[0][1][0])
            basis = pf.cap_basis(first, level) if first is not None else None
            return _raised(
                "cap",
                f"the tier {group.key[1]} cap under {level}" + (f" ({basis})" if basis else ""),
                cap,
                extra,
                f"H100e per period (for {', '.join(who)})",
                level=level,
            )
        if group.kind == "supply":
            t = group.key[1]
            extra = sum(v for _, v in used) * COMPUTE
            held = pf.held_supply.get(t, 0.0)
            return _raised(
                "supply", f"supply in {t}", pf.supply[t], extra, "H100e", period=t, held=held
            )
        if group.kind == "risk-budget":
            extra = sum(v for _, v in used) * COMPUTE
            budget = pf.risk_budget or 0.0
            return _raised(
                "risk-budget",
                "the risk budget",
                budget,
                extra,
                "risk-weighted H100e",
                held=pf.held_risk,
            )
        if group.kind == "v-floor":
            drop = sum(v for _, v in used) * MONEY
            floor = self.v_floor or 0.0
            return Relaxation(
                "v-floor",
                f"lower the US utility floor from {money(floor)} to {money(floor - drop)}",
                limit=floor,
                amount=drop,
            )
        if group.kind == "required-deal":
            code = group.key[1]
            return Relaxation(
                "required-deal", f"drop the required deal with {code}", partner=code, amount=1.0
            )
        name, row = group.slacks[0][1]
        return _logic_words(pf, group.kind, name, row)


def _threshold_name(margin: float) -> str:
    """What a partner's acceptance is measured against: its walk-away value, plus the
    policy's required margin when there is one (the sum is not its walk-away value)."""
    return "walk-away value plus the required margin" if margin else "walk-away value"


#: What the slack solve may leave above a whole amount by its tolerances (H100e): not a
#: unit more to raise.
RAISE_NOISE = 1e-3


def _raised(
    kind: str,
    what: str,
    limit: float,
    extra: float,
    unit: str,
    period: str | None = None,
    level: str | None = None,
    partner: str | None = None,
    held: float = 0.0,
) -> Relaxation:
    """A compute or risk limit to raise by `extra`: "raise WHAT from LIMIT to LIMIT+EXTRA UNIT".

    `held`: what deals held outside the portfolio take of the limit (`Portfolio.held_risk`,
    `held_supply`); the limit is then named whole, with what they leave of it."""
    whole = limit + held
    left = f" ({h100e(limit)} of it left beside the deals held)" if held > 0.5 else ""
    # The new limit is said in whole units, rounded up: to the nearest, a raise of 98,583.3
    # read "to 318,583", a third of an H100e short of what the packages found need (and
    # with every partner at its walk-away value, a third of one can cost a concession).
    raised = math.ceil(whole + extra - RAISE_NOISE)
    return Relaxation(
        kind,
        f"raise {what} from {h100e(whole)} to {h100e(raised)} {unit}{left}",
        partner=partner,
        period=period,
        level=level,
        limit=whole,
        amount=extra,
    )


def _logic_words(pf: Portfolio, kind: str, name: str, row: Row) -> Relaxation:
    code, cid = row.partner or "", row.concession or ""
    if kind == "requires-security":
        return Relaxation(
            "requires",
            f"let {code} grant {cid!r} under a security level weaker than {row.level}",
            partner=code,
            level=row.level,
        )
    p = pf.partner(code)
    other = "another concession"
    if p is not None and kind == "requires":
        concession = p.concession(cid)
        for i, req in enumerate(concession.requires if concession else []):
            if isinstance(req, str) and _safe(f"requires_{code}_{cid}_{i}") == name:
                other = repr(req)
        return Relaxation("requires", f"let {code} grant {cid!r} without {other}", partner=code)
    if p is not None:
        for a, b in _pairs(p):
            if _safe(f"excludes_{code}_{a}_{b}") == name:
                cid, other = a, repr(b)
    return Relaxation("excludes", f"let {code} grant {cid!r} together with {other}", partner=code)


def _pairs(p: Partner) -> list[tuple[str, str]]:
    return sorted({(min(c.id, o), max(c.id, o)) for c in p.concessions for o in c.excludes})


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def _acceptance_scale(pf: Portfolio, p: Partner) -> float:
    costs = sum(max((abs(o.partner_cost) for o in c.options), default=0.0) for c in p.concessions)
    security = max((abs(v) for v in p.security_costs.values()), default=0.0)
    return (abs(p.batna) + abs(pf.policy.acceptance_margin) + costs + security) / MONEY + 1.0


def _floor_scale(pf: Portfolio, v_floor: float | None) -> float:
    us_batna = sum(p.us_batna for p in pf.partners)
    penalty = pf.policy.risk_penalty_per_h100e
    worst = sum(penalty * p.diversion_risk * sum(p.ask.values()) for p in pf.partners)
    costs = sum(abs(p.us_batna) for p in pf.partners)
    floor = us_batna if v_floor is None else v_floor
    return (max(floor - us_batna, 0.0) + worst + costs) / MONEY + 1.0


def _val(var: pulp.LpVariable) -> float:
    return float(var.varValue or 0.0)


# --- partners without a deal --------------------------------------------------------------


def why_no_deal(
    portfolio: Portfolio, result: SolveResult, require: Sequence[str] = ()
) -> list[NoDeal]:
    """For each partner the optimum leaves without a deal, what blocks it. `require`: the
    partners the solve was required to give a deal (it had to, whatever they are worth)."""
    out = []
    for code in result.no_deal:
        if portfolio.partner(code) is None:
            continue
        forced = best_alone(portfolio, code)
        if forced.status == Status.INFEASIBLE:
            alone = forced_portfolio(portfolio, code)
            explanation = explain_infeasible(alone, "us-best", None, [code], alternatives=0)
            message = explanation.message
            relax = explanation.relax
            if [r.kind for r in relax] == ["acceptance"]:  # no limit helps
                message = message.split(": ")[0] + "; no change of limits opens a deal"
            elif relax and all(r.kind == "cap" for r in relax):
                message, relax = _caps_worth_raising(alone, code, message, relax)
            elif relax:
                message += _none_worth_it_lifted(alone, code, relax)
            # A partner that can receive no compute is said so first: the explanation of
            # its required deal opens with it (`_no_compute`), once.
            out.append(
                NoDeal(
                    code,
                    "no-acceptable-package",
                    f"no package {code} accepts fits the limits: {message}",
                    relax,
                )
            )
            continue
        deal = forced.deal(code)
        if deal is None:  # a solver limit: say nothing rather than guess
            continue
        if deal.us_margin <= 0.5:
            said = _not_worth_it(code, deal)
            partner = portfolio.partner(code)
            first = None if partner is None else _no_compute(portfolio, partner)
            if first is not None:  # the first thing to say (a tier 3 partner), then the rest
                said = replace(said, message=f"{first}; {said.message}")
            out.append(said)
            continue
        if result.status == Status.TIME_LIMIT:  # the packages are not proven best
            out.append(_not_found(code, deal))
            continue
        out.append(_shared_limits(portfolio, result, code, deal, require))
    return out


def caps_lifted(portfolio: Portfolio, code: str, levels: Sequence[str] | None = None) -> Portfolio:
    """`portfolio` with `code`'s caps under `levels` (by default every level it can meet)
    raised to its largest ask: no cap keeps its deal from any amount it asks."""
    partner = portfolio.partner(code)
    assert partner is not None
    room = max(partner.ask.values(), default=0.0)
    caps = {k: dict(v) for k, v in portfolio.caps.items()}
    for level in portfolio.levels_for(partner) if levels is None else levels:
        caps.setdefault(code, {})[level] = room
    return portfolio.model_copy(update={"caps": caps})


def _caps_worth_raising(
    alone: Portfolio, code: str, message: str, relax: list[Relaxation]
) -> tuple[str, list[Relaxation]]:
    """The least raise of caps that gives `code` (alone) a package it accepts, if the
    package it gives is worth more to the US than no deal; else the raise that gives the
    best deal with its caps lifted under every level, when that one is worth having, or
    the least raise said to be not enough for the US (cove under monopoly: CC's baseline
    cap raised to 20,000 gives a package CC accepts worth less than no deal; its deal
    worth having is under veu). `analyze.limit_costs` costs the same lifting."""
    from dealbench.optimize.plain import solve_plain

    partner = alone.partner(code)
    assert partner is not None
    caps = {k: dict(v) for k, v in alone.caps.items()}
    for r in relax:
        if r.level is not None and r.limit is not None and r.amount is not None:
            caps.setdefault(code, {})[r.level] = r.limit + r.amount
    least = solve_plain(alone.model_copy(update={"caps": caps}), "us-best", require=[code])
    deal = least.deal(code)
    if deal is None or deal.us_margin > 0.5:  # worth having (or not solved: say nothing new)
        return message, relax
    head, _, change = message.partition(": ")
    free = solve_plain(caps_lifted(alone, code), "us-best").deal(code)
    if free is None or free.us_margin <= 0.5:
        return (
            f"{head}: {change}; that gives a package {code} accepts but none worth more to "
            f"the US than no deal, and no raise of its caps gives one",
            relax,
        )
    cap = alone.level_cap(partner, free.security) or 0.0
    need = max(free.compute.values(), default=0.0)
    basis = alone.cap_basis(partner, free.security)
    name = alone.cap_name(partner, free.security) + (f" ({basis})" if basis else "")
    used = [t for t, x in free.compute.items() if x > cap + 0.5]
    raised = _raised(
        "cap",
        name,
        cap,
        need - cap,
        f"H100e per period (for {code} in {spans(alone.periods, used)})",
        level=free.security,
        partner=code if free.security in alone.caps.get(code, {}) else None,
    )
    least_said = and_list(
        [
            f"under {r.level} to {h100e(math.ceil((r.limit or 0.0) + (r.amount or 0.0) - RAISE_NOISE))}"
            for r in relax
        ]
    )
    return (
        f"{head}: {raised.message}, for a deal that alone would add {money(free.us_margin)} "
        f"to US utility (the least raise that gives a package {code} accepts, {least_said} "
        f"H100e, gives none worth more than no deal)",
        [raised],
    )


#: The limits a change of which `_none_worth_it_lifted` weighs: lifting them only adds packages.
_SHARED_LIMITS = ("cap", "supply", "risk-budget")


def _none_worth_it_lifted(alone: Portfolio, code: str, relax: list[Relaxation]) -> str:
    """What to add to the least change of supply, risk budget or caps that gives `code`
    (alone) a package it accepts, when even with all of them lifted its best package is
    worth no more to the US than no deal: the change opens no deal worth having. (qa31:
    ET, whose every package costs the US more than it earns, was told to "raise the risk
    budget from 20,000 to 22,283" under the heading that no package beats walking away.)"""
    from dealbench.optimize.plain import solve_plain

    partner = alone.partner(code)
    if partner is None or not all(r.kind in _SHARED_LIMITS for r in relax):
        return ""
    supply = {t: max(s, partner.ask.get(t, 0.0)) for t, s in alone.supply.items()}
    free = caps_lifted(alone, code).model_copy(
        update={"supply": supply, "risk_budget": None, "no_risk_budget": True}
    )
    deal = solve_plain(free, "us-best", require=[code]).deal(code)
    if deal is None or deal.us_margin > 0.5:  # worth having (or not solved: say nothing new)
        return ""
    return (
        f"; that gives a package {code} accepts but none worth more to the US than no deal, "
        f"and no change of these limits gives one: with them lifted, the best package "
        f"{code} accepts ({deal.security}, {h100e(deal.total_compute)} H100e) is worth "
        f"{money(deal.us_value)} to the US against {money(deal.us_batna)} without a deal"
    )


def forced_portfolio(portfolio: Portfolio, code: str) -> Portfolio:
    """`portfolio` with `code` its only partner: every limit the partner's alone."""
    return portfolio.model_copy(update={"partners": [portfolio.partner(code)]})


def best_alone(portfolio: Portfolio, code: str) -> SolveResult:
    """The package best for the US that `code` accepts within the limits, with every
    limit to itself (DESIGN.md's plain model, its deal required): infeasible when no
    package it accepts fits, and worth no more than no deal when none is worth having."""
    from dealbench.optimize.plain import solve_plain

    return solve_plain(forced_portfolio(portfolio, code), "us-best", require=[code])


def shortfall(
    pf: Portfolio, result: SolveResult, deal: Any
) -> tuple[dict[str, float], float | None]:
    """What `deal` (a partner's best package alone) needs beyond what `result`'s deals
    leave: the supply short in each period it needs (what is left, less than a step,
    counts as used), and the risk budget short (None when it fits)."""
    full_periods, risk_used_up = used_up(pf, result, result.compute_step)
    supply: dict[str, float] = {}
    for t in pf.periods:
        need = deal.compute.get(t, 0.0)
        left = pf.supply[t] - result.supply_used.get(t, 0.0)
        if need > 0.5 and (t in full_periods or left + 0.5 < need):
            supply[t] = need - max(left, 0.0)
    budget = pf.risk_budget
    risk_left = 0.0 if budget is None else budget - result.risk_total
    short = budget is not None and deal.risk > 0.5 and (risk_used_up or risk_left + 0.5 < deal.risk)
    return supply, (deal.risk - max(risk_left, 0.0)) if short else None


def _no_compute(portfolio: Portfolio, p: Partner) -> str | None:
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


def _not_worth_it(code: str, deal: Any) -> NoDeal:
    """The best package the partner accepts is worth no more to the US than no deal."""
    if deal.us_margin > -0.5:
        return NoDeal(
            code,
            "not-worth-it",
            f"no package {code} accepts adds anything to US utility (the best one, under "
            f"{deal.security} with {h100e(deal.total_compute)} H100e, is worth as much as no "
            f"deal); it opens when {code} offers a concession of value to the US",
        )
    return NoDeal(
        code,
        "not-worth-it",
        f"the best package {code} accepts ({deal.security}, {h100e(deal.total_compute)} H100e) "
        f"is worth {money(deal.us_value)} to the US against {money(deal.us_batna)} without a "
        f"deal; it opens when {code} offers {money(-deal.us_margin)} more in concessions or "
        "accepts less risk",
        [
            Relaxation(
                "us-value",
                f"{money(-deal.us_margin)} more US value from {code}",
                partner=code,
                amount=-deal.us_margin,
            )
        ],
    )


def _not_found(code: str, deal: Any) -> NoDeal:
    """A deal worth having alone that a solve stopped by its time limit did not find: the
    packages are the best found, so nothing says the others are worth more."""
    return NoDeal(
        code,
        "time-limit",
        f"alone, a deal with {code} would add {money(deal.us_margin)} to US utility; the time "
        "limit stopped the solve before it found a package with it (the packages are the best "
        "found, not proven the best)",
    )


def _shared_limits(
    pf: Portfolio, result: SolveResult, code: str, deal: Any, require: Sequence[str] = ()
) -> NoDeal:
    """A deal worth having alone that the shared limits give to others: to deals worth more,
    or to deals the solve was required to make (`require`), whatever they are worth."""
    relax: list[Relaxation] = []
    users = set()
    short_supply, extra = shortfall(pf, result, deal)
    for t, more in short_supply.items():
        users |= {d.partner for d in result.deals if d.compute.get(t, 0.0) > 0.5}
        relax.append(
            Relaxation(
                "supply", f"{h100e(more)} H100e in {t}", period=t, limit=pf.supply[t], amount=more
            )
        )
    needs, changes = [], []
    if short_supply:
        needs.append(f"the supply it needs in {periods_said(pf.periods, short_supply)}")
        changes.append("raising supply by " + _supply_words(relax, pf.periods))
    if extra is not None:  # (a shortfall of the risk budget: there is one)
        users |= {d.partner for d in result.deals if d.risk > 0.5}
        needs.append("the risk budget")
        changes.append(f"raising the risk budget by {h100e(extra)} risk-weighted H100e")
        relax.append(
            Relaxation(
                "risk-budget",
                f"{h100e(extra)} risk-weighted H100e",
                limit=pf.risk_budget,
                amount=extra,
            )
        )
    alone = f"alone, a deal with {code} would add {money(deal.us_margin)} to US utility"
    if result.mode != "us-best":
        return _left_out_by_mode(pf, result, code, alone, needs, relax, users)
    least = _least_room(pf, result, code, require, relax) if needs else None
    best = ""
    opens = " makes room for it"
    if least == []:  # what its best package needs, re-solved, goes to the others too
        opens = (
            " (what its best package needs) does not open a deal: re-solved, the other "
            "deals take that room too"
        )
    elif least is not None and _less(least, relax):
        # A package smaller than its best fits beside the others: name the least change.
        best = f" (its best package needs {_raise_words(relax, pf.periods, raising=False)} more)"
        changes = [_raise_words(least, pf.periods)]
        relax = least
    # The frontier's frame said too: held beside those deals, none is better for both sides
    # (`frontier --partner FR` said "ZOPA: none" beside this "would add $1.13bn").
    held = (
        f"; with those deals held, the frontier of {code} (frontier --partner {code}) has "
        "no zone of agreement for that reason"
    )
    if not needs:
        return NoDeal(
            code,
            "shared-limits",
            f"{alone}, but within the portfolio the deals it would displace are worth more{held}",
        )
    holders = [d.partner for d in result.deals if d.partner in users]
    worth = [c for c in holders if c not in require]
    required = [c for c in holders if c in require]
    to = [f"deals worth more ({', '.join(worth)})"] if worth else []
    if required:
        plural = "s" if len(required) > 1 else ""
        to.append(f"the required deal{plural} with {and_list(required)}")
    return NoDeal(
        code,
        "shared-limits",
        f"{alone}, but {' and '.join(needs)} {_go(needs)} to {' and to '.join(to)}; "
        f"{' and '.join(changes)}{opens}{best}{held}",
        relax,
    )


def _go(needs: list[str]) -> str:
    """The verb of what a partner's deal needs: "the supply ... goes", "the supply ... and
    the risk budget go"."""
    return "go" if len(needs) > 1 else "goes"


#: What a mode other than us-best maximises, in a no-deal reason's words.
MAXIMISED = {
    "partner-best": "the partners' total utility",
    "nash": "the Nash product of both sides' gains",
    "kalai": "the least share of each side's ideal gain (tau)",
}


def _left_out_by_mode(
    pf: Portfolio,
    result: SolveResult,
    code: str,
    alone: str,
    needs: list[str],
    relax: list[Relaxation],
    users: set[str],
) -> NoDeal:
    """`_shared_limits` of a solve that maximised something other than the US utility:
    its deals are not "worth more" to the US, and no raise is re-solved in its mode
    (`_least_room` is us-best's), so what the partner's best package needs is said as a
    need, not as what opens a deal (partner-best on gulf-asia: "raising supply by 20,000
    H100e in each of 2026, 2027 and 2028 makes room for it", and with that raise BH
    still had no deal)."""
    aim = MAXIMISED.get(result.mode, f"what --mode {result.mode} maximises")
    if not needs:  # nothing displaced: its deal does not raise what the mode maximises
        return NoDeal(
            code,
            "shared-limits",
            f"{alone}, but no deal with {code} raises {aim}, which a {result.mode} solve maximises",
        )
    holders = ", ".join(d.partner for d in result.deals if d.partner in users)
    return NoDeal(
        code,
        "shared-limits",
        f"{alone}, but {' and '.join(needs)} {_go(needs)} to the deals chosen for {aim} "
        f"({holders}); "
        f"its best package needs {_raise_words(relax, pf.periods, raising=False)} more "
        "than they leave",
        relax,
    )


#: Halvings between the least raise with which the others' deals and a deal with the
#: partner fit (continuous amounts; none when they fit already) and what its best
#: package needs, when the former does not open a deal (one us-best solve each).
LEAST_ROOM_STEPS = 30
#: The search runs on portfolios of at most this many partner-periods: some 15 solves
#: per partner explained, each a solve of the whole portfolio (on the shipped gulf-asia
#: portfolio, 27, `solve` would take 6.7 s, not 1.1 s). Above, the raise named is what
#: the partner's best package needs, as the sentence says, re-solved once to say whether
#: it opens a deal.
LEAST_ROOM_AMOUNTS = 12


def _least_room(
    pf: Portfolio, result: SolveResult, code: str, require: Sequence[str], best: list[Relaxation]
) -> list[Relaxation] | None:
    """A raise of supply and risk budget, less than what its best package needs (`best`),
    with which a us-best solve gives `code` a deal and keeps every deal of `result`,
    sought from the least raise with which they all fit (each may shrink): a smaller
    package it also accepts may need far less. None when there is none (or, on a portfolio
    too large to search, when `best` opens a deal), and [] when `best` does not open a
    deal either (re-solved, the other deals grow into the raise)."""
    from dealbench.optimize.solve import solve

    if result.mode != "us-best":
        return None
    keep = [d.partner for d in result.deals] + [code]
    hi = {(r.kind, r.period): r.amount or 0.0 for r in best}

    def opens(raise_: dict[tuple[str, str | None], float]) -> bool:
        supply, budget = dict(pf.supply), pf.risk_budget
        for (kind, period), amount in raise_.items():
            if kind == "supply" and period in supply:
                supply[period] += amount
            elif budget is not None:
                budget += amount
        wider = pf.model_copy(update={"supply": supply, "risk_budget": budget})
        opened = solve(wider, require=[c for c in require if c in keep])
        return all(opened.deal(c) is not None for c in keep)  # room for it, none displaced

    if _amounts(pf) > LEAST_ROOM_AMOUNTS:
        # Too large to search for less; the best package's raise is still re-solved once,
        # since the deals worth more may grow into it (gulf-asia: MY's 124,000 H100e a
        # year went to KZ and the others, and MY still had no deal).
        return None if opens(hi) else []
    found = explain_infeasible(pf, "us-best", None, keep, alternatives=0).relax
    if any(r.kind not in ("supply", "risk-budget") for r in found):
        return None
    # Nothing found: every deal fits beside one with `code` as the limits stand, on terms
    # the US values less (a partner's big concession needs the compute); from no raise.
    lo = {(r.kind, r.period): r.amount or 0.0 for r in found} or dict.fromkeys(hi, 0.0)
    keys = sorted(set(lo) | set(hi), key=str)
    if found and opens(lo):  # without a raise (none found), `result` says it does not
        hi = lo
    else:
        for _ in range(LEAST_ROOM_STEPS):
            mid = {k: float(math.ceil((lo.get(k, 0.0) + hi.get(k, 0.0)) / 2)) for k in keys}
            if all(abs(mid[k] - hi.get(k, 0.0)) < 0.5 for k in keys):
                break
            if opens(mid):
                hi = mid
            else:
                lo = mid
    if hi == {(r.kind, r.period): r.amount or 0.0 for r in best}:
        # Nothing smaller opens a deal; the best package's raise may not either (the deals
        # worth more grow into it): [] says so.
        return None if opens(hi) else []
    out = []
    for (kind, period), amount in sorted(hi.items(), key=str):
        if amount < 0.5:
            continue
        words = f"{h100e(amount)} H100e in {period}" if kind == "supply" else ""
        words = words or f"{h100e(amount)} risk-weighted H100e"
        limit = pf.supply.get(period or "") if kind == "supply" else pf.risk_budget
        out.append(Relaxation(kind, words, period=period, limit=limit, amount=amount))
    return out


def _less(least: list[Relaxation], relax: list[Relaxation]) -> bool:
    """Whether `least` raises no limit more, and some limit less, than `relax`."""
    given = {(r.kind, r.period): r.amount or 0.0 for r in relax}
    named = {(r.kind, r.period): r.amount or 0.0 for r in least}
    if any(given.get(key, 0.0) + 0.5 < amount for key, amount in named.items()):
        return False
    return any(named.get(key, 0.0) + 0.5 < amount for key, amount in given.items())


def _raise_words(least: list[Relaxation], order: Sequence[str], *, raising: bool = True) -> str:
    """Raises in `_shared_limits`'s words: "raising supply by … and the risk budget by …"
    (or, not `raising`, the amounts alone: "… H100e in 2027 and … risk-weighted H100e")."""
    supply = [r for r in least if r.kind == "supply"]
    risk = [r.message for r in least if r.kind == "risk-budget"]
    if not raising:
        return and_list([*([_supply_words(supply, order)] if supply else []), *risk])
    words = ["supply by " + _supply_words(supply, order)] if supply else []
    words += [f"the risk budget by {risk[0]}"] if risk else []
    return "raising " + " and ".join(words)


#: More amounts than this (of a supply raise over periods) are said as their range.
MOST_AMOUNTS_SAID = 3


def _supply_words(raises: Sequence[Relaxation], order: Sequence[str]) -> str:
    """Supply raises in a sentence, the periods of one amount together: "10,000 H100e in
    each of 2026Q1–2028Q3 and 15,000 H100e in 2028Q4"; amounts that differ in most
    periods as their range and total (the relaxations list each)."""
    periods: dict[str, list[str]] = {}
    for r in raises:
        periods.setdefault(h100e(r.amount or 0.0), []).append(r.period or "")
    if len(periods) > MOST_AMOUNTS_SAID:
        amounts = [r.amount or 0.0 for r in raises]
        every = [r.period or "" for r in raises]
        return (
            f"between {h100e(min(amounts))} and {h100e(max(amounts))} H100e in each of "
            f"{periods_said(order, every)} ({h100e(sum(amounts))} H100e in all)"
        )
    groups = [
        f"{amount} H100e in {'each of ' if len(ts) > 1 else ''}{periods_said(order, ts)}"
        for amount, ts in periods.items()
    ]
    if len(groups) > 1 and any(" and " in g for g in groups):  # each group its own
        return f"{', '.join(groups[:-1])}, and {groups[-1]}"
    return and_list(groups)


#: At most this many partners without a deal are explained (one small solve each).
MAX_EXPLAINED = 25


def no_deal_reasons(
    portfolio: Portfolio, result: SolveResult, require: Sequence[str] = ()
) -> list[NoDeal]:
    """Why each partner without a deal has none (the first MAX_EXPLAINED of them);
    `require` as for `why_no_deal`."""
    if not result.no_deal:
        return []
    shown = result.model_copy(update={"no_deal": result.no_deal[:MAX_EXPLAINED]})
    return why_no_deal(portfolio, shown, require)


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
