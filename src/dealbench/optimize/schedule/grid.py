"""Whole steps: a smooth schedule's amounts put on the grid of a granularity.

The deals' terms are fixed (security level, concessions); only compute moves.
Allowed amounts per deal and period are the multiples of the step up to the
limit min(ask, cap), and that limit itself in whole units (one H100e, or one
chip when the step is written in chips): "the full ask" and "the cap" are
amounts a negotiator writes too.

Two ways, the cheap one first, each bound to stay within **one step's value**
of the smooth schedule (`step_value`): in `us-best`, V may fall by at most the
US value of one step of the most valuable compute (step x max |export value -
risk penalty x risk weight| over the deals); in `partner-best`, the partners'
total by at most the value of one step to the partner that values compute most,
with V at the floor or above.

- `largest_remainder` (`optimize.schedule.remainder`): every amount rounded down,
  partners that no longer accept get steps back (largest remainder first; when no
  step fits, a deal that accepts without one of its own gives it up), then the
  remaining remainders are rounded up, largest first, where supply and the risk
  budget leave room and the objective gains. Milliseconds.
- `closest` (`optimize.schedule.closest`): a small MIP (HiGHS) for the grid schedule
  closest to the smooth one (each deal's distance relative to its total) under
  every row of the portfolio and the bound. Used when the first fails.

Both return None when there is no such schedule. In single units, one-unit dips are
then filled by exchanges between deals (`optimize.schedule.dips`). This module holds what
the three share: a deal's fixed terms (`Deal`), the objective, the floors and the bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealbench.model.granularity import Granularity
from dealbench.model.package import Package
from dealbench.model.partner import Partner, value_on
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import Mode

Vector = np.ndarray[Any, np.dtype[np.float64]]


@dataclass
class Deal:
    """One package's fixed terms, as the schedule needs them (USD, H100e)."""

    package: Package
    partner: Partner
    index: int  # the partner's place in the portfolio
    top: list[float]  # per period: the largest amount allowed (the limit in whole units)
    limit: list[float]  # per period: the limit as written (ask or cap, H100e)
    a: float  # US value of one H100e delivered
    risk: float  # risk weight
    need: float  # what the partner's value of compute must reach for it to accept
    us_const: float  # US value of the concessions
    #: The partner's value segments (width H100e, USD per H100e), read once: the
    #: rounding asks for values tens of thousands of times at M.
    segments: list[tuple[float, float]] = field(init=False, repr=False)
    #: us-best: the least US value (concessions and compute, USD) rounded amounts must
    #: leave the deal: its partner's us_batna, where the smooth schedule gives the US at
    #: least that (`signable.keep_gains`); otherwise none.
    us_least: float = -math.inf

    def __post_init__(self) -> None:
        self.segments = self.partner.segments

    def worth(self, h100e: float) -> float:
        """`Partner.value_of` on the segments read once."""
        return value_on(self.segments, h100e)

    def value(self, amounts: Any) -> float:
        return sum(self.worth(float(x)) for x in amounts)

    def us_value(self, amounts: Any) -> float:
        """The deal's US value with `amounts` (its concessions and its compute), USD."""
        return self.us_const + self.a * float(np.sum(amounts))


def deal_of(pf: Portfolio, package: Package, grid: Granularity) -> Deal:
    # Its place by code (what `pf.partner` matches), not `partners.index`: that compares
    # whole partners field by field, half of this function's time at M.
    index = next(k for k, p in enumerate(pf.partners) if p.code == package.partner)
    partner = pf.partners[index]
    policy = pf.policy
    level = package.security
    risk = partner.diversion_risk * (1.0 - policy.level(level).mitigation)
    cost, us_value = 0.0, 0.0
    for cid, lid in package.granted().items():
        concession = partner.concession(cid)
        option = concession.option(lid) if concession else None
        assert option is not None
        cost += option.partner_cost
        us_value += option.us_value
    need = partner.batna + policy.acceptance_margin + partner.security_costs[level] + cost
    limits = [pf.cap(partner, level, t) for t in pf.periods]
    return Deal(
        package=package,
        partner=partner,
        index=index,
        top=limits if grid.h100e == 0 else [whole(m, grid.unit) for m in limits],
        limit=limits,
        a=policy.export_value_per_h100e - policy.risk_penalty_per_h100e * risk,
        risk=risk,
        need=need,
        us_const=us_value,
    )


