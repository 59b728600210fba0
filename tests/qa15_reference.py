"""An independent reference for the analysis layer, written from DESIGN.md alone (qa15-an).

Nothing here imports dealbench: a random portfolio is a plain ``Spec`` (dicts in
the files' units), written to YAML in the layout of ``deals/`` and solved here
with PuLP/HiGHS directly, in the transcription of DESIGN "The optimization
model" (money in USD billions, compute in thousands of H100e inside the model).
Acceptance probabilities are estimated with numpy from DESIGN "Scenarios and
uncertainty", and computed exactly where only a uniform BATNA is uncertain.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pulp
import yaml

LEVELS = ("baseline", "kyc", "veu")
B = 1e9  # USD per model money unit
K = 1e3  # H100e per model compute unit


@dataclass
class Spec:
    """One portfolio: its policy, partners and the portfolio file, in the files' units."""

    policy: dict[str, Any]
    partners: list[dict[str, Any]]
    portfolio: dict[str, Any]

    def copy(self) -> Spec:
        return copy.deepcopy(self)

    def partner(self, code: str) -> dict[str, Any]:
        return next(p for p in self.partners if p["code"] == code)


@dataclass
class Solution:
    status: str
    us_value: float = math.nan
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    partner_utility: dict[str, float] = field(default_factory=dict)
    risk: float = 0.0
    duals: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Random portfolios


