"""The portfolio as a PuLP mixed-integer program, exactly as DESIGN.md writes it.

`formulate` reads as the list of constraint families, one `add_*` function
each. Money is in USD billions and compute in thousands of H100e inside the
model (`MONEY`, `COMPUTE`), so coefficients stay near 1. Every constraint name
is built from `[A-Za-z0-9_]` and maps to a `Row` naming the domain objects it
is about, so explanations and memos can cite it without parsing names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulp

from dealbench.model.schema import Partner, Portfolio, SecurityRequirement

MONEY = 1e9  # USD per model unit
COMPUTE = 1e3  # H100e per model unit

Mode = Literal["us-best", "partner-best", "nash", "kalai"]
MODES: tuple[Mode, ...] = ("us-best", "partner-best", "nash", "kalai")

#: Per partner, the ideal gains (US, partner) over no deal in model units: the
#: Nash cuts are placed below them and Kalai's shares are taken of them.
Ideals = dict[str, tuple[float, float]]
#: nash: a partner bargained with gains at least this share of each ideal gain (where the
#: lowest tangent is placed, `nash.LOWEST`), and each side of a partner left without a
#: deal counts this log, far below the log of any gain counted.
NASH_LEAST_SHARE = 1e-3
NASH_LEFT_LOG = -100.0


@dataclass(frozen=True)
class Row:
    """What one constraint is about, in domain terms."""

    family: str
    partner: str | None = None
    period: str | None = None
    level: str | None = None
    concession: str | None = None


@dataclass
class Formulation:
    """A PuLP problem and the index from domain objects to its variables and rows."""

    portfolio: Portfolio
    mode: Mode
    problem: pulp.LpProblem
    z: dict[str, pulp.LpVariable] = field(default_factory=dict)
    s: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    g: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    x: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    w: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    y: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    #: The model's objective is (objective in USD - offset) / MONEY.
    offset: float = 0.0

    def add(self, constraint: pulp.LpConstraint, name: str, row: Row) -> None:
        name = _unique(_safe(name), self.rows)
        self.problem += constraint, name
        self.rows[name] = row

    # Expressions shared by the objectives and the acceptance rows --------------------

    def deal_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """D[p] in model units: value of compute - cost of concessions - security cost."""
        terms: dict[pulp.LpVariable, float] = {}
        for t in self.portfolio.periods:
            for j, (_, value) in enumerate(p.segments):
                var = self.y.get((p.code, t, j))
                if var is not None:
                    terms[var] = value * COMPUTE / MONEY
        for c in p.concessions:
            for o in c.choices:
                terms[self.g[p.code, c.id, o.id]] = -o.partner_cost / MONEY
        for k in self.portfolio.levels_for(p):
            terms[self.s[p.code, k]] = -p.security_costs[k] / MONEY
        return affine(terms)

    def us_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """V[p] - us_batna[p] in model units (the constant us_batna is in `offset`)."""
        policy = self.portfolio.policy
        terms: dict[pulp.LpVariable, float] = {}
        for c in p.concessions:
            for o in c.choices:
                terms[self.g[p.code, c.id, o.id]] = o.us_value / MONEY
        export = policy.export_value_per_h100e * COMPUTE / MONEY
        for t in self.portfolio.periods:
            if (p.code, t) in self.x:
                terms[self.x[p.code, t]] = export
        penalty = policy.risk_penalty_per_h100e * COMPUTE / MONEY
        for var, weight in self._weighted_deliveries(p):
            terms[var] = -penalty * weight
        terms[self.z[p.code]] = -p.us_batna / MONEY
        return affine(terms)

    def risk_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """R[p] in thousands of risk-weighted H100e."""
        return affine(dict(self._weighted_deliveries(p)))

    def _weighted_deliveries(self, p: Partner) -> list[tuple[pulp.LpVariable, float]]:
        out = []
        for k in self.portfolio.levels_for(p):
            weight = self.risk_weight(p, k)
            for t in self.portfolio.periods:
                var = self.w.get((p.code, t, k))
                if var is not None:
                    out.append((var, weight))
        return out

    def risk_weight(self, p: Partner, level: str) -> float:
        return p.diversion_risk * (1.0 - self.portfolio.policy.level(level).mitigation)


def formulate(
    portfolio: Portfolio,
    mode: Mode = "us-best",
    v_floor: float | None = None,
    require: Sequence[str] = (),
    *,
    ideals: Ideals | None = None,
    cuts: list[dict[str, tuple[list[float], list[float]]]] | None = None,
    tau_floor: float | None = None,
    least_risk: bool = False,
    step: float = 0.0,
) -> Formulation:
    """Build the MIP of DESIGN.md for `portfolio` under objective `mode`.

    `require`: partner codes that must have a deal (`solve --require-deal`). nash and
    kalai need `ideals` (see `dealbench.optimize.bargain.solve`); nash takes the tangent
    points of its log cuts per partner in `cuts[0]` (US gains, partner gains; model
    units); kalai with `tau_floor` keeps every share at least that and maximises the
    sum of shares (its second, Pareto step), or with `least_risk` the least risk
    (`dealbench.optimize.bargain.kalai`). `step` > 0: compute in whole steps of
    that many H100e, or the limit itself (`add_whole_steps`)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}")
    f = Formulation(
        portfolio, mode, pulp.LpProblem(_safe(f"dealbench_{portfolio.id}"), pulp.LpMaximize)
    )
    add_variables(f)
    add_security_choice(f)
    add_concession_choice(f)
    add_delivery_split(f)
    add_caps(f)
    add_value_segments(f)
    add_acceptance(f)
    add_requires(f)
    add_excludes(f)
    add_supply(f)
    add_risk_budget(f)
    add_required_deals(f, require)
    if step > 0:
        add_whole_steps(f, step)
    if mode == "nash":
        add_nash_objective(f, ideals or {}, (cuts or [{}])[0], require)
    elif mode == "kalai":
        add_kalai_objective(f, ideals or {}, tau_floor, require, least_risk=least_risk)
    else:
        add_objective(f, v_floor)
    return f


