"""The joint frontier's reuse between points, and required deals in the decomposition.

`frontier(..., jointly=True)` solves its floors from the highest down, each warm
started from the point before, and `solve_with_floor` requires the partner's
deal (`solve(..., require=[code])`), which the decomposition now models itself.
Both must give what a cold solve gives: the same proven optimum at every floor.
"""

from __future__ import annotations

import pytest
from tests.helpers import continuous

from dealbench import solve
from dealbench.checker import check
from dealbench.negotiate import frontier, solve_with_floor
from dealbench.optimize.formulation import Mode
from dealbench.synth import generate
from test_bruteforce import brute_force, instance

GAP = 1e-9


@pytest.mark.parametrize("mode", ["us-best", "partner-best"])
@pytest.mark.parametrize("seed", range(6000, 6025))
def test_required_deal_matches_the_plain_model(seed: int, mode: Mode) -> None:
    """The decomposition with a partner required equals DESIGN.md's plain model with it."""
    pf = instance(seed)
    for p in pf.partners:
        plain = solve(pf, mode, gap=GAP, method="plain", require=[p.code])
        fast = solve(pf, mode, gap=GAP, require=[p.code])
        assert fast.status == plain.status, (p.code, fast.message, plain.message)
        if plain.objective is None:
            continue
        assert fast.deal(p.code) is not None
        assert check(pf, [d.package() for d in fast.deals]).ok
        if mode == "us-best":
            assert fast.objective == pytest.approx(plain.objective, rel=1e-6, abs=1e3)
        else:
            assert fast.partner_total == pytest.approx(plain.partner_total, rel=1e-6, abs=1e3)


