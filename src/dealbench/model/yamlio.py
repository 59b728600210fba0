"""Read YAML keeping line numbers, and turn validation errors into file:line issues.

The parser (yamlparse) keeps the line of every key and item and refuses duplicate
keys, so a typo or a pasted-twice key is reported where it stands instead of
silently winning.
"""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from yaml import YAMLError

from dealbench.errors import InputError, Issue
from dealbench.model.yamlparse import Loc, Positions, UnreadableValue, parse, yaml_issue
from dealbench.units import EMPTY, is_empty

__all__ = [
    "MAX_FILE_BYTES",
    "Loc",
    "Positions",
    "Source",
    "display_path",
    "field_path",
    "read_yaml",
    "validate",
]

#: The largest data file read, in bytes; larger files are refused before parsing.
#: The shipped files are a few kilobytes; a 500-partner portfolio is under 100 kB.
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A parsed YAML file: its path for messages, its data and lines, its bytes' digest."""

    path: Path
    display: str
    tree: Any
    digest: str
    positions: Positions = None

    def line(self, loc: Loc) -> int | None:
        """1-based line of the deepest node of `loc` found in the tree."""
        return _locate(self.positions, loc)[1]

    def has(self, loc: Loc) -> bool:
        """Whether the file gives the field at `loc` (every part of it found)."""
        return _first_missing(self.positions, loc) is None

    def issue(self, loc: Loc, message: str) -> Issue:
        """An issue at `loc`; a last field absent from the file is named at its parent's line."""
        node_loc, line = _locate(self.positions, loc)
        if loc and isinstance(loc[-1], str) and not _is_tag(loc[-1]):
            parent, _ = _locate(self.positions, loc[:-1])
            plain = [p for p in loc[:-1] if not (isinstance(p, str) and _is_tag(p))]
            if node_loc == parent and len(parent) == len(plain):
                node_loc = (*parent, loc[-1])
        return Issue(self.display, line, field_path(node_loc), message)

    def data(self) -> Any:
        """The tree as plain dicts and lists (what pydantic validates); not a copy."""
        return self.tree


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    text = str(path).replace("\x00", "\\0")
    if "\x00" in str(path):
        return text
    try:  # not resolved: a symlink is named as the user wrote it
        return str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
    except (ValueError, OSError):  # elsewhere, or no working directory: as written, its
        # `a/..` taken out (a partner file reached from a portfolio's folder was named
        # `/data/portfolios/../partners/ae.yaml`), as the working directory's own are
        return os.path.normpath(text)


#: The message of a file that does not exist, before any "did you mean" (`not_found`).
NOT_FOUND = "file not found"
#: The most names of a folder looked through for a near one: a folder of thousands is not
#: where a data file was meant.
_NEAR_NAMES = 2_000


def near_name(path: Path) -> str | None:
    """The name of an entry beside `path` that differs from its name by a letter or two
    (`gulf-asia.yml` for `gulf-asia.yaml`, `ae-ofer.yaml`) or by case only (`ae.yaml` for
    `AE.yaml`), or None: what the user most
    likely meant by a path that does not exist."""
    try:
        with os.scandir(path.parent if str(path.parent) else ".") as entries:
            names = [e.name for _, e in zip(range(_NEAR_NAMES), entries, strict=False)]
    except (OSError, ValueError):
        return None
    names = [n for n in names if not n.startswith(".") and n != path.name]
    # Only the case differs (`AE.yaml` for `ae.yaml`): a near name whatever its length,
    # which difflib's ratio misses on short names.
    cased = sorted(n for n in names if n.lower() == path.name.lower())
    close = cased or difflib.get_close_matches(path.name, sorted(names), n=1, cutoff=0.8)
    return close[0] if close else None


def not_found(path: Path, shown: str) -> str:
    """`file not found`, and the near name in the form the path was `shown` where one
    exists: "file not found; did you mean deals/portfolios/gulf-asia.yaml?"."""
    near = near_name(path)
    if near is None:
        return NOT_FOUND
    return f"{NOT_FOUND}; did you mean {with_name(shown, near)}?"


def with_name(shown: str, name: str) -> str:
    """`shown` (a path as written) with its last part `name`, its separators kept."""
    head = max(shown.rfind("/"), shown.rfind(os.sep))
    return shown[: head + 1] + name


def folder_of(path: str | os.PathLike[str]) -> Path:
    """The folder a data file's relative references start from, absolute: the folder
    the path names, not its target's when the file is a link (as the loader reads them),
    with the folder's own links followed (as the system does for `..`)."""
    return Path(path).absolute().parent.resolve()


