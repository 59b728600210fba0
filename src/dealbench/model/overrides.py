"""`--set PATH=VALUE` overrides of a loaded portfolio: parsed, applied and recorded.

A path is dotted, rooted at one of the three kinds of file a portfolio loads:
`policy.risk_penalty_per_h100e=200k`, `partners.AE.batna=3bn`,
`partners.AE.concessions.invest-us.levels.200bn.us_value=12bn`,
`portfolio.supply.2027=900_000`, `portfolio.caps.AE.veu=800_000`,
`portfolio.granularity=500`. Lists are indexed by their items' ids (partners by code)
or by position (`value_per_h100e.0.value`, or `value_per_h100e[0].value` as the notes on
uncertain figures name it). A value is read
as YAML (so `{tpp: 790_000_000}` and `true` work) and then parsed by the same
validators as the files, so units are those of the files: money as `3bn`,
compute as `900_000` or `{tpp: N}`. Each override is validated alone, in order,
so an error names the one path at fault and what was expected there.

The overrides applied are recorded in `Portfolio.overrides` (path -> value as given).
This is data, below every layer that solves or renders: `analyze` (scenarios, sweeps,
regimes compared) calls it, and so may `render`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.model import partner_rules, rules
from dealbench.model.periods import PeriodMismatch, as_written
from dealbench.model.schema import (
    Compute,
    GranularityField,
    Id,
    Number,
    Partner,
    Period,
    Policy,
    Portfolio,
    PortfolioFile,
    Strict,
)
from dealbench.model.yamlio import Loc, _message, field_path, matching_errors
from dealbench.model.yamlparse import parse

__all__ = [
    "GIVEN",
    "NONE_WORDS",
    "ROOTS",
    "apply_overrides",
    "override_text",
    "overrides_digest",
    "parse_set",
    "parse_value",
    "path_error",
    "read_value",
    "split_path",
]

#: The roots a path may start with.
ROOTS = ("policy", "partners", "portfolio")
#: The key overrides given as arguments (not from a scenarios file) have in a portfolio's
#: `inputs` (fingerprints: kept as it was when it also named their errors).
GIVEN = "--set"


class _PortfolioFields(Strict):
    """The fields of a portfolio file `portfolio.*` may set."""

    supply: dict[Period, Annotated[Compute, Field(ge=0)]]
    risk_budget: Annotated[Number, Field(ge=0)] | None = None
    caps: dict[str, dict[Id, Annotated[Compute, Field(ge=0)]]] = Field(default_factory=dict)
    granularity: GranularityField | None = None

    @classmethod
    def of(cls, pf: Portfolio) -> _PortfolioFields:
        """The portfolio's own figures, as its file gives them."""
        return cls(
            supply=pf.supply,
            risk_budget=pf.own_risk_budget,
            caps=pf.caps,
            granularity=pf.own_granularity,
        )


# --- parsing ------------------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A value as written after `=`: read as YAML (`3bn` stays text for the unit parsers).

    A mapping that gives a key twice raises ValueError, as a file's does (which to keep?)."""
    try:
        value, _, duplicates = parse(text)
    except Exception:  # not YAML: leave it to the field's parser, which says what it expects
        return text
    if duplicates:
        *_, loc = duplicates[0]
        raise ValueError(
            f"duplicate key {str(loc[-1])!r} in the value (a key may appear only once)"
        )
    return text if value is None else value


def parse_set(items: Iterable[str] | str, name: str = "items") -> dict[str, Any]:
    """`["PATH=VALUE", ...]` (the `--set` options) as an ordered mapping of path to value;
    one "PATH=VALUE" may be given alone. An ArgumentError names `name` (the caller's
    parameter: `sets` for `load_scenario`)."""
    if isinstance(items, str):  # not letter by letter
        items = [items]
    out: dict[str, Any] = {}
    for item in items:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise ArgumentError(
                name, f"expected PATH=VALUE (e.g. partners.AE.batna=3bn), got {item!r}"
            )
        if not text.strip():
            raise ArgumentError(name, "no value after '='", path)
        try:
            out[path] = parse_value(text.strip())
        except ValueError as exc:
            raise ArgumentError(name, str(exc), path) from None
    return out


