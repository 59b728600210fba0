"""An independent reference for the qa7 optimizer pass, written from DESIGN.md alone.

It reads the YAML files itself (its own money and compute parser), builds DESIGN.md's
model in PuLP (HiGHS) and solves every mode the CLI offers: us-best, partner-best with a
V floor, kalai (max tau, each side's gain at least tau times its ideal gain) and nash
(tangent cuts on log, refined until the bound closes). Nothing of dealbench is imported.
Range concessions offer the grid of docs/amounts.md (levels, multiples of `step` strictly
inside the range, else four parts per gap; `min` never), valued on straight lines.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulp
import yaml

MONEY = 1e9
COMPUTE = 1e3
SUFFIX = {"k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}


def money(v: Any) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    text = str(v).replace("_", "").replace("$", "").replace("USD", "").strip()
    m = re.fullmatch(r"(-?[0-9.eE+-]+)\s*(k|m|bn|tn)?", text)
    assert m, v
    return float(m.group(1)) * SUFFIX.get(m.group(2) or "", 1.0)


def compute(v: Any) -> float:
    if isinstance(v, dict):
        if "tpp" in v:
            return money(v["tpp"]) / 15_832
        if "h100e" in v and "chips" not in v:  # a granularity written {h100e: N}
            return money(v["h100e"])
        assert v["model"] == "H100"
        return money(v["chips"])
    return money(v)


@dataclass
class Option:
    label: str
    us: float
    cost: float
    amount: float | None = None


@dataclass
class Concession:
    id: str
    options: list[Option]
    requires: list[Any]
    excludes: list[str]


@dataclass
class Partner:
    code: str
    tier: int
    risk: float
    ask: dict[str, float]
    segments: list[tuple[float, float]]  # (width, value per H100e); beyond them: 0
    batna: float
    us_batna: float
    security: dict[str, float]
    concessions: list[Concession]


@dataclass
class Spec:
    periods: list[str]
    levels: list[tuple[str, float]]
    export: float
    penalty: float
    margin: float
    budget: float | None
    supply: dict[str, float]
    caps: dict[tuple[str, str], float]  # (partner, level) -> cap per period (inf: none)
    partners: list[Partner]
    step: float = 1000.0
    extra: dict[str, Any] = field(default_factory=dict)

    def partner(self, code: str) -> Partner:
        return next(p for p in self.partners if p.code == code)

    def rank(self, level: str) -> int:
        return [k for k, _ in self.levels].index(level)

    def weight(self, p: Partner, level: str) -> float:
        return p.risk * (1 - dict(self.levels)[level])


def _options(c: dict[str, Any]) -> list[Option]:
    if "levels" not in c:
        return [Option("true", money(c["us_value"]), money(c["partner_cost"]))]
    if "amount" not in c:
        return [
            Option(str(lv["id"]), money(lv["us_value"]), money(lv["partner_cost"]))
            for lv in c["levels"]
        ]
    spec = c["amount"]
    points = [
        (money(lv["amount"]), money(lv["us_value"]), money(lv["partner_cost"]))
        for lv in c["levels"]
    ]
    ids = {money(lv["amount"]): str(lv["id"]) for lv in c["levels"]}
    if "min" in spec:
        points.insert(0, (money(spec["min"]), 0.0, 0.0))
    low, high = points[0][0], points[-1][0]
    amounts = set(ids)
    if "step" in spec:
        step = money(spec["step"])
        n = math.floor(low / step) + 1
        while n * step < high - 1e-6:
            if n * step > low + 1e-6:
                amounts.add(n * step)
            n += 1
    else:
        for (a, _, _), (b, _, _) in itertools.pairwise(points):
            amounts.update(a + (b - a) * j / 4 for j in (1, 2, 3))
    out = []
    for a in sorted(amounts):
        for (a0, u0, c0), (a1, u1, c1) in itertools.pairwise(points):
            if a0 - 1e-6 <= a <= a1 + 1e-6:
                f = (a - a0) / (a1 - a0)
                out.append(Option(ids.get(a, f"{a:g}"), u0 + f * (u1 - u0), c0 + f * (c1 - c0), a))
                break
    return out


def load(path: Path) -> Spec:
    pf = yaml.safe_load(path.read_text())
    policy = yaml.safe_load((path.parent / pf["policy"]).read_text())
    periods = [str(t) for t in pf["periods"]]
    quarters = all("Q" in t for t in periods)
    divide = 4.0 if quarters and policy.get("caps_per", "year") == "year" else 1.0
    levels = [(lv["id"], float(lv["mitigation"])) for lv in policy["security_levels"]]
    partners = []
    for rel in pf["partners"]:
        d = yaml.safe_load((path.parent / rel).read_text())
        ask = {t: 0.0 for t in periods}
        ask.update({str(t): compute(v) for t, v in d["ask"].items() if str(t) in ask})
        val = d["value_per_h100e"]
        if isinstance(val, list):
            segs, prev = [], 0.0
            for piece in val:
                upto = compute(piece["upto"])
                segs.append((upto - prev, money(piece["value"])))
                prev = upto
        else:
            segs = [(math.inf, money(val))]
        cons = [
            Concession(c["id"], _options(c), c.get("requires", []), c.get("excludes", []))
            for c in d.get("concessions", [])
        ]
        partners.append(
            Partner(
                d["code"],
                int(d["tier"]),
                float(d["diversion_risk"]),
                ask,
                segs,
                money(d["batna"]),
                money(d.get("us_batna", 0)),
                {k: money(v) for k, v in d["security_costs"].items()},
                cons,
            )
        )
    caps: dict[tuple[str, str], float] = {}
    for p in partners:
        tier = policy.get("caps", {}).get(f"tier{p.tier}")
        own = (pf.get("caps") or {}).get(p.code, {})
        for k, _ in levels:
            if p.tier == 3:
                cap = 0.0
            elif k in own:
                cap = compute(own[k])
            elif tier is None or (isinstance(tier, dict) and k not in tier):
                cap = math.inf
            else:
                cap = compute(tier if not isinstance(tier, dict) else tier[k]) / divide
            caps[p.code, k] = cap
    budget = pf["risk_budget"] if "risk_budget" in pf else policy.get("risk_budget")
    return Spec(
        periods=periods,
        levels=levels,
        export=money(policy["export_value_per_h100e"]),
        penalty=money(policy["risk_penalty_per_h100e"]),
        margin=money(policy.get("acceptance_margin", 0)),
        budget=None if budget is None else compute(budget),
        supply={str(t): compute(v) for t, v in pf["supply"].items()},
        caps=caps,
        partners=partners,
        step=compute(pf.get("granularity", policy.get("granularity", 1000))),
    )


@dataclass
class Answer:
    status: str
    objective: float | None = None
    us_value: float | None = None
    partner_total: float | None = None
    deals: dict[str, dict[str, Any]] = field(default_factory=dict)
    bound: float | None = None


class Model:
    """DESIGN.md's plain model, in USD bn and thousands of H100e."""

    def __init__(
        self,
        spec: Spec,
        require: tuple[str, ...] = (),
        only: tuple[str, ...] | None = None,
        steps: bool = False,
    ):
        self.spec = spec
        self.prob = pulp.LpProblem("ref", pulp.LpMaximize)
        self.z, self.s, self.g, self.x, self.w, self.seg = {}, {}, {}, {}, {}, {}
        names = itertools.count()
        prob = self.prob

        def var(cat: str = "Continuous", ub: float | None = None) -> pulp.LpVariable:
            return prob.add_variable(f"v{next(names)}", lowBound=0, upBound=ub, cat=cat)

        self.V: dict[str, Any] = {}
        self.D: dict[str, Any] = {}
        self.R: dict[str, Any] = {}
        for p in spec.partners:
            z = self.z[p.code] = var("Binary")
            if only is not None and p.code not in only:
                prob += z == 0
            if p.code in require:
                prob += z == 1
            lv = [k for k, _ in spec.levels if k in p.security]
            for k in lv:
                self.s[p.code, k] = var("Binary")
            prob += pulp.lpSum(self.s[p.code, k] for k in lv) == z
            for c in p.concessions:
                for o in c.options:
                    self.g[p.code, c.id, o.label] = var("Binary")
                prob += pulp.lpSum(self.g[p.code, c.id, o.label] for o in c.options) <= z
            for t in spec.periods:
                x = self.x[p.code, t] = var()
                if steps and spec.step > 0:  # whole steps (every limit here is a multiple)
                    n = var("Integer")
                    prob += x == spec.step / COMPUTE * n
                for k in lv:
                    m = min(p.ask[t], spec.caps[p.code, k]) / COMPUTE
                    w = self.w[p.code, t, k] = var()
                    prob += w <= m * self.s[p.code, k]
                prob += pulp.lpSum(self.w[p.code, t, k] for k in lv) == x
                segs = []
                for j, (width, _) in enumerate(p.segments):
                    sv = self.seg[p.code, t, j] = var(
                        ub=None if math.isinf(width) else width / COMPUTE
                    )
                    segs.append(sv)
                prob += pulp.lpSum(segs) <= x
            granted = {
                c.id: pulp.lpSum(self.g[p.code, c.id, o.label] for o in c.options)
                for c in p.concessions
            }
            for c in p.concessions:
                for r in c.requires:
                    if isinstance(r, dict):
                        ok = [k for k in lv if spec.rank(k) >= spec.rank(r["security"])]
                        prob += granted[c.id] <= pulp.lpSum(self.s[p.code, k] for k in ok)
                    else:
                        prob += granted[c.id] <= granted[r]
                for e in c.excludes:
                    prob += granted[c.id] + granted[e] <= 1
            cost = pulp.lpSum(
                o.cost / MONEY * self.g[p.code, c.id, o.label]
                for c in p.concessions
                for o in c.options
            )
            usv = pulp.lpSum(
                o.us / MONEY * self.g[p.code, c.id, o.label]
                for c in p.concessions
                for o in c.options
            )
            value = pulp.lpSum(
                v * COMPUTE / MONEY * self.seg[p.code, t, j]
                for t in spec.periods
                for j, (_, v) in enumerate(p.segments)
            )
            sec = pulp.lpSum(p.security[k] / MONEY * self.s[p.code, k] for k in lv)
            D = self.D[p.code] = value - cost - sec
            prob += (p.batna + spec.margin) / MONEY * z <= D
            R = self.R[p.code] = pulp.lpSum(
                spec.weight(p, k) * self.w[p.code, t, k] for t in spec.periods for k in lv
            )
            self.V[p.code] = (
                usv
                + spec.export
                * COMPUTE
                / MONEY
                * pulp.lpSum(self.x[p.code, t] for t in spec.periods)
                - spec.penalty * COMPUTE / MONEY * R
                + p.us_batna / MONEY * (1 - z)
            )
        for t in spec.periods:
            prob += pulp.lpSum(self.x[p.code, t] for p in spec.partners) <= spec.supply[t] / COMPUTE
        if spec.budget is not None:
            prob += pulp.lpSum(self.R.values()) <= spec.budget / COMPUTE

    def U(self, code: str) -> Any:
        p = self.spec.partner(code)
        return self.D[code] + p.batna / MONEY * (1 - self.z[code])

    def run(self, objective: Any) -> Answer:
        self.prob.setObjective(objective)
        self.prob.solve(pulp.HiGHS(msg=False, gapRel=1e-9))
        status = pulp.LpStatus[self.prob.status]
        if status != "Optimal":
            return Answer(status.lower())
        return self.answer()

    def answer(self) -> Answer:
        spec = self.spec
        deals = {}
        for p in spec.partners:
            if (self.z[p.code].value() or 0) < 0.5:
                continue
            level = next(
                k
                for k in spec.levels
                if (
                    self.s.get((p.code, k[0])) is not None
                    and (self.s[p.code, k[0]].value() or 0) > 0.5
                )
            )[0]
            deals[p.code] = {
                "security": level,
                "compute": {t: (self.x[p.code, t].value() or 0) * COMPUTE for t in spec.periods},
                "concessions": {
                    c.id: o.label
                    for c in p.concessions
                    for o in c.options
                    if (self.g[p.code, c.id, o.label].value() or 0) > 0.5
                },
            }
        V = sum(pulp.value(v) for v in self.V.values()) * MONEY
        U = sum(pulp.value(self.U(p.code)) for p in spec.partners) * MONEY
        return Answer("optimal", pulp.value(self.prob.objective), V, U, deals)