def read_yaml(path: Path) -> Source:
    """Parse one YAML file; every failure becomes an InputError naming file and line."""
    display = display_path(path)
    raw = read_regular_file(path, display)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # what some Windows editors save
            problem = "UTF-16 text, expected UTF-8; save the file as UTF-8"
            raise InputError(Issue(display, 1, "", problem)) from None
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Issue(display, bad_line, "", f"not UTF-8 text ({exc.reason})")) from None
    try:
        tree, positions, duplicates = parse(text)
    except UnreadableValue as exc:
        if not exc.loc or exc.problem_mark is None:
            raise InputError(yaml_issue(display, text, exc)) from None
        line = exc.problem_mark.line + 1
        raise InputError(Issue(display, line, field_path(exc.loc), str(exc.problem))) from None
    except YAMLError as exc:
        raise InputError(yaml_issue(display, text, exc)) from None
    if duplicates:
        raise InputError([_duplicate_key_issue(display, *dup) for dup in duplicates])
    if tree is None:
        raise InputError(Issue(display, 1, "", "the file is empty, expected a mapping"))
    if not isinstance(tree, dict):
        raise InputError(Issue(display, 1, "", "expected a mapping of fields at the top level"))
    return Source(path, display, tree, hashlib.sha256(raw).hexdigest(), positions)


def read_regular_file(
    path: Path, display: str, limit: int = MAX_FILE_BYTES, expected: str = "a YAML file"
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or an InputError saying why not
    (`expected`: what the file is to be, "a template", said in each refusal).

    Devices, FIFOs, sockets and folders are refused before a byte is read (a FIFO is
    opened without blocking), a symlink loop or a NUL byte in the name is named as
    such, and a file is never read past `limit`.
    """

    def fail(message: str) -> InputError:
        return InputError(Issue(display, None, "", message))

    if "\x00" in str(path):
        raise fail("the path contains a NUL byte; expected a file name")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise fail(not_found(path, display)) from None
    except IsADirectoryError:
        raise fail(f"is a directory, expected {expected}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail(f"a loop of symbolic links; expected {expected}") from None
        if exc.errno == errno.ENXIO:  # a socket (or a device without its driver)
            raise fail(
                f"not a regular file (a device, FIFO or socket); expected {expected}"
            ) from None
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail(f"is a directory, expected {expected}")
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"not a regular file (a device, FIFO or socket); expected {expected}")
        if info.st_size > limit:
            raise fail(
                f"the file is {info.st_size:,} bytes; {expected} is limited to {limit:,} bytes"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise fail(f"the file is over {limit:,} bytes; {expected} is limited to that")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def validate(source: Source, model: type[BaseModel]) -> Any:
    """Validate a source against a pydantic model, reporting every error with its line."""
    try:
        return model.model_validate(source.data())
    except ValidationError as exc:
        raise InputError(_issues(source, exc.errors(include_url=False), model)) from None


def field_path(loc: Iterable[str | int]) -> str:
    """`('concessions', 0, 'levels', 1, 'us_value')` -> `concessions[0].levels[1].us_value`.

    A character one cannot see in a key (a zero-width or no-break space, a control
    character) is written as its code (`partner_cost\\u200b`), so the path does not read
    as the field it failed to be."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{visible(str(part))}" if out else visible(str(part))
    return out


def visible(text: str) -> str:
    """`text` with each character one cannot see (but a plain space) as `\\uXXXX`."""
    return "".join(
        f"\\u{ord(c):04x}" if c != " " and unicodedata.category(c) in _UNSEEN else c for c in text
    )


#: Unicode categories of characters that show as nothing or as a plain space: controls,
#: formats (zero-width space, BOM), separators (no-break space), private and unassigned.
_UNSEEN = frozenset({"Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"})


def _issues(source: Source, errors: Sequence[Any], model: type[BaseModel]) -> list[Issue]:
    issues = []
    for error in _matching_branches(source.positions, errors):
        loc = tuple(error["loc"])
        message = _message(error)
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
        if error["type"] == "missing" and loc:
            # The field is absent from the file: report it by name at its parent's line.
            parent, line = _locate(source.positions, loc[:-1])
            issues.append(Issue(source.display, line, field_path((*parent, loc[-1])), message))
        else:
            issues.append(source.issue(loc, message))
    # Several union branches may fail for one field: keep one message per place.
    unique: dict[tuple[int | None, str], Issue] = {}
    for issue in issues:
        unique.setdefault((issue.line, issue.field), issue)
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


#: pydantic's errors for a value too long: a string's, or any value's under `max_length`.
_TOO_LONG = {"too_long", "string_too_long"}

#: Errors that say the input had the branch's shape (a list, only too short or too long):
#: `value_per_h100e: []` matched the segments' branch, not the single value's.
_SHAPE_MATCHED = {"too_short", "too_long"}


def _tag_index(positions: Positions, loc: Loc, *, missing: bool) -> int | None:
    """Index in `loc` of the first union tag (a part that is not a key or index of the file)."""
    parts = loc[:-1] if missing else loc
    found = _first_missing(positions, parts)
    if found is None:
        return None
    i, among_keys = found
    return i if among_keys or isinstance(parts[i], str) else None


def _first_missing(positions: Positions, loc: Loc) -> tuple[int, bool] | None:
    """The index in `loc` of the first part the file does not give, and whether it was
    looked for among a mapping's keys; None when the file gives every part."""
    node = positions
    for i, part in enumerate(loc):
        if isinstance(node, dict):
            key = _map_key(node, part)
            if key is _MISSING:
                return i, True
            node = node[key][1]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part][1]
        else:
            return i, False
    return None


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