def add_variables(f: Formulation) -> None:
    """z, s, g binaries; x, w, y continuous with their tightest bounds."""
    pf = f.portfolio
    for i, p in enumerate(pf.partners):
        tag = f"{i}_{_safe(p.code)}"
        f.z[p.code] = f.problem.add_variable(f"z_{tag}", cat=pulp.LpBinary)
        for k in pf.levels_for(p):
            f.s[p.code, k] = f.problem.add_variable(f"s_{tag}_{_safe(k)}", cat=pulp.LpBinary)
        for ci, c in enumerate(p.concessions):
            for li, o in enumerate(c.choices):
                f.g[p.code, c.id, o.id] = f.problem.add_variable(
                    f"g_{tag}_{ci}_{li}", cat=pulp.LpBinary
                )
        for ti, t in enumerate(pf.periods):
            caps = {k: pf.cap(p, k, t) for k in pf.levels_for(p)}
            top = max(caps.values(), default=0.0)
            f.x[p.code, t] = f.problem.add_variable(
                f"x_{tag}_{ti}", lowBound=0, upBound=top / COMPUTE
            )
            for k, cap in caps.items():
                if cap > 0:
                    f.w[p.code, t, k] = f.problem.add_variable(
                        f"w_{tag}_{ti}_{_safe(k)}", lowBound=0, upBound=cap / COMPUTE
                    )
            left = top
            for j, (width, _) in enumerate(p.segments):
                if left <= 0:
                    break
                ub = min(width, left)
                f.y[p.code, t, j] = f.problem.add_variable(
                    f"y_{tag}_{ti}_{j}", lowBound=0, upBound=ub / COMPUTE
                )
                left -= ub


def add_security_choice(f: Formulation) -> None:
    """A deal runs under exactly one level the partner can meet: sum_k s[p,k] = z[p]."""
    for p in f.portfolio.partners:
        levels = [f.s[p.code, k] for k in f.portfolio.levels_for(p)]
        f.add(pulp.lpSum(levels) == f.z[p.code], f"security_{p.code}", Row("security", p.code))


