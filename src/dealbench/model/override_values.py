"""An override's value as text: `--set`'s "PATH=VALUE" items parsed (the value read as
YAML), a value written back as the text that reads as the same value, and a digest of a
set of overrides for fingerprints. Applying them is `overrides.apply_overrides`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dealbench.arguments import texts
from dealbench.errors import ArgumentError
from dealbench.model.yamlparse import Numbers, parse

__all__ = ["Sets", "override_text", "overrides_digest", "parse_set", "parse_value", "typed"]


#: The numbers of one override's value written otherwise than Python writes them
#: (`-600_000`, `1.50`), by value: None where the value writes one number two ways.
Typed = dict[float, str | None]


class Sets(dict[str, Any]):
    """Overrides, path to value (`parse_set`), that know each value's numbers as typed
    (`typed`): a refused one is quoted as the user wrote it (`got -600_000`), as a file's
    is, not as Python writes it (`-600000`). A copy made as a plain dict forgets them, and
    its messages write the number as Python does.

    `given`: every override in the order given, a path set again included (`parse_set`),
    so that each value is applied and checked in turn, not the last alone."""

    typed: dict[str, Typed]
    given: list[tuple[str, Any, Typed]]

    def __init__(self) -> None:
        super().__init__()
        self.typed = {}
        self.given = []

    def in_order(self) -> list[tuple[str, Any, Typed]]:
        """Each override as given, path, value and its numbers as typed: `given`, or (made
        otherwise than by `parse_set`) one for each path."""
        return self.given or [
            (path, value, self.typed.get(path, {})) for path, value in self.items()
        ]

    @classmethod
    def of(cls, values: Mapping[str, Any], typed: Mapping[str, Typed]) -> Sets:
        """`values`, path to value, whose numbers are written as `typed` gives them."""
        out = cls()
        out.update(values)
        out.typed.update(typed)
        return out


def typed(numbers: Numbers) -> Typed:
    """A value's numbers as written (`yamlparse.Numbers`), all its lines as one."""
    out: Typed = {}
    for on_line in numbers.values():
        for number, text in on_line.items():
            out[number] = text if out.setdefault(number, text) == text else None
    return out


def parse_value(text: str) -> Any:
    """A value as written after `=`: read as YAML (`3bn` stays text for the unit parsers).

    A mapping that gives a key twice raises ValueError, as a file's does (which to keep?)."""
    return _parsed(text)[0]


def _parsed(text: str) -> tuple[Any, Typed]:
    """`parse_value`, and the value's numbers as typed (`typed`)."""
    try:
        value, _, duplicates, numbers, _ = parse(text)
    except Exception:  # not YAML: leave it to the field's parser, which says what it expects
        return text, {}
    if duplicates:
        *_, loc = duplicates[0]
        raise ValueError(
            f"duplicate key {str(loc[-1])!r} in the value (a key may appear only once)"
        )
    return (text, {}) if value is None else (value, typed(numbers))


def parse_set(items: Iterable[str] | str, name: str = "items") -> Sets:
    """`["PATH=VALUE", ...]` (the `--set` options) as an ordered mapping of path to value
    that knows the numbers as typed (`Sets`); one "PATH=VALUE" may be given alone. An
    ArgumentError names `name` (the caller's parameter: `sets` for `load_scenario`)."""
    items = texts(items, name, "PATH=VALUE text")  # one alone: not letter by letter
    out = Sets()
    for item in items:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise ArgumentError(
                name, f"expected PATH=VALUE (e.g. partners.AE.batna=3bn), got {item!r}"
            )
        if not text.strip():
            raise ArgumentError(name, "no value after '='", path)
        # The same path again: the last value wins (`--set X=5000 --set X=none` unsets
        # it again, as a scenario layered on a base run does; docs/decisions.md, qa33),
        # and each value is checked (`given`), the first not dropped unread (qa48-cli2).
        try:
            value, numbers = _parsed(text.strip())
        except ValueError as exc:
            raise ArgumentError(name, str(exc), path) from None
        out.pop(path, None)  # a path set again is applied, and recorded, after the others
        out[path], out.typed[path] = value, numbers
        out.given.append((path, value, numbers))
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
