"""What session 45 fixed as a user met it."""

from __future__ import annotations

from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.model.overrides import apply_overrides
from dealbench.model.portfolio import Portfolio
from helpers import REPO


def _with_supply(supply: int) -> Portfolio:
    portfolio = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    return apply_overrides(portfolio, {"portfolio.supply.2026": supply})


def test_more_supply_never_gives_the_us_less_in_whole_steps() -> None:
    """gulf-asia with 999,742 H100e of 2026 supply: its deals had no schedule in steps of
    1,000, and the reserve held back 7,000 H100e of each period's supply, costing $901.1m
    of V, where 999,000 H100e cost $183.4m (qa45-prices): 742 H100e more supply, $718m
    less V. The portfolio is now also solved with each supply taken down to a whole step,
    which compute in whole steps cannot use anyway, and the better answer is kept."""
    values = []
    for supply in (999_000, 999_742):
        portfolio = _with_supply(supply)
        result = solve(portfolio)
        assert result.solver.details["granularity_h100e"] == 1000
        assert check(portfolio, [d.package() for d in result.deals]).ok
        values.append(result.us_value or 0.0)
    assert values[1] >= values[0] - 1.0
    assert "supply taken down to a whole step (999,000 of 999,742 H100e in 2026)" in (
        " ".join(result.message.split())
    )
