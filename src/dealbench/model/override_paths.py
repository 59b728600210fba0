"""A `--set` path followed through the files a portfolio loads: its parts
(`value_per_h100e[0].value` is `value_per_h100e.0.value`), the value it names
(`read_value`), and a dump of the policy, partner or portfolio fields with a new value
put in place (`walk`), each wrong part refused with what was expected. Validating and
applying the dump is `overrides.apply_overrides`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from dealbench.errors import InputError, Issue
from dealbench.list_words import meant, one_of, or_list
from dealbench.model.base import Compute, Id, Period, RiskBudget, Strict
from dealbench.model.distributions import distribution_of
from dealbench.model.granularity import GranularityField
from dealbench.model.periods import as_written
from dealbench.model.policy import Caps, Policy
from dealbench.model.portfolio import Portfolio, PortfolioFile
from dealbench.units import kind_said, number_said

__all__ = ["NONE_WORDS", "ROOTS", "PortfolioFields", "Walked", "read_value", "split_path", "walk"]


#: The roots a path may start with.
ROOTS = ("policy", "partners", "portfolio")


class PortfolioFields(Strict):
    """The fields of a portfolio file `portfolio.*` may set."""

    supply: dict[Period, Annotated[Compute, Field(ge=0)]]
    risk_budget: Annotated[RiskBudget, Field(ge=0)] | None = None
    caps: dict[str, dict[Id, Annotated[Compute, Field(ge=0)]]] = Field(default_factory=dict)
    granularity: GranularityField | None = None

    @classmethod
    def of(cls, pf: Portfolio) -> PortfolioFields:
        """The portfolio's own figures, as its file gives them."""
        return cls(
            supply=pf.supply,
            risk_budget=pf.own_risk_budget,
            caps=pf.caps,
            granularity=pf.own_granularity,
        )


def split_path(path: str) -> list[str]:
    """A path's parts: `value_per_h100e[0].value`, as notes and `risk` name a segment's
    figure, is `value_per_h100e.0.value` (a list indexed by position)."""
    return re.sub(r"\[(\d+)\]", r".\1", path).split(".")


@dataclass(frozen=True)
class Walked:
    """A path followed into a dump of what it sets, the value put in place."""

    root: str
    rest: list[str]
    data: Any
    fail: Callable[[str], InputError]
    #: How many of the path's parts lie inside the model validated (`batna` of
    #: `partners.AE.batna`): a fault deeper in the value set is named by its keys after them.
    depth: int


def walk(pf: Portfolio, path: str, value: Any, where: str) -> Walked:
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
    obj: BaseModel = _per_level(as_written(pf.policy), rest)  # its caps as the file writes them
    prefix, inside = root, rest
    if root == "partners":
        code = rest[0]
        partner = pf.partner(code)
        if partner is None:
            codes = ", ".join(p.code for p in pf.partners)
            hint = pf.code_hint(code)
            raise fail(f"no partner {code!r} in portfolio {pf.id}; expected one of: {codes}{hint}")
        if len(rest) == 1:
            raise fail(f"a path names a field of the partner, e.g. partners.{code}.batna")
        obj, prefix, inside = partner, f"partners.{code}", rest[1:]
    elif root == "portfolio":
        obj = PortfolioFields.of(pf)
        if rest[0] in PortfolioFile.model_fields and rest[0] not in PortfolioFields.model_fields:
            fields = ", ".join(PortfolioFields.model_fields)
            raise fail(
                f"'{rest[0]}' shapes the portfolio and is not a figure --set changes (edit "
                f"the portfolio file); expected one of: {fields}"
            )
    data = obj.model_dump()
    _set(data, obj, inside, value, prefix, fail)
    return Walked(root, rest, data, fail, len(inside))


def _near(part: str, names: list[str]) -> str:
    """ " (did you mean 'batna'?)" for a name a letter or two off one of `names` (each
    such name, `list_words.meant`), as a YAML
    file's unknown field is answered; else nothing."""
    close = meant(part, names)
    return f" (did you mean {or_list(map(repr, close))}?)" if close else ""


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
                f"{prefix} has no item {part!r}{_near(part, ids)}; expected one of: {one_of(ids)}"
            )
        key, child = index, obj[index]
    else:
        said = _figure_said(obj)
        raise fail(f"{prefix} is a single value ({said}), it has no {part!r}: set {prefix}=VALUE")
    if last:
        if not _unsets(obj, key, value):
            data[key] = value
        elif type(obj).model_fields[key].default is None:
            data[key] = None
        else:  # left out, as a file may: its default (`us_batna` 0, `excludes` none)
            data.pop(key, None)
        return
    if child is None:
        raise fail(f"{here} is not set; set it whole: {here}=VALUE")
    spread = _as_given(child)
    if spread is not None:  # `partners.AE.batna.high`: a figure of the distribution given
        data[key], child = spread, dict(spread)
    _set(data[key], child, parts[1:], value, here, fail)


def _as_given(value: Any) -> dict[str, Any] | None:
    """A figure given as a distribution, as its file writes it (`{dist: triangular, low:
    ..., mode: ..., high: ...}`, a normal's centre as `mean`); None for anything else. Its
    figures were set as "a single value (1,400,000,000)", the mean, and could not be."""
    spread = distribution_of(value) if isinstance(value, float) else None
    return None if spread is None else spread.model_dump(by_alias=True)


def _figure_said(value: Any) -> str:
    """A figure of a loaded file as messages say numbers (`8,000,000,000`, `0.47`, `true`),
    not as Python writes them (8000000000.0, True): it was parsed from the file's units."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return number_said(value)
    return kind_said(value)


#: What `--set PATH=none` writes to unset an optional field (YAML's null spellings).
NONE_WORDS = ("none", "null", "~")


def _unsets(obj: Any, key: Any, value: Any) -> bool:
    """`value` is `none` (or null, ~; a scenario file's `~` is None) and `key` an optional
    field of the model `obj` (one a file may leave out): the field is unset, as if the file
    had left it out."""
    if not isinstance(obj, BaseModel) or type(obj).model_fields[key].is_required():
        return False
    return value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS)


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
        obj = _per_level(as_written(portfolio.policy), rest)
    elif root == "partners" and rest:
        obj, rest = portfolio.partner(rest[0]), rest[1:]
    elif root == "portfolio":
        obj = PortfolioFields.of(portfolio)
    else:
        return None
    for part in rest:
        obj = _as_given(obj) or obj
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


def _per_level(policy: Policy, rest: list[str]) -> Policy:
    """`policy` with the tier cap a path goes into by level (`caps.tier3.baseline`) written
    per level, where its file gives one cap for every level (`tier3: 0`): the same cap,
    which `--set policy.caps.tier3.baseline=50_000` then changes under that level alone. It
    was refused as "a single value (0), it has no 'baseline'" while a tier written per
    level was set so, and a sweep of the path found no figure there."""
    if len(rest) < 3 or rest[0] != "caps" or rest[1] not in Caps.model_fields:
        return policy
    cap = getattr(policy.caps, rest[1])
    if isinstance(cap, dict):
        return policy
    levels = {level: cap for level in policy.level_ids}
    return policy.model_copy(update={"caps": policy.caps.model_copy(update={rest[1]: levels})})


def _list_index(items: list[Any], part: str) -> int | None:
    for i, item in enumerate(items):
        if str(getattr(item, "id", getattr(item, "code", None))) == part:
            return i
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _example(root: str) -> str:
    return {
        "policy": "policy.risk_penalty_per_h100e=200k",
        "partners": "partners.AE.batna=3bn",
        "portfolio": "portfolio.supply.2027=900_000",
    }[root]