def random_spec(
    rng: random.Random, n_partners: int | None = None, odd: str | None = None, tight: bool = False
) -> Spec:
    """A small random portfolio; `odd` asks for one of the odd shapes of the brief."""
    periods = [str(2026 + i) for i in range(rng.randint(1, 3))]
    n = n_partners if n_partners is not None else rng.randint(1, 3)
    mitig = sorted(round(rng.uniform(0, 0.95), 3) for _ in LEVELS)
    caps: dict[str, Any] = {"tier1": {}, "tier3": 0}
    tier2_kind = rng.random()
    if tier2_kind < 0.2:
        caps["tier2"] = {}
    elif tier2_kind < 0.35:
        caps["tier2"] = rng.randrange(5_000, 80_000, 1_000)
    else:
        base = rng.randrange(5_000, 60_000, 1_000)
        caps["tier2"] = {"baseline": base, "kyc": base * 2, "veu": base * rng.randint(3, 8)}
    policy: dict[str, Any] = {
        "id": "qa15-policy",
        "title": "QA15 random policy",
        "security_levels": [
            {"id": k, "title": f"Level {k}", "mitigation": m}
            for k, m in zip(LEVELS, mitig, strict=True)
        ],
        "caps": caps,
        "export_value_per_h100e": rng.randrange(2_000, 15_000, 100),
        "risk_penalty_per_h100e": rng.randrange(10_000, 200_000, 1_000),
        "acceptance_margin": rng.choice([0, 0, 25_000_000, 50_000_000]),
    }
    if rng.random() < 0.6:
        policy["risk_budget"] = rng.randrange(2_000, 60_000, 500)
    partners = []
    codes = rng.sample(["AA", "BB", "CC", "DD", "EE", "FF", "GG"], n)
    for code in codes:
        tier = rng.choice([1, 2, 2, 2, 3]) if odd != "tier3" else 3
        ask = {t: rng.randrange(10_000, 200_000, 1_000) for t in periods if rng.random() < 0.9}
        if not ask:
            ask = {periods[0]: 50_000}
        if rng.random() < 0.3:
            first = rng.randrange(20_000, 60_000, 1_000)
            value: Any = [
                {"upto": first, "value": rng.randrange(20_000, 60_000, 500)},
                {
                    "upto": first + rng.randrange(10_000, 150_000, 1_000),
                    "value": rng.randrange(2_000, 19_000, 500),
                },
            ]
        else:
            value = rng.randrange(5_000, 50_000, 500)
        sec = {"baseline": 0}
        for k in LEVELS[1:]:
            if rng.random() < 0.85:
                sec[k] = rng.randrange(0, 3_000, 10) * 1_000_000
        concessions = []
        for i in range(rng.randint(0, 3)):
            c: dict[str, Any] = {"id": f"c{i}", "title": f"Concession {i}", "category": "other"}
            if rng.random() < 0.5:
                c["levels"] = [
                    {
                        "id": f"l{j}",
                        "title": f"Level {j}",
                        "us_value": rng.randrange(100, 20_000, 10) * 1_000_000,
                        "partner_cost": rng.randrange(100, 10_000, 10) * 1_000_000,
                    }
                    for j in range(rng.randint(1, 2))
                ]
            else:
                c["us_value"] = rng.randrange(100, 20_000, 10) * 1_000_000
                c["partner_cost"] = rng.randrange(100, 10_000, 10) * 1_000_000
            req: list[Any] = []
            if rng.random() < 0.3:
                req.append({"security": rng.choice(LEVELS[1:])})
            if i > 0 and rng.random() < 0.25:
                req.append(f"c{i - 1}")
            if req:
                c["requires"] = req
            if i > 0 and not req and rng.random() < 0.2:
                c["excludes"] = [f"c{i - 1}"]
            concessions.append(c)
        partner: dict[str, Any] = {
            "code": code,
            "name": f"Partner {code}",
            "tier": tier,
            "diversion_risk": round(rng.uniform(0.02, 0.6), 3),
            "ask": ask,
            "value_per_h100e": value,
            "batna": rng.randrange(0, 4_000, 10) * 1_000_000,
            "us_batna": -rng.randrange(0, 3_000, 10) * 1_000_000 if rng.random() < 0.6 else 0,
            "security_costs": sec,
            "concessions": concessions,
        }
        partners.append(partner)
    if odd == "refuses" and partners:
        partners[0]["batna"] = 900_000_000_000  # accepts nothing
    top = 100_000 if tight else 400_000
    supply = {t: rng.randrange(20_000, top, 1_000) for t in periods}
    if odd == "zero-supply":
        supply[rng.choice(periods)] = 0
    portfolio: dict[str, Any] = {
        "id": "qa15",
        "title": "QA15 random portfolio",
        "policy": "policy.yaml",
        "periods": periods,
        "supply": supply,
        "partners": [f"partners/{p['code'].lower()}.yaml" for p in partners],
        "granularity": 0,
    }
    if rng.random() < 0.25:
        portfolio["risk_budget"] = rng.randrange(2_000, 60_000, 500)
    capped = [p for p in partners if p["tier"] != 3]
    if capped and rng.random() < 0.2:
        p = rng.choice(capped)
        portfolio["caps"] = {p["code"]: {rng.choice(LEVELS): rng.randrange(1_000, 100_000, 1_000)}}
    return Spec(policy, partners, portfolio)


MONEY = {"k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}


def parse_amount(v: Any) -> Any:
    """A figure of a shipped file in plain units: `50m`, `8k`, `{tpp: N}` (H100e = TPP / 15,832)."""
    if isinstance(v, dict) and "tpp" in v:
        return v["tpp"] / 15_832
    if isinstance(v, dict):
        return {k: parse_amount(x) for k, x in v.items()}
    if isinstance(v, str):
        t = v.replace("_", "").replace(",", "")
        for suffix in ("bn", "tn", "k", "m"):
            if t.endswith(suffix):
                return float(t[: -len(suffix)]) * MONEY[suffix]
        return float(t)
    return v


def shipped_policy(path: Path) -> dict[str, Any]:
    """A policy of deals/policy/ in the reference's plain units."""
    raw = yaml.safe_load(path.read_text())
    pol = dict(raw)
    pol["caps"] = {tier: parse_amount(c) for tier, c in raw["caps"].items()}
    for key in (
        "export_value_per_h100e",
        "risk_penalty_per_h100e",
        "risk_budget",
        "acceptance_margin",
    ):
        if key in raw:
            pol[key] = parse_amount(raw[key])
    return pol


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            (int(k) if isinstance(k, str) and k.isdigit() else k): _plain(v) for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [int(v) if isinstance(v, str) and v.isdigit() else _plain(v) for v in obj]
    return obj


def write_spec(spec: Spec, folder: Path, policies: dict[str, dict[str, Any]] | None = None) -> Path:
    """The spec as files in the layout of deals/; returns the portfolio's path."""
    (folder / "partners").mkdir(parents=True, exist_ok=True)
    (folder / "policy.yaml").write_text(yaml.safe_dump(_plain(spec.policy), sort_keys=False))
    for name, pol in (policies or {}).items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(_plain(pol), sort_keys=False))
    for p in spec.partners:
        (folder / "partners" / f"{p['code'].lower()}.yaml").write_text(
            yaml.safe_dump(_plain(p), sort_keys=False)
        )
    path = folder / "portfolio.yaml"
    path.write_text(yaml.safe_dump(_plain(spec.portfolio), sort_keys=False))
    return path


