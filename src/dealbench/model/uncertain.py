"""Which of a partner's figures are distributions (DESIGN.md, "Scenarios and uncertainty").

The one list of the figures that may be uncertain, read by everything that reports
them: the analysis layer's sampling and notes, and the memos (which say which
figures count at their means).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dealbench.model.distributions import distribution_of

if TYPE_CHECKING:  # a partner's own rules (`partner_rules`) quote distributions in its words
    from dealbench.model.partner import Partner

__all__ = ["UncertainFigure", "short", "uncertain_figures"]


@dataclass(frozen=True)
class UncertainFigure:
    """One uncertain figure: its field path in the partner file (as `--set` reaches it),
    its distribution in words (`uniform 1bn to 3bn`), the mean that deterministic commands
    use, and what it is in a document's words (`walk-away value`)."""

    field: str
    distribution: str
    mean: float
    label: str


def uncertain_figures(partner: Partner) -> list[UncertainFigure]:
    """Every figure of `partner` given as a distribution, in the file's order."""
    candidates: list[tuple[str, str, float]] = [
        ("batna", "walk-away value", partner.batna),
        ("diversion_risk", "diversion-risk index", partner.diversion_risk),
    ]
    if isinstance(partner.value_per_h100e, list):
        start = 0.0
        for i, s in enumerate(partner.value_per_h100e):
            span = f"from {start:,.0f} to" if start else "up to"
            label = f"value per H100e {span} {s.upto:,.0f} H100e"
            candidates.append((f"value_per_h100e[{i}].value", label, s.value))
            start = s.upto
    else:
        candidates.append(("value_per_h100e", "value per H100e", partner.value_per_h100e))
    for c in partner.concessions:
        for o in c.options:
            # a level's as `--set` reaches it (a name without `levels` was refused there)
            if c.is_yes_no:
                where, label = f"concessions.{c.id}", f"cost of {c.title}"
            else:
                where = f"concessions.{c.id}.levels.{o.id}"
                label = f"cost of {c.title} at level {o.id}"
            candidates.append((f"{where}.partner_cost", label, o.partner_cost))
    out = []
    for name, label, value in candidates:
        dist = distribution_of(value)
        if dist is not None:
            out.append(UncertainFigure(name, dist.describe(short), float(value), label))
    return out


def short(amount: float) -> str:
    """A figure for a sentence: 2bn, 350m, 30k, 0.3."""
    a = abs(amount)
    sign = "-" if amount < 0 else ""
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= size:
            return f"{sign}{a / size:,.3g}{suffix}"
    return f"{amount:.3g}"
