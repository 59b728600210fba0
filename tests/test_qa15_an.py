"""The analysis layer checked against an independent reference (qa15-an).

`tests/qa15_reference.py` solves DESIGN.md's model with PuLP/HiGHS directly and
samples DESIGN's distributions with numpy; nothing there imports dealbench.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

import qa15_reference as R
from dealbench import load_portfolio, risk_report, shadow_prices, solve
from dealbench.analyze import compare, load_scenarios, sweep_scenarios
from dealbench.analyze.analysed import solve_with_analysis
from dealbench.figures import usd
from dealbench.optimize.explain.no_deal import no_deal_reasons
from helpers import invoke

pytestmark = pytest.mark.filterwarnings("ignore")


def run(*args: str | Path) -> str:
    done = invoke(args)
    assert done.exit_code == 0 and not done.traceback, done.output + done.traceback
    return done.stdout


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a), abs(b))


def _robust_case(tmp_path: Path) -> Path:
    """AA is short of 90% acceptance at the means; its robust BATNA keeps it out."""
    rng = random.Random(24)
    spec = R.uncertain(R.random_spec(rng, n_partners=rng.randint(1, 2)), rng)
    return R.write_spec(spec, tmp_path / "robust")


def test_robust_solve_explains_no_deal_against_its_own_walk_away_values(tmp_path: Path) -> None:
    """`solve --robust` explained a partner without a deal against the mean BATNAs: "raising
    supply by 1 H100e in 2026 makes room for it", which the robust solve does not follow."""
    path = _robust_case(tmp_path)
    args = ["solve", path, "--robust", "0.9", "--samples", "4000", "--json"]
    out = run(*args)
    data = json.loads(out)
    assert [d["partner"] for d in data["deals"]] == ["GG"]
    reasons = data["no_deal_reasons"]
    assert [r["partner"] for r in reasons] == ["AA"]
    for relax in reasons[0]["relax"]:
        if relax["kind"] == "supply":  # the claim: this much more supply opens a deal
            more = relax["limit"] + relax["amount"]
            again = json.loads(
                run(*args, "--set", f"portfolio.supply.{relax['period']}={more:.0f}")
            )
            assert "AA" in [d["partner"] for d in again["deals"]], reasons[0]["message"]
    pf = load_portfolio(path)
    found = solve_with_analysis(pf, robust=0.9, samples=4000)
    assert found.solved is not None
    raised = {p.partner: p.batna_raised_by for p in found.robustness.partners}  # type: ignore[union-attr]
    solved_batna = next(p.batna for p in found.solved.partners if p.code == "AA")
    assert solved_batna == pytest.approx(
        next(p.batna for p in pf.partners if p.code == "AA") + raised["AA"]
    )
    assert [r.message for r in found.no_deal_reasons()] == [r["message"] for r in reasons]
    # The walk-away value the reason quotes is the raised one, and it says so (session 20).
    raised_by = usd(raised["AA"])
    assert reasons[0]["message"].endswith(
        f"; its walk-away value here is raised by {raised_by}, so that a deal with it is "
        "accepted in at least 90% of the samples"
    ), reasons[0]["message"]
    plain = no_deal_reasons(found.solved, found.result)[0].message
    assert reasons[0]["message"].startswith(plain)


@pytest.mark.parametrize("seed", [3, 13, 45])
def test_compare_matches_the_reference(tmp_path: Path, seed: int) -> None:
    """Each regime's V and deals equal the reference's solve of that regime (a regime other
    than the portfolio's own drops its deal-by-deal caps, as docs/decisions.md says)."""
    rng = random.Random(seed)
    spec = R.random_spec(rng, odd=rng.choice([None, "refuses", "zero-supply"]))
    policies = {}
    for i in range(3):
        pol = R.random_spec(random.Random(seed * 100 + i), n_partners=1).policy
        policies[f"r{i}"] = dict(pol, id=f"r{i}", title=f"Regime {i}")
    path = R.write_spec(spec, tmp_path, policies)
    regimes = [str(tmp_path / "policy.yaml")] + [str(tmp_path / f"r{i}.yaml") for i in range(3)]
    comparison, _ = compare(load_portfolio(path), regimes)
    for row, name in zip(comparison.regimes, ["own", "r0", "r1", "r2"], strict=True):
        sp = spec.copy()
        if name != "own":
            sp.policy = policies[name]
            sp.portfolio.pop("caps", None)
        ref = R.solve(sp)
        assert ref.status == "Optimal"
        assert _rel(ref.us_value, row.us_value) < 1e-6, (name, ref.us_value, row.us_value)
        assert sorted(ref.packages) == sorted(row.partners)


