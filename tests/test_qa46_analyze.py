"""qa46-analyze: staff comparing portfolios — the reasons `solve` gives a partner without a
deal, shadow prices and their re-solves, checked against what the commands themselves say.
"""

from __future__ import annotations

import re

import builders as b
from dealbench.optimize import solve
from dealbench.optimize.explain.no_deal import why_no_deal


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_a_least_raise_says_the_package_it_makes_room_for_and_what_the_others_give_up() -> None:
    """AA (a concession worth 5bn) takes all 100,000 H100e; one H100e more tips the
    optimum to a deal with BB beside a smaller one with AA. `solve` said "raising supply
    by 1 H100e in 2026 makes room for it (its best package needs 100,000 H100e in 2026
    more)": a reader cannot reconcile 1 with 100,000 (qa46-verify met it as "raising supply
    by 1 H100e ... (its best package needs 19,000 H100e ...)"). The reason now says what
    the re-solve gives BB and what the other deals give up, and they add up: what BB gets
    is the raise, what the others give up and what was left."""
    pol = b.policy(risk_penalty="10k")
    aa = b.partner(
        "AA",
        batna="1bn",
        security_costs={"kyc": 0},
        concessions=[b.concession("x", us_value="5bn", partner_cost=0)],
    )
    bb = b.partner("BB", batna="1bn", security_costs={"kyc": 0})
    pf = b.portfolio(pol, [aa, bb], supply={"2026": 100_000})
    result = solve(pf)
    assert result.no_deal == ["BB"]
    (reason,) = why_no_deal(pf, result)
    said = reason.message
    assert (
        "raising supply by 1 H100e in 2026 makes room for it: re-solved, BB gets 66,668 H100e "
        "in 2026, and the other deals give up 66,667 H100e in 2026 (its best package needs "
        "100,000 H100e in 2026 more)"
    ) in said
    found = re.search(
        r"by ([\d,]+) H100e in 2026 makes room for it: re-solved, BB gets ([\d,]+) H100e in "
        r"2026, and the other deals give up ([\d,]+) H100e",
        said,
    )
    assert found is not None
    raised, gets, given = (_number(x) for x in found.groups())
    left = pf.supply["2026"] - result.supply_used["2026"]
    assert abs(gets - (raised + given + left)) <= 1.5  # each rounded to a whole H100e
    # and the solve a user runs with that raise gives BB that package
    (relax,) = reason.relax
    assert relax.amount is not None
    wider = solve(pf.model_copy(update={"supply": {"2026": 100_000 + relax.amount}}))
    opened = wider.deal("BB")
    assert opened is not None and round(opened.compute["2026"]) == gets
