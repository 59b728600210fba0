"""The frontier: every point a proven optimum, against brute force and as properties.

Brute force (tests/test_bruteforce.py's enumerator): with the other deals held
at the optimum, the partner's best US value at a utility floor u is the best,
over every discrete choice of its deal, of an LP in which its acceptance row
asks for u instead of its walk-away value. Every frontier point must equal it
within 1e-6 (its own utility is its floor: the point is feasible there, and
cannot be beaten there, since it was optimal at a lower floor).
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings

from builders import portfolios
from dealbench import solve
from dealbench.checker import check
from dealbench.model import Portfolio
from dealbench.negotiate import FrontierPoint, frontier, residual, us_best_at
from helpers import REPO, Runner, invoke
from test_bruteforce import choices, instance, solve_fixed

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def at_floor(pf: Portfolio, code: str, floor: float, *, force: bool) -> float | None:
    """Brute force: the best V over every choice, with `code`'s deal giving it >= floor."""
    p = pf.partner(code)
    assert p is not None
    margin = pf.policy.acceptance_margin
    raised = p.model_copy(update={"batna": max(floor, p.batna + margin) - margin})
    shifted = pf.model_copy(
        update={"partners": [raised if q.code == code else q for q in pf.partners]}
    )
    options = []
    for q in shifted.partners:
        opts = list(choices(shifted, q))
        options.append([c for c in opts if c is not None] if q.code == code and force else opts)
    best = None
    for combo in itertools.product(*options):
        value = solve_fixed(shifted, combo, "us-best", None)
        if value is not None:
            # V with no deal for `code` counts its real us_batna, as solve_fixed does
            best = value if best is None else max(best, value)
    return best


def deal_partner(pf: Portfolio) -> str | None:
    result = solve(pf, gap=1e-9)
    return result.deals[0].partner if result.deals else None


@pytest.mark.parametrize("seed", range(4000, 4030))
def test_held_points_match_brute_force(seed: int) -> None:
    pf = instance(seed)
    code = deal_partner(pf)
    if code is None:
        pytest.skip("no deal to trade off")
    base = solve(pf, gap=1e-9)
    f = frontier(pf, code, points=7, base=base)
    fixed = [d.package() for d in base.deals if d.partner != code]
    rest = residual(pf, fixed, excluded=[c for c in base.no_deal if c != code])
    for point in f.points:
        assert check(pf, [*point.others, *([point.package] if point.package else [])]).ok
        if point.figures is None:
            continue
        enumerated = at_floor(rest, code, point.partner_utility, force=True)
        assert enumerated is not None
        assert point.figures.us_value == pytest.approx(enumerated, rel=1e-6, abs=1e3)


@pytest.mark.parametrize("seed", range(5000, 5008))
def test_joint_points_match_brute_force(seed: int) -> None:
    pf = instance(seed)
    code = deal_partner(pf)
    if code is None:
        pytest.skip("no deal to trade off")
    f = frontier(pf, code, points=5, jointly=True, gap=1e-9)
    for point in f.points:
        if point.figures is None:
            continue
        enumerated = at_floor(pf, code, point.partner_utility, force=True)
        assert enumerated is not None
        assert point.us_utility == pytest.approx(enumerated, rel=1e-6, abs=1e3)


def dominates(a: FrontierPoint, b: FrontierPoint) -> bool:
    tol = 1e4
    return (
        a.us_utility >= b.us_utility - tol
        and a.partner_utility >= b.partner_utility - tol
        and (a.us_utility > b.us_utility + tol or a.partner_utility > b.partner_utility + tol)
    )


@SETTINGS
@given(pf=portfolios(max_partners=3, max_periods=3, max_concessions=3))
def test_frontier_properties(pf: Portfolio) -> None:
    base = solve(pf, gap=1e-9)
    code = base.deals[0].partner if base.deals else pf.partners[0].code
    f = frontier(pf, code, points=9, base=base)
    # every point passes check
    for p in f.points:
        packages = [*p.others, *([p.package] if p.package else [])]
        assert check(pf, packages).ok
    # no point dominates another
    for a, b in itertools.permutations(f.points, 2):
        assert not dominates(a, b)
    # the US-best end is solve's us-best
    assert base.objective is not None
    assert max(p.us_utility for p in f.points) == pytest.approx(base.objective, rel=1e-6, abs=1e3)
    assert f.us_best.us_utility == pytest.approx(base.objective, rel=1e-6, abs=1e3)
    # V never increases as u rises
    ordered = sorted(f.points, key=lambda p: p.partner_utility)
    for a, b in itertools.pairwise(ordered):
        assert b.us_utility <= a.us_utility + 1e3
    # the Nash point's product of gains is at least every point's (minus the stated error)
    if f.nash is not None:
        nd = f.no_deal

        def product(p: FrontierPoint) -> float:
            return max(p.us_utility - nd.us_utility, 0) * max(
                p.partner_utility - nd.partner_utility, 0
            )

        bound = f.bargaining["nash"].get("error_bound") or 0.0
        best = product(f.nash)
        for p in f.points:
            # utilities are exact to about USD 1 in 1e9 (amounts settled to 0.001 H100e):
            # a product of two such gains to a few parts in 1e9
            assert best >= product(p) * (1 - bound - 1e-8) - 1e9


