"""An independent brute-force reference for dealbench's numbers (qa45-verify).

Written from DESIGN.md ("The optimization model") and docs/amounts.md / docs/model.md
(range concessions and their grid, compute in whole steps) alone; nothing here imports
dealbench. A small random portfolio is a ``Spec`` of plain dicts in the files' units,
written as YAML in the layout of ``deals/``. The reference enumerates every choice of
each partner (no deal, or a security level and a set of concession choices, reduced to
the sets no other beats on both the US value and the partner's cost), and for each joint
choice solves the compute with HiGHS (an LP; a small MIP for whole steps), through
highspy's low-level API.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import yaml

LEVELS = ("baseline", "kyc", "veu")
B = 1e9  # USD per model money unit
K = 1e3  # H100e per model compute unit
INF = highspy.kHighsInf

SHAPES = (
    "plain",
    "walkaway-is-best",
    "zero-value",
    "range-min",
    "zero-supply",
    "one-deal-budget",
    "twins",
)


@dataclass
class Spec:
    policy: dict[str, Any]
    partners: list[dict[str, Any]]
    portfolio: dict[str, Any]
    shape: str = "plain"

    def copy(self) -> Spec:
        return copy.deepcopy(self)

    def partner(self, code: str) -> dict[str, Any]:
        return next(p for p in self.partners if p["code"] == code)

    @property
    def periods(self) -> list[str]:
        return [str(t) for t in self.portfolio["periods"]]

    @property
    def step(self) -> float:
        return float(self.portfolio.get("granularity", 0))

    @property
    def risk_budget(self) -> float | None:
        rb = self.portfolio.get("risk_budget", self.policy.get("risk_budget"))
        return None if rb is None else float(rb)


# ---------------------------------------------------------------------------
# Generation


def _money(x: float) -> str:
    """Write dollars in the files' units (whole millions)."""
    m = round(x / 1e6)
    return f"{m}m"


