"""qa47-verify: more of the independent reference (tests/qa45_reference.py and
tests/qa46_reference.py), from DESIGN.md, docs/amounts.md and the decisions on logrolling
("Amounts and logrolling") alone; nothing here imports dealbench.

Adds portfolios of 2-3 partners and 2-3 periods in which every partner has a range
concession (two or three levels, with or without `min` and `step`), bent into shapes a user
writes: quarters, a zone of agreement that is tiny or empty, a tight risk budget, caps off
the step grid; logrolling's neighbourhood (every change of at most two discrete terms) with
the compute kept or re-planned for the largest joint gain by an LP; the concession ranking
by US value per USD of partner cost.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from typing import Any

import highspy
import numpy as np

import qa45_reference as ref
import qa46_reference as r46

SHAPES = ("ranges", "quarters", "tiny-zopa", "empty-zopa", "tight-risk", "cap-off-step")
MIN_GAIN = 1e6  # each side's least gain for an improvement (docs/decisions.md)


def _range(rng: random.Random, cid: str) -> dict[str, Any]:
    """A range of two or three levels, the amounts a user writes (tens of USD bn)."""
    n = rng.choice([2, 2, 3])
    amounts = sorted(rng.sample(range(10, 400, 10), n))
    u = c = 0.0
    levels = []
    for a in amounts:
        u += rng.uniform(0.2, 5) * ref.B
        c += rng.uniform(0.1, 4) * ref.B
        levels.append(
            {"id": f"{a}bn", "title": f"USD {a}bn", "amount": f"{a}bn",
             "us_value": ref._money(u), "partner_cost": ref._money(c)}
        )  # fmt: skip
    amount: dict[str, Any] = {"unit": "USD"}
    r = rng.random()
    if r < 0.4:
        amount["min"] = 0
    elif r < 0.55:
        amount["min"] = f"{amounts[0] // 2}bn"
    if rng.random() < 0.5:
        amount["step"] = f"{rng.choice([10, 20, 25, 30])}bn"
    return {"id": cid, "title": f"Range {cid}", "category": "investment",
            "amount": amount, "levels": levels}  # fmt: skip


def best_alone_u(spec: ref.Spec, p: dict[str, Any]) -> float:
    """The partner's most utility in a deal of its own (all compute its limits and the supply
    allow, nothing conceded, its cheapest level), the risk budget aside."""
    return max(
        sum(
            ref.value_of(p, max(min(ref.limit(spec, p, k, t), ref.supply(spec, t)), 0))
            for t in spec.periods
        )
        - ref.money(p["security_costs"][k])
        for k in ref.LEVELS
        if k in p["security_costs"]
    )


def random_spec(rng: random.Random, shape: str) -> ref.Spec:
    """A portfolio of 2-3 partners and 2-3 periods, each partner with a range, in `shape`."""
    base = {"quarters": "quarters", "tight-risk": "tight-risk"}.get(shape, "plain")
    while True:
        spec = r46.random_spec(rng, base) if base != "plain" else ref.random_spec(rng, "plain")
        if len(spec.partners) >= 2 and len(spec.periods) >= 2:
            break
    spec.shape = shape
    for p in spec.partners:
        if not any("amount" in c for c in p["concessions"]):
            p["concessions"].append(_range(rng, f"c{len(p['concessions'])}"))
        if rng.random() < 0.3:
            p["concessions"].append(_range(rng, f"c{len(p['concessions'])}"))
        p["concessions"] = p["concessions"][:4]
        if not any("amount" in c for c in p["concessions"]):
            p["concessions"][-1] = _range(rng, p["concessions"][-1]["id"])
        for c in p["concessions"]:  # a requirement on a concession cut above is dropped
            ids = {d["id"] for d in p["concessions"]}
            c["requires"] = [r for r in c.get("requires", []) if isinstance(r, dict) or r in ids]
            c["excludes"] = [e for e in c.get("excludes", []) if e in ids]
            for key in ("requires", "excludes"):
                if not c[key]:
                    del c[key]
    margin = ref.money(spec.policy["acceptance_margin"])
    if shape in ("tiny-zopa", "empty-zopa"):
        for p in spec.partners:
            best = best_alone_u(spec, p) - margin
            if shape == "tiny-zopa" or p is spec.partners[0]:
                # tiny: USD 2-40m of room; empty (the first partner): USD 5-50m short
                room = rng.uniform(2, 40) if shape == "tiny-zopa" else -rng.uniform(5, 50)
                p["batna"] = f"{round(best / 1e6 - room)}m"
    if shape == "cap-off-step":
        spec.portfolio["granularity"] = rng.choice([1_000, 2_500, 5_000])
        p = rng.choice(spec.partners)
        asks = [float(ref.at(p["ask"], t)) for t in spec.periods]
        spec.portfolio["caps"] = {
            p["code"]: {
                k: int(rng.uniform(0.3, 1.0) * max(asks)) + rng.choice([1, 123, 777])
                for k in ref.LEVELS
                if k in p["security_costs"]
            }
        }
        q = rng.choice(spec.partners)
        t0 = rng.choice(list(q["ask"]))
        q["ask"][t0] = int(q["ask"][t0]) + rng.choice([250, 1_234, 333])
    return spec


# ---------------------------------------------------------------------------
# The concession ranking


def ranking(p: dict[str, Any]) -> list[tuple[str, str | None, float, float, float | None]]:
    """Every level of every concession (a range's levels, not its grid), as (concession,
    level or None for a yes/no term, US value, partner cost, US value per USD of cost)."""
    rows = []
    for c in p["concessions"]:
        if "levels" not in c:
            u, cost = ref.money(c.get("us_value", 0)), ref.money(c.get("partner_cost", 0))
            rows.append((c["id"], None, u, cost, u / cost if cost > 0 else None))
            continue
        for lv in c["levels"]:
            u, cost = ref.money(lv["us_value"]), ref.money(lv["partner_cost"])
            rows.append((c["id"], lv["id"], u, cost, u / cost if cost > 0 else None))
    return rows


def rank_key(row: tuple[str, str | None, float, float, float | None]) -> tuple[int, float]:
    """Free levels first (by US value), then by ratio, levels worth nothing to the US last."""
    _, _, u, _, ratio = row
    if ratio is None:
        return (0, -u) if u > 0 else (2, -u)
    return (1, -ratio)


# ---------------------------------------------------------------------------
# Logrolling: the neighbourhood of a package


Terms = tuple[str, tuple[tuple[str, Any], ...]]  # (security, sorted granted items)


def _said(x: Any) -> Any:
    return True if x is True or str(x).lower() == "true" else str(x)


def neighbourhood(spec: ref.Spec, package: dict[str, Any]) -> Iterator[Terms]:
    """The terms after every change of at most two discrete terms: the security level moved
    to another the partner meets, a concession dropped, granted or given another of the
    optimizer's choices (a level, a range's grid amount); two changes on different terms."""
    p = spec.partner(package["partner"])
    k0 = package["security"]
    granted0 = {cid: _said(v) for cid, v in package.get("concessions", {}).items() if v}
    moves: list[tuple[str, str, Any]] = [
        ("security", k, None) for k in ref.LEVELS if k in p["security_costs"] and k != k0
    ]
    for c in p["concessions"]:
        now = granted0.get(c["id"])
        if now is not None:
            moves.append(("concession", c["id"], None))
        for said, _, _ in ref.choices(c):
            same = now is not None and (
                said == now or (("amount" in c) and _amount(c, said) == _amount(c, now))
            )
            if not same:
                moves.append(("concession", c["id"], said))
    seen: set[Terms] = set()
    sets = [[m] for m in moves] + [
        [a, b]
        for a, b in itertools.combinations(moves, 2)
        if a[:2] != b[:2] and not (a[0] == b[0] == "security")
    ]
    for ms in [[], *sets]:
        k, granted = k0, dict(granted0)
        for kind, what, choice in ms:
            if kind == "security":
                k = what
            elif choice is None:
                granted.pop(what)
            else:
                granted[what] = choice
        terms = (k, tuple(sorted(granted.items(), key=lambda kv: kv[0])))
        if terms not in seen and ref.allowed(p, k, granted):
            seen.add(terms)
            yield terms


def _amount(c: dict[str, Any], said: Any) -> float | None:
    """The amount `said` of range `c` names (a level's id or an amount); None elsewhere."""
    if "amount" not in c:
        return None
    for lv in c.get("levels", []):
        if lv["id"] == str(said):
            return ref.money(lv["amount"])
    try:
        return ref.money(said)
    except ValueError:
        return None


def terms_of(package: dict[str, Any]) -> Terms:
    granted = {cid: _said(v) for cid, v in package.get("concessions", {}).items() if v}
    return (package["security"], tuple(sorted(granted.items())))


def best_replan(
    spec: ref.Spec,
    code: str,
    terms: Terms,
    floors: tuple[float, float],
    held: list[dict[str, Any]],
) -> float | None:
    """The largest joint gain (US utility plus the partner's) of a deal of `terms`, compute
    by LP, with the US utility at least floors[0], the partner's at least floors[1] and its
    acceptance, within its limits, the supply and the risk budget the `held` deals leave;
    None if no compute meets them."""
    p = spec.partner(code)
    k, granted = terms
    us = cost = 0.0
    for cid, said in granted:
        c = next(c for c in p["concessions"] if c["id"] == cid)
        gu, gc = ref.grant_value(c, said)
        us, cost = us + gu, cost + gc
    net = ref.unit_value(spec, p, k)
    w = p["diversion_risk"] * (1 - ref.mitigation(spec, k))
    const_u = -cost - ref.money(p["security_costs"][k])
    need = max(floors[1], ref.money(p["batna"]) + ref.money(spec.policy["acceptance_margin"]))
    lo: list[float] = []
    hi: list[float] = []
    obj: list[float] = []
    rows: list[tuple[float, float, dict[int, float]]] = []
    us_row: dict[int, float] = {}
    u_row: dict[int, float] = {}
    risk_row: dict[int, float] = {}

    def var(a: float, b: float, c: float) -> int:
        lo.append(a), hi.append(b), obj.append(c)
        return len(lo) - 1

    for t in spec.periods:
        used = sum(float(d["compute"].get(t, 0)) for d in held)
        top = max(min(ref.limit(spec, p, k, t), ref.supply(spec, t) - used), 0.0) / ref.K
        x = var(0, top, net * ref.K / ref.B)
        us_row[x] = net * ref.K / ref.B
        risk_row[x] = w
        fill = {x: -1.0}
        for width, v in ref.segments(p):
            y = var(0, width / ref.K if math.isfinite(width) else highspy.kHighsInf,
                    v * ref.K / ref.B)  # fmt: skip
            fill[y] = 1.0
            u_row[y] = v * ref.K / ref.B
        rows.append((0.0, 0.0, fill))
    rows.append(((floors[0] - us) / ref.B, highspy.kHighsInf, us_row))
    rows.append(((need - const_u) / ref.B, highspy.kHighsInf, u_row))
    if spec.risk_budget is not None:
        left = spec.risk_budget - sum(ref.evaluate(spec, d)["risk"] for d in held)
        rows.append((-highspy.kHighsInf, left / ref.K, risk_row))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    n = len(lo)
    h.addVars(n, np.array(lo), np.array(hi))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(obj))
    for a, b, coefs in rows:
        idx = np.array(list(coefs), dtype=np.int32)
        h.addRow(a, b, len(idx), idx, np.array(list(coefs.values()), dtype=float))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value) * ref.B + us + const_u