def test_us_best_at_holds_the_others_and_refuses_the_unreachable() -> None:
    from dealbench import load_portfolio

    pf = load_portfolio(GULF)
    base = solve(pf)
    ae = base.deal("AE")
    assert ae is not None
    point = us_best_at(pf, "AE", ae.partner_utility + 10e9, base=base)
    assert point is not None and point.package is not None
    assert point.partner_utility >= ae.partner_utility + 10e9 - 1e4
    assert point.us_utility <= (base.objective or 0) + 1e3
    assert {p.partner for p in point.others} == {d.partner for d in base.deals} - {"AE"}
    assert us_best_at(pf, "AE", 1e15, base=base) is None


def test_frontier_command_json_and_chart(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    run = invoke(["frontier", GULF, "--partner", "AE", "--points", "8", "--json", "--out", out])
    assert run.exit_code == 0, run.output + run.traceback
    data = json.loads(run.stdout)
    assert {"partner", "axis", "points", "nash", "kalai", "zopa"} <= set(data)
    assert data["partner"] == "AE" and data["axis"] == "partner"
    first = data["points"][0]
    assert {"us_utility", "partner_utility", "risk", "package"} <= set(first)
    assert data["zopa"]["exists"] is True
    svg = (out / "frontier-AE.svg").read_text()
    png = (out / "frontier-AE.png").read_bytes()
    assert svg.lstrip().startswith("<?xml") and png.startswith(b"\x89PNG")
    again = invoke(["frontier", GULF, "--partner", "AE", "--points", "8", "--out", out / "b"])
    assert again.exit_code == 0
    assert (out / "b/frontier-AE.svg").read_text() == svg  # deterministic
    assert (out / "b/frontier-AE.png").read_bytes() == png


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partner", "XX"], "error: --partner: partner 'XX' is not in portfolio gulf-asia"),
        (["--partner", "AE", "--points", "1"], "expected a number 2-1000 or 'all'"),
        (["--partner", "AE", "--axis", "cost"], "unknown axis 'cost'"),
    ],
)
def test_frontier_command_bad_input(args: list[str], message: str) -> None:
    run = invoke(["frontier", GULF, *args])
    assert run.exit_code == 2, run.output
    assert message in run.stderr
    assert not run.traceback


def test_risk_axis_trades_value_for_risk() -> None:
    from dealbench import load_portfolio

    pf = load_portfolio(GULF)
    f = frontier(pf, "AE", points=6, axis="risk")
    risks = [p.risk for p in f.points]
    assert risks == sorted(risks, reverse=True)  # from the US-best risk down
    values = [p.us_utility for p in f.points]
    assert values == sorted(values, reverse=True)  # less risk, less V
    assert risks[-1] < risks[0]


@pytest.mark.parametrize("seed", range(4000, 4012))
def test_a_floor_forces_a_deal_the_us_would_rather_not_make(seed: int) -> None:
    """With the US's no-deal value for the partner far above any deal, max V subject to
    U >= u must still return the best deal that gives u (brute force, deal forced)."""
    from dealbench.negotiate import solve_with_floor

    pf = instance(seed)
    code = deal_partner(pf)
    if code is None:
        pytest.skip("no deal to trade off")
    p = pf.partner(code)
    assert p is not None
    rich = p.model_copy(update={"us_batna": p.us_batna + 1e12})
    pf = pf.model_copy(update={"partners": [rich if q.code == code else q for q in pf.partners]})
    u = p.batna + pf.policy.acceptance_margin + 1e6
    result = solve_with_floor(pf, code, u, gap=1e-9)
    enumerated = at_floor(pf, code, u, force=True)
    if enumerated is None:
        assert result is None
        return
    assert result is not None
    packages = [d.package() for d in result.deals]
    checked = check(pf, packages)
    assert checked.ok
    deal = next(d for d in checked.deals if d.partner == code)
    assert deal.partner_utility >= u - 1e4
    assert checked.objective == pytest.approx(enumerated, rel=1e-6, abs=1e3)


def test_each_point_says_the_step_its_compute_is_in(run: Runner) -> None:
    """A point whose schedule could not be kept in the declared 1,000 H100e says so: the
    step every amount of the point is a whole number of, in the JSON and under the table
    (gulf-asia's optimum is in steps of 100: no schedule in 1,000s keeps its terms)."""
    from dealbench.model import load_portfolio

    result = run("frontier", GULF, "--partner", "AE", "--points", "4", "--json")
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)["points"]
    pf = load_portfolio(GULF)
    for p in points:
        step = p["step_h100e"]
        assert step in (1_000, 100, 10, 1, 0)
        if step:
            assert pf.partner(p["package"]["partner"]) is not None
            for x in p["package"]["compute"].values():
                assert x % step == 0
    assert any(p["step_h100e"] < 1_000 for p in points)
    table = run("frontier", GULF, "--partner", "AE", "--points", "4")
    assert "compute is in steps of 100 H100e, not the declared steps of 1,000 H100e" in " ".join(
        table.stdout.split()
    )
