"""Seams between commands (qa6-journey): the same numbers must agree wherever they appear.

A new analyst's portfolio (tests/data/qa6j/three.yaml: three deals in quarters, supply
and the risk budget binding) worked through solve, offer, frontier and the rest. Each
test says what the user saw and why it was wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import load_portfolio, record_offer, solve
from helpers import DATA

THREE = DATA / "qa6j/three.yaml"


@pytest.mark.parametrize("how", [{"mode": "us-best"}, {"strategy": "boulware"}])
def test_the_first_offer_is_no_worse_than_the_plans_own_package(
    tmp_path: Path, how: dict[str, str]
) -> None:
    """`solve` gives NR 575,900 H100e (125,900 in 2027Q1) worth $20.94bn to the US, and the
    deal room says "open with the US-best package"; `offer --mode us-best` (and Boulware's
    first offer, whose target is the ideal) offered 575,000 H100e worth $20.93bn, less for
    both sides, and called it the ideal. The ideal came from a one-partner solve of what
    the plan leaves, rounded to the declared 1,000 H100e within one step's value, where
    the plan itself had kept 100-steps to keep more."""
    pf = load_portfolio(THREE)
    planned = solve(pf).deal("NR")
    assert planned is not None
    offer = record_offer(pf, tmp_path, "NR", **how)  # type: ignore[arg-type]
    assert offer.proposal is not None
    figures, strategy = offer.proposal.figures, offer.proposal.strategy
    assert strategy.ideal_us_utility >= planned.us_value - 1.0
    assert figures.us_value >= planned.us_value - 1.0
    assert figures.partner_utility >= planned.partner_utility - 1.0
