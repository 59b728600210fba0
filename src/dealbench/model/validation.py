"""Validate a file against its pydantic model: every error becomes a `file:line: field:
message` issue, of the union branches that failed only those the input's shape matched.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from dealbench.errors import InputError, Issue
from dealbench.model.error_words import RULE, error_message
from dealbench.model.positions import field_path, first_missing, locate, visible
from dealbench.model.yamlio import Source
from dealbench.model.yamlparse import Loc, Positions


def validate(source: Source, model: type[BaseModel]) -> Any:
    """Validate a source against a pydantic model, reporting every error with its line."""
    try:
        return model.model_validate(source.data())
    except ValidationError as exc:
        raise InputError(_issues(source, exc.errors(include_url=False), model)) from None


def _issues(source: Source, errors: Sequence[Any], model: type[BaseModel]) -> list[Issue]:
    issues: list[Issue] = []
    # A required key misspelt is one mistake, said once, at the misspelling: `batnaa: 8bn`
    # said "batna: missing required field" at the file's line 1 and "did you mean 'batna'?"
    # at its own (qa43-inputs). Keyed by (the parent's loc, the field meant).
    meant: dict[tuple[Loc, str], int] = {}
    missing: dict[tuple[Loc, str], int] = {}
    #: What a model's own rules said (`error_words.RULE`): two at one place are two faults.
    rules = {str(error["msg"]) for error in errors if error["type"] == RULE}
    for error in _matching_branches(source.positions, errors):
        loc = tuple(error["loc"])
        given = error.get("input")
        message = error_message(error, source.written(loc, given), source.numbers_in(loc))
        if error["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            close = difflib.get_close_matches(loc[-1], sorted(_field_names(model)), n=1)
            if close and close[0] == loc[-1]:  # a field, of a part nested elsewhere
                under = " or ".join(repr(p) for p in _parents_of(model, loc[-1]))
                message = f"unknown field here; it belongs under {under}"
            elif close and visible(loc[-1]) != loc[-1]:
                message = (
                    f"unknown field: {close[0]!r} with a character one cannot see; "
                    f"retype the key as {close[0]}"
                )
            elif close:
                message = f"unknown field; did you mean {close[0]!r}?"
                meant[(loc[:-1], close[0])] = len(issues)
        if error["type"] == "missing" and loc and isinstance(loc[-1], str):
            missing[(loc[:-1], loc[-1])] = len(issues)
        if error["type"] == "missing" and loc:
            # The field is absent from the file: report it by name at its parent's line.
            parent = locate(source.positions, loc[:-1], given=source.given)
            path = field_path((*parent.loc, loc[-1]))
            issues.append(Issue(source.display, parent.line, path, parent.said(message)))
        else:
            issues.append(source.issue(loc, message, of_key=error["type"] == "extra_forbidden"))
    for key in meant.keys() & missing.keys():
        typo = issues[meant[key]]
        issues[meant[key]] = replace(typo, message=f"{typo.message} (it is required)")
    dropped = {missing[key] for key in meant.keys() & missing.keys()}
    issues = [issue for i, issue in enumerate(issues) if i not in dropped]
    # Several union branches may fail for one field: keep one message per place.
    unique: dict[tuple[int | None, str, str], Issue] = {}
    for issue in issues:
        rule = issue.message if issue.message in rules else ""
        unique.setdefault((issue.line, issue.field, rule), issue)
    return sorted(unique.values(), key=lambda i: (i.line or 0, i.field))


def matching_errors(data: Any, errors: Sequence[Any]) -> list[Any]:
    """Of a validation's errors of plain data (not read from a file: an override's value),
    those `_matching_branches` keeps, as a file's are kept."""
    return _matching_branches(_shape_of(data), errors)


def _shape_of(data: Any) -> Positions:
    """The keys and items of plain data, as a file's positions hold them (no lines)."""
    if isinstance(data, dict):
        return {key: (0, _shape_of(value)) for key, value in data.items()}
    if isinstance(data, list):
        return [(0, _shape_of(value)) for value in data]
    return None


def _matching_branches(positions: Positions, errors: Sequence[Any]) -> list[Any]:
    """Of the branches of a union that all failed, keep those the input's shape matched.

    `requires: [{securty: kyc}]` fails as a concession id (not a string) and as
    `{security: LEVEL}` (a misspelt key); only the second says something useful. A branch
    whose errors lie inside the value matched its shape, as did one that failed only on the
    value's length (`value_per_h100e: []` is a list of segments, too short, not a number);
    one that failed on the value as a whole did not. When no branch matched, every message
    is kept.
    """
    branches: dict[Loc, dict[str, bool]] = {}
    split = []
    for error in errors:
        loc = tuple(error["loc"])
        at = _tag_index(positions, loc, missing=error["type"] == "missing")
        split.append((error, loc, at))
        if at is not None:
            deeper = branches.setdefault(loc[:at], {})
            tag = str(loc[at])
            inside = len(loc) > at + 1 or error["type"] in _SHAPE_MATCHED
            deeper[tag] = deeper.get(tag, False) or inside
    kept = []
    for error, loc, at in split:
        if at is not None:
            deeper = branches[loc[:at]]
            if any(deeper.values()) and not deeper[str(loc[at])]:
                continue
        kept.append(error)
    return kept


#: Errors that say the input had the branch's shape (a list, only too short or too long):
#: `value_per_h100e: []` matched the segments' branch, not the single value's.
_SHAPE_MATCHED = {"too_short", "too_long"}


def _tag_index(positions: Positions, loc: Loc, *, missing: bool) -> int | None:
    """Index in `loc` of the first union tag (a part that is not a key or index of the file)."""
    parts = loc[:-1] if missing else loc
    found = first_missing(positions, parts)
    if found is None:
        return None
    i, among_keys = found
    return i if among_keys or isinstance(parts[i], str) else None


def _field_names(model: type[BaseModel]) -> set[str]:
    """Every field name of a model and of the models nested in it."""
    names: set[str] = set()
    todo: list[Any] = [model]
    seen: set[Any] = set()
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        if isinstance(item, type) and issubclass(item, BaseModel):
            for name, info in item.model_fields.items():
                names.add(name)
                todo.append(info.annotation)
        else:
            todo.extend(get_args(item))
    return names


def _parents_of(model: type[BaseModel], name: str) -> list[str]:
    """The fields of `model` (dotted, outermost first) under which `name` is a field."""
    found: list[str] = []
    todo: list[tuple[Any, str]] = [(model, "")]
    seen: set[Any] = set()
    while todo:
        item, path = todo.pop(0)
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in seen:
                continue
            seen.add(item)
            if path and name in item.model_fields:
                found.append(path)
            for field, info in item.model_fields.items():
                todo.append((info.annotation, f"{path}.{field}" if path else field))
        else:
            todo.extend((arg, path) for arg in get_args(item))
    return sorted(set(found), key=found.index) or ["another field"]
