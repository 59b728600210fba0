"""The data types of dealbench: policy, partner, portfolio and package.

Pydantic models with `extra="forbid"` (a typo is an error), units parsed on
the way in (money to USD, compute to H100e, periods to text). Rules that
need more than one field live in `dealbench.model.rules`, `partner_rules` and
`package_rules`, which report each problem at its exact place in the file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from dealbench.model import amounts
from dealbench.model.distributions import uncertain
from dealbench.model.fields import ClauseText, FileRef, Fraction, RoundNumber, Site, Text
from dealbench.model.names import Article, in_text
from dealbench.model.periods import CapsPer, caps_per_period, share_said
from dealbench.units import (
    CHIP_TPP,
    EMPTY,
    H100_TPP,
    chips_of,
    empty_value,
    h100e,
    is_empty,
    number_said,
    parse_compute,
    parse_money,
    parse_number,
    parse_share,
    parse_share_number,
    period_label,
    quantity,
)

Money = Annotated[float, BeforeValidator(parse_money)]
Compute = Annotated[float, BeforeValidator(parse_compute)]
Number = Annotated[float, BeforeValidator(parse_number)]
Period = Annotated[str, BeforeValidator(period_label)]
#: A partner figure that may be a distribution (DESIGN.md "Scenarios and uncertainty"):
#: the float is its mean, for every deterministic use (`dealbench.model.distributions`).
UncertainMoney = Annotated[Money, uncertain(parse_money)]
UncertainShare = Annotated[Fraction, uncertain(parse_share, 0.0, 1.0, shape=parse_share_number)]


def _id_text(value: Any) -> Any:
    """An id written as a number (`id: 2030`, `invest: 200`) is that text. One YAML reads
    as a decimal number or a date (`id: 1.50`, `1e3`, `2026-01-01`) is not kept as written
    (1.5, 1000.0), so it is refused with the way to write it, not "expected text"."""
    if is_empty(value):
        raise ValueError(empty_value(_AN_ID))
    if isinstance(value, float | dt.date):
        read = f"the date {value}" if isinstance(value, dt.date) else f"the number {value!r}"
        raise ValueError(
            f"read by YAML as {read}, not as the id written; write the id in quotes to keep "
            "it as written"
        )
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_AN_ID = "an id of letters, digits, '_', '.' and '-', starting with a letter or digit"
_ID = re.compile(_ID_PATTERN)
Id = Annotated[str, BeforeValidator(_id_text), Field(pattern=_ID_PATTERN, max_length=64)]

#: Concession categories of DESIGN.md.
Category = Literal["investment", "purchase", "security", "alignment", "market-access", "other"]

#: The level id of a yes/no concession (written `true` in packages).
GRANTED = "granted"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with `update`, every cached figure (segments, options, ...) is recomputed
        from the new fields rather than carried over from the original."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            for name in _cached_properties(type(self)):
                copy.__dict__.pop(name, None)
        return copy


def _cached_properties(cls: type) -> list[str]:
    return [
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    ]


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

    def in_chips(self, compute: Mapping[str, float]) -> dict[str, tuple[float, str]]:
        """Period -> (chips, model) for each amount of `compute` (H100e) that is a whole
        number of this granularity's chips; none when it is not in chips."""
        if self.model is None:
            return {}
        out: dict[str, tuple[float, str]] = {}
        for t, x in compute.items():
            n = x / self.unit
            if x > 0 and abs(n - round(n)) <= 1e-6 * max(1.0, n):
                out[t] = (float(round(n)), self.model)
        return out

    def field_text(self, x: float, written: Mapping[str, Any] | None = None) -> str:
        """`x` H100e as a compute field shows it, read back by `units.compute_typed` as the
        same amount: in a portfolio decided in chips, whole chips of its model as a plain
        number, chips of another model (`written`, as a file wrote them) with their model,
        anything else with its unit (`35000 H100e`); elsewhere H100e, a whole number as
        an integer."""
        plain = str(round(x)) if abs(x - round(x)) < 1e-6 else str(x)
        if self.model is None or x == 0:
            return plain
        if written is not None and "chips" in written and written.get("model") != self.model:
            return chips_of(written["chips"], written["model"]).replace(",", "")
        chips = self.in_chips({"": x})
        return str(round(chips[""][0])) if chips else f"{plain} H100e"

    def whole_chips(self, x: float) -> int:
        """The most whole chips of this granularity's model within `x` H100e."""
        return math.floor(x / self.unit + 1e-9)

    def one_step(self) -> str:
        """One step in words: `256 B200 chips, 582 H100e` or `1,000 H100e`."""
        if self.model:
            return f"{self._chips()}, {quantity(self.h100e)} H100e"
        return f"{quantity(self.h100e)} H100e"

    def describe(self) -> str:
        if self.h100e == 0:
            return "continuous amounts"
        if self.model:
            return f"steps of {self._chips()}"
        return f"steps of {self.units:,} H100e"

    def _chips(self) -> str:
        """`256 B200 chips`, `1 B200 chip`."""
        return chips_of(self.units, self.model or "")