def value_said(error: Any) -> str:
    """One of pydantic's errors in the files' words ("expected a whole number, got 'four'"),
    for a value given elsewhere than in a file: a command-line option's."""
    return _message(error)


def _message(error: Any) -> str:
    message, value = _said(error), error.get("input")
    got = f", got {_short(value)}"
    if error["type"] != "missing" and is_empty(value) and message.endswith(got):
        # `2027:` or `id:` with nothing after it: the value is empty, not "got None".
        return f"{EMPTY}; {message.removesuffix(got)}"
    return message


def _said(error: Any) -> str:
    kind = error["type"]
    if kind == "string_type" and _field_of(error) in _TEXTS:
        return f"expected {_TEXTS[_field_of(error)]}, got {_short(error.get('input'))}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_short(error.get('input'))}"
    if kind == "int_parsing_size":  # `round: 1e308`: not "unable to parse input string ..."
        return f"expected a whole number, got {_short(error.get('input'))}, too large to count with"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; unknown fields are not allowed)"
    if kind == "missing":
        return "missing required field"
    message, ctx = str(error["msg"]), error.get("ctx", {})
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    bound = _BOUNDS.get(kind)
    if bound is not None and bound[0] in error.get("ctx", {}):
        return f"must be {bound[1]} {error['ctx'][bound[0]]:g}, got {_written(error.get('input'))}"
    if kind == "dict_type":
        mapping = _MAPPINGS.get(_field_of(error), "a mapping of keys to values")
        return f"expected {mapping}, got {_short(error.get('input'))}"
    if kind == "too_short" and "min_length" in error.get("ctx", {}):
        return _too_few(error)
    if kind in _TOO_LONG and isinstance(error.get("input"), str) and "max_length" in ctx:
        # an id of 5,000 letters: characters, not pydantic's "items after validation"
        text, most = error["input"], ctx["max_length"]
        return f"is {len(text):,} characters long; at most {most:,} characters are allowed"
    if kind in ("model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {_short(error.get('input'))}"
    if kind == "string_pattern_mismatch":
        what = _PATTERNS.get(error.get("ctx", {}).get("pattern", ""))
        if what:
            return f"expected {what}, got {_short(error.get('input'))}"
    if kind in ("literal_error", "enum") and "expected" in error.get("ctx", {}):
        expected = str(error["ctx"]["expected"])
        return f"expected {expected}, got {_short(error['input'])}{_choice_meant(error, expected)}"
    message = message[0].lower() + message[1:] if message else message
    if kind == "value_error" or "got " in message:
        return message
    return f"{message}, got {_short(error.get('input'))}"


def _choice_meant(error: Any, expected: str) -> str:
    """`side: Partner`, `status: walked away`: the choice meant, written in another case or
    with a space for its hyphen, named as an id in the wrong case is (`rules.unknown`)."""
    given = error.get("input")
    if not isinstance(given, str):
        return ""
    meant = re.sub(r"[\s_]+", "-", given.strip()).lower()
    choices = re.findall(r"'([^']*)'", expected)
    return f"; did you mean {meant!r}?" if meant in choices and meant != given else ""


def _field_of(error: Any) -> str:
    """The name of the field an error is of (its last named part: `code`, `supply`)."""
    return next((str(part) for part in reversed(error.get("loc", ())) if isinstance(part, str)), "")


def _too_few(error: Any) -> str:
    """`periods: []`: how many items the field needs, in its own words, not pydantic's."""
    # The field's own name, not a union's tag after it (`value_per_h100e.list[Segment]`).
    noun = next((_ITEMS[p] for p in reversed(error.get("loc", ())) if p in _ITEMS), "item")
    least, actual = error["ctx"]["min_length"], error["ctx"].get("actual_length")
    return f"expected at least {least} {noun}{'' if least == 1 else 's'}, got {actual or 'none'}"


#: What a field of a plain type expects, by pydantic's error type, in the files' words
#: (not "input should be a valid integer, unable to parse string as an integer").
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "date_type": "a date such as 2026-03-14",
    "date_parsing": "a date such as 2026-03-14",
    "date_from_datetime_parsing": "a date such as 2026-03-14",
    "date_from_datetime_inexact": "a date such as 2026-03-14",
}