def add_concession_choice(f: Formulation) -> None:
    """At most one level of each concession, and only in a deal: sum_l g[p,c,l] <= z[p]."""
    for p in f.portfolio.partners:
        for c in p.concessions:
            chosen = pulp.lpSum(f.g[p.code, c.id, o.id] for o in c.choices)
            f.add(
                chosen <= f.z[p.code],
                f"grant_{p.code}_{c.id}",
                Row("grant", p.code, concession=c.id),
            )


def add_delivery_split(f: Formulation) -> None:
    """Compute is delivered under the deal's level: sum_k w[p,t,k] = x[p,t]."""
    for p in f.portfolio.partners:
        for t in f.portfolio.periods:
            parts = [
                var
                for k in f.portfolio.levels_for(p)
                if (var := f.w.get((p.code, t, k))) is not None
            ]
            f.add(
                pulp.lpSum(parts) == f.x[p.code, t], f"split_{p.code}_{t}", Row("split", p.code, t)
            )


def add_whole_steps(f: Formulation, step: float) -> None:
    """Compute in whole steps: w[p,t,k] = step n + rest b, n integer up to the count of
    whole steps under the limit min(ask, cap), b a binary top-up to the limit itself
    (the limit in whole units, one H100e or one chip of the portfolio's granularity, as
    `grid.deal_of` allows: in whole H100e a cap of 20,000 was 1.26 H100e above the 8,795
    B200 chips the schedule can deliver, qa29-verify), b count <= n."""
    pf = f.portfolio
    unit = pf.granularity.unit
    for (code, t, k), var in f.w.items():
        p = pf.partner(code)
        assert p is not None
        limit = math.floor(pf.cap(p, k, t) / unit + 1e-9) * unit
        if abs(limit - round(limit)) < 1e-6:  # a whole number of H100e stays whole
            limit = float(round(limit))
        count = math.floor(limit / step + 1e-9)
        tag = var.name[1:]
        n = f.problem.add_variable(f"n{tag}", lowBound=0, upBound=count, cat=pulp.LpInteger)
        terms = {n: step / COMPUTE}
        rest = limit - count * step
        if rest > 1e-9:
            b = f.problem.add_variable(f"b{tag}", cat=pulp.LpBinary)
            terms[b] = rest / COMPUTE
            f.add(count * b <= n, f"topup_{code}_{t}_{k}", Row("step", code, t, level=k))
        f.add(var == affine(terms), f"step_{code}_{t}_{k}", Row("step", code, t, level=k))


def add_caps(f: Formulation) -> None:
    """w[p,t,k] <= M[p,t,k] s[p,k], with M = min(ask, cap of the tier under k)."""
    pf = f.portfolio
    for (code, t, k), var in f.w.items():
        p = pf.partner(code)
        assert p is not None
        bound = pf.cap(p, k, t) / COMPUTE
        f.add(var <= bound * f.s[code, k], f"cap_{code}_{t}_{k}", Row("cap", code, t, level=k))


def add_value_segments(f: Formulation) -> None:
    """The partner's value of compute, one variable per segment: sum_j y[p,t,j] <= x[p,t]."""
    for p in f.portfolio.partners:
        for t in f.portfolio.periods:
            segs = [
                var for j in range(len(p.segments)) if (var := f.y.get((p.code, t, j))) is not None
            ]
            if segs:
                f.add(
                    pulp.lpSum(segs) <= f.x[p.code, t],
                    f"value_{p.code}_{t}",
                    Row("value", p.code, t),
                )


def add_acceptance(f: Formulation) -> None:
    """The partner accepts: D[p] >= (batna[p] + margin) z[p]."""
    margin = f.portfolio.policy.acceptance_margin
    for p in f.portfolio.partners:
        threshold = (p.batna + margin) / MONEY
        f.add(
            f.deal_terms(p) - threshold * f.z[p.code] >= 0,
            f"accept_{p.code}",
            Row("accept", p.code),
        )