def _granularity(value: Any) -> Any:
    """`1_000` or `{h100e: 1_000}` (H100e), `{chips: 512, model: B200}`; 0 is continuous."""
    if isinstance(value, Granularity):
        return value
    if isinstance(value, dict):  # a dump of a Granularity leaves the fields it lacks None
        value = {key: each for key, each in value.items() if each is not None}
    if isinstance(value, dict) and {"chips", "model"} <= set(value) <= {"chips", "model", "h100e"}:
        chips = parse_number(value["chips"])
        model = str(value["model"]).upper()
        if model not in CHIP_TPP:
            raise ValueError(
                f"unknown chip model {value['model']!r}; expected one of: {', '.join(CHIP_TPP)}"
            )
        if chips < 1 or chips != int(chips):
            raise ValueError(
                f"a granularity in chips is a whole number of 1 or more, got {number_said(chips)}"
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
            "a granularity in H100e is a whole number of 0 or more (0 for continuous amounts), "
            f"got {number_said(amount)}"
        )
    return {"h100e": amount}


GranularityField = Annotated[Granularity, BeforeValidator(_granularity)]

#: Compute is decided in steps of 1,000 H100e unless a portfolio or policy says otherwise.
DEFAULT_GRANULARITY = Granularity(h100e=1_000)


# --- policy ---------------------------------------------------------------------------


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


class Policy(Strict):
    id: Id
    title: Text
    security_levels: Annotated[list[SecurityLevel], Field(min_length=1)]
    caps: Caps = Field(default_factory=Caps)
    #: The period the caps are written for; a portfolio converts them to its own.
    caps_per: CapsPer = "year"
    export_value_per_h100e: Money
    #: A cost: negative, it would pay the US for compute reaching adversaries.
    risk_penalty_per_h100e: Annotated[Money, Field(ge=0)]
    risk_budget: Annotated[Number, Field(ge=0)] | None = None
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


# --- partner --------------------------------------------------------------------------


class Segment(Strict):
    upto: Annotated[Compute, Field(gt=0)]
    value: UncertainMoney


class ConcessionLevel(Strict):
    id: Id
    title: Text
    us_value: Money
    partner_cost: UncertainMoney
    #: The level's amount, on a range concession (in the range's unit).
    amount: Money | None = None


class AmountRange(Strict):
    """`amount:` on a concession: any amount between its levels' amounts may be granted."""

    #: Printed beside every amount of the range in documents: one line of plain text, as a
    #: title is (an escape byte here reached the DOCX writer).
    unit: Annotated[Text, Field(max_length=16)] = "USD"
    #: Where the range starts when below the first level's amount: worth 0, costing 0 there.
    min: Annotated[Money, Field(ge=0)] | None = None
    #: The optimizer offers whole multiples of `step` inside the range (and the levels).
    step: Annotated[Money, Field(gt=0)] | None = None