# ---------------------------------------------------------------------------
# The figures of DESIGN, with distributions at their means


def dist_mean(v: Any) -> float:
    if not isinstance(v, dict):
        return float(v)
    d = v["dist"]
    if d == "uniform":
        return (v["low"] + v["high"]) / 2
    if d == "triangular":
        return (v["low"] + v["mode"] + v["high"]) / 3
    if d == "normal":
        a = (v["low"] - v["mean"]) / v["sd"]
        b = (v["high"] - v["mean"]) / v["sd"]

        def pdf(u: float) -> float:
            return math.exp(-u * u / 2) / math.sqrt(2 * math.pi)

        def cdf(u: float) -> float:
            return (1 + math.erf(u / math.sqrt(2))) / 2

        return float(v["mean"] + v["sd"] * (pdf(a) - pdf(b)) / (cdf(b) - cdf(a)))
    raise ValueError(d)


def segments(partner: dict[str, Any]) -> list[tuple[float, float]]:
    """(width in H100e, value per H100e) per segment; one unbounded segment for a flat value."""
    v = partner["value_per_h100e"]
    if not isinstance(v, list):
        return [(math.inf, dist_mean(v))]
    out, prev = [], 0.0
    for seg in v:
        out.append((seg["upto"] - prev, dist_mean(seg["value"])))
        prev = seg["upto"]
    return out


def value_of(partner: dict[str, Any], x: float) -> float:
    total, left = 0.0, x
    for width, val in segments(partner):
        take = min(left, width)
        total += take * val
        left -= take
    return total


def cap(spec: Spec, partner: dict[str, Any], level: str) -> float:
    """The cap per period under `level` (inf when none), after the portfolio's deal-by-deal caps."""
    own = (spec.portfolio.get("caps") or {}).get(partner["code"], {})
    if level in own:
        return float(own[level])
    tier_caps = spec.policy["caps"].get(f"tier{partner['tier']}", {})
    if isinstance(tier_caps, dict):
        return float(tier_caps.get(level, math.inf))
    return float(tier_caps)


def risk_budget(spec: Spec) -> float | None:
    if "risk_budget" in spec.portfolio:
        rb = spec.portfolio["risk_budget"]
    else:
        rb = spec.policy.get("risk_budget")
    return None if rb is None else float(rb)


def concession_levels(c: dict[str, Any]) -> list[tuple[str | bool, float, float]]:
    """(level id, us_value, partner_cost) of every level; a yes/no term has the level `True`."""
    if "levels" in c:
        return [
            (lv["id"], float(lv["us_value"]), dist_mean(lv["partner_cost"])) for lv in c["levels"]
        ]
    return [(True, float(c["us_value"]), dist_mean(c["partner_cost"]))]


def mitigation(spec: Spec) -> dict[str, float]:
    return {lv["id"]: float(lv["mitigation"]) for lv in spec.policy["security_levels"]}