def test_scenarios_match_the_reference(tmp_path: Path) -> None:
    rng = random.Random(7)
    spec = R.random_spec(rng, n_partners=2, tight=True)
    path = R.write_spec(spec, tmp_path)
    t0 = str(spec.portfolio["periods"][0])
    code = next(p["code"] for p in spec.partners if p["tier"] != 3)
    sets = {
        "portfolio.risk_budget": None,
        f"portfolio.supply.{t0}": 15_000,
        f"portfolio.caps.{code}.veu": 250_000,
        f"partners.{code}.batna": 4_000_000_000,
    }
    text = "scenarios:\n" + "".join(
        f"  - {{id: s{i}, title: S{i}, set: {{{p}: {'none' if v is None else v}}}}}\n"
        for i, (p, v) in enumerate(sets.items())
    )
    (tmp_path / "scenarios.yaml").write_text(text)
    pf = load_portfolio(path)
    sweep, _ = sweep_scenarios(pf, load_scenarios(tmp_path / "scenarios.yaml", pf))
    for row in sweep.rows[1:]:
        p, v = list(sets.items())[int(row.id[1:])]
        sp = spec.copy()
        root, *rest = p.split(".")
        obj = sp.partner(rest.pop(0)) if root == "partners" else sp.portfolio
        for key in rest[:-1]:
            obj = obj.setdefault(key, {})
        obj[rest[-1]] = v
        ref = R.solve(sp)
        assert _rel(ref.us_value, row.us_value) < 1e-6, (row.id, ref.us_value, row.us_value)
        assert sorted(ref.packages) == sorted(row.deals)


def test_shadow_prices_match_fixed_lp_finite_differences(tmp_path: Path) -> None:
    """A price is the LP dual with the optimum's binaries fixed: a local quantity. Its
    `lp_up`/`lp_down` are the fixed LP's finite differences; `mip_up`/`mip_down` the full
    model's, re-solved."""
    rng = random.Random(110)
    spec = R.random_spec(rng, n_partners=rng.randint(1, 3), tight=True)
    path = R.write_spec(spec, tmp_path)
    pf = load_portfolio(path)
    result = solve(pf)
    prices = shadow_prices(pf, result)
    fix = {d.partner: (d.security, dict(d.concessions)) for d in result.deals}
    assert any(lim.kind == "cap" and lim.usd_per_unit > 0 for lim in prices.limits)

    def value(lim: object, amount: float, fixed: bool) -> float:
        sp, cap_at = spec.copy(), None
        kind, period = lim.kind, lim.period
        if kind == "supply":
            sp.portfolio["supply"][period] = amount
        elif kind == "risk-budget":
            sp.portfolio["risk_budget"] = amount
        else:
            cap_at = {(lim.partner, period, lim.level): amount}
        return R.solve(sp, fix=fix if fixed else None, cap_at=cap_at).us_value

    for lim in prices.limits:
        base, up = value(lim, lim.limit, True), value(lim, lim.limit + lim.step, True)
        assert (up - base) / lim.step == pytest.approx(lim.lp_up, rel=1e-5, abs=1e-3)
        assert lim.usd_per_unit == pytest.approx(lim.lp_up, rel=1e-5, abs=1e-3)
        mip_base, mip_up = value(lim, lim.limit, False), value(lim, lim.limit + lim.step, False)
        assert (mip_up - mip_base) / lim.step == pytest.approx(lim.mip_up, rel=1e-5, abs=1e-2)


def test_accept_probability_matches_monte_carlo_and_exact(tmp_path: Path) -> None:
    checked = 0
    for seed in (0, 24, 33):
        rng = random.Random(seed)
        spec = R.uncertain(R.random_spec(rng, n_partners=rng.randint(1, 2)), rng)
        pf = load_portfolio(R.write_spec(spec, tmp_path / str(seed)))
        for deal in solve(pf).deals:
            got = risk_report(pf, deal.package(), samples=20_000, seed=seed).accept_probability
            mine = {
                "partner": deal.partner,
                "security": deal.security,
                "compute": dict(deal.compute),
                "concessions": dict(deal.concessions),
            }
            est, se = R.accept_probability(spec, mine, 100_000, seed + 1)
            assert abs(est - got.estimate) <= 4 * math.hypot(se, got.standard_error) + 1e-9
            exact = R.exact_accept_probability(spec, mine)
            if exact is not None:
                assert abs(exact - got.estimate) <= 4 * got.standard_error + 1e-9
            checked += 1
    assert checked >= 3