def _concessions(
    rng: random.Random, n: int, shape: str, periods: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    has_range = False
    for i in range(n):
        cid = f"c{i}"
        kind = rng.random()
        c: dict[str, Any] = {"id": cid, "title": f"Concession {i}", "category": "other"}
        zero = shape == "zero-value" and i == 0
        if (kind < 0.35 and not has_range) or (shape == "range-min" and not has_range):
            has_range = True
            a1 = rng.choice([40, 50, 100])
            a2 = a1 + rng.choice([50, 100, 150])
            u1, c1 = rng.uniform(0.5, 6) * B, rng.uniform(0.2, 4) * B
            u2, c2 = u1 + rng.uniform(0, 6) * B, c1 + rng.uniform(0, 4) * B
            amount: dict[str, Any] = {"unit": "USD"}
            if shape == "range-min":
                amount["min"] = f"{rng.choice([10, 20, 30])}bn"
            elif rng.random() < 0.5:
                amount["min"] = 0
            if rng.random() < 0.6:
                amount["step"] = f"{rng.choice([25, 50])}bn"
            c["amount"] = amount
            c["levels"] = [
                {"id": f"{a1}bn", "title": f"USD {a1}bn", "amount": f"{a1}bn",
                 "us_value": _money(u1), "partner_cost": _money(c1)},
                {"id": f"{a2}bn", "title": f"USD {a2}bn", "amount": f"{a2}bn",
                 "us_value": _money(u2), "partner_cost": _money(c2)},
            ]  # fmt: skip
        elif kind < 0.65:
            u1, c1 = rng.uniform(0.2, 4) * B, rng.uniform(0.1, 3) * B
            u2, c2 = u1 + rng.uniform(0, 5) * B, c1 + rng.uniform(0, 4) * B
            if zero:
                u1, u2 = 0.0, 0.0
            c["levels"] = [
                {
                    "id": "small",
                    "title": "Small",
                    "us_value": _money(u1),
                    "partner_cost": _money(c1),
                },
                {
                    "id": "large",
                    "title": "Large",
                    "us_value": _money(u2),
                    "partner_cost": _money(c2),
                },
            ]
        else:
            c["us_value"] = 0 if zero else _money(rng.uniform(0, 5) * B)
            c["partner_cost"] = 0 if zero and rng.random() < 0.5 else _money(rng.uniform(0, 3) * B)
        out.append(c)
    for i, c in enumerate(out):
        r = rng.random()
        if r < 0.2 and i > 0:
            c["requires"] = [f"c{rng.randrange(i)}"]
        elif r < 0.35:
            c["requires"] = [{"security": rng.choice(["kyc", "veu"])}]
        elif r < 0.5 and i > 0:
            c["excludes"] = [f"c{rng.randrange(i)}"]
    return out


def random_spec(rng: random.Random, shape: str | None = None) -> Spec:
    """A small random portfolio: 1-3 partners, 1-3 periods, 2-4 concessions each."""
    shape = shape or rng.choice(SHAPES)
    periods = [2026 + i for i in range(rng.randint(1, 3))]
    mitig = sorted(round(rng.uniform(0, 0.95), 2) for _ in LEVELS)
    tier2: Any
    r = rng.random()
    if r < 0.15:
        tier2 = {}
    elif r < 0.3:
        tier2 = rng.randrange(10_000, 60_000, 1_000)
    else:
        base = rng.randrange(5_000, 40_000, 1_000)
        tier2 = {"baseline": base, "kyc": base * 2, "veu": base * rng.randint(3, 6)}
    policy: dict[str, Any] = {
        "id": "qa45",
        "title": "QA45 random policy",
        "security_levels": [
            {"id": k, "title": f"Level {k}", "mitigation": m}
            for k, m in zip(LEVELS, mitig, strict=True)
        ],
        "caps": {"tier1": {}, "tier2": tier2, "tier3": 0},
        "export_value_per_h100e": f"{rng.randrange(4, 16)}k",
        "risk_penalty_per_h100e": f"{rng.randrange(10, 120, 5)}k",
        "acceptance_margin": rng.choice([0, 0, "50m", "200m"]),
    }
    n = 2 if shape == "twins" else rng.randint(1, 3)
    partners = []
    for i in range(n):
        code = "P" + "ABC"[i]
        tier = rng.choice([1, 2, 2])
        ask = {t: rng.randrange(0, 60_000, 500) if rng.random() < 0.1 else
               rng.randrange(5_000, 60_000, 500) for t in periods}  # fmt: skip
        if rng.random() < 0.6:
            value: Any = f"{rng.randrange(10, 60)}k"
        else:
            v1 = rng.randrange(20, 60)
            value = [
                {"upto": rng.randrange(5_000, 30_000, 1_000), "value": f"{v1}k"},
                {"upto": 80_000, "value": f"{rng.randrange(1, v1 + 1)}k"},
            ]
        sec: dict[str, Any] = {"baseline": 0}
        if rng.random() < 0.2:
            sec = {}
        sec["kyc"] = _money(rng.uniform(0, 1) * B)
        if rng.random() < 0.8:
            sec["veu"] = _money(rng.uniform(0.2, 2) * B)
        p: dict[str, Any] = {
            "code": code,
            "name": f"Partner {code}",
            "tier": tier,
            "diversion_risk": round(rng.uniform(0.02, 0.6), 2),
            "ask": ask,
            "value_per_h100e": value,
            "batna": _money(rng.uniform(0, 2.5) * B),
            "us_batna": rng.choice([0, 0, _money(-rng.uniform(0, 3) * B)]),
            "security_costs": sec,
            "concessions": _concessions(
                rng, rng.randint(2, 4 if n == 1 else 3 if n == 2 else 2), shape, []
            ),
        }
        partners.append(p)
    if shape == "twins":
        twin = copy.deepcopy(partners[0])
        twin["code"], twin["name"] = "PB", "Partner PB"
        partners[1] = twin
    supply = {t: rng.randrange(10_000, 150_000, 1_000) for t in periods}
    if shape == "zero-supply":
        supply[rng.choice(periods)] = 0
    portfolio: dict[str, Any] = {
        "id": "qa45",
        "title": "QA45 random portfolio",
        "policy": "../policy/qa45.yaml",
        "periods": periods,
        "supply": supply,
        "partners": [f"../partners/{p['code'].lower()}.yaml" for p in partners],
        "granularity": rng.choice([0, 0, 1_000, 2_500, 5_000]),
    }
    if rng.random() < 0.35:
        portfolio["risk_budget"] = rng.randrange(1_000, 40_000, 500)
    spec = Spec(policy, partners, portfolio, shape)
    if shape == "walkaway-is-best":
        # the partner's best deal (most compute the caps allow, nothing conceded, the
        # cheapest level) is exactly its walk-away value plus the margin
        p = partners[0]
        best = max(
            (
                sum(value_of(p, min(p["ask"][t], cap(spec, p, k))) for t in periods)
                - money(p["security_costs"][k])
                for k in LEVELS
                if k in p["security_costs"]
            ),
            default=0.0,
        )
        p["batna"] = round(max(best - money(policy["acceptance_margin"]), 0))
    if shape == "one-deal-budget":
        # the budget carries the least-risk full deal of one partner and little more
        p = partners[0]
        risks = [
            p["diversion_risk"]
            * (1 - mitig[i])
            * sum(min(p["ask"][t], cap(spec, p, k), supply[t]) for t in periods)
            for i, k in enumerate(LEVELS)
            if k in p["security_costs"]
        ]
        portfolio["risk_budget"] = max(round(min(risks, default=1000.0)), 1)
    return spec


def write(spec: Spec, folder: Path) -> Path:
    """The spec as files in the layout of deals/; the portfolio's path."""
    for sub in ("policy", "partners", "portfolios"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "policy" / "qa45.yaml").write_text(yaml.safe_dump(spec.policy, sort_keys=False))
    for p in spec.partners:
        path = folder / "partners" / f"{p['code'].lower()}.yaml"
        path.write_text(yaml.safe_dump(p, sort_keys=False))
    path = folder / "portfolios" / "qa45.yaml"
    path.write_text(yaml.safe_dump(spec.portfolio, sort_keys=False))
    return path


# ---------------------------------------------------------------------------
# Figures


def money(x: Any) -> float:
    if isinstance(x, (int, float)):
        return float(x)
    s = str(x).replace("_", "").strip()
    for suffix, mult in (("tn", 1e12), ("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if s.endswith(suffix):
            return float(s[: -len(suffix)]) * mult
    return float(s)


def mitigation(spec: Spec, k: str) -> float:
    return next(float(s["mitigation"]) for s in spec.policy["security_levels"] if s["id"] == k)


def at(d: dict[Any, Any], t: str) -> Any:
    """A per-period figure: YAML reads a year's key as a number, a quarter's as text."""
    return d[t] if t in d else d[int(t)]


def per_period(spec: Spec) -> float:
    """The share of the policy's caps that holds per period (DESIGN.md: caps are written
    per year unless `caps_per` says otherwise; a quarter gets a quarter of them)."""
    if spec.policy.get("caps_per", "year") != "year":
        return 1.0
    first = str(spec.portfolio["periods"][0])
    return 0.25 if "Q" in first else 0.5 if "H" in first else 1.0


def cap(spec: Spec, p: dict[str, Any], k: str) -> float:
    own = spec.portfolio.get("caps", {}).get(p["code"], {})
    if k in own:
        return float(own[k])
    tier_caps = spec.policy["caps"][f"tier{p['tier']}"]
    if isinstance(tier_caps, (int, float)):
        return float(tier_caps) * per_period(spec)
    return float(tier_caps.get(k, math.inf)) * per_period(spec)


def segments(p: dict[str, Any]) -> list[tuple[float, float]]:
    """(width in H100e, value per H100e) of the partner's value of compute in a period."""
    v = p["value_per_h100e"]
    if not isinstance(v, list):
        return [(math.inf, money(v))]
    out, start = [], 0.0
    for seg in v:
        out.append((float(seg["upto"]) - start, money(seg["value"])))
        start = float(seg["upto"])
    out.append((math.inf, 0.0))
    return out


def value_of(p: dict[str, Any], x: float) -> float:
    total = 0.0
    for width, v in segments(p):
        take = min(x, width)
        total += take * v
        x -= take
        if x <= 0:
            break
    return total


def choices(c: dict[str, Any]) -> list[tuple[str | bool, float, float]]:
    """Every grant the optimizer may offer: (what the package says, US value, cost)."""
    if "levels" not in c:
        return [(True, money(c.get("us_value", 0)), money(c.get("partner_cost", 0)))]
    levels = [(lv["id"], money(lv["us_value"]), money(lv["partner_cost"])) for lv in c["levels"]]
    if "amount" not in c:
        return levels
    amount = c["amount"]
    pts = [
        (money(lv["amount"]), money(lv["us_value"]), money(lv["partner_cost"]))
        for lv in c["levels"]
    ]
    if "min" in amount:
        pts.insert(0, (money(amount["min"]), 0.0, 0.0))
    lo, hi = pts[0][0], pts[-1][0]
    grid: set[float] = {a for a, _, _ in pts}
    if "step" in amount:
        st = money(amount["step"])
        n = math.floor(lo / st) + 1
        while n * st < hi - 1e-6:
            if n * st > lo + 1e-6:
                grid.add(n * st)
            n += 1
    else:
        for (a0, _, _), (a1, _, _) in itertools.pairwise(pts):
            grid.update(a0 + (a1 - a0) * i / 4 for i in (1, 2, 3))
    if "min" in amount:
        grid.discard(money(amount["min"]))
    return [(f"{a / 1e9:g}bn", *interpolate(pts, a)) for a in sorted(grid)]


def interpolate(pts: list[tuple[float, float, float]], a: float) -> tuple[float, float]:
    for (a0, u0, c0), (a1, u1, c1) in itertools.pairwise(pts):
        if a0 - 1e-6 <= a <= a1 + 1e-6:
            f = (a - a0) / (a1 - a0)
            return u0 + f * (u1 - u0), c0 + f * (c1 - c0)
    assert len(pts) == 1 and abs(a - pts[0][0]) < 1e-6
    return pts[0][1], pts[0][2]


def grant_value(c: dict[str, Any], said: Any) -> tuple[float, float]:
    """The (US value, partner cost) of granting `said` of concession c (a level or amount)."""
    if said is True:
        return money(c.get("us_value", 0)), money(c.get("partner_cost", 0))
    for lv in c.get("levels", []):
        if lv["id"] == str(said):
            return money(lv["us_value"]), money(lv["partner_cost"])
    amount = c["amount"]
    pts = [
        (money(lv["amount"]), money(lv["us_value"]), money(lv["partner_cost"]))
        for lv in c["levels"]
    ]
    if "min" in amount:
        pts.insert(0, (money(amount["min"]), 0.0, 0.0))
    return interpolate(pts, money(said))


def allowed(p: dict[str, Any], k: str, granted: dict[str, Any]) -> bool:
    order = LEVELS.index(k)
    for c in p["concessions"]:
        if c["id"] not in granted:
            continue
        for r in c.get("requires", []):
            if isinstance(r, dict):
                if order < LEVELS.index(r["security"]):
                    return False
            elif r not in granted:
                return False
        if any(e in granted for e in c.get("excludes", [])):
            return False
    return True


@dataclass(frozen=True)
class Option:
    """One partner's deal terms but its compute: a level and a set of concessions."""

    code: str
    k: str
    us: float  # US value of the concessions
    cost: float  # partner's cost of the concessions
    security_cost: float
    granted: tuple[tuple[str, Any], ...]

    @property
    def concessions(self) -> dict[str, Any]:
        return dict(self.granted)


def options(spec: Spec, p: dict[str, Any]) -> list[Option]:
    """Every (level, concession set) no other of the same level beats on both sides."""
    menus = [[None, *choices(c)] for c in p["concessions"]]
    out: list[Option] = []
    for k in LEVELS:
        if k not in p["security_costs"]:  # (tier 3 deals on terms alone: `limit` is 0)
            continue
        found: list[Option] = []
        for pick in itertools.product(*menus):
            granted = {c["id"]: ch[0] for c, ch in zip(p["concessions"], pick, strict=True) if ch}
            if not allowed(p, k, granted):
                continue
            us = sum(ch[1] for ch in pick if ch)
            cost = sum(ch[2] for ch in pick if ch)
            found.append(Option(p["code"], k, us, cost, money(p["security_costs"][k]),
                                tuple(sorted(granted.items()))))  # fmt: skip
        most = sum(
            value_of(p, max(min(limit(spec, p, k, t), supply(spec, t)), 0)) for t in spec.periods
        )
        need = money(p["batna"]) + money(spec.policy["acceptance_margin"])
        found = [o for o in found if most - o.cost - o.security_cost >= need - 1e3]
        found.sort(key=lambda o: (-o.us, o.cost))
        best_cost = math.inf
        for o in found:
            if o.cost < best_cost - 1e-3:
                out.append(o)
                best_cost = o.cost
    return out


# ---------------------------------------------------------------------------
# The compute problem of one joint choice


@dataclass
class Solved:
    feasible: bool
    objective: float = -math.inf
    x: dict[str, dict[str, float]] = field(default_factory=dict)
    exact: float = -math.inf  # nash: the log product of the compute found


NASH_CUTS = 160


def unit_value(spec: Spec, p: dict[str, Any], k: str) -> float:
    """US value of one H100e delivered to p under k."""
    export = money(spec.policy["export_value_per_h100e"])
    penalty = money(spec.policy["risk_penalty_per_h100e"])
    return export - penalty * p["diversion_risk"] * (1 - mitigation(spec, k))


def limit(spec: Spec, p: dict[str, Any], k: str, t: str) -> float:
    if p["tier"] == 3:
        return 0.0
    return min(float(at(p["ask"], t)), cap(spec, p, k))


def solve_compute(
    spec: Spec,
    combo: dict[str, Option | None],
    objective: str,
    *,
    steps: bool,
    floors: dict[str, float] | None = None,
    v_floor: float | None = None,
    held_supply: dict[str, float] | None = None,
    held_risk: float = 0.0,
    tau_ideals: dict[str, tuple[float, float]] | None = None,
    tau_held: float | None = None,
) -> Solved:
    """Best compute for fixed terms. objective: 'us' (V), 'partner' (sum of U), 'tau'
    (kalai's share; with tau_held, the sum of shares). Money in USD bn, compute in kH100e.
    `floors`: a least U per partner (else its walk-away value plus the margin)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    periods = spec.periods
    margin = money(spec.policy["acceptance_margin"])
    nvar = 0
    cost: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    integ: list[bool] = []

    def var(lb: float, ub: float, c: float = 0.0, integer: bool = False) -> int:
        nonlocal nvar
        lo.append(lb), hi.append(ub), cost.append(c), integ.append(integer)
        nvar += 1
        return nvar - 1

    rows: list[tuple[float, float, dict[int, float]]] = []
    xs: dict[tuple[str, str], int] = {}
    supply_rows = {t: {} for t in periods}
    risk_row: dict[int, float] = {}
    const_v = 0.0  # constant part of V (bn)
    v_row: dict[int, float] = {}
    u_parts: dict[str, tuple[dict[int, float], float]] = {}
    step = spec.step / K
    for p in spec.partners:
        o = combo.get(p["code"])
        if o is None:
            const_v += money(p.get("us_batna", 0)) / B
            continue
        const_v += o.us / B
        a = unit_value(spec, p, o.k) * K / B
        rw = p["diversion_risk"] * (1 - mitigation(spec, o.k))
        u_row: dict[int, float] = {}
        for t in periods:
            m = limit(spec, p, o.k, t) / K
            x = var(0, m)
            xs[p["code"], t] = x
            v_row[x] = a
            supply_rows[t][x] = 1.0
            risk_row[x] = rw
            fill = {x: -1.0}
            for width, val in segments(p):
                y = var(0, width / K if math.isfinite(width) else INF)
                fill[y] = 1.0
                u_row[y] = val * K / B
            rows.append((0.0, 0.0, fill))
            if steps and step > 0 and m > 0:
                whole = math.floor(m / step + 1e-9)
                rest = m - whole * step
                n = var(0, whole, integer=True)
                if rest > 1e-9:
                    b = var(0, 1, integer=True)
                    rows.append((0.0, 0.0, {x: 1.0, n: -step, b: -rest}))
                    rows.append((0.0, INF, {n: 1.0, b: -float(whole)}))
                else:
                    rows.append((0.0, 0.0, {x: 1.0, n: -step}))
        const_u = -(o.cost + o.security_cost) / B
        need = (floors or {}).get(p["code"], money(p["batna"]) + margin)
        rows.append((need / B - const_u, INF, dict(u_row)))
        u_parts[p["code"]] = (u_row, const_u)
    for t in periods:
        left = supply(spec, t) - (held_supply or {}).get(t, 0.0)
        if supply_rows[t]:
            rows.append((-INF, left / K, supply_rows[t]))
    if spec.risk_budget is not None and risk_row:
        rows.append((-INF, (spec.risk_budget - held_risk) / K, risk_row))
    if v_floor is not None:
        rows.append((v_floor / B - const_v, INF, dict(v_row)))
    tau = None
    if objective == "us":
        for i, c in v_row.items():
            cost[i] += c
        offset = const_v
    elif objective == "partner":
        offset = 0.0
        for p in spec.partners:
            o = combo.get(p["code"])
            if o is None:
                offset += money(p["batna"]) / B
                continue
            u_row, cu = u_parts[p["code"]]
            offset += cu
            for i, c in u_row.items():
                cost[i] += c
    elif objective == "nash":
        # sum of log(gain / USD 1bn), bounded from above by dense tangent cuts; a partner
        # with a deal has both gains at least 1e-3 of its ideal (DESIGN / docs/frontier.md)
        assert tau_ideals is not None
        offset = 0.0
        logs = []
        for p in spec.partners:
            code = p["code"]
            o = combo.get(code)
            if code not in tau_ideals or o is None:
                continue
            us_row = {xs[code, t]: v_row[xs[code, t]] for t in periods}
            u_row, cu = u_parts[code]
            pairs = (
                (us_row, (o.us - money(p.get("us_batna", 0))) / B, tau_ideals[code][0] / B),
                (dict(u_row), cu - money(p["batna"]) / B, tau_ideals[code][1] / B),
            )
            for row, c0, ideal in pairs:
                rows.append((1e-3 * ideal - c0, INF, dict(row)))
                lg = var(-INF, INF, 1.0)
                logs.append((lg, row, c0))
                for j in range(NASH_CUTS):
                    g0 = ideal * 1e-3 ** (j / (NASH_CUTS - 1)) * 1.2
                    # lg <= log(g0) + (g - g0) / g0, g = row.x + c0
                    r = {i: -c / g0 for i, c in row.items()}
                    r[lg] = 1.0
                    rows.append((-INF, math.log(g0) - 1 + c0 / g0, r))
    else:  # tau
        assert tau_ideals is not None
        tau = var(-INF, INF, 1.0 if tau_held is None else 0.0)
        offset = 0.0
        for p in spec.partners:
            code = p["code"]
            if code not in tau_ideals:
                continue
            ius, ip = tau_ideals[code]
            o = combo.get(code)
            if o is None:
                us_gain: tuple[dict[int, float], float] = ({}, 0.0)
                p_gain: tuple[dict[int, float], float] = ({}, 0.0)
            else:
                us_row = {xs[code, t]: v_row[xs[code, t]] for t in periods}
                us_gain = (us_row, (o.us - money(p.get("us_batna", 0))) / B)
                u_row, cu = u_parts[code]
                p_gain = (dict(u_row), cu - money(p["batna"]) / B)
            for (row, c0), ideal in ((us_gain, ius), (p_gain, ip)):
                r = {i: c / (ideal / B) for i, c in row.items()}
                c0 = c0 / (ideal / B)
                if tau_held is None:
                    r[tau] = r.get(tau, 0.0) - 1.0
                    rows.append((-c0, INF, r))
                else:
                    rows.append((tau_held - c0 - 1e-7, INF, r))
                    for i, c in r.items():
                        cost[i] += c
                    offset += c0
    if nvar == 0:
        var(0.0, 0.0)
    h.addVars(nvar, np.array(lo), np.array(hi))
    h.changeColsCost(nvar, np.arange(nvar, dtype=np.int32), np.array(cost))
    if any(integ):
        idx = np.array([i for i, f in enumerate(integ) if f], dtype=np.int32)
        h.changeColsIntegrality(len(idx), idx, np.array([highspy.HighsVarType.kInteger] * len(idx)))
    for rlo, rhi, coefs in rows:
        idx = np.array(list(coefs), dtype=np.int32)
        h.addRow(rlo, rhi, len(idx), idx, np.array(list(coefs.values()), dtype=float))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        assert status == highspy.HighsModelStatus.kInfeasible, h.modelStatusToString(status)
        return Solved(False)
    sol = list(h.getSolution().col_value)
    obj = h.getInfo().objective_function_value
    out = Solved(
        True, objective=(obj + offset) * (1 if objective == "tau" and tau_held is None else B)
    )
    if objective == "tau" and tau_held is None:
        out.objective = sol[tau]  # type: ignore[index]
    elif objective == "tau":
        out.objective = obj + offset
    for (code, t), i in xs.items():
        out.x.setdefault(code, {})[t] = sol[i] * K
    if objective == "nash":
        out.objective = obj  # the cuts' bound
        out.exact = sum(
            math.log(max(sum(c * sol[i] for i, c in row.items()) + c0, 1e-300))
            for _, row, c0 in logs
        )
    return out


def supply(spec: Spec, t: str) -> float:
    s = spec.portfolio["supply"]
    return float(at(s, t))


def upper(spec: Spec, combo: dict[str, Option | None], objective: str) -> float:
    """An upper bound of the objective over the compute of fixed terms (each deal alone)."""
    if objective not in ("us", "partner"):
        return math.inf
    total = 0.0
    for p in spec.partners:
        o = combo.get(p["code"])
        if o is None:
            total += money(p.get("us_batna", 0)) if objective == "us" else money(p["batna"])
            continue
        most = [max(min(limit(spec, p, o.k, t), supply(spec, t)), 0) for t in spec.periods]
        if objective == "us":
            total += o.us + max(unit_value(spec, p, o.k), 0) * sum(most)
        else:
            total += sum(value_of(p, m) for m in most) - o.cost - o.security_cost
    return total


def combos(spec: Spec, only: list[str] | None = None) -> list[dict[str, Option | None]]:
    per = []
    for p in spec.partners:
        opts: list[Option | None] = [None]
        if only is None or p["code"] in only:
            opts += options(spec, p)
        per.append([(p["code"], o) for o in opts])
    return [dict(c) for c in itertools.product(*per)]


def best(
    spec: Spec, objective: str, *, steps: bool, **kw: Any
) -> tuple[float, dict[str, Option | None] | None]:
    top, arg = -math.inf, None
    every = combos(spec, kw.pop("only", None))
    bounds = [upper(spec, c, objective) for c in every]
    for bound, combo in sorted(zip(bounds, every, strict=True), key=lambda bc: -bc[0]):
        if bound < top + 1e-3:
            break
        if "require" in kw and any(combo[c] is None for c in kw["require"]):
            continue
        sol = solve_compute(spec, combo, objective, steps=steps,
                            **{k: v for k, v in kw.items() if k != "require"})  # fmt: skip
        if sol.feasible and sol.objective > top:
            top, arg = sol.objective, combo
    return top, arg


def evaluate(spec: Spec, package: dict[str, Any]) -> dict[str, float]:
    """One deal's figures, recomputed: us (its US utility), u (D), risk, accepts."""
    p = spec.partner(package["partner"])
    k = package["security"]
    us = cost = 0.0
    for c in p["concessions"]:
        said = package.get("concessions", {}).get(c["id"])
        if said in (None, False):
            continue
        gu, gc = grant_value(c, said)
        us, cost = us + gu, cost + gc
    x = {str(t): float(v) for t, v in package["compute"].items()}
    total = sum(x.values())
    u = sum(value_of(p, v) for v in x.values()) - cost - money(p["security_costs"].get(k, 0))
    risk = p["diversion_risk"] * (1 - mitigation(spec, k)) * total
    v = us + unit_value(spec, p, k) * total
    return {"us": v, "u": u, "risk": risk, "x": total,
            "accepts": float(u >= money(p["batna"]) + money(spec.policy["acceptance_margin"]) - 1e4)}  # fmt: skip


def nash_best(
    spec: Spec, zone: dict[str, tuple[float, float]], *, steps: bool
) -> tuple[int, float, float]:
    """(most partners with a deal, best log product found, its upper bound) over the
    joint choices in which only partners with a zone of agreement have deals."""
    best_n, lo, hi = -1, -math.inf, -math.inf
    for combo in combos(spec, list(zone)):
        n = sum(combo[c] is not None for c in zone)
        if n < best_n:
            continue
        sol = solve_compute(spec, combo, "nash", steps=steps, tau_ideals=zone)
        if not sol.feasible:
            continue
        if n > best_n:
            best_n, lo, hi = n, -math.inf, -math.inf
        lo, hi = max(lo, sol.exact), max(hi, sol.objective)
    return best_n, lo, hi


def ideal_gains(spec: Spec, step: float) -> dict[str, tuple[float, float]]:
    """Each partner's (US gain, partner gain) in its best deal alone for each side (the
    partner's with the US no worse off), compute in whole `step`; only partners with
    both above USD 1,000."""
    alone = spec.copy()
    alone.portfolio["granularity"] = step
    floor = sum(money(p.get("us_batna", 0)) for p in spec.partners)
    walk = sum(money(p["batna"]) for p in spec.partners)
    out = {}
    for p in spec.partners:
        code = p["code"]
        v, _ = best(alone, "us", steps=step > 0, only=[code])
        u, _ = best(alone, "partner", steps=step > 0, only=[code], v_floor=floor)
        if v - floor > 1e3 and u - walk > 1e3:
            out[code] = (v - floor, u - walk)
    return out


def residual(spec: Spec, code: str, held: list[dict[str, Any]]) -> tuple[Spec, float]:
    """The portfolio left to partner `code` with the `held` deals (packages of the other
    partners) fixed, and the US utility of everything but `code`'s deal."""
    alone = spec.copy()
    alone.partners = [copy.deepcopy(spec.partner(code))]
    alone.portfolio["granularity"] = 0
    others = 0.0
    risk = 0.0
    dealt = {d["partner"] for d in held}
    for d in held:
        e = evaluate(spec, d)
        others += e["us"]
        risk += e["risk"]
        for t, x in d["compute"].items():
            key = t if t in alone.portfolio["supply"] else int(t)
            alone.portfolio["supply"][key] = supply(alone, str(t)) - float(x)
    for p in spec.partners:
        if p["code"] != code and p["code"] not in dealt:
            others += money(p.get("us_batna", 0))
    if spec.risk_budget is not None:
        alone.portfolio["risk_budget"] = spec.risk_budget - risk
    return alone, others


def held_best_v(alone: Spec, others: float, code: str, u: float) -> float:
    """Max V (the whole portfolio's) over `code`'s deals giving it at least u; -inf if none
    (no deal counts when u is at most its walk-away value)."""
    p = alone.partner(code)
    floor = max(u, money(p["batna"]) + money(alone.policy["acceptance_margin"]))
    top = money(p.get("us_batna", 0)) if u <= money(p["batna"]) else -math.inf
    for combo in combos(alone):
        if combo[code] is None:
            continue
        sol = solve_compute(alone, combo, "us", steps=False, floors={code: floor})
        if sol.feasible:
            top = max(top, sol.objective)
    return top + others
