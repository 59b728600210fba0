"""The comparison's words for what decides each partner's deal agree with `solve`.

`analyze.limits.decided_by` reads the checked figures without another solve;
`solve` explains a missing deal with a small solve of its own
(`optimize.explain.no_deal.why_no_deal`). A table that says "no deal beats BATNA" where
`solve` says the tier 2 cap stops the deal misleads; so does "full ask" for a
deal that gets its ask in one period only.
"""

from __future__ import annotations

import pytest

from dealbench import solve
from dealbench.analyze.limits import decided_by
from dealbench.analyze.scenarios import load_scenario
from dealbench.optimize.explain.no_deal import why_no_deal
from helpers import REPO

GLOBAL = REPO / "deals/portfolios/global.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"

#: `why_no_deal`'s kinds and the comparison's words for them.
AGREE = {
    "no-acceptable-package": {
        "tier 3: embargo",
        "asks nothing in these periods",
        "caps allow nothing",
        "cap below what it accepts",
        "supply below what it accepts",
        "risk budget below what it accepts",
        "cap and supply below what it accepts",
        "cap and risk budget below what it accepts",
        "supply and risk budget below what it accepts",
        "cap and supply and risk budget below what it accepts",
        "accepts no package",
        "no package it accepts fits the limits",
    },
    "shared-limits": {
        "supply goes to others",
        "risk budget goes to others",
        "supply and risk budget go to others",
        "deals worth more displace it",
    },
    # not worth it alone: a full limit beside it does not decide it
    "not-worth-it": {"not worth it to the US"},
}

QA5 = REPO / "tests/data/qa5cli"


@pytest.mark.parametrize(
    ("path", "regime"),
    [
        (GLOBAL, "tiered"),
        (GLOBAL, "monopoly"),
        (GLOBAL, "repeal"),
        (GLOBAL, "bilateral"),
        (GULF, "monopoly"),
        (GULF, "bilateral"),
        # ZB accepts only what the risk budget cannot carry (the shipped bilateral margin):
        # the table said "not worth it to the US"
        (QA5 / "portfolio.yaml", "bilateral"),
        # QA, worth $22.83bn alone, needs more 2026-27 supply than WW leaves, short of
        # "full": the table said "not worth it to the US"
        (QA5 / "supply.yaml", "tiered"),
    ],
)
def test_a_missing_deal_is_put_as_solve_explains_it(path: object, regime: str) -> None:
    pf = load_scenario(path, regime, ())  # type: ignore[arg-type]
    result = solve(pf)
    reasons = why_no_deal(pf, result)
    assert reasons or not result.no_deal
    for reason in reasons:
        words = decided_by(pf, result, reason.partner)
        assert words in AGREE[reason.reason], (reason.partner, words, reason.message)


def test_the_monopoly_cap_is_named_where_it_stops_a_deal() -> None:
    """Under monopoly a tier 2 partner gets at most 1,699 H100e a year, less than any
    shipped tier 2 partner accepts: the cap decides, not the partner's walk-away value."""
    pf = load_scenario(GULF, "monopoly", ())
    result = solve(pf)
    tier2 = [p.code for p in pf.partners if p.tier == 2]
    assert tier2 and all(result.deal(code) is None for code in tier2)
    assert {decided_by(pf, result, code) for code in tier2} == {"cap below what it accepts"}


def test_reasons_that_differ_between_periods_name_their_periods() -> None:
    """A deal that gets its full ask in one period and what supply leaves in the others
    is not decided by "full ask": each reason carries its periods."""
    pf = load_scenario(GULF, "bilateral", ())
    result = solve(pf)
    words = {d.partner: decided_by(pf, result, d.partner) for d in result.deals}
    for deal in result.deals:
        partner = pf.partner(deal.partner)
        assert partner is not None
        full = [t for t in pf.periods if deal.compute.get(t, 0.0) >= partner.ask[t] - 0.5]
        if full and len(full) < len(pf.periods):
            assert "full ask (" in words[deal.partner], words[deal.partner]
