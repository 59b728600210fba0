"""A staff analyst's week from a fresh clone (qa29-staff).

A portfolio written by hand from the reference facts (tests/data/qa29staff): Europe and
South-East Asia over 2027-2029 under a regime of one's own (`corridor`: a tier 1 cap at
baseline, a binding risk budget of 12,000, a margin of 100m), five partners none of the
shipped ones (NL tier 1; CH, PT, PH, TR tier 2), PH's ask naming 2027 and 2028 only,
CH's investment a range, PH's diversion risk and TR's BATNA uncertain. Compared with the
shipped regimes, swept, priced, sampled and rendered; each test is what the analyst or
the principal reading the memo relies on, and failed first.
"""

from __future__ import annotations

from dealbench.model import load_portfolio
from helpers import DATA

HERE = DATA / "qa29staff"
EU_SEA = HERE / "portfolios" / "eu-sea.yaml"
CORRIDOR = HERE / "policy" / "corridor.yaml"


def test_a_period_the_partner_asks_nothing_in_is_decided_by_its_ask() -> None:
    """PH asks for compute in 2027 and 2028 only. Under bilateral it has a deal of 9,500
    H100e in each of those years and none in 2029; `compare`'s "limit that decides it"
    (and the options memo's table) read "supply (2027–2028), acceptance (2029)", as if
    PH took no more in 2029 because it needs no more to accept, where it asked for none.
    Cause: `analyze.limits._deal` skipped "full ask" where the ask is 0 and fell through
    to the other reasons. A period without an ask is now said as such."""
    from dealbench.analyze.compare import compare

    comparison, _ = compare(load_portfolio(EU_SEA), ["bilateral"])
    (row,) = comparison.regimes
    assert row.status == "optimal"
    cell = next(p for p in comparison.partners if p.code == "PH").regimes["bilateral"]
    assert cell.decided_by == "supply (2027–2028), asks nothing (2029)"