def add_requires(f: Formulation) -> None:
    """A granted concession's requirements: another concession, or a minimum security level."""
    pf = f.portfolio
    for p in pf.partners:
        levels = pf.levels_for(p)
        for c in p.concessions:
            granted = pulp.lpSum(f.g[p.code, c.id, o.id] for o in c.choices)
            for i, req in enumerate(c.requires):
                if isinstance(req, SecurityRequirement):
                    rank = pf.policy.rank(req.security)
                    strong = [f.s[p.code, k] for k in levels if pf.policy.rank(k) >= rank]
                    rhs = pulp.lpSum(strong)
                    row = Row("requires-security", p.code, level=req.security, concession=c.id)
                else:
                    other = p.concession(req)
                    assert other is not None
                    rhs = pulp.lpSum(f.g[p.code, req, o.id] for o in other.choices)
                    row = Row("requires", p.code, concession=c.id)
                f.add(granted <= rhs, f"requires_{p.code}_{c.id}_{i}", row)


def add_excludes(f: Formulation) -> None:
    """Concessions that exclude each other: at most one of the pair is granted."""
    for p in f.portfolio.partners:
        pairs = {tuple(sorted((c.id, o))) for c in p.concessions for o in c.excludes}
        for a, b in sorted(pairs):
            both = [f.g[p.code, cid, oid] for cid in (a, b) for oid in _options(p, cid)]
            f.add(
                pulp.lpSum(both) <= f.z[p.code],
                f"excludes_{p.code}_{a}_{b}",
                Row("excludes", p.code, concession=a),
            )


def add_supply(f: Formulation) -> None:
    """Shared supply per period: sum_p x[p,t] <= supply[t]."""
    pf = f.portfolio
    for t in pf.periods:
        used = pulp.lpSum(f.x[p.code, t] for p in pf.partners)
        f.add(used <= pf.supply[t] / COMPUTE, f"supply_{t}", Row("supply", period=t))


def add_risk_budget(f: Formulation) -> None:
    """The portfolio's risk budget: sum_p R[p] <= risk_budget."""
    pf = f.portfolio
    if pf.risk_budget is None:
        return
    total = pulp.lpSum(f.risk_terms(p) for p in pf.partners)
    f.add(total <= pf.risk_budget / COMPUTE, "risk_budget", Row("risk-budget"))


def add_required_deals(f: Formulation, require: Sequence[str]) -> None:
    """Deals the user requires: z[p] >= 1."""
    for code in require:
        f.add(f.z[code] >= 1, f"require_{code}", Row("require", code))


def add_objective(f: Formulation, v_floor: float | None) -> None:
    """us-best: max V. partner-best: max sum U subject to V >= V_floor (default: no deal)."""
    pf = f.portfolio
    us_batna = sum(p.us_batna for p in pf.partners)
    us_gain = pulp.lpSum(f.us_terms(p) for p in pf.partners)
    if f.mode == "us-best":
        f.offset = us_batna
        f.problem += us_gain
        return
    floor = us_batna if v_floor is None else v_floor
    f.add(us_gain >= (floor - us_batna) / MONEY, "us_floor", Row("us-floor"))
    f.offset = sum(p.batna for p in pf.partners)
    f.problem += pulp.lpSum(f.deal_terms(p) - (p.batna / MONEY) * f.z[p.code] for p in pf.partners)


def _no_zopa(f: Formulation, ideals: Ideals, require: Sequence[str] = ()) -> list[Partner]:
    """Partners with a zone of agreement; the others get no deal (z = 0), unless the user
    requires one (then it has a deal, outside the bargaining objective)."""
    out = []
    for p in f.portfolio.partners:
        if p.code in ideals:
            out.append(p)
        elif p.code not in require:
            f.add(f.z[p.code] <= 0, f"nozopa_{p.code}", Row("no-zopa", p.code))
    return out


def gains(f: Formulation, p: Partner) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """(V[p] - us_batna[p], U[p] - batna[p]) in model units; both 0 without a deal."""
    return f.us_terms(p), f.deal_terms(p) - (p.batna / MONEY) * f.z[p.code]


