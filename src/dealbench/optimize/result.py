"""The solver-agnostic result of a solve: what every other module sees."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_serializer,
    model_validator,
)

from dealbench.arguments import instance_of
from dealbench.checker import DealFigures, check
from dealbench.checker.tolerance import COMPUTE_TOL
from dealbench.checker.used_up import supply_wanted
from dealbench.errors import (
    ArgumentError,
    InfeasibleError,
    InputError,
    Issue,
    SolverError,
    SolverLimitError,
)
from dealbench.limit import Limit, limits_from_details
from dealbench.model.arguments import a_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import Side
from dealbench.optimize.reasons import NoDeal
from dealbench.units import share_percent


class Status(StrEnum):
    """How a solve ended: optimal (within the gap), stopped by the time limit with a
    package, infeasible, stopped before any package, or a solver error."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time-limit"  # stopped by the time limit with a package (see solver.gap)
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no-solution"  # stopped by a limit before any package was found
    ERROR = "error"


#: What each mode maximises, which is what `SolveResult.objective` reports.
OBJECTIVES = {
    "us-best": "the US utility V (USD)",
    "partner-best": "the partners' total utility, the sum of U (USD), with V at or above its floor",
    "nash": "the log Nash product: the sum of log(gain / USD 1bn) over both sides of every "
    "partner with a zone of agreement (less any the limits cannot give a gain with the others)",
    "kalai": "the Kalai-Smorodinsky share tau: every side's gain is at least tau times its "
    "ideal gain",
}

#: `SolverInfo.name` of a result no solver made: `solve --rounds` when every negotiation is
#: concluded or walked away from (its packages are the agreed ones, as recorded).
NO_SOLVER = "none"


class SolverInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    seconds: float = Field(description="Wall time of the solver call alone")
    gap: float | None = Field(description="Relative gap proven at the end (0 when optimal)")
    bound: float | None = Field(
        default=None, description="Best bound on the objective, in the objective's unit"
    )
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per step")
    method: str = Field(default="plain", description="decompose or plain (see dealbench.solve)")
    details: dict[str, float] = Field(
        default_factory=dict, description="Counts of the search: iterations, columns, binaries"
    )


class RobustAcceptance(BaseModel):
    """One partner in a robust solve's samples, as `solve --robust` prints its row: the
    share of the samples in which it accepts the package best at the means and the robust
    one (None: no deal in that solve), and what the solver added to its walk-away value."""

    model_config = ConfigDict(frozen=True)

    partner: str
    deterministic: float | None = Field(description="Acceptance of the mean-value package")
    robust: float | None = Field(description="Acceptance of the robust package")
    batna_raised_by: float = Field(default=0.0, description="USD added to the BATNA the solver saw")


def raised_walk_away(level: float, whose: str = "their") -> str:
    """`their walk-away value raised for acceptance in 90% of the samples`: what a robust
    solve (`solve --robust 0.9`) holds a partner to, in the words of its limits."""
    return f"{whose} walk-away value raised for acceptance in {share_percent(level)} of the samples"


class Robust(BaseModel):
    """How a robust solve (`solve --robust`) made the packages: each deal accepted in at least
    `level` of `samples` draws of the uncertain figures (`seed`), checked at the means."""

    model_config = ConfigDict(frozen=True)

    level: float = Field(description="The share of the samples each deal must be accepted in")
    samples: int
    seed: int
    reached: bool = Field(description="Every deal is accepted in at least `level` of the samples")
    cost: float | None = Field(
        default=None,
        description="US utility given up at the means against the mean-value optimum (USD)",
    )
    fresh: dict[str, float] = Field(
        default_factory=dict,
        description="Partner -> the share of as many fresh samples (seed + 1) in which it "
        "accepts its robust package, for the partners that refuse in some",
    )
    acceptance: list[RobustAcceptance] = Field(
        default_factory=list,
        description="Each partner with a deal in either solve: its acceptance in the samples "
        "(`solve --robust`'s table); empty in a result written before dealbench recorded it",
    )


class FromRounds(BaseModel):
    """A re-plan from negotiation rounds (`solve --rounds`): the deals concluded in them,
    fixed as agreed, and the partners walked away from; the rest re-optimized."""

    model_config = ConfigDict(frozen=True)

    concluded: dict[str, int] = Field(
        default_factory=dict, description="Partner code -> the round that concluded its deal"
    )
    walked_away: list[str] = Field(default_factory=list, description="Partners walked away from")
    walked_away_by: dict[str, Side] = Field(
        default_factory=dict,
        description="Partner code -> who walked away: `us` (the United States) or `partner` "
        "(the walk-away round's side); empty in a result written before dealbench recorded it",
    )
    inputs: str = Field(
        default="",
        description="Digest of the data files alone, as a plain solve's `fingerprint` (the "
        "result's own covers the round files too)",
    )


