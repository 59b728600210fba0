"""A partner's concessions: yes/no, levelled, or a range of amounts between levels."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Annotated

from pydantic import (
    Field,
    PrivateAttr,
)

from dealbench.model import amounts
from dealbench.model.base import (
    Category,
    Id,
    Money,
    Strict,
    UncertainMoney,
)
from dealbench.model.fields import ClauseText, Text

#: The level id of a yes/no concession (written `true` in packages).
GRANTED = "granted"


class ConcessionLevel(Strict):
    id: Id
    title: Text
    us_value: Money
    partner_cost: UncertainMoney
    #: The level's amount, on a range concession (in the range's unit).
    amount: Money | None = None


class AmountRange(Strict):
    """`amount:` on a concession: any amount between its levels' amounts may be granted."""

    #: Printed beside every amount of the range in documents: one line of plain text, as a
    #: title is (an escape byte here reached the DOCX writer).
    unit: Annotated[Text, Field(max_length=16)] = "USD"
    #: Where the range starts when below the first level's amount: worth 0, costing 0 there.
    min: Annotated[Money, Field(ge=0)] | None = None
    #: The optimizer offers whole multiples of `step` inside the range (and the levels).
    step: Annotated[Money, Field(gt=0)] | None = None


class SecurityRequirement(Strict):
    security: Id


Requirement = Id | SecurityRequirement


class Concession(Strict):
    id: Id
    title: Text
    category: Category = "other"
    levels: Annotated[list[ConcessionLevel], Field(min_length=1)] | None = None
    us_value: Money | None = None
    partner_cost: UncertainMoney | None = None
    #: Makes the concession a range (see dealbench.model.amounts).
    amount: AmountRange | None = None
    clause: ClauseText | None = None
    requires: list[Requirement] = Field(default_factory=list)
    excludes: list[Id] = Field(default_factory=list)
    #: Amounts the optimizer may choose besides the grid (`with_amounts`); never in a file.
    _also: tuple[float, ...] = PrivateAttr(default=())

    @cached_property
    def options(self) -> list[ConcessionLevel]:
        """The grantable levels; a yes/no concession has one, `granted`."""
        if self.levels is not None:
            return list(self.levels)
        return [
            ConcessionLevel(
                id=GRANTED,
                title=self.title,
                us_value=self.us_value or 0.0,
                partner_cost=self.partner_cost if self.partner_cost is not None else 0.0,
            )
        ]

    @property
    def is_yes_no(self) -> bool:
        return self.levels is None

    @property
    def is_range(self) -> bool:
        return self.amount is not None and self.levels is not None

    @cached_property
    def points(self) -> list[amounts.Point]:
        """A range's breakpoints (amount, US value, partner cost); empty for other concessions."""
        if self.amount is None or self.levels is None:
            return []
        out = [(lv.amount, lv.us_value, lv.partner_cost) for lv in self.levels]
        if any(a is None for a, _, _ in out):
            return []  # reported by the rules
        points = [(float(a or 0.0), u, c) for a, u, c in out]
        low = self.amount.min
        if low is not None and points and low < points[0][0]:
            points.insert(0, (low, 0.0, 0.0))
        return points

    @cached_property
    def choices(self) -> list[ConcessionLevel]:
        """What the optimizer may grant: the levels, and on a range the grid's amounts."""
        if not self.is_range or self.amount is None:
            return self.options
        grid = self._grid()
        also = [a for a in self._also if not any(amounts.same(a, b) for b in grid)]
        between = [self._at(a, amounts.amount_text(a)) for a in [*grid, *also]]
        merged = [*self.options, *(o for o in between if o is not None and o not in self.options)]
        return sorted(merged, key=lambda o: o.amount or 0.0)

    def _grid(self) -> list[float]:
        return amounts.grid(self.points, self.amount.step if self.amount else None)

    def off_step(self, amount: float) -> tuple[float | None, float | None] | None:
        """The nearest amounts the optimizer offers below and above `amount` (None where
        there is none) when the range declares a `step` and `amount` is neither a level's
        amount nor a whole multiple of it; None when it is on the step (or there is no step)."""
        step = self.amount.step if self.amount is not None and self.is_range else None
        if step is None or amounts.value_at(self.points, amount) is None:
            return None
        offered = [*(o.amount for o in self.options if o.amount is not None), *self._grid()]
        if any(amounts.same(amount, a) for a in offered) or amounts.same(
            amount / step, round(amount / step)
        ):
            return None
        below = [a for a in offered if a < amount]
        above = [a for a in offered if a > amount]
        return (max(below) if below else None, min(above) if above else None)

    def with_amounts(self, extra: Iterable[float]) -> Concession:
        """This concession with `extra` amounts also offered to the optimizer, beside the
        levels and the grid (amounts outside the range, or not a range, change nothing):
        a counter's own amount, so that the frontier point computed for it may name it."""
        known = [o.amount for o in self.choices if o.amount is not None]
        new = [a for a in extra if not any(amounts.same(a, b) for b in known)]
        if not self.is_range or not new:
            return self
        copy = self.model_copy()
        copy.__dict__.pop("choices", None)
        copy._also = tuple(sorted({*self._also, *new}))
        return copy

    def option(self, level_id: str) -> ConcessionLevel | None:
        """The level `level_id` names; on a range also any amount in it (`75bn`), valued by
        interpolation between the neighbouring levels and named in its canonical text
        (`75bn` however it was written: `75_000_000_000`, `75000000000`)."""
        level = next((o for o in self.options if o.id == level_id), None)
        if level is not None or not self.is_range:
            return level
        amount = amounts.parse_amount(level_id)
        return None if amount is None else self._at(amount, amounts.amount_text(amount))

    def _at(self, amount: float, text: str) -> ConcessionLevel | None:
        valued = amounts.value_at(self.points, amount)
        if valued is None or self.amount is None:
            return None
        same = next(
            (o for o in self.options if o.amount is not None and amounts.same(o.amount, amount)),
            None,
        )
        if same is not None:
            return same
        return ConcessionLevel(
            id=text,
            title=amounts.amount_label(amount, self.amount.unit),
            us_value=valued[0],
            partner_cost=valued[1],
            amount=amount,
        )

    def range_text(self) -> str:
        """`200bn to 1.4tn` for a range; empty otherwise."""
        if not self.points:
            return ""
        lo, hi = self.points[0][0], self.points[-1][0]
        return f"{amounts.amount_text(lo)} to {amounts.amount_text(hi)}"
