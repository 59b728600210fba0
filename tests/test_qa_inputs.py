"""Inputs no one here wrote (qa3): faults found by a new user's own data files.

Each fixture is small enough to work out by hand; the docstrings do.
"""

from __future__ import annotations

import builders as b
from dealbench.optimize.explain import explain_infeasible

KYC_ONLY: dict[str, float | str] = {"kyc": 0}


def test_a_relaxed_acceptance_names_the_margin_with_the_walk_away_value() -> None:
    """Tier 3 AA (BATNA 0) under a 100m required margin can only be opened by taking
    100m less than its walk-away value plus the margin; its walk-away value is 0, so
    "its walk-away value of $100.0m" was untrue."""
    pol = b.policy(caps={"tier3": 0}, margin="100m")
    aa = b.partner("AA", tier=3, batna=0, security_costs=KYC_ONLY)
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6})
    e = explain_infeasible(pf, require=["AA"])
    (relax,) = e.relax
    assert relax.message == (
        "AA takes $100.0m less than its walk-away value plus the required margin of $100.0m "
        "(or is offered that much more outside the package)"
    )
    assert "its walk-away value of" not in e.message
