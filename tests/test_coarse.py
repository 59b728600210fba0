"""Merged periods: a relaxation whose portfolios lift back into the full model."""

from __future__ import annotations

import numpy as np
import pytest

from dealbench.model.granularity import Granularity
from dealbench.optimize.decomposition.blocks import Blocks, build_blocks
from dealbench.optimize.decomposition.coarse import coarsen, lift
from dealbench.optimize.decomposition.pricing import Duals
from dealbench.optimize.decomposition.restricted import solve_restricted
from dealbench.optimize.decomposition.search import feasible, objective
from dealbench.synth import Size, generate


def _blocks(seed: int, mode: str = "us-best") -> Blocks:
    return build_blocks(generate(Size("R", 5, 4, 3, 3), seed=seed), mode, None)  # type: ignore[arg-type]


def _every(blocks: Blocks) -> dict[int, np.ndarray]:
    return {b: np.arange(int(blocks.usable[b])) for b in range(blocks.n_blocks)}


def test_periods_merge_only_where_supply_has_one_price() -> None:
    blocks = _blocks(0)
    assert coarsen(blocks, Duals(np.array([0.01, 0.02, 0.03]))) is None
    two = coarsen(blocks, Duals(np.array([0.02, 0.01, 0.02])))
    assert two is not None
    assert [list(g) for g in two.groups] == [[1], [0, 2]]
    assert two.blocks.supply.tolist() == pytest.approx(
        [blocks.supply[1], blocks.supply[0] + blocks.supply[2]]
    )
    assert two.blocks.ub.shape == (blocks.n_blocks, 2, blocks.ub.shape[2])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mode", ["us-best", "partner-best"])
def test_the_merged_model_bounds_the_full_one_and_its_portfolios_lift_back(
    seed: int, mode: str
) -> None:
    """Over every concession set, the merged model's optimum is at least the full
    model's (a relaxation: its bounds may prove the full model), and its
    portfolio, lifted into periods, meets every row of the full model."""
    blocks = _blocks(seed, mode)
    full = solve_restricted(blocks, _every(blocks))
    assert full.status == "optimal" and full.value is not None
    rng = np.random.default_rng(seed)
    for price in (0.0, float(rng.uniform(0.001, 0.05))):
        coarse = coarsen(blocks, Duals(np.full(len(blocks.supply), price)))
        assert coarse is not None and len(coarse.groups) == 1
        merged = solve_restricted(coarse.blocks, _every(blocks), prices=coarse.prices)
        assert merged.status == "optimal" and merged.value is not None
        assert merged.value >= full.value - 2e-6 * max(1.0, abs(full.value))
        lifted = lift(blocks, merged.choices, None)
        if lifted is not None:  # None: the periods' supply cannot carry those deals
            assert feasible(blocks, lifted)
            assert objective(blocks, lifted) <= full.value + 2e-6 * max(1.0, abs(full.value))


@pytest.mark.parametrize("seed", range(3))
def test_lifting_a_full_portfolio_merged_keeps_its_value(seed: int) -> None:
    blocks = _blocks(seed)
    full = solve_restricted(blocks, _every(blocks))
    assert full.value is not None
    coarse = coarsen(blocks, Duals(np.full(len(blocks.supply), 0.01)))
    assert coarse is not None
    merged = coarse.merge(full.choices)
    assert [c.y.shape for c in merged] == [(1, blocks.ub.shape[2])] * len(full.choices)
    lifted = lift(blocks, merged, None)
    assert lifted is not None and feasible(blocks, lifted)
    assert objective(blocks, lifted) == pytest.approx(full.value, rel=1e-7, abs=1e-6)


def test_a_merged_portfolio_the_periods_cannot_carry_sends_the_round_to_the_full_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dealbench.optimize import solve
    from dealbench.optimize.decomposition import rounds as decompose

    calls: list[int] = []

    def cannot(blocks: Blocks, choices: list[object], threads: int | None) -> None:
        calls.append(len(choices))
        return None

    monkeypatch.setattr(decompose, "MIP_SETS_PER_PARTNER", 1)
    portfolio = generate(Size("V", 12, 6, 3, 3), seed=2).model_copy(
        update={"own_granularity": Granularity(h100e=0)}  # the search's optimum, unrounded
    )
    plain = solve(portfolio, method="plain")
    monkeypatch.setattr(decompose, "lift", cannot)
    fast = solve(portfolio, method="decompose")
    assert calls  # the merged rounds ran, and none of their portfolios was kept
    assert fast.status.value == "optimal"
    assert fast.objective is not None and plain.objective is not None
    assert abs(fast.objective - plain.objective) <= 2e-6 * abs(plain.objective) + 1e4
    assert all(not d.violations and d.accepts for d in fast.deals)