# ---------------------------------------------------------------------------
# The frontier point of a verdict


_plain_choices = ref.choices


def _choices(c: dict[str, Any]) -> list[tuple[str | bool, float, float]]:
    """ref.choices, and on a range the amounts listed under `also` (in-memory only): the
    optimizer may choose a counter's own amount beside the grid (docs/negotiation.md)."""
    out = _plain_choices(c)
    known = {_amount(c, said) for said, _, _ in out}
    for a in c.get("also", []):
        if a not in known:
            out.append((f"{a / 1e9:g}bn", *ref.grant_value(c, f"{a / 1e9:g}bn")))
    return out


ref.choices = _choices


def frontier_v(spec: ref.Spec, package: dict[str, Any], u: float) -> float:
    """The most US utility a deal with the package's partner alone gives (every other partner
    left out) with the partner's utility at least `u` and its acceptance; compute continuous,
    the package's own range amounts offered beside the grid; -inf when no deal does."""
    code = package["partner"]
    alone = spec.copy()
    alone.partners = [alone.partner(code)]
    alone.portfolio["granularity"] = 0
    p = alone.partners[0]
    for c in p["concessions"]:
        said = package.get("concessions", {}).get(c["id"])
        if "amount" in c and said not in (None, False, True):
            c["also"] = [_amount(c, said)]
    floor = max(u, ref.money(p["batna"]) + ref.money(spec.policy["acceptance_margin"]))
    top = -math.inf
    for combo in ref.combos(alone):
        if combo[code] is None:
            continue
        sol = ref.solve_compute(alone, combo, "us", steps=False, floors={code: floor})
        if sol.feasible:
            top = max(top, sol.objective)
    return top
