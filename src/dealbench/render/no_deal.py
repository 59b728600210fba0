"""Why a partner gets no deal, as the memos say it: the reason the solve recorded.

Why a partner has no deal is computed once, by `optimize.explain.no_deal` (the least change
that opens a deal worth having, the shared limits the optimum gives to others, ...), and
carried in the result (`SolveResult.no_deal_reasons`, result.json's `no_deal_reasons`):
the terminal, result.json and every document say that one reason. Nothing is solved here.

A result that records no reason for a partner (a result.json written before results
recorded them; one whose best package alone a solver limit kept the solve from finding)
still renders: the memo says what the portfolio's files alone settle (an embargo, no ask in
these periods, caps of zero), else that the result does not say why, and how to have it
said. A partner past the ones a solve explains carries a reason that says so
(`optimize.reasons.NOT_EXPLAINED`), printed as it is.
"""

from __future__ import annotations

from dealbench.checker.tolerance import COMPUTE_TOL
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.reasons import NoDeal

__all__ = ["no_deal_reason"]


def no_deal_reason(
    portfolio: Portfolio, code: str, recorded: NoDeal | None, *, explained: bool
) -> str:
    """Why partner `code` has no deal, a sentence opening with its code: `recorded`, the
    reason its result carries; else the fallback. `explained`: the result records reasons
    (for some partners: a solver limit may keep one from it)."""
    if recorded is not None:
        return f"{code}: {recorded.message.rstrip('.')}."
    return f"{code}: {_unrecorded(portfolio, code, explained=explained)}"


def _unrecorded(portfolio: Portfolio, code: str, *, explained: bool) -> str:
    """What the files alone settle of a partner without a deal whose reason the result does
    not record; else that it does not, and how to have it (no figures-only guess: it named
    other limits than the solve's explanation, qa33-input's VN)."""
    partner = portfolio.partner(code)
    assert partner is not None
    levels = portfolio.levels_for(partner)
    if partner.tier == 3 or not levels:
        why = "it is in Tier 3" if partner.tier == 3 else "it can meet no security level"
        return f"no compute may be exported ({why})."
    if not any(portfolio.ask(partner, t) > COMPUTE_TOL for t in portfolio.periods):
        return (
            f"{partner.in_text(start=True)} asks for no compute in this portfolio's periods "
            f"({', '.join(portfolio.periods)})."
        )
    caps = [portfolio.level_cap(partner, lv) for lv in levels]
    if all(c is not None and c <= COMPUTE_TOL for c in caps):
        return f"the tier {partner.tier} cap is zero under every security level."
    if explained:
        return (
            "the solve did not say why (a solver limit kept it from finding this partner's "
            "best package alone)."
        )
    return (
        "the result does not record why (a result.json written before dealbench recorded it, "
        "or a solve made without its explanation); a solve of the same inputs says why."
    )