def evaluate(spec: Spec, package: dict[str, Any]) -> dict[str, float]:
    """US value, the partner's deal utility D, risk and the margin over batna + margin of one package."""
    p = spec.partner(package["partner"])
    k = package["security"]
    mit = mitigation(spec)
    compute = {str(t): float(v) for t, v in package.get("compute", {}).items()}
    us = 0.0
    cost = float(p["security_costs"][k])
    for c in p["concessions"]:
        granted = package.get("concessions", {}).get(c["id"])
        if granted is None or granted is False:
            continue
        for lid, usv, pc in concession_levels(c):
            if lid is True or str(lid) == str(granted):
                us += usv
                cost += pc
    value = sum(value_of(p, x) for x in compute.values())
    risk = dist_mean(p["diversion_risk"]) * (1 - mit[k]) * sum(compute.values())
    us += (
        spec.policy["export_value_per_h100e"] * sum(compute.values())
        - spec.policy["risk_penalty_per_h100e"] * risk
    )
    d = value - cost
    return {
        "us_value": us,
        "deal_utility": d,
        "risk": risk,
        "margin": d - dist_mean(p["batna"]) - float(spec.policy["acceptance_margin"]),
    }


# ---------------------------------------------------------------------------
# The model of DESIGN "The optimization model", solved with PuLP/HiGHS


def _solver() -> Any:
    return pulp.HiGHS(msg=False, gapRel=1e-9)