class SecurityRequirement(Strict):
    security: Id


Requirement = Id | SecurityRequirement


class Concession(Strict):
    id: Id
    title: Text
    category: Category = "other"
    levels: Annotated[list[ConcessionLevel], Field(min_length=1)] | None = None
    us_value: Money | None = None
    partner_cost: UncertainMoney | None = None
    #: Makes the concession a range (see dealbench.model.amounts).
    amount: AmountRange | None = None
    clause: ClauseText | None = None
    requires: list[Requirement] = Field(default_factory=list)
    excludes: list[Id] = Field(default_factory=list)
    #: Amounts the optimizer may choose besides the grid (`with_amounts`); never in a file.
    _also: tuple[float, ...] = PrivateAttr(default=())

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
                partner_cost=self.partner_cost if self.partner_cost is not None else 0.0,
            )
        ]

    @property
    def is_yes_no(self) -> bool:
        return self.levels is None

    @property
    def is_range(self) -> bool:
        return self.amount is not None and self.levels is not None

    @cached_property
    def points(self) -> list[amounts.Point]:
        """A range's breakpoints (amount, US value, partner cost); empty for other concessions."""
        if self.amount is None or self.levels is None:
            return []
        out = [(lv.amount, lv.us_value, lv.partner_cost) for lv in self.levels]
        if any(a is None for a, _, _ in out):
            return []  # reported by the rules
        points = [(float(a or 0.0), u, c) for a, u, c in out]
        low = self.amount.min
        if low is not None and points and low < points[0][0]:
            points.insert(0, (low, 0.0, 0.0))
        return points

    @cached_property
    def choices(self) -> list[ConcessionLevel]:
        """What the optimizer may grant: the levels, and on a range the grid's amounts."""
        if not self.is_range or self.amount is None:
            return self.options
        grid = self._grid()
        also = [a for a in self._also if not any(amounts.same(a, b) for b in grid)]
        between = [self._at(a, amounts.amount_text(a)) for a in [*grid, *also]]
        merged = [*self.options, *(o for o in between if o is not None and o not in self.options)]
        return sorted(merged, key=lambda o: o.amount or 0.0)

    def _grid(self) -> list[float]:
        return amounts.grid(self.points, self.amount.step if self.amount else None)

    def off_step(self, amount: float) -> tuple[float | None, float | None] | None:
        """The nearest amounts the optimizer offers below and above `amount` (None where
        there is none) when the range declares a `step` and `amount` is neither a level's
        amount nor a whole multiple of it; None when it is on the step (or there is no step)."""
        step = self.amount.step if self.amount is not None and self.is_range else None
        if step is None or amounts.value_at(self.points, amount) is None:
            return None
        offered = [*(o.amount for o in self.options if o.amount is not None), *self._grid()]
        if any(amounts.same(amount, a) for a in offered) or amounts.same(
            amount / step, round(amount / step)
        ):
            return None
        below = [a for a in offered if a < amount]
        above = [a for a in offered if a > amount]
        return (max(below) if below else None, min(above) if above else None)

    def with_amounts(self, extra: Iterable[float]) -> Concession:
        """This concession with `extra` amounts also offered to the optimizer, beside the
        levels and the grid (amounts outside the range, or not a range, change nothing):
        a counter's own amount, so that the frontier point computed for it may name it."""
        known = [o.amount for o in self.choices if o.amount is not None]
        new = [a for a in extra if not any(amounts.same(a, b) for b in known)]
        if not self.is_range or not new:
            return self
        copy = self.model_copy()
        copy.__dict__.pop("choices", None)
        copy._also = tuple(sorted({*self._also, *new}))
        return copy

    def option(self, level_id: str) -> ConcessionLevel | None:
        """The level `level_id` names; on a range also any amount in it (`75bn`), valued by
        interpolation between the neighbouring levels and named in its canonical text
        (`75bn` however it was written: `75_000_000_000`, `75000000000`)."""
        level = next((o for o in self.options if o.id == level_id), None)
        if level is not None or not self.is_range:
            return level
        amount = amounts.parse_amount(level_id)
        return None if amount is None else self._at(amount, amounts.amount_text(amount))

    def _at(self, amount: float, text: str) -> ConcessionLevel | None:
        valued = amounts.value_at(self.points, amount)
        if valued is None or self.amount is None:
            return None
        same = next(
            (o for o in self.options if o.amount is not None and amounts.same(o.amount, amount)),
            None,
        )
        if same is not None:
            return same
        return ConcessionLevel(
            id=text,
            title=amounts.amount_label(amount, self.amount.unit),
            us_value=valued[0],
            partner_cost=valued[1],
            amount=amount,
        )

    def range_text(self) -> str:
        """`200bn to 1.4tn` for a range; empty otherwise."""
        if not self.points:
            return ""
        lo, hi = self.points[0][0], self.points[-1][0]
        return f"{amounts.amount_text(lo)} to {amounts.amount_text(hi)}"


