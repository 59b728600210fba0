"""The data types of dealbench: policy, partner, portfolio and package.

Pydantic models with `extra="forbid"` (a typo is an error), units parsed on
the way in (money to USD, compute to H100e, periods to text). Rules that
need more than one field live in `dealbench.model.rules`, which reports each
problem at its exact place in the file.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from dealbench.units import (
    CHIP_TPP,
    H100_TPP,
    parse_compute,
    parse_money,
    parse_number,
    period_label,
)

Money = Annotated[float, BeforeValidator(parse_money)]
Compute = Annotated[float, BeforeValidator(parse_compute)]
Number = Annotated[float, BeforeValidator(parse_number)]
Period = Annotated[str, BeforeValidator(period_label)]


def _id_text(value: Any) -> Any:
    """An id written as a number (`id: 2030`, `invest: 200`) is that text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[
    str, BeforeValidator(_id_text), Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
]

#: Concession categories of DESIGN.md.
Category = Literal["investment", "purchase", "security", "alignment", "market-access", "other"]

#: The level id of a yes/no concession (written `true` in packages).
GRANTED = "granted"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- granularity ----------------------------------------------------------------------


class Granularity(Strict):
    """The step in which compute is decided: whole multiples of `h100e` (0: continuous),
    or of `chips` chips of `model` when written `{chips: N, model: NAME}`."""

    h100e: Annotated[float, Field(ge=0)]
    chips: int | None = None
    model: str | None = None

    @property
    def unit(self) -> float:
        """H100e of the smallest whole unit: one chip of the model, else one H100e."""
        return CHIP_TPP[self.model] / H100_TPP if self.model else 1.0

    @property
    def units(self) -> int:
        """Whole units (H100e or chips) in one step."""
        return self.chips if self.chips is not None else round(self.h100e)

    def describe(self) -> str:
        if self.h100e == 0:
            return "continuous amounts"
        if self.model:
            return f"steps of {self.units:,} {self.model} chips"
        return f"steps of {self.units:,} H100e"


def _granularity(value: Any) -> Any:
    """`1_000` or `{h100e: 1_000}` (H100e), `{chips: 512, model: B200}`; 0 is continuous."""
    if isinstance(value, Granularity):
        return value
    if isinstance(value, dict) and {"chips", "model"} <= set(value) <= {"chips", "model", "h100e"}:
        chips = parse_number(value["chips"])
        model = str(value["model"]).upper()
        if model not in CHIP_TPP:
            raise ValueError(
                f"unknown chip model {value['model']!r}; expected one of: {', '.join(CHIP_TPP)}"
            )
        if chips < 1 or chips != int(chips):
            raise ValueError(
                f"a granularity in chips is a whole number of 1 or more, got {chips:g}"
            )
        return {"h100e": chips * CHIP_TPP[model] / H100_TPP, "chips": int(chips), "model": model}
    if isinstance(value, dict) and set(value) == {"h100e"}:
        value = value["h100e"]
    elif isinstance(value, dict):
        raise ValueError(
            "expected H100e as a number, {h100e: N} or {chips: N, model: NAME}, "
            f"got keys {sorted(map(str, value))}"
        )
    amount = parse_number(value)
    if amount < 0 or amount != int(amount):
        raise ValueError(
            f"a granularity in H100e is a whole number (0 for continuous amounts), got {amount:g}"
        )
    return {"h100e": amount}


GranularityField = Annotated[Granularity, BeforeValidator(_granularity)]

#: Compute is decided in steps of 1,000 H100e unless a portfolio or policy says otherwise.
DEFAULT_GRANULARITY = Granularity(h100e=1_000)


# --- policy ---------------------------------------------------------------------------


class SecurityLevel(Strict):
    id: Id
    title: str
    mitigation: Annotated[float, Field(ge=0, le=1)]
    clause: str | None = None


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


class Policy(Strict):
    id: Id
    title: str
    security_levels: Annotated[list[SecurityLevel], Field(min_length=1)]
    caps: Caps = Field(default_factory=Caps)
    export_value_per_h100e: Money
    risk_penalty_per_h100e: Money
    risk_budget: Annotated[Number, Field(ge=0)] | None = None
    acceptance_margin: Money = 0.0
    granularity: GranularityField | None = None

    @cached_property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.security_levels]

    def level(self, level_id: str) -> SecurityLevel:
        return self.security_levels[self.level_ids.index(level_id)]

    def rank(self, level_id: str) -> int:
        """Position in the ordered list: higher is stronger."""
        return self.level_ids.index(level_id)


# --- partner --------------------------------------------------------------------------


class Segment(Strict):
    upto: Annotated[Compute, Field(gt=0)]
    value: Money


class ConcessionLevel(Strict):
    id: Id
    title: str
    us_value: Money
    partner_cost: Money


class SecurityRequirement(Strict):
    security: Id


Requirement = Id | SecurityRequirement


class Concession(Strict):
    id: Id
    title: str
    category: Category = "other"
    levels: Annotated[list[ConcessionLevel], Field(min_length=1)] | None = None
    us_value: Money | None = None
    partner_cost: Money | None = None
    clause: str | None = None
    requires: list[Requirement] = Field(default_factory=list)
    excludes: list[Id] = Field(default_factory=list)

    @cached_property
    def options(self) -> list[ConcessionLevel]:
        """The grantable levels; a yes/no concession has one, `granted`."""
        if self.levels is not None:
            return list(self.levels)
        return [
            ConcessionLevel(
                id=GRANTED,
                title=self.title,
                us_value=self.us_value or 0.0,
                partner_cost=self.partner_cost or 0.0,
            )
        ]

    @property
    def is_yes_no(self) -> bool:
        return self.levels is None

    def option(self, level_id: str) -> ConcessionLevel | None:
        return next((o for o in self.options if o.id == level_id), None)


