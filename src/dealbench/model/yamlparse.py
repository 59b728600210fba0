"""Parse YAML with libyaml into plain data and, alongside, the line of every key and item.

libyaml (PyYAML's C parser) composes the node tree; one walk over it builds the data
and its positions and notes every duplicate key. Plain scalars are read as YAML 1.2
core: only true/false are booleans (`code: NO`, `yes`, `on` stay strings), `200_000`
is a number, `2026` an int, `2026Q3` a string, `2026-03-01` a date.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from typing import Any, NamedTuple, TypeAlias

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.tokens import ScalarToken

from dealbench.errors import Issue

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml: the same, in pure Python
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]
# Lines parallel to the data: a mapping's are {key: (line, inner)}, a list's are
# [(line, inner)], a scalar's None, or its own line where it stands below its key
# (`batna:\n  abc`: the key's line is not where the value is written). Lines are 1-based.
Positions: TypeAlias = "dict[Any, tuple[int, Positions]] | list[tuple[int, Positions]] | int | None"
Duplicate = tuple[int, int, Loc]  # a repeated key: its line, the first one's line, its loc
#: The values the file gives by an alias (`- *level`), by their loc as the data reads it
#: (its keys and list indices): the alias's line, where the file uses the value and which
#: messages name, and the alias's name. Positions hold the lines a value is written on
#: (under its anchor `&level`); an alias's line is known only here.
Given = dict[Loc, "Alias"]


class Alias(NamedTuple):
    """An alias that gives a value (`Given`): its line and name. `whole`: the line of the
    value's key or item is the anchor's too (a list's item `- *level`, a key a merge
    `<<: *base` gives); else only the value's lines are (`key: *value`)."""

    line: int
    name: str
    whole: bool = False


#: At most this many values (keys, items, scalars) after aliases are expanded: an
#: "alias bomb" of a few lines would otherwise expand to gigabytes. The shipped files
#: hold a few hundred values; a 500-partner portfolio about 10,000.
MAX_VALUES = 200_000
#: At most this many levels of nested mappings and lists.
MAX_DEPTH = 64


#: The numbers of each line written otherwise than Python writes them (`-600_000`, `1e3`,
#: `0.50`), by line and value: a message quotes a number as the file writes it. None where
#: a line writes one value two ways (`{a: 1_000, b: 1000}`): which was meant is unknown.
Numbers = dict[int, dict[float, str | None]]


def parse(text: str) -> tuple[Any, Positions, list[Duplicate], Numbers, Given]:
    """The data of one YAML document (None when empty), its positions, its duplicate keys,
    its numbers as written (`Numbers`), the values it gives by an alias (`Given`).

    Raises yaml.YAMLError on invalid YAML; `yaml_issue` words it for the user.
    """
    text, back = _as_yaml_12(text)
    _count_values(text)
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        return None, None, [], {}, {}
    if back:
        _restore(root, back)
    _refuse_folded_items(root, _LINE_BREAK.split(text))
    builder = _Builder(_aliases(text) if "*" in text else None)
    data, positions = builder.build(root, ())
    duplicates = sorted(builder.duplicates.values(), key=lambda dup: dup[:2])
    return data, positions, duplicates, builder.numbers, builder.given


#: A file's anchors by where their nodes start (the index in the text), and the lines of
#: each anchor's aliases, in the order the file uses them.
Aliases = tuple[dict[int, str], dict[str, deque[int]]]


def _aliases(text: str) -> Aliases:
    """The anchors and aliases of `text` (a streaming pass: libyaml's node tree makes an
    alias the very node of its anchor, and so keeps no line of the alias)."""
    anchors: dict[int, str] = {}
    uses: dict[str, deque[int]] = {}
    for event in yaml.parse(text, Loader=_Loader):
        name, mark = getattr(event, "anchor", None), event.start_mark
        if name is None or mark is None:
            continue
        if isinstance(event, AliasEvent):
            uses.setdefault(name, deque()).append(mark.line + 1)
        else:  # a scalar, mapping or list anchored
            anchors[mark.index] = name
    return anchors, uses


def written_at(numbers: Numbers, line: int | None, value: Any) -> str | None:
    """The number `value` as line `line` writes it (`-600_000`), or None: not a number,
    written as Python writes it, or written two ways on the line."""
    if line is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return numbers.get(line, {}).get(value)


