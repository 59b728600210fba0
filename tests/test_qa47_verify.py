"""qa47-verify: logrolling, the concession ranking, nash and kalai, and counter verdicts
against the independent reference (tests/qa45_reference.py, qa46_reference.py and
qa47_reference.py), on generated portfolios of 2-3 partners and 2-3 periods in which every
partner has a range concession, in the shapes a user writes: quarters, a zone of agreement
that is tiny or empty, a tight risk budget, caps off the step grid.

- `improvements` (every variant): each recomputes, gains both sides USD 1m, keeps every
  limit beside the held deals and is accepted; the list is ranked by joint gain; and for
  every set of terms at most two changes away, the reference's best joint gain (compute kept,
  or re-planned by LP) is matched by the list (within one step's value per period);
- `concession_ranking`: every level's US value, cost and ratio recompute, in the order the
  docs give (free levels first, then by ratio, levels worth nothing to the US last);
- `solve --mode nash|kalai` (qa45's checks), `--require-deal` and `partner-best --v-floor`;
- `counter`: both utilities, the limits broken and the frontier point, the most the US gets
  with the partner alone at the counter's utility (its own range amounts offered).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import qa45_reference as ref
import qa46_reference as r46
import qa47_reference as r47
import test_qa45_verify as q45
import test_qa46_verify as q46
from helpers import REPO, invoke


def _package_file(folder: Path, package: dict[str, Any], name: str) -> Path:
    keys = ("partner", "security", "compute", "concessions")
    path = folder / name
    path.write_text(yaml.safe_dump({k: package[k] for k in keys}, sort_keys=False))
    return path


def _improvements_agree(
    spec: ref.Spec, path: Path, package: dict[str, Any], held: list[dict[str, Any]]
) -> int:
    """Assert `improvements` against the reference; the number of improvements found."""
    from dealbench import load_package, load_portfolio
    from dealbench.negotiate import improvements

    pf = load_portfolio(path)
    folder = path.parent.parent
    mine = load_package(_package_file(folder, package, "package.yaml"), pf)
    others = [
        load_package(_package_file(folder, d, f"held-{i}.yaml"), pf) for i, d in enumerate(held)
    ]
    every = improvements(pf, mine, others, every_variant=True)
    shown = improvements(pf, mine, others)
    base = ref.evaluate(spec, package)
    v0, u0 = base["us"], base["u"]
    gains = [i.joint_gain for i in every]
    assert gains == sorted(gains, reverse=True)
    assert [i.joint_gain for i in shown[:1]] == pytest.approx(gains[:1], abs=1)
    found: dict[r47.Terms, float] = {}
    for i in every:
        d = i.package.model_dump(mode="json")
        e = ref.evaluate(spec, d)
        assert e["us"] == pytest.approx(i.us_utility, abs=1e3, rel=1e-6), i.changes
        assert e["u"] == pytest.approx(i.partner_utility, abs=1e3, rel=1e-6), i.changes
        assert min(e["us"] - v0, e["u"] - u0) >= r47.MIN_GAIN - 1e3, i.changes
        assert e["accepts"] and not r46.broken(spec, d, held), i.changes
        terms = r47.terms_of(d)
        found[terms] = max(found.get(terms, -math.inf), i.joint_gain)
    p = spec.partner(package["partner"])
    floors = (v0 + r47.MIN_GAIN + 1e3, u0 + r47.MIN_GAIN + 1e3)
    for terms in r47.neighbourhood(spec, package):
        k, granted = terms
        if k not in p["security_costs"]:
            continue
        best = -math.inf
        if terms != r47.terms_of(package):
            d = dict(package, security=k, concessions=dict(granted))
            e = ref.evaluate(spec, d)
            kept = e["accepts"] and not r46.broken(spec, d, held)
            if kept and e["us"] >= floors[0] and e["u"] >= floors[1]:
                best = e["us"] + e["u"] - v0 - u0
        joint = r47.best_replan(spec, p["code"], terms, floors, held)
        if joint is not None:
            best = max(best, joint - v0 - u0)
        per = max(v for _, v in ref.segments(p)) + abs(ref.unit_value(spec, p, k))
        tol = 2e3 + len(spec.periods) * max(spec.step, 1.0) * per
        got = found.get(terms, -math.inf)
        assert got <= best + tol, (terms, got, best)
        if best > -math.inf:
            assert got >= best - tol, (terms, got, best)
    return len(every)


def test_improve_moves_a_concession_of_fixed_levels_to_another_level(tmp_path: Path) -> None:
    """`improve` searched "re-level a concession" only between a range's amounts: comparing
    the levels' amounts, all None where the levels are fixed, skipped AE's invest-us 200bn
    -> 1400bn (USD 60bn more to the US for 36bn more of AE's cost), and its best change
    (add match-us-ai and us-operated, compute to the caps) gained USD 58.04bn together
    where the re-level with mirror-data-centres gains 79.04bn."""
    from dealbench import load_package, load_portfolio
    from dealbench.negotiate import improvements

    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    file = tmp_path / "ae.yaml"
    file.write_text(
        "partner: AE\nsecurity: veu\n"
        "compute: {2026: 100_000, 2027: 100_000, 2028: 100_000}\n"
        "concessions: {invest-us: 200bn, align-controls: true, no-prc-hardware: true}\n"
    )
    top = improvements(pf, load_package(file, pf), top=1)[0]
    assert "invest-us 200bn → 1400bn" in top.changes
    assert top.joint_gain == pytest.approx(79.04e9, abs=1e6)


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(7, "ranges"), (3, "empty-zopa"), (8, "tight-risk"), (5, "quarters"), (4, "cap-off-step")],
)
def test_improvements_match_the_references_neighbourhood(
    tmp_path: Path, seed: int, shape: str
) -> None:
    """From a package at a quarter of the asks with the first fixed-level concession at its
    smaller level (seed 7: PB's c0 small -> large was missing, USD 7.6bn of joint gain), and
    from the optimum's first deal with the others held."""
    spec = r47.random_spec(random.Random(seed), shape)
    path = ref.write(spec, tmp_path)
    low = next(
        (
            (p, c)
            for p in spec.partners
            for c in p["concessions"]
            if "levels" in c and "amount" not in c and not c.get("requires")
        ),
        None,
    )
    if low is not None:
        p, c = low
        k = min(
            (k for k in ref.LEVELS if k in p["security_costs"]),
            key=lambda k: ref.money(p["security_costs"][k]),
        )
        package = {
            "partner": p["code"],
            "security": k,
            "compute": {t: float(ref.at(p["ask"], t)) // 4 for t in spec.periods},
            "concessions": {c["id"]: "small"},
        }
        _improvements_agree(spec, path, package, [])
    run = invoke(["solve", path, "--json"])
    assert run.exit_code == 0, run.output
    deals = json.loads(run.stdout)["deals"]
    if deals:
        _improvements_agree(spec, path, deals[0], deals[1:])


def test_nash_in_whole_steps_bargains_with_the_partners_the_continuous_point_left_out(
    tmp_path: Path,
) -> None:
    """Seed 0, tiny-zopa: each partner has USD 5-13m of room. The continuous Nash point kept
    PA alone, whose gain needs all 31,000 H100e of 2026's supply, off the step of 5,000; the
    MIP in whole steps was then solved over PA alone, which gains nothing there, and
    `solve --mode nash` gave no deal ("the log Nash product, -inf") where PC alone, at its
    asks, has a Nash point (log product -5.1422)."""
    spec = r47.random_spec(random.Random(0), "tiny-zopa")
    path = ref.write(spec, tmp_path)
    result = q45._solve(path, "nash")
    assert [d["partner"] for d in result["deals"]] == ["PC"]
    assert result["objective"] == pytest.approx(-5.1422, abs=1e-4)
    q45._nash(spec, path)


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(1, "ranges"), (2, "quarters"), (3, "tiny-zopa"), (1, "empty-zopa"), (2, "tight-risk"),
     (3, "cap-off-step")],
)  # fmt: skip
def test_every_mode_agrees_with_the_reference_on_ranges(
    tmp_path: Path, seed: int, shape: str
) -> None:
    """us-best, `--require-deal` of a partner the optimum leaves out, partner-best at a
    `--v-floor`, kalai and nash (qa45's and qa46's checks)."""
    spec = r47.random_spec(random.Random(seed), shape)
    path = ref.write(spec, tmp_path)
    solved = q45._us_best(spec, path)
    have = {d["partner"] for d in solved["deals"]}
    code = next((p["code"] for p in spec.partners if p["code"] not in have), "PA")
    run = invoke(["solve", path, "--require-deal", code, "--json"])
    assert not run.traceback, run.traceback
    cont, _ = ref.best(spec, "us", steps=False, require=[code])
    if run.exit_code == 3:
        assert cont == -math.inf
    else:
        required = json.loads(run.stdout)
        q45._recomputed(spec, required)
        assert code in {d["partner"] for d in required["deals"]}
        stepped = q45._in_step(spec, required)
        whole = (
            cont if stepped.step == 0 else ref.best(stepped, "us", steps=True, require=[code])[0]
        )
        assert required["us_value"] <= whole + 1e4 + 2e-6 * abs(cont)
    q46._partner_best_at_a_floor(spec, path, solved)
    q45._kalai(spec, path)
    q45._nash(spec, path)


def test_the_concession_ranking_recomputes_in_its_documented_order(tmp_path: Path) -> None:
    """Solver-free: every shape, 5 portfolios each (the session's sweep: 240)."""
    from dealbench import load_portfolio
    from dealbench.negotiate import concession_ranking

    for shape in r47.SHAPES:
        for seed in range(5):
            spec = r47.random_spec(random.Random(seed), shape)
            pf = load_portfolio(ref.write(spec, tmp_path / f"{shape}-{seed}"))
            for p in spec.partners:
                got = concession_ranking(pf, p["code"])
                rows = [(r.concession, r.level, r.us_value, r.partner_cost, r.ratio) for r in got]
                want = {r[:2]: r[2:] for r in r47.ranking(p)}
                assert sorted(r[:2] for r in rows) == sorted(want)
                for cid, level, *figures in rows:
                    assert figures == pytest.approx(list(want[cid, level]), rel=1e-12)
                keys = [r47.rank_key(r) for r in rows]
                assert keys == sorted(keys)
                assert [r.rank for r in got] == list(range(1, len(got) + 1))


@pytest.mark.parametrize("shape", r47.SHAPES)
def test_a_counters_verdict_agrees_with_the_reference(tmp_path: Path, shape: str) -> None:
    """A hand-made counter (range amounts anywhere in the range) in a fresh rounds folder:
    both utilities, the limits it breaks, and the frontier point: the most the US gets with
    the partner alone at the counter's utility (or its acceptance), the counter's own amounts
    offered beside the grid; no deal where that is the most (the session's sweep: 156)."""
    rng = random.Random(11)
    spec = r47.random_spec(rng, shape)
    package = r46.random_package(spec, rng)
    path = ref.write(spec, tmp_path)
    file = tmp_path / "counter.yaml"
    file.write_text(yaml.safe_dump(dict(package, side="counter")))
    run = invoke(["counter", path, file, "--rounds", tmp_path / "rounds", "--out",
                  tmp_path / "out", "--json"])  # fmt: skip
    assert not run.traceback, run.traceback
    out = json.loads(run.stdout)
    e = ref.evaluate(spec, package)
    assert out["us_utility"] == pytest.approx(e["us"], abs=1e3)
    assert out["partner_utility"] == pytest.approx(e["u"], abs=1e3)
    want = r46.broken(spec, package) | (set() if e["accepts"] else {("acceptance", None)})
    assert {(v["kind"], v["period"]) for v in out["violations"]} == want
    p = spec.partner(package["partner"])
    u = max(e["u"], ref.money(p["batna"]) + ref.money(spec.policy["acceptance_margin"]))
    best = r47.frontier_v(spec, package, u)
    if u <= ref.money(p["batna"]) + 1e3:
        best = max(best, ref.money(p.get("us_batna", 0)))
    per = max(v for _, v in ref.segments(p)) + max(
        abs(ref.unit_value(spec, p, k)) for k in ref.LEVELS
    )
    tol = 1e4 + 1e-6 * abs(best) + len(spec.periods) * spec.step * per
    front = out["frontier"]
    if best == -math.inf:  # no package the partner accepts: the point is no deal
        assert front["package"] is None
        return
    assert front["us_utility"] == pytest.approx(best, abs=tol)
    if front["package"] is not None:
        point = ref.evaluate(spec, front["package"])
        assert point["us"] == pytest.approx(front["us_utility"], abs=1e3)
        assert point["u"] >= u - 1e3
        assert not r46.broken(spec, front["package"])
