"""The synthetic portfolios of the benchmark: seeded, valid, and readable back from YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.model import load_portfolio
from dealbench.synth import SIZES, Size, generate, write_yaml

TINY = Size("T", 4, 3, 2, 2)


def test_same_seed_same_portfolio_and_other_seed_another() -> None:
    assert generate(TINY, seed=3) == generate(TINY, seed=3)
    assert generate(TINY, seed=3).partners != generate(TINY, seed=4).partners


@pytest.mark.parametrize("name", ["S", "M"])
def test_named_sizes_have_their_shape(name: str) -> None:
    spec = SIZES[name]
    portfolio = generate(name, seed=1)
    assert len(portfolio.partners) == spec.partners
    assert len(portfolio.periods) == spec.periods
    assert all(len(p.concessions) == spec.concessions for p in portfolio.partners)
    assert {p.tier for p in portfolio.partners} == {1, 2, 3}
    assert portfolio.risk_budget is not None
    asked = {t: sum(p.ask.get(t, 0.0) for p in portfolio.partners) for t in portfolio.periods}
    assert all(portfolio.supply[t] < asked[t] for t in portfolio.periods), "supply should bind"


def test_written_yaml_loads_back_to_the_same_partners(tmp_path: Path) -> None:
    portfolio = generate("S", seed=2)
    loaded = load_portfolio(write_yaml(portfolio, tmp_path))
    assert [p.code for p in loaded.partners] == [p.code for p in portfolio.partners]
    assert loaded.partners == portfolio.partners
    assert loaded.supply == pytest.approx(portfolio.supply)
    assert loaded.risk_budget == pytest.approx(portfolio.risk_budget)
