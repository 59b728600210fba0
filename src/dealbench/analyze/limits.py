"""Which limit decides what a partner gets, in a few words (for comparison tables).

Read from the checked figures and the portfolio, and for a partner without a deal
its best package alone (one small solve):

- a deal's compute in each period sits on its ask (a period the partner asks nothing
  in: "asks nothing"), its cap, the shared supply or the risk budget; short of all of
  them, the partner accepts no whole step less ("acceptance", however far its
  utility is above its walk-away value) or the risk penalty outweighs the value of
  more compute. The
  periods are named when the reasons differ between them;
- a partner without a deal is embargoed (tier 3), asks nothing in the portfolio's
  periods, is capped to nothing, is capped below anything it accepts (the most
  compute each level allows, with no concession asked, is worth less to it than its
  walk-away value, where its full ask would be worth more: `check` says so), accepts
  no package (not even its full ask reaches its walk-away value), accepts no package
  the limits allow (its full ask would do, but not within the supply; or the risk budget
  allows none it accepts even with every limit to itself), has no package it accepts
  worth more to the US than no deal, or has one but the supply (in a period that
  package needs) or the risk budget, or both, are used up by the deals the optimum
  prefers (when the time limit stopped the solve, only that none was found: the
  packages are not proven best). These are the cases `solve` explains at length
  (`optimize.explain.no_deal.why_no_deal`), by the same solve and in words that agree with it.
"""

from __future__ import annotations

from typing import Protocol

from dealbench.checker import DealFigures, evaluate
from dealbench.checker.tolerance import at_limit, least_accepted
from dealbench.checker.used_up import used_up
from dealbench.list_words import spans
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.explain.no_deal import best_alone, why_no_deal
from dealbench.optimize.explain.shared_limits import shortfall

__all__ = ["decided_by", "decided_by_each", "limit_basis"]

TOL = 0.5  # H100e


def decided_by(pf: Portfolio, result: SolveResult, code: str) -> str:
    """What decides what partner `code` gets in `result`."""
    partner = pf.partner(code)
    assert partner is not None
    return _reason(pf, result, partner, used_up(pf, result, result.compute_step))


def decided_by_each(pf: Portfolio, result: SolveResult) -> dict[str, str]:
    """`decided_by` for every partner of `pf`, the shared limits' use read once (a
    comparison table's column: reading it per deal was half the table's time)."""
    shared = used_up(pf, result, result.compute_step)
    return {p.code: _reason(pf, result, p, shared) for p in pf.partners}


def _reason(
    pf: Portfolio, result: SolveResult, partner: Partner, shared: tuple[list[str], bool]
) -> str:
    deal = result.deal(partner.code)
    if deal is None:
        return _no_deal(pf, result, partner)
    return _deal(pf, partner, deal, shared, result.compute_step)


def _deal(
    pf: Portfolio,
    partner: Partner,
    deal: DealFigures,
    shared: tuple[list[str], bool],
    step: float | None,
) -> str:
    """`shared`: the periods whose supply, and whether the risk budget, the deals use up
    (`used_up.used_up`: what is left is less than a step, if any); `step`: the step the
    compute is in (H100e; None: the portfolio's). Short of every limit, "acceptance" where
    the partner accepts no step less (`least_accepted`: its margin over its walk-away
    value is less than one step is worth to it), whatever that margin is."""
    code = partner.code
    periods: dict[str, list[str]] = {}
    cap = pf.level_cap(partner, deal.security)
    full, risk_used_up = shared
    for t in pf.periods:
        x = deal.compute.get(t, 0.0)
        ask = pf.ask(partner, t)
        if ask <= TOL:  # a partner file may ask in some of the periods only: none here
            reason = "asks nothing"
        elif at_limit(pf, x, ask):  # in whole units: a chip short may be the ask
            reason = "full ask"
        elif cap is not None and at_limit(pf, x, cap):
            own = code in pf.caps and deal.security in pf.caps[code]
            reason = f"{'own ' if own else ''}cap under {deal.security}"  # as `solve` says it
        elif t in full:
            reason = "supply"
        elif risk_used_up:
            reason = "risk budget"
        elif least_accepted(pf, deal, step):
            reason = "acceptance"  # the least (whole step) the partner accepts
        else:
            reason = "risk penalty"
        periods.setdefault(reason, []).append(t)
    if len(periods) == 1:
        return next(iter(periods))
    return ", ".join(f"{reason} ({spans(pf.periods, ts)})" for reason, ts in periods.items())