class Partner(Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    name: str
    tier: Literal[1, 2, 3]
    diversion_risk: Annotated[float, Field(ge=0, le=1)]
    ask: dict[Period, Annotated[Compute, Field(ge=0)]]
    value_per_h100e: Money | Annotated[list[Segment], Field(min_length=1)]
    batna: Money = 0.0
    us_batna: Money = 0.0
    security_costs: Annotated[dict[Id, Money], Field(min_length=1)]
    concessions: list[Concession] = Field(default_factory=list)

    @field_validator("tier", mode="before")
    @classmethod
    def _tier_number(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return value

    @cached_property
    def segments(self) -> list[tuple[float, float]]:
        """(width, value per H100e) of each segment of the value curve, in order."""
        if isinstance(self.value_per_h100e, list):
            out, start = [], 0.0
            for seg in self.value_per_h100e:
                out.append((seg.upto - start, seg.value))
                start = seg.upto
            return out
        return [(float("inf"), float(self.value_per_h100e))]

    def value_of(self, h100e: float) -> float:
        """The partner's value of `h100e` delivered in one period (concave, piecewise linear)."""
        total, left = 0.0, max(h100e, 0.0)
        for width, value in self.segments:
            take = min(left, width)
            total += take * value
            left -= take
            if left <= 0:
                break
        return total

    def concession(self, concession_id: str) -> Concession | None:
        return next((c for c in self.concessions if c.id == concession_id), None)


# --- portfolio --------------------------------------------------------------------------


class PortfolioFile(Strict):
    """A portfolio as written: paths to the policy and partner files."""

    id: Id
    title: str
    policy: str
    periods: Annotated[list[Period], Field(min_length=1)]
    supply: dict[Period, Annotated[Compute, Field(ge=0)]]
    partners: Annotated[list[str], Field(min_length=1)]
    risk_budget: Annotated[Number, Field(ge=0)] | None = None
    granularity: GranularityField | None = None


class Portfolio(BaseModel):
    """A loaded portfolio: the policy and partners resolved and cross-checked."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    policy: Policy
    periods: list[str]
    supply: dict[str, float]
    partners: list[Partner]
    risk_budget: float | None
    #: The portfolio file's own risk budget (None: the policy's applies).
    own_risk_budget: float | None = None
    #: The portfolio file's own granularity (None: the policy's, else the default, applies).
    own_granularity: Granularity | None = None
    #: Input file -> sha256 of its bytes, for document fingerprints.
    inputs: dict[str, str] = Field(default_factory=dict)
    #: Partner code -> the file it came from, for messages.
    partner_files: dict[str, str] = Field(default_factory=dict)

    def partner(self, code: str) -> Partner | None:
        return next((p for p in self.partners if p.code == code), None)

    def with_policy(self, policy: Policy, digest: str | None = None) -> Portfolio:
        """The same partners under another regime; the risk budget is re-derived."""
        inputs = dict(self.inputs)
        if digest is not None:
            inputs[f"policy:{policy.id}"] = digest
        budget = self.own_risk_budget if self.own_risk_budget is not None else policy.risk_budget
        return self.model_copy(update={"policy": policy, "risk_budget": budget, "inputs": inputs})

    @property
    def granularity(self) -> Granularity:
        """The step compute is decided in: the portfolio's, else the policy's, else 1,000 H100e."""
        return self.own_granularity or self.policy.granularity or DEFAULT_GRANULARITY

    def ask(self, partner: Partner, period: str) -> float:
        return partner.ask.get(period, 0.0)

    def cap(self, partner: Partner, level: str, period: str) -> float:
        """Largest compute deliverable to `partner` in `period` under `level`."""
        if partner.tier == 3:
            return 0.0
        cap = self.policy.caps.cap(partner.tier, level)
        ask = self.ask(partner, period)
        return ask if cap is None else min(ask, cap)

    def levels_for(self, partner: Partner) -> list[str]:
        """The security levels the partner can meet, weakest first."""
        return [lv for lv in self.policy.level_ids if lv in partner.security_costs]

    def fingerprint(self) -> str:
        """Digest of the input files' contents: the same wherever they are and whatever the
        working directory (the keys of `inputs` are paths as displayed, relative to it)."""
        import hashlib

        text = "\n".join(sorted(self.inputs.values()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- package ----------------------------------------------------------------------------


class Package(Strict):
    """A deal's terms: an offer, a counter, or the optimizer's answer."""

    partner: str
    security: Id
    compute: dict[Period, Annotated[Compute, Field(ge=0)]] = Field(default_factory=dict)
    concessions: dict[Id, Id | bool] = Field(default_factory=dict)
    title: str | None = None
    date: dt.date | None = None

    def granted(self) -> dict[str, str]:
        """Concession id -> granted level id (`true` becomes `granted`; `false` is dropped)."""
        out: dict[str, str] = {}
        for cid, level in self.concessions.items():
            if level is True:
                out[cid] = GRANTED
            elif level is not False:
                out[cid] = str(level)
        return out
