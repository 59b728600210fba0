"""Bargaining points and the exact frontier, against brute force on small instances.

The brute-force oracle (`test_frontier.at_floor`) enumerates every discrete
choice of the partner's deal and solves an LP for each: the best V at a floor
on the partner's utility. The exact frontier (`--points all`) must give that
V at every floor; the Nash and Kalai points must be at least as good as the
best point found by sampling the brute-force frontier finely (within the
stated bound).
"""

from __future__ import annotations

import itertools
import math

import pytest

from dealbench import load_portfolio, solve
from dealbench.negotiate import frontier, zopas
from dealbench.negotiate.frontier import held
from helpers import REPO, invoke
from test_bruteforce import instance
from test_frontier import at_floor, deal_partner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def held_case(seed: int):  # type: ignore[no-untyped-def]
    pf = instance(seed)
    code = deal_partner(pf)
    if code is None:
        pytest.skip("no deal to trade off")
    base = solve(pf, gap=1e-9)
    _, rest = held(pf, code, base)
    return pf, code, base, rest


@pytest.mark.parametrize("seed", [*range(6000, 6025), 12024, 12060, 12073, 12082])
def test_all_points_is_the_brute_force_frontier(seed: int) -> None:
    """Every point, and between points the step or the straight piece above it (seeds
    12024-12082: a curve whose own vertex another point dominates runs above the step
    just past it; the frontier listed the vertices alone, and in that gap said less than
    the packages there give)."""
    pf, code, base, rest = held_case(seed)
    f = frontier(pf, code, points="all", base=base, bargaining=False)
    assert f.method == "exact"
    points = [p for p in f.points if p.figures is not None]
    offset = f.us_best.us_utility - (base.deal(code).us_value if base.deal(code) else 0.0)
    for p in points:
        assert p.figures is not None
        enumerated = at_floor(rest, code, p.partner_utility, force=True)
        assert enumerated is not None
        assert p.figures.us_value == pytest.approx(enumerated, rel=1e-6, abs=1e3)
    if len(points) < 2:
        return
    for piece in f.pieces:  # each end is a package on the frontier's piece
        for end in (piece.start, piece.end):
            assert end.figures is not None and end.package is not None
    for a, b in itertools.pairwise(points):
        for i in range(1, 6):  # between two points: the step, or the piece above it
            u = a.partner_utility + (b.partner_utility - a.partner_utility) * i / 6
            enumerated = at_floor(rest, code, u, force=True)
            on_pieces = [v for piece in f.pieces if (v := piece.us_utility_at(u)) is not None]
            best = max([b.us_utility, *on_pieces])
            assert enumerated is not None
            assert best - offset == pytest.approx(enumerated, rel=1e-6, abs=1e3), (seed, u)


@pytest.mark.parametrize("seed", [6003, 6010, 12024, 12060])
def test_the_outline_of_the_exact_frontier_is_the_brute_force_frontier(seed: int) -> None:
    """`Frontier.outline`, the line the charts draw, at the middle of each of its sloped or
    flat stretches, gives the best V the brute force finds at that partner utility."""
    pf, code, base, rest = held_case(seed)
    f = frontier(pf, code, points="all", base=base, bargaining=False)
    offset = f.us_best.us_utility - (base.deal(code).us_value if base.deal(code) else 0.0)
    outline = f.outline()
    for (u0, v0), (u1, v1) in itertools.pairwise(outline):
        if u1 - u0 < 1e4:
            continue  # a drop: the step down to the next point
        enumerated = at_floor(rest, code, (u0 + u1) / 2, force=True)
        assert enumerated is not None
        assert (v0 + v1) / 2 - offset == pytest.approx(enumerated, rel=1e-6, abs=1e3), seed


def sampled_frontier(seed: int, n: int = 120) -> tuple[list[tuple[float, float]], float, float]:
    """(U, V) of the partner alone, sampled by brute force; its walk-away values."""
    pf, code, base, rest = held_case(seed)
    p = rest.partner(code)
    assert p is not None
    f = frontier(pf, code, points="all", base=base, bargaining=False)
    lo, hi = f.us_best.partner_utility, f.partner_best.partner_utility
    out = []
    for i in range(n + 1):
        u = lo + (hi - lo) * i / n
        v = at_floor(rest, code, u, force=True)
        if v is not None:
            out.append((u, v))
    return out, p.us_batna, p.batna


