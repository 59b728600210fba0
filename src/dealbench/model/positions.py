"""Where a field stands in a file: a pydantic `loc` followed into a parsed file's positions
(key and item lines, from yamlparse) to its line, and its path as a message writes it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

from dealbench.model.yamlparse import Alias, Given, Loc, Positions


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


def first_missing(positions: Positions, loc: Loc) -> tuple[int, bool] | None:
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


class Spot(NamedTuple):
    """Where `locate` found a field: its path as found, the line a message names, and the
    alias (`- *level`) that gives its value there (its line and name), or None."""

    loc: Loc
    written: int | None  # the line the value is written on (under the anchor `&level`)
    alias: Alias | None = None

    @property
    def line(self) -> int | None:
        """The line a message names: the alias's, where the file uses the value."""
        return self.written if self.alias is None else self.alias.line

    def said(self, message: str) -> str:
        """`message`, saying the alias that gives the value and where that is written."""
        if self.alias is None:
            return message
        return f"{message} (by the alias *{self.alias.name}; written on line {self.written})"


def locate(
    positions: Positions, loc: Loc, *, of_key: bool = False, given: Given | None = None
) -> Spot:
    """Follow `loc` into the tree as far as it goes; return that part and its line: the
    line of its value where that is written below its key (`batna:\n    abc`), as every
    message about the value is of it; `of_key`: the key's line (an unknown field). With
    `given` (`yamlparse.Given`), the alias that gives the value that line is of."""
    node = positions
    found: list[str | int] = []
    name: str | int
    keys: list[Any] = []  # `loc` as the data reads it: `given`'s keys
    line: int | None = 1
    inside: Alias | None = None  # the alias whose value holds the node reached
    by: Alias | None = None  # the alias whose value holds the line
    for part in loc:
        if isinstance(node, dict):
            key = _map_key(node, part)
            if key is _MISSING:
                continue  # a union tag or a missing field: stay on this node
            name = key_text(key)
        elif isinstance(node, list) and (key := _index(node, part)) is not None:
            name = key
        else:
            absent = isinstance(node, list) and isinstance(part, str) and part.isdigit()
            if isinstance(part, str) and part not in found and not is_tag(part) and not absent:
                found.append(part)  # a missing field: name it, keep the parent's line
            continue
        line, node = node[key]
        found.append(name)
        keys.append(key)
        here = None if inside or not given else given.get(tuple(keys))
        by = inside or (here if here and here.whole else None)  # the line's
        inside = inside or here
    if isinstance(node, int) and not isinstance(node, bool) and not of_key:
        line, by = node, inside
    return Spot(tuple(found), line, by)


def _index(node: list[Any], part: str | int) -> int | None:
    """The index of the item of `node` that `part` names (`1` or `'1'`), or None."""
    index = int(part) if isinstance(part, str) and part.isdigit() else part
    return index if isinstance(index, int) and 0 <= index < len(node) else None


def lines_under(positions: Positions, loc: Loc) -> set[int]:
    """The lines the value at `loc` is written on, its own and every key's and item's
    inside it (`compute: {2026: {tpp: -5_0}}`, or the same over two lines); none where the
    file does not give it."""
    node, lines = positions, set()
    for part in loc:
        if isinstance(node, dict) and (key := _map_key(node, part)) is not _MISSING:
            line, node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node[part]
        else:
            return set()
        lines = {line}
    todo = [node]
    while todo:
        here = todo.pop()
        if isinstance(here, int) and not isinstance(here, bool):
            lines.add(here)
        inner = here.values() if isinstance(here, dict) else here if isinstance(here, list) else ()
        for line, below in inner:
            lines.add(line)
            todo.append(below)
    return lines


_MISSING = object()


def key_text(key: Any) -> str:
    """A key as a field's name: `true` for a key YAML read as a boolean (`supply: {true:
    5}`), as the file writes it, not `True`, nor the `1` pydantic names it by."""
    return str(key).lower() if isinstance(key, bool) else str(key)


def _map_key(node: dict[Any, Any], part: str | int) -> Any:
    for candidate in (part, str(part)):
        if candidate in node:
            if isinstance(candidate, int) and candidate in (0, 1):
                # pydantic names a boolean key by its number (True as 1): the key as read.
                return next(key for key in node if key == candidate)
            return candidate
    if isinstance(part, str) and part.lstrip("-").isdigit() and int(part) in node:
        return int(part)
    if isinstance(part, str):  # a key pydantic names by its text: 2026.0, a date, None
        for key in node:
            if part in (str(key), repr(key)):
                return key
    return _MISSING


def is_tag(part: str) -> bool:
    """Whether `part` of a pydantic `loc` is a union branch's tag, not a key of the file:
    a validator's or a type's name (`chain[...]`, `int`), or a model's class name
    (`SecurityRequirement`, the branch of `requires: [{security: kyc}]`), which a message
    never says: `requires[0].SecurityRequirement` named no field of the file."""
    return (
        "[" in part
        or "(" in part
        or part in ("int", "float", "str", "bool")
        or part in _model_names()
    )


def _model_names() -> set[str]:
    """The class names of dealbench's pydantic models (the tags of their union branches)."""
    from pydantic import BaseModel

    names: set[str] = set()
    todo = list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        if model.__module__.startswith("dealbench."):
            names.add(model.__name__)
        todo += model.__subclasses__()
    return names