def solve(
    spec: Spec,
    mode: str = "us-best",
    v_floor: float | None = None,
    fix: dict[str, Any] | None = None,
    relax: bool = False,
    cap_at: dict[tuple[str, str, str], float] | None = None,
) -> Solution:
    """Solve the spec. `fix` maps partner -> (security level or None, {concession: level}) and
    turns the binaries into fixed values (an LP, whose duals come back in `duals`); `cap_at`
    replaces the cap of (partner, period, level) in one period."""
    pol = spec.policy
    periods = [str(t) for t in spec.portfolio["periods"]]
    supply = {str(t): float(v) for t, v in spec.portfolio["supply"].items()}
    mit = mitigation(spec)
    margin = float(pol["acceptance_margin"]) / B
    ev = float(pol["export_value_per_h100e"]) * K / B
    rp = float(pol["risk_penalty_per_h100e"]) * K / B
    prob = pulp.LpProblem("ref", pulp.LpMaximize)
    cat = "Continuous" if (fix is not None or relax) else "Binary"
    V_terms: list[Any] = []
    D_of: dict[str, Any] = {}
    R_terms: list[Any] = []
    xs: dict[tuple[str, str], Any] = {}
    zs: dict[str, Any] = {}
    ss: dict[tuple[str, str], Any] = {}
    gs: dict[tuple[str, str, str], Any] = {}
    cap_rows: dict[tuple[str, str, str], Any] = {}
    batna_terms: list[Any] = []
    for p in spec.partners:
        code = p["code"]
        z = pulp.LpVariable(f"z_{code}", 0, 1, cat=cat)
        zs[code] = z
        ask = {str(t): float(v) for t, v in (p.get("ask") or {}).items()}
        levels = [k for k in LEVELS if k in p["security_costs"]]
        s = {k: pulp.LpVariable(f"s_{code}_{k}", 0, 1, cat=cat) for k in levels}
        ss.update({(code, k): v for k, v in s.items()})
        prob += pulp.lpSum(s.values()) == z
        value_terms = []
        for t in periods:
            x = pulp.LpVariable(f"x_{code}_{t}", 0)
            xs[(code, t)] = x
            w = {k: pulp.LpVariable(f"w_{code}_{t}_{k}", 0) for k in levels}
            prob += pulp.lpSum(w.values()) == x
            for k in levels:
                c_k = (cap_at or {}).get((code, t, k), cap(spec, p, k))
                m = min(ask.get(t, 0.0), c_k) / K
                if p["tier"] == 3:
                    m = 0.0
                cap_rows[(code, t, k)] = w[k] - m * s[k] <= 0
                prob += cap_rows[(code, t, k)], f"cap_{code}_{t}_{k}"
                R_terms.append(dist_mean(p["diversion_risk"]) * (1 - mit[k]) * w[k])
                V_terms.append(-rp * dist_mean(p["diversion_risk"]) * (1 - mit[k]) * w[k])
            segs = segments(p)
            parts = []
            for i, (width, val) in enumerate(segs):
                y = pulp.LpVariable(
                    f"y_{code}_{t}_{i}", 0, None if math.isinf(width) else width / K
                )
                parts.append(y)
                value_terms.append(val * K / B * y)
            # beyond the last segment compute is worth 0; values do not increase, so any
            # feasible split of x over the segments values it at most value_of(x)
            prob += pulp.lpSum(parts) <= x
            V_terms.append(ev * x)
        costs = [float(p["security_costs"][k]) / B * s[k] for k in levels]
        conc_g: dict[str, list[Any]] = {}
        for c in p["concessions"]:
            gl = []
            for lid, usv, pc in concession_levels(c):
                g = pulp.LpVariable(f"g_{code}_{c['id']}_{lid}", 0, 1, cat=cat)
                gs[(code, c["id"], str(lid))] = g
                gl.append(g)
                V_terms.append(usv / B * g)
                costs.append(pc / B * g)
            prob += pulp.lpSum(gl) <= z
            conc_g[c["id"]] = gl
        for c in p["concessions"]:
            for r in c.get("requires", []):
                if isinstance(r, dict):
                    need = LEVELS.index(r["security"])
                    ok = [s[k] for k in levels if LEVELS.index(k) >= need]
                    prob += pulp.lpSum(conc_g[c["id"]]) <= pulp.lpSum(ok)
                else:
                    prob += pulp.lpSum(conc_g[c["id"]]) <= pulp.lpSum(conc_g[r])
            for e in c.get("excludes", []):
                prob += pulp.lpSum(conc_g[c["id"]]) + pulp.lpSum(conc_g[e]) <= 1
        d = pulp.lpSum(value_terms) - pulp.lpSum(costs)
        D_of[code] = d
        batna = dist_mean(p["batna"]) / B
        prob += d - (batna + margin) * z >= 0, f"accept_{code}"
        usb = float(p.get("us_batna", 0)) / B
        V_terms.append(usb - usb * z)
        batna_terms.append(batna - batna * z)
        if fix is not None:
            level, conc = fix.get(code, (None, {}))
            prob += z == (1 if level else 0)
            for k in levels:
                prob += s[k] == (1 if k == level else 0)
            for c in p["concessions"]:
                for lid, _, _ in concession_levels(c):
                    want = conc.get(c["id"])
                    on = want is not None and (lid is True or str(lid) == str(want))
                    prob += gs[(code, c["id"], str(lid))] == (1 if on else 0)
    supply_rows = {}
    for t in periods:
        supply_rows[t] = (
            pulp.lpSum(xs[(p["code"], t)] for p in spec.partners) <= supply.get(t, 0.0) / K
        )
        prob += supply_rows[t], f"supply_{t}"
    rb = risk_budget(spec)
    risk_row = None
    if rb is not None:
        risk_row = pulp.lpSum(R_terms) <= rb / K
        prob += risk_row, "risk"
    V = pulp.lpSum(V_terms)
    if mode == "us-best":
        prob += V
    elif mode == "partner-best":
        prob += pulp.lpSum(D_of.values()) + pulp.lpSum(batna_terms)
        if v_floor is not None:
            prob += v_floor / B <= V
    else:
        raise ValueError(mode)
    prob.solve(_solver())
    status = pulp.LpStatus[prob.status]
    if status != "Optimal":
        return Solution(status)
    sol = Solution(
        status, us_value=pulp.value(V) * B, risk=(pulp.value(pulp.lpSum(R_terms)) or 0) * K
    )
    for p in spec.partners:
        code = p["code"]
        util = (pulp.value(D_of[code]) or 0.0) * B
        if (zs[code].value() or 0) > 0.5:
            level = next(
                k for k in LEVELS if (code, k) in ss and (ss[(code, k)].value() or 0) > 0.5
            )
            conc: dict[str, Any] = {}
            for c in p["concessions"]:
                for lid, _, _ in concession_levels(c):
                    if (gs[(code, c["id"], str(lid))].value() or 0) > 0.5:
                        conc[c["id"]] = lid
            sol.packages[code] = {
                "partner": code,
                "security": level,
                "compute": {t: (xs[(code, t)].value() or 0.0) * K for t in periods},
                "concessions": conc,
            }
            sol.partner_utility[code] = util
        else:
            sol.partner_utility[code] = dist_mean(p["batna"])
    if fix is not None:
        # duals in USD per H100e
        sol.duals["supply"] = {
            t: (prob.constraints[f"supply_{t}"].pi or 0.0) * B / K for t in periods
        }
        if risk_row is not None:
            sol.duals["risk"] = (prob.constraints["risk"].pi or 0.0) * B / K
    return sol