@pytest.mark.parametrize("seed", [*range(7000, 7030), 13067, 13077, 13140])
def test_nash_and_kalai_match_the_enumerated_maximisers(seed: int) -> None:
    _, code, _, rest = held_case(seed)
    samples, v0, u0 = sampled_frontier(seed)
    gains = [(v - v0, u - u0) for u, v in samples if v - v0 > 1e4 and u - u0 > 1e4]
    if not gains:
        pytest.skip("no zone of agreement")
    nash = solve(rest, "nash", gap=1e-9)
    deal = nash.deal(code)
    assert deal is not None
    product = (deal.us_value - v0) * (deal.partner_utility - u0)
    ratio = nash.solver.details["product_ratio_bound"]
    assert product >= max(g[0] * g[1] for g in gains) * ratio * (1 - 1e-6) - 1e6
    assert f"factor {ratio:.6f}" in nash.message

    kalai = solve(rest, "kalai", gap=1e-9)
    deal = kalai.deal(code)
    assert deal is not None
    # The ideals are over every package both sides accept, the other side at its walk-away
    # value included: the US-best deal leaves the partner no gain when the margin is 0
    # (without it, seed 13067's US ideal was half the true one, and Kalai "lost" to a
    # sample measured against the wrong ideal).
    rational = [(v - v0, u - u0) for u, v in samples if v - v0 >= -1e3 and u - u0 >= -1e3]
    ideal_v = max(g[0] for g in rational)
    ideal_u = max(g[1] for g in rational)
    tau = min((deal.us_value - v0) / ideal_v, (deal.partner_utility - u0) / ideal_u)
    sampled = max(min(g[0] / ideal_v, g[1] / ideal_u) for g in gains)
    assert tau >= sampled - 1e-6


@pytest.mark.parametrize("seed", range(8000, 8010))
def test_zopa_is_the_largest_joint_gain(seed: int) -> None:
    pf, code, base, _ = held_case(seed)
    samples, v0, u0 = sampled_frontier(seed, n=60)
    joint = [(v - v0) + (u - u0) for u, v in samples if v - v0 > 1e4 and u - u0 > 1e4]
    z = next(z for z in zopas(pf, base) if z["partner"] == code)
    assert z["exists"] == bool(joint)
    if joint:
        assert z["largest_joint_gain"] >= max(joint) - 1e3


def test_solve_nash_states_its_bound(tmp_path: object) -> None:
    import json

    run = invoke(["solve", GULF, "--mode", "nash", "--json"])
    assert run.exit_code == 0, run.output + run.traceback
    data = json.loads(run.stdout)
    details = data["solver"]["details"]
    assert 0 < details["product_ratio_bound"] <= 1
    assert math.isclose(math.exp(-details["log_error_bound"]), details["product_ratio_bound"])
    assert "Nash product is within a factor" in data["message"]
    assert {z["partner"] for z in data["zopa"]} == {p.code for p in load_portfolio(GULF).partners}


def test_points_all_refuses_with_jointly() -> None:
    run = invoke(["frontier", GULF, "--partner", "AE", "--points", "all", "--jointly"])
    assert run.exit_code == 2
    assert run.stderr == (
        "error: --points: 'all' is exact for one partner with the others held, "
        "not for the partners jointly\n"
    )


def test_partner_best_says_what_it_maximised() -> None:
    """tests/data/tiny (see test_handworked): partner-best maximises U = 2.5bn with V = 0.8bn."""
    tiny = REPO / "tests/data/tiny/portfolio.yaml"
    run = invoke(["solve", tiny, "--mode", "partner-best"])
    assert run.exit_code == 0, run.output
    assert (
        "Maximised: the partners' total utility, $2.50bn, keeping the US utility V at or above "
        "its floor, $0 (V with no deal, the default), which does not bind; US utility V "
        "beside it: $800.0m." in " ".join(run.stdout.split())  # wrapped to the terminal
    )