def numbers_on(numbers: Numbers, lines: Iterable[int]) -> dict[float, str | None]:
    """The numbers `lines` write otherwise than Python writes them, as one mapping (None
    where two of the lines write one value two ways)."""
    out: dict[float, str | None] = {}
    for line in sorted(lines):
        for number, text in numbers.get(line, {}).items():
            out[number] = text if out.setdefault(number, text) == text else None
    return out


#: Characters libyaml (YAML 1.1) reads as line breaks, and YAML 1.2, editors and this
#: program's line numbers do not: NEL (often a Windows code page's "…" read as Latin-1) and
#: the Unicode line and paragraph separators (pasted from a web page, a PDF or a word
#: processor). Read as breaks, they moved every later line number one line down, and one
#: in a comment or a plain value made a valid file invalid YAML.
_OTHER_BREAKS = "\x85\u2028\u2029"
#: Noncharacters that stand in for them while libyaml reads the file (printable to YAML).
_STAND_INS = [chr(code) for code in range(0xFDD0, 0xFDF0)]


def _as_yaml_12(text: str) -> tuple[str, dict[int, str]]:
    """The text with each of `_OTHER_BREAKS` replaced by a stand-in libyaml reads as an
    ordinary character, as YAML 1.2 does, and the table that puts them back (`_restore`);
    the text itself, and no table, where it holds none of them."""
    if not any(char in text for char in _OTHER_BREAKS):
        return text, {}
    free = [char for char in _STAND_INS if char not in text]
    there = {char: free[i] for i, char in enumerate(_OTHER_BREAKS) if i < len(free)}
    table = str.maketrans(there)
    return text.translate(table), {ord(stand_in): char for char, stand_in in there.items()}


def _restore(root: Node, back: dict[int, str]) -> None:
    """Put `_OTHER_BREAKS` back into every scalar (keys too) of the tree from `_as_yaml_12`."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias's node, met again
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            node.value = node.value.translate(back)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack += (key, value)


def _refuse_folded_items(root: Node, lines: list[str]) -> None:
    """Refuse a list item indented more than the one above it (`- 2026` then `    - 2027`):
    YAML folds its line into the text above (`2026 - 2027`), which was then refused as
    a period, a file or an id that the file never wrote, on the first line. A plain value
    written over several lines, one of which starts with `- `, is refused at that line."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif (
            isinstance(node, ScalarNode)
            and not node.style
            and node.end_mark.line > node.start_mark.line
        ):
            for at in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(lines))):
                line = lines[at]
                item = line.lstrip(" ")
                if item == "-" or item.startswith("- "):
                    problem = (
                        f"'{item.strip()}' is indented more than the line above it, so YAML "
                        f"reads it as more of that text ({_cut(node.value)!r}), not as an item "
                        "of a list; start the items of one list in the same column (or put "
                        "text of several lines in quotes)"
                    )
                    column = len(line) - len(item)
                    mark = Mark("<file>", 0, at, column, None, None)  # type: ignore[arg-type]
                    raise ConstructorError(None, None, problem, mark)


def _cut(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _count_values(text: str) -> None:
    """Refuse a file of more than MAX_VALUES values before building its node tree
    (a streaming pass: the events are not kept)."""
    if len(text) < MAX_VALUES:  # fewer characters than the limit: fewer values too
        return
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, ScalarEvent | AliasEvent):
            count += 1
            if count > MAX_VALUES:
                problem = f"the file holds more than {MAX_VALUES:,} values"
                raise ConstructorError(None, None, problem, event.start_mark)  # type: ignore[arg-type]


def yaml_issue(display: str, text: str, exc: YAMLError) -> Issue:
    """Invalid YAML as `FILE:LINE: invalid YAML: problem (context that starts on line N)`."""
    if isinstance(exc, ReaderError):  # a character YAML does not allow
        code = exc.character
        where = text.find(chr(code)) if isinstance(code, int) else -1
        line = text.count("\n", 0, where) + 1 if where >= 0 else None
        what = f"#x{code:04x}" if isinstance(code, int) else repr(code)
        return Issue(
            display, line, "", f"invalid YAML: unacceptable character {what}: {exc.reason}"
        )
    if not isinstance(exc, MarkedYAMLError):
        return Issue(display, None, "", f"invalid YAML: {exc}")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if mark is not None and (lookalike := _lookalike(text, exc.context_mark, mark)):
        return Issue(display, *lookalike)
    if mark is not None and (unclosed := _unclosed_quote(text, exc, mark)):
        return Issue(display, *unclosed)
    problem = _detail((exc.problem or exc.context or "invalid YAML").strip(), text, mark)
    context = exc.context_mark
    if exc.context and context is not None and context.line + 1 != line:
        problem += f" ({exc.context.strip()} that starts on line {context.line + 1})"
    hint = next((h for start, h in _HINTS if problem.startswith(start)), "")
    return Issue(display, line, "", f"invalid YAML: {problem}{hint}")


