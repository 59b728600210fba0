"""A portfolio as written and as loaded, and the scenarios run on it."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dealbench.figures import h100e
from dealbench.list_words import and_list, meant, one_of, or_list
from dealbench.model import portfolio_rules
from dealbench.model.base import (
    Compute,
    Id,
    Period,
    RiskBudget,
    Strict,
)
from dealbench.model.error_words import refuse_problems
from dealbench.model.fields import FileRef, Text
from dealbench.model.granularity import DEFAULT_GRANULARITY, Granularity, GranularityField
from dealbench.model.partner import Partner
from dealbench.model.periods import caps_per_period, range_said, share_said
from dealbench.model.policy import Policy
from dealbench.units import EMPTY, is_empty


class PortfolioFile(Strict):
    """A portfolio as written: paths to the policy and partner files."""

    id: Id
    title: Text
    policy: FileRef
    periods: Annotated[list[Period], Field(min_length=1)]
    supply: dict[Period, Annotated[Compute, Field(ge=0)]]
    partners: Annotated[list[FileRef], Field(min_length=1)]
    risk_budget: Annotated[RiskBudget, Field(ge=0)] | None = None
    #: Deal-by-deal caps: partner code -> security level -> H100e per period of this
    #: portfolio (like its supply; only a policy's caps carry a `caps_per`).
    caps: dict[str, dict[Id, Annotated[Compute, Field(ge=0)]]] = Field(default_factory=dict)
    granularity: GranularityField | None = None

    @field_validator("periods", mode="before")
    @classmethod
    def _no_range(cls, value: Any) -> Any:
        """`periods: [2026Q1..2026Q4]` (or `periods: 2026-2028`) lists every period, with
        the labels written out; else the supply's periods were each "not one of the
        portfolio's periods" and the line at fault went unsaid."""
        for label in (
            [value] if isinstance(value, str) else value if isinstance(value, list) else []
        ):
            if isinstance(label, str) and (said := range_said(label)):
                raise ValueError(said)
        return value


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
    #: The portfolio's own file, as displayed, for messages (None: built in Python).
    file: str | None = None
    #: The policy's file, for messages and notes (None: a policy not read from a file).
    policy_file: str | None = None
    #: What deals held outside this portfolio take of the supply (per period) and of the
    #: risk budget: `negotiate.replan.residual` leaves `supply` and `risk_budget` net of
    #: them, and messages give a limit to raise as the whole limit, not what is left.
    held_supply: dict[str, float] = Field(default_factory=dict)
    held_risk: float = 0.0
    #: The portfolio's own partner caps that another regime replaced (`under_regime`:
    #: they belong to `caps_regime`, the regime its file names), for the note every
    #: output gives of them (`regimes.caps_notes`).
    replaced_caps: dict[str, dict[str, float]] = Field(default_factory=dict)
    caps_regime: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _caps_per_period(cls, data: Any) -> Any:
        """The policy's caps held per this portfolio's period (`dealbench.model.periods`)."""
        if isinstance(data, dict) and isinstance(data.get("policy"), Policy):
            periods = [str(t) for t in data.get("periods", [])]
            return {**data, "policy": caps_per_period(data["policy"], periods)}
        return data

    @field_validator("partners")
    @classmethod
    def _partners_fit(cls, partners: list[Partner], info: ValidationInfo) -> list[Partner]:
        """Each partner against the portfolio's periods and regime, listed once
        (`portfolio_rules`), its asks beyond the horizon then dropped, as `load_portfolio`
        does: a portfolio built in code is held to the rules one read from files is."""
        periods, policy = info.data.get("periods"), info.data.get("policy")
        if periods is None or policy is None:  # their own errors are said
            return partners
        refuse_problems("Portfolio", portfolio_rules.partners_problems(partners, periods, policy))
        return [portfolio_rules.in_horizon(p, periods) for p in partners]

    @model_validator(mode="after")
    def _caps_fit(self) -> Portfolio:
        """A supply for each period, and deal-by-deal caps of its partners under the
        regime's levels (`portfolio_rules`), as `load_portfolio` checks them."""
        refuse_problems(
            "Portfolio",
            [
                *portfolio_rules.supply_problems(self.supply, self.periods),
                *portfolio_rules.partner_cap_problems(self.caps, self.partners, self.policy),
            ],
        )
        return self

    def partner(self, code: str) -> Partner | None:
        return next((p for p in self.partners if p.code == code), None)

    def unknown_partner(self, code: str) -> str:
        """What every command and call says of a partner `code` this portfolio has not: its
        codes, and the one meant when only the case differs (`ae` for AE)."""
        codes = one_of(p.code for p in self.partners)
        if is_empty(code):  # `--partner ""`: no partner named, not one called ''
            return f"{EMPTY}; expected a partner of portfolio {self.id}, one of: {codes}"
        said = f"partner {code!r} is not in portfolio {self.id}; expected one of: {codes}"
        return said + (self.code_hint(code) or self._elsewhere(code))

    def _elsewhere(self, code: str) -> str:
        """`; KR is in global.yaml, not in gulf-asia.yaml` where other portfolios of this
        one's folder (deals/portfolios) list a partner `code`: a package or `--partner`
        meant for another portfolio of the same data, which the code list alone left the
        user to find. Nothing where none does, or this portfolio was built in Python."""
        if self.file is None:
            return ""
        from dealbench.model.portfolio_files import portfolios_with

        here = Path(self.file)
        found = portfolios_with(code, here)
        return f"; {code} is in {and_list(found)}, not in {here.name}" if found else ""

    def code_hint(self, said: str) -> str:
        """` (codes are upper case: write AE)` where `said` is a code in the wrong case, `
        (Türkiye is TR's name; write its code, TR)` where it is a partner's name (in any
        case, its accents written or not: `Turkiye`); else nothing. Codes name partners in
        paths, options and packages; a newcomer writes the name they read in the documents.
        A code or name misspelt (`Turkye`) is answered ` (did you mean TR (Türkiye)?)`
        (`list_words.meant`)."""
        if self.partner(said.upper()) is not None:
            return f" (codes are upper case: write {said.upper()})"
        key = _plain(said)
        named = next((p for p in self.partners if key and _plain(p.name) == key), None)
        if named is not None:
            return f" ({named.name} is {named.code}'s name; write its code, {named.code})"
        codes = meant(said, [p.code for p in self.partners])
        if codes:
            return f" (did you mean {or_list(codes)}?)"
        names = {_plain(p.name): p for p in self.partners}
        found = meant(key, names) if key else []
        if found:
            return (
                f" (did you mean {or_list(f'{names[n].code} ({names[n].name})' for n in found)}?)"
            )
        return ""

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

    def cap_to_raise(self, partner: Partner, level: str) -> str:
        """The cap a raise names (`cap_name`): where the policy writes the tier's cap as one
        number (monopoly's tier 2, 1,699 H100e), `the tier 2 cap at every security level`,
        the one cap a file can raise ("raise the tier 2 cap under veu" was said of it, a
        cap of veu's own that no file can hold under monopoly)."""
        if level not in self.caps.get(partner.code, {}) and self.policy.caps.one_for_all(
            partner.tier
        ):
            return f"the tier {partner.tier} cap at every security level"
        return self.cap_name(partner, level)

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


#: The id of a sweep's first row, the portfolio as loaded; a scenario of this id (any
#: letter case) that sets nothing gives that row its id and title (`rules.scenario_problems`
#: refuses one that sets something).
BASE_SCENARIO = "base"


class ScenarioFile(Strict):
    """A scenarios file: `scenarios: [{id, title, set: {PATH: VALUE}}]`."""

    scenarios: Annotated[list[Scenario], Field(min_length=1)]


def _plain(text: str) -> str:
    """`text` compared as a name: in any case, without accents (`Türkiye`, `turkiye`)."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