def value_on(segments: list[tuple[float, float]], h100e: float) -> float:
    """The value of `h100e` on a curve of (width, value per H100e) segments, filled in order."""
    total, left = 0.0, max(h100e, 0.0)
    for width, value in segments:
        take = min(left, width)
        total += take * value
        left -= take
        if left <= 0:
            break
    return total


class Partner(Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    name: Text
    #: Whether running English puts "the" before the name ("the Philippines"); without
    #: it, `names.takes_the` decides (headings and table cells keep the name bare).
    article: Article | None = None
    tier: Literal[1, 2, 3]
    diversion_risk: UncertainShare
    ask: dict[Period, Annotated[Compute, Field(ge=0)]]
    value_per_h100e: UncertainMoney | Annotated[list[Segment], Field(min_length=1)]
    batna: UncertainMoney
    us_batna: Money = 0.0
    security_costs: Annotated[dict[Id, Money], Field(min_length=1)]
    concessions: list[Concession] = Field(default_factory=list)

    @field_validator("tier", mode="before")
    @classmethod
    def _tier_number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # `tier: true` is not tier 1
            raise ValueError(f"expected 1, 2 or 3, got {str(value).lower()}")
        if isinstance(value, str) and value.strip() in ("1", "2", "3"):
            return int(value)
        if isinstance(value, int) and value not in (1, 2, 3):
            raise ValueError(
                f"expected 1, 2 or 3, got {value if abs(value) < 10**6 else 'a large number'}"
            )
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
        return [(float("inf"), self.value_per_h100e)]

    def in_text(self, *, start: bool = False) -> str:
        """The name as running English says it ("the Philippines"): `names.in_text`."""
        return in_text(self.name, self.article, start=start)

    def value_of(self, h100e: float) -> float:
        """The partner's value of `h100e` delivered in one period (concave, piecewise linear)."""
        return value_on(self.segments, h100e)

    def concession(self, concession_id: str) -> Concession | None:
        return next((c for c in self.concessions if c.id == concession_id), None)


# --- portfolio --------------------------------------------------------------------------


class PortfolioFile(Strict):
    """A portfolio as written: paths to the policy and partner files."""

    id: Id
    title: Text
    policy: FileRef
    periods: Annotated[list[Period], Field(min_length=1)]
    supply: dict[Period, Annotated[Compute, Field(ge=0)]]
    partners: Annotated[list[FileRef], Field(min_length=1)]
    risk_budget: Annotated[Number, Field(ge=0)] | None = None
    #: Deal-by-deal caps: partner code -> security level -> H100e per period of this
    #: portfolio (like its supply; only a policy's caps carry a `caps_per`).
    caps: dict[str, dict[Id, Annotated[Compute, Field(ge=0)]]] = Field(default_factory=dict)
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
    #: No risk budget at all, whatever the policy's (`--set portfolio.risk_budget=none`):
    #: kept through later overrides and regime changes, as an own budget is.
    no_risk_budget: bool = False
    #: Deal-by-deal caps for named partners (code -> level -> H100e per period),
    #: replacing the tier's cap under those levels.
    caps: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: The portfolio file's own granularity (None: the policy's, else the default, applies).
    own_granularity: Granularity | None = None
    #: Input file -> sha256 of its bytes, for document fingerprints.
    inputs: dict[str, str] = Field(default_factory=dict)
    #: The overrides applied to the files (`--set`, a scenario): path -> value as given,
    #: in order; documents name them beside the files' figures.
    overrides: dict[str, str] = Field(default_factory=dict)
    #: Where each override was given, as a note names it (path -> where): `--set`, or
    #: `FILE:LINE` of a scenarios file.
    override_from: dict[str, str] = Field(default_factory=dict)
    #: Partner code -> the file it came from, for messages.
    partner_files: dict[str, str] = Field(default_factory=dict)
    #: The policy's file, for messages and notes (None: a policy not read from a file).
    policy_file: str | None = None
    #: What deals held outside this portfolio take of the supply (per period) and of the
    #: risk budget: `negotiate.replan.residual` leaves `supply` and `risk_budget` net of
    #: them, and messages give a limit to raise as the whole limit, not what is left.
    held_supply: dict[str, float] = Field(default_factory=dict)
    held_risk: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _caps_per_period(cls, data: Any) -> Any:
        """The policy's caps held per this portfolio's period (`dealbench.model.periods`)."""
        if isinstance(data, dict) and isinstance(data.get("policy"), Policy):
            periods = [str(t) for t in data.get("periods", [])]
            return {**data, "policy": caps_per_period(data["policy"], periods)}
        return data

    def partner(self, code: str) -> Partner | None:
        return next((p for p in self.partners if p.code == code), None)

    def unknown_partner(self, code: str) -> str:
        """What every command and call says of a partner `code` this portfolio has not: its
        codes, and the one meant when only the case differs (`ae` for AE)."""
        codes = ", ".join(p.code for p in self.partners)
        if is_empty(code):  # `--partner ""`: no partner named, not one called ''
            return f"{EMPTY}; expected a partner of portfolio {self.id}, one of: {codes}"
        said = f"partner {code!r} is not in portfolio {self.id}; expected one of: {codes}"
        if self.partner(code.upper()) is not None:
            said += f" (codes are upper case: write {code.upper()})"
        return said

    def with_policy(self, policy: Policy, digest: str | None = None) -> Portfolio:
        """The same partners under another regime, its caps per this portfolio's period
        (raises `periods.PeriodMismatch`); the risk budget is re-derived."""
        policy = caps_per_period(policy, self.periods)
        inputs = dict(self.inputs)
        if digest is not None:
            inputs[f"policy:{policy.id}"] = digest
        return self.model_copy(
            update={
                "policy": policy,
                "risk_budget": self.budget_under(policy),
                "inputs": inputs,
                "policy_file": policy._file
                or (self.policy_file if policy.id == self.policy.id else None),
            }
        )

    def budget_under(self, policy: Policy) -> float | None:
        """The risk budget under `policy`: none when unset, else the portfolio's own, else
        the policy's."""
        if self.no_risk_budget:
            return None
        return self.own_risk_budget if self.own_risk_budget is not None else policy.risk_budget

    @property
    def granularity(self) -> Granularity:
        """The step compute is decided in: the portfolio's, else the policy's, else 1,000 H100e."""
        return self.own_granularity or self.policy.granularity or DEFAULT_GRANULARITY

    def ask(self, partner: Partner, period: str) -> float:
        return partner.ask.get(period, 0.0)

    def level_cap(self, partner: Partner, level: str) -> float | None:
        """The cap on `partner` under `level` per period: its own deal-by-deal cap when the
        portfolio sets one, else its tier's; None means uncapped. Tier 3 gets nothing."""
        if partner.tier == 3:
            return 0.0
        own = self.caps.get(partner.code, {})
        if level in own:
            return own[level]
        return self.policy.caps.cap(partner.tier, level)

    def cap_name(self, partner: Partner, level: str, *, its: bool = False) -> str:
        """Which cap applies, in words: `the tier 2 cap under kyc` or `AE's own cap under veu`
        (`its own cap under veu` with `its`, in a sentence whose subject is the partner)."""
        if level in self.caps.get(partner.code, {}):
            owner = "its" if its else f"{partner.code}'s"
            return f"{owner} own cap under {level}"
        return f"the tier {partner.tier} cap under {level}"

    def cap_basis(self, partner: Partner, level: str) -> str | None:
        """How the policy's file writes the cap on `partner` under `level`, where this
        portfolio holds it per a shorter period (DESIGN.md "Portfolio"): `a quarter of the
        policy's 600,000 H100e a year`, so that 150,000 read beside a policy file saying
        600,000 is explained. None for a cap as written, a partner's own (the portfolio's,
        per its period), no cap, and a zero one (tier 3's nothing)."""
        if partner.tier == 3 or level in self.caps.get(partner.code, {}):
            return None
        converted = self.policy._converted
        cap = self.policy.caps.cap(partner.tier, level)
        if converted is None or not cap:
            return None
        caps_per, factor = converted
        return f"{share_said(factor)} of the policy's {h100e(cap / factor)} H100e a {caps_per}"

    def cap(self, partner: Partner, level: str, period: str) -> float:
        """Largest compute deliverable to `partner` in `period` under `level`."""
        cap = self.level_cap(partner, level)
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