#: What one item of a list (or mapping) that may not be empty is, by the field's name.
_ITEMS = {
    "periods": "period",
    "partners": "partner file",
    "security_levels": "security level",
    "security_costs": "security level with its cost",
    "levels": "level",
    "value_per_h100e": "segment ({upto, value})",
    "scenarios": "scenario",
}


#: What a field that holds a mapping expects, for a value that is not one (`ask: 40_000`).
_MAPPINGS = {
    "ask": "H100e per period, e.g. {2026: 40_000, 2027: 40_000}",
    "supply": "H100e per period, e.g. {2026: 1_000_000, 2027: 1_000_000}",
    "security_costs": "a cost per security level, e.g. {baseline: 0, kyc: 400m}",
}

_A_CODE = "a country code of two or three capital letters, such as AE"

_PATTERNS = {
    "^[A-Z]{2,3}$": _A_CODE,
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "an id of letters, digits, '_', '.' and '-', starting with a letter or digit"
    ),
}

#: What a text field that holds a partner's code takes, by the field's name, for a value
#: that is not text (`code:` left empty, `partner: [AE]`): not "expected text".
_TEXTS = {
    "code": _A_CODE,
    "partner": "a partner's code, such as AE",
}

_BOUNDS = {
    "less_than_equal": ("le", "at most"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "greater_than": ("gt", "greater than"),
}


def _written(value: Any) -> str:
    """A value as a file writes it, where a bound is broken: compute is often a mapping
    (`{tpp: -5}`), and "got a mapping" would not say which figure."""
    if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()):
        text = "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
        if len(text) <= 60:
            return text
    return _short(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):  # as YAML read `title: 2026-05-01`, not Python's repr
        return f"the date {value.isoformat()}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _locate(positions: Positions, loc: Loc) -> tuple[Loc, int | None]:
    """Follow `loc` into the tree as far as it goes; return that part and its line."""
    node = positions
    found: list[str | int] = []
    line: int | None = 1
    for part in loc:
        if isinstance(node, dict):
            key = _map_key(node, part)
            if key is _MISSING:
                continue  # a union tag or a missing field: stay on this node
            line, node = node[key]
            found.append(str(key))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node[part]
            found.append(part)
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit():
            index = int(part)
            if 0 <= index < len(node):
                line, node = node[index]
                found.append(index)
        else:
            if isinstance(part, str) and part not in found and not _is_tag(part):
                found.append(part)  # a missing field: name it, keep the parent's line
    return tuple(found), line


_MISSING = object()


def _map_key(node: dict[Any, Any], part: str | int) -> Any:
    for candidate in (part, str(part)):
        if candidate in node:
            return candidate
    if isinstance(part, str) and part.lstrip("-").isdigit() and int(part) in node:
        return int(part)
    if isinstance(part, str):  # a key pydantic names by its text: 2026.0, a date, None
        for key in node:
            if part in (str(key), repr(key)):
                return key
    return _MISSING


def _is_tag(part: str) -> bool:
    return "[" in part or "(" in part or part in ("int", "float", "str", "bool")


def _duplicate_key_issue(display: str, line: int, first: int, loc: Loc) -> Issue:
    """A key given twice, reported at the second one with its field path and the first's line."""
    message = f"duplicate key: already given on line {first} (a key may appear only once)"
    return Issue(display, line, field_path(loc), message)
