"""What session 46 fixed as a user met it."""

from __future__ import annotations

from dealbench import load_portfolio, solve
from dealbench.analyze.prices import shadow_prices
from dealbench.model.regimes import find_regime, under_regime
from helpers import REPO


def test_a_re_solve_one_step_past_a_range_that_is_the_step_re_solve_is_solved_and_said_once() -> (
    None
):
    """gulf-asia under tiered: AE's cap of 160,000 H100e holds a price of $0 down to
    158,889, and one whole step below that, 158,000, is where the price's own step
    re-solve (2,000 H100e less) lies. The full model was solved there twice, and the
    principals memo said it twice: "2,000 H100e less loses $489,880 per H100e (with those
    held: impossible)" and "re-solved at 158,000 H100e ... $979.8m less". Now that
    re-solve is the one past the range, said once there, and not solved again."""
    path = REPO / "deals/portfolios/gulf-asia.yaml"
    tiered = find_regime("tiered", path)
    assert tiered is not None
    portfolio = under_regime(load_portfolio(path), tiered)
    result = solve(portfolio)
    seen: list[tuple[int, int]] = []
    prices = shadow_prices(
        portfolio, result, progress=lambda done, total: seen.append((done, total))
    )
    caps = [lim for lim in prices.limits if lim.kind == "cap" and lim.partner == "AE"]
    assert caps
    for cap in caps:
        assert cap.past_from is not None and cap.past_from.at == cap.limit - cap.step
        assert cap.past_from.us_change is not None and cap.past_from.us_change < -1e8
        # the step re-solve below gives the same figure, said past the range only
        assert cap.mip_down is not None and cap.step is not None
        assert abs(cap.past_from.us_change + cap.mip_down * cap.step) < 1.0
        assert "less loses" not in (cap.warning or "")
    # every re-solve counted is made, and none twice: 1 unmoved + 2 a limit + those past
    assert seen[-1][0] == seen[-1][1] == 1 + 2 * len(prices.limits)