def _no_deal(pf: Portfolio, result: SolveResult, partner: Partner) -> str:
    if partner.tier == 3:
        return "tier 3: embargo"
    if not any(pf.ask(partner, t) > TOL for t in pf.periods):  # asks lie beyond the horizon
        return "asks nothing in these periods"
    levels = pf.levels_for(partner)
    if all(pf.cap(partner, level, t) <= TOL for level in levels for t in pf.periods):
        return "caps allow nothing"
    if not any(_accepts_most(pf, partner, level) for level in levels):
        # The cap decides only if, without it, the partner would accept: a partner whose
        # walk-away value even its full ask does not reach accepts no package, whatever
        # the caps below that ask.
        capped = any(_accepts_most(pf, partner, level, capped=False) for level in levels)
        unsupplied = (_accepts_most(pf, partner, lv, capped=False, supplied=False) for lv in levels)
        if not capped and not any(unsupplied):
            return "accepts no package"
        # The caps or the supply keep it out: which, as `solve` says it (its least change
        # that opens a deal worth having: VN under gates, told to raise the 2027 supply, was
        # "cap below what it accepts" here).
        return _remedy_words(pf, result, partner.code)
    # The partner's best package with every limit to itself, as `solve` explains it
    # (`why_no_deal`): read from the optimum alone, a partner worth nothing to the US
    # beside a full limit was said to lose the limit to others, and one whose deal needs
    # more than the others leave, "not worth it".
    alone = best_alone(pf, partner.code)
    if alone.status == Status.INFEASIBLE:  # the risk budget, alone: the caps allow one
        return _remedy_words(pf, result, partner.code)
    deal = alone.deal(partner.code)
    if deal is not None and deal.us_margin <= 0.5:
        return "not worth it to the US"
    if result.status == Status.TIME_LIMIT:  # not the best packages: nothing proves why
        return "none found in the time limit"
    if deal is None:  # a solver limit alone: say nothing rather than guess
        return "not known"
    supply, risk = shortfall(pf, result, deal)
    if supply and risk is not None:
        return "supply and risk budget go to others"
    if supply:
        return "supply goes to others"
    if risk is not None:
        return "risk budget goes to others"
    return "deals worth more displace it"


#: The limits a remedy changes, as the table names them, in the order it names them.
_REMEDY_LIMITS = {"cap": "cap", "supply": "supply", "risk-budget": "risk budget"}


def _remedy_words(pf: Portfolio, result: SolveResult, code: str) -> str:
    """The limits `solve`'s remedy for `code` changes (`why_no_deal`, or the reason the
    result carries), in a few words: "supply below what it accepts"; where it changes
    another kind of limit, or is not known, "no package it accepts fits the limits"."""
    said = result.no_deal_reason(code)
    if said is None or not said.explained:
        alone = result.model_copy(update={"no_deal": [code]})
        said = next(iter(why_no_deal(pf, alone)), None)
    kinds = {r.kind for r in said.relax} if said is not None else set()
    if not kinds or not kinds <= _REMEDY_LIMITS.keys():
        return "no package it accepts fits the limits"
    names = [name for kind, name in _REMEDY_LIMITS.items() if kind in kinds]
    return f"{' and '.join(names)} below what it accepts"


def _accepts_most(
    pf: Portfolio, partner: Partner, level: str, *, capped: bool = True, supplied: bool = True
) -> bool:
    """Whether the partner accepts the most compute `level` (its cap, unless not `capped`)
    and supply (unless not `supplied`) allow within its ask, with no concession asked."""
    compute = {
        t: min(
            pf.cap(partner, level, t) if capped else pf.ask(partner, t),
            pf.supply[t] if supplied else pf.ask(partner, t),
        )
        for t in pf.periods
    }
    package = Package(partner=partner.code, security=level, compute=compute)
    return evaluate(pf, package).accepts


class _OfALimit(Protocol):
    """A limit's cost or shadow price: what kind of limit, and whose cap at which level."""

    @property
    def kind(self) -> str: ...
    @property
    def partner(self) -> str | None: ...
    @property
    def level(self) -> str | None: ...


def limit_basis(pf: Portfolio, limit: _OfALimit) -> str | None:
    """How the policy writes a cap the portfolio pro-rates (`Portfolio.cap_basis`), for a
    limit with a `kind`, `partner` and `level` (a limit's cost, or its shadow price); None
    for any other limit or a cap as written."""
    partner = pf.partner(limit.partner or "")
    if limit.kind != "cap" or partner is None or limit.level is None:
        return None
    return pf.cap_basis(partner, limit.level)
