"""Faults a fifth analysis pass found on inputs no one here wrote (qa7-an).

`tests/data/qa7an/` is a small portfolio checked against an independent reference (its
own MIP, fixed LP and Monte Carlo): three partners over 2027-2028, a tier-1 partner with
a range concession, a tier-2 partner with a piecewise value and an uncertain BATNA and
cost, one with an uncertain diversion risk; 2027 supply and the risk budget bind.
"""

from __future__ import annotations

from dealbench import apply_overrides, load_portfolio
from helpers import DATA

QA7AN = DATA / "qa7an"
TWO_YEARS = QA7AN / "two-years.yaml"


def test_no_risk_budget_stays_none_through_later_overrides() -> None:
    """`--set portfolio.risk_budget=none --set portfolio.caps.BB.veu=100000` solved with
    the policy's budget of 12,000 again (V $9.73bn; $10.72bn without it): each
    `portfolio.*` override, and a policy's (`policy.X=...`, a regime in `compare`),
    re-derived the budget from the policy when the portfolio had none of its own."""
    pf = load_portfolio(TWO_YEARS)
    assert pf.risk_budget == 12_000
    for later in (
        "portfolio.caps.BB.veu=100000",
        "portfolio.supply.2028=200000",
        "policy.risk_penalty_per_h100e=60k",
        "policy.risk_budget=3000",
    ):
        moved = apply_overrides(pf, ["portfolio.risk_budget=none", later])
        assert moved.risk_budget is None, later
    assert apply_overrides(pf, ["portfolio.risk_budget=none"]).with_policy(pf.policy).risk_budget is None
    again = apply_overrides(pf, ["portfolio.risk_budget=none", "portfolio.risk_budget=5000"])
    assert again.risk_budget == 5_000
    assert apply_overrides(again, ["policy.risk_budget=3000"]).risk_budget == 5_000