# --- scenarios --------------------------------------------------------------------------


class Scenario(Strict):
    """One named set of `--set` overrides: dotted path -> value in the files' units."""

    id: Id
    #: One line of plain text, as every title (it heads the scenario's row on the web's
    #: sweep page and in sweep.json).
    title: Text = ""
    set: dict[str, Any] = Field(default_factory=dict)


#: The id of a sweep's first row, the portfolio as loaded, unless a scenario of this id
#: (any letter case) is the base instead.
BASE_SCENARIO = "base"


class ScenarioFile(Strict):
    """A scenarios file: `scenarios: [{id, title, set: {PATH: VALUE}}]`."""

    scenarios: Annotated[list[Scenario], Field(min_length=1)]


# --- package ----------------------------------------------------------------------------


def _choice_text(value: Any) -> Any:
    """A concession's value in a package: a level id, true/false, or an amount. An amount
    written as a number (`7.5e10`) or with a currency (`USD 75bn`, `$75bn`) becomes its
    canonical text (`75bn`); whether it is a level or an amount is decided against the
    partner's menu (`Concession.option`)."""
    if is_empty(value):
        raise ValueError(empty_value("a level id, true or false, or an amount"))
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and _ID.match(value):
        # A level id, or an amount written like one (`75bn`): the menu decides which. No
        # sign can lead it, so it is no negative amount either (reading it as an amount
        # to ask was a failed parse for every level id of every package validated: 18,611
        # at M seed 2's joint frontier).
        return value
    if isinstance(value, float) and not value < 0:  # nan, inf, 1e308: refused as amounts
        return amounts.amount_text(parse_money(value))
    if isinstance(value, str) and not _ID.match(value):
        amount = amounts.parse_amount(value)
        if amount is not None and amount >= 0:
            return amounts.amount_text(amount)
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        amount = value if not isinstance(value, str) else amounts.parse_amount(value)
        if amount is not None and amount < 0:  # not an id's syntax error: an amount's sign
            raise ValueError(f"{value} is a negative amount; an amount is 0 or more")
        if isinstance(value, str) and amount is None and not _ID.match(value):
            # "75 billion", "75bn USD": neither a level id nor an amount as written here
            raise ValueError(
                "expected a level id, true or false, or an amount: a number, with k, m, bn or "
                f"tn if need be (2_500, 75bn, USD 75bn); got {value!r}"
            )
    return _id_text(value)


