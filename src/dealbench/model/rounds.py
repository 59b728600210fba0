"""The round file of a negotiation (deals/rounds/<portfolio>/<CODE>/NNN-<side>.yaml).

Pure data: the shape of one round and the problems of one round on its own.
Reading a negotiation's folder as a whole, and appending to it, is
`dealbench.negotiate.rounds`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from dealbench.model import rules
from dealbench.model.schema import Package, Portfolio, Strict

Side = Literal["us", "partner"]
#: A strategy's parameter: a number where it reads as one (`beta: 1.125`, which the YAML
#: loader leaves as text: see yamlparse's point-grouped numbers), else its text.
Param = Annotated[int | float | str, Field(union_mode="left_to_right")]
RoundStatus = Literal["open", "concluded", "walked-away"]

__all__ = ["RoundFile", "RoundStatus", "Side", "StrategyRecord", "round_problems"]


class StrategyRecord(Strict):
    """How a US offer was chosen: the strategy, its parameters and the target it aimed at."""

    name: str
    params: dict[str, Param] = Field(default_factory=dict)
    target_us_utility: float | None = None
    ideal_us_utility: float | None = None
    reservation_us_utility: float | None = None
    fixed: list[str] = Field(default_factory=list)
    reason: str | None = None


class RoundFile(Strict):
    """One round as written on disk (DESIGN.md, "Negotiation")."""

    round: Annotated[int, Field(ge=1)]
    side: Side
    date: dt.date | None = None
    author: str | None = None
    basis: str | None = None
    package: Package | None = None
    note: str | None = None
    status: RoundStatus = "open"
    strategy: StrategyRecord | None = None


def round_problems(
    portfolio: Portfolio, partner: str, data: RoundFile
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """A round's own problems: its package's shape and partner, and a package where one is due."""
    package = data.package
    if package is None:
        if data.status != "walked-away":
            yield ("package",), "missing: every round but a walk-away carries a package"
        return
    if package.partner != partner:
        yield (
            ("package", "partner"),
            f"is {package.partner}, but this is the negotiation with {partner}",
        )
        return
    found = portfolio.partner(partner)
    assert found is not None
    for loc, msg in rules.package_problems(package, found, portfolio.policy, portfolio.periods):
        yield ("package", *loc), msg
