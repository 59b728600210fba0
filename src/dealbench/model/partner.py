"""A partner: its ask, its value curve, its walk-away value and its concessions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from dealbench.model.base import (
    Compute,
    Id,
    Money,
    Period,
    Strict,
    UncertainMoney,
    UncertainShare,
)
from dealbench.model.concession import Concession
from dealbench.model.error_words import refuse_problems
from dealbench.model.fields import Text
from dealbench.model.names import Article, in_text
from dealbench.model.partner_rules import partner_problems

#: A key that reads as a period label (`2026`, `2026Q3`, `2026H1`).
_PERIODISH = re.compile(r"^\d{4}([QqHh]\d+)?$")


class Segment(Strict):
    upto: Annotated[Compute, Field(gt=0)]
    value: UncertainMoney


def value_on(segments: list[tuple[float, float]], h100e: float) -> float:
    """The value of `h100e` on a curve of (width, value per H100e) segments, filled in order."""
    total, left = 0.0, max(h100e, 0.0)
    for width, value in segments:
        take = min(left, width)
        total += take * value
        left -= take
        if left <= 0:
            break
    return total


class Partner(Strict):
    """A partner (deals/partners/*.yaml; `load_partner` reads one): its tier, ask per period,
    value curve, walk-away values, security costs and concessions, held to its own rules
    (`partner_rules`) however it is built."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    name: Text
    #: Whether running English puts "the" before the name ("the Philippines"); without
    #: it, `names.takes_the` decides (headings and table cells keep the name bare).
    article: Article | None = None
    tier: Literal[1, 2, 3]
    diversion_risk: UncertainShare
    ask: dict[Period, Annotated[Compute, Field(ge=0)]]
    value_per_h100e: UncertainMoney | Annotated[list[Segment], Field(min_length=1)]
    batna: UncertainMoney
    us_batna: Money = 0.0
    security_costs: Annotated[dict[Id, Money], Field(min_length=1)]
    concessions: list[Concession] = Field(default_factory=list)

    @field_validator("tier", mode="before")
    @classmethod
    def _tier_number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # `tier: true` is not tier 1
            raise ValueError(f"expected 1, 2 or 3, got {str(value).lower()}")
        if isinstance(value, str) and value.strip() in ("1", "2", "3"):
            return int(value)
        if isinstance(value, int) and value not in (1, 2, 3):
            raise ValueError(
                f"expected 1, 2 or 3, got {value if abs(value) < 10**6 else 'a large number'}"
            )
        return value

    @field_validator("value_per_h100e", mode="before")
    @classmethod
    def _one_curve(cls, value: Any) -> Any:
        """A mapping that is not a distribution is neither form of the curve: say what it
        looked like it meant (a value per period, a segment outside its list) and what to
        write, not only "expected an amount, got a mapping" (qa46-newuser)."""
        if not isinstance(value, Mapping) or "dist" in value:
            return value
        if value and all(_PERIODISH.match(str(key)) for key in value):
            raise ValueError(
                "expected one curve for every period, an amount (25k) or a list of segments "
                "({upto, value}), got a value per period; a partner's value per H100e is the "
                "same in every period"
            )
        if value and set(value) <= {"upto", "value"}:
            raise ValueError(
                "expected a list of segments, got one segment outside a list; write each "
                "segment as an item of the list: `- {upto: 20_000, value: 30k}`"
            )
        return value

    @model_validator(mode="after")
    def _own_rules(self) -> Partner:
        """The rules of a partner on its own (`partner_rules`), each at its place: a
        partner built in code (`Partner(...)`, `Partner.model_validate`) is held to them as
        one read from a file or changed by `--set` is."""
        refuse_problems("Partner", partner_problems(self))
        return self

    @cached_property
    def segments(self) -> list[tuple[float, float]]:
        """(width, value per H100e) of each segment of the value curve, in order."""
        if isinstance(self.value_per_h100e, list):
            out, start = [], 0.0
            for seg in self.value_per_h100e:
                out.append((seg.upto - start, seg.value))
                start = seg.upto
            return out
        return [(float("inf"), self.value_per_h100e)]

    def in_text(self, *, start: bool = False) -> str:
        """The name as running English says it ("the Philippines"): `names.in_text`."""
        return in_text(self.name, self.article, start=start)

    def value_of(self, h100e: float) -> float:
        """The partner's value of `h100e` delivered in one period (concave, piecewise linear)."""
        return value_on(self.segments, h100e)

    def concession(self, concession_id: str) -> Concession | None:
        return next((c for c in self.concessions if c.id == concession_id), None)
