"""qa49-verify: solve (every mode, both methods), the held and joint frontiers and `check`
against the brute-force references of earlier passes, on generated portfolios shaped
unlike the shipped ones and unlike those the earlier passes drew:

- one period, or many (six years, or six quarters under yearly caps);
- one partner alone, or two identical partners (ties everywhere), up to three; tier 3;
- a period with no supply at all;
- a range concession (an amount, with or without steps) beside levels and yes/no terms;
- every money figure scaled by 1,000 up (concessions worth trillions, compute worth
  millions an H100e) or 1,000 down (a portfolio worth a few million dollars);
- ties: two concessions with the same figures.

Continuous portfolios go to qa31/qa32-verify's reference (tests/test_qa31_verify.py,
test_qa32_verify.py: the YAML read alone, every discrete choice enumerated, compute by LP
in HiGHS), with its tolerances (1e-6 relative of at least USD 1bn, and USD 50) scaled with
the money, so a portfolio of millions is held as tightly as one of billions. Portfolios
in whole steps go to qa45-verify's (tests/qa45_reference.py, through the CLI). `check` of
any packages goes to qa45/qa46-verify's arithmetic.
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qa45_reference as q45
import qa46_reference as q46
import test_qa45_verify as v45
from dealbench.checker import check
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import frontier
from dealbench.optimize import solve
from helpers import drawn_concession, quick, written
from test_qa31_verify import (
    Reference,
    held_reference,
    ideals,
    nash_product,
    read_model,
)
from test_qa32_verify import partners_best, partners_of, us_of

LEVELS = ("baseline", "kyc", "veu")
SCALES = (1e-3, 1.0, 1e3)
PERIODS = {
    "one": [2027],
    "years": [2027 + i for i in range(6)],
    "quarters": [f"{y}Q{q}" for y in (2027, 2028) for q in range(1, 5)][:6],
}


@st.composite
def odd_portfolios(draw: st.DrawFn, steps: bool = False) -> dict[str, Any]:
    """Files of a small portfolio in one of the module docstring's shapes (continuous, or
    with `steps` in whole steps of 1,000 to 5,000 H100e)."""
    nums = st.integers
    scale = draw(st.sampled_from(SCALES))
    money = 50e6 * scale
    periods = PERIODS[draw(st.sampled_from(list(PERIODS)))]
    policy = {
        "id": "gen",
        "title": "Generated",
        "security_levels": [
            {"id": "baseline", "title": "Baseline", "mitigation": 0.0},
            {"id": "kyc", "title": "KYC", "mitigation": draw(st.sampled_from([0.3, 0.5]))},
            {"id": "veu", "title": "VEU", "mitigation": draw(st.sampled_from([0.8, 0.95]))},
        ],
        "caps": {
            "tier1": {},
            "tier2": {
                "baseline": draw(nums(0, 3)) * 5_000,
                "kyc": draw(nums(3, 6)) * 5_000,
                "veu": draw(nums(6, 12)) * 5_000,
            },
            "tier3": 0,
        },
        "export_value_per_h100e": draw(nums(2, 12)) * 1_000 * scale,
        "risk_penalty_per_h100e": draw(nums(10, 150)) * 1_000 * scale,
        "acceptance_margin": draw(st.sampled_from([0, 0, 100e6])) * scale,
    }
    n = draw(nums(1, 3))
    twins = n > 1 and draw(st.booleans())
    partners = []
    for i in range(n):
        code = "P" + "ABC"[i]
        kinds = draw(
            st.lists(
                st.sampled_from(["yes", "levels", "range", "step"]),
                min_size=1,
                max_size=4 - n,  # (the enumeration's size, and so its time)
            )
        )
        concessions = [
            drawn_concession(draw, j, kind, money, 30, 20) for j, kind in enumerate(kinds)
        ]
        if len(concessions) > 1 and draw(st.booleans()):  # a tie: two terms alike
            tie = copy.deepcopy(concessions[0])
            tie.update(id="tie", title="Tie")
            tie.pop("requires", None), tie.pop("excludes", None)
            concessions.append(tie)
        segments = sorted({draw(nums(1, 8)) * 5_000 for _ in range(draw(nums(1, 2)))})
        values = sorted((draw(nums(5, 60)) * 1_000 * scale for _ in segments), reverse=True)
        security = {"baseline": 0, "kyc": draw(nums(0, 6)) * money}
        if draw(st.booleans()):
            security["veu"] = security["kyc"] + draw(nums(0, 10)) * money
        partners.append(
            {
                "code": code,
                "name": f"Partner {code}",
                "tier": draw(st.sampled_from([1, 2, 2, 3])),
                "diversion_risk": draw(st.sampled_from([0.02, 0.05, 0.2, 0.5])),
                "ask": {t: draw(nums(0 if k else 1, 8)) * 5_000 for k, t in enumerate(periods)},
                "value_per_h100e": [
                    {"upto": s, "value": v} for s, v in zip(segments, values, strict=True)
                ],
                "batna": draw(nums(-10, 12)) * money,
                "us_batna": draw(st.sampled_from([0, 0, -200e6, 400e6])) * scale,
                "security_costs": security,
                "concessions": concessions,
            }
        )
    if twins:
        partners[1] = dict(copy.deepcopy(partners[0]), code="PB", name="Partner PB")
    supply = {t: draw(nums(1, 12)) * 5_000 for t in periods}
    if draw(st.booleans()):
        supply[draw(st.sampled_from(periods))] = 0
    portfolio: dict[str, Any] = {
        "id": "gen",
        "title": "Generated",
        "policy": "policy.yaml",
        "periods": periods,
        "supply": supply,
        "partners": [f"{p['code'].lower()}.yaml" for p in partners],
        "granularity": draw(st.sampled_from([1_000, 2_500, 5_000])) if steps else 0,
    }
    if draw(st.booleans()):
        portfolio["risk_budget"] = draw(nums(1, 20)) * 200 * len(periods)
    return {
        "policy.yaml": policy,
        "portfolio.yaml": portfolio,
        **{f"{p['code'].lower()}.yaml": p for p in partners},
    }


def scale_of(export: float) -> float:
    """The money scale a generated portfolio was drawn at, from its export value (2 to 12
    thousand dollars an H100e times the scale)."""
    return float(10 ** (3 * round(math.log10(export / 1e3) / 3)))


class Near:
    """`close` of qa31-verify, its floors scaled with the portfolio's money."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def __call__(self, a: float, b: float) -> bool:
        return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e9 * self.scale) + 50 * self.scale

    def tol(self, a: float) -> float:
        return 1e-6 * max(abs(a), 1e9 * self.scale) + 50 * self.scale