def fixed_terms(sol: Solution) -> dict[str, Any]:
    return {code: (pkg["security"], pkg["concessions"]) for code, pkg in sol.packages.items()}


def brute_force(spec: Spec) -> float:
    """The us-best V by enumerating every partner's terms (deal or not, level, concession levels)
    and solving the LP of compute for each combination; small specs only."""
    per_partner = []
    for p in spec.partners:
        options: list[Any] = [None]
        levels = [k for k in LEVELS if k in p["security_costs"]]
        conc_opts = [[None] + [lid for lid, _, _ in concession_levels(c)] for c in p["concessions"]]
        for k in levels:
            for combo in itertools.product(*conc_opts):
                conc = {
                    c["id"]: lid
                    for c, lid in zip(p["concessions"], combo, strict=True)
                    if lid is not None
                }
                options.append((k, conc))
        per_partner.append(options)
    best = -math.inf
    for choice in itertools.product(*per_partner):
        fix = {
            p["code"]: (opt if opt is not None else (None, {}))
            for p, opt in zip(spec.partners, choice, strict=True)
        }
        sol = solve(spec, fix=fix)
        if sol.status == "Optimal":
            best = max(best, sol.us_value)
    return best


# ---------------------------------------------------------------------------
# Uncertainty: Monte-Carlo of a package's acceptance


