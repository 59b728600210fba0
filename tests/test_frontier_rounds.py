"""Rounds drawn on a frontier chart never lie above the curve drawn (beyond the tolerance).

The curve is drawn as steps: between two proven points, the V of the right one
(at least that much is reachable there). A round is placed on the curve's basis
(its package beside the held deals, cut to fit when it does not: see
`dealbench.negotiate.round_points`), and the curve gains a proven point at each
round's U, so the drawn curve at a round's U is the exact optimum there.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from builders import portfolios
from dealbench import check, load_portfolio
from dealbench.model import Portfolio
from dealbench.model.package import Package
from dealbench.negotiate import frontier
from dealbench.negotiate.replan import residual
from dealbench.negotiate.room import history
from dealbench.negotiate.round_points import (
    fit_beside,
    history_path,
    rounds_on_frontier,
    with_points_at,
)
from dealbench.optimize import Status, solve
from helpers import REPO

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
ROUNDS = REPO / "deals/rounds/gulf-asia"


def tol(v: float) -> float:
    """The frontier's gap (1e-6 relative) and USD 1m of rounding."""
    return 1e-6 * abs(v) + 1e6


def drawn(curve: Sequence[tuple[float, float]], u: float, end: float) -> float:
    """The curve as drawn at partner utility `u`: the V of the first point at or right of
    `u` ((U, V) pairs); right of the last point, `end` (what the far end bounds)."""
    right = [v for uu, v in curve if uu >= u - 1e3]
    return max(right) if right else end


@pytest.mark.parametrize("code", ["AE", "SA"])
def test_every_shipped_round_lies_on_or_below_the_frontier_chart(code: str) -> None:
    pf = load_portfolio(PORTFOLIO)
    curve, rounds = rounds_on_frontier(frontier(pf, code, points=25), pf, ROUNDS)
    assert [r.round for r in rounds] == [1, 2, 3, 4]  # every round is drawn
    pairs = [(p.partner_utility, p.us_utility) for p in curve.points]
    for r in rounds:
        top = drawn(pairs, r.partner_utility, curve.no_deal.us_utility)
        assert r.us_utility <= top + tol(top), (code, r)
    # A fitted round is a package that fits beside the held deals.
    held = curve.us_best.others
    for row, r in zip(history(pf, ROUNDS, code).rounds, rounds, strict=True):
        assert row.package is not None
        idle = [p.code for p in pf.partners if p.code not in {code, *(k.partner for k in held)}]
        package, fitted = fit_beside(residual(pf, held, excluded=idle), row.package)
        assert fitted == r.fitted
        assert not check(pf, [*held, package]).violations  # supply, risk budget


@pytest.mark.parametrize("code", ["AE", "SA"])
def test_every_shipped_round_lies_on_or_below_the_history_chart(code: str) -> None:
    pf = load_portfolio(PORTFOLIO)
    data = history_path(pf, ROUNDS, code, points=15)
    assert [r["round"] for r in data["rounds"]] == [1, 2, 3, 4]
    pairs = [(u, v) for v, u in data["frontier"]]
    us_batna = data["no_deal"][0]
    for r in data["rounds"]:
        top = drawn(pairs, r["partner"], us_batna)
        assert r["us"] <= top + tol(top), (code, r)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pf=portfolios(max_partners=3, max_concessions=1), data=st.data())
def test_a_package_beside_the_held_deals_is_never_above_the_curve_at_its_utility(
    pf: Portfolio, data: st.DataObject
) -> None:
    """Any package of the first partner, cut to fit beside the held deals and accepted,
    lies on or below the curve with a proven point added at its U."""
    base = solve(pf)
    assume(base.status is Status.OPTIMAL)
    p = pf.partners[0]
    levels = pf.levels_for(p)
    assume(levels)
    level = data.draw(st.sampled_from(levels))
    shares = {t: data.draw(st.integers(0, 4)) / 4 for t in pf.periods}
    package = Package(
        partner=p.code,
        security=level,
        compute={t: s * pf.cap(p, level, t) for t, s in shares.items()},
    )
    curve = frontier(pf, p.code, points=4, base=base, bargaining=False)
    held = list(curve.us_best.others)
    idle = [q.code for q in pf.partners if q.code not in {p.code, *(k.partner for k in held)}]
    rest = residual(pf, held, excluded=idle)
    fitted, _ = fit_beside(rest, package)
    checked = check(pf, [*held, fitted])
    figures = next(d for d in checked.deals if d.partner == p.code)
    assume(checked.ok and figures.accepts)
    u, v = figures.partner_utility, checked.objective
    with_point = with_points_at(curve, pf, rest, held, [u])
    pairs = [(q.partner_utility, q.us_utility) for q in with_point.points]
    top = drawn(pairs, u, curve.no_deal.us_utility)
    assert v <= top + tol(top)


def test_the_web_chart_draws_the_steps_the_frontier_proves() -> None:
    """The negotiation page drew straight lines between the proven points, as if the
    packages between two points existed (the PNG and SVG charts draw the step: at least
    that much is reachable there). Its line is now the frontier's outline: every stretch
    flat or a drop, at the proven points' V."""
    from dealbench.web.chart import frontier_chart

    pf = load_portfolio(PORTFOLIO)
    curve = frontier(pf, "AE", points=8)
    corners = [
        tuple(float(c) for c in pair.split(","))
        for pair in frontier_chart(curve, [])["line"].split()
    ]
    assert len(corners) == 2 * len(curve.points) - 1
    for (x0, y0), (x1, y1) in itertools.pairwise(corners):
        assert x0 == x1 or y0 == y1  # a drop or a flat stretch, never a slope


def test_the_risk_chart_holds_between_two_points_what_the_less_risky_proves() -> None:
    """On the risk axis the chart drew, between two points, the V of the riskier one (the
    US-best V over every risk down to the next point's): more than any package within
    that risk is proven to give. At a risk between two points the line is now at the
    less risky point's V, as max V subject to risk <= r is."""
    from dealbench.negotiate.chart import BN, _line

    curve = frontier(load_portfolio(PORTFOLIO), "AE", points=6, axis="risk")
    xs, ys = _line(curve)
    points = sorted((p.risk, p.us_utility / BN) for p in curve.points)
    for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, ys, strict=True)):
        if x0 == x1:
            continue  # a drop at a point's risk
        low = min(x0, x1)
        proven = max(v for r, v in points if r <= low + 1e-6)
        assert y0 == y1 == pytest.approx(proven), (x0, x1)