def add_nash_objective(
    f: Formulation,
    ideals: Ideals,
    points: dict[str, tuple[list[float], list[float]]],
    require: Sequence[str] = (),
) -> None:
    """max sum_p log(US gain) + log(partner gain), each log bounded by its tangents.

    Which partners bargain is the MIP's choice, the same for every partner: a binary
    `bargain[p]` (not for a required partner, whose deal stands anyway) gives p a deal
    with both gains at least `NASH_LEAST_SHARE` of its ideals, or no deal and a log of
    `NASH_LEFT_LOG` for each side. So when the limits cannot give every partner a gain
    at once, as few as possible are left without one, and of those sets the one with the
    largest product over the others. Without it, a gain of 0 counted as the lowest
    tangent's value there, log(LOWEST x ideal) - 1, which is higher for a larger ideal:
    the MIP left out the partner with the most to gain (tests/data/qa26verify)."""
    import math

    terms = []
    for i, p in enumerate(_no_zopa(f, ideals, require)):
        us_gain, partner_gain = gains(f, p)
        us_points, partner_points = points[p.code]
        chosen = None
        if p.code not in require:
            chosen = f.problem.add_variable(f"bargain_{i}_{_safe(p.code)}", cat=pulp.LpBinary)
            f.add(f.z[p.code] - chosen <= 0, f"bargain_deal_{p.code}", Row("nash-cut", p.code))
        for side, gain, at, ideal in (
            ("v", us_gain, us_points, ideals[p.code][0]),
            ("u", partner_gain, partner_points, ideals[p.code][1]),
        ):
            phi = f.problem.add_variable(f"log{side}_{i}_{_safe(p.code)}", lowBound=NASH_LEFT_LOG)
            terms.append(phi)
            for j, a in enumerate(at):
                f.add(
                    phi - gain / a <= math.log(a) - 1.0,
                    f"tangent_{side}_{p.code}_{j}",
                    Row("nash-cut", p.code),
                )
            if chosen is not None:
                top = math.log(max(at)) + 5.0 - NASH_LEFT_LOG  # above the cuts' bound
                f.add(
                    phi - top * chosen <= NASH_LEFT_LOG,
                    f"left_{side}_{p.code}",
                    Row("nash-cut", p.code),
                )
                f.add(
                    gain - NASH_LEAST_SHARE * ideal * chosen >= 0,
                    f"gains_{side}_{p.code}",
                    Row("nash-cut", p.code),
                )
    f.problem += pulp.lpSum(terms)


def add_kalai_objective(
    f: Formulation,
    ideals: Ideals,
    tau_floor: float | None,
    require: Sequence[str] = (),
    *,
    least_risk: bool = False,
) -> None:
    """max tau with each side's gain >= tau x its ideal gain (then, with `tau_floor`,
    the sum of shares at tau >= tau_floor; with `least_risk` too, the least risk R).

    With a floor above 0 every partner with a zone of agreement has a deal (without one
    its gains are 0, below the floor): z[p] >= 1, a row the solver cannot derive itself
    from the gains' rows (the second stage on global: 931 nodes with it, 2,082-6,698
    without, the same optimum)."""
    tau = f.problem.add_variable("tau", lowBound=0, upBound=1)
    shares = []
    bargained = _no_zopa(f, ideals, require)
    for p in bargained:
        us_gain, partner_gain = gains(f, p)
        vi, ui = ideals[p.code]
        f.add(us_gain - vi * tau >= 0, f"kalai_v_{p.code}", Row("kalai", p.code))
        f.add(partner_gain - ui * tau >= 0, f"kalai_u_{p.code}", Row("kalai", p.code))
        shares += [us_gain / vi, partner_gain / ui]
    if tau_floor is None:
        f.problem += 1.0 * tau
        return
    f.add(tau >= tau_floor, "kalai_tau", Row("kalai"))
    if tau_floor > 0:
        for p in bargained:
            f.add(f.z[p.code] >= 1, f"kalai_deal_{p.code}", Row("kalai", p.code))
    if least_risk:
        f.problem += -pulp.lpSum(f.risk_terms(p) for p in f.portfolio.partners)
    else:
        f.problem += pulp.lpSum(shares)


def _options(p: Partner, cid: str) -> list[str]:
    c = p.concession(cid)
    return [] if c is None else [o.id for o in c.choices]


def affine(terms: dict[pulp.LpVariable, float]) -> pulp.LpAffineExpression:
    """An expression from {variable: coefficient}, in bulk, on PuLP 3 and PuLP 4 alike."""
    from_dict = getattr(pulp.LpAffineExpression, "from_dict", None)  # PuLP 4
    return from_dict(terms) if from_dict is not None else pulp.LpAffineExpression(terms)


_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)


def _unique(name: str, taken: dict[str, Row]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"