class SolveResult(BaseModel):
    """Deals, their figures as `check` recomputed them, and how the solve went."""

    model_config = ConfigDict(frozen=True)

    status: Status
    mode: str
    portfolio: str
    portfolio_title: str
    policy: str
    periods: list[str]
    objective: float | None = Field(
        description="What the mode maximised (see OBJECTIVES): V for us-best, the partners' "
        "total for partner-best (USD); the log Nash product for nash; tau for kalai"
    )
    us_value: float | None = Field(
        default=None, description="US utility V in USD, no-deal us_batna included (every mode)"
    )
    partner_total: float | None = Field(default=None, description="Sum of partner utilities U, USD")
    v_floor: float | None = Field(
        default=None, description="partner-best: the least V the solve allowed, USD"
    )
    deals: list[DealFigures] = Field(default_factory=list)
    no_deal: list[str] = Field(default_factory=list)
    supply: dict[str, float] = Field(default_factory=dict)
    supply_used: dict[str, float] = Field(default_factory=dict)
    risk_total: float = 0.0
    risk_budget: float | None = None
    binding: list[Limit] = Field(
        default_factory=list,
        description="The limits that bind, as objects (kind, partner, period...) with a sentence each",
    )
    solver: SolverInfo
    fingerprint: str = Field(description="Digest of the input files")
    message: str = ""
    portfolio_file: str | None = Field(
        default=None,
        description="The portfolio file, relative to the folder of the result.json (set by the CLI)",
    )
    robust: Robust | None = Field(
        default=None,
        description="A robust solve's level, samples and seed (None: the figures' means alone)",
    )
    overrides: list[str] = Field(
        default_factory=list,
        description="The overrides the portfolio was solved under (`--set`), PATH=VALUE in the "
        "order applied, each as text that applies it again exactly; `render` applies them again",
    )
    required: list[str] = Field(
        default_factory=list,
        exclude_if=lambda codes: not codes,
        description="The partners the solve had to give a deal (`solve --require-deal`), "
        "whatever they are worth: the packages are the best with those deals, which every "
        "document says. Absent: none required",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What reading the result needs: the portfolio's own caps that the regime "
        "it was solved under (`--policy`) replaced (`regimes.caps_notes`)",
    )
    rounds: FromRounds | None = Field(
        default=None,
        description="A re-plan from negotiation rounds: what they fixed and excluded (None: "
        "a plain solve, which ignores rounds)",
    )

    no_deal_reasons: list[NoDeal] | None = Field(
        default=None,
        description="Why each partner without a deal has none (`optimize.explain.no_deal`), "
        "as `solve` says it; every document says the same. None: not explained (a library "
        "solve, or a result.json written before results recorded it, 2026-12-06)",
    )
    prices: dict[str, Any] | None = Field(
        default=None,
        exclude_if=lambda prices: prices is None,
        description="Shadow prices, where the solve was asked for them (`solve --prices`), as "
        "`solve --prices --json` prints them (`analyze.prices.Prices.to_json`); internal "
        "figures, which the portfolio memo says and no external document does. Absent: "
        "not asked",
    )

    @field_serializer("no_deal_reasons")
    def _reasons_as_said(self, reasons: list[NoDeal] | None) -> list[dict[str, Any]] | None:
        """As `solve --json` has always printed them: amounts to the dollar or a thousandth
        of an H100e (`Relaxation.as_dict`)."""
        return None if reasons is None else [r.as_dict() for r in reasons]

    def explained(
        self, reasons: Sequence[NoDeal], portfolio: Portfolio | None = None
    ) -> SolveResult:
        """This result with why each partner without a deal has none: `reasons`, computed
        once (`optimize.explain.no_deal_reasons`) and carried to every output from here.
        Given the `portfolio` solved, a supply used in full stays among the binding limits
        only where someone wants more of it (`used_up.supply_wanted`), as "Limits that
        bind" says: the solve counted every partner without a deal as wanting some, not
        knowing why it has none (every command passes it)."""
        if portfolio is None:
            return self.model_copy(update={"no_deal_reasons": list(reasons)})
        why = {r.partner: r for r in reasons}.get
        binding = [
            b
            for b in self.binding
            if b.kind != "supply"
            or b.period is None
            or (b.limit or 0.0) <= COMPUTE_TOL  # no supply at all: said as such
            or supply_wanted(portfolio, self.deals, self.no_deal, b.period, why)
        ]
        return self.model_copy(update={"no_deal_reasons": list(reasons), "binding": binding})

    def no_deal_reason(self, partner: str) -> NoDeal | None:
        """Why `partner` has no deal, as the result records it; None where it records none."""
        return next((r for r in self.no_deal_reasons or [] if r.partner == partner), None)

    @model_validator(mode="before")
    @classmethod
    def _from_older_files(cls, data: Any) -> Any:
        """A result.json written before `us_value` existed carried V as `objective` in
        every mode (`_older_objective`); one with `binding` as sentences and
        `binding_details` as objects; and a re-plan from rounds written before results
        recorded `rounds` (`_older_rounds`)."""
        data = limits_from_details(data, "binding", "binding_details")
        if isinstance(data, dict) and "us_value" not in data and data.get("objective") is not None:
            data = _older_objective(data)
        if isinstance(data, dict) and "rounds" not in data:
            data = _older_rounds(data)
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def objective_name(self) -> str:
        """What `objective` is, in plain words (with its unit)."""
        return OBJECTIVES.get(self.mode, "the objective")

    def raise_for_status(self) -> SolveResult:
        """Raise the domain error that matches a result without a package."""
        if self.status == Status.INFEASIBLE:
            raise InfeasibleError(self.message or "no package satisfies every limit")
        if self.status == Status.NO_SOLUTION:
            raise SolverLimitError(
                self.message or "the solver stopped at its limit before finding a package"
            )
        if self.status == Status.ERROR:
            raise SolverError(self.message or "the solver failed")
        return self

    @property
    def compute_step(self) -> float | None:
        """The step its compute is in (H100e; 0: the optimizer's amounts, unrounded), as
        the solve recorded it: the portfolio's, or a finer one where that did not fit;
        None where not recorded (the portfolio's applies)."""
        step = self.solver.details.get("granularity_h100e")
        return None if step is None else float(step)

    def deal(self, partner: str) -> DealFigures | None:
        return next((d for d in self.deals if d.partner == partner), None)