def us_best(
    spec: Spec,
    require: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
    steps: bool = False,
) -> Answer:
    m = Model(spec, require, only, steps)
    a = m.run(pulp.lpSum(m.V.values()))
    if a.objective is not None:
        a.objective *= MONEY
    return a


def partner_best(
    spec: Spec,
    floor: float | None = None,
    require: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
) -> Answer:
    m = Model(spec, require, only)
    codes = [p.code for p in spec.partners]
    if floor is None:
        floor = sum(p.us_batna for p in spec.partners)
    m.prob += pulp.lpSum(m.V.values()) >= floor / MONEY
    a = m.run(pulp.lpSum(m.U(c) for c in codes))
    if a.objective is not None:
        a.objective *= MONEY
    return a


def ideals(spec: Spec) -> dict[str, tuple[float, float]]:
    """Each partner's (US gain, partner gain) alone, USD; only zones of agreement."""
    out = {}
    for p in spec.partners:
        best = us_best(spec, only=(p.code,))
        top = partner_best(spec, floor=sum(q.us_batna for q in spec.partners), only=(p.code,))
        if best.status != "optimal" or top.status != "optimal":
            continue
        if p.code not in best.deals or p.code not in top.deals:
            continue
        vi = best.us_value - sum(q.us_batna for q in spec.partners)
        ui = top.partner_total - sum(q.batna for q in spec.partners)
        if vi > 1e4 and ui > 1e4:
            out[p.code] = (vi, ui)
    return out