@pytest.mark.parametrize("seed", range(6100, 6120))
def test_nothing_required_is_the_us_best_optimum(seed: int) -> None:
    pf = instance(seed)
    assert solve(pf, gap=GAP, require=[]).objective == pytest.approx(
        brute_force(pf, "us-best"), rel=1e-6, abs=1e3
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_joint_frontier_warm_equals_cold(seed: int) -> None:
    """Every point of the warm joint frontier, both ends included, equals a cold solve at
    its floor (the others re-optimized), and every point's packages pass `check`."""
    pf = continuous(generate("S", seed=seed))
    base = solve(pf, gap=1e-7)
    code = max(base.deals, key=lambda d: d.us_value).partner
    f = frontier(pf, code, points=6, jointly=True, gap=1e-7, base=base, bargaining=False)
    labels = {p.label for p in f.points}
    assert {"US-best", "partner-best"} <= labels
    assert f.partner_best in f.points and f.us_best in f.points
    for point in f.points:
        packages = [*point.others, *([point.package] if point.package else [])]
        assert check(pf, packages).ok
        cold = solve_with_floor(pf, code, point.partner_utility - 1.0, gap=1e-7)
        assert cold is not None
        assert check(pf, [d.package() for d in cold.deals]).objective == pytest.approx(
            point.us_utility, rel=2e-7, abs=1e3
        ), point.label


def test_joint_bargaining_points_and_no_deal_are_the_joint_curves() -> None:
    """Jointly, the no-deal point is the cold optimum without the partner, the partner-best
    end is at least as good for the US as the held one, and Nash and Kalai are points of
    the joint curve, each the best of its points by its own score."""
    from dealbench.negotiate import residual
    from dealbench.negotiate.bargaining import gains

    pf = continuous(generate("S", seed=1))
    base = solve(pf, gap=1e-7)
    code = max(base.deals, key=lambda d: d.us_value).partner
    f = frontier(pf, code, points=6, jointly=True, gap=1e-7, base=base)
    held = frontier(pf, code, points=6, base=base, bargaining=False)
    cold = solve(residual(pf, excluded=[code]), gap=1e-7)
    cold_v = check(pf, [d.package() for d in cold.deals]).objective  # with its us_batna
    assert f.no_deal.us_utility == pytest.approx(cold_v, rel=2e-7, abs=1e3)
    assert f.partner_best.partner_utility >= held.partner_best.partner_utility - 1.0
    assert f.partner_best.us_utility >= held.partner_best.us_utility - 1e3
    assert f.nash is not None and f.kalai is not None
    assert f.nash in f.points and f.kalai in f.points
    product = [gains(f, p)[0] * gains(f, p)[1] for p in f.points]
    assert gains(f, f.nash)[0] * gains(f, f.nash)[1] == pytest.approx(max(product))


def test_a_restricted_mip_without_sets_is_the_portfolio_of_no_deals() -> None:
    """HiGHS calls a model without columns empty, not solved; the proof round met one
    after a warm start and failed ("HiGHS failed on the proof round")."""
    import numpy as np

    from dealbench.optimize.decomposition.blocks import build_blocks
    from dealbench.optimize.decomposition.restricted import solve_restricted

    blocks = build_blocks(instance(4000), "us-best")
    empty = solve_restricted(blocks, {})
    assert (empty.status, empty.value, empty.bound, empty.choices) == ("optimal", 0.0, 0.0, [])
    must = np.ones(blocks.n_partners, dtype=bool)
    assert solve_restricted(blocks, {}, forced=must).status == "infeasible"


@pytest.mark.parametrize("seed", [4000, 4012, 4019, 4023, 4026])
def test_warm_start_after_a_partner_leaves(seed: int) -> None:
    """A warm start from the portfolio with one more partner (the joint frontier's no-deal
    point, `replan`) gives the cold optimum; these seeds made HiGHS fail in the proof round."""
    from dealbench.negotiate import residual

    pf = instance(seed)
    base = solve(pf, gap=GAP)
    for p in pf.partners:
        rest = residual(pf, excluded=[p.code])
        if not rest.partners:
            continue
        warm = solve(rest, gap=GAP, warm_start=base)
        assert warm.status == "optimal", warm.message
        assert check(rest, [d.package() for d in warm.deals]).ok
        assert warm.objective == pytest.approx(brute_force(rest, "us-best"), rel=1e-6, abs=1e3)


def test_joint_kalai_ideal_leaves_out_points_the_us_would_walk_away_from() -> None:
    """On gulf-asia, AE's joint partner-best end lies below the no-deal point (the others
    re-optimized without AE do better): Kalai's ideal partner gain is the best point at
    which the US is no worse off, and a note says where that ends."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate import FrontierPoint
    from dealbench.negotiate.bargaining import TOL, gains
    from helpers import REPO

    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    f = frontier(pf, "AE", points=6, jointly=True)
    assert f.partner_best.us_utility < f.no_deal.us_utility  # the case this test is about
    rational = [p for p in f.points if gains(f, p)[0] >= -TOL]
    ideal_us = gains(f, f.us_best)[0]
    ideal_partner = max(gains(f, p)[1] for p in rational)
    assert ideal_partner < gains(f, f.partner_best)[1]
    assert f.kalai is not None and f.kalai in rational

    def share(p: FrontierPoint) -> float:
        us, partner = gains(f, p)
        return min(us / ideal_us, partner / ideal_partner)

    assert share(f.kalai) == pytest.approx(max(share(p) for p in rational if gains(f, p)[1] > TOL))
    assert any("the US does better with no deal" in n for n in f.notes)


@pytest.mark.parametrize("seed", [0, 2])
def test_the_risk_axis_marks_the_joint_partner_best_end(seed: int) -> None:
    """`--axis risk --jointly` charts the portfolio's risk with the others re-optimized, so
    its partner-best marker is that end re-optimized too (it was the held end, whose
    portfolio risk and V are those of the others held at the base optimum): the cold
    optimum at the held end's utility, never worse for the US than the held end."""
    pf = continuous(generate("S", seed=seed))
    base = solve(pf, gap=1e-7)
    code = max(base.deals, key=lambda d: d.us_value).partner
    f = frontier(pf, code, points=4, axis="risk", jointly=True, gap=1e-7, base=base)
    held = frontier(pf, code, points=4, axis="risk", base=base, bargaining=False)
    end = f.partner_best
    assert end.label == "partner-best" and end.package is not None
    assert end.partner_utility >= held.partner_best.partner_utility - 1.5  # its floor, USD 1 below
    assert end.us_utility >= held.partner_best.us_utility - 1e3
    packages = [*end.others, end.package]
    assert check(pf, packages).risk_total == pytest.approx(end.portfolio_risk)
    cold = solve_with_floor(pf, code, held.partner_best.partner_utility - 1.0, gap=1e-7)
    assert cold is not None
    assert check(pf, [d.package() for d in cold.deals]).objective == pytest.approx(
        end.us_utility, rel=2e-7, abs=1e3
    )


def test_the_joint_frontier_is_the_same_on_one_core_and_on_several(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The floors are dealt into the same chains whatever the machine: solved side by side
    in worker processes or one after the other here, the points are the same."""
    import dealbench.negotiate.joint_chains as joint_chains

    pf = continuous(generate("S", seed=2))
    base = solve(pf, gap=1e-7)
    code = max(base.deals, key=lambda d: d.us_value).partner
    side_by_side = frontier(pf, code, points=7, jointly=True, gap=1e-7, base=base)
    monkeypatch.setattr(joint_chains, "default_jobs", lambda: 1)
    here = frontier(pf, code, points=7, jointly=True, gap=1e-7, base=base)
    assert [p.to_json() for p in here.points] == [p.to_json() for p in side_by_side.points]
    assert here.no_deal.to_json() == side_by_side.no_deal.to_json()
