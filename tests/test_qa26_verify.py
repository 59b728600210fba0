"""The numbers checked by an independent route, on inputs no one here wrote (qa26-verify).

A reference written from DESIGN.md (its own YAML reading, every discrete choice
enumerated, the compute of each by scipy's HiGHS, nash by tangent cuts refined to 1e-9,
kalai with each partner's ideals alone; not kept here) was run beside the CLI on
portfolios written for the pass; each test is the smallest instance of a disagreement
that was dealbench's fault.
"""

from __future__ import annotations

import math

import pytest

from dealbench import solve
from dealbench.model import load_portfolio
from dealbench.optimize import reserve
from helpers import DATA

MERIDIAN = DATA / "qa26verify" / "meridian" / "portfolio.yaml"


def test_nash_leaves_out_the_partner_whose_absence_costs_the_product_least() -> None:
    """Meridian: AL, BE and CZ each have a zone of agreement alone, but the risk budget
    (6,000) cannot carry AL's and BE's deals at once, so every set of deals has a Nash
    product of 0 and one of them goes. Without AL, the best log product over BE and CZ
    is 0.528 (the reference, continuous; BE under audit with bronze standards, CZ its
    sanctions term); without BE, over AL and CZ, -3.732: 70 times smaller. nash left BE
    out: the tangent cuts counted a gain of 0 as log(1e-3 x ideal) - 1, less of a loss
    for BE's ideal gains (2.87bn, 2.36bn) than for AL's (0.42bn, 0.14bn), so the MIP
    dropped the partner with the most to gain (V 2.42bn instead of 3.97bn). Now each
    partner bargains (both gains at least the lowest tangent point) or is left out at
    the same cost to the objective, whatever its ideals."""
    pf = load_portfolio(MERIDIAN)
    result = solve(pf, "nash")
    assert {d.partner for d in result.deals} == {"BE", "CZ"}
    assert result.objective is not None and math.isfinite(result.objective)
    assert result.objective == pytest.approx(0.5278, abs=1e-3)
    assert "a gain at once, so no deal (the Nash product is over the others): AL." in (
        result.message
    )


def test_kalai_at_tau_zero_says_who_the_limits_leave_without_a_gain() -> None:
    """Meridian under kalai: no set of deals gives AL, BE and CZ a share at once, so tau
    is 0 (the reference too: 0 in the declared step and continuously), and the second
    stage's largest sum of shares gives AL and CZ their deals (3.73 in steps; 3.80
    continuously, the reference's). The result said only "every share at least tau =
    0.0000" and "No deal: BE": nothing said why a partner with a zone of agreement, worth
    2.87bn to the US alone, had none. It now says so, as nash does."""
    pf = load_portfolio(MERIDIAN)
    result = solve(pf, "kalai")
    assert result.objective == pytest.approx(0.0, abs=1e-9)
    assert {d.partner for d in result.deals} == {"AL", "CZ"}
    assert (
        "The limits cannot give every partner with a zone of agreement a gain at once, so "
        "tau is 0 and the deals are those with the largest sum of shares; no gain for: BE."
    ) in result.message


def test_amounts_off_the_grid_are_said_to_be_off_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """wholeask: PB accepts the US-best terms (inv=100bn, sec) only with its full asks,
    50,000 / 80,000 / 20,000 H100e; in whole B200 chips the 2026 ask is 21,988 chips,
    49,998.7 H100e, and PB then refuses (the reference: V 5.415bn continuously, 5.025bn in
    whole chips, with other terms). The schedule's linear programs, held to whole chips,
    found nothing, and the optimizer's amounts were shown with "The schedule could not be
    smoothed": nothing said that 50,000 H100e is not a whole number of chips, nor that
    the declared steps were not kept."""
    # Since qa29-verify a portfolio this small is also solved in whole steps (5.025bn, its
    # test in tests/test_qa29_verify.py); the message stands for larger ones.
    monkeypatch.setattr(reserve, "EXACT_MAX_PAIRS", 0)
    pf = load_portfolio(DATA / "qa26verify" / "wholeask" / "portfolio.yaml")
    result = solve(pf)
    assert result.solver.details["granularity_h100e"] == 0
    assert result.deals[0].compute["2026"] == pytest.approx(50_000)
    assert "could not be smoothed" not in result.message
    assert result.message.startswith(
        "Compute is unrounded, not in the declared steps of 500 B200 chips: with the deals' "
        "terms as chosen, no schedule within each deal's ask and cap in whole units (one "
        "B200 chip) was found that keeps every partner accepting within the shared limits"
    )
