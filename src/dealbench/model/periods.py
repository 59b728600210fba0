"""Units of time: what a period label says of its length, and caps per period.

A policy writes its caps per `caps_per` (`year` by default, `half-year`,
`quarter`, or `period`: per period of whatever portfolio uses it). A portfolio
holds its policy's caps per its own period: in a portfolio of quarters an annual
cap is divided over the year's four quarters, in one of half-years (`2026H1`)
over its two halves. A cap per quarter cannot hold a year, and
periods whose labels do not say their length cannot take a cap per year or
quarter: both are errors, never a silent guess (DESIGN.md "Portfolio").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from dealbench.list_words import did_you_mean

if TYPE_CHECKING:
    from dealbench.model.policy import Caps, Policy

#: What a policy's caps are written per.
CapsPer = Literal["year", "half-year", "quarter", "period"]

_LENGTHS = {
    "year": re.compile(r"^\d{4}$"),
    "half-year": re.compile(r"^\d{4}H[12]$"),
    "quarter": re.compile(r"^\d{4}Q[1-4]$"),
}
#: A length's share of a year.
_YEARS = {"year": 1.0, "half-year": 0.5, "quarter": 0.25}
#: A converted cap's share of the cap written, in words (a quarter's of a year's).
_SHARES = {0.25: "a quarter", 0.5: "half"}


def not_a_period(period: str, periods: Sequence[str]) -> str:
    """What is said of a period label that is none of the portfolio's: its periods, and the
    one meant (`2026q1` or `2026-Q1` beside 2026Q1; `list_words.meant`)."""
    said = f"period {period!r} is not one of the portfolio's periods ({', '.join(periods)})"
    written = next((p for p in periods if length(p) is None and _plain(p) == period), None)
    if length(period) is not None and written is not None:
        # `periods: [2026-Q1]` beside `supply: {2026Q1: ...}`: the label at fault is the
        # portfolio's, so "did you mean '2026-Q1'?" would lead away from it
        return (
            f"{said}: the portfolio writes it {written!r}; write {period} in the "
            "portfolio's `periods`"
        )
    return f"{said}{did_you_mean(str(period), periods)}"


def _plain(label: str) -> str:
    """A label without spaces, hyphens and underscores, in upper case: `2026-q1` -> 2026Q1."""
    return re.sub(r"[\s_-]", "", label).upper()


def length(period: str) -> str | None:
    """What a period label says of its length: a year (2026), a half-year (2026H1), a quarter
    (2026Q3), or None."""
    return next((name for name, pattern in _LENGTHS.items() if pattern.match(period)), None)


#: What joins the two ends of a range written as one label: `..`, `...`, a hyphen or
#: dash, `to`.
_RANGE_JOIN = re.compile(r"\s*(?:\.{2,3}|[-\u2013\u2014]|\s+to\s+)\s*")
#: Periods per year of each length, and how a label of it is written (`ordinal`).
_PER_YEAR = {"year": 1, "half-year": 2, "quarter": 4}
#: At most this many periods of a range are written out in the message (then `...`).
_RANGE_SAID = 16


def _ordinal(period: str, kind: str) -> int:
    """A label of length `kind` as a count of its periods since year 0 (2026Q3: 2026*4 + 2)."""
    return int(period[:4]) * _PER_YEAR[kind] + (int(period[5:]) - 1 if kind != "year" else 0)


def _label(ordinal: int, kind: str) -> str:
    """The label of the `ordinal`-th period of length `kind` (`_ordinal`'s inverse)."""
    year, part = divmod(ordinal, _PER_YEAR[kind])
    return {"year": f"{year}", "half-year": f"{year}H{part + 1}", "quarter": f"{year}Q{part + 1}"}[
        kind
    ]


def range_said(label: str) -> str | None:
    """What is said of one label that reads as a range of periods (`2026Q1..2026Q4`,
    `2026-2028`, `2026H1 to 2027H2`: two labels of one length, in either order): each period is listed on its own, so that supply, asks and caps can name it;
    None for any other label (`2026-Q1`, a quarter misspelt, is not a range)."""
    parts = _RANGE_JOIN.split(label.strip())
    if len(parts) != 2:
        return None
    first, last = parts
    kind = length(first)
    if kind is None or length(last) != kind or first == last:
        return None
    ends = sorted((_ordinal(first, kind), _ordinal(last, kind)))
    labels = [_label(n, kind) for n in range(ends[0], ends[1] + 1)]
    if len(labels) > _RANGE_SAID:
        labels = [*labels[:3], "...", labels[-1]]
    return (
        f"{label!r} reads as a range of periods; a portfolio lists each period, so that "
        f"its supply, asks and caps can name it: periods: [{', '.join(labels)}]"
    )


def each(periods: list[str]) -> str:
    """An amount per period in words, as its labels say their length: `a year`, `a
    half-year`, `a quarter`, or `a period` for labels that say none (a portfolio's periods
    share one)."""
    return f"a {(length(periods[0]) if periods else None) or 'period'}"


class PeriodMismatch(ValueError):
    """A policy's caps cannot be stated per the portfolio's period; `period` is the label
    at fault when the periods are to blame (else the policy's `caps_per` is)."""

    def __init__(self, message: str, period: str | None = None) -> None:
        super().__init__(message)
        self.period = period


def caps_factor(caps_per: CapsPer, periods: list[str]) -> tuple[float, str | None]:
    """What a cap written per `caps_per` is multiplied by to hold one of `periods`, and
    the periods' length (None when unsaid or `caps_per` is `period`)."""
    if caps_per == "period" or not periods:
        return 1.0, None
    for period in periods:
        if length(period) is None:
            # `2026q1`: a quarter in lower case, which the labels' patterns do not read
            meant = f"; did you mean {period.upper()!r}?" if length(period.upper()) else ""
            raise PeriodMismatch(
                f"period {period!r} does not say its length (write 2026 for a year, 2026H1 "
                f"for a half-year, 2026Q3 for a quarter), so the policy's caps per {caps_per} cannot be converted to it; "
                f"relabel the periods, or write `caps_per: period` in the policy{meant}",
                period,
            )
    lengths = {length(p) for p in periods}
    if len(lengths) > 1:
        raise PeriodMismatch("the periods of one portfolio all have one length", periods[-1])
    (each,) = lengths
    assert each is not None
    if _YEARS[each] > _YEARS[caps_per]:
        raise PeriodMismatch(
            f"the policy's caps are written per {caps_per}, but the portfolio's periods are "
            f"{each}s ({', '.join(periods)}): a cap per {caps_per} cannot hold a whole {each}; "
            f"write the caps per {each} (`caps_per: {each}`) or label the periods as {caps_per}s"
        )
    return _YEARS[each] / _YEARS[caps_per], each


def share_said(factor: float) -> str:
    """A converted cap's share of the cap as written, in words: `a quarter`, `half`."""
    return _SHARES.get(factor, f"{factor:g} times")


def _scaled(caps: Caps, factor: float) -> Caps:
    tiers = {}
    for name in ("tier1", "tier2", "tier3"):
        value = getattr(caps, name)
        tiers[name] = (
            {lv: cap * factor for lv, cap in value.items()}
            if isinstance(value, dict)
            else value * factor
        )
    return caps.model_copy(update=tiers)


def _has_caps(caps: Caps) -> bool:
    """Whether any cap lets some compute through (zero caps read the same per any period)."""
    values = [getattr(caps, name) for name in ("tier1", "tier2", "tier3")]
    flat = [v for value in values for v in (value.values() if isinstance(value, dict) else [value])]
    return any(v > 0 for v in flat)


def caps_per_period(policy: Policy, periods: list[str]) -> Policy:
    """`policy` with its caps per one of `periods` (its `caps_per` then names their length);
    the same policy when nothing changes. Raises PeriodMismatch. The converted policy
    remembers how its caps were written (`as_written`)."""
    policy = as_written(policy)
    try:
        factor, each = caps_factor(policy.caps_per, periods)
    except PeriodMismatch as exc:
        if exc.period is not None and not _has_caps(policy.caps):
            return policy  # no cap to convert: unlabelled periods are fine
        raise
    if factor == 1.0 or each is None:
        return policy
    converted = policy.model_copy(update={"caps": _scaled(policy.caps, factor), "caps_per": each})
    converted._converted = (policy.caps_per, factor)
    return converted


def as_written(policy: Policy) -> Policy:
    """`policy` with its caps as its file writes them, per its own `caps_per`: what a
    `--set policy.caps...` value is written in (a cap per year of a portfolio of quarters
    is set per year, as in the file); the same policy when they were never converted."""
    if policy._converted is None:
        return policy
    caps_per, factor = policy._converted
    written = policy.model_copy(
        update={"caps": _scaled(policy.caps, 1.0 / factor), "caps_per": caps_per}
    )
    written._converted = None
    return written
