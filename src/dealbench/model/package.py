"""A package: a deal's terms, as offered, countered or found by the optimizer."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from dealbench.model import amounts
from dealbench.model.base import (
    ID_RE,
    Compute,
    Id,
    Period,
    Strict,
    id_text,
)
from dealbench.model.concession import GRANTED
from dealbench.model.fields import RoundNumber, Site, Text
from dealbench.model.granularity import Granularity
from dealbench.units import (
    CHIP_TPP,
    H100_TPP,
    empty_value,
    is_empty,
    kind_said,
    parse_money,
    parse_number,
    period_label,
)


def _choice_text(value: Any) -> Any:
    """A concession's value in a package: a level id, true/false, or an amount. An amount
    written as a number (`7.5e10`) or with a currency (`USD 75bn`, `$75bn`) becomes its
    canonical text (`75bn`); whether it is a level or an amount is decided against the
    partner's menu (`Concession.option`)."""
    if is_empty(value):
        raise ValueError(empty_value("a level id, true or false, or an amount"))
    if isinstance(value, bool):
        return value
    if not isinstance(value, int | float | str | dt.date):  # a list, a mapping, a `!!set`
        raise ValueError(f"expected {_A_CHOICE}; got {kind_said(value)}")
    if isinstance(value, str) and ID_RE.match(value):
        # A level id, or an amount written like one (`75bn`): the menu decides which. No
        # sign can lead it, so it is no negative amount either (reading it as an amount
        # to ask was a failed parse for every level id of every package validated: 18,611
        # at M seed 2's joint frontier).
        return value
    if isinstance(value, float) and not value < 0:  # nan, inf, 1e308: refused as amounts
        return amounts.amount_text(parse_money(value))
    if isinstance(value, str) and not ID_RE.match(value):
        amount = amounts.parse_amount(value)
        if amount is not None and amount >= 0:
            return amounts.amount_text(amount)
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        amount = value if not isinstance(value, str) else amounts.parse_amount(value)
        if amount is not None and amount < 0:  # not an id's syntax error: an amount's sign
            raise ValueError(f"{value} is a negative amount; an amount is 0 or more")
        if isinstance(value, str) and amount is None and not ID_RE.match(value):
            # "75 billion", "75bn USD": neither a level id nor an amount as written here
            raise ValueError(f"expected {_A_CHOICE}; got {value!r}")
    return id_text(value)


#: What a package's concession takes, said of every value it refuses.
_A_CHOICE = (
    "a level id, true or false, or an amount: a number, with k, m, bn or tn if need be "
    "(2_500, 75bn, USD 75bn)"
)


#: What a package grants of one concession: a level id or amount, or true/false.
Choice = Annotated[Id | bool, BeforeValidator(_choice_text)]


class Package(Strict):
    """A deal's terms: an offer, a counter, or the optimizer's answer."""

    partner: str
    security: Id
    compute: dict[Period, Annotated[Compute, Field(ge=0)]] = Field(default_factory=dict)
    concessions: dict[Id, Choice] = Field(default_factory=dict)
    title: Text | None = None
    date: dt.date | None = None
    #: Who proposed it (`offer` or `us`: the United States; `counter` or `partner`: the
    #: partner, as in a negotiation round's `side`; `agreed`: neither, the terms a
    #: concluded round records) and in which round; documents are named after them
    #: (`AE-counter-003`, `AE-agreed-007`).
    side: Literal["offer", "counter", "us", "partner", "agreed"] | None = None
    round: Annotated[RoundNumber, Field(le=999)] | None = None
    #: Where each period's tranche goes and who operates it (free text, for the term
    #: sheet's Annex A): `{2026: "Stargate UAE, Abu Dhabi; operated by OpenAI and Oracle"}`.
    sites: dict[Period, Site] = Field(default_factory=dict)
    #: Period -> (chips, model) where `compute` was written `{chips: N, model: M}`.
    _chips: dict[str, tuple[float, str]] = PrivateAttr(default_factory=dict)
    #: Period -> TPP where `compute` was written `{tpp: N}`.
    _tpp: dict[str, float] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_units(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Package:
        """Remember which periods were written in chips or in TPP (`compute` keeps H100e)."""
        package: Package = handler(data)
        compute = data.get("compute") if isinstance(data, Mapping) else None
        if isinstance(compute, Mapping):
            for period, value in compute.items():
                if isinstance(value, Mapping) and set(value) == {"chips", "model"}:
                    chips = (parse_number(value["chips"]), str(value["model"]).upper())
                    package._chips[period_label(period)] = chips
                elif isinstance(value, Mapping) and set(value) == {"tpp"}:
                    package._tpp[period_label(period)] = parse_number(value["tpp"])
        return package

    def written(self) -> dict[str, dict[str, Any]]:
        """Period -> the compute as the file wrote it, where not in H100e and still that
        much (a copy with other amounts drops the period): `{chips: N, model: M}` or
        `{tpp: N}`, whole numbers as integers."""
        out: dict[str, dict[str, Any]] = {
            t: {"tpp": round(n) if n.is_integer() else n}
            for t, n in self._tpp.items()
            if math.isclose(self.compute.get(t, -1.0), n / H100_TPP)
        }
        for t, (n, model) in self.written_in_chips().items():
            out[t] = {"chips": round(n), "model": model}
        return out

    def written_in_chips(self) -> dict[str, tuple[float, str]]:
        """Period -> (chips, model) where the package was written in chips and its compute
        is still that many chips (a copy with other amounts drops the period)."""
        return {
            t: (n, model)
            for t, (n, model) in self._chips.items()
            if math.isclose(self.compute.get(t, -1.0), n * CHIP_TPP[model] / H100_TPP)
        }

    def in_steps_of(self, granularity: Granularity) -> Package:
        """This package with each period that is a whole number of `granularity`'s chips
        written in those chips (as a file would write them: the licence names chips), the
        periods already in chips kept; itself when there are none to write."""
        kept = self.written()
        chips = {
            t: {"chips": round(n), "model": model}
            for t, (n, model) in granularity.in_chips(self.compute).items()
            if t not in kept
        }
        if not chips:
            return self
        data = self.model_dump(exclude_none=True)
        written = {**kept, **chips}
        data["compute"] = {t: written.get(t, x) for t, x in self.compute.items()}
        return Package.model_validate(data)

    def granted(self) -> dict[str, str]:
        """Concession id -> granted level id (`true` becomes `granted`; `false` is dropped)."""
        out: dict[str, str] = {}
        for cid, level in self.concessions.items():
            if level is True:
                out[cid] = GRANTED
            elif level is not False:
                out[cid] = str(level)
        return out