#: The line breaks of the file as `parse` reads it (`_OTHER_BREAKS` are not).
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")


#: What a person most likely did, for libyaml's messages that do not say it.
_HINTS = (
    (
        "mapping values are not allowed",
        "; is this line indented more than the key above it, or does a value hold ': '"
        " (then put it in quotes)?",
    ),
    ("found character '\\t'", "; indent with spaces, not tabs"),
    ("found a tab character", "; indent with spaces, not tabs"),
    (
        "did not find expected '-' indicator",
        "; the items of one list start in the same column with '- ' (a dash and a space),"
        " and the keys of one item line up",
    ),
    (
        "did not find expected key",
        "; the keys of one mapping start in the same column",
    ),
)


#: Characters that look like the space, colon or dash YAML reads as layout but are not
#: (pasted from a web page, a word processor or an input method): a no-break space,
#: the other Unicode spaces, a zero-width one, a fullwidth or ratio colon, dashes and a
#: minus sign. To YAML they are text, so `key:\u00a0value` is one plain word and the
#: error libyaml reports is on a later line.
_SPACES = "\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff"
_LOOKALIKE = re.compile(
    rf"^ *(?P<indent>[{_SPACES}])"  # in the indentation
    rf"|^ *(?:- +)*(?:'[^']*'|\"[^\"]*\"|[^\s#'\"\[{{&*!|>%@`-][^:#]*?)"  # a key, maybe quoted
    rf"(?P<colon>:[{_SPACES}]|[\uff1a\ua789\u2236])"
    rf"|^ *(?P<dash>[\u2010-\u2015\u2212])[ {_SPACES}]"  # a list item's dash
)


def _lookalike(text: str, context: Mark | None, mark: Mark) -> tuple[int, str, str] | None:
    """(line, field, message) for a look-alike character where YAML expects its own
    layout, on the lines libyaml's error spans (from its context, or the line above)."""
    lines = _LINE_BREAK.split(text)
    first = mark.line - 1 if context is None else min(context.line, mark.line - 1)
    for number in range(max(first, 0), min(mark.line + 1, len(lines))):
        found = _LOOKALIKE.search(lines[number])
        if found is None:
            continue
        where = next(name for name in ("indent", "colon", "dash") if found[name])
        char = found[where][-1]
        what = f"U+{ord(char):04X} {unicodedata.name(char, 'a look-alike character').lower()}"
        ordinary = {
            "indent": "a space",
            "colon": "': ' (a colon and a space)",
            "dash": "'- ' (a hyphen and a space)",
        }
        if where == "colon" and found[where].startswith(":"):
            return (
                number + 1,
                "",
                f"invalid YAML: the ':' is followed by {what}, which YAML does not read as "
                "a space; type an ordinary space after the colon",
            )
        return (
            number + 1,
            "",
            f"invalid YAML: {what} where YAML expects {ordinary[where]}; type it on the keyboard",
        )
    return None


def _unclosed_quote(text: str, exc: MarkedYAMLError, mark: Mark) -> tuple[int, str, str] | None:
    """(line, field, message) for a quoted value whose closing quote is missing, said at
    the line it opens on. libyaml reports it at the end of the file, or, where a later
    line holds the same quote (a comment's "..."), as a key missing on that later line."""
    context = exc.context_mark
    if (
        (exc.context or "").startswith("while scanning a quoted scalar")
        and "end of stream" in (exc.problem or "")
        and context
    ):
        quote = text[context.index : context.index + 1] or '"'
        return (
            context.line + 1,
            "",
            f"invalid YAML: the value in quotes that starts here is never closed; "
            f"add its closing {quote}",
        )
    last = None
    try:
        for token in yaml.scan(_as_yaml_12(text)[0], Loader=_Loader):
            if token.start_mark.index >= mark.index:
                break
            last = token
    except YAMLError:
        return None
    if (
        isinstance(last, ScalarToken)
        and last.style in ('"', "'")
        and last.start_mark.line != last.end_mark.line
        and last.end_mark.line == mark.line
    ):
        return (
            last.start_mark.line + 1,
            "",
            f"invalid YAML: the value in quotes that starts here runs on to line "
            f"{mark.line + 1}, where the next {last.style} closes it; add its closing "
            f"{last.style} on this line",
        )
    return None


