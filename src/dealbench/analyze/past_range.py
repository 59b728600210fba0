"""What lies past the end of a shadow price's range: the next rate, or the cliff.

A price holds "down to 999,742" because there the fixed LP changes: either its
slope (the next segment of V, with today's choices held) or its feasibility
(today's deals, security levels and concessions no longer fit: every partner is
held at its walk-away value plus margin, and less of the limit cannot keep them
all accepting). Past a cliff the full model must change its choices, and V can
fall by far more than the price says (gulf-asia: 2026 supply is worth $4,160 per
H100e down to 999,742; at 999,000 AM loses its deal and V falls by $183m, 44 times
what the price gives for 1,000 H100e).

So each finite end of a range is followed one step past it (`past_point`: the first
whole step of the portfolio's compute, or of `MIN_STEP` for the risk budget, beyond
the end, a limit a user would set), the fixed LP there says which of the two it is,
and where that point is nearer the limit than the price's own step re-solves (which
then already lie past it and average the cliff over a whole step), the full model is
re-solved there too, and what it gives is said with what changes.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.fixed_lp import FixedLP, LimitRow, end_precision
from dealbench.analyze.steps import StepResolve
from dealbench.figures import quantity, usd

Side = Literal["below", "above"]


class PastRange(BaseModel):
    """One step past one end of a price's range."""

    model_config = ConfigDict(frozen=True)

    side: Side = Field(description="below: past `holds_from`; above: past `holds_to`")
    end: float = Field(description="The end of the range (the limit's value)")
    at: float = Field(description="The limit one whole step past the end")
    fits: bool = Field(
        description="Today's deals, security levels and concessions still fit at `at`"
    )
    lp_rate: float | None = Field(
        description="With those held, USD per unit from `end` to `at`: each one cut costs "
        "(below), each one more gains (above); None where they no longer fit"
    )
    us_change: float | None = Field(
        default=None,
        description="The full model re-solved at `at`: its US value less the US value now "
        "(USD); None where not re-solved (today's choices fit there and the price's own "
        "step re-solve lies nearer)",
    )
    lp_until: float | None = Field(
        default=None,
        description="How far `lp_rate` holds: the limit down to (below) or up to (above) "
        "which it does (None: however far, or they no longer fit)",
    )
    fits_after: bool = Field(
        default=True, description="Whether they still fit just past `lp_until`"
    )
    at_price: float = Field(
        description="What the price alone gives for the move from the limit to `at` (USD)"
    )
    changes: list[str] = Field(default_factory=list, description="Choices that re-solve changes")
    titled: list[str] = Field(default_factory=list, exclude=True)

    def words(self, unit: str, *, titled: bool = False) -> str:
        """ "Below 999,742 today's deals, security levels and concessions no longer fit:
        re-solved at 999,000, the full model gives the US $183.4m less, as AM no longer
        gets a deal." """
        end = quantity(self.end)
        head = "Below" if self.side == "below" else "Past"
        if not self.fits:
            said = (
                f"{head} {end} today's deals, security levels and concessions no longer fit "
                "(no schedule within the limits keeps every partner accepting them)"
            )
        elif abs(self.lp_rate or 0.0) < 0.5:
            what = "a cut costs nothing" if self.side == "below" else "more is worth nothing"
            said = f"{head} {end}, with those held, {what}"
        elif self.side == "below":
            said = f"{head} {end}, with those held, each one cut costs {usd(self.lp_rate)}"
        else:
            said = f"{head} {end}, with those held, each one more gains {usd(self.lp_rate)}"
        if self.fits and self.lp_until is not None:
            said += f", {'down' if self.side == 'below' else 'up'} to {quantity(self.lp_until)}"
            if not self.fits_after:
                said += ", below which they no longer fit"
        if self.us_change is None:
            return said + "."
        how = "more" if self.us_change >= 0 else "less"
        changes = self.titled if titled else self.changes
        because = f", as {', '.join(changes)}" if changes else ", with the same choices"
        return (
            f"{said}: re-solved at {quantity(self.at)} {unit}, the full model gives the US "
            f"{usd(abs(self.us_change))} {how} than now (at the shadow price: "
            f"{usd(self.at_price)}){because}."
        )


def past_point(limit: LimitRow, end: float, side: Side, grid: float) -> float | None:
    """The first whole `grid` past `end` (below or above it); None below 0. An end found
    by bisection lies up to `end_precision` inside the range, so a whole step that close
    to it is the end itself, not past it."""
    if side == "below":
        at = math.floor((_beyond(limit, end, side) - 1e-6) / grid) * grid
        return at if at >= 0 else None
    return math.ceil((_beyond(limit, end, side) + 1e-6) / grid) * grid


def _beyond(limit: LimitRow, end: float, side: Side) -> float:
    """A point just past `end` of `limit`'s range, further out than its ends' precision."""
    nudge = max(abs(end) * 1e-6, 1e-3, 2.0 * end_precision(limit))
    return end - nudge if side == "below" else end + nudge


def needs_resolve(limit: LimitRow, past: PastRange, step: float) -> bool:
    """Whether the full model is re-solved at `past.at`: where today's choices no longer
    fit there (a cliff the price cannot show), or where it is nearer the limit than the
    price's step re-solves (`step` away), which then lie past the end and average what
    happens there over the whole step."""
    return not past.fits or abs(past.at - limit.value) < step - 1e-9


def past_range(
    lp: FixedLP, limit: LimitRow, end: float, side: Side, at: float, price: float
) -> PastRange:
    """What the fixed LP says past `end` of `limit`'s range (whose price is `price`): the
    slope of V just past it and how far that holds, and whether today's choices still fit
    at `at`."""
    nxt = lp.price_at(limit, _beyond(limit, end, side))
    fits = nxt is not None and lp.value_at(limit, at) is not None
    until = None
    if nxt is not None:
        until = nxt.holds_from if side == "below" else nxt.holds_to
    after = True
    if fits and until is not None:
        beyond = _beyond(limit, until, side) if side == "below" else None
        after = beyond is None or beyond < 0 or lp.value_at(limit, beyond) is not None
    return PastRange(
        side=side,
        end=end,
        at=at,
        fits=fits,
        lp_rate=nxt.usd_per_unit if fits and nxt is not None else None,
        lp_until=until if fits else None,
        fits_after=after,
        at_price=price * abs(at - limit.value),
    )


def resolved_past(past: PastRange, resolved: StepResolve | None, base: float | None) -> PastRange:
    """`past` with the full model re-solved at its `at` (`resolved`), measured from `base`."""
    if resolved is None or resolved.objective is None or base is None:
        return past
    return past.model_copy(
        update={
            "us_change": resolved.objective - base,
            "changes": resolved.changes,
            "titled": resolved.titled,
        }
    )