def draw(v: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    if not isinstance(v, dict):
        return np.full(n, float(v))
    d = v["dist"]
    if d == "uniform":
        return rng.uniform(v["low"], v["high"], n)
    if d == "triangular":
        return rng.triangular(v["low"], v["mode"], v["high"], n)
    if d == "normal":
        out = np.empty(0)
        while out.size < n:
            s = rng.normal(v["mean"], v["sd"], 4 * n)
            out = np.concatenate([out, s[(s >= v["low"]) & (s <= v["high"])]])
        return out[:n]
    raise ValueError(d)


def uncertain(spec: Spec, rng: random.Random) -> Spec:
    """The spec with some partner figures as distributions around their values."""
    out = spec.copy()
    for p in out.partners:
        b = float(p["batna"])
        kind = rng.random()
        if kind < 0.4:
            p["batna"] = {"dist": "uniform", "low": b * 0.5, "high": b * 1.5 + 1e8}
        elif kind < 0.7:
            p["batna"] = {"dist": "triangular", "low": b * 0.6, "mode": b, "high": b * 1.6 + 1e8}
        elif kind < 0.85:
            p["batna"] = {
                "dist": "normal",
                "mean": b,
                "sd": b * 0.3 + 1e8,
                "low": b * 0.2,
                "high": b * 1.9 + 2e8,
            }
        if rng.random() < 0.4:
            r = float(p["diversion_risk"])
            p["diversion_risk"] = {
                "dist": "triangular",
                "low": r * 0.5,
                "mode": r,
                "high": min(1.0, r * 1.5),
            }
        v = p["value_per_h100e"]
        if rng.random() < 0.4:
            if isinstance(v, list):
                seg = v[-1]
                seg["value"] = {"dist": "uniform", "low": seg["value"] * 0.5, "high": seg["value"]}
            else:
                p["value_per_h100e"] = {"dist": "uniform", "low": v * 0.7, "high": v * 1.3}
        for c in p["concessions"]:
            if rng.random() < 0.4:
                target = c["levels"][-1] if "levels" in c else c
                pc = float(target["partner_cost"])
                target["partner_cost"] = {
                    "dist": "normal",
                    "mean": pc,
                    "sd": pc * 0.2,
                    "low": pc * 0.5,
                    "high": pc * 1.8,
                }
    return out


def accept_probability(
    spec: Spec, package: dict[str, Any], n: int, seed: int
) -> tuple[float, float]:
    """P(D >= batna + margin) over draws of the partner's uncertain figures, and its standard error."""
    rng = np.random.default_rng(seed)
    p = spec.partner(package["partner"])
    compute = [float(v) for v in package.get("compute", {}).values()]
    value = np.zeros(n)
    v = p["value_per_h100e"]
    # one figure, one draw per sample: the same value in every period
    if isinstance(v, list):
        per_segment = [draw(seg["value"], rng, n) for seg in v]
        for x in compute:
            prev, left = 0.0, x
            for seg, drawn in zip(v, per_segment, strict=True):
                take = min(left, seg["upto"] - prev)
                value += take * drawn
                left -= take
                prev = seg["upto"]
    else:
        value += sum(compute) * draw(v, rng, n)
    cost = np.full(n, float(p["security_costs"][package["security"]]))
    for c in p["concessions"]:
        granted = package.get("concessions", {}).get(c["id"])
        if granted is None or granted is False:
            continue
        if "levels" in c:
            lv = next(lv for lv in c["levels"] if str(lv["id"]) == str(granted))
            cost += draw(lv["partner_cost"], rng, n)
        else:
            cost += draw(c["partner_cost"], rng, n)
    batna = draw(p["batna"], rng, n)
    # a package the solver put exactly on the threshold accepts (tolerance 1e-6 of the figures)
    tol = 1e-6 * (np.abs(value) + np.abs(cost) + np.abs(batna) + 1.0)
    ok = value - cost >= batna + float(spec.policy["acceptance_margin"]) - tol
    est = float(ok.mean())
    return est, math.sqrt(max(est * (1 - est), 1e-12) / n)


def exact_accept_probability(spec: Spec, package: dict[str, Any]) -> float | None:
    """P(accept) in closed form (a uniform BATNA) or by quadrature (and a uniform flat value),
    when no other figure of the partner is uncertain; None otherwise."""
    p = spec.partner(package["partner"])
    v = p["value_per_h100e"]
    if isinstance(v, list) and any(isinstance(seg["value"], dict) for seg in v):
        return None
    for c in p["concessions"]:
        for lv in c.get("levels", [c]):
            if isinstance(lv["partner_cost"], dict):
                return None
    b = p["batna"]
    if isinstance(b, dict) and b["dist"] != "uniform":
        return None
    amounts = [float(x) for x in package.get("compute", {}).values()]
    fixed = dict(p)
    if isinstance(v, dict):
        if v["dist"] != "uniform":
            return None
        nodes, weights = np.polynomial.legendre.leggauss(200)
        totals = ((v["low"] + v["high"]) / 2 + (v["high"] - v["low"]) / 2 * nodes) * sum(amounts)
        weights = weights / 2
    else:
        totals, weights = np.array([sum(value_of(p, x) for x in amounts)]), np.array([1.0])
    fixed["value_per_h100e"] = 0
    fixed["batna"] = 0
    probe = spec.copy()
    probe.partners = [fixed if q["code"] == p["code"] else q for q in spec.partners]
    d0 = evaluate(probe, package)["deal_utility"]  # minus costs only
    need = totals + d0 - float(spec.policy["acceptance_margin"])
    if isinstance(b, dict):
        share = np.clip((need - b["low"]) / (b["high"] - b["low"]), 0.0, 1.0)
    else:
        share = (need >= float(b) - 1e-6 * (abs(need) + abs(float(b)) + 1.0)).astype(float)
    return float((share * weights).sum())
