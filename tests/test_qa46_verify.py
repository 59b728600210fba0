"""qa46-verify: what qa45-verify's brute force had not cross-checked, on generated small
portfolios of awkward shapes (tests/qa46_reference.py: quarters under a policy's annual
caps, a cap binding in one period, a tight risk budget, no deal as the optimum, a period
without supply, a range with a lower bound; requires/excludes throughout):

- `evaluate` of hand-made packages: both utilities, the risk, acceptance, the exit code and
  the limits broken (kind and period) against the reference's own arithmetic;
- `room` (and `solve --rounds`) with a concluded deal fixed (often not the optimum's
  amounts) and a walked-away partner: V is the reference's optimum over what is left;
- `solve --mode partner-best --v-floor`: V at or above the floor, the partners' total the
  reference's best in the step the result used;
- `frontier` (held, 7 points): every point is on the enumerated frontier and none
  dominates another; `--points all` as qa45-verify checks it, in the new shapes;
- `sweep` with a scenarios file: each scenario is the plain `solve --set` of its values,
  and no better than the reference's optimum of the changed portfolio.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import qa45_reference as ref
import qa46_reference as r46
import test_qa45_verify as q45
from helpers import invoke


def _run(args: list[Any]) -> dict[str, Any]:
    run = invoke(args)
    assert not run.traceback, run.traceback
    assert run.exit_code == 0, run.output
    out: dict[str, Any] = json.loads(run.stdout)
    return out


def _spec(seed: int, shape: str, tmp_path: Path) -> tuple[ref.Spec, Path]:
    spec = r46.random_spec(random.Random(seed), shape)
    return spec, ref.write(spec, tmp_path)


@pytest.mark.parametrize("shape", r46.SHAPES)
def test_evaluate_of_hand_made_packages_agrees_with_the_reference(
    tmp_path: Path, shape: str
) -> None:
    """Solver-free: 3 portfolios of each shape, 3 packages each (the session's sweep: 640)."""
    for seed in range(3):
        rng = random.Random(seed)
        spec = r46.random_spec(rng, shape)
        folder = tmp_path / str(seed)
        path = ref.write(spec, folder)
        for i in range(3):
            package = r46.random_package(spec, rng)
            file = folder / f"package-{i}.yaml"
            file.write_text(yaml.safe_dump(package))
            run = invoke(["evaluate", file, "--portfolio", path, "--json"])
            assert not run.traceback, run.traceback
            out = json.loads(run.stdout)
            want = ref.evaluate(spec, package)
            assert out["us_value"] == pytest.approx(want["us"], abs=1e3, rel=1e-9)
            assert out["partner_utility"] == pytest.approx(want["u"], abs=1e3, rel=1e-9)
            assert out["risk"] == pytest.approx(want["risk"], abs=1e-3)
            assert out["accepts"] is bool(want["accepts"])
            broken = {(v["kind"], v["period"]) for v in out["violations"]}
            assert broken == r46.broken(spec, package), package
            assert run.exit_code == (0 if out["accepts"] and not broken else 3)


def _concluded(spec: ref.Spec, deal: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The deal as agreed: the optimum's terms, often with less compute (not on the step)."""
    package = {
        "partner": deal["partner"],
        "security": deal["security"],
        "concessions": deal["concessions"],
        "compute": {t: float(x) for t, x in deal["compute"].items()},
    }
    share = rng.choice([0.5, 0.6, 0.8, 1.0])
    less = {t: math.floor(x * share / 500) * 500 for t, x in package["compute"].items()}
    alt = dict(package, compute=less)
    if ref.evaluate(spec, alt)["accepts"] and not r46.broken(spec, alt):
        return alt
    return package


#: (seed, shape): portfolios of 2-3 partners whose first partner has a deal (the session's
#: sweep: 140 rooms of 330 seeds, every shape).
ROOMS = [(0, "quarters"), (2, "no-deal"), (8, "cap-one-period"), (9, "range-min"),
         (68, "tight-risk"), (106, "zero-supply")]  # fmt: skip


@pytest.mark.parametrize(("seed", "shape"), ROOMS)
def test_the_room_replans_the_open_negotiations_to_the_reference_optimum(
    tmp_path: Path, seed: int, shape: str
) -> None:
    rng = random.Random(seed)
    spec = r46.random_spec(rng, shape)
    path = ref.write(spec, tmp_path)
    deals = {d["partner"]: d for d in _run(["solve", path, "--json"])["deals"]}
    codes = [p["code"] for p in spec.partners]
    concluded: list[dict[str, Any]] = []
    walked: list[str] = []
    if codes[0] in deals:
        agreed = _concluded(spec, deals[codes[0]], rng)
        file = tmp_path / "agreed.yaml"
        file.write_text(yaml.safe_dump(agreed))
        _run(["offer", path, "-p", codes[0], "--package", file, "--no-documents", "--json"])
        _run(["conclude", path, "-p", codes[0], "--no-documents", "--json"])
        concluded.append(agreed)
    if len(codes) == 3 or codes[0] not in deals:
        _run(["walk-away", path, "-p", codes[1], "--json"])
        walked.append(codes[1])
    assert concluded or walked, "a case with nothing recorded checks nothing"
    room = _run(["room", path, "--json", "-j", "1"])
    solved = _run(["solve", path, "--rounds", tmp_path / "rounds" / "qa45", "--json"])
    assert solved["us_value"] == pytest.approx(room["objective"], abs=1e3)
    assert sorted(room["concluded"]) == sorted(d["partner"] for d in concluded)
    assert room["walked_away"] == walked
    left, others = r46.residual_many(spec, concluded, walked)
    cont, _ = ref.best(left, "us", steps=False)
    left.portfolio["granularity"] = solved["solver"]["details"].get("granularity_h100e", 0)
    whole = cont if left.step == 0 else ref.best(left, "us", steps=True)[0]
    plan = [
        row["plan_package"]
        for row in room["rows"]
        if row["plan_package"] and row["stage"] != "concluded"
    ]
    one_step = left.step * max(
        [abs(ref.unit_value(spec, spec.partner(q["partner"]), q["security"])) for q in plan] + [0.0]
    )
    tol = 1e4 + 2e-6 * abs(cont + others)
    v = room["objective"]
    assert cont + others - one_step - tol <= v <= whole + others + tol
    for q in plan:
        assert q["partner"] not in walked
        assert not r46.broken(spec, q, concluded + [o for o in plan if o is not q]), q


def _partner_best_at_a_floor(spec: ref.Spec, path: Path, solved: dict[str, Any]) -> None:
    nodeal = sum(ref.money(p.get("us_batna", 0)) for p in spec.partners)
    floor = math.floor((nodeal + 0.7 * (solved["us_value"] - nodeal)) / 1e6) * 1e6
    result = _run(["solve", path, "--mode", "partner-best", "--v-floor", f"{floor / 1e6:.0f}m",
                   "--json"])  # fmt: skip
    q45._recomputed(spec, result)
    assert result["us_value"] >= floor - 1e3
    cont, _ = ref.best(spec, "partner", steps=False, v_floor=floor)
    stepped = q45._in_step(spec, result)
    whole = (
        cont if stepped.step == 0 else ref.best(stepped, "partner", steps=True, v_floor=floor)[0]
    )
    tol = 1e4 + 2e-6 * abs(cont)
    most = max(
        [max(v for _, v in ref.segments(spec.partner(d["partner"]))) for d in result["deals"]]
        + [0.0]
    )
    assert cont - stepped.step * most - tol <= result["partner_total"] <= whole + tol


def _frontier_points(spec: ref.Spec, path: Path, solved: dict[str, Any]) -> None:
    code = spec.partners[0]["code"]
    front = _run(["frontier", path, "-p", code, "--points", "7", "--json"])
    held = [d for d in solved["deals"] if d["partner"] != code]
    alone, others = ref.residual(spec, code, held)
    points = [p for p in front["points"] if p["package"] is not None]
    for p in points:
        best = ref.held_best_v(alone, others, code, p["partner_utility"])
        assert p["us_utility"] == pytest.approx(best, abs=1e4, rel=1e-7), p
    for a, b in itertools.permutations(points, 2):
        assert not (
            a["us_utility"] >= b["us_utility"] + 1e4
            and a["partner_utility"] >= b["partner_utility"] + 1e4
        ), (a, b)


def _scenarios(spec: ref.Spec, path: Path) -> None:
    t, code = spec.periods[0], spec.partners[0]["code"]
    sets = [
        {f"portfolio.supply.{t}": int(ref.supply(spec, t) * 0.5) // 1000 * 1000},
        {"policy.risk_penalty_per_h100e": "150k", f"partners.{code}.batna": "300m"},
    ]
    file = path.parent / "scenarios.yaml"
    scenarios = [{"id": f"s{i}", "title": f"S{i}", "set": s} for i, s in enumerate(sets)]
    file.write_text(yaml.safe_dump({"scenarios": scenarios}))
    rows = {row["id"]: row for row in _run(["sweep", path, file, "--json", "-j", "1"])["rows"]}
    for i, s in enumerate(sets):
        plain = _run(["solve", path, "--json", *(f"--set={k}={v}" for k, v in s.items())])
        row = rows[f"s{i}"]
        assert row["us_value"] == pytest.approx(plain["us_value"], abs=1e3)
        assert row["partner_total"] == pytest.approx(plain["partner_total"], abs=1e3)
        assert set(row["deals"]) == {d["partner"] for d in plain["deals"]}
        changed = spec.copy()
        supply = changed.portfolio["supply"]
        if i == 0:
            supply[t if t in supply else int(t)] = s[f"portfolio.supply.{t}"]
        else:
            changed.policy["risk_penalty_per_h100e"] = "150k"
            changed.partner(code)["batna"] = "300m"
        cont, _ = ref.best(changed, "us", steps=False)
        stepped = q45._in_step(changed, plain)
        whole = cont if stepped.step == 0 else ref.best(stepped, "us", steps=True)[0]
        assert plain["us_value"] <= whole + 1e4 + 2e-6 * abs(cont)


#: (seed, shape): the session's sweep ran 112 seeds of every shape through all of these.
CASES = [(0, "quarters"), (1, "cap-one-period"), (2, "tight-risk"), (3, "no-deal"),
         (4, "zero-supply"), (5, "range-min"), (16, "zero-supply")]  # fmt: skip


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_partner_best_at_a_floor_the_frontier_and_scenarios_agree_with_the_reference(
    tmp_path: Path, seed: int, shape: str
) -> None:
    spec, path = _spec(seed, shape, tmp_path)
    solved = q45._us_best(spec, path)
    _partner_best_at_a_floor(spec, path, solved)
    if len(spec.partners) > 1:
        q45._frontier(spec, path, solved)
        _frontier_points(spec, path, solved)
    _scenarios(spec, path)


def test_a_continuous_package_gives_nothing_in_a_period_without_supply(tmp_path: Path) -> None:
    """Seed 16 (`zero-supply`, continuous compute, no supply in 2027): `solve --out` wrote
    PB's package with `'2027': 3.1e-05`, the smooth schedule's LP noise, compute in a
    period with no supply; the held frontier of PA then had no room for PA's deal in 2027's
    -3.1e-05 left (the reference found no deal where the frontier drew one). Amounts below
    a thousandth of an H100e are now 0."""
    spec, path = _spec(16, "zero-supply", tmp_path)
    assert ref.supply(spec, "2027") == 0
    result = _run(["solve", path, "--json"])
    assert [d["compute"]["2027"] for d in result["deals"]] == [0.0] * len(result["deals"])
    q45._frontier(spec, path, result)