def kalai(spec: Spec, steps: bool = False) -> tuple[float, Answer]:
    ide = ideals(spec)
    m = Model(spec, steps=steps)
    tau = m.prob.add_variable("tau", upBound=1)
    for p in spec.partners:
        if p.code not in ide:
            m.prob += m.z[p.code] == 0
            continue
        vi, ui = ide[p.code]
        m.prob += m.V[p.code] - p.us_batna / MONEY >= tau * vi / MONEY
        m.prob += m.U(p.code) - p.batna / MONEY >= tau * ui / MONEY
    a = m.run(tau + 0 * pulp.lpSum(m.z.values()))
    return (tau.value() if a.status == "optimal" else math.nan), a


def nash(
    spec: Spec, cuts: int = 60, rounds: int = 8, steps: bool = False
) -> tuple[float, float, Answer]:
    """(best log-product found, upper bound, answer); log of gains in USD bn. `steps`: compute
    in whole multiples of the step."""
    ide = ideals(spec)
    pts = {
        c: (
            [vi / MONEY * 1e-4 ** (j / (cuts - 1)) for j in range(cuts)],
            [ui / MONEY * 1e-4 ** (j / (cuts - 1)) for j in range(cuts)],
        )
        for c, (vi, ui) in ide.items()
    }
    best, bound, ans = -math.inf, math.inf, Answer("none")
    for _ in range(rounds):
        m = Model(spec, steps=steps)
        terms = []
        gains = {}
        for p in spec.partners:
            if p.code not in ide:
                m.prob += m.z[p.code] == 0
                continue
            m.prob += m.z[p.code] == 1
            gv = m.V[p.code] - p.us_batna / MONEY
            gu = m.U(p.code) - p.batna / MONEY
            gains[p.code] = (gv, gu)
            for gain, points in ((gv, pts[p.code][0]), (gu, pts[p.code][1])):
                lv = m.prob.add_variable(f"l{len(terms)}")
                for a in points:
                    m.prob += lv <= math.log(a) + (gain - a) / a
                terms.append(lv)
        a = m.run(pulp.lpSum(terms) + 0 * pulp.lpSum(m.z.values()))
        if a.status != "optimal":
            return best, bound, a
        bound = min(bound, pulp.value(pulp.lpSum(terms)))
        true = 0.0
        for code, (gv, gu) in gains.items():
            for g, points in ((pulp.value(gv), pts[code][0]), (pulp.value(gu), pts[code][1])):
                true += math.log(g) if g > 1e-12 else -math.inf
                if g > 1e-12:
                    points.append(g)
        if true > best:
            best, ans = true, a
        if bound - best < 1e-7:
            break
    return best, bound, ans