def checked(pf: Any, packages: list[Package]) -> None:
    result = check(pf, packages)
    assert result.ok, result.problems()


def best_at(near: Near, ref: Reference, code: str, us: float, partner: float) -> None:
    """qa31-verify's `assert_best_at`, its tolerances `near`'s: no package gives V more at
    U a tolerance lower, and none at U a tolerance higher gives V more than `us`."""
    below = ref.best_v(floor=(code, partner - near.tol(partner)))
    assert below is not None and us <= below.us + near.tol(us), (us, below)
    above = ref.best_v(floor=(code, partner + near.tol(partner)))
    assert above is None or above.us <= us + near.tol(us), (us, above)


def compare_solves(path: Path) -> None:
    """us-best, partner-best (at no deal's V and halfway to the best), kalai and nash
    against the enumeration; every answer's packages checked, their figures (recomputed by
    the reference) adding up to the objective."""
    model, pf = read_model(path), load_portfolio(path)
    near = Near(scale_of(model.export))
    ref = Reference(model).best_v()
    assert ref is not None
    for method in ("plain", "auto"):  # the one MIP, and the decomposition
        base = solve(pf, method=method)  # type: ignore[arg-type]
        packages = [d.package() for d in base.deals]
        checked(pf, packages)
        assert near(base.objective, ref.us), (method, base.objective, ref)
        assert near(us_of(model, packages), base.objective)
    walk_v = sum(p.us_batna for p in model.partners.values())
    for floor in (None, (walk_v + ref.us) / 2):
        # (+ USD 1: the reference's V row gives 1e-9 bn of slack, 30 dollars of utility
        # in a portfolio of millions)
        top = partners_best(model, (walk_v if floor is None else floor) + 1.0)
        assert top is not None
        for method in ("plain", "auto"):
            kind = solve(pf, mode="partner-best", v_floor=floor, method=method)  # type: ignore[arg-type]
            pkgs = [d.package() for d in kind.deals]
            checked(pf, pkgs)
            assert near(kind.objective, top), (method, floor, kind.objective, top)
            assert near(partners_of(model, pkgs), kind.objective)
            least = walk_v if floor is None else floor
            assert us_of(model, pkgs) >= least - near.tol(least)
    zone = ideals(model)
    kalai = solve(pf, mode="kalai")
    checked(pf, [d.package() for d in kalai.deals])
    assert kalai.objective == pytest.approx(Reference(model).kalai(zone), abs=1e-6)
    best = Reference(model).nash(sorted(zone)) if zone else -math.inf
    nash = solve(pf, mode="nash")
    found = [d.package() for d in nash.deals]
    checked(pf, found)
    if math.isfinite(best):
        mine = nash_product(model, found)
        bound = nash.solver.details["log_error_bound"]
        assert mine <= best + 1e-6
        assert mine >= best - bound - 1e-6, (mine, best, bound)


