"""qa29-verify: faults found by an independent reference on portfolios written for the pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.analyze.prices import describe, shadow_prices
from dealbench.model.load import load_portfolio
from dealbench.negotiate import frontier, zopas
from dealbench.optimize import solve
from dealbench.optimize.bargain.solve import ideal_gains
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
    assert "ZOPA: yes, largest joint gain $85,224 over both walk-away values." in run.stdout
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
    # and how much more, past the range (session 45)
    assert (
        "however much is added (a cut costs more). Below 50,000, with those held, each one cut costs $4,250"
        in describe(q3)
    )
    assert q3.lp_down == pytest.approx(4_250, abs=1)


STEPS = DATA / "steps" / "portfolio.yaml"


@pytest.mark.parametrize("method", ["decompose", "plain"])
def test_a_small_portfolio_whose_first_terms_have_no_schedule_in_steps_gets_the_best_in_steps(
    method: str,
) -> None:
    """steps: the continuous optimum (V 9.155bn) holds CU at 86,667 H100e, AA at 3,334 and BO
    at 30,000, and 2026-2027 supply is 100,000: no schedule in steps of 1,000 H100e (nor in
    single H100e) keeps those terms. The reserve answered V 6.84bn ("3,000 H100e of each
    period's supply ... held in reserve for rounding; that costs the United States
    $2,315.6m"), where the reference (every choice enumerated, compute in whole steps, scipy's
    HiGHS) finds 8.0316bn in steps of 1,000: BO's align at 10bn instead of 12.5bn, CU
    screened with the high investment at 43,000 and 44,000 H100e."""
    pf = load_portfolio(STEPS)
    result = solve(pf, method=method)
    assert result.us_value == pytest.approx(8_031_600_000, abs=1e3)
    assert result.solver.details["granularity_h100e"] == pytest.approx(1_000)
    for deal in result.deals:
        for t, x in deal.compute.items():
            assert x % 1_000 == pytest.approx(0, abs=1e-6) or x == pytest.approx(
                pf.cap(pf.partner(deal.partner), deal.security, t), abs=1.0
            )
    assert "whole steps" in result.message


CHIPCAP = DATA / "chipcap" / "portfolio.yaml"


def test_compute_in_whole_steps_of_chips_stops_at_the_cap_in_whole_chips() -> None:
    """chipcap: CU's cap, 20,000 H100e, is 8,795 whole B200 chips (19,998.74 H100e). The
    model in whole steps (kalai's point and its ideals) topped a deal up to 20,000 H100e,
    off the grid, where the schedule gives 19,998.74: CU's ideal US gain was USD 1.808bn (a
    package CU accepts only with the last 1.26 H100e a year), and kalai answered tau 0.6250
    with `buy` at 15bn, 0.62496 once in whole chips. In whole chips the ideal is 1.683bn
    and the best tau 0.62864 (`buy` at 10bn), as the reference (every choice enumerated,
    compute in whole steps of 500 chips up to the cap in whole chips) finds."""
    pf = load_portfolio(CHIPCAP)
    ideals = ideal_gains(pf, step=pf.granularity.h100e)
    assert ideals["CU"][0] == pytest.approx(1.68298, abs=1e-5)
    kalai = solve(pf, mode="kalai")
    assert kalai.objective == pytest.approx(0.628635, abs=1e-5)
    cu = kalai.deal("CU")
    assert cu is not None and cu.concessions == {"buy": "10bn"}
    assert all(x == pytest.approx(8_795 * 36_000 / 15_832) for x in cu.compute.values())


def test_a_small_portfolio_with_no_schedule_for_its_terms_is_solved_in_whole_chips() -> None:
    """qa26-verify's wholeask: PB accepts the optimum's terms only with its full asks, which
    are not whole chips, so the answer was unrounded (V 5.415bn, "Compute is unrounded, not
    in the declared steps of 500 B200 chips"), where qa26-verify's reference found 5.025bn
    in whole chips with other terms. On a portfolio this small the plain model in whole
    steps is solved too, and its answer kept."""
    pf = load_portfolio(
        Path(__file__).parent / "data" / "qa26verify" / "wholeask" / "portfolio.yaml"
    )
    result = solve(pf)
    assert result.us_value == pytest.approx(5.025e9, abs=2e4)
    assert result.solver.details["granularity_h100e"] == pytest.approx(500 * 36_000 / 15_832)
    assert "solved again with compute in whole steps" in result.message