# --- an independent check of one package --------------------------------------------------


def figures(spec: Spec, code: str, pkg: dict[str, Any]) -> dict[str, float]:
    """US value, partner utility, risk of a package {security, compute, concessions}."""
    p = spec.partner(code)
    k = pkg["security"]
    value = 0.0
    for t in spec.periods:
        left = pkg["compute"].get(t, 0.0)
        for width, v in p.segments:
            take = min(left, width)
            value += take * v
            left -= take
    usv = cost = 0.0
    for c in p.concessions:
        chosen = pkg["concessions"].get(c.id)
        if chosen in (None, False):
            continue
        label = "true" if chosen is True else str(chosen)
        opt = next((o for o in c.options if o.label == label), None)
        if opt is None:  # an amount, written as dealbench writes it
            amount = money(label)
            opt = next(o for o in c.options if o.amount is not None and abs(o.amount - amount) < 1)
        usv += opt.us
        cost += opt.cost
    total = sum(pkg["compute"].get(t, 0.0) for t in spec.periods)
    risk = spec.weight(p, k) * total
    return {
        "us_value": usv + spec.export * total - spec.penalty * risk,
        "partner_utility": value - cost - p.security[k],
        "risk": risk,
    }


def violations(spec: Spec, deals: dict[str, dict[str, Any]], tol: float = 0.5) -> list[str]:
    """Every limit a set of packages breaks, by its own reading of DESIGN.md."""
    out = []
    risk = 0.0
    for code, pkg in deals.items():
        p = spec.partner(code)
        k = pkg["security"]
        if k not in p.security:
            out.append(f"{code}: level {k} not met")
            continue
        f = figures(spec, code, pkg)
        risk += f["risk"]
        if f["partner_utility"] < p.batna + spec.margin - 1.0:
            out.append(f"{code}: utility {f['partner_utility']} < {p.batna + spec.margin}")
        for t in spec.periods:
            x = pkg["compute"].get(t, 0.0)
            if x > min(p.ask[t], spec.caps[code, k]) + tol or x < -tol:
                out.append(f"{code} {t}: {x} > {min(p.ask[t], spec.caps[code, k])}")
        granted = {c: v for c, v in pkg["concessions"].items() if v not in (None, False)}
        for c in p.concessions:
            if c.id not in granted:
                continue
            for r in c.requires:
                if isinstance(r, dict):
                    if spec.rank(k) < spec.rank(r["security"]):
                        out.append(f"{code}: {c.id} requires {r}")
                elif r not in granted:
                    out.append(f"{code}: {c.id} requires {r}")
            for e in c.excludes:
                if e in granted:
                    out.append(f"{code}: {c.id} excludes {e}")
    for t in spec.periods:
        used = sum(pkg["compute"].get(t, 0.0) for pkg in deals.values())
        if used > spec.supply[t] + tol:
            out.append(f"supply {t}: {used} > {spec.supply[t]}")
    if spec.budget is not None and risk > spec.budget + tol:
        out.append(f"risk {risk} > {spec.budget}")
    return out


