"""A sweep in words: the labels of its values, the sentences of its change points.

`dealbench sweep` prints them and the web's sweep page shows them: one wording.
"""

from __future__ import annotations

from collections.abc import Sequence

from dealbench.analyze.sweep import SweepResult, SweepRow
from dealbench.figures import in_units, quantity, usd_column
from dealbench.figures import usd as money

__all__ = [
    "change_sentences",
    "first_lost",
    "row_labels",
    "same_terms",
    "utility_labels",
    "value_label",
    "value_labels",
]

#: USD as `figures.usd` writes it (scale, suffix, decimals), largest first.
_SCALES = ((1e12, "tn", 2), (1e9, "bn", 2), (1e6, "m", 1), (1.0, "", 0))


def h100e(amount: float | None) -> str:
    return "n/a" if amount is None else f"{quantity(amount)}"


def value_label(v: float | None, more: int = 0, usd: bool | None = None) -> str:
    """A swept value: USD when `usd` (None: from a billion up), else a number; `more`
    digits than usual."""
    if v is None:
        return "-"
    if usd is None:
        usd = abs(v) >= 1e9
    if usd and more == 0:
        return money(v)
    if usd:
        a = abs(v)
        scale, suffix, digits = next((s, x, d) for s, x, d in _SCALES if a >= s or s == 1.0)
        sign = "-" if v < 0 else ""
        return f"{sign}${in_units(a, scale, digits + more)}{suffix}"
    if abs(v) >= 100:
        return f"{v:,.{more}f}"
    return f"{v:.{4 + more}g}"


def value_labels(values: Sequence[float | None], usd: bool | None = None) -> list[str]:
    """Labels for `values` with as few digits as tell apart those that differ (a sweep's
    narrowed change point is closer than the usual three figures show)."""
    labels: list[str] = []
    for more in range(12):
        labels = [value_label(v, more, usd) for v in values]
        pairs = range(len(values) - 1)
        if all(labels[i] != labels[i + 1] or values[i] == values[i + 1] for i in pairs):
            return labels
    return labels


def row_labels(s: SweepResult) -> list[str]:
    """The first column of a sweep's table: each value of the swept figure, or each
    scenario's id."""
    if s.param:
        return value_labels([r.value for r in s.rows], s.unit == "USD")
    return [r.id for r in s.rows]


def utility_labels(s: SweepResult) -> list[str]:
    """The US utility column: the figures with the decimals that tell neighbouring rows
    apart (`figures.usd_column`; at two decimals a sweep of M's risk budget read "$1.25tn" in
    every row while V moved by billions), or a row's status where it has none."""
    column = usd_column([r.us_value for r in s.rows])
    return [
        text if r.us_value is not None else r.status for r, text in zip(s.rows, column, strict=True)
    ]


def first_lost(s: SweepResult) -> SweepRow | None:
    """The first row that loses a deal against the row before it (a value) or the base (a
    scenario): a sweep says who loses a deal, not why, so the shells say which solve does
    (each reason takes a solve or more)."""
    return next((r for r in s.rows if any("loses its deal" in c for c in r.changes)), None)


def same_terms(s: SweepResult) -> str:
    """A sweep without a change point: the deals, security levels and concessions are the
    same at every value; the compute delivered may still move, and is then said to. Only
    its total is compared (a row keeps no schedule), so the total is what is said to stay:
    a sweep of AE's 2026 ask kept the total while compute moved between partners, and "so
    is the compute delivered" said more than was checked (qa41-analyze)."""
    said = "The deals, their security levels and concessions are the same at every value"
    totals = [r.compute_total for r in s.rows if r.us_value is not None]
    if totals and max(totals) - min(totals) >= 0.5:
        low, high = totals[0], totals[-1]
        moved = (
            f"from {h100e(low)} to {h100e(high)}"
            if {low, high} == {min(totals), max(totals)}
            else f"between {h100e(min(totals))} and {h100e(max(totals))}"
        )
        return f"{said}; only the compute delivered changes, {moved} H100e in all."
    return f"{said}, and so is the total compute delivered."


def change_sentences(s: SweepResult) -> list[str]:
    """What a parameter sweep says of where the package changes (its change points, or
    that it never does); nothing for a scenarios sweep."""
    if not s.param:
        return []
    if not s.change_points:
        return [same_terms(s)]
    money_axis = s.unit == "USD"
    out = []
    for p in s.change_points:
        again = (
            ""
            if p.again_before is None
            else f"; it changes again before {value_label(p.again_before, 0, money_axis)}"
        )
        since = (
            ""
            if p.changed_since is None
            else f" (it has already changed since {value_label(p.changed_since, 0, money_axis)})"
        )
        low, high = value_labels([p.low, p.high], money_axis)
        out.append(
            f"Between {low} and {high} the optimal package changes{since}: "
            + "; ".join(p.changes)
            + again
        )
    return out