def overrides_digest(overrides: Mapping[str, Any]) -> str:
    """A digest of a set of overrides, for fingerprints: the same overrides, the same digest."""
    text = json.dumps([[k, v] for k, v in overrides.items()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def override_text(value: Any) -> str:
    """An override's value as the text after `=` that `parse_value` reads back as the same
    value: what the user typed when it was text (`12bn`, `none`, `25%`), else the value in
    YAML's flow style (`[{upto: 300000, value: 45k}]`, `1300000`, `true`).

    `Portfolio.overrides` records overrides this way, so a result can carry them and
    `render` apply them again (`parse_set`, `apply_overrides`) to the same figures and the
    same input fingerprint: `str()` of a list gave Python's repr, `{'upto': ...}`."""
    if value is None:  # a scenario file's `~`: `none` unsets the same optional fields
        return "none"
    for text in (value if isinstance(value, str) else _flow(value), _json(value)):
        if text is not None and _reads_back(text, value):
            return text
    return str(value)


#: A string written plainly inside a flow collection: no space, comma, bracket or colon.
_PLAIN = re.compile(r"[A-Za-z0-9_.%+-]+")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return (
            value
            if _PLAIN.fullmatch(value) and _reads_back(value, value)
            else _json(value) or value
        )
    return str(value)  # a number, a date: YAML reads them back by their look


def _json(value: Any) -> str | None:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _reads_back(text: str, value: Any) -> bool:
    try:
        return _same(parse_value(text), value)
    except ValueError:  # a key twice
        return False


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (`1 == 1.0 == True` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- applying -----------------------------------------------------------------------------


def apply_overrides(
    portfolio: Portfolio,
    overrides: Mapping[str, Any] | Iterable[str] | str,
    *,
    where: str | None = None,
    name: str = "overrides",
) -> Portfolio:
    """The portfolio with each override applied, in order, each validated as in a file.

    `overrides`: a mapping of path to value, or `--set`'s "PATH=VALUE" texts (a list, or
    one alone).

    Raises InputError naming the path and what was expected: a path that does not
    exist, a value of the wrong unit or shape, or one the cross-file rules refuse.
    `where` is the file the overrides come from (a scenarios file); without it they are
    the caller's argument, and the error an ArgumentError naming `name`.
    """
    if isinstance(overrides, str | list | tuple):
        if not all(isinstance(item, str) for item in overrides):
            raise ArgumentError(name, "expected a mapping of path to value, or PATH=VALUE texts")
        overrides = parse_set(overrides, name)
    elif not isinstance(overrides, Mapping):
        raise ArgumentError(
            name,
            "expected a mapping of path to value, or PATH=VALUE texts, "
            f"not {type(overrides).__name__}",
        )
    if not overrides:
        return portfolio
    for path, value in overrides.items():
        try:
            portfolio = _apply_one(portfolio, path, value, where or GIVEN)
        except InputError as exc:
            if where is not None:
                raise
            first, *rest = exc.issues
            more = [(i.field, i.message) for i in rest]
            raise ArgumentError(name, first.message, first.field, more=more) from None
    inputs = dict(portfolio.inputs)
    key = f"{where or GIVEN}:{overrides_digest(overrides)[:12]}"
    inputs[key] = overrides_digest({**overrides, "#": key})
    # The record, in the order applied (a path set again moves to the end), as text that
    # applies each again exactly: a result keeps it, and `render` applies it again.
    given = {path: text for path, text in portfolio.overrides.items() if path not in overrides}
    given.update((path, override_text(value)) for path, value in overrides.items())
    origin = {**portfolio.override_from, **dict.fromkeys(overrides, where or GIVEN)}
    return portfolio.model_copy(
        update={"inputs": inputs, "overrides": given, "override_from": origin}
    )


def split_path(path: str) -> list[str]:
    """A path's parts: `value_per_h100e[0].value`, as notes and `risk` name a segment's
    figure, is `value_per_h100e.0.value` (a list indexed by position)."""
    return re.sub(r"\[(\d+)\]", r".\1", path).split(".")


def path_error(portfolio: Portfolio, path: str) -> str | None:
    """What is wrong with `path` as the place of a number, whatever number it is given
    (None: it names a figure `--set` can set, set or not). The portfolio's own figures are
    keyed by periods, partners and levels, which only the portfolio's rules check: 0, a
    number each of them takes, is applied there."""
    try:
        walked = _walk(portfolio, path, 0, GIVEN)
        if walked.root == "portfolio":
            _apply_portfolio(portfolio, walked, path, GIVEN)
    except InputError as exc:
        return exc.issues[0].message
    return None


@dataclass(frozen=True)
class _Walked:
    """A path followed into a dump of what it sets, the value put in place."""

    root: str
    rest: list[str]
    data: Any
    fail: Callable[[str], InputError]
    #: How many of the path's parts lie inside the model validated (`batna` of
    #: `partners.AE.batna`): a fault deeper in the value set is named by its keys after them.
    depth: int


def _walk(pf: Portfolio, path: str, value: Any, where: str) -> _Walked:
    """Follow `path` into a dump of the policy, the partner or the portfolio's own fields
    and put `value` there; raises InputError for a path that names nothing."""
    parts = split_path(path)
    if any(not p for p in parts):
        raise InputError(
            Issue(where, None, path, "empty part in the path (two dots, or a dot at an end)")
        )
    root, rest = parts[0], parts[1:]

    def fail(message: str) -> InputError:
        return InputError(Issue(where, None, path, message))

    if root not in ROOTS:
        hint = _root_hint(pf, path)
        raise fail(
            f"unknown root {root!r}; a path starts with one of: {', '.join(ROOTS)}"
            + (f" (did you mean {hint}?)" if hint else "")
        )
    if not rest:
        raise fail(f"a path names a field inside {root}, e.g. {_example(root)}")
    obj: BaseModel = as_written(pf.policy)  # its caps as the file writes them
    prefix, inside = root, rest
    if root == "partners":
        code = rest[0]
        partner = pf.partner(code)
        if partner is None:
            codes = ", ".join(p.code for p in pf.partners)
            case = (
                f" (codes are upper case: write {code.upper()})" if pf.partner(code.upper()) else ""
            )
            raise fail(f"no partner {code!r} in portfolio {pf.id}; expected one of: {codes}{case}")
        if len(rest) == 1:
            raise fail(f"a path names a field of the partner, e.g. partners.{code}.batna")
        obj, prefix, inside = partner, f"partners.{code}", rest[1:]
    elif root == "portfolio":
        obj = _PortfolioFields.of(pf)
        if rest[0] in PortfolioFile.model_fields and rest[0] not in _PortfolioFields.model_fields:
            fields = ", ".join(_PortfolioFields.model_fields)
            raise fail(
                f"'{rest[0]}' shapes the portfolio and is not a figure --set changes (edit "
                f"the portfolio file); expected one of: {fields}"
            )
    data = obj.model_dump()
    _set(data, obj, inside, value, prefix, fail)
    return _Walked(root, rest, data, fail, len(inside))


def _apply_one(pf: Portfolio, path: str, value: Any, where: str) -> Portfolio:
    walked = _walk(pf, path, value, where)
    fail = walked.fail
    if walked.root == "policy":
        policy = _validated(Policy, walked, path, where)
        _raise_problems(rules.policy_problems(policy), path, where)
        for each in pf.partners:
            _raise_problems(rules.partner_in_policy_problems(each, policy), path, where)
        _raise_problems(rules.partner_cap_problems(pf.caps, pf.partners, policy), path, where)
        try:
            return pf.with_policy(policy)
        except PeriodMismatch as exc:
            raise fail(str(exc)) from None
    if walked.root == "partners":
        code = walked.rest[0]
        new = _validated(Partner, walked, path, where)
        if new.code != code:
            raise fail("a partner's code cannot be changed")
        problems = [
            *partner_rules.partner_problems(new),
            *rules.partner_in_policy_problems(new, pf.policy),
            *rules.partner_in_periods_problems(new, pf.periods, beyond=False),
        ]
        _raise_problems(problems, path, where)
        partners = [new if p.code == code else p for p in pf.partners]
        return pf.model_copy(update={"partners": partners})
    return _apply_portfolio(pf, walked, path, where)


def _apply_portfolio(pf: Portfolio, walked: _Walked, path: str, where: str) -> Portfolio:
    rest, fail = walked.rest, walked.fail
    spec = _validated(_PortfolioFields, walked, path, where)
    for period in spec.supply:
        if period not in pf.periods:
            raise fail(
                f"period {period!r} is not one of the portfolio's periods ({', '.join(pf.periods)})"
            )
    _raise_problems(rules.partner_cap_problems(spec.caps, pf.partners, pf.policy), path, where)
    # `portfolio.risk_budget=none`: no risk budget at all, whatever the policy's, until the
    # path is set again; other paths keep it so.
    unset = spec.risk_budget is None if rest[0] == "risk_budget" else pf.no_risk_budget
    new = pf.model_copy(
        update={
            "supply": {t: spec.supply[t] for t in pf.periods},
            "own_risk_budget": spec.risk_budget,
            "no_risk_budget": unset,
            "caps": {code: dict(levels) for code, levels in spec.caps.items()},
            "own_granularity": spec.granularity,
        }
    )
    return new.model_copy(update={"risk_budget": new.budget_under(pf.policy)})


def _near(part: str, names: list[str]) -> str:
    """ " (did you mean 'batna'?)" for a name a letter or two off one of `names`, as a YAML
    file's unknown field is answered; else nothing."""
    close = difflib.get_close_matches(part, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _set(data: Any, obj: Any, parts: Sequence[str], value: Any, prefix: str, fail: Any) -> None:
    """Set `value` at `parts` in `data` (a dump of `obj`), walking both side by side."""
    part, last = parts[0], len(parts) == 1
    here = f"{prefix}.{part}"
    if isinstance(obj, BaseModel):
        fields = list(type(obj).model_fields)
        if part not in fields:
            raise fail(
                f"{prefix} has no field {part!r}{_near(part, fields)}; "
                f"expected one of: {', '.join(fields)}"
            )
        key: Any = part
        child = getattr(obj, part)
    elif isinstance(obj, dict):
        key = next((k for k in obj if str(k) == part), part)
        child = obj.get(key)
        if key not in obj and not last:  # a new entry of a mapping (a partner's own caps)
            data[key], child = {}, {}
    elif isinstance(obj, list):
        index = _list_index(obj, part)
        if index is None:
            ids = [str(getattr(item, "id", i)) for i, item in enumerate(obj)]
            raise fail(
                f"{prefix} has no item {part!r}{_near(part, ids)}; expected one of: {', '.join(ids)}"
            )
        key, child = index, obj[index]
    else:
        raise fail(f"{prefix} is a single value ({obj!r}), it has no {part!r}: set {prefix}=VALUE")
    if last:
        data[key] = None if _unsets(obj, key, value) else value
        return
    if child is None:
        raise fail(f"{here} is not set; set it whole: {here}=VALUE")
    _set(data[key], child, parts[1:], value, here, fail)


#: What `--set PATH=none` writes to unset an optional field (YAML's null spellings).
NONE_WORDS = ("none", "null", "~")


def _unsets(obj: Any, key: Any, value: Any) -> bool:
    """`value` is `none` (or null, ~) and `key` an optional field of the model `obj` (one
    a file may leave out): the field is unset, as if the file had left it out."""
    if not isinstance(obj, BaseModel) or not isinstance(value, str):
        return False
    field = type(obj).model_fields[key]
    return value.strip().lower() in NONE_WORDS and not field.is_required() and field.default is None


def _root_hint(pf: Portfolio, path: str) -> str | None:
    """The path with the root it lacks, when that names something: `supply.2027` is
    `portfolio.supply.2027`, `AE.batna` is `partners.AE.batna`."""
    for root in ROOTS:
        if read_value(pf, f"{root}.{path}") is not None:
            return f"{root}.{path}"
    return None


def read_value(portfolio: Portfolio, path: str) -> Any:
    """The value at a path of a loaded portfolio (units parsed: USD, H100e), or None."""
    parts = split_path(path)
    root, rest = parts[0], parts[1:]
    obj: Any
    if root == "policy":
        obj = as_written(portfolio.policy)
    elif root == "partners" and rest:
        obj, rest = portfolio.partner(rest[0]), rest[1:]
    elif root == "portfolio":
        obj = _PortfolioFields.of(portfolio)
    else:
        return None
    for part in rest:
        if isinstance(obj, BaseModel):
            obj = getattr(obj, part, None)
        elif isinstance(obj, dict):
            obj = next((v for k, v in obj.items() if str(k) == part), None)
        elif isinstance(obj, list):
            index = _list_index(obj, part)
            obj = None if index is None else obj[index]
        else:
            return None
    return obj


def _list_index(items: list[Any], part: str) -> int | None:
    for i, item in enumerate(items):
        if str(getattr(item, "id", getattr(item, "code", None))) == part:
            return i
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _validated(model: type[Any], walked: _Walked, path: str, where: str) -> Any:
    try:
        return model.model_validate(walked.data)
    except ValidationError as exc:
        issues = []
        for error in matching_errors(walked.data, exc.errors(include_url=False)):
            message, field = _message(error), path
            if error["type"] == "extra_forbidden":
                message = f"unknown field {field_path(error['loc'])}"
            else:
                field = _at_key(path, error["loc"], walked.depth)
            issues.append(Issue(where, None, field, message))
        raise InputError(_unique(issues)) from None


def _at_key(path: str, loc: Loc, depth: int) -> str:
    """The path of a fault inside the value set, as a file names it at its key:
    `partners.AE.batna.low` for `low: x` of a distribution set whole."""
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or "(" in p))]
    return ".".join([path, *(str(p) for p in parts[depth:])])


def _raise_problems(problems: Iterable[rules.Problem], path: str, where: str) -> None:
    issues = [Issue(where, None, path, msg) for _loc, msg in problems]
    if issues:
        raise InputError(_unique(issues))


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def _example(root: str) -> str:
    return {
        "policy": "policy.risk_penalty_per_h100e=200k",
        "partners": "partners.AE.batna=3bn",
        "portfolio": "portfolio.supply.2027=900_000",
    }[root]
