"""qa45-verify: `dealbench solve` (every mode) and `frontier --points all` against an
independent brute force (tests/qa45_reference.py: every choice of every partner enumerated,
the compute of each solved by HiGHS directly, in whole steps where the portfolio declares
them), on small generated portfolios of the shapes past sessions may have missed: a
partner whose walk-away value is its best deal, concessions worth nothing, a range whose
lower bound is not zero, a period without supply, a risk budget that carries one deal, and
two identical partners.

What a result promises, and what is asserted (docs/model.md, docs/frontier.md):
- every deal's figures and the portfolio's V and partners' total recompute from the
  package; every deal accepts, within supply and the risk budget;
- us-best: V is no more than the best portfolio in the step the result says it used, and
  no less than the continuous optimum less one step's value (the gap besides);
- partner-best: the same for the partners' total, V held at its floor;
- kalai: tau recomputes from the packages against the ideals (in whole steps) and is the
  best tau in whole steps;
- nash: as many partners bargain as can, the log product recomputes, and the stated bound
  is no less than a product the brute force finds (so exp(-(B - L)) is a true ratio);
- frontier (held, `--points all`): each point recomputes beside the held deals, and at
  every point's U and between them the best V a package gives is the frontier's (its
  points, and its pieces), and nothing past its partner-best end beats no deal.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

import qa45_reference as ref
from helpers import invoke

#: (seed, shape): a few of every shape; the full sweep of the session is in
#: docs/decisions.md (Session 45, qa45-verify).
CASES = [
    (1000, "walkaway-is-best"),
    (1001, "one-deal-budget"),
    (1002, "twins"),
    (1003, "zero-supply"),
    (1004, "range-min"),
    (1005, "zero-value"),
    (3, "walkaway-is-best"),
    (11, "range-min"),
]


def _solve(path: Path, mode: str) -> dict[str, Any]:
    run = invoke(["solve", path, "--mode", mode, "--json"])
    assert not run.traceback, run.traceback
    assert run.exit_code == 0, run.output
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def _recomputed(spec: ref.Spec, result: dict[str, Any]) -> None:
    v = u = 0.0
    dealt = {d["partner"] for d in result["deals"]}
    for deal in result["deals"]:
        e = ref.evaluate(spec, deal)
        assert e["us"] == pytest.approx(deal["us_value"], abs=1e3, rel=1e-6)
        assert e["u"] == pytest.approx(deal["partner_utility"], abs=1e3, rel=1e-6)
        assert e["accepts"], deal
        v, u = v + e["us"], u + e["u"]
    for p in spec.partners:
        if p["code"] not in dealt:
            v, u = v + ref.money(p.get("us_batna", 0)), u + ref.money(p["batna"])
    assert v == pytest.approx(result["us_value"], abs=1e3)
    assert u == pytest.approx(result["partner_total"], abs=1e3)
    for t in spec.periods:
        used = sum(float(d["compute"].get(t, 0)) for d in result["deals"])
        assert used <= ref.supply(spec, t) + 0.5
    if spec.risk_budget is not None:
        risk = sum(ref.evaluate(spec, d)["risk"] for d in result["deals"])
        assert risk <= spec.risk_budget + 0.5


def _in_step(spec: ref.Spec, result: dict[str, Any]) -> ref.Spec:
    used = result["solver"]["details"].get("granularity_h100e", spec.step)
    out = spec.copy()
    out.portfolio["granularity"] = used
    return out


def _us_best(spec: ref.Spec, path: Path) -> dict[str, Any]:
    result = _solve(path, "us-best")
    _recomputed(spec, result)
    v = result["us_value"]
    cont, _ = ref.best(spec, "us", steps=False)
    stepped = _in_step(spec, result)
    whole = cont if stepped.step == 0 else ref.best(stepped, "us", steps=True)[0]
    tol = 1e4 + 2e-6 * abs(cont)
    assert v <= whole + tol
    one_step = spec.step * max(
        [
            abs(ref.unit_value(spec, spec.partner(d["partner"]), d["security"]))
            for d in result["deals"]
        ]
        + [0.0]
    )
    assert v >= cont - one_step - tol, result["message"]
    return result


def _partner_best(spec: ref.Spec, path: Path) -> None:
    result = _solve(path, "partner-best")
    _recomputed(spec, result)
    floor = sum(ref.money(p.get("us_batna", 0)) for p in spec.partners)
    assert result["us_value"] >= floor - 1e3
    total = result["partner_total"]
    cont, _ = ref.best(spec, "partner", steps=False, v_floor=floor)
    stepped = _in_step(spec, result)
    whole = (
        cont if stepped.step == 0 else ref.best(stepped, "partner", steps=True, v_floor=floor)[0]
    )
    tol = 1e4 + 2e-6 * abs(cont)
    assert total <= whole + tol
    most = max(
        [max(v for _, v in ref.segments(spec.partner(d["partner"]))) for d in result["deals"]]
        + [0.0]
    )
    assert total >= cont - spec.step * most - tol, result["message"]


def _gains(spec: ref.Spec, deal: dict[str, Any]) -> tuple[float, float]:
    p = spec.partner(deal["partner"])
    e = ref.evaluate(spec, deal)
    return e["us"] - ref.money(p.get("us_batna", 0)), e["u"] - ref.money(p["batna"])


def _kalai(spec: ref.Spec, path: Path) -> None:
    result = _solve(path, "kalai")
    _recomputed(spec, result)
    zone = ref.ideal_gains(spec, spec.step)
    deals = {d["partner"]: d for d in result["deals"]}
    assert set(deals) <= set(zone)
    if not zone:
        return
    shares = []
    for code, ideal in zone.items():
        gains = _gains(spec, deals[code]) if code in deals else (0.0, 0.0)
        shares += [g / i for g, i in zip(gains, ideal, strict=True)]
    tau = min(shares)
    assert tau == pytest.approx(result["objective"], abs=1e-4)
    best, _ = ref.best(spec, "tau", steps=spec.step > 0, tau_ideals=zone, only=list(zone))
    assert tau >= best - 1e-4, result["message"]
    if _in_step(spec, result).step == spec.step:
        assert tau <= best + 1e-6


def _nash(spec: ref.Spec, path: Path) -> None:
    result = _solve(path, "nash")
    _recomputed(spec, result)
    zone = ref.ideal_gains(spec, 0.0)
    deals = {d["partner"]: d for d in result["deals"]}
    assert set(deals) <= set(zone)
    if not zone:
        return
    logs = [math.log(g / 1e9) for code in deals for g in _gains(spec, deals[code])]
    assert min(logs, default=0.0) > -math.inf
    assert sum(logs) == pytest.approx(result["objective"], abs=1e-6)
    n, lo, hi = ref.nash_best(spec, zone, steps=spec.step > 0)
    assert len(deals) == n
    assert result["solver"]["bound"] >= lo - 1e-6, result["message"]
    if _in_step(spec, result).step == spec.step:
        assert sum(logs) <= hi + 1e-6


def _frontier(spec: ref.Spec, path: Path, solved: dict[str, Any]) -> None:
    code = spec.partners[0]["code"]
    run = invoke(["frontier", path, "-p", code, "--points", "all", "--json"])
    assert not run.traceback, run.traceback
    assert run.exit_code == 0, run.output
    front = json.loads(run.stdout)
    held = [d for d in solved["deals"] if d["partner"] != code]
    alone, others = ref.residual(spec, code, held)
    points = front["points"]
    for point in points:
        if point["package"] is None:
            continue
        e = ref.evaluate(spec, point["package"])
        assert e["us"] + others == pytest.approx(point["us_utility"], abs=1e4)
        assert e["u"] == pytest.approx(point["partner_utility"], abs=1e4)
        for t, x in point["package"]["compute"].items():
            assert x <= ref.supply(alone, t) + 0.5

    def shown(u: float) -> float:
        v = max([q["us_utility"] for q in points if q["partner_utility"] >= u - 1e3] + [-math.inf])
        for piece in front["pieces"]:
            a, b = piece["from"], piece["to"]
            ua, ub = a["partner_utility"], b["partner_utility"]
            if ub > ua and ua - 1e3 <= u <= ub + 1e3:
                w = min(max((u - ua) / (ub - ua), 0.0), 1.0)
                v = max(v, a["us_utility"] + w * (b["us_utility"] - a["us_utility"]))
        return v

    us = sorted(q["partner_utility"] for q in points)
    probes = us + [a + (b - a) * f for a, b in itertools.pairwise(us) for f in (0.5, 0.9)]
    for u in probes:
        best = ref.held_best_v(alone, others, code, u)
        assert shown(u) == pytest.approx(best, abs=1e4, rel=1e-7), u
    if front.get("no_deal") and us:
        beyond = ref.held_best_v(alone, others, code, us[-1] + 1e5)
        assert beyond < front["no_deal"]["us_utility"] + 1e4


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_every_mode_and_the_exact_frontier_agree_with_a_brute_force(
    tmp_path: Path, seed: int, shape: str
) -> None:
    spec = ref.random_spec(random.Random(seed), shape)
    path = ref.write(spec, tmp_path)
    solved = _us_best(spec, path)
    _partner_best(spec, path)
    _kalai(spec, path)
    _nash(spec, path)
    if len(spec.partners) > 1:
        _frontier(spec, path, solved)


def test_the_reference_reads_a_range_as_the_optimizer_offers_it() -> None:
    """The reference's own grid (docs/amounts.md): with `step`, whole multiples strictly
    inside the range; without, each gap cut in four; `min` itself never offered, and the
    value between `min` and the first level on a line from 0."""
    c = {
        "id": "c",
        "amount": {"unit": "USD", "min": "20bn", "step": "25bn"},
        "levels": [
            {"id": "50bn", "amount": "50bn", "us_value": "5bn", "partner_cost": "3bn"},
            {"id": "100bn", "amount": "100bn", "us_value": "9bn", "partner_cost": "4bn"},
        ],
    }
    grid = ref.choices(c)
    assert [g[0] for g in grid] == ["25bn", "50bn", "75bn", "100bn"]
    assert grid[0][1] == pytest.approx(5e9 * 5 / 30)
    assert grid[2][1:] == pytest.approx((7e9, 3.5e9))
    del c["amount"]["step"]  # type: ignore[attr-defined]
    assert [g[0] for g in ref.choices(c)] == [
        "27.5bn", "35bn", "42.5bn", "50bn", "62.5bn", "75bn", "87.5bn", "100bn",
    ]  # fmt: skip


def test_nash_bargains_with_a_partner_whose_us_best_deal_alone_loses_its_gain_in_steps(
    tmp_path: Path,
) -> None:
    """PC alone gives the US USD 37.9m over its walk-away value continuously, but `solve`'s
    US-best deal for it alone, rounded to steps of 5,000 H100e (12,000 / 45,000), is worth
    -USD 3.7m to the US. nash took its ideals from that rounded deal, so it said "No zone of
    agreement, so no deal: PA, PB, PC." and a Nash product "within a factor 1.000000 of the
    best" with no deal at all, while `frontier` and the zones listed PC with a zone, and
    kalai gave it a deal (10,000 / 45,000: USD 29.0m to the US, USD 1.12bn to PC). nash's
    point is continuous, so its ideals (which place its cuts and decide the zones) are too."""
    spec = ref.random_spec(random.Random(1004), "range-min")
    path = ref.write(spec, tmp_path)
    result = _solve(path, "nash")
    assert [d["partner"] for d in result["deals"]] == ["PC"]
    assert "PC" not in result["message"].split("no deal:")[-1]
    us_gain, partner_gain = _gains(spec, result["deals"][0])
    assert us_gain > 1e6 and partner_gain > 1e6
    _nash(spec, path)


def test_a_nash_point_solved_in_whole_steps_says_so_in_its_details(tmp_path: Path) -> None:
    """The continuous Nash point of this portfolio cannot be put in steps of 5,000 H100e
    (the schedule refined them to 500), so the tangent-cut MIP is solved again in whole
    steps. The message said "Solved in whole steps of 5,000 H100e: ..." but
    `solver.details` lacked `whole_steps_mip`, the key docs/frontier.md names for it (set
    on a dict the result had already copied), and its `rounds` were the continuous
    solve's; a script reading the JSON then took B for a bound of the continuous point
    (-11.08 against a continuous product of -7.27)."""
    spec = ref.random_spec(random.Random(1003), "one-deal-budget")
    path = ref.write(spec, tmp_path)
    result = _solve(path, "nash")
    assert "Solved in whole steps of 5,000 H100e" in result["message"]
    assert result["solver"]["details"]["whole_steps_mip"] == 1.0
    assert result["solver"]["details"]["granularity_h100e"] == 5000.0
    _nash(spec, path)
