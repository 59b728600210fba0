"""qa29-verify: faults found by an independent reference on portfolios written for the pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.analyze.prices import describe, shadow_prices
from dealbench.model.load import load_portfolio
from dealbench.negotiate import frontier, zopas
from dealbench.optimize import solve
from helpers import invoke

DATA = Path(__file__).parent / "data" / "qa29verify"
TINY = DATA / "tiny" / "portfolio.yaml"


def test_a_small_gain_is_a_gain_to_the_bargaining_modes_as_to_the_zone_of_agreement() -> None:
    """tiny: hundreds of H100e, thousands of dollars. Alone, a deal with TB gives the US at
    most USD 8,280 and TB USD 77,000 over their walk-away values, and `zopas` says TB has a
    zone of agreement (largest joint gain USD 85,224). kalai said "No zone of agreement, so
    no deal: TB" and gave TA alone tau 0.7273 (TB's share 0): a gain had to exceed USD
    10,000 there, USD 1,000 in the zone. With TB bargained over, the reference (every
    choice enumerated, scipy's HiGHS) finds tau 0.625: TA under sealed with `buy` and 187.5
    H100e, TB under sealed with 112.5."""
    pf = load_portfolio(TINY)
    assert [z["exists"] for z in zopas(pf)] == [True, True]
    kalai = solve(pf, mode="kalai")
    assert "No zone of agreement" not in kalai.message
    assert kalai.deal("TB") is not None
    assert kalai.objective == pytest.approx(0.625, abs=1e-6)
    nash = solve(pf, mode="nash")
    assert nash.deal("TB") is not None and nash.deal("TA") is not None


@pytest.mark.parametrize("code", ["TA", "TB"])
def test_a_small_gain_gives_the_held_frontier_its_nash_and_kalai_points(code: str) -> None:
    """tiny, each partner with the other held: its zone exists ("ZOPA: yes"), yet the
    frontier said "Nash: none (no package gives both sides a gain)" and the same for
    Kalai, its gains (USD 1,000s) being below the USD 10,000 counted as a gain there."""
    f = frontier(load_portfolio(TINY), code, points="all")
    assert f.zopa is not None and f.zopa["exists"]
    assert f.nash is not None and f.kalai is not None


def test_the_frontier_of_a_small_deal_is_printed_in_a_unit_its_figures_reach() -> None:
    """tiny's TB: every figure is in thousands of dollars, and the frontier printed them in
    USD bn to two decimals: "V 0.00bn, U 0.00bn" for no deal, each end and the points, and
    "ZOPA: yes, largest joint gain USD 0.00bn". It now picks the largest unit its figures
    reach (bn for the shipped portfolios, unchanged)."""
    run = invoke(["frontier", TINY, "--partner", "TB", "--points", "all"])
    assert run.exit_code == 0, run.output
    assert "V (USD k)" in run.stdout and "TB U (k)" in run.stdout
    assert "No deal:           V 44.56k, U 50.00k" in run.stdout
    assert "ZOPA: yes, largest joint gain USD 85.22k over both walk-away values." in run.stdout
    assert "0.00bn" not in run.stdout


def test_a_zero_price_of_a_limit_used_to_the_last_unit_says_a_cut_costs_more() -> None:
    """fullq3: CU gets its whole 2027Q3 ask and EG its cap, 50,000 H100e of 50,000 supply.
    More supply is worth nothing; a cut takes CU's compute, worth $4,250 an H100e to the US
    (5k less 150k x 0.05 x 0.1), as a re-solve of the fixed terms with 1 H100e less gives.
    The price read "worth $0 to the US, however much is added." as if a cut were free, where
    a positive price says "(a cut costs more)"."""
    pf = load_portfolio(DATA / "fullq3" / "portfolio.yaml")
    result = solve(pf)
    q3 = next(
        p for p in shadow_prices(pf, result).limits if p.period == "2027Q3" and p.kind == "supply"
    )
    assert q3.usd_per_unit == 0 and q3.holds_from == pytest.approx(50_000)
    assert describe(q3).endswith("however much is added (a cut costs more).")
    assert q3.lp_down == pytest.approx(4_250, abs=1)
