"""The portfolio as a PuLP mixed-integer program, exactly as DESIGN.md writes it.

`formulate` reads as the list of constraint families, one `add_*` function
each (the objectives' are in `objectives`). Money is in USD billions and compute in
thousands of H100e inside the model (`MONEY`, `COMPUTE`), so coefficients stay near 1.
Every constraint name is built from `[A-Za-z0-9_]` and maps to a `Row` naming the domain
objects it is about, so explanations and memos can cite it without parsing names (the
problem and that index are `formulation.Formulation`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pulp

from dealbench.arguments import amount_of_usd, compute_step, one_of
from dealbench.model.arguments import partner_codes
from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import (
    COMPUTE,
    MODES,
    MONEY,
    Formulation,
    Mode,
    Row,
    affine,
    safe_name,
)
from dealbench.optimize.objectives import (
    Ideals,
    add_kalai_objective,
    add_nash_objective,
    add_objective,
)


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
    require = partner_codes(portfolio, require, "require")  # as `solve`'s (a KeyError once)
    mode = one_of(mode, MODES, "mode", "mode")  # an ArgumentError, as `solve`'s mode
    if v_floor is not None:  # nan was PuLP's "Cannot set constraint RHS to NaN/inf values"
        v_floor = amount_of_usd(v_floor, "v_floor")
    step = compute_step(step)
    f = Formulation(
        portfolio, mode, pulp.LpProblem(safe_name(f"dealbench_{portfolio.id}"), pulp.LpMaximize)
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
        tag = f"{i}_{safe_name(p.code)}"
        f.z[p.code] = f.problem.add_variable(f"z_{tag}", cat=pulp.LpBinary)
        for k in pf.levels_for(p):
            f.s[p.code, k] = f.problem.add_variable(f"s_{tag}_{safe_name(k)}", cat=pulp.LpBinary)
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
                        f"w_{tag}_{ti}_{safe_name(k)}", lowBound=0, upBound=cap / COMPUTE
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


def _options(p: Partner, cid: str) -> list[str]:
    c = p.concession(cid)
    return [] if c is None else [o.id for o in c.choices]
