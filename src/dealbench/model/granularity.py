"""The step in which compute is decided: whole H100e, or whole chips of one model."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
)

from dealbench.figures import chips_of, quantity
from dealbench.model.base import (
    Strict,
)
from dealbench.units import CHIP_TPP, H100_TPP, keys_meant, number_said, parse_number


class Granularity(Strict):
    """The step in which compute is decided: whole multiples of `h100e` (0: continuous),
    or of `chips` chips of `model` when written `{chips: N, model: NAME}`."""

    h100e: Annotated[float, Field(ge=0)]
    chips: int | None = None
    model: str | None = None

    @property
    def unit(self) -> float:
        """H100e of the smallest whole unit: one chip of the model, else one H100e."""
        return CHIP_TPP[self.model] / H100_TPP if self.model else 1.0

    @property
    def units(self) -> int:
        """Whole units (H100e or chips) in one step."""
        return self.chips if self.chips is not None else round(self.h100e)

    def in_chips(self, compute: Mapping[str, float]) -> dict[str, tuple[float, str]]:
        """Period -> (chips, model) for each amount of `compute` (H100e) that is a whole
        number of this granularity's chips; none when it is not in chips."""
        if self.model is None:
            return {}
        out: dict[str, tuple[float, str]] = {}
        for t, x in compute.items():
            n = x / self.unit
            if x > 0 and abs(n - round(n)) <= 1e-6 * max(1.0, n):
                out[t] = (float(round(n)), self.model)
        return out

    def field_text(self, x: float, written: Mapping[str, Any] | None = None) -> str:
        """`x` H100e as a compute field shows it, read back by `units.compute_typed` as the
        same amount: in a portfolio decided in chips, whole chips of its model as a plain
        number, chips of another model (`written`, as a file wrote them) with their model,
        anything else with its unit (`35000 H100e`); elsewhere H100e, a whole number as
        an integer."""
        plain = str(round(x)) if abs(x - round(x)) < 1e-6 else str(x)
        if self.model is None or x == 0:
            return plain
        if written is not None and "chips" in written and written.get("model") != self.model:
            return chips_of(written["chips"], written["model"]).replace(",", "")
        chips = self.in_chips({"": x})
        return str(round(chips[""][0])) if chips else f"{plain} H100e"

    def whole_chips(self, x: float) -> int:
        """The most whole chips of this granularity's model within `x` H100e."""
        return math.floor(x / self.unit + 1e-9)

    def one_step(self) -> str:
        """One step in words: `256 B200 chips, 582 H100e` or `1,000 H100e`."""
        if self.model:
            return f"{self._chips()}, {quantity(self.h100e)} H100e"
        return f"{quantity(self.h100e)} H100e"

    def describe(self) -> str:
        if self.h100e == 0:
            return "continuous amounts"
        if self.model:
            return f"steps of {self._chips()}"
        return f"steps of {self.units:,} H100e"

    def _chips(self) -> str:
        """`256 B200 chips`, `1 B200 chip`."""
        return chips_of(self.units, self.model or "")


def _granularity(value: Any) -> Any:
    """`1_000` or `{h100e: 1_000}` (H100e), `{chips: 512, model: B200}`; 0 is continuous."""
    if isinstance(value, Granularity):
        return value
    if isinstance(value, dict):  # a dump of a Granularity leaves the fields it lacks None
        value = {key: each for key, each in value.items() if each is not None}
    if isinstance(value, dict) and {"chips", "model"} <= set(value) <= {"chips", "model", "h100e"}:
        chips = parse_number(value["chips"], unit="chips")
        model = str(value["model"]).upper()
        if model not in CHIP_TPP:
            raise ValueError(
                f"unknown chip model {value['model']!r}; expected one of: {', '.join(CHIP_TPP)}"
            )
        if chips < 1 or chips != int(chips):
            raise ValueError(
                f"a granularity in chips is a whole number of 1 or more, got {number_said(chips)}"
            )
        return {"h100e": chips * CHIP_TPP[model] / H100_TPP, "chips": int(chips), "model": model}
    if isinstance(value, dict) and set(value) == {"h100e"}:
        value = value["h100e"]
    elif isinstance(value, dict):
        raise ValueError(
            "expected H100e as a number, {h100e: N} or {chips: N, model: NAME}, "
            f"got keys {sorted(map(str, value))}{keys_meant(value, ('h100e', 'chips', 'model'))}"
        )
    amount = parse_number(value, unit="H100e")
    if amount < 0 or amount != int(amount):
        raise ValueError(
            "a granularity in H100e is a whole number of 0 or more (0 for continuous amounts), "
            f"got {number_said(amount)}"
        )
    return {"h100e": amount}


GranularityField = Annotated[Granularity, BeforeValidator(_granularity)]

#: Compute is decided in steps of 1,000 H100e unless a portfolio or policy says otherwise.
DEFAULT_GRANULARITY = Granularity(h100e=1_000)