#: What a package grants of one concession: a level id or amount, or true/false.
Choice = Annotated[Id | bool, BeforeValidator(_choice_text)]


class Package(Strict):
    """A deal's terms: an offer, a counter, or the optimizer's answer."""

    partner: str
    security: Id
    compute: dict[Period, Annotated[Compute, Field(ge=0)]] = Field(default_factory=dict)
    concessions: dict[Id, Choice] = Field(default_factory=dict)
    title: Text | None = None
    date: dt.date | None = None
    #: Who proposed it (`offer` or `us`: the United States; `counter` or `partner`: the
    #: partner, as in a negotiation round's `side`) and in which round; documents are
    #: named after them (`AE-counter-003`).
    side: Literal["offer", "counter", "us", "partner"] | None = None
    round: Annotated[RoundNumber, Field(le=999)] | None = None
    #: Where each period's tranche goes and who operates it (free text, for the term
    #: sheet's Annex A): `{2026: "Stargate UAE, Abu Dhabi; operated by OpenAI and Oracle"}`.
    sites: dict[Period, Site] = Field(default_factory=dict)
    #: Period -> (chips, model) where `compute` was written `{chips: N, model: M}`.
    _chips: dict[str, tuple[float, str]] = PrivateAttr(default_factory=dict)
    #: Period -> TPP where `compute` was written `{tpp: N}`.
    _tpp: dict[str, float] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_units(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Package:
        """Remember which periods were written in chips or in TPP (`compute` keeps H100e)."""
        package: Package = handler(data)
        compute = data.get("compute") if isinstance(data, Mapping) else None
        if isinstance(compute, Mapping):
            for period, value in compute.items():
                if isinstance(value, Mapping) and set(value) == {"chips", "model"}:
                    chips = (parse_number(value["chips"]), str(value["model"]).upper())
                    package._chips[period_label(period)] = chips
                elif isinstance(value, Mapping) and set(value) == {"tpp"}:
                    package._tpp[period_label(period)] = parse_number(value["tpp"])
        return package

    def written(self) -> dict[str, dict[str, Any]]:
        """Period -> the compute as the file wrote it, where not in H100e and still that
        much (a copy with other amounts drops the period): `{chips: N, model: M}` or
        `{tpp: N}`, whole numbers as integers."""
        out: dict[str, dict[str, Any]] = {
            t: {"tpp": round(n) if n.is_integer() else n}
            for t, n in self._tpp.items()
            if math.isclose(self.compute.get(t, -1.0), n / H100_TPP)
        }
        for t, (n, model) in self.written_in_chips().items():
            out[t] = {"chips": round(n), "model": model}
        return out

    def written_in_chips(self) -> dict[str, tuple[float, str]]:
        """Period -> (chips, model) where the package was written in chips and its compute
        is still that many chips (a copy with other amounts drops the period)."""
        return {
            t: (n, model)
            for t, (n, model) in self._chips.items()
            if math.isclose(self.compute.get(t, -1.0), n * CHIP_TPP[model] / H100_TPP)
        }

    def in_steps_of(self, granularity: Granularity) -> Package:
        """This package with each period that is a whole number of `granularity`'s chips
        written in those chips (as a file would write them: the licence names chips), the
        periods already in chips kept; itself when there are none to write."""
        kept = self.written()
        chips = {
            t: {"chips": round(n), "model": model}
            for t, (n, model) in granularity.in_chips(self.compute).items()
            if t not in kept
        }
        if not chips:
            return self
        data = self.model_dump(exclude_none=True)
        written = {**kept, **chips}
        data["compute"] = {t: written.get(t, x) for t, x in self.compute.items()}
        return Package.model_validate(data)

    def granted(self) -> dict[str, str]:
        """Concession id -> granted level id (`true` becomes `granted`; `false` is dropped)."""
        out: dict[str, str] = {}
        for cid, level in self.concessions.items():
            if level is True:
                out[cid] = GRANTED
            elif level is not False:
                out[cid] = str(level)
        return out
