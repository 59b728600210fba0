"""Which of a partner's figures are distributions (DESIGN.md, "Scenarios and uncertainty").

The one list of the figures that may be uncertain, read by everything that reports
them: the analysis layer's sampling and notes, and the memos (which say which
figures count at their means).
"""

from __future__ import annotations

from dataclasses import dataclass

from dealbench.model.distributions import distribution_of
from dealbench.model.partner import Partner

__all__ = ["UncertainFigure", "short", "uncertain_figures"]


@dataclass(frozen=True)
class UncertainFigure:
    """One uncertain figure: its field path in the partner file, its distribution in
    words (`uniform 1bn to 3bn`), and the mean that deterministic commands use."""

    field: str
    distribution: str
    mean: float


def uncertain_figures(partner: Partner) -> list[UncertainFigure]:
    """Every figure of `partner` given as a distribution, in the file's order."""
    candidates: list[tuple[str, float]] = [
        ("batna", partner.batna),
        ("diversion_risk", partner.diversion_risk),
    ]
    if isinstance(partner.value_per_h100e, list):
        candidates += [
            (f"value_per_h100e[{i}].value", s.value) for i, s in enumerate(partner.value_per_h100e)
        ]
    else:
        candidates.append(("value_per_h100e", partner.value_per_h100e))
    for c in partner.concessions:
        for o in c.options:
            # a level's as `--set` reaches it (a name without `levels` was refused there)
            where = f"concessions.{c.id}" if c.is_yes_no else f"concessions.{c.id}.levels.{o.id}"
            candidates.append((f"{where}.partner_cost", o.partner_cost))
    out = []
    for name, value in candidates:
        dist = distribution_of(value)
        if dist is not None:
            out.append(UncertainFigure(name, dist.describe(short), float(value)))
    return out


def short(amount: float) -> str:
    """A figure for a sentence: 2bn, 350m, 30k, 0.3."""
    a = abs(amount)
    sign = "-" if amount < 0 else ""
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= size:
            return f"{sign}{a / size:,.3g}{suffix}"
    return f"{amount:.3g}"
