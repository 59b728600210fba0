"""Which limit decides what a partner gets, in a few words (for comparison tables).

Read from the checked figures and the portfolio alone: a deal's compute sits on
its ask, its cap, the shared supply or the risk budget; short of all of them,
the risk penalty outweighs the value of more compute. A partner without a deal
is embargoed, capped to nothing, or offered nothing both sides prefer.
"""

from __future__ import annotations

from dealbench.model.schema import Portfolio
from dealbench.optimize import SolveResult

__all__ = ["decided_by"]

TOL = 0.5  # H100e
MARGIN_TOL = 1e6  # USD: a partner this close to its walk-away value is held to it


def decided_by(pf: Portfolio, result: SolveResult, code: str) -> str:
    partner = pf.partner(code)
    assert partner is not None
    deal = result.deal(code)
    if deal is None:
        if partner.tier == 3:
            return "tier 3: embargo"
        room = max(
            (pf.cap(partner, level, t) for level in pf.levels_for(partner) for t in pf.periods),
            default=0.0,
        )
        if room <= TOL:
            return "caps allow nothing"
        return "no deal beats BATNA"
    reasons: list[str] = []
    for t in pf.periods:
        x = deal.compute.get(t, 0.0)
        ask = pf.ask(partner, t)
        cap = pf.level_cap(partner, deal.security)
        if x >= ask - TOL and ask > 0:
            reason = "full ask"
        elif cap is not None and x >= cap - TOL:
            own = code in pf.caps and deal.security in pf.caps[code]
            reason = f"{'own ' if own else ''}cap ({deal.security})"
        elif result.supply and result.supply_used.get(t, 0.0) >= result.supply[t] - TOL:
            reason = "supply"
        elif result.risk_budget is not None and result.risk_total >= result.risk_budget - TOL:
            reason = "risk budget"
        elif abs(deal.partner_margin) <= MARGIN_TOL:
            reason = "acceptance"  # just what the partner needs: more costs the US risk
        else:
            reason = "risk cost"
        if reason not in reasons:
            reasons.append(reason)
    return ", ".join(reasons)
