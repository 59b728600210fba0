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


def test_diff_names_a_partners_risk_and_tells_close_figures_apart() -> None:
    """With BB's diversion risk at 0.29 and the risk budget at 11,600, `diff` said "US
    utility: $9.73bn -> $9.73bn" and, of BB, "US utility $2.93bn -> $2.93bn" (the results
    differ by $0.9m), and never named BB's risk moving from 7,980 to 7,598 risk-weighted
    H100e, though the module promises each side's value and risk."""
    from dealbench import solve
    from dealbench.analyze.diff import diff_results, usd_pair

    pf = load_portfolio(TWO_YEARS)
    moved = apply_overrides(pf, ["partners.BB.diversion_risk=0.29", "portfolio.risk_budget=11600"])
    d = diff_results(solve(pf), solve(moved))
    assert usd_pair(*d.us_value) == "$9.731bn -> $9.730bn"
    bb = next(p for p in d.partners if p.partner == "BB")
    assert "US utility $2.931bn -> $2.930bn" in bb.changes
    assert "risk 7,980 -> 7,598 risk-weighted H100e" in bb.changes
    assert usd_pair(2.5e9, 2.5e9) == "$2.50bn -> $2.50bn"