def _older_objective(data: dict[str, Any]) -> dict[str, Any]:
    """A result.json from before `us_value` (dealbench of 2026-12-01) held V as `objective`,
    and as `solver.details.unrounded_objective`, in every mode: V moves to `us_value`
    (`unrounded_us_value`), and `objective` becomes what the mode maximised where the file
    recorded it: partner-best's partners' total, kalai's tau (its `solver.details.tau`).
    An old nash file never recorded its log Nash product: its objective is None (unknown),
    not V read as a logarithm; so is an old kalai file's without `tau`. Their `bound`,
    when any, was V's: dropped with the objective it bounded."""
    data = {**data, "us_value": data["objective"]}
    mode = data.get("mode")
    solver = data.get("solver")
    details = solver.get("details") if isinstance(solver, dict) else None
    details = dict(details) if isinstance(details, dict) else {}
    unrounded = details.pop("unrounded_objective", None)
    if unrounded is not None:
        details.setdefault("unrounded_us_value", unrounded)
    if mode == "partner-best":
        data["objective"] = data.get("partner_total")
        if details.get("unrounded_partner_total") is not None:
            details["unrounded_objective"] = details["unrounded_partner_total"]
    elif mode in ("nash", "kalai"):
        tau = details.get("tau") if mode == "kalai" else None
        data["objective"] = tau
        if isinstance(solver, dict):
            solver = {**solver, "bound": None}
    elif unrounded is not None:
        details["unrounded_objective"] = unrounded
    if isinstance(solver, dict):
        data["solver"] = {**solver, "details": details}
    return data


#: How `solve --rounds` began its `message` (unchanged since it was added, 2026-12-02), the
#: only record of a re-plan in a result.json written before `rounds` (2026-12-03).
_REPLAN_OPENINGS = (
    "Concluded deals fixed as agreed: ",
    "Walked away, no deal: ",
    "Re-planned: the open negotiations (",
    "No negotiation is open: nothing was re-planned.",
)
_CONCLUDED = re.compile(r"^Concluded deals fixed as agreed: (.*?)\.(?: |$)")
_CONCLUDED_ONE = re.compile(r"([A-Z0-9]+) \(round (\d+), [^)]*\)")
_WALKED = re.compile(r"(?:^|\. )Walked away, no deal: ([A-Z0-9, ]+)\.(?: |$)")


