"""What one exact search returns (`Outcome`: its portfolio, its bound, the gap between),
and the relative gap it is measured by, as HiGHS measures a MIP's."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.pricing import Duals


@dataclass
class Outcome:
    status: str  # optimal | time-limit | infeasible-lp (the floor cannot be met)
    choices: list[Choice] = field(default_factory=list)
    value: float | None = None  # objective, model units
    bound: float | None = None
    duals: Duals | None = None
    stats: dict[str, float] = field(default_factory=dict)
    columns: list[tuple[int, int]] = field(default_factory=list)  # sets the root LP used

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None:
            return None
        return relative_gap(self.value, self.bound)

    def offer(self, choices: list[Choice], value: float) -> None:
        """Keep a portfolio if it beats the incumbent."""
        if self.value is None or value > self.value:
            self.value, self.choices = value, choices


def good_enough(bound: float, gap: float) -> float:
    """The least value within `gap` of `bound` (by `relative_gap`, with a margin)."""
    gap *= 0.99
    return bound / (1 + gap) if bound >= 0 else bound / (1 - gap)


#: HiGHS stops a MIP whose bound is within this of its incumbent, whatever the relative
#: gap (its `mip_abs_gap`, model units: USD 1,000); a gap that small counts as closed
#: here too, or a portfolio worth about nothing (V of USD -3.85bn in all, USD -150m in
#: the model's terms) proven to USD 194 would be reported as stopped by a time limit.
ABS_GAP = 1e-6


def relative_gap(value: float, bound: float) -> float:
    """(bound - value) / |value|, as HiGHS reports a MIP gap (0 within ABS_GAP)."""
    diff = max(bound - value, 0.0)
    if diff <= max(ABS_GAP, 1e-12 * max(1.0, abs(bound))):
        return 0.0
    return diff / max(abs(value), 1e-9)


def proven(out: Outcome, gap: float) -> bool:
    return out.value is not None and relative_gap(out.value, out.bound or np.inf) <= gap
