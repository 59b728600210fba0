"""A partner's name as running English says it: "the Philippines", "The United Arab
Emirates should accept". A table cell or a heading that is the name alone keeps it bare.

A partner file may say which (`article: the` or `article: none`); without it, the names
that take "the" in English do: those in `TAKES_THE`, and formal names with a word such as
Republic, Kingdom, Principality, Sultanate, State, Federation, Emirates, States or Islands
("the Republic of Korea", "the Russian Federation", "the State of Qatar"). A name written
with its article ("The Gambia") says it in lower case inside a sentence ("with the
Gambia"), as running English does, and keeps it as written where it stands alone. One function, `in_text`, serves every document (as the `in_text`
filter, through `party_in_text`), every CLI sentence and every web page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["TAKES_THE", "Article", "in_text", "named", "party_in_text", "takes_the"]

#: What a partner file may say of its name's article.
Article = Literal["the", "none"]

#: Short names that take "the" in running English.
TAKES_THE = frozenset(
    {
        "Bahamas",
        "Central African Republic",
        "Comoros",
        "Czech Republic",
        "Dominican Republic",
        "Gambia",
        "Maldives",
        "Marshall Islands",
        "Netherlands",
        "Philippines",
        "Solomon Islands",
        "United Arab Emirates",
        "United Kingdom",
        "United States",
    }
)

#: Words of a formal or plural name that take "the" ("the Kingdom of Bahrain").
_FORMAL = re.compile(
    r"\b(Republic|Kingdom|Principality|Commonwealth|Sultanate|Duchy|Emirate|State"
    r"|Confederation|Federation|Federated|Emirates|States|Islands|Union)\b"
)


def takes_the(name: str) -> bool:
    """Whether `name`, as a partner file writes it, takes "the" in running English."""
    name = " ".join(name.split())
    return name in TAKES_THE or _FORMAL.search(name) is not None


def in_text(name: str, article: Article | None = None, *, start: bool = False) -> str:
    """`name` as a sentence says it: with "the" when `article` says so (or, without one,
    when the name takes it), capitalised at the `start` of a sentence. A name written with
    its article already ("The Gambia") keeps it, in lower case inside a sentence ("with the
    Gambia"); the rest of the name is never recased."""
    if name[:4].lower() == "the ":
        return ("The " if start else "the ") + name[4:]
    if article == "the" or (article is None and takes_the(name)):
        return f"{'The' if start else 'the'} {name}"
    return name


def party_in_text(party: Any, start: bool = False) -> str:
    """`in_text` of a partner as templates hold it: a `Partner`, a mapping with `name`
    (and `article` when the file gives one), or a name alone. The `in_text` filter:
    `{{ partner | in_text }}`, `{{ partner | in_text(start=True) }}`."""
    if isinstance(party, str):
        return in_text(party, start=start)
    if isinstance(party, Mapping):
        return in_text(str(party["name"]), _article(party.get("article")), start=start)
    return in_text(str(party.name), _article(getattr(party, "article", None)), start=start)


def _article(value: Any) -> Article | None:
    return "the" if value == "the" else "none" if value == "none" else None


def named(party: dict[str, Any], article: Article | None) -> dict[str, Any]:
    """A partner as a render model holds it, with its file's `article` when it gives one
    (none added otherwise: an external document's id is a digest of its render model)."""
    return party if article is None else {**party, "article": article}
