"""Field types with the rules that keep data plain: names, titles, clauses, shares.

Names and titles are one line of printable text of at most MAX_TEXT characters,
without `**` or `~~` that a document would read as markup (a forged redline); clauses may
also hold line breaks and tabs; a share is a finite number from 0 to 1, never a
boolean. Pure types: they know nothing of how documents are made.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from dealbench.units import is_empty, parse_share

__all__ = [
    "MAX_TEXT",
    "ClauseText",
    "FileRef",
    "Fraction",
    "LineText",
    "NoteText",
    "RoundNumber",
    "Site",
    "Text",
]

#: The longest name or title accepted (a document heading, a table cell, a DOCX run).
MAX_TEXT = 200


#: C0 and C1 control characters, and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


#: The Unicode line and paragraph separators: line breaks, though not control characters.
_SEPARATOR = re.compile(r"[\u2028\u2029]")


def _plain_text(value: Any, what: str = "a name or title") -> Any:
    """A name or title: one line of printable text (no control characters, no line or
    paragraph separator, which YAML 1.2 reads as text: pasted from a web page or a PDF)."""
    if isinstance(value, str) and (bad := _CONTROL.search(value)):
        raise ValueError(f"contains the control character {bad[0]!r}; {what} is one line of text")
    if isinstance(value, str) and (bad := _SEPARATOR.search(value)):
        kind = "line" if bad[0] == "\u2028" else "paragraph"
        raise ValueError(
            f"contains the {kind} separator U+{ord(bad[0]):04X}, a line break; {what} is one "
            "line of text: replace it with a space"
        )
    return value


_MARKUP = re.compile(r"\*\*|~~")


def _no_markup(value: Any) -> Any:
    """Data stays data in documents: no Markdown bold or strike-through, which redlines use
    to mark insertions and deletions. (HTML is escaped where it is rendered.)"""
    if isinstance(value, str) and (found := _MARKUP.search(value)):
        raise ValueError(
            f"contains {found[0]!r}, which documents read as markup (bold or strike-through, "
            "as redlines mark changes); write the text without it"
        )
    return value


def _name_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError(
            "is empty; a name or title heads documents and fills table cells, so write it"
        )
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(
            f"is {len(value)} characters long; at most {MAX_TEXT} characters are allowed "
            "(a name or title heads documents and fills table cells)"
        )
    return _no_markup(_plain_text(value))


Text = Annotated[str, AfterValidator(_name_text)]


def _site_text(value: Any) -> Any:
    """A tranche's site: a cell of the term sheet's Annex A, so one line of plain text (a
    control character is not text a DOCX can hold); empty is no site named."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(
            f"is {len(value)} characters long; at most {MAX_TEXT} characters are allowed "
            "(a site fills a cell of the term sheet's Annex A)"
        )
    return _no_markup(_plain_text(value, "a site"))


#: Where a package's tranche goes and who operates it (free text, one line).
Site = Annotated[str, AfterValidator(_site_text)]


def _clause_text(value: Any) -> Any:
    """A clause: text whose only control characters are line breaks and tabs."""
    if isinstance(value, str):
        _plain_text(_SEPARATOR.sub(" ", re.sub(r"[\n\t\r]", " ", value)))
        _no_markup(_JINJA.sub(" ", value))  # the text around the template's own syntax
    return value


def _note_text(value: Any) -> Any:
    """A round's note: text whose only control characters are line breaks and tabs, as
    `offer --note` and the web's round forms record it (`negotiate.rounds.check.round_text`):
    a note edited by hand is held to the same, where it is written."""
    if isinstance(value, str) and (
        bad := _CONTROL.search(value.replace("\n", " ").replace("\t", " "))
    ):
        raise ValueError(
            f"contains the control character {bad[0]!r}; a note holds text, line breaks and tabs"
        )
    return value


#: A round's note (free text of several lines).
NoteText = Annotated[str, AfterValidator(_note_text)]
#: A round's author: one line of text (any length, no markup rules: a name as typed).
LineText = Annotated[str, AfterValidator(lambda value: _plain_text(value, "an author"))]


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


#: A clause template (Jinja2), rendered in the bounded sandbox.
ClauseText = Annotated[str, AfterValidator(_clause_text), Field(max_length=20_000)]
#: A share between 0 and 1 (a mitigation, a diversion risk): a finite number or a percentage
#: (`40%`), never a boolean.
Fraction = Annotated[float, BeforeValidator(parse_share), Field(ge=0, le=1)]


def _whole_number(value: Any) -> Any:
    """A round's number is counted, never a boolean (`round: true` is not round 1)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a round number (1, 2, ...), got {str(value).lower()}")
    return value


#: The number of a negotiation's round: a whole number from 1, never a boolean.
RoundNumber = Annotated[int, BeforeValidator(_whole_number), Field(ge=1)]


def _named_file(value: Any) -> Any:
    """A path to another file names one: `policy: ''` (or `- ` with nothing after it) is
    not the portfolio's own folder."""
    if is_empty(value):
        raise ValueError("an empty path; name the file by its path from this file")
    return value


#: A path from a data file to another (a portfolio's policy and partners): never empty.
FileRef = Annotated[str, BeforeValidator(_named_file)]
