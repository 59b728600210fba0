"""The analysis layer's numbers checked by an independent route (qa30-analyst).

The reference below is written from DESIGN.md alone (not from dealbench's code): the
plain transcription of "The optimization model" in PuLP, reading the data as plain
dicts (the same dicts the tests write out as YAML for dealbench), compute continuous.
Beside it: `compare` across regimes, `sweep` (scenarios and a swept figure, with dask
on a real LocalCluster), shadow prices by re-solves a small step either side of a
limit, and `risk` by a sampler of its own. The hand portfolio is tests/data/
qa30analyst/cove.yaml; the others are generated from a seed.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pulp
import pytest
import yaml

from helpers import DATA, invoke

COVE = DATA / "qa30analyst"
SHIPPED = Path(__file__).resolve().parents[1] / "deals" / "policy"
TOL = 2_000.0  # USD: the reference and dealbench both solve to a gap of about 1e-6 in bn

# ---------------------------------------------------------------------------------------
# The reference, from DESIGN.md alone.

_UNITS = {"k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}


def amount(value: Any) -> float:
    """A number as DESIGN.md's files write it: `1.4tn`, `200bn`, `350m`, `75k`, `200_000`;
    `{tpp: N}` in H100e; a distribution counts at its mean (uniform, triangular)."""
    if isinstance(value, dict) and "tpp" in value:
        return amount(value["tpp"]) / 15_832  # H100e, DESIGN.md "Units"
    if isinstance(value, dict):
        if value["dist"] == "uniform":
            return (amount(value["low"]) + amount(value["high"])) / 2
        if value["dist"] == "triangular":
            return (amount(value["low"]) + amount(value["mode"]) + amount(value["high"])) / 3
        raise AssertionError(value)
    if isinstance(value, bool):
        raise AssertionError(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("_", "").strip()
    match = re.fullmatch(r"(-?[0-9.]+)(k|m|bn|tn)?", text)
    assert match, text
    return float(match.group(1)) * _UNITS.get(match.group(2) or "", 1.0)


def read(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def data_of(portfolio: Path) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The portfolio's, its policy's and its partners' dicts, paths relative to it."""
    pf = read(portfolio)
    policy = read((portfolio.parent / pf["policy"]).resolve())
    partners = [read((portfolio.parent / p).resolve()) for p in pf["partners"]]
    return pf, policy, partners


def segments(partner: dict[str, Any], ask: float) -> list[tuple[float, float]]:
    """(width, value per H100e) of the partner's value in one period, up to its ask;
    widths and the ask in thousands of H100e."""
    spec = partner["value_per_h100e"]
    if not isinstance(spec, list):
        return [(ask, amount(spec))]
    out, below = [], 0.0
    for piece in spec:
        upto = min(amount(piece["upto"]) / 1e3, ask)
        if upto > below:
            out.append((upto - below, amount(piece["value"])))
            below = upto
    return out