def portfolio_value(spec: Spec, deals: dict[str, dict[str, Any]]) -> tuple[float, float]:
    """(V, partners' total) of a set of packages."""
    V = U = 0.0
    for p in spec.partners:
        if p.code in deals:
            f = figures(spec, p.code, deals[p.code])
            V += f["us_value"]
            U += f["partner_utility"]
        else:
            V += p.us_batna
            U += p.batna
    return V, U


def _fix_terms(m: Model, p: Any, pick: dict[str, Any]) -> None:
    """Fix partner `p`'s security level and concessions in `m` to a package's (`pick`): a
    level by its label (`true` for a yes/no concession) or, on a range, by its amount."""
    m.prob += m.s[p.code, pick["security"]] == 1
    for c in p.concessions:
        label = pick["concessions"].get(c.id)
        for o in c.options:
            on = label is not None and (
                o.label == ("true" if label is True else str(label))
                or (
                    o.amount is not None
                    and str(label)[0].isdigit()
                    and abs(o.amount - money(label)) < 1
                )
            )
            m.prob += m.g[p.code, c.id, o.label] == (1 if on else 0)


def fixed(spec: Spec, choices: dict[str, dict[str, Any]]) -> Answer:
    """us-best with every deal's security level and concessions fixed as in `choices` (a
    partner not named has no deal); compute free: the LP of shadow prices."""
    m = Model(spec)
    for p in spec.partners:
        pick = choices.get(p.code)
        m.prob += m.z[p.code] == (1 if pick else 0)
        if not pick:
            continue
        _fix_terms(m, p, pick)
    a = m.run(pulp.lpSum(m.V.values()))
    if a.objective is not None:
        a.objective *= MONEY
    return a