def test_all_points_cover_the_epsilon_points_on_a_synthetic_portfolio() -> None:
    """On dealbench.synth's S portfolio (irregular amounts), every ε-constraint point is
    matched by a point of the exact frontier with V and U at least as large."""
    from dealbench.synth import generate

    pf = generate("S", seed=1)
    base = solve(pf)
    code = base.deals[0].partner
    exact = frontier(pf, code, points="all", base=base, bargaining=False)
    grid = frontier(pf, code, points=25, base=base, bargaining=False)
    assert len(exact.points) >= len(grid.points) > 2
    for p in grid.points:
        assert any(
            q.us_utility >= p.us_utility - 1e3 and q.partner_utility >= p.partner_utility - 1e3
            for q in exact.points
        )


class _Clock:
    """`time` for `optimize.bargain.solve`: each solver run takes `per_run` seconds."""

    def __init__(self, per_run: float) -> None:
        self.now = 0.0
        self.per_run = per_run

    def perf_counter(self) -> float:
        return self.now


def _timed_runs(monkeypatch: pytest.MonkeyPatch, per_run: float, cut: set[int]) -> list[float]:
    """Each MIP of a bargaining solve takes `per_run` seconds of a fake clock; the runs
    numbered in `cut` end as a time limit ends a MIP before it finds a point. Returns
    the time limit each run was given."""
    from dealbench.optimize.backends import Outcome
    from dealbench.optimize.bargain import solve as bargain

    clock = _Clock(per_run)
    limits: list[float] = []
    real = bargain.run_pulp

    def run(problem, backend):  # type: ignore[no-untyped-def]
        limits.append(backend.solver.timeLimit)
        outcome = real(problem, backend)
        clock.now += clock.per_run
        if len(limits) in cut:
            return Outcome("limit", False, None, outcome.bound)
        return outcome

    monkeypatch.setattr(bargain, "time", clock)
    monkeypatch.setattr(bargain, "run_pulp", run)
    return limits


def test_a_time_limit_bounds_the_whole_bargaining_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--time-limit 120` on kalai ran 240 s (S, seed 0): each stage got the whole limit.
    Now each MIP gets what is left; a second stage cut short leaves the first stage's
    point, with tau exact and the time limit said. The fake clock's seconds are hundreds,
    so that a real solve never meets the real limit it is given: with 10 s and a fake 8 a
    run, the first stage, slowed by a whole test run beside other work, ended at its real
    10 s as a time limit and no second stage ran (session 35)."""
    pf = load_portfolio(GULF)
    limits = _timed_runs(monkeypatch, per_run=800.0, cut={2})
    result = solve(pf, "kalai", time_limit=1000.0)
    assert limits[0] == pytest.approx(1000.0)
    assert limits[1] == pytest.approx(200.0)  # 1,000 s less the first stage's 800
    assert result.status.value == "time-limit"
    assert "time limit stopped the second stage" in result.message
    assert result.deals  # the first stage's point, checked


def test_kalai_stopped_in_its_first_stage_states_the_bound_on_tau(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pf = load_portfolio(GULF)
    from dealbench.optimize.backends import Outcome
    from dealbench.optimize.bargain import solve as bargain

    real = bargain.run_pulp
    monkeypatch.setattr(
        bargain,
        "run_pulp",
        lambda problem, backend: Outcome("limit", True, 0.5, real(problem, backend).bound),
    )
    result = solve(pf, "kalai", time_limit=60.0)
    assert result.status.value == "time-limit"
    assert "stopped by the time limit: every share at least tau" in result.message
    tau, bound = result.solver.details["tau"], result.solver.details["tau_bound"]
    assert tau <= bound + 1e-9


def test_nash_cut_short_keeps_the_last_round(monkeypatch: pytest.MonkeyPatch) -> None:
    pf = load_portfolio(GULF)
    limits = _timed_runs(monkeypatch, per_run=400.0, cut={2})  # real solves far from it
    result = solve(pf, "nash", time_limit=1000.0, gap=1e-6)
    assert len(limits) == 2  # gulf-asia's tangent cuts need a second round: it was cut
    assert limits[1] == pytest.approx(600.0)
    assert result.status.value == "time-limit"  # the first round's point stands
    assert result.deals
