"""The proof branches on the deals its LP leaves half made, and stays a proof (qa24-joint).

Where the Dantzig-Wolfe bound L is loose, its LP takes a few partners' deals in part
(deal and no deal mixed). `probe.branch` splits the problem on them: each half (the
partner forced to deal, or barred from it) has a bound of its own, a half that cannot
beat the incumbent is set aside, and the proof searches only the sets the halves left
allow. At M seed 0's joint frontier that took the proof's MIPs from 7.8 s to 2.1 s of
process time (bench/README.md). What a user relies on is that every answer is still a
proven optimum: these tests hold the halves' bounds, the solves that branch and the joint
frontier's points to DESIGN.md's plain model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.helpers import continuous, rounds_of_the_next_solves

from dealbench.checker import check
from dealbench.errors import SolverError
from dealbench.negotiate import frontier, joint_chains, residual, solve_with_floor
from dealbench.optimize import solve
from dealbench.optimize.decomposition import probe, rounds
from dealbench.optimize.decomposition.blocks import build_blocks
from dealbench.optimize.decomposition.master import Master, generate_columns
from dealbench.optimize.decomposition.probe import mixed
from dealbench.optimize.formulation import MONEY
from dealbench.synth import Size, generate

#: Twelve partners, six periods: small enough for the plain model, large enough that
#: the LP leaves deals half made.
V = Size("V", 12, 6, 3, 3)


def _close(a: float | None, b: float | None, gap: float) -> bool:
    assert a is not None and b is not None
    return abs(a - b) <= gap * max(abs(a), abs(b), 1.0) + 1e4


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The halves each `branch` of the solves from now on computed (0: it split nothing)."""
    halves: list[int] = []
    real = probe.branch

    def counting(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        halves.append(found.halves if found is not None else 0)
        return found

    monkeypatch.setattr(probe, "branch", counting)
    return halves


def _rounds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The restricted-MIP rounds of the solves from now on, with one set per partner in
    the first round (so that the proof has work to do on these small instances), and the
    widened round whenever the proof would take more sets (`WIDEN_RATIO` 1)."""
    return rounds_of_the_next_solves(monkeypatch, sets_per_partner=1, widen_top=2, widen_ratio=1.0)


@pytest.mark.parametrize("seed", [201, 215])
def test_each_half_s_bound_holds_the_plain_optimum_of_that_half(seed: int) -> None:
    """For every partner the root LP takes in part: the half where it must deal is
    bounded by its own L, which is at least the plain model's optimum with the deal
    required; the half where it may not deal, at least the plain optimum without it.
    A half set aside on a bound that did not hold would lose the optimum."""
    pf = continuous(generate(V, seed=seed))
    blocks = build_blocks(pf, "us-best")
    master = Master(blocks, None)  # the threads of the plain solves below (one scheduler)
    root = generate_columns(master)
    partners = mixed(master)
    assert partners, "the LP takes no deal in part: nothing to branch on"
    offset = sum(p.us_batna for p in pf.partners)
    n = blocks.n_partners
    for p in partners:
        code = blocks.partners[p].code
        one = np.zeros(n, dtype=bool)
        one[p] = True
        master.restrict(replace(blocks, forced=one, barred=np.zeros(n, dtype=bool)))
        within = generate_columns(master, root.duals).bound * MONEY + offset
        master.restrict(replace(blocks, forced=np.zeros(n, dtype=bool), barred=one))
        without = generate_columns(master, root.duals).bound * MONEY + offset
        dealing = solve(pf, method="plain", gap=1e-9, require=[code]).objective
        alone = solve(residual(pf, excluded=[code]), method="plain", gap=1e-9).objective
        assert dealing is not None and alone is not None
        us_batna = blocks.partners[p].us_batna
        assert dealing <= within + 1e3, code
        assert alone + us_batna <= without + 1e3, code
        assert max(dealing, alone + us_batna) <= root.bound * MONEY + offset + 1e3


@pytest.mark.parametrize("widened", [True, False], ids=["widened", "from-the-first-round"])
@pytest.mark.parametrize("mode", ["us-best", "partner-best"])
@pytest.mark.parametrize("seed", [200, 201, 202, 215, 228, 236, 252, 285, 301, 327])
def test_a_proof_that_branches_finds_the_plain_optimum(
    seed: int, mode: str, widened: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Solves whose proof branched: the same optimum as the plain model, within the gap,
    and a reported bound that the plain optimum does not exceed. Without the widened
    round the proof starts from the first round's poorer portfolio, so the optimum is
    often one the proof must find, in a half it kept."""
    halves = _counted(monkeypatch)
    _rounds(monkeypatch)
    if not widened:
        monkeypatch.setattr(rounds, "_widen", lambda *args: None)
    pf = continuous(generate(V, seed=seed))
    plain = solve(pf, mode, method="plain", gap=1e-9)
    fast = solve(pf, mode, method="decompose")
    assert fast.status.value == "optimal"
    assert _close(fast.objective, plain.objective, 2e-6)
    assert fast.solver.gap is not None and fast.solver.gap <= 1e-6
    assert fast.solver.bound is not None and plain.objective is not None
    assert plain.objective <= fast.solver.bound + 1e-9 * abs(fast.solver.bound) + 1e4
    assert all(not d.violations and d.accepts for d in fast.deals)
    if mode == "us-best":
        assert any(halves), "no proof branched: the test would not exercise it"


def test_halves_that_cannot_beat_the_incumbent_are_its_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seed 236: the root LP takes two deals in part; every half's bound is within half
    the gap of the widened round's portfolio, so no proof MIP runs at all (before the
    halves, a merged proof of every candidate set ran), and the answer is the plain
    model's optimum."""
    rounds = _rounds(monkeypatch)
    pf = continuous(generate(V, seed=236))
    plain = solve(pf, method="plain", gap=1e-9)
    fast = solve(pf, method="decompose")
    assert rounds == ["incumbent", "widened"]
    assert fast.solver.details["branch_halves"] > 0
    assert fast.status.value == "optimal"
    assert _close(fast.objective, plain.objective, 2e-6)
    assert fast.solver.bound is not None and plain.objective is not None
    assert plain.objective <= fast.solver.bound + 1e4


