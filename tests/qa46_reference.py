"""qa46-verify: more of the independent reference (tests/qa45_reference.py), from DESIGN.md
and docs/formats.md / docs/amounts.md alone; nothing here imports dealbench.

Adds the awkward shapes (quarters under a policy's annual caps, a cap that binds in one
period only, a risk budget too tight for a whole deal, a portfolio whose best plan is no
deal at all), hand-made packages and the limits they break (what `evaluate` reports), and
the residual portfolio of a re-plan: concluded deals fixed, walked-away partners without a
deal, the open negotiations optimised in what is left.
"""

from __future__ import annotations

import copy
import math
import random
from typing import Any

import qa45_reference as ref

SHAPES = ("quarters", "cap-one-period", "tight-risk", "no-deal", "zero-supply", "range-min")


def random_spec(rng: random.Random, shape: str) -> ref.Spec:
    """A small random portfolio (qa45's generator) bent into `shape`."""
    base = {"zero-supply": "zero-supply", "range-min": "range-min"}.get(shape, "plain")
    spec = ref.random_spec(rng, base)
    spec.shape = shape
    periods = spec.periods
    if shape == "quarters":
        names = {t: f"{periods[0]}Q{i + 1}" for i, t in enumerate(periods)}
        spec.portfolio["periods"] = [names[t] for t in periods]
        spec.portfolio["supply"] = {names[str(t)]: x for t, x in spec.portfolio["supply"].items()}
        for p in spec.partners:
            p["ask"] = {names[str(t)]: x for t, x in p["ask"].items()}
            p["tier"] = 2
        # annual caps a quarter of which binds somewhere
        spec.policy["caps"]["tier2"] = {
            "baseline": 20_000,
            "kyc": 4 * rng.randrange(5_000, 30_000, 1_000),
            "veu": 4 * rng.randrange(20_000, 60_000, 1_000),
        }
    elif shape == "cap-one-period":
        # a flat tier 2 cap between the partners' smallest and largest asks
        for p in spec.partners:
            p["tier"] = 2
        asks = sorted(float(x) for p in spec.partners for x in p["ask"].values())
        lo, hi = asks[0], asks[-1]
        if hi - lo < 2_000:
            p0 = spec.partners[0]
            first = next(iter(p0["ask"]))
            p0["ask"][first] = int(hi) + 20_000
            hi = hi + 20_000
        spec.policy["caps"]["tier2"] = int((lo + hi) / 2) // 1_000 * 1_000
    elif shape == "tight-risk":
        total = sum(
            p["diversion_risk"] * sum(float(x) for x in p["ask"].values()) for p in spec.partners
        )
        spec.portfolio["risk_budget"] = max(int(total * rng.uniform(0.05, 0.3)), 100)
    elif shape == "no-deal":
        # every deal costs the US more than it brings: risk is dear and concessions cheap
        spec.policy["risk_penalty_per_h100e"] = "2000k"
        for p in spec.partners:
            p["diversion_risk"] = max(p["diversion_risk"], 0.3)
            p["us_batna"] = "500m"
            for c in p["concessions"]:
                for lv in c.get("levels", []):
                    lv["us_value"] = "1m"
                if "us_value" in c:
                    c["us_value"] = "1m"
    return spec


# ---------------------------------------------------------------------------
# Hand-made packages and the limits they break


def random_package(spec: ref.Spec, rng: random.Random) -> dict[str, Any]:
    """A package a negotiator might write: any level the policy knows, compute around the
    partner's ask (sometimes over it), any concessions (a range amount anywhere in it)."""
    p = rng.choice(spec.partners)
    met = [k for k in ref.LEVELS if k in p["security_costs"]]
    k = rng.choice(met if met and rng.random() < 0.85 else list(ref.LEVELS))
    compute: dict[str, float] = {}
    for t in spec.periods:
        ask = float(ref.at(p["ask"], t))
        compute[t] = float(rng.choice([0, round(ask * rng.uniform(0, 1.4)), ask, ask + 1_000]))
    concessions: dict[str, Any] = {}
    for c in p["concessions"]:
        if rng.random() < 0.5:
            continue
        if "levels" not in c:
            concessions[c["id"]] = True
        elif "amount" in c and rng.random() < 0.5:
            lo = ref.money(c["amount"].get("min", c["levels"][0]["amount"]))
            hi = ref.money(c["levels"][-1]["amount"])
            a = round(rng.uniform(lo, hi) / 1e9) or 1
            a = min(max(a, math.ceil(lo / 1e9 + 1e-9)), hi / 1e9)
            concessions[c["id"]] = f"{a:g}bn"
        else:
            concessions[c["id"]] = rng.choice(c["levels"])["id"]
    return {"partner": p["code"], "security": k, "compute": compute, "concessions": concessions}


def broken(
    spec: ref.Spec, package: dict[str, Any], held: list[dict[str, Any]] | None = None
) -> set[tuple[str, str | None]]:
    """The limits the package breaks, as (kind, period or None), beside the `held` deals
    (for supply and the risk budget)."""
    p = spec.partner(package["partner"])
    k = package["security"]
    out: set[tuple[str, str | None]] = set()
    if k not in p["security_costs"]:
        out.add(("security", None))
    for t in spec.periods:
        x = float(package["compute"].get(t, 0))
        if x <= 0.5:
            continue
        if p["tier"] == 3:
            out.add(("tier3", t))
            continue
        if x > float(ref.at(p["ask"], t)) + 0.5:
            out.add(("ask", t))
        if x > ref.cap(spec, p, k) + 0.5:
            out.add(("cap", t))
        used = x + sum(float(d["compute"].get(t, 0)) for d in held or [])
        if used > ref.supply(spec, t) + 0.5:
            out.add(("supply", t))
    granted = package.get("concessions", {})
    for c in p["concessions"]:
        if c["id"] not in granted:
            continue
        for r in c.get("requires", []):
            if isinstance(r, dict):
                if ref.LEVELS.index(k) < ref.LEVELS.index(r["security"]):
                    out.add(("requires", None))
            elif r not in granted:
                out.add(("requires", None))
        if any(e in granted for e in c.get("excludes", [])):
            out.add(("excludes", None))
    if spec.risk_budget is not None:
        risk = sum(ref.evaluate(spec, d)["risk"] for d in [package, *(held or [])])
        if risk > spec.risk_budget + 0.5:
            out.add(("risk-budget", None))
    return out


# ---------------------------------------------------------------------------
# A re-plan from rounds


def residual_many(
    spec: ref.Spec, concluded: list[dict[str, Any]], walked: list[str]
) -> tuple[ref.Spec, float]:
    """The portfolio left to the open negotiations, and the US utility of the rest (the
    concluded deals' values and the walked-away partners' US walk-away values)."""
    fixed = {d["partner"] for d in concluded}
    left = spec.copy()
    left.partners = [
        copy.deepcopy(p) for p in spec.partners if p["code"] not in fixed | set(walked)
    ]
    others = sum(ref.money(spec.partner(c).get("us_batna", 0)) for c in walked)
    risk = 0.0
    for d in concluded:
        e = ref.evaluate(spec, d)
        others += e["us"]
        risk += e["risk"]
        for t, x in d["compute"].items():
            key = t if t in left.portfolio["supply"] else int(t)
            left.portfolio["supply"][key] = ref.supply(left, str(t)) - float(x)
    if spec.risk_budget is not None:
        left.portfolio["risk_budget"] = spec.risk_budget - risk
    return left, others