def compare_frontiers(path: Path) -> None:
    """The first partner's held frontier (`all` and 5 points: each point the best V at its
    U, the outline never beaten) and its joint frontier (4 points: each the best V at its
    U over every combination), every point's packages checked."""
    model, pf = read_model(path), load_portfolio(path)
    near = Near(scale_of(model.export))
    base = solve(pf)
    code = pf.partners[0].code
    others = [d.package() for d in base.deals if d.partner != code]
    held = held_reference(model, pf, code, others)
    for points in ("all", 5):
        f = frontier(pf, code, points=points, base=base)  # type: ignore[arg-type]
        for point in f.points:
            checked(pf, [*point.others, *([point.package] if point.package else [])])
            best_at(near, held, code, point.us_utility, point.partner_utility)
        if points == "all":
            lo, hi = f.points[0].partner_utility, f.points[-1].partner_utility
            for u in np.linspace(lo, hi, 9):
                top = held.best_v(floor=(code, float(u)))
                assert top is not None
                shown = [p.us_utility for p in f.points if p.partner_utility >= u - 1e-3]
                shown += [v for piece in f.pieces if (v := piece.us_utility_at(u)) is not None]
                assert top.us <= max(shown) + near.tol(top.us), (u, top)
    joint = frontier(pf, code, points=4, jointly=True, jobs=1, base=base)
    ref = Reference(model)
    for point in [*joint.points, joint.us_best, joint.partner_best]:
        checked(pf, [*point.others, *([point.package] if point.package else [])])
        if point.package is not None:
            best_at(near, ref, code, point.us_utility, point.partner_utility)
    without = Reference(
        model,
        partners=[c for c in model.partners if c != code],
        held_v=model.partners[code].us_batna,
    ).best_v()
    assert without is not None and near(joint.no_deal.us_utility, without.us)


@quick(10)
@given(files=odd_portfolios())
def test_every_mode_of_solve_on_odd_portfolios_equals_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_solves(written(files, tmp_path_factory.mktemp("odd")))


@quick(10)
@given(files=odd_portfolios())
def test_the_held_and_joint_frontiers_of_odd_portfolios_equal_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_frontiers(written(files, tmp_path_factory.mktemp("odd")))


