"""The base of dealbench's data types and the field types parsed on the way in.

`Strict` is every model read from a file: `extra="forbid"` (a typo is an error), frozen.
Units are parsed on the way in (money to USD, compute to H100e, periods to text). Rules
that need more than one field live in `dealbench.model.rules`, `partner_rules` and
`package_rules`, which report each problem at its exact place in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from dealbench.model.distributions import uncertain
from dealbench.model.fields import Fraction
from dealbench.units import (
    empty_value,
    is_empty,
    number_in,
    parse_compute,
    parse_money,
    parse_share,
    parse_share_number,
    period_label,
)

Money = Annotated[float, BeforeValidator(parse_money)]
Compute = Annotated[float, BeforeValidator(parse_compute)]
#: A risk budget: risk-weighted H100e over a portfolio's horizon, a plain number (a unit
#: written after it is refused saying the field's, `units.number_in`).
RiskBudget = Annotated[float, BeforeValidator(number_in("risk-weighted H100e"))]
#: An amount of USD written as a plain number (a round's utilities, as dealbench records
#: them): `30bn` is refused with the number meant.
UsdNumber = Annotated[float, BeforeValidator(number_in("USD"))]
Period = Annotated[str, BeforeValidator(period_label)]
#: A partner figure that may be a distribution (DESIGN.md "Scenarios and uncertainty"):
#: the float is its mean, for every deterministic use (`dealbench.model.distributions`).
UncertainMoney = Annotated[Money, uncertain(parse_money)]
UncertainShare = Annotated[Fraction, uncertain(parse_share, 0.0, 1.0, shape=parse_share_number)]


def id_text(value: Any) -> Any:
    """An id written as a number (`id: 2030`, `invest: 200`) is that text. One YAML reads
    as a decimal number or a date (`id: 1.50`, `1e3`, `2026-01-01`) is not kept as written
    (1.5, 1000.0), so it is refused with the way to write it, not "expected text"."""
    if is_empty(value):
        raise ValueError(empty_value(_AN_ID))
    if isinstance(value, float | dt.date):
        read = f"the date {value}" if isinstance(value, dt.date) else f"the number {value!r}"
        raise ValueError(
            f"read by YAML as {read}, not as the id written; write the id in quotes to keep "
            "it as written"
        )
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_AN_ID = "an id of letters, digits, '_', '.' and '-', starting with a letter or digit"
ID_RE = re.compile(_ID_PATTERN)
Id = Annotated[str, BeforeValidator(id_text), Field(pattern=_ID_PATTERN, max_length=64)]

#: Concession categories of DESIGN.md.
Category = Literal["investment", "purchase", "security", "alignment", "market-access", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with `update`, every cached figure (segments, options, ...) is recomputed
        from the new fields rather than carried over from the original."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            for name in _cached_properties(type(self)):
                copy.__dict__.pop(name, None)
        return copy


def _cached_properties(cls: type) -> list[str]:
    return [
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    ]