def _older_rounds(data: dict[str, Any]) -> dict[str, Any]:
    """A result.json of `solve --rounds` from before results recorded `rounds` (dealbench of
    2026-12-02): its message says what the rounds fixed and excluded, in the words
    `negotiate.plan` still writes; read from it, the result is a re-plan again, not a plain
    solve (whose fingerprint would be said to come from edited files, since a re-plan's
    covers the round files too). Its data files' own digest was not recorded: `inputs` is
    empty, which readers take as "not known"."""
    message = data.get("message")
    if data.get("mode") != "us-best" or not isinstance(message, str):
        return data
    if not message.startswith(_REPLAN_OPENINGS):
        return data
    concluded: dict[str, int] = {}
    found = _CONCLUDED.match(message)
    if found:
        concluded = {c: int(n) for c, n in _CONCLUDED_ONE.findall(found.group(1))}
    walked = _WALKED.search(message)
    walked_away = [c.strip() for c in walked.group(1).split(",")] if walked else []
    rounds = {"concluded": concluded, "walked_away": walked_away, "inputs": ""}
    return {**data, "rounds": rounds}


#: The largest result.json read (a 500-partner portfolio's is under 2 MB).
MAX_RESULT_BYTES = 64 * 1024 * 1024


def load_result(path: str | os.PathLike[str]) -> SolveResult:
    """A `result.json` written by `solve --out` (or `compare --out`), read as every data file
    is (`yamlio.read_regular_file`: a folder, a FIFO or a device refused before a byte is
    read, its size bounded), a byte-order mark left by an editor ignored; a file that is not
    JSON is refused at its line, one that is no result with the field at fault."""
    import json

    from dealbench.model.yamlio import read_regular_file

    path = Path(path)
    shown = str(path)
    if path.is_dir():  # `compare --out`'s folder, or `solve --out`'s
        raise InputError(Issue(shown, None, "", f"is a directory, {_results_in(path)}"))
    raw = read_regular_file(path, shown, MAX_RESULT_BYTES, "a result.json")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw.strip():
        raise InputError(Issue(shown, 1, "", "the file is empty, expected a result.json"))
    try:
        text = raw.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Issue(shown, line, "", f"{_NOT_A_RESULT}: not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        kind = _data_file_kind(path)
        if kind is not None:  # a package or portfolio named where a result goes
            problem = f"this is a {kind} file, {_NOT_A_RESULT}"
            raise InputError(Issue(shown, 1, "", problem)) from None
        problem = f"{_NOT_A_RESULT}: invalid JSON ({exc.msg}, column {exc.colno})"
        raise InputError(Issue(shown, exc.lineno, "", problem)) from None
    data = json.loads(text)
    if not isinstance(data, dict):  # pydantic said "Input should be an object", at no line
        problem = f"{_NOT_A_RESULT}: expected a JSON object ({{...}}), got {_json_kind(data)}"
        raise InputError(Issue(shown, _json_line(text, ()), "", problem))
    other = _other_output(path, data)
    if other is not None:
        raise InputError(Issue(shown, None, "", other))
    try:
        return SolveResult.model_validate_json(text)
    except ValidationError as exc:
        raise not_a_result(shown, text, exc) from None


def not_a_result(
    shown: str, text: str, exc: ValidationError, prefix: tuple[str | int, ...] = ()
) -> InputError:
    """A result.json's first fault (`exc`, of the value at `prefix`), named at its field and
    line (`text` is the file's JSON), as a YAML file's are."""
    first = exc.errors(include_url=False)[0]
    loc = (*prefix, *first["loc"])
    where = ".".join(str(p) for p in loc)
    return InputError(
        Issue(shown, _json_line(text, loc), where, f"{_NOT_A_RESULT}: {first['msg']}")
    )


_NOT_A_RESULT = "not a dealbench result.json"


def _json_kind(data: object) -> str:
    """What a JSON document holds instead of an object, in JSON's words."""
    if isinstance(data, list):
        return "a list ([...])"
    if isinstance(data, str):
        return "a string"
    if data is None:
        return "null"
    return "true or false" if isinstance(data, bool) else "a number"


def _json_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line of the value at `loc` in the JSON `text`, as a YAML file's messages name
    theirs (JSON is YAML: `yamlparse` reads its lines); None where that parser refuses it."""
    import yaml

    from dealbench.model.positions import locate
    from dealbench.model.yamlparse import parse

    try:
        positions = parse(text)[1]
    except (yaml.YAMLError, OverflowError):
        return None
    return locate(positions, loc).line


def _results_in(folder: Path) -> str:
    """What to give instead of `folder`, where a result.json was expected: the one it holds
    (`solve --out`'s), or each regime's (`compare --out`'s). `diff out/compare
    out/compare/tiered/result.json` said only "is a directory, expected a result.json"."""
    if (folder / "result.json").is_file():
        return f"expected a result.json: give {folder / 'result.json'}"
    held = sorted(folder.glob("*/result.json"))
    if not held:
        return "expected a result.json (solve --out DIR writes DIR/result.json)"
    named = ", ".join(str(p) for p in held[:4]) + (", ..." if len(held) > 4 else "")
    return f"expected a result.json: it holds one for each regime compared: {named}"


def _other_output(path: Path, data: object) -> str | None:
    """What `data` is where it is another file dealbench writes (`compare --out`'s
    comparison.json, `sweep --out`'s sweep.json) named where a result.json goes, and what
    to give instead; None otherwise. Both were refused with "status: not a dealbench
    result.json: Field required", which says neither what the file is nor where the
    results are."""
    if not isinstance(data, dict) or "status" in data:
        return None
    if {"regimes", "best", "partners"} <= data.keys():
        held = sorted(path.parent.glob("*/result.json"))
        where = (
            ", ".join(str(p) for p in held[:4]) + (", ..." if len(held) > 4 else "")
            if held
            else f"{path.parent / 'REGIME' / 'result.json'}"
        )
        return (
            f"this is a comparison (compare --out's comparison.json), {_NOT_A_RESULT}: "
            f"give one regime's result.json: {where}"
        )
    if {"rows", "change_points", "param"} <= data.keys():
        return (
            f"this is a sweep (sweep --out's sweep.json), {_NOT_A_RESULT}: a sweep writes "
            "no result.json; solve one of its rows with `dealbench solve PORTFOLIO --set "
            "PATH=VALUE --out DIR` and give DIR/result.json"
        )
    return None


def _data_file_kind(path: Path) -> str | None:
    """The kind of dealbench data file (a package, a portfolio) a file that is no JSON is,
    as `validate` tells it from its keys; None for anything else. Its "invalid JSON
    (Expecting value, column 1)" said nothing of the package named in the result's place."""
    from dealbench.errors import InputError
    from dealbench.model.file_kind import detect_kind
    from dealbench.model.yamlio import read_yaml

    try:
        source = read_yaml(path)
        return detect_kind(source) if isinstance(source.tree, dict) else None
    except InputError:
        return None


def a_result(value: object, name: str = "result") -> SolveResult:
    """`value` when it is a SolveResult; else an ArgumentError saying where one comes from."""
    return instance_of(
        value,
        SolveResult,
        name,
        "solve(portfolio) returns one; load_result(path) reads a result.json",
    )


def result_for(portfolio: Portfolio, result: object, name: str = "result") -> SolveResult:
    """`result` when it is a SolveResult of `portfolio` (by its id); else an ArgumentError:
    a solve of another portfolio holds deals with partners this one may lack."""
    found = a_result(result, name)
    if found.portfolio != a_portfolio(portfolio).id:
        raise ArgumentError(
            name, f"the result is for portfolio {found.portfolio!r}, not {portfolio.id!r}"
        )
    return found


def result_fits(portfolio: Portfolio, result: object, name: str = "result") -> SolveResult:
    """`result` when it is a solve of `portfolio` as it is (`result_for`) whose packages
    still fit it (`check`); else an ArgumentError naming `name`. A solve of the same
    portfolio id with other figures (an override, a data file edited since) holds packages
    that may break its limits now, or that a partner no longer accepts: what is worked out
    from them (the deals held beside a frontier, a zone of agreement, a shadow price, why
    a partner has no deal) would be of packages the portfolio does not allow."""
    found = result_for(portfolio, result, name)
    checked = check(portfolio, [d.package() for d in found.deals])
    if not checked.ok:
        raise ArgumentError(
            name,
            f"the result's packages do not fit portfolio {found.portfolio!r} as given: "
            f"{'; '.join(checked.problems())}; the result is a solve of other figures (an "
            "override, a data file edited since): solve the portfolio as given",
        )
    return found
