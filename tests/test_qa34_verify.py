"""qa34-verify: the analysis layer's numbers against references that read the YAML alone.

qa31-verify's brute-force reference (tests/test_qa31_verify.py: every discrete choice
enumerated, compute by LP in HiGHS, never dealbench's optimizer) answers, on tiny generated
portfolios whose security levels are the shipped regimes' (baseline, kyc, veu):
- `compare`: each regime's V is the reference's optimum of the files with that regime's
  policy (the shipped file, its TPP caps converted as DESIGN.md says) in place of the
  portfolio's, the portfolio's own caps dropped under another regime;
- a scenarios file: each scenario's V is the optimum of the files edited by hand;
- shadow prices: each limit's price is the reference's slope of the fixed-choice LP on
  both sides of the limit and over the range it is said to hold; each one-step re-solve is
  the reference's full optimum one step away, and where no warning is printed the full
  optimum moves at the printed price (within `prices.AGREE_REL` or the re-solves' noise);
- `risk` and `solve --robust`: acceptance shares, expected values and fresh shares agree
  with a Monte Carlo of the documented distributions drawn here (its own generator,
  large samples, within five standard errors);
- `sweep`: the same JSON with jobs=1, jobs=2 and a Dask LocalCluster.
Every result passes `check`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dealbench.analyze import compare, load_scenarios, shadow_prices, sweep_scenarios
from dealbench.analyze.prices import AGREE_REL, LimitPrice, _noise
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.optimize import solve
from helpers import Drawn, drawn_files, quick, written
from test_qa31_verify import (
    REL,
    Choice,
    Reference,
    RModel,
    assert_checked,
    choice_of,
    close,
    money,
    read_model,
)

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "src" / "dealbench" / "deals" / "policy"
TPP_PER_H100E = 15_832
MONEY_STEP = 50e6
SHAPE = Drawn(
    weakest="baseline",
    veu_mitigations=(0.8, 0.9),
    margins=(0, 0, 50e6),
    periods=((2027,), (2027, 2028), ("2027Q3", "2027Q4")),
    us_batnas=(0, 0, -200e6, 400e6),
    kinds=lambda draw: draw(
        st.lists(st.sampled_from(["yes", "levels", "range"]), min_size=1, max_size=2)
    ),
    money=MONEY_STEP,
)


@st.composite
def portfolios(draw: st.DrawFn, most: int = 3) -> dict[str, Any]:
    """Files of a tiny continuous portfolio whose partners name the shipped regimes'
    security levels (baseline, kyc, veu)."""
    return drawn_files(draw, SHAPE, most)


def edited(files: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    """`files` with `fields` of file `name` replaced (a copy)."""
    out = {k: dict(v) for k, v in files.items()}
    out[name].update(fields)
    return out


def best_us(files: dict[str, Any], where: Path) -> float | None:
    """The reference's optimum V of `files` (None: infeasible)."""
    found = Reference(read_model(written(files, where))).best_v()
    return None if found is None else float(found.us)


# ----------------------------------------------------------------------------------------
# compare: each regime's V is the optimum of the files under that regime's policy.


def shipped_policy(regime: str) -> dict[str, Any]:
    """A shipped regime's file as this reference reads it: caps in TPP converted to H100e
    (DESIGN.md: 1 H100e = 15,832 TPP)."""
    policy = yaml.safe_load((SHIPPED / f"{regime}.yaml").read_text())

    def h100e(cap: Any) -> Any:
        if isinstance(cap, dict) and "tpp" in cap:
            return money(cap["tpp"]) / TPP_PER_H100E
        return cap

    for tier, caps in policy["caps"].items():
        policy["caps"][tier] = (
            {k: h100e(v) for k, v in caps.items()} if isinstance(caps, dict) else h100e(caps)
        )
    return dict(policy)


REGIMES = ("tiered", "monopoly", "repeal", "bilateral")


def compare_regimes(files: dict[str, Any], where: Path) -> None:
    path = written(files, where / "base")
    pf = load_portfolio(path)
    table, solved = compare(pf, [*REGIMES, pf.policy])
    values = {row.regime: row.us_value for row in table.regimes}
    for regime in (*REGIMES, "gen"):
        policy = files["policy.yaml"] if regime == "gen" else shipped_policy(regime)
        own = files["portfolio.yaml"]
        if regime != "gen":  # the portfolio's own caps belong to its own regime
            own = {k: v for k, v in own.items() if k != "caps"}
        expected = best_us({**files, "policy.yaml": policy, "portfolio.yaml": own}, where / regime)
        got = values[regime]
        assert expected is not None and got is not None, (regime, got, expected)
        assert close(got, expected), (regime, got, expected)
        regime_pf, result = solved[regime]
        assert_checked(regime_pf, [d.package() for d in result.deals])
    best = max(v for v in values.values() if v is not None)
    assert values[table.best or ""] == pytest.approx(best, rel=REL)


