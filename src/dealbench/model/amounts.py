"""Range concessions: amounts, their text, and values interpolated between levels.

A concession with `amount: {unit: USD}` is a range: each of its levels names an
`amount`, and any amount from the smallest breakpoint to the largest may be
granted, its US value and partner cost interpolated linearly between the
neighbouring breakpoints. The breakpoints are the levels' amounts and, when
the range declares `min` below the first level's amount, `min` itself, where
the concession is worth nothing and costs nothing.

The optimizer does not choose from the whole continuum: it chooses among the
levels and a grid of intermediate amounts (`grid`), the same grid for the plain
model and the decomposition, so both are exact over the same choices and every
amount they offer reads as a round figure. A package may name any amount.

Pure functions, no pydantic: `model.concession` wraps them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from dealbench.units import parse_money

#: Without a `step`, each gap between neighbouring breakpoints is cut into this many
#: equal parts for the optimizer (so 3 intermediate amounts per gap).
DEFAULT_SPLITS = 4
#: Amounts (levels and intermediate ones) the optimizer may choose for one concession.
MAX_CHOICES = 50

#: (amount, us_value, partner_cost), amounts strictly increasing.
Point = tuple[float, float, float]

_SUFFIXES = (("tn", 1e12), ("bn", 1e9), ("m", 1e6), ("k", 1e3))


def same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def amount_text(amount: float) -> str:
    """An amount as a package writes it, exactly enough to read back: `75bn`, `1.1tn`."""
    for suffix, scale in _SUFFIXES:
        if abs(amount) >= scale:
            return _trim(f"{amount / scale:.9f}") + suffix
    return _trim(f"{amount:.6f}")


def amount_label(amount: float, unit: str) -> str:
    """An amount for people and term sheets: `USD 75bn`, `500 MW`, `2,500 MW`, `1.5m t`.

    Money takes the money suffixes whatever its size; another unit below a million is
    written in digits (`2,500 MW`, never `2.5k MW`, which no term sheet says), and from a
    million on with the suffix (`1.5m t`)."""
    if unit.upper() == "USD":
        return f"USD {amount_text(amount)}"
    if abs(amount) < 1e6:
        return f"{_trim(f'{amount:,.6f}')} {unit}"
    return f"{amount_text(amount)} {unit}"


def parse_amount(text: str) -> float | None:
    """The amount a package's text names (`75bn`, `75_000_000_000`), or None."""
    try:
        amount = parse_money(text)
    except ValueError:
        return None
    return amount if math.isfinite(amount) else None


def value_at(points: Sequence[Point], amount: float) -> tuple[float, float] | None:
    """(US value, partner cost) at `amount`, linear between neighbouring breakpoints;
    None outside the range."""
    if not points:
        return None
    lo, hi = points[0][0], points[-1][0]
    if amount < lo and not same(amount, lo):
        return None
    if amount > hi and not same(amount, hi):
        return None
    for a, u, c in points:
        if same(amount, a):
            return u, c
    for (a0, u0, c0), (a1, u1, c1) in itertools.pairwise(points):
        if a0 < amount < a1:
            share = (amount - a0) / (a1 - a0)
            return u0 + share * (u1 - u0), c0 + share * (c1 - c0)
    return None  # pragma: no cover - amounts strictly increase


def grid(points: Sequence[Point], step: float | None) -> list[float]:
    """The intermediate amounts the optimizer may choose, ascending, breakpoints excluded.

    With `step`: its whole multiples strictly inside the range. Without: each gap
    between neighbouring breakpoints cut into `DEFAULT_SPLITS` equal parts.
    """
    if len(points) < 2:
        return []
    amounts = [a for a, _, _ in points]
    if step is None:
        out = []
        for a0, a1 in itertools.pairwise(amounts):
            out += [a0 + (a1 - a0) * i / DEFAULT_SPLITS for i in range(1, DEFAULT_SPLITS)]
    else:
        first, last = _multiples(amounts, step)
        if last - first >= 10 * MAX_CHOICES:
            return []  # refused by the rules (`grid_size`); never built
        out = [step * m for m in range(first, last + 1)]
    return [round(a, 6) for a in out if not any(same(a, b) for b in amounts)]


def grid_size(points: Sequence[Point], step: float | None) -> int:
    """How many amounts `grid` has, without building a grid that may be huge."""
    if len(points) < 2 or step is None:
        return len(grid(points, step))
    first, last = _multiples([a for a, _, _ in points], step)
    if last - first < 10 * MAX_CHOICES:
        return len(grid(points, step))
    return last - first + 1


def _multiples(amounts: Sequence[float], step: float) -> tuple[int, int]:
    """The first and last m with m * step strictly inside the range."""
    return math.floor(amounts[0] / step) + 1, math.ceil(amounts[-1] / step) - 1


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
