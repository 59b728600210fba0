"""Units: money strings, compute quantities (H100e, TPP, chips) and periods.

Pure functions with no I/O. Errors are `ValueError`s with short messages; the
loader turns them into file:line: field: messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

#: TPP of one H100 (FP8 dense 1,979 TFLOPS x 8 bits), the H100e unit.
H100_TPP = 15_832

#: Chip catalogue: TPP per chip. Sources: shared/reference/export-policy-facts.md §2.
#: H100/H200: [D] 1,979 TF FP8 x 8. B200: [S] 4,500 TF FP8 dense -> 36,000 [D].
#: GB200: [S] 5,000 TF FP8 per GPU -> 40,000 [D]. GB300: FP4 not counted -> 40,000 [E].
CHIP_TPP: dict[str, int] = {
    "H100": 15_832,
    "H200": 15_832,
    "B200": 36_000,
    "GB200": 40_000,
    "GB300": 40_000,
}

_SUFFIX = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "t": 1e12}
_MONEY = re.compile(
    r"^(?P<sign>[-+]?)(?:\$|usd)?\s*(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<suf>[a-z]*)$"
)


def parse_number(value: Any) -> float:
    """A plain number, also when a YAML 1.2 loader left `200_000` as a string."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {_kind(value)}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def parse_money(value: Any) -> float:
    """USD from `1.4tn`, `200bn`, `350m`, `75k`, `$2bn`, `-5bn` or a number."""
    if isinstance(value, str):
        text = value.strip().lower().replace("_", "").replace(",", "").replace(" ", "")
        match = _MONEY.match(text)
        if not match or match["suf"] not in ("", *_SUFFIX):
            try:
                return parse_number(value)  # a plain number written as text, such as "1e9"
            except ValueError:
                pass
            raise ValueError(
                f"expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got {value!r}"
            )
        amount = float(match["num"]) * _SUFFIX.get(match["suf"], 1.0)
        return -amount if match["sign"] == "-" else amount
    return parse_number(value)


def parse_compute(value: Any) -> float:
    """H100e from a number, `{h100e: N}`, `{tpp: N}` or `{chips: N, model: M}`."""
    if isinstance(value, Mapping):
        keys = set(value)
        if keys == {"h100e"}:
            return parse_number(value["h100e"])
        if keys == {"tpp"}:
            return parse_number(value["tpp"]) / H100_TPP
        if keys == {"chips", "model"}:
            model = str(value["model"]).upper()
            if model not in CHIP_TPP:
                known = ", ".join(CHIP_TPP)
                raise ValueError(f"unknown chip model {value['model']!r}; expected one of: {known}")
            return parse_number(value["chips"]) * CHIP_TPP[model] / H100_TPP
        raise ValueError(
            "expected H100e as a number, {tpp: N}, {h100e: N} or {chips: N, model: NAME}, "
            f"got keys {sorted(map(str, keys))}"
        )
    return parse_number(value)


def period_label(value: Any) -> str:
    """A period label as text: `2026` and `"2026"` are the same period."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected a period label such as 2026 or 2026Q3, got {_kind(value)}")
    label = str(value).strip()
    if not label:
        raise ValueError("a period label cannot be empty")
    return label


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def usd(amount: float | None, signed: bool = False) -> str:
    """USD for people, one form everywhere: $1.40tn, -$58.80bn, $350.0m, $75,000.

    The sign always comes before the dollar sign (`-$1.0bn`, never `$-1bn`).
    """
    if amount is None:
        return "n/a"
    if abs(amount) < 0.5:
        amount = 0.0
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    a = abs(amount)
    if a >= 1e12:
        return f"{sign}${a / 1e12:,.2f}tn"
    if a >= 1e9:
        return f"{sign}${a / 1e9:,.2f}bn"
    if a >= 1e6:
        return f"{sign}${a / 1e6:,.1f}m"
    return f"{sign}${a:,.0f}"