@pytest.mark.parametrize("seed", [201, 215])
def test_joint_points_proven_by_halves_are_the_cold_plain_optima(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The joint frontier (each floor warm from the point before, its proof branching):
    every point has the V of a cold solve of the plain model at its U, and passes
    `check`."""
    halves = _counted(monkeypatch)
    monkeypatch.setattr(joint_chains, "joint_jobs", lambda jobs=None: 1)  # the chains here, counted
    pf = continuous(generate(V, seed=seed))
    base = solve(pf, gap=1e-9)
    code = max(base.deals, key=lambda d: d.us_value).partner
    f = frontier(pf, code, points=5, jointly=True, gap=1e-9, base=base, bargaining=False)
    assert sum(1 for h in halves if h) >= 3
    assert len(f.points) >= 4
    for point in f.points:
        packages = [*point.others, *([point.package] if point.package else [])]
        assert check(pf, packages).ok
        cold = solve_with_floor(pf, code, point.partner_utility - 1e3, gap=1e-9, method="plain")
        assert cold is not None
        best = check(pf, [d.package() for d in cold.deals]).objective
        assert point.us_utility == pytest.approx(best, rel=1e-6, abs=1e3)


def test_a_half_whose_lp_fails_leaves_the_proof_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Branching is a shortcut: when HiGHS cannot solve a half's LP, the proof runs over
    every candidate set as before and the solve still answers (it raised a solver error,
    exit 1, for a problem the proof alone solves)."""
    _rounds(monkeypatch)

    def failing(*args: object, **kwargs: object) -> object:
        raise SolverError("HiGHS could not solve the master LP of the decomposition")

    monkeypatch.setattr(probe, "generate_columns", failing)
    pf = continuous(generate(V, seed=201))
    plain = solve(pf, method="plain", gap=1e-9)
    fast = solve(pf, method="decompose")
    assert fast.status.value == "optimal"
    assert "branch_halves" not in fast.solver.details
    assert _close(fast.objective, plain.objective, 2e-6)


@pytest.mark.parametrize("seed", [0, 3])
def test_the_joint_frontier_at_s_is_the_same_proven_curve_with_halves(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """synth's S (10 points, jointly): with the proofs branching at most points, every
    point's V and U are those of the proofs without halves, within the gap (M seeds 0-2,
    25 points, were compared the same way: bench/README.md)."""
    halves = _counted(monkeypatch)
    monkeypatch.setattr(joint_chains, "joint_jobs", lambda jobs=None: 1)  # the chains here, counted
    pf = generate("S", seed=seed)
    base = solve(pf)
    code = max(base.deals, key=lambda d: d.us_value).partner
    curves = {}
    for branching in (False, True):
        monkeypatch.setattr(rounds, "PROBE", branching)
        f = frontier(pf, code, points=10, jointly=True, base=base, bargaining=False)
        curves[branching] = [(p.us_utility, p.partner_utility) for p in f.points]
    assert sum(1 for h in halves if h) >= 5
    assert len(curves[True]) == len(curves[False])
    for (v, u), (v0, u0) in zip(curves[True], curves[False], strict=True):
        assert v == pytest.approx(v0, rel=1e-6, abs=1e3)
        assert u == pytest.approx(u0, rel=1e-6, abs=1e3)
