"""A limit a package breaks or sits on, as an object for scripts and as a sentence for people.

The checker builds one `Limit` for every violation and `finish` one for every
binding limit; the sentence a person reads is the object's `message`, so the
two never disagree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Limit", "LimitKind"]

LimitKind = Literal[
    "cap",  # a tier cap under a security level
    "ask",  # the partner's ask for a period
    "tier3",  # an arms-embargoed partner receives compute
    "supply",  # the supply of a period
    "risk-budget",  # the portfolio's risk budget
    "acceptance",  # the partner's walk-away value plus the required margin
    "v-floor",  # partner-best's least US utility V (USD)
    "requires",  # a concession requires another (or a security level)
    "excludes",  # two concessions exclude each other
    "security",  # a security level unknown, or one the partner cannot meet
    "period",  # a period that is not the portfolio's
    "concession",  # an unknown concession or level
    "package",  # a package twice, or for someone who is not a partner
]


class Limit(BaseModel):
    """One limit: what kind, whose, when, its level, its value and the amount against it.

    `limit` and `amount` are in the limit's unit: H100e for caps, asks and supply,
    risk-weighted H100e for the risk budget, USD for acceptance and the V floor.
    """

    model_config = ConfigDict(frozen=True)

    kind: LimitKind
    partner: str | None = None
    period: str | None = None
    level: str | None = Field(default=None, description="Security level, or concession level")
    limit: float | None = Field(default=None, description="The limit's value")
    amount: float | None = Field(default=None, description="What the package puts against it")
    message: str = Field(description="The same, in plain words")
