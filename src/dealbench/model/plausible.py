"""Money a file gives that is valid but implausible: written without its unit, most likely.

`batna: 300` reads as USD 300 where 300m was meant, and `value_per_h100e: 25000k` as USD
25m an H100e where 25k was: both files are valid, and the solve is of another deal than
the one meant (a partner utility of trillions). `validate` and the solving commands say
such figures in a note at the file's line (`load.input_notes`), never an error.

The bounds (docs/reliability.md, "Money without a unit"): a walk-away value, a security
cost and a concession's value or cost are money of a deal between governments, whose
smallest in the reference facts is USD 500m (Armenia's AI factory) and whose investments
run to billions, so a figure other than 0 under USD 1m is said. A value per H100e is near
a chip's price (USD 25k-40k; the shipped regimes' export value 8k, risk penalty 120k), so
one outside USD 1k-1m is said.
"""

from __future__ import annotations

from collections.abc import Iterator

from dealbench.errors import Issue
from dealbench.model.amounts import amount_text
from dealbench.model.schema import Partner, Policy
from dealbench.model.yamlio import Loc, Source
from dealbench.units import usd

__all__ = ["DEAL_MONEY_FLOOR", "PER_H100E", "money_notes"]

#: A deal's money other than 0 below this (in size) is said.
DEAL_MONEY_FLOOR = 1e6
#: A value or cost per H100e outside this range is said.
PER_H100E = (1e3, 1e6)

_PER = "per"  # the kind of a per-H100e figure
_DEAL = "deal"


def money_notes(loaded: Partner | Policy, source: Source) -> list[Issue]:
    """A note at each money figure of `loaded` (read from `source`) outside its bounds."""
    figures = _partner(loaded) if isinstance(loaded, Partner) else _policy(loaded)
    out = []
    for loc, kind, what, amount in figures:
        message = _said(kind, what, amount, _written(source.data(), loc))
        if message is not None:
            out.append(source.issue(loc, message))
    return sorted(out, key=lambda issue: issue.line or 0)


def _partner(p: Partner) -> Iterator[tuple[Loc, str, str, float]]:
    yield ("batna",), _DEAL, "a walk-away value", p.batna
    yield ("us_batna",), _DEAL, "a walk-away value", p.us_batna
    if isinstance(p.value_per_h100e, list):
        for i, seg in enumerate(p.value_per_h100e):
            yield ("value_per_h100e", i, "value"), _PER, "a value per H100e", seg.value
    else:
        yield ("value_per_h100e",), _PER, "a value per H100e", p.value_per_h100e
    for level, cost in p.security_costs.items():
        yield ("security_costs", level), _DEAL, "a security cost", cost
    for i, c in enumerate(p.concessions):
        for j, lv in enumerate(c.levels or []):
            yield (
                ("concessions", i, "levels", j, "us_value"),
                _DEAL,
                "a concession's value",
                lv.us_value,
            )
            cost = lv.partner_cost
            yield (
                ("concessions", i, "levels", j, "partner_cost"),
                _DEAL,
                "a concession's cost",
                cost,
            )
        if c.us_value is not None:
            yield ("concessions", i, "us_value"), _DEAL, "a concession's value", c.us_value
        if c.partner_cost is not None:
            yield ("concessions", i, "partner_cost"), _DEAL, "a concession's cost", c.partner_cost


def _policy(p: Policy) -> Iterator[tuple[Loc, str, str, float]]:
    yield ("export_value_per_h100e",), _PER, "an export value per H100e", p.export_value_per_h100e
    yield ("risk_penalty_per_h100e",), _PER, "a risk penalty per H100e", p.risk_penalty_per_h100e
    yield ("acceptance_margin",), _DEAL, "an acceptance margin", p.acceptance_margin


def _said(kind: str, what: str, amount: float, written: object) -> str | None:
    """What the note says of `amount` (written as `written`), or None when plausible."""
    size = abs(float(amount))
    low, high = PER_H100E if kind == _PER else (DEAL_MONEY_FLOOR, float("inf"))
    if size == 0 or low <= size <= high:
        return None
    meant = size
    while meant < low:
        meant *= 1000
    while meant > high:
        meant /= 1000
    meant = -meant if amount < 0 else meant
    an = " an H100e" if kind == _PER else ""
    if kind == _PER:
        bounds = f"USD {amount_text(low)} to {amount_text(high)}"
    else:
        bounds = f"USD {amount_text(low)} or more in a deal between governments"
    how = ""
    if isinstance(written, (int, float)) and not isinstance(written, bool):
        how = " (written without a unit)"
    elif isinstance(written, str):
        bare = written.strip().lstrip("-$").replace("_", "").replace(",", "").replace(".", "")
        how = " (written without a unit)" if bare.isdigit() else f" from {written.strip()}"
    return (
        f"read as {usd(float(amount))}{an}{how}, where {what} is {bounds}; "
        f"if {amount_text(meant)} was meant, write {amount_text(meant)}"
    )


def _written(tree: object, loc: Loc) -> object:
    """The node at `loc` as the file writes it (None where it is not there)."""
    node = tree
    for part in loc:
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node