def floored(
    spec: Spec,
    code: str,
    u: float,
    held: dict[str, dict[str, Any]] | None = None,
    steps: bool = False,
) -> Answer:
    """max V with partner `code`'s utility at least u (a deal required). `held`: the other
    partners' packages fixed as given (a partner not in it has no deal); None: jointly."""
    m = Model(spec, require=(code,), steps=steps)
    m.prob += m.D[code] >= u / MONEY
    if held is not None:
        for p in spec.partners:
            if p.code == code:
                continue
            pkg = held.get(p.code)
            m.prob += m.z[p.code] == (1 if pkg else 0)
            if not pkg:
                continue
            _fix_terms(m, p, pkg)
            for t in spec.periods:
                m.prob += m.x[p.code, t] == pkg["compute"][t] / COMPUTE
    a = m.run(pulp.lpSum(m.V.values()))
    if a.objective is not None:
        a.objective *= MONEY
    return a


# --- small portfolios written as files, from a seed ----------------------------------------


def write_random(folder: Path, seed: int) -> Path:
    """A small portfolio (2-3 partners, 1-3 periods, 0-3 concessions each) from `seed`."""
    import random

    rng = random.Random(seed)
    years = [str(2026 + i) for i in range(rng.randint(1, 3))]
    quarters = rng.random() < 0.25
    periods = [f"2026Q{i + 1}" for i in range(len(years))] if quarters else years
    levels = [
        {"id": "baseline", "title": "Baseline", "mitigation": 0.0},
        {"id": "kyc", "title": "KYC", "mitigation": round(rng.uniform(0.2, 0.6), 2)},
        {"id": "veu", "title": "VEU", "mitigation": round(rng.uniform(0.7, 0.95), 2)},
    ]
    caps = {
        "tier2": {"baseline": rng.choice([10, 20, 40]) * 1000, "kyc": rng.choice([50, 80]) * 1000}
    }
    if rng.random() < 0.5:
        caps["tier2"]["veu"] = 150_000
    policy = {
        "id": "rnd",
        "title": "Random",
        "security_levels": levels,
        "caps": caps,
        "export_value_per_h100e": f"{rng.choice([5, 8, 12])}k",
        "risk_penalty_per_h100e": f"{rng.choice([20, 60, 150])}k",
        "acceptance_margin": rng.choice([0, "50m"]),
    }
    if rng.random() < 0.5:
        policy["risk_budget"] = rng.choice([5_000, 15_000, 40_000])
    names = []
    for i in range(rng.randint(2, 3)):
        code = "PQR"[i] + "X"
        tier = rng.choice([1, 2, 2])
        if rng.random() < 0.5:
            value: Any = f"{rng.choice([20, 30, 45])}k"
        else:
            value = [
                {"upto": 30_000, "value": f"{rng.choice([50, 70])}k"},
                {"upto": 90_000, "value": f"{rng.choice([15, 25])}k"},
            ]
        cons = []
        for j in range(rng.randint(0, 3)):
            kind = rng.random()
            c: dict[str, Any] = {"id": f"c{j}", "title": f"Term {j}", "category": "other"}
            if kind < 0.4:
                c.update(
                    us_value=f"{rng.randint(1, 30) * 100}m",
                    partner_cost=f"{rng.randint(0, 20) * 100}m",
                )
            elif kind < 0.7:
                c["levels"] = [
                    {
                        "id": "lo",
                        "title": "Low",
                        "us_value": f"{rng.randint(1, 10) * 100}m",
                        "partner_cost": f"{rng.randint(0, 8) * 100}m",
                    },
                    {
                        "id": "hi",
                        "title": "High",
                        "us_value": f"{rng.randint(10, 30) * 100}m",
                        "partner_cost": f"{rng.randint(5, 25) * 100}m",
                    },
                ]
            else:
                amount: dict[str, Any] = {"unit": "USD"}
                if rng.random() < 0.5:
                    amount["min"] = rng.choice([0, "10bn"])
                if rng.random() < 0.5:
                    amount["step"] = "20bn"
                c["amount"] = amount
                c["levels"] = [
                    {
                        "id": "50bn",
                        "title": "USD 50bn",
                        "amount": "50bn",
                        "us_value": f"{rng.randint(5, 20) * 100}m",
                        "partner_cost": f"{rng.randint(2, 15) * 100}m",
                    },
                    {
                        "id": "150bn",
                        "title": "USD 150bn",
                        "amount": "150bn",
                        "us_value": f"{rng.randint(20, 50) * 100}m",
                        "partner_cost": f"{rng.randint(10, 40) * 100}m",
                    },
                ]
            if j and rng.random() < 0.3:
                c["requires"] = [f"c{j - 1}"]
            elif rng.random() < 0.3:
                c["requires"] = [{"security": rng.choice(["kyc", "veu"])}]
            if j and rng.random() < 0.2 and "requires" not in c:
                c["excludes"] = [f"c{j - 1}"]
            cons.append(c)
        partner = {
            "code": code,
            "name": f"Land {code}",
            "tier": tier,
            "diversion_risk": round(rng.uniform(0.0, 0.5), 2),
            "ask": {t: rng.choice([20, 50, 100]) * 1000 for t in periods},
            "value_per_h100e": value,
            "batna": f"{rng.randint(0, 30) * 100}m",
            "us_batna": rng.choice([0, "-500m", "-2bn"]),
            "security_costs": {
                "baseline": 0,
                "kyc": f"{rng.randint(0, 5) * 100}m",
                "veu": f"{rng.randint(5, 20) * 100}m",
            },
            "concessions": cons,
        }
        names.append(f"{code.lower()}.yaml")
        (folder / names[-1]).write_text(yaml.safe_dump(partner, sort_keys=False))
    (folder / "policy.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))
    portfolio = {
        "id": f"rnd-{seed}",
        "title": "Random",
        "policy": "policy.yaml",
        "periods": periods,
        "supply": {t: rng.choice([0, 60, 120, 200]) * 1000 for t in periods},
        "partners": names,
        "granularity": 0,
    }
    path = folder / "portfolio.yaml"
    path.write_text(yaml.safe_dump(portfolio, sort_keys=False))
    return path