def reference(
    pf: dict[str, Any],
    policy: dict[str, Any],
    partners: list[dict[str, Any]],
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """max V under DESIGN.md's constraints; money in bn, compute in thousands inside.

    `fixed`: partner code -> (security level or None, {concession: level or True}) to
    solve with the deals' binaries fixed (an LP)."""
    periods = [str(t) for t in pf["periods"]]
    levels = [lv["id"] for lv in policy["security_levels"]]
    mitigation = {lv["id"]: float(lv["mitigation"]) for lv in policy["security_levels"]}
    export = amount(policy["export_value_per_h100e"]) * 1e3 / 1e9  # bn per thousand
    penalty = amount(policy["risk_penalty_per_h100e"]) * 1e3 / 1e9
    margin = amount(policy.get("acceptance_margin", 0)) / 1e9
    budget = pf.get("risk_budget", policy.get("risk_budget"))
    supply = {str(t): amount(v) / 1e3 for t, v in pf["supply"].items()}
    prob = pulp.LpProblem("ref", pulp.LpMaximize)
    v_terms: list[Any] = []
    risk_terms: list[Any] = []
    use: dict[str, list[Any]] = {t: [] for t in periods}
    keep: dict[str, Any] = {}
    for p in partners:
        code = p["code"]
        ask = {str(t): amount(v) / 1e3 for t, v in p["ask"].items()}
        tier_caps = policy["caps"][f"tier{p['tier']}"]
        own_caps = (pf.get("caps") or {}).get(code)
        costs = {k: amount(v) / 1e9 for k, v in p["security_costs"].items() if k in levels}
        z = pulp.LpVariable(f"z_{code}", cat="Binary")
        s = {k: pulp.LpVariable(f"s_{code}_{k}", cat="Binary") for k in costs}
        prob += pulp.lpSum(s.values()) == z
        risk_p = []
        value_p = []
        xs = {}
        for t in periods:
            a = ask.get(t, 0.0)
            x = pulp.LpVariable(f"x_{code}_{t}", 0)
            xs[t] = x
            ws = {}
            for k in costs:
                if own_caps and k in own_caps:  # the portfolio's replaces the tier's
                    cap = amount(own_caps[k]) / 1e3
                elif not isinstance(tier_caps, dict):
                    cap = amount(tier_caps) / 1e3
                elif k in tier_caps:
                    cap = amount(tier_caps[k]) / 1e3
                else:
                    cap = a
                ws[k] = pulp.LpVariable(f"w_{code}_{t}_{k}", 0)
                prob += ws[k] <= min(a, cap) * s[k]
                risk_p.append(amount(p["diversion_risk"]) * (1 - mitigation[k]) * 1e3 * ws[k])
            prob += pulp.lpSum(ws.values()) == x
            ys = []
            for j, (width, val) in enumerate(segments(p, a)):
                y = pulp.LpVariable(f"y_{code}_{t}_{j}", 0, width)
                ys.append(y)
                value_p.append(val * 1e3 / 1e9 * y)
            beyond = pulp.LpVariable(f"beyond_{code}_{t}", 0)  # worth 0
            prob += pulp.lpSum(ys) + beyond == x
            use[t].append(x)
        gs: dict[str, dict[str, Any]] = {}
        cost_p, us_p = [], []
        for c in p.get("concessions", []):
            lv = c.get("levels") or [
                {"id": True, "us_value": c["us_value"], "partner_cost": c["partner_cost"]}
            ]
            gs[c["id"]] = {}
            for i, level in enumerate(lv):
                g = pulp.LpVariable(f"g_{code}_{c['id']}_{i}".replace("-", "_"), cat="Binary")
                gs[c["id"]][level["id"]] = g
                cost_p.append(amount(level["partner_cost"]) / 1e9 * g)
                us_p.append(amount(level["us_value"]) / 1e9 * g)
            prob += pulp.lpSum(gs[c["id"]].values()) <= z
        for c in p.get("concessions", []):
            granted = pulp.lpSum(gs[c["id"]].values())
            for need in c.get("requires", []):
                if isinstance(need, dict):
                    at = levels.index(need["security"])
                    prob += granted <= pulp.lpSum(s[k] for k in levels[at:] if k in s)
                else:
                    prob += granted <= pulp.lpSum(gs[need].values())
            for other in c.get("excludes", []):
                prob += granted + pulp.lpSum(gs[other].values()) <= 1
        deal = pulp.lpSum(value_p) - pulp.lpSum(cost_p) - pulp.lpSum(costs[k] * s[k] for k in s)
        batna = amount(p["batna"]) / 1e9
        us_batna = amount(p.get("us_batna", 0)) / 1e9
        prob += deal >= (batna + margin) * z
        risk_terms.extend(risk_p)
        v_terms.append(
            pulp.lpSum(us_p)
            + export * pulp.lpSum(xs.values())
            - penalty / 1e3 * pulp.lpSum(risk_p)
            + us_batna * (1 - z)
        )
        keep[code] = (z, s, gs, xs)
        if fixed is not None:
            level, granted_terms = fixed.get(code, (None, {}))
            prob += z == (level is not None)
            for k, var in s.items():
                prob += var == (k == level)
            for cid, opts in gs.items():
                for lid, var in opts.items():
                    prob += var == (granted_terms.get(cid) == lid)
    for t in periods:
        prob += pulp.lpSum(use[t]) <= supply[t]
    if budget is not None:
        prob += pulp.lpSum(risk_terms) <= amount(budget)
    prob += pulp.lpSum(v_terms)
    prob.solve(pulp.HiGHS(msg=False, gapRel=1e-9))
    status = pulp.LpStatus[prob.status]
    assert status == "Optimal", status
    out: dict[str, Any] = {"V": pulp.value(prob.objective) * 1e9, "deals": {}}
    for code, (z, s, gs, xs) in keep.items():
        if (z.value() or 0) > 0.5:
            level = next(k for k, var in s.items() if var.value() > 0.5)
            terms = {
                cid: lid
                for cid, opts in gs.items()
                for lid, var in opts.items()
                if var.value() > 0.5
            }
            compute = {t: x.value() * 1e3 for t, x in xs.items()}
            out["deals"][code] = (level, terms, compute)
    return out


def reference_of(portfolio: Path, edit: Any = None, fixed: Any = None) -> dict[str, Any]:
    pf, policy, partners = data_of(portfolio)
    if edit is not None:
        edit(pf, policy, partners)
    return reference(pf, policy, partners, fixed)


def solve_json(*args: Any) -> dict[str, Any]:
    run = invoke(["solve", *map(str, args), "--json"])
    assert run.exit_code == 0, run.output
    return dict(json.loads(run.stdout))


# ---------------------------------------------------------------------------------------
# Generated portfolios: written from a seed as files, read by the reference as dicts.


def generated(seed: int, folder: Path) -> Path:
    rng = random.Random(seed)
    years = [2026, 2027] if rng.random() < 0.6 else [2026]
    policy = {
        "id": f"gen{seed}",
        "title": f"Generated {seed}",
        "security_levels": [
            {"id": "baseline", "title": "Baseline", "mitigation": 0.0},
            {"id": "kyc", "title": "KYC", "mitigation": 0.5},
            {"id": "veu", "title": "VEU", "mitigation": 0.9},
        ],
        "caps": {
            "tier1": {},
            "tier2": {
                "baseline": rng.choice([10_000, 20_000]),
                "kyc": rng.choice([40_000, 60_000]),
                "veu": rng.choice([100_000, 200_000]),
            },
            "tier3": 0,
        },
        "export_value_per_h100e": f"{rng.choice([5, 8, 10])}k",
        "risk_penalty_per_h100e": f"{rng.choice([60, 100, 150])}k",
        "risk_budget": rng.choice([5_000, 10_000, 30_000]),
        "acceptance_margin": rng.choice([0, "50m"]),
    }
    partners = []
    for i in range(rng.randint(2, 3)):
        code = "P" + "ABC"[i]
        ask = rng.choice([40_000, 80_000, 150_000])
        value: Any = f"{rng.choice([20, 30, 40])}k"
        if rng.random() < 0.4:
            value = [
                {"upto": ask // 2, "value": f"{rng.choice([40, 50])}k"},
                {"upto": ask, "value": f"{rng.choice([15, 25])}k"},
            ]
        concessions: list[dict[str, Any]] = [
            {
                "id": "invest",
                "title": "Invest",
                "category": "investment",
                "levels": [
                    {"id": "small", "title": "Small", "us_value": "1bn", "partner_cost": "600m"},
                    {"id": "large", "title": "Large", "us_value": "3bn", "partner_cost": "2.2bn"},
                ],
            },
            {
                "id": "align",
                "title": "Align",
                "category": "alignment",
                "us_value": f"{rng.choice([5, 8, 12])}00m",
                "partner_cost": f"{rng.choice([3, 6, 9])}00m",
                "requires": [{"security": "kyc"}],
            },
        ]
        partners.append(
            {
                "code": code,
                "name": f"Partner {code}",
                "tier": rng.choice([1, 2, 2]),
                "diversion_risk": rng.choice([0.05, 0.15, 0.3]),
                "ask": {t: ask for t in years},
                "value_per_h100e": value,
                "batna": f"{rng.choice([5, 10, 20])}00m",
                "us_batna": rng.choice([0, "-300m"]),
                "security_costs": {"baseline": 0, "kyc": "100m", "veu": f"{rng.choice([4, 8])}00m"},
                "concessions": concessions,
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))
    names = []
    for p in partners:
        name = f"{str(p['code']).lower()}.yaml"
        (folder / name).write_text(yaml.safe_dump(p, sort_keys=False))
        names.append(name)
    total = 0.9 * sum(p["ask"][years[0]] for p in partners)  # type: ignore[index]
    portfolio = {
        "id": f"gen{seed}",
        "title": f"Generated {seed}",
        "policy": "policy.yaml",
        "periods": years,
        "supply": {t: int(total * rng.choice([0.5, 0.8, 1.2])) for t in years},
        "partners": names,
        "granularity": 0,
    }
    path = folder / "portfolio.yaml"
    path.write_text(yaml.safe_dump(portfolio, sort_keys=False))
    return path


# ---------------------------------------------------------------------------------------
# The tests.


def test_the_reference_agrees_with_solve_on_the_hand_portfolio() -> None:
    """Cove, by hand: AA at veu is worth 8k - 100k x 0.2 x 0.1 = $6,000 an H100e to the
    US, so it takes what supply leaves once BB and CC are held at their walk-away values;
    CC at veu needs 1bn / 25k = 40,000 over both years... The reference and `solve`
    agree on V and on who deals at which level."""
    ref = reference_of(COVE / "cove.yaml")
    got = solve_json(COVE / "cove.yaml")
    assert got["us_value"] == pytest.approx(ref["V"], abs=TOL)
    assert {d["partner"]: d["security"] for d in got["deals"]} == {
        code: deal[0] for code, deal in ref["deals"].items()
    }


@pytest.mark.parametrize("seed", range(8))
def test_the_reference_agrees_with_solve_on_generated_portfolios(seed: int, tmp_path: Path) -> None:
    path = generated(seed, tmp_path)
    ref = reference_of(path)
    got = solve_json(path)
    assert got["us_value"] == pytest.approx(ref["V"], abs=TOL)


def with_policy(path: Path) -> Any:
    def edit(pf: dict[str, Any], policy: dict[str, Any], partners: list[Any]) -> None:
        policy.clear()
        policy.update(read(path))

    return edit


@pytest.mark.parametrize("portfolio", ["cove", 3])
def test_compare_gives_each_regime_the_references_optimum(portfolio: Any, tmp_path: Path) -> None:
    """`compare` under the four shipped regimes: each column's US utility, its parts and
    who deals at which level equal the reference solved with that regime's policy file
    (the portfolio sets no risk budget of its own, so each regime's applies)."""
    path = COVE / "cove.yaml" if portfolio == "cove" else generated(portfolio, tmp_path)
    if portfolio != "cove":
        data = read(path)
        data["partners"] = [str(tmp_path / p) for p in data["partners"]]
        data["policy"] = str(tmp_path / data["policy"])
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    run = invoke(["compare", path, "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    columns = {r["regime"]: r for r in got["regimes"]}
    assert set(columns) >= {"tiered", "monopoly", "repeal", "bilateral"}
    for regime in ("tiered", "monopoly", "repeal", "bilateral"):
        ref = reference_of(path, with_policy(SHIPPED / f"{regime}.yaml"))
        col = columns[regime]
        assert col["us_value"] == pytest.approx(ref["V"], abs=TOL), regime
        assert sorted(col["partners"]) == sorted(ref["deals"]), regime
        parts = col["concessions"] + col["export_value"] - col["risk_cost"]
        assert parts + col["no_deal_losses"] == pytest.approx(col["us_value"], abs=1.0)
        for p in got["partners"]:
            mine = p["regimes"][regime]
            if mine["deal"]:
                assert mine["security"] == ref["deals"][p["code"]][0], (regime, p["code"])


def override(path_: str, value: Any) -> Any:
    """An edit of the dicts as `--set PATH=VALUE` names it (DESIGN.md "Scenarios")."""
    head, *rest = path_.split(".")

    def edit(pf: dict[str, Any], policy: dict[str, Any], partners: list[Any]) -> None:
        if head == "policy":
            target = policy
        elif head == "portfolio":
            target = pf
        else:
            target = next(p for p in partners if p["code"] == rest[0])
            rest.pop(0)
        for key in rest[:-1]:
            target = target[key] if key in target else target[int(key)]
        last = rest[-1]
        if isinstance(target, dict) and last.isdigit() and int(last) in target:
            last = int(last)  # type: ignore[assignment]
        target[last] = value

    return edit


def test_each_scenario_is_the_references_optimum_under_its_overrides() -> None:
    """Cove's four scenarios (more 2026 supply, dearer risk, CC's walk-away value raised,
    a tight risk budget): each row's US utility and deals equal the reference solved on
    the dicts edited as the scenario's `set` says, and the base row the plain solve's."""
    run = invoke(["sweep", COVE / "cove.yaml", COVE / "scenarios.yaml", "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    rows = {r["id"]: r for r in json.loads(run.stdout)["rows"]}
    scenarios = read(COVE / "scenarios.yaml")["scenarios"]
    assert set(rows) == {"base"} | {s["id"] for s in scenarios}
    ref = reference_of(COVE / "cove.yaml")
    assert rows["base"]["us_value"] == pytest.approx(ref["V"], abs=TOL)
    for scenario in scenarios:
        ((where, value),) = scenario["set"].items()
        ref = reference_of(COVE / "cove.yaml", override(where, value))
        row = rows[scenario["id"]]
        assert row["us_value"] == pytest.approx(ref["V"], abs=TOL), scenario["id"]
        assert sorted(row["deals"]) == sorted(ref["deals"]), scenario["id"]


def packages_of(ref: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {code: (deal[0], deal[1]) for code, deal in ref["deals"].items()}


SWEEP = ["--param", "policy.risk_budget", "--from", "4_000", "--to", "10_000", "--steps", "7"]


def test_a_sweeps_rows_and_change_points_are_the_references() -> None:
    """Cove's risk budget from 4,000 to 10,000: each row's US utility and deals are the
    reference's at that budget; at each change point the reference's packages differ
    between its two ends (and not on the grid's side of `low`, nor from `high` to the
    next grid value, unless the point says "it changes again")."""
    run = invoke(["sweep", COVE / "cove.yaml", *SWEEP, "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    for row in got["rows"]:
        ref = reference_of(COVE / "cove.yaml", override("policy.risk_budget", row["value"]))
        assert row["us_value"] == pytest.approx(ref["V"], abs=TOL), row["value"]
        assert sorted(row["deals"]) == sorted(ref["deals"]), row["value"]
    grid = [r["value"] for r in got["rows"]]
    assert len(got["change_points"]) == 3
    for point in got["change_points"]:
        at = {
            end: reference_of(COVE / "cove.yaml", override("policy.risk_budget", point[end]))
            for end in ("low", "high")
        }
        assert packages_of(at["low"]) != packages_of(at["high"])
        assert at["low"]["V"] == pytest.approx(point["us_value_low"], abs=TOL)
        assert at["high"]["V"] == pytest.approx(point["us_value_high"], abs=TOL)
        before = max(v for v in grid if v <= point["low"])
        after = min(v for v in grid if v >= point["high"])
        start = reference_of(COVE / "cove.yaml", override("policy.risk_budget", before))
        end = reference_of(COVE / "cove.yaml", override("policy.risk_budget", after))
        assert packages_of(start) == packages_of(at["low"])
        assert (packages_of(end) != packages_of(at["high"])) == (point["again_before"] is not None)


def test_a_sweep_on_a_dask_cluster_of_two_worker_processes_is_the_local_sweep() -> None:
    """The same sweep and the scenarios on a real `distributed.LocalCluster` (two worker
    processes) give the local path's rows and change points, figure for figure."""
    distributed = pytest.importorskip("distributed")
    local = invoke(["sweep", COVE / "cove.yaml", *SWEEP, "--json", "-j", "1"])
    named = invoke(["sweep", COVE / "cove.yaml", COVE / "scenarios.yaml", "--json", "-j", "1"])
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        dask = ["--executor", "dask", "--scheduler", cluster.scheduler_address]
        remote = invoke(["sweep", COVE / "cove.yaml", *SWEEP, "--json", *dask])
        remote_named = invoke(
            ["sweep", COVE / "cove.yaml", COVE / "scenarios.yaml", "--json", *dask]
        )
    for mine, theirs in ((local, remote), (named, remote_named)):
        assert theirs.exit_code == 0, theirs.output
        a, b = json.loads(mine.stdout), json.loads(theirs.stdout)
        assert a.pop("executor") != b.pop("executor")
        assert a == b


PRICED = {"supply": "portfolio.supply.{period}", "risk-budget": "policy.risk_budget"}


@pytest.mark.parametrize(
    ("sets", "warned"),
    [
        ([], 0),
        (["policy.risk_budget=5_000"], 1),
        (["policy.risk_budget=7_000"], 0),
        (["portfolio.supply.2027=150_000"], 2),
        (["policy.risk_budget=8_828"], 0),
    ],
)
def test_each_shadow_price_is_the_references_slope_on_the_side_it_says(
    sets: list[str], warned: int
) -> None:
    """Each price of supply and of the risk budget against the reference's full model
    re-solved a small step either side of the limit. Up: the price while the text's
    "over the next N" lasts (a step inside it). Down: the same price where the text says
    "each one cut costs as much, down to M"; more where it says "(a cut costs more)".
    Where the two sides differ beyond that range (supply 2027 at 150,000: one more 2026
    H100e is worth $6,000, while 1,500 less loses $10,833 each, CC losing its deal), the
    warning gives the full model's figure for the step it names, and that figure is the
    reference's. What a user should read: the price is the value of the next unit; a cut
    is worth the price only down to the figure said, and the warning's figure beyond."""
    assert prices_agree(COVE / "cove.yaml", sets) == warned


def prices_agree(path: Path, sets: list[str]) -> int:
    """Checks `solve --prices` on `path` against the reference (see the test above);
    returns how many warnings of a cut's full-model cost it checked."""
    args: list[Any] = ["solve", path, "--prices", "--json"]
    for s in sets:
        args += ["--set", s]
    run = invoke(args)
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)

    def v_at(key: str, value: float) -> float:
        def edit(pf: Any, policy: Any, partners: Any) -> None:
            for s in sets:
                override(*s.split("="))(pf, policy, partners)
            override(key, value)(pf, policy, partners)

        return float(reference_of(path, edit)["V"])

    seen = 0
    for lim in got["prices"]["limits"]:
        key = PRICED[lim["kind"]].format(period=lim["period"])
        limit, price, text = lim["limit"], lim["usd_per_unit"], lim["text"]
        base = v_at(key, limit)
        noise = 2 * TOL
        if lim["holds_to"] is None or lim["holds_to"] - limit >= 2:
            h = 1.0 if lim["holds_to"] is None else min(10.0, (lim["holds_to"] - limit) / 2)
            assert (v_at(key, limit + h) - base) / h == pytest.approx(price, abs=noise / h), text
        if "cut costs as much" in text:
            h = min(10.0, (limit - lim["holds_from"]) / 2)
            assert (base - v_at(key, limit - h)) / h == pytest.approx(price, abs=noise / h), text
        elif "a cut costs more" in text:
            assert (base - v_at(key, limit - 1)) > price + noise, text
        if lim["warning"] and "less loses" in lim["warning"]:
            step = lim["step"]
            assert (base - v_at(key, limit - step)) / step == pytest.approx(
                lim["mip_down"], abs=noise / step
            )
            seen += 1
        elif (past := lim.get("past_from")) and past["us_change"] is not None and lim["step"]:
            # one whole step past the range is the step down: said there, not warned twice
            step = lim["step"]
            if abs(past["at"] - (limit - step)) < 1e-6:
                assert base - v_at(key, limit - step) == pytest.approx(
                    -past["us_change"], abs=noise
                )
                seen += 1
        assert not re.search(rf"down to {re.escape(f'{limit:,.0f}')}\)", text), text
    return seen


@pytest.mark.parametrize(("seed", "warned"), [(4, 0), (7, 0), (9, 1)])
def test_each_shadow_price_of_a_generated_portfolio_is_the_references_slope(
    seed: int, warned: int, tmp_path: Path
) -> None:
    """Seeds with a price whose cut costs more (4), a zero price of a limit used to the
    last unit (7) and a budget whose cut beyond 100 costs a deal (9)."""
    assert prices_agree(generated(seed, tmp_path), []) == warned


def cc_samples(n: int, seed: int) -> tuple[Any, Any]:
    """CC's drawn figures by a sampler of this file's own: its walk-away value uniform on
    500m..1.5bn, its diversion risk triangular (0.3, 0.4, 0.5)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.uniform(0.5e9, 1.5e9, n), rng.triangular(0.3, 0.4, 0.5, n)


def test_risk_agrees_with_a_monte_carlo_of_its_own() -> None:
    """CC's offer (veu, 60,000 H100e a year, buy): its utility from the terms is
    25k x 120,000 - 800m - 800m = 1.4bn, so it accepts when its walk-away value is at most
    that: 90%. Accepting, the US gets 1bn + 8k x 120,000 - 100k x r x 0.1 x 120,000;
    refusing, its no-deal value, -500m. Each of `risk`'s figures is within four standard
    errors of the same figure from 200,000 draws of this file's own sampler."""
    import numpy as np

    cc, cove = COVE / "cc-offer.yaml", COVE / "cove.yaml"
    run = invoke(["risk", cc, "--portfolio", cove, "--json", "--samples", "20000", "--seed", "3"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    batna, r = cc_samples(200_000, 30)
    accepts = batna <= 1.4e9
    v = np.where(accepts, 1e9 + 8e3 * 120_000 - 100e3 * r * 0.1 * 120_000, -0.5e9)
    risk = np.where(accepts, r * 0.1 * 120_000, 0.0)
    n = got["samples"]
    p = got["accept_probability"]
    assert abs(p["estimate"] - accepts.mean()) < 4 * math.sqrt(0.09 / n)
    assert abs(got["expected_us_value"] - v.mean()) < 4 * v.std() / math.sqrt(n)
    assert abs(got["expected_risk"] - risk.mean()) < 4 * risk.std() / math.sqrt(n)
    assert got["at_means"]["us_value"] == pytest.approx(1.48e9)
    for q, value in got["us_value"]["quantiles"].items():
        mine = float(np.quantile(v[accepts], float(q.rstrip("%")) / 100))
        assert value == pytest.approx(mine, rel=3e-3), q


def test_a_risk_budget_the_samples_decide_is_not_said_broken_whatever_the_samples() -> None:
    """CC under kyc, 60,000 H100e a year: its risk is 60,000 x r, over the 20,000 budget
    when r > 1/3, which a triangular (0.3, 0.4, 0.5) draw is with probability
    1 - (1/30)^2 / 0.02 = 94.4%. `risk` listed the budget under "Breaks limits, whatever
    the samples" (from the check at the means) beside "exceeds it in 94.4% of samples":
    one false, both about one limit. Now the budget is said once, with its share and that
    the package at the means breaks it, which still gives exit code 3 (as `evaluate`)."""
    cc, cove = COVE / "cc-kyc.yaml", COVE / "cove.yaml"
    run = invoke(["risk", cc, "--portfolio", cove, "--json", "--samples", "20000"])
    assert run.exit_code == 3, run.output
    got = json.loads(run.stdout)
    assert got["violations"] == []
    (limit,) = got["sampled_limits"]
    _, r = cc_samples(200_000, 31)
    assert abs(limit["probability"]["estimate"] - (60_000 * r > 20_000.5).mean()) < 0.01
    assert limit["probability"]["estimate"] == pytest.approx(1 - (1 / 30) ** 2 / 0.02, abs=0.01)
    assert limit["broken_at_means"] is True
    table = invoke(
        ["risk", COVE / "cc-kyc.yaml", "--portfolio", COVE / "cove.yaml", "--samples", "20000"]
    )
    assert table.exit_code == 3
    flat = " ".join(table.stdout.split())
    assert "whatever the samples" not in flat
    assert "exceeds it in 94." in flat
    assert "at the figures' means it exceeds it too" in flat


def test_the_memos_cost_of_a_cap_that_keeps_a_partner_out_is_the_deal_worth_having(
    tmp_path: Path,
) -> None:
    """Cove under monopoly: tier 2's cap is 1,699 H100e at every level, so AA and CC have no
    deal. The principals memo's "What each limit costs" listed "AA: the tier 2 cap under
    baseline ... $2.84bn" (AA at baseline, the least raise that gets a package AA accepts)
    and no row for CC, whose baseline deal is worth less to the US than no deal, so lifting
    that cap changed nothing. The reference, with each partner's caps lifted: AA's deal
    under veu adds $7.08bn, CC's under veu $2.08bn. Each row now lifts the partner's cap
    under every level it can meet and names the level its deal takes."""
    out = tmp_path / "c"
    args = ["--regimes", "monopoly", "--out", out, "--render", "md", "--date", "2026-12-05"]
    run = invoke(["compare", COVE / "cove.yaml", *args, "-j", "1"])
    assert run.exit_code == 0, run.output
    memo = (out / "memos/principals-cove-monopoly.md").read_text()
    rows = [line for line in memo.splitlines() if "keeps" in line and line.startswith("|")]
    base = reference_of(COVE / "cove.yaml", with_policy(SHIPPED / "monopoly.yaml"))["V"]
    big = {"baseline": 10**7, "kyc": 10**7, "veu": 10**7}
    for code, row in zip(("AA", "CC"), rows, strict=True):

        def lift(pf: Any, policy: Any, partners: Any, code: str = code) -> None:
            with_policy(SHIPPED / "monopoly.yaml")(pf, policy, partners)
            pf["caps"] = {code: big}

        ref = reference_of(COVE / "cove.yaml", lift)
        assert ref["deals"][code][0] == "veu"
        assert row.startswith(f"| {code}: the tier 2 cap under veu (keeps {code} from a deal)")
        assert f"| ${(ref['V'] - base) / 1e9:.2f}bn |" in row, row


def test_compare_with_set_applies_the_override_under_every_regime() -> None:
    """`compare --set policy.risk_penalty_per_h100e=200k --set partners.CC.batna=1.2bn`:
    the override applies after the regime change, so each column is the reference under
    that regime's policy file with the penalty and CC's walk-away value replaced."""
    sets = ["policy.risk_penalty_per_h100e=200k", "partners.CC.batna=1.2bn"]
    args = [a for s in sets for a in ("--set", s)]
    run = invoke(["compare", COVE / "cove.yaml", *args, "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    columns = {r["regime"]: r for r in json.loads(run.stdout)["regimes"]}
    for regime in ("tiered", "monopoly", "repeal", "bilateral"):

        def edit(pf: Any, policy: Any, partners: Any, regime: str = regime) -> None:
            with_policy(SHIPPED / f"{regime}.yaml")(pf, policy, partners)
            for s in sets:
                override(*s.split("="))(pf, policy, partners)

        ref = reference_of(COVE / "cove.yaml", edit)
        assert columns[regime]["us_value"] == pytest.approx(ref["V"], abs=TOL), regime
        assert sorted(columns[regime]["partners"]) == sorted(ref["deals"]), regime


def test_risk_with_an_uncertain_value_and_a_truncated_normal_cost() -> None:
    """Moor: AA's value per H100e triangular (20k, 30k, 40k) and its alignment cost a
    normal (500m, sd 300m) truncated to 0..1bn. Its offer (veu, 180,000 H100e, invest 30bn,
    align) leaves it 30k x 180,000 - 3bn - 500m - 1bn = 900m at the means, 100m short of
    its 1bn walk-away value; it accepts when v x 180,000 >= 5bn + c, which a million draws
    of this file's own sampler (rejection for the truncation) put at about 45%. `risk`'s
    probability, expected US value (7.08bn when it accepts, 0 if not) and expected risk
    agree within four standard errors."""
    import numpy as np

    args = ["--portfolio", COVE / "moor.yaml", "--samples", "100000", "--seed", "4", "--json"]
    run = invoke(["risk", COVE / "aa-offer.yaml", *args])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    rng = np.random.default_rng(44)
    n = 1_000_000
    v = rng.triangular(20e3, 30e3, 40e3, n)
    c = rng.normal(0.5e9, 0.3e9, 3 * n)
    c = c[(c >= 0) & (c <= 1e9)][:n]
    p = float((v * 180_000 >= 5e9 + c).mean())
    se = math.sqrt(p * (1 - p) / got["samples"])
    assert got["at_means"]["accepts"] is False
    assert got["at_means"]["partner_margin"] == pytest.approx(-100e6)
    assert abs(got["accept_probability"]["estimate"] - p) < 4 * se
    assert got["expected_us_value"] == pytest.approx(
        got["accept_probability"]["estimate"] * 7.08e9, rel=1e-9
    )
    assert abs(got["expected_us_value"] - p * 7.08e9) < 4 * se * 7.08e9
    assert got["expected_risk"] == pytest.approx(got["accept_probability"]["estimate"] * 3_600)


def test_the_options_memo_says_a_regime_overtakes_where_risk_costs_less_or_concessions_more(
    tmp_path: Path,
) -> None:
    """Generated seed 3, its own regime (gen3) beside repeal: gen3 leads by $110.1m; repeal
    carries $216.7m more risk cost and $800m more concessions. With the packages held,
    repeal overtakes when the cost of risk is under 0.492 times the estimate, or when
    concessions are worth over 1.138 times theirs. The memo said "No single scaling of the
    risk penalty or of the concessions' value lets repeal ... overtake gen3": it looked
    only at risk costing more and concessions worth less. Each threshold is checked
    against the comparison's own figures at the value printed."""
    path = generated(3, tmp_path / "gen")
    out = tmp_path / "c"
    args = ["--regimes", f"{path.parent / 'policy.yaml'},repeal", "--out", out]
    run = invoke(["compare", path, *args, "--render", "md", "--date", "2026-12-05", "-j", "1"])
    assert run.exit_code == 0, run.output
    memo = " ".join((out / "memos" / "options-gen3.md").read_text().split())
    assert "No single scaling" not in memo
    rows = {r["regime"]: r for r in json.loads((out / "comparison.json").read_text())["regimes"]}
    best, other = rows["gen3"], rows["repeal"]

    def v(row: dict[str, Any], k: float = 1.0, f: float = 1.0) -> float:
        return float(row["us_value"] - (k - 1) * row["risk_cost"] + (f - 1) * row["concessions"])

    risk = re.search(r"repeal overtakes gen3 if the cost of risk is ([\d.]+) times each regime's "
                     r"own estimate or less \(gen3's \$150,000 and repeal's \$120,000 per "
                     r"risk-weighted H100e; repeal's risk costs \$216\.7m more\)", memo)  # fmt: skip
    gift = re.search(r"repeal overtakes gen3 if concessions are worth ([\d.]+) times their "
                     r"estimated value or more to the United States \(repeal's bring \$800\.0m "
                     r"more\)", memo)  # fmt: skip
    assert risk and gift, memo
    k, f = float(risk.group(1)), float(gift.group(1))
    assert (k, f) == (0.49, 1.14)
    assert v(other, k=k) > v(best, k=k) and v(other, k=k + 0.01) < v(best, k=k + 0.01)
    assert v(other, f=f) > v(best, f=f) and v(other, f=f - 0.01) < v(best, f=f - 0.01)