def _detail(problem: str, text: str, mark: Mark | None) -> str:
    """Name the character or alias that libyaml's message leaves out."""
    lines = _LINE_BREAK.split(text)
    if mark is None or mark.line >= len(lines):
        return problem
    rest = lines[mark.line][mark.column :]
    if problem == "found character that cannot start any token" and rest:
        return f"found character {rest[0]!r} that cannot start any token"
    alias = re.match(r"\*([^\s,\[\]{}]+)", rest)
    if problem == "found undefined alias" and alias:
        return f"found undefined alias {alias[1]!r}"
    return problem


_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MERGE, _MAP, _SEQ = (
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "map", "seq")
)


# How plain scalars resolve, by first character: YAML 1.2 core, so YAML 1.1's
# yes/no/on/off booleans, sexagesimal and 0-prefixed octal numbers are gone.
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in (
    (_BOOL, r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (
        _FLOAT,
        r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)"
        r"|[-+]?\.[0-9_]*[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
    (
        _INT,
        r"[-+]?(?:0b[01_]*[01]|0o[0-7_]*[0-7]|0x[0-9a-fA-F_]*[0-9a-fA-F]|[0-9_]*[0-9])_*",
        "-+0123456789",
    ),
    (_MERGE, r"<<", "<"),
    (_NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    (
        _TIMESTAMP,
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}"
        r":[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?",
        "0123456789",
    ),
):
    for _char in _first:
        _IMPLICIT.setdefault(_char, []).append((_tag, re.compile(f"^(?:{_pattern})$")))
_DEFAULT_TAGS = {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}
#: Digits grouped in threes by points, as many languages write thousands (`100.000`,
#: `2.500`): left as text, which the number parsers refuse as ambiguous.
_POINT_GROUPED = re.compile(r"^[-+]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+$")


class _Loader(_BaseLoader):
    """libyaml's safe loader resolving plain scalars by `_IMPLICIT`, without path resolvers."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0] and _POINT_GROUPED.match(value):
            return _STR  # `100.000`: 100 or 100,000? The field's parser says (units.py)
        if kind is ScalarNode and implicit[0]:
            for tag, pattern in _IMPLICIT.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_CONSTRUCTOR = SafeConstructor()
_BASES = {"0b": 2, "0o": 8, "0x": 16}


def _int(text: str) -> int | str:
    digits = text.replace("_", "")
    body = digits.lstrip("+-")
    base = _BASES.get(body[:2], 10)
    if base == 10 and len(body) > 400:  # past any float: the field refuses it as text
        return text
    number = int(body if base == 10 else body[2:], base)  # 017 is 17, as in YAML 1.2
    return -number if digits.startswith("-") else number


def _same_key(key: Any) -> Any:
    """Keys that name the same thing once loaded: an int and its digits, a bool and its word."""
    if isinstance(key, bool):
        return ("text", str(key).lower())
    if isinstance(key, int | str):
        return ("text", str(key))
    return key


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value.endswith((".inf", ".nan")):
        return float(value.replace(".", ""))
    number = float(value)
    if math.isinf(number):  # `1e400`: inf to Python, which the file does not say
        raise OverflowError(text)
    return number


_SCALARS: dict[str, Any] = {
    _INT: _int,
    _FLOAT: _float,
    _BOOL: lambda text: SafeConstructor.bool_values[text.lower()],  # !!bool yes is true
    _NULL: lambda text: None,
    _TIMESTAMP: lambda text: _CONSTRUCTOR.construct_yaml_timestamp(ScalarNode(_TIMESTAMP, text)),
    _MERGE: str,  # `<<` as a value
}


class UnreadableValue(ConstructorError):
    """A value YAML reads by its look that is no such thing (`2026-02-30`, no such date),
    or one with a tag it does not know; `loc` is its field, where the file's mappings and
    lists name one."""

    loc: Loc = ()


#: What a reader calls the values YAML reads by their look (`2026-02-30` looks like a date).
_WHAT = {
    _TIMESTAMP: "a date (no such date; write YYYY-MM-DD)",
    _INT: "a whole number",
    # Said "expected a finite number, got inf", of a figure the file does not hold.
    _FLOAT: "a number: too large to hold (beyond about 1.8e308 in magnitude)",
}


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    make = _SCALARS.get(tag)
    if make is None:
        return _other(node)
    try:
        return make(node.value)
    except (ValueError, KeyError, AttributeError, OverflowError):
        text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        what = _WHAT.get(tag, f"!!{tag.rsplit(':', 1)[-1]}")
        problem = f"cannot read {text!r} as {what}"
        raise UnreadableValue(None, None, problem, node.start_mark) from None


def _value(node: ScalarNode, loc: Loc) -> Any:
    """The value at `loc`, a mapping's key or a list's index (`_scalar`); one that cannot
    be read names its field."""
    try:
        return _scalar(node)
    except UnreadableValue as exc:
        exc.loc = loc
        raise


class Tagged:
    """A value of a standard tag that no field of the data files takes (!!set, !!binary,
    !!omap, !!pairs), kept as the words that say it as the file writes it (`repr`).

    Built as Python's set or bytes, it was taken by pydantic as a list (in an order of
    Python's hashing, not the file's) or as text (`!!binary aGk=` became 'hi'), and said
    in messages as Python's repr (`{'b', 'a'}`, in set order). As itself, every field
    refuses it with what the field expects, and says it the same way on every run."""

    __slots__ = ("said",)

    def __init__(self, said: str) -> None:
        self.said = said

    def __repr__(self) -> str:
        return self.said

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tagged) and other.said == self.said

    def __hash__(self) -> int:
        return hash(self.said)


#: How many of a set's items are quoted before "...".
_SAID_ITEMS = 6


def _written(node: Node) -> str:
    """A scalar as the file writes it (its quotes kept); a list or mapping in a word."""
    if isinstance(node, ScalarNode):
        quote = node.style if node.style in ("'", '"') else ""
        text = node.value if len(node.value) <= 20 else node.value[:17] + "..."
        return f"{quote}{text}{quote}"
    return "[...]" if isinstance(node, SequenceNode) else "{...}"


def _tagged(node: Node, built: Any) -> Tagged:
    """The words for a value of a tag no field takes, from its node (the order written)."""
    name = node.tag.rsplit(":", 1)[-1]
    if isinstance(node, MappingNode) and name == "set":
        items = [_written(key) for key, _ in node.value]
        shown = items[:_SAID_ITEMS] + (["..."] if len(items) > _SAID_ITEMS else [])
        return Tagged(f"a set (!!set {{{', '.join(shown)}}})")
    if isinstance(built, bytes):
        size = f"{len(built):,} byte{'' if len(built) == 1 else 's'}"
        return Tagged(f"binary data (!!binary, {size})")
    words = {"omap": "an ordered mapping", "pairs": "a list of pairs", "set": "a set"}
    return Tagged(f"{words.get(name, 'a value')} (!!{name})")


def _other(node: Node) -> Any:
    """A value of another standard tag (!!binary, !!set, !!omap...) as a `Tagged` (read, so
    that a broken one is refused as YAML); unknown tags are refused."""
    if node.tag not in SafeConstructor.yaml_constructors:
        raise UnreadableValue(None, None, f"unknown tag {node.tag!r}", node.start_mark)
    return _tagged(node, SafeConstructor().construct_object(node, deep=True))


_NUMBER_PART = re.compile(r"[-+]?[$]?\d+(?:\.\d*)?")
_AFTER_COMMA = re.compile(r"\d+[A-Za-z]*")


def _refuse_a_comma_in_a_number(node: MappingNode) -> None:
    """`{2026: 100,000}` is two entries in YAML, `2026: 100` and `000` with no value: a
    number with a comma inside braces is refused, never read as its first digits; so is
    text with one between digits (`{title: 50,000 chips}`: `title: 50` and `000 chips`;
    `{title: USD 1,500bn}`), which is quoted instead."""
    previous: Node | None = None
    for key_node, value_node in node.value:
        if (
            previous is not None
            and isinstance(key_node, ScalarNode)
            and not key_node.style
            and key_node.value[:1].isdigit()
            and isinstance(value_node, ScalarNode)
            and value_node.tag == _NULL
            and value_node.value == ""
            and isinstance(previous, ScalarNode)
            and not previous.style
            and previous.value[-1:].isdigit()
            and key_node.start_mark.index == previous.end_mark.index + 1  # `100,000`
        ):
            written = f"{previous.value},{key_node.value}"
            number = _NUMBER_PART.fullmatch(previous.value) and _AFTER_COMMA.fullmatch(
                key_node.value
            )
            fix = (
                "write thousands with '_' (100_000) and decimals with a point (1.5bn)"
                if number
                else f'quote text that holds a comma ("{written}")'
            )
            problem = (
                f"{written!r} is read as two entries, {previous.value!r} and "
                f"{key_node.value!r}: inside {{ }} a comma separates entries; {fix}"
            )
            raise ConstructorError(None, None, problem, key_node.start_mark)
        previous = value_node


def _below(node: ScalarNode, line: int) -> int | None:
    """The line of a mapping's value written below its key (`batna:\n    abc`), where a
    message about the value names it; None on the key's line. (An alias's node stands
    where its anchor is: its value is placed at the alias, `_Builder._alias`.)"""
    own = node.start_mark.line + 1
    return own if own > line else None


#: A mapping `<<` merges: its data, positions, alias (or None) and the values given by an
#: alias inside it (`_Builder._merge`).
_Merged = tuple[dict[Any, Any], Any, Alias | None, Given]


class _Builder:
    """One walk over a node tree: the plain data, its positions, its duplicate keys and the
    values given by an alias."""

    def __init__(self, aliases: Aliases | None = None) -> None:
        # (line, first line, loc) by the repeated key's node: an aliased mapping counts once
        self.duplicates: dict[int, tuple[int, int, Loc]] = {}
        self._open: set[int] = set()  # mappings and lists being built, to refuse a cycle
        self._values = 0  # values built so far, aliases expanded
        self.numbers: Numbers = {}  # `parse`
        self._anchors, self._uses = aliases or ({}, {})
        self._met: set[int] = set()  # anchored nodes built where the file writes them
        #: The values given by an alias (`parse`). An alias's node is its anchor's: a bad
        #: value used by `- *level` was named at the anchor's line, not where it is used.
        self.given: Given = {}
        self._keys: list[Any] = []  # the loc being built, as the data reads it (`Given`)
        self._in_alias = False  # building an alias's value: what it holds is given by it

    def _alias(self, node: Node) -> Alias | None:
        """The line and name of the alias `node` is met by here; None where the file writes
        it (an anchor's value is written before its aliases), or inside an alias's value."""
        name = self._anchors.get(node.start_mark.index)
        if name is None or self._in_alias:
            return None
        if id(node) not in self._met:
            self._met.add(id(node))
            return None
        uses = self._uses.get(name)
        return Alias(uses.popleft(), name) if uses else None

    def _build_at(self, node: Node, path: Loc, alias: Alias | None, merged: bool = False) -> Any:
        """`build` (`merged`: a mapping `<<` merges), as an alias's value when `alias`."""
        make = self._mapping if merged else self.build
        if alias is None:
            return make(node, path)  # type: ignore[arg-type]
        self._in_alias = True
        try:
            return make(node, path)  # type: ignore[arg-type]
        finally:
            self._in_alias = False

    def _note(self, node: ScalarNode, value: Any) -> None:
        """Keep a number written otherwise than Python writes it (`Numbers`)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if node.value == repr(value):
            return
        on_line = self.numbers.setdefault(node.start_mark.line + 1, {})
        if on_line.setdefault(value, node.value) != node.value:
            on_line[value] = None

    def build(self, node: Node, path: Loc) -> tuple[Any, Positions]:
        if isinstance(node, ScalarNode):  # a document of one value (`--set X=-600_000`)
            value = _scalar(node)
            self._note(node, value)
            return value, None
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return self._mapping(node, path)
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return self._sequence(node, path)
        return _other(node), None

    def _enter(self, node: Node) -> None:
        if id(node) in self._open:
            problem = "an alias refers to the mapping or list that contains it"
            raise ConstructorError(None, None, problem, node.start_mark)
        if len(self._open) >= MAX_DEPTH:
            problem = f"mappings and lists are nested more than {MAX_DEPTH} levels deep"
            raise ConstructorError(None, None, problem, node.start_mark)
        self._values += len(node.value)
        if self._values > MAX_VALUES:
            problem = (
                f"the file expands to more than {MAX_VALUES:,} values (aliases included); "
                "write the data out instead of nesting aliases"
            )
            raise ConstructorError(None, None, problem, node.start_mark)
        self._open.add(id(node))

    def _mapping(self, node: MappingNode, path: Loc) -> tuple[dict[Any, Any], Positions]:
        self._enter(node)
        data: dict[Any, Any] = {}
        lines: dict[Any, tuple[int, Positions]] = {}
        firsts: dict[Any, int] = {}  # the line of each key, by `_same_key`
        merged: list[_Merged] = []
        merge_line: int | None = None  # the line of the first `<<`
        if node.flow_style:
            _refuse_a_comma_in_a_number(node)
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                # A second `<<` is a key given twice, as any other: which one's values won
                # was no rule a user could know (the first did; PyYAML's loader takes the
                # last), and the other's were dropped without a word (qa46-input).
                line = key_node.start_mark.line + 1
                if merge_line is not None:
                    here = (*path, key_node.value)
                    self.duplicates.setdefault(id(key_node), (line, merge_line, here))
                    continue
                merge_line = line
                merged += self._merge(value_node, path)
                continue
            if not isinstance(key_node, ScalarNode):
                problem = "a key must be a single value, not a list or a mapping"
                raise ConstructorError(None, None, problem, key_node.start_mark)
            key = key_node.value if key_node.tag == _STR else _scalar(key_node)
            # A key is named as the file spells it (`true`, `0x10`), never in Python's
            # words (`True`, `16`), in a duplicate's path and a refused value's.
            here = (*path, key_node.value)
            line = key_node.start_mark.line + 1
            alias = self._alias(value_node) if self._anchors else None
            self._keys.append(key)
            if value_node.__class__ is ScalarNode:  # most values: inline the plain string
                value = value_node.value if value_node.tag == _STR else _value(value_node, here)
                self._note(value_node, value)
                inner: Positions = _below(value_node, line)
                if alias is not None:  # written under its anchor, wherever that is
                    inner = value_node.start_mark.line + 1
            else:
                value, inner = self._build_at(value_node, here, alias)
            self._keys.pop()
            same = _same_key(key)  # 2026 and '2026' are one key: both name period 2026
            first = firsts.get(same)
            if first is None and key in data:  # 2026.0 beside 2026, true beside 1: equal
                first = lines[key][0]  # to the dict, where one would replace the other
            if first is not None:
                self.duplicates.setdefault(id(key_node), (line, first, here))
            else:
                firsts[same] = line
                data[key] = value
                lines[key] = (line, inner)
                if alias is not None:
                    self.given[(*self._keys, key)] = alias
        for more, more_lines, alias, given in merged:  # keys given here win, then earlier
            for key, value in more.items():  # merges
                if _same_key(key) not in firsts and key not in data:
                    firsts[_same_key(key)] = more_lines[key][0]
                    data[key] = value
                    lines[key] = more_lines[key]
                    at = (*self._keys, key)
                    if alias is not None:
                        self.given[at] = alias._replace(whole=True)
                    self.given |= {loc: by for loc, by in given.items() if loc[: len(at)] == at}
        self._open.discard(id(node))
        return data, lines

    def _merge(self, node: Node, path: Loc) -> list[_Merged]:
        """The mappings `<<` merges: each one's data, positions, alias (or None) and the
        values given by an alias inside it (`_mapping` keeps those of the keys it takes)."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        out = []
        for source in sources:
            if not isinstance(source, MappingNode):
                problem = "'<<' merges a mapping, or a list of mappings, into this one"
                raise ConstructorError(None, None, problem, source.start_mark)
            alias = self._alias(source) if self._anchors else None
            kept, self.given = self.given, {}
            out.append((*self._build_at(source, path, alias, merged=True), alias, self.given))
            self.given = kept
        return out

    def _sequence(self, node: SequenceNode, path: Loc) -> tuple[list[Any], Positions]:
        self._enter(node)
        data: list[Any] = []
        lines: list[tuple[int, Positions]] = []
        for index, item in enumerate(node.value):
            alias = self._alias(item) if self._anchors else None
            self._keys.append(index)
            if item.__class__ is ScalarNode:
                value = item.value if item.tag == _STR else _value(item, (*path, index))
                self._note(item, value)
                inner = None
            else:
                value, inner = self._build_at(item, (*path, index), alias)
            self._keys.pop()
            if alias is not None:
                self.given[(*self._keys, index)] = alias._replace(whole=True)
            data.append(value)
            lines.append((item.start_mark.line + 1, inner))
        self._open.discard(id(node))
        return data, lines
