"""A regime's policy: its security levels, the caps by tier and level, its prices."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated

from pydantic import (
    Field,
    PrivateAttr,
)

from dealbench.model.base import (
    Compute,
    Id,
    Money,
    RiskBudget,
    Strict,
)
from dealbench.model.fields import ClauseText, Fraction, Text
from dealbench.model.granularity import GranularityField
from dealbench.model.periods import CapsPer


class SecurityLevel(Strict):
    id: Id
    title: Text
    mitigation: Fraction
    clause: ClauseText | None = None


CapValue = Compute | dict[Id, Compute]


class Caps(Strict):
    """Max H100e to one partner per period, by tier and security level."""

    tier1: CapValue = Field(default_factory=dict)
    tier2: CapValue = Field(default_factory=dict)
    tier3: CapValue = 0.0

    def cap(self, tier: int, level: str) -> float | None:
        """The cap for a tier under a level; None means uncapped."""
        value = (self.tier1, self.tier2, self.tier3)[tier - 1]
        if isinstance(value, dict):
            return value.get(level)
        return value

    def one_for_all(self, tier: int) -> bool:
        """A tier's cap is written as one number, the same at every security level
        (monopoly's tier 2, 1,699 H100e), not one per level."""
        return not isinstance((self.tier1, self.tier2, self.tier3)[tier - 1], dict)


class Policy(Strict):
    """A regime (deals/policy/*.yaml; `load_policy` reads one, `find_regime` one by name):
    its security levels weakest first, the caps per tier, what exported compute is worth to
    the US, the penalty on its diversion risk, and a risk budget."""

    id: Id
    title: Text
    security_levels: Annotated[list[SecurityLevel], Field(min_length=1)]
    caps: Caps = Field(default_factory=Caps)
    #: The period the caps are written for; a portfolio converts them to its own.
    caps_per: CapsPer = "year"
    export_value_per_h100e: Money
    #: A cost: negative, it would pay the US for compute reaching adversaries.
    risk_penalty_per_h100e: Annotated[Money, Field(ge=0)]
    risk_budget: Annotated[RiskBudget, Field(ge=0)] | None = None
    #: What a partner needs over its walk-away value to sign: negative, it would sign for
    #: less than it has without a deal.
    acceptance_margin: Annotated[Money, Field(ge=0)] = 0.0
    granularity: GranularityField | None = None
    #: Where a portfolio converted the caps to its period (`periods.caps_per_period`): the
    #: `caps_per` they were written for and the factor applied; None: as written.
    _converted: tuple[CapsPer, float] | None = PrivateAttr(default=None)
    #: The file it was read from, for notes at its lines (None: not read from a file, or
    #: changed since by an override); `Portfolio.with_policy` keeps it as `policy_file`.
    _file: str | None = PrivateAttr(default=None)

    @cached_property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.security_levels]

    def level(self, level_id: str) -> SecurityLevel:
        return self.security_levels[self.level_ids.index(level_id)]

    def rank(self, level_id: str) -> int:
        """Position in the ordered list: higher is stronger."""
        return self.level_ids.index(level_id)