def us_floor(pf: Portfolio, v_floor: float | None) -> float:
    """partner-best: the least V, USD (default: what the US has without any deal)."""
    return sum(p.us_batna for p in pf.partners) if v_floor is None else v_floor


#: USD by which rounded amounts may miss partner-best's V floor, as they may miss a
#: partner's acceptance (`keeps`): float noise. A floor set at a package's own V (an
#: offer at the US ideal) was missed by a hair at the declared step, which the rounding
#: then refined (256-chip steps became 25) for no gain the floor could see.
FLOOR_TOL = 1e3


def v_least(pf: Portfolio, v_floor: float | None) -> float:
    """The least V rounded amounts may give under partner-best (`us_floor`, less `FLOOR_TOL`)."""
    return us_floor(pf, v_floor) - FLOOR_TOL


def us_rest(pf: Portfolio, deals: list[Deal]) -> float:
    """V apart from compute: the concessions, and us_batna where there is no deal (USD)."""
    in_deal = {d.partner.code for d in deals}
    no_deal = sum(p.us_batna for p in pf.partners if p.code not in in_deal)
    return sum(d.us_const for d in deals) + no_deal


def partner_rest(pf: Portfolio, deals: list[Deal]) -> float:
    """The partners' total apart from the value of compute (USD)."""
    in_deal = {d.partner.code for d in deals}
    no_deal = sum(p.batna for p in pf.partners if p.code not in in_deal)
    margin = pf.policy.acceptance_margin
    return no_deal - sum(d.need - d.partner.batna - margin for d in deals)


def objective(pf: Portfolio, mode: Mode, deals: list[Deal], x: Vector) -> float:
    """V (us-best) or the partners' total (partner-best) of amounts `x`, USD."""
    if mode == "us-best":
        return us_rest(pf, deals) + sum(d.a * float(x[i].sum()) for i, d in enumerate(deals))
    return partner_rest(pf, deals) + sum(d.value(x[i]) for i, d in enumerate(deals))


def step_value(mode: Mode, deals: list[Deal], step: float) -> float:
    """What rounding may cost: one step of the most valuable compute (see module)."""
    if mode == "us-best":
        return step * max((abs(d.a) for d in deals), default=0.0)
    return step * max((d.partner.segments[0][1] for d in deals), default=0.0)


def whole(amount: float, unit: float) -> float:
    """`amount` floored to whole units (a hair of float noise forgiven)."""
    return clean(math.floor(amount / unit + 1e-9) * unit)


def clean(amount: float) -> float:
    """A whole number of H100e stays exactly whole (no 35000.000000001)."""
    nearest = round(amount)
    return float(nearest) if abs(amount - nearest) < 1e-6 else float(amount)


def keeps(
    pf: Portfolio, mode: Mode, deals: list[Deal], x: Vector, least: float, v_floor: float | None
) -> bool:
    """Every partner accepts, the objective is within one step's value, every deal keeps
    the US value it must (`Deal.us_least`, to `FLOOR_TOL`) and (partner-best) V is at
    the floor."""
    if any(d.value(x[i]) < d.need - 1e3 for i, d in enumerate(deals)):
        return False
    if any(d.us_value(x[i]) < d.us_least - FLOOR_TOL for i, d in enumerate(deals)):
        return False
    if objective(pf, mode, deals, x) < least:
        return False
    return mode == "us-best" or objective(pf, "us-best", deals, x) >= v_least(pf, v_floor)
