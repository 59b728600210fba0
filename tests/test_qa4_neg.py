"""A fourth pass on negotiation (qa4-neg): faults found by a new negotiator's own data.

Each fixture is small enough to work out by hand; the docstrings do.
"""

from __future__ import annotations

from dealbench.model import load_portfolio
from dealbench.optimize import solve
from dealbench.optimize.explain import why_no_deal


def test_a_tier_3_partner_without_a_deal_is_said_to_receive_nothing_once() -> None:
    """EE is tier 3 (BATNA 100m): the no-deal reason said "EE is tier 3 and receives no
    compute under any deal" twice, once from the explanation of the forced deal (which
    says it first since ea82b70) and once more from the reason itself."""
    from helpers import DATA

    pf = load_portfolio(DATA / "embargo/portfolio.yaml")
    ee = pf.partner("EE")
    assert ee is not None
    pf = pf.model_copy(update={"partners": [ee.model_copy(update={"batna": 100e6})]})
    (reason,) = why_no_deal(pf, solve(pf))
    assert reason.message.count("receives no compute") == 1, reason.message
    assert reason.message.startswith(
        "no package EE accepts fits the limits: EE is tier 3 and receives no compute under "
        "any deal; EE's acceptance needs"
    )