@st.composite
def packages(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An odd portfolio and packages for one to all of its partners as a user writes them:
    any level (one the partner cannot meet too), any compute up to twice the ask, any
    terms, a range at any amount it allows."""
    files = draw(odd_portfolios())
    partners = [files[name] for name in files["portfolio.yaml"]["partners"]]
    chosen = draw(st.lists(st.sampled_from(partners), min_size=1, unique_by=lambda p: p["code"]))
    out = []
    for p in chosen:
        terms: dict[str, Any] = {}
        for c in p["concessions"]:
            if not draw(st.booleans()):
                continue
            if "amount" in c:
                if "step" in c["amount"]:
                    terms[c["id"]] = f"{draw(st.integers(2, 6)) * 10}bn"
                else:
                    terms[c["id"]] = f"{draw(st.integers(0, 60))}bn"
            elif "levels" in c:
                terms[c["id"]] = draw(st.sampled_from(["a", "b"]))
            else:
                terms[c["id"]] = True
        compute = {
            str(t): draw(st.integers(0, 2 * max(int(a), 5_000)) | st.floats(0, 5_000))
            for t, a in p["ask"].items()
        }
        out.append(
            {
                "partner": p["code"],
                "security": draw(st.sampled_from(LEVELS)),
                "compute": compute,
                "concessions": terms,
            }
        )
    return files, out


def spec_of(files: dict[str, Any]) -> q45.Spec:
    """The files as qa45-verify's reference reads them."""
    portfolio = files["portfolio.yaml"]
    partners = [files[name] for name in portfolio["partners"]]
    return q45.Spec(files["policy.yaml"], partners, portfolio)


@quick(60)
@given(case=packages())
def test_check_of_any_packages_of_odd_portfolios_equals_the_reference(
    case: tuple[dict[str, Any], list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each deal's V, U, risk and acceptance as qa45-verify's reference computes them, the
    limits each breaks (level, tier 3, ask, cap, requires, excludes) and the shared ones
    (supply in a period, the risk budget) as the reference finds them broken."""
    files, raw = case
    pf = load_portfolio(written(files, tmp_path_factory.mktemp("check")))
    spec = spec_of(files)
    near = Near(scale_of(files["policy.yaml"]["export_value_per_h100e"]))
    packages = [Package.model_validate(r) for r in raw]
    result = check(pf, packages)
    want: set[tuple[str, str | None]] = set()
    for deal, r in zip(result.deals, raw, strict=True):
        assert deal.partner == r["partner"]
        broken = q46.broken(spec, r)
        want |= {(k, t) for k, t in broken if k not in ("supply", "risk-budget")}
        e = q45.evaluate(spec, r)
        assert near(deal.us_value, e["us"]), (deal.us_value, e)
        assert near(deal.partner_utility, e["u"]), (deal.partner_utility, e)
        assert deal.risk == pytest.approx(e["risk"], rel=1e-9, abs=1e-6)
        p = spec.partner(r["partner"])
        threshold = q45.money(p["batna"]) + q45.money(spec.policy["acceptance_margin"])
        margin = deal.partner_utility - threshold
        if abs(margin) > 1e4 + 2e-6 * abs(threshold):  # (not on the tolerance's edge)
            assert deal.accepts == (margin > 0), (deal.partner_utility, threshold)
    for t in spec.periods:
        used = sum(float(r["compute"].get(t, 0)) for r in raw)
        if used > q45.supply(spec, t) + 0.5:
            want.add(("supply", t))
    if spec.risk_budget is not None:
        risk = sum(q45.evaluate(spec, r)["risk"] for r in raw)
        if risk > spec.risk_budget + 0.5:
            want.add(("risk-budget", None))
    found = {(v.kind, v.period) for v in result.violations}
    for deal in result.deals:
        found |= {(v.kind, v.period) for v in deal.violations}
    assert found == want, [v.message for v in result.violations] + [
        v.message for d in result.deals for v in d.violations
    ]


def compare_in_steps(files: dict[str, Any], path: Path) -> None:
    """qa45-verify's promises of a portfolio in whole steps (`solve` in every mode and the
    first partner's exact held frontier, through the CLI, against its enumeration of every
    whole-step schedule)."""
    spec = spec_of(files)
    solved = v45._us_best(spec, path)
    v45._partner_best(spec, path)
    v45._kalai(spec, path)
    v45._nash(spec, path)
    if len(spec.partners) > 1:
        v45._frontier(spec, path, solved)


@quick(5)
@given(files=odd_portfolios(steps=True))
def test_every_mode_and_the_exact_frontier_of_odd_portfolios_in_steps_equal_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_in_steps(files, written(files, tmp_path_factory.mktemp("steps")))


def test_the_generator_draws_every_shape_the_docstring_names() -> None:
    """(A guard on the generator: each shape turns up among the examples drawn.)"""
    seen: set[str] = set()

    @quick(150)
    @given(files=odd_portfolios())
    def draw(files: dict[str, Any]) -> None:
        pf = files["portfolio.yaml"]
        partners = [files[name] for name in pf["partners"]]
        seen.add(f"{len(pf['periods'])} periods")
        seen.add(f"{len(partners)} partners")
        seen.add(f"scale {scale_of(files['policy.yaml']['export_value_per_h100e']):g}")
        if 0 in pf["supply"].values():
            seen.add("no supply")
        if len(partners) > 1 and partners[0]["concessions"] == partners[1]["concessions"]:
            seen.add("twins")
        for p in partners:
            seen.update(("tie" if c["id"] == "tie" else "range") for c in p["concessions"]
                        if c["id"] == "tie" or "amount" in c)  # fmt: skip
            if p["tier"] == 3:
                seen.add("tier 3")

    draw()
    assert seen >= {"1 periods", "6 periods", "1 partners", "3 partners", "no supply",
                    "twins", "tie", "range", "tier 3", "scale 0.001", "scale 1", "scale 1000"}  # fmt: skip


def test_the_reference_lets_a_tier_3_partner_deal_on_terms_alone(tmp_path: Path) -> None:
    """qa45-verify's reference left tier-3 partners out of every deal; DESIGN.md only
    gives them no compute. A tier-3 partner whose walk-away value is USD 400bn below
    nothing gains it all by a deal on terms alone (no compute, nothing granted), and
    partner-best takes that deal: the reference's best was then USD 400bn short of it."""
    spec = q45.random_spec(random.Random(5), "plain")
    p = spec.partners[0]
    p.update(tier=3, batna="-400bn", concessions=[])
    p["security_costs"]["baseline"] = 0
    path = q45.write(spec, tmp_path)
    floor = sum(q45.money(q.get("us_batna", 0)) for q in spec.partners)
    _, combo = q45.best(spec, "partner", steps=False, v_floor=floor)
    assert combo is not None and combo[p["code"]] is not None
    v45._partner_best(spec, path)