@quick(4)
@given(files=portfolios(most=2))
def test_compare_gives_each_regime_the_optimum_of_its_own_policy_file(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_regimes(files, tmp_path_factory.mktemp("gen"))


# ----------------------------------------------------------------------------------------
# Scenarios: each one is a solve of the files edited by hand.


def compare_scenarios(files: dict[str, Any], where: Path, batna: int, ask: int) -> None:
    path = written(files, where / "base")
    pf = load_portfolio(path)
    first = pf.periods[0]
    margin = 100e6
    scenarios = {
        "scenarios": [
            {"id": "batna", "title": "Walk-away", "set": {"partners.PA.batna": f"{batna}m"}},
            {"id": "ask", "title": "Ask", "set": {f"partners.PB.ask.{first}": ask}},
            {
                "id": "both",
                "title": "Both",
                "set": {"policy.acceptance_margin": "100m", "portfolio.risk_budget": "none"},
            },
        ]
    }
    (where / "scenarios.yaml").write_text(yaml.safe_dump(scenarios, sort_keys=False))
    table, results = sweep_scenarios(pf, load_scenarios(where / "scenarios.yaml", pf))
    key = next(t for t in files["pb.yaml"]["ask"] if str(t) == first)
    pb_ask = {**files["pb.yaml"]["ask"], key: ask}
    both = edited(files, "policy.yaml", acceptance_margin=margin)
    both["portfolio.yaml"].pop("risk_budget", None)
    expected = {
        "base": best_us(files, where / "e-base"),
        "batna": best_us(edited(files, "pa.yaml", batna=batna * 1e6), where / "e-batna"),
        "ask": best_us(edited(files, "pb.yaml", ask=pb_ask), where / "e-ask"),
        "both": best_us(both, where / "e-both"),
    }
    got = {row.id: row.us_value for row in table.rows}
    assert got.keys() == expected.keys()
    for key, v in expected.items():
        assert v is not None and got[key] is not None and close(got[key], v), (key, got, v)
    by_hand = {
        "base": files,
        "batna": edited(files, "pa.yaml", batna=batna * 1e6),
        "ask": edited(files, "pb.yaml", ask=pb_ask),
        "both": both,
    }
    for row, result in zip(table.rows, results, strict=True):
        scenario_pf = load_portfolio(written(by_hand[row.id], where / f"c-{row.id}"))
        assert_checked(scenario_pf, [d.package() for d in result.deals])


@quick(4)
@given(
    files=portfolios(most=2),
    batna=st.integers(-500, 600).map(lambda k: k * 5),
    ask=st.integers(0, 8).map(lambda k: k * 5_000),
)
def test_each_scenario_is_the_optimum_of_the_files_edited_by_hand(
    files: dict[str, Any], batna: int, ask: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_scenarios(files, tmp_path_factory.mktemp("gen"), batna, ask)


# ----------------------------------------------------------------------------------------
# Shadow prices: the reference's slopes, fixed choices and full model.


@dataclass
class Moved(RModel):
    """The reference's model with named (partner, level, period) caps moved."""

    moved: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def cap(self, p: Any, k: str, t: str) -> float:
        if (p.code, k, t) in self.moved and p.tier < 3:
            return min(p.ask.get(t, 0.0), self.moved[p.code, k, t])
        return super().cap(p, k, t)


class Priced:
    """The reference around one limit of a solved portfolio."""

    def __init__(self, model: RModel, lim: LimitPrice, combo: dict[str, Choice]) -> None:
        self.model, self.lim, self.combo = model, lim, combo

    def _ref(self, amount: float) -> Reference:
        lim, m = self.lim, self.model
        if lim.kind == "supply":
            return Reference(m, supply={**m.supply, str(lim.period): amount})
        if lim.kind == "risk-budget":
            return Reference(m, budget=amount)
        key = (str(lim.partner), str(lim.level), str(lim.period))
        fields = {name: getattr(m, name) for name in RModel.__dataclass_fields__}
        return Reference(Moved(**fields, moved={key: amount}))

    def full(self, amount: float) -> float | None:
        found = self._ref(amount).best_v()
        return None if found is None else float(found.us)

    def fixed(self, amount: float) -> float | None:
        ref = self._ref(amount)
        found = ref._v_of(self.combo, None) if self.combo else ref._v_of({}, None)
        return None if found is None else float(found.us)


def slope_close(a: float, b: float, delta: float, v: float) -> bool:
    """Two rates over `delta` units, each from V's of about `v`, tell apart? (the optima's
    relative tolerance and the solves' dollars, over the step)."""
    return abs(a - b) <= (2 * REL * max(abs(v), 1e9) + 100.0) / delta + 1e-6 * max(abs(a), 1.0)


def compare_prices(path: Path) -> None:
    pf = load_portfolio(path)
    result = solve(pf)
    prices = shadow_prices(pf, result)
    assert_checked(pf, [d.package() for d in result.deals])
    model = read_model(path)
    base = result.us_value
    assert base is not None
    combo = {d.partner: choice_of(model, d.package()) for d in result.deals}
    for lim in prices.limits:
        ref = Priced(model, lim, combo)
        here = ref.fixed(lim.limit)
        assert here is not None and close(here, base), (lim, here, base)
        # The price is the fixed LP's slope on each side where it is said to hold.
        price, top, bottom = lim.usd_per_unit, lim.holds_to, lim.holds_from
        room_up = math.inf if top is None else top - lim.limit
        if room_up > 1e-6:
            d = min(10.0, room_up)
            up = ref.fixed(lim.limit + d)
            assert up is not None and slope_close((up - here) / d, price, d, base), (lim, up)
            if top is not None and room_up > 20:  # all the way to the end of its range
                end = ref.fixed(top)
                assert end is not None
                assert slope_close((end - here) / room_up, price, room_up, base), (lim, end)
        room_down = lim.limit - (bottom if bottom is not None else 0.0)
        if bottom is not None and room_down > 1e-6 and lim.limit - min(10.0, room_down) >= 0:
            d = min(10.0, room_down)
            down = ref.fixed(lim.limit - d)
            assert down is not None and slope_close((here - down) / d, price, d, base), (lim, down)
            if room_down > 20:  # all the way down to the start of its range
                start = ref.fixed(bottom)
                assert start is not None
                assert slope_close((here - start) / room_down, price, room_down, base), lim
        if bottom is not None and room_down <= 1e-6 and lim.limit >= 1.0:
            # "(a cut costs more)": a kink, the price holds for increases only
            down = ref.fixed(lim.limit - 1.0)
            assert down is None or (here - down) > price + 1e-3, (lim, down)
        if top is not None and price != 0:  # beyond its range the slope is another
            beyond = ref.fixed(top + 10.0)
            end = ref.fixed(top)
            assert end is not None
            assert beyond is None or not slope_close((beyond - end) / 10.0, price, 10.0, base), (
                lim,
                beyond,
            )
        # The full model one step away, as the warning's figures say and as the reference
        # finds it; without a warning it moves at the price.
        if lim.step is None:
            continue
        step = lim.step
        noise = _noise(result, step)
        up_full = ref.full(lim.limit + step)
        assert up_full is not None and lim.mip_up is not None
        rate_up = (up_full - base) / step
        assert slope_close(rate_up, lim.mip_up, step, base), (lim, rate_up)
        if lim.limit >= step:
            down_full = ref.full(lim.limit - step)
            rate_down = None if down_full is None else (base - down_full) / step
            assert (rate_down is None) == (lim.mip_down is None), (lim, rate_down)
            if rate_down is not None and lim.mip_down is not None:
                assert slope_close(rate_down, lim.mip_down, step, base), (lim, rate_down)
        if lim.warning is None:
            up_lp = lim.lp_up if lim.lp_up is not None else price
            tol = max(AGREE_REL * max(abs(up_lp), abs(rate_up)), noise)
            assert abs(rate_up - up_lp) <= tol * 1.01 + 1e-3, (lim, rate_up)


@quick(12)
@given(files=portfolios(most=3))
def test_each_shadow_price_is_the_references_slope_and_its_warnings_are_true(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_prices(written(files, tmp_path_factory.mktemp("gen")))


# ----------------------------------------------------------------------------------------
# Uncertainty: acceptance and expected values by a Monte Carlo of the documented
# distributions (DESIGN.md, "Scenarios and uncertainty"), drawn here.

MC = 200_000


def draws(spec: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    """n draws of a figure as the YAML writes it: a number, or {dist: uniform | triangular
    | normal (truncated to [low, high]), ...}."""
    if not isinstance(spec, dict):
        return np.full(n, money(spec))
    low, high = money(spec["low"]), money(spec["high"])
    if spec["dist"] == "uniform":
        return rng.uniform(low, high, n)
    if spec["dist"] == "triangular":
        return rng.triangular(low, money(spec["mode"]), high, n)
    mean, sd = money(spec["mean"]), money(spec["sd"])
    out = np.empty(0)
    while out.size < n:  # truncated by rejection
        z = rng.normal(mean, sd, 4 * n)
        out = np.concatenate([out, z[(z >= low) & (z <= high)]])
    return out[:n]


def mean_of(spec: Any) -> float:
    """The mean deterministic commands use: the distribution's (a truncated normal's by
    numerical integration)."""
    if not isinstance(spec, dict):
        return money(spec)
    low, high = money(spec["low"]), money(spec["high"])
    if spec["dist"] == "uniform":
        return (low + high) / 2
    if spec["dist"] == "triangular":
        return (low + money(spec["mode"]) + high) / 3
    mean, sd = money(spec["mean"]), money(spec["sd"])
    x = np.linspace(low, high, 200_001)
    w = np.exp(-(((x - mean) / sd) ** 2) / 2)
    return float(np.trapezoid(x * w, x) / np.trapezoid(w, x))


@dataclass
class Drawn:
    accepts: np.ndarray
    us: np.ndarray  # US value, a refusal at the no-deal value
    risk: np.ndarray  # risk-weighted H100e, a refusal none


def monte_carlo(files: dict[str, Any], package: Package, rng: np.random.Generator) -> Drawn:
    """The package's partner in MC draws of its uncertain figures, from the YAML alone."""
    policy = files["policy.yaml"]
    p = files[f"{package.partner.lower()}.yaml"]
    n = MC
    batna = draws(p["batna"], rng, n)
    diversion = draws(p["diversion_risk"], rng, n)
    compute = [float(v) for v in package.compute.values()]
    value, below = np.zeros(n), 0.0
    for segment in p["value_per_h100e"]:
        width = money(segment["upto"]) - below
        filled = sum(min(max(x - below, 0.0), width) for x in compute)
        value += filled * draws(segment["value"], rng, n)
        below += width
    cost = np.full(n, money(p["security_costs"][package.security]))
    us = 0.0
    for c in p["concessions"]:
        granted = package.concessions.get(c["id"])
        if granted is None or granted is False:
            continue
        if "levels" not in c:
            cost += draws(c["partner_cost"], rng, n)
            us += money(c["us_value"])
        elif "amount" in c and not any(lv["id"] == granted for lv in c["levels"]):
            # an amount of a range: on the straight line between its two neighbouring
            # points, each point's cost drawn on its own
            points = [
                (money(lv["amount"]), money(lv["us_value"]), lv["partner_cost"])
                for lv in c["levels"]
            ]
            if "min" in c["amount"]:
                points.insert(0, (money(c["amount"]["min"]), 0.0, 0.0))
            a = money(granted)
            (a0, u0, k0), (a1, u1, k1) = next(
                (p0, p1) for p0, p1 in itertools.pairwise(points) if p0[0] <= a <= p1[0]
            )
            share = (a - a0) / (a1 - a0)
            cost += (1 - share) * draws(k0, rng, n) + share * draws(k1, rng, n)
            us += u0 + share * (u1 - u0)
        else:
            level = next(lv for lv in c["levels"] if lv["id"] == granted)
            cost += draws(level["partner_cost"], rng, n)
            us += money(level["us_value"])
    need = batna + money(policy.get("acceptance_margin", 0))
    accepts = value - cost >= need - (1e4 + 1e-6 * np.abs(need))
    mitigation = next(
        float(lv["mitigation"]) for lv in policy["security_levels"] if lv["id"] == package.security
    )
    total = sum(compute)
    risk = diversion * (1 - mitigation) * total
    v = (
        us
        + money(policy["export_value_per_h100e"]) * total
        - money(policy["risk_penalty_per_h100e"]) * risk
    )
    return Drawn(
        accepts, np.where(accepts, v, money(p.get("us_batna", 0))), np.where(accepts, risk, 0)
    )


def within(estimate: float, samples: int, mc: np.ndarray) -> bool:
    """`estimate` (a mean over `samples` draws) and the MC's mean agree within five
    standard errors of their difference."""
    sd = float(mc.std())
    se = sd * math.sqrt(1 / samples + 1 / mc.size)
    return abs(estimate - float(mc.mean())) <= 5 * se + 1e-9 * max(abs(float(mc.mean())), 1.0)


UNCERTAIN = ("batna", "diversion_risk", "value", "cost")


@st.composite
def uncertain(draw: st.DrawFn) -> dict[str, Any]:
    """A generated portfolio whose partners' figures are, some of them, distributions
    around the drawn numbers."""
    files = draw(portfolios(most=2))
    for name in [n for n in files if len(n) == 7]:  # pa.yaml, pb.yaml
        p = files[name] = dict(files[name])
        if p["code"] == "PA":
            p["tier"] = draw(st.sampled_from([1, 2]))

        def spread(x: float, width: float) -> dict[str, Any]:
            kind = draw(st.sampled_from(["uniform", "triangular", "normal"]))
            low, high = x - width, x + width
            if kind == "uniform":
                return {"dist": "uniform", "low": low, "high": high}
            if kind == "triangular":
                mode = min(low + draw(st.integers(0, 4)) * width / 2, high)
                return {"dist": "triangular", "low": low, "mode": mode, "high": high}
            sd = width * draw(st.sampled_from([0.3, 1.0, 3.0]))
            centre = x + draw(st.sampled_from([-1.0, 0.0, 0.5])) * width
            return {"dist": "normal", "mean": centre, "sd": sd, "low": low, "high": high}

        for figure in draw(st.sets(st.sampled_from(UNCERTAIN), min_size=1)):
            if figure == "batna":
                p["batna"] = spread(p["batna"], draw(st.integers(1, 20)) * MONEY_STEP)
            elif figure == "diversion_risk":
                r = p["diversion_risk"]
                p["diversion_risk"] = spread(r, r * draw(st.sampled_from([0.2, 0.5, 0.9])))
            elif figure == "value":
                segs = [dict(s) for s in p["value_per_h100e"]]
                v = segs[-1]["value"]
                segs[-1]["value"] = spread(v, min(v, draw(st.integers(1, 4)) * 1_000))
                if len(segs) > 1:  # values must not increase: the last one's top stays below
                    top = segs[-1]["value"]["high"]
                    if top > segs[-2]["value"]:
                        segs[-1]["value"] = v
                p["value_per_h100e"] = segs
            else:
                cs = [dict(c) for c in p["concessions"]]
                c = cs[0]
                if "levels" not in c:
                    c["partner_cost"] = spread(c["partner_cost"], c["partner_cost"] / 2)
                else:  # a level, or both levels of a range
                    lv = c["levels"] = [dict(x) for x in c["levels"]]
                    half = lv[0]["partner_cost"] / 2
                    for x in lv[: 2 if "amount" in c else 1]:
                        x["partner_cost"] = spread(x["partner_cost"], half)
                p["concessions"] = cs
    return files


def compare_risk(files: dict[str, Any], where: Path, seed: int) -> None:
    """`risk` of each deal of the mean-value optimum against the MC; the means used."""
    from dealbench.analyze.uncertainty import risk_report

    path = written(files, where)
    pf = load_portfolio(path)
    for partner in pf.partners:  # deterministic commands use the mean
        raw = files[f"{partner.code.lower()}.yaml"]
        assert partner.batna == pytest.approx(mean_of(raw["batna"]), rel=1e-7, abs=1.0)
        assert partner.diversion_risk == pytest.approx(
            mean_of(raw["diversion_risk"]), rel=1e-7, abs=1e-12
        )
    result = solve(pf)
    assert_checked(pf, [d.package() for d in result.deals])
    rng = np.random.default_rng(20261206)
    for deal in result.deals:
        package = deal.package()
        report = risk_report(pf, package, samples=20_000, seed=seed)
        assert report == risk_report(pf, package, samples=20_000, seed=seed, jobs=2)
        mc = monte_carlo(files, package, rng)
        p = report.accept_probability.estimate
        assert within(p, report.samples, mc.accepts.astype(float)), (package, p, mc.accepts.mean())
        assert within(report.expected_us_value, report.samples, mc.us), (package, report)
        assert within(report.expected_risk, report.samples, mc.risk), (package, report)
        budget = files["portfolio.yaml"].get("risk_budget")
        if budget is not None and isinstance(
            files[f"{deal.partner.lower()}.yaml"]["diversion_risk"], dict
        ):
            (limit,) = report.sampled_limits
            broken = (mc.risk > budget * (1 + 1e-9) + 1e-6).astype(float)
            assert within(limit.probability.estimate, report.samples, broken), (
                limit,
                broken.mean(),
            )


@quick(10)
@given(files=uncertain(), seed=st.integers(0, 1_000))
def test_risks_acceptance_and_expected_values_agree_with_a_monte_carlo_of_the_yaml(
    files: dict[str, Any], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_risk(files, tmp_path_factory.mktemp("gen"), seed)


def compare_robust(files: dict[str, Any], where: Path, seed: int) -> None:
    """`solve --robust 0.8`: each deal reaches the level in the samples solved on, its share
    in fresh samples and the expected values agree with the MC, and it passes `check`."""
    from dealbench.analyze.robust import robust_solve
    from dealbench.analyze.uncertainty import risk_report

    path = written(files, where)
    pf = load_portfolio(path)
    samples = 4_000
    robust = robust_solve(pf, 0.8, samples=samples, seed=seed)
    result, facts = robust.result, robust.robustness
    assert_checked(pf, [d.package() for d in result.deals])
    base = solve(pf)
    assert close(facts.cost, (base.us_value or 0.0) - (result.us_value or 0.0))
    rng = np.random.default_rng(seed + 77)
    expected = sum(
        money(files[f"{p.code.lower()}.yaml"].get("us_batna", 0))
        for p in pf.partners
        if result.deal(p.code) is None
    )
    expected_sd2 = 0.0
    by_code = {r.partner: r for r in facts.partners}
    for deal in result.deals:
        mc = monte_carlo(files, deal.package(), rng)
        row = by_code[deal.partner]
        assert row.robust is not None and row.fresh is not None
        if facts.reached:
            assert row.robust.estimate >= 0.8
        assert within(row.fresh.estimate, samples, mc.accepts.astype(float)), (
            row,
            mc.accepts.mean(),
        )
        # "In N fresh samples (seed S+1)": what `risk --seed S+1` draws, whatever --jobs
        for jobs in (1, 2):
            again = risk_report(pf, deal.package(), samples=samples, seed=seed + 1, jobs=jobs)
            assert again.accept_probability == row.fresh
        expected += float(mc.us.mean())
        expected_sd2 += float(mc.us.var())
    se = math.sqrt(expected_sd2 * (1 / samples + 1 / MC))
    assert abs(facts.expected_robust - expected) <= 5 * se + 1.0, (facts, expected)


@quick(4)
@given(files=uncertain(), seed=st.integers(0, 1_000))
def test_a_robust_solves_shares_and_expected_value_agree_with_a_monte_carlo(
    files: dict[str, Any], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_robust(files, tmp_path_factory.mktemp("gen"), seed)


# ----------------------------------------------------------------------------------------
# Sweeps: the same numbers serially, in two processes and on a Dask LocalCluster; each
# row the reference's optimum at its value.


def _figures(value: Any) -> Any:
    """A sweep's JSON without what may differ between runs (timings, the executor)."""
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items() if k not in {"seconds", "executor"}}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    return value


def compare_sweep_executors(files: dict[str, Any], where: Path, cluster: Any) -> None:
    from dealbench.analyze.parallel import Executor
    from dealbench.analyze.sweep import sweep_param

    path = written(files, where / "base")
    pf = load_portfolio(path)
    first = pf.periods[0]
    key = next(t for t in files["portfolio.yaml"]["supply"] if str(t) == first)
    runs = []
    for executor in (Executor("serial", 1), Executor("processes", 2), Executor("dask", 1, cluster)):
        swept, results = sweep_param(
            pf, f"portfolio.supply.{first}", 0, 60_000, 4, refine=3, executor=executor
        )
        runs.append(_figures(swept.model_dump(mode="json")))
    assert runs[0] == runs[1] == runs[2]
    for row, result in zip(swept.rows, results, strict=True):
        assert row.value is not None
        supply = {**files["portfolio.yaml"]["supply"], key: row.value}
        edited_files = edited(files, "portfolio.yaml", supply=supply)
        expected = best_us(edited_files, where / f"s{row.value:.0f}")
        assert expected is not None and row.us_value is not None
        assert close(row.us_value, expected), (row, expected)
        moved = load_portfolio(written(edited_files, where / f"s{row.value:.0f}"))
        assert_checked(moved, [d.package() for d in result.deals])
    for change in swept.change_points:  # both ends of each change the optimum there
        for value, v in ((change.low, change.us_value_low), (change.high, change.us_value_high)):
            supply = {**files["portfolio.yaml"]["supply"], key: value}
            expected = best_us(edited(files, "portfolio.yaml", supply=supply), where / "c")
            assert v is not None and expected is not None and close(v, expected), change


@pytest.fixture(scope="module")
def cluster() -> Any:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as local:
        yield local


@quick(2)
@given(files=portfolios(most=3))
def test_a_sweep_gives_the_same_numbers_serially_in_processes_and_on_dask(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, cluster: Any
) -> None:
    compare_sweep_executors(files, tmp_path_factory.mktemp("gen"), cluster)


# ----------------------------------------------------------------------------------------
# What each whole limit costs (the principals memo): the optimum without it, less V now.


def compare_limit_costs(path: Path) -> None:
    from dealbench.analyze.limit_costs import limit_costs

    pf = load_portfolio(path)
    result = solve(pf)
    prices = shadow_prices(pf, result)
    model = read_model(path)
    base = Reference(model).best_v()
    assert base is not None and result.us_value is not None
    fields = {name: getattr(model, name) for name in RModel.__dataclass_fields__}
    for cost in limit_costs(pf, result, prices=prices):
        if cost.kind == "supply":
            ref = Reference(model, supply={**model.supply, str(cost.period): math.inf})
        elif cost.kind == "risk-budget":
            ref = Reference(model, budget=math.inf)
        else:  # a blocking cap is lifted under every level its partner can meet
            p = model.partners[str(cost.partner)]
            levels = list(p.security) if cost.blocks else [str(cost.level)]
            moved = {(p.code, k, t): math.inf for k in levels for t in model.periods}
            ref = Reference(Moved(**fields, moved=moved))
        found = ref.best_v()
        assert found is not None and cost.us_value is not None and cost.cost is not None
        assert close(cost.us_value, found.us), (cost, found.us)
        assert close(cost.cost + result.us_value, found.us), (cost, found.us)
        assert cost.cost >= -REL * max(abs(found.us), 1e9) - 100, cost  # lifting never costs
        if cost.kind == "supply":
            assert cost.usd_per_unit == pytest.approx(prices.supply[str(cost.period)])


@quick(8)
@given(files=portfolios(most=3))
def test_what_each_whole_limit_costs_is_the_references_optimum_without_it(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_limit_costs(written(files, tmp_path_factory.mktemp("gen")))


# ----------------------------------------------------------------------------------------
# A required deal (`solve --require-deal`) stays required in the analysis of the solve.

REQUIRED = Path(__file__).parent / "data" / "qa34verify" / "required" / "portfolio.yaml"


def at_means(path: Path, where: Path) -> RModel:
    """The reference's model of a portfolio whose partners' batna may be a distribution,
    read at its mean (as deterministic commands use it)."""
    files = {f.name: yaml.safe_load(f.read_text()) for f in path.parent.glob("*.yaml")}
    for data in files.values():
        if isinstance(data.get("batna"), dict):
            data["batna"] = mean_of(data["batna"])
    return read_model(written(files, where))


def test_the_shadow_prices_of_a_solve_with_a_required_deal_re_solve_with_it_required(
    tmp_path: Path,
) -> None:
    """`solve --prices --require-deal PB` warned "1,000 H100e more gains $137,000 per
    H100e ..., as PB no longer gets a deal" (and the risk budget, 2,875 unused, "gains
    $1.3m"): its one-step re-solves dropped the requirement. Each is the reference's
    optimum one step away with PB required, and the price of supply, $2,000 (PA's H100e),
    carries no warning."""
    from dealbench.analyze.analysed import solve_with_analysis

    pf = load_portfolio(REQUIRED)
    found = solve_with_analysis(pf, prices=True, require=["PB"])
    assert found.result.deal("PB") is not None and found.prices is not None
    model = at_means(REQUIRED, tmp_path)
    base = found.result.us_value
    assert base is not None
    assert close(base, Reference(model).best_v(required=("PB",)).us)  # type: ignore[union-attr]
    for lim in found.prices.limits:
        assert lim.step is not None
        ref = Priced(model, lim, {})
        for sign, rate in ((1, lim.mip_up), (-1, lim.mip_down)):
            moved = ref._ref(lim.limit + sign * lim.step).best_v(required=("PB",))
            assert moved is not None and rate is not None
            assert slope_close(sign * (moved.us - base) / lim.step, rate, lim.step, base), lim
    assert found.prices.supply == {"2027": pytest.approx(2_000)}
    assert found.prices.warnings == []


def test_a_robust_solve_keeps_a_required_deal() -> None:
    """`solve --robust 0.8 --require-deal PB` gave PB no deal ("Why no deal with PB: the
    best package PB accepts ... is worth -$130.0m to the US"): the robust rounds solved
    without the requirement. PB's deal is kept, accepted in at least 80% of the samples
    (its walk-away value uniform on 0 to $100m: 4,000 H100e at $20,000 reach $80m)."""
    from dealbench.analyze.analysed import solve_with_analysis

    pf = load_portfolio(REQUIRED)
    found = solve_with_analysis(pf, robust=0.8, samples=4_000, seed=0, require=["PB"])
    deal = found.result.deal("PB")
    assert deal is not None
    assert found.robustness is not None and found.robustness.reached
    row = next(r for r in found.robustness.partners if r.partner == "PB")
    assert row.robust is not None and row.robust.estimate >= 0.8
    assert deal.compute["2027"] == pytest.approx(4_000, rel=0.01)
    assert_checked(pf, [d.package() for d in found.result.deals])


def test_a_robust_solve_says_which_required_deal_cannot_reach_the_share(run: Any) -> None:
    """`solve --robust 0.99 --require-deal PB --set partners.PB.ask.2027=4000` ended
    "error: no set of packages satisfies every limit" (exit 3), naming nothing: PB accepts
    its whole ask, 4,000 H100e ($80m), in 80% of the samples, and its walk-away value is
    uniform on 0 to $100m. The error names PB and the share."""
    result = run(
        "solve", REQUIRED, "--robust", "0.99", "--require-deal", "PB",
        "--set", "partners.PB.ask.2027=4000",
    )  # fmt: skip
    assert result.exit_code == 3 and result.traceback == ""
    assert result.stderr.endswith(
        "error: no package PB accepts in at least 99% of the 10,000 samples fits the limits, "
        "and a deal with PB is required: ask for a lower share (50% is met: PB accepts the "
        "last packages found in 50% of them), or drop the requirement\n"
    )


# ----------------------------------------------------------------------------------------
# The options memo's re-solves at the cost of risk where another regime overtakes.


def compare_confirmations(files: dict[str, Any], where: Path) -> int:
    """Each "Re-solved with the cost of risk at F times ..." names both regimes' optima
    at the penalty so scaled, as the reference finds them. The number of re-solves said."""
    from dealbench.analyze.compare import ranked
    from dealbench.analyze.memo import PAST, confirmations, risk_factors
    from dealbench.render.filters import money as usd

    pf = load_portfolio(written(files, where / "base"))
    table, solved = compare(pf, [*REGIMES, pf.policy])
    said = confirmations(table, solved)
    order = ranked(table.regimes)
    factors = risk_factors(order)
    assert len(said) <= len(factors)
    best = order[0].regime
    for (other, factor), sentence in zip(factors, said, strict=False):
        times = math.ceil(round(factor * (1 + PAST) * 100, 6)) / 100
        values = []
        for regime in (best, other):
            policy = dict(files["policy.yaml"] if regime == "gen" else shipped_policy(regime))
            policy["risk_penalty_per_h100e"] = money(policy["risk_penalty_per_h100e"]) * times
            own = files["portfolio.yaml"]
            if regime != "gen":
                own = {k: v for k, v in own.items() if k != "caps"}
            v = best_us({**files, "policy.yaml": policy, "portfolio.yaml": own}, where / regime)
            assert v is not None
            values.append(v)
        assert sentence.startswith(f"Re-solved with the cost of risk at {times:.2f} times")
        assert f"{best} {usd(values[0])}, {other} {usd(values[1])};" in sentence, (sentence, values)
    return len(said)


@quick(3)
@given(files=portfolios(most=2))
def test_the_options_memos_re_solves_at_the_overtaking_cost_of_risk_are_the_references(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_confirmations(files, tmp_path_factory.mktemp("gen"))
