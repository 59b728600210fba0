"""The shared limits (supply in a period, the risk budget) packages leave no room in:
`used_up`, and the risk budget's sentence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from dealbench.checker.deal import DealFigures
from dealbench.checker.tolerance import COMPUTE_TOL, in_full, reachable
from dealbench.figures import quantity
from dealbench.model.portfolio import Portfolio


class SharedFigures(Protocol):
    """What `used_up` reads: a `PortfolioCheck` or a `SolveResult`."""

    @property
    def deals(self) -> list[DealFigures]: ...
    @property
    def supply(self) -> dict[str, float]: ...
    @property
    def supply_used(self) -> dict[str, float]: ...
    @property
    def risk_total(self) -> float: ...
    @property
    def risk_budget(self) -> float | None: ...


def used_up(
    portfolio: Portfolio, figures: SharedFigures, step: float | None = None
) -> tuple[list[str], bool]:
    """The periods whose supply, and whether the risk budget, the packages leave no room in.

    A shared limit is used up when the packages use all of it (within the checker's
    tolerance), or when what they leave is less than one step of the portfolio's
    granularity takes (of supply; of risk, for the deal in question) while a deal short
    of its ask and cap would take more than is left: compute is decided in whole steps
    (or the full ask), so that remainder cannot be given, and the limit is what holds the
    deal back. A period without supply is used up when a deal would take some in it (its
    ask and cap allow it): nothing else holds that deal's compute there at 0. `solve`'s
    binding limits, the documents and the no-deal reasons read this.

    `step`: the step the packages' compute is in (H100e; 0: unrounded), where a solve put
    it on a finer grid than the portfolio's because the declared steps did not fit (a
    solve's `SolveResult.compute_step`); None: the portfolio's. One more step of the
    declared grid may exceed what is left where one of the schedule's does not (ridge's
    budget, 8.9 left: 22.7 risk-weighted H100e for 250 B200 chips of LB, 2.3 for 25).
    """
    step = portfolio.granularity.h100e if step is None else step

    def room(deal: DealFigures, t: str) -> float:
        return room_in(portfolio, deal, t)

    supply = []
    for t, limit in figures.supply.items():
        left = limit - figures.supply_used.get(t, 0.0)
        exact = in_full(limit, figures.supply_used.get(t, 0.0)) and (
            limit > 0 or any(room(d, t) > COMPUTE_TOL for d in figures.deals)
        )
        held = 0 < left < step and any(room(d, t) > left + COMPUTE_TOL for d in figures.deals)
        if exact or held:
            supply.append(t)
    budget = figures.risk_budget
    risk = False
    if budget is not None and budget > 0:
        left = budget - figures.risk_total
        risk = in_full(budget, figures.risk_total)
        for deal in figures.deals:
            weight = deal.risk / deal.total_compute if deal.total_compute > 0 else 0.0
            if any(
                weight * room(deal, t) > left + COMPUTE_TOL and weight * step > left
                for t in deal.compute
            ):
                risk = True
    return supply, risk


def room_in(portfolio: Portfolio, deal: DealFigures, period: str) -> float:
    """How much more `deal` could take in `period` under its ask and its cap."""
    partner = portfolio.partner(deal.partner)
    if partner is None:
        return 0.0
    top = portfolio.ask(partner, period)
    cap = portfolio.level_cap(partner, deal.security)
    if cap is not None:
        top = min(top, cap)
    return max(reachable(portfolio, top) - deal.compute.get(period, 0.0), 0.0)


def risk_used_up_line(budget: float, risk_total: float) -> str:
    """The sentence for a risk budget `used_up` says is used up: the budget alone where the
    deals carry all of it, else what they carry of it and why the rest is out of reach."""
    if budget - risk_total < 0.5:
        return f"The risk budget is used up ({quantity(budget)} risk-weighted H100e)."
    return (
        f"The risk budget is used up: the deals carry {quantity(risk_total)} of its {quantity(budget)} "
        "risk-weighted H100e, and one more step of a deal that wants more would take more "
        "than is left."
    )


class _Relaxed(Protocol):
    """What `supply_wanted` reads of one remedy of a no-deal reason (`reasons.Relaxation`)."""

    @property
    def kind(self) -> str: ...
    @property
    def period(self) -> str | None: ...


class NoDealWhy(Protocol):
    """What `supply_wanted` reads of why a partner has no deal (`reasons.NoDeal`)."""

    @property
    def reason(self) -> str: ...
    @property
    def relax(self) -> Sequence[_Relaxed]: ...


#: Why a partner has no deal where, unless its remedy names supply, more supply would not
#: give it one (`reasons.NoDeal.reason`).
NOT_FOR_SUPPLY = ("no-acceptable-package", "not-worth-it", "walked-away")


def supply_wanted(
    portfolio: Portfolio,
    deals: Sequence[DealFigures],
    no_deal: Sequence[str],
    period: str,
    why: Callable[[str], NoDealWhy | None],
) -> bool:
    """Whether someone wants more of `period`'s supply, so that the supply, used in full,
    holds them back (binds): a deal short of its ask and cap there, or a partner without a
    deal that the shared limits keep out, or whose reason (`why`, by code) is not known.
    A supply every deal's full ask takes, beside partners kept out by anything else, binds
    no one: more of it is worth $0 (`--prices`). `solve`'s binding limits, "Limits that
    bind" and the portfolio memo's trade-offs all read this."""
    if any(room_in(portfolio, d, period) > COMPUTE_TOL for d in deals):
        return True
    for code in no_deal:
        said = why(code)
        if said is None or said.reason not in NOT_FOR_SUPPLY:
            return True
        if any(r.kind == "supply" and r.period in (None, period) for r in said.relax):
            return True
    return False


def unknown_why(code: str) -> None:
    """No reason known for any partner (`supply_wanted` before the no-deal reasons)."""
    return None
