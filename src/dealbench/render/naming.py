"""Where each document goes, and what it is: no document replaces a different one.

A document's file name carries everything that makes it a different document
for the same folder: the partner, the side and round of the package it shows
(`AE-counter-003`), and the audience (`-internal`). Its *identity* adds what
the name leaves out (the kind of document and the portfolio), so that a file
can be replaced by a later rendering of the same document (new figures after
a data edit, a new date) but never by a different document that happens to
get the same name (the same partner code in another portfolio, say).

Identities are recorded per output folder in `.dealbench-documents.json`;
`guard_documents` refuses, before anything is written, any file that would
replace a different document, unless forced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dealbench.errors import DealbenchError, Remedy, refusal

REGISTRY = ".dealbench-documents.json"
_SLUG = re.compile(r"[^a-z0-9]+")
KIND_WORDS = {
    "term-sheet": "term sheet",
    "deal-memo": "deal memo",
    "portfolio-memo": "portfolio memo",
    "redline": "redline",
    "options-memo": "options memo",
    "principals-memo": "portfolio memo for principals",
    "negotiation-memo": "status memo",
}


class DocumentClashError(DealbenchError):
    """A file would replace a different document (or two documents want one file)."""

    exit_code = 2


@dataclass(frozen=True)
class Identity:
    """What a document is: two files with the same identity are versions of one document."""

    kind: str
    portfolio: str
    partner: str
    label: str
    audience: str
    #: Where the package came from: a solve (`us-best`), a package file, two packages.
    source: str = ""

    @property
    def key(self) -> str:
        parts = (self.kind, self.portfolio, self.partner, self.label, self.audience, self.source)
        return "|".join(parts)

    def describe(self) -> str:
        """`the internal term sheet for AE (counter-003) in portfolio gulf-asia`."""
        who = f" for {self.partner}" if self.partner else ""
        which = f" ({self.label})" if self.label else ""
        origin = f" from the {self.source}" if self.source else ""
        return (
            f"the {self.audience} {KIND_WORDS.get(self.kind, self.kind)}{who}{which}{origin} "
            f"in portfolio {self.portfolio}"
        )


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


#: A negotiation round's sides (`us`, `partner`) name documents as offers and counters;
#: the round that concludes a deal names its package's documents `agreed`.
SIDES = {
    "us": "offer",
    "partner": "counter",
    "offer": "offer",
    "counter": "counter",
    "agreed": "agreed",
}


def side_word(side: str | None) -> str | None:
    """`offer`, `counter` (or `agreed`) for any way a package names its side."""
    return SIDES.get(side) if side else None


def package_label(
    side: str | None, round_: int | None, *, stem: str = "", partner: str = ""
) -> str:
    """The label of a package's documents: `counter-003`, `offer`, `round-002`.

    A package that names neither side nor round is labelled by its file name,
    less a leading partner code (`ae-counter.yaml` -> `counter`).
    """
    side = side_word(side)
    parts = [side] if side else []
    if round_ is not None:
        parts.append(f"{round_:03d}" if side else f"round-{round_:03d}")
    if parts:
        return "-".join(parts)
    label = slug(stem)
    code = partner.lower()
    if code and label.startswith(code + "-"):
        label = label[len(code) + 1 :]
    return "" if label == code else label


#: How every document names a package by its side (a redline's From and To, a negotiation
#: memo's rounds): the Participants as the term sheets name them, never "Our offer" in a
#: document the partner reads.
SIDE_LABELS = {"offer": "US offer", "counter": "The Partner's counter", "agreed": "Agreed terms"}


def version_label(title: str | None, side: str | None, round_: int | None, fallback: str) -> str:
    """How a document names a package: its title, else its side and round; never a file name."""
    if title:
        return title
    who = SIDE_LABELS.get(side_word(side) or "")
    when = f"round {round_}" if round_ else ""
    if who and when:
        return f"{who}, {when}"
    return who or (when.capitalize() if when else fallback)


def stem(partner: str, label: str = "", audience: str = "external") -> str:
    """`AE`, `AE-internal`, `AE-counter-003`, `AE-counter-003-internal`."""
    parts = (
        [partner] + ([label] if label else []) + (["internal"] if audience == "internal" else [])
    )
    return "-".join(parts)


def load_registry(folder: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((folder / REGISTRY).read_text("utf-8"))
    except (OSError, ValueError):  # none yet, or the output is no folder (refused when writing)
        return {}
    return data if isinstance(data, dict) else {}


def guard_documents(
    folder: Path, files: Iterable[tuple[str, Identity]], *, force: bool = False
) -> dict[str, dict[str, str]]:
    """Refuse files that would replace a different document; return the updated registry.

    Two documents of one run that want the same file are always refused (one
    would be lost); a file already in the folder is refused, without `force`,
    when the registry says it holds a different document.
    """
    wanted: dict[str, Identity] = {}
    for name, ident in files:
        other = wanted.get(name)
        if other is not None and other.key != ident.key:
            raise DocumentClashError(
                f"{name}: {ident.describe()} and {other.describe()} would share this file"
            )
        wanted[name] = ident
    registry = load_registry(folder)
    for name, ident in wanted.items():
        known = registry.get(name)
        if force or known is None or not (folder / name).exists():
            continue
        if known.get("document") != ident.key:
            raise refusal(
                DocumentClashError,
                f"{folder / name} holds {known.get('title', 'another document')}; writing "
                f"{ident.describe()} there would replace it",
                Remedy("force", "to replace it, or write into another folder"),
            )
    for name, ident in wanted.items():
        registry[name] = {"document": ident.key, "title": ident.describe()}
    return dict(sorted(registry.items()))


def registry_bytes(registry: Mapping[str, object]) -> bytes:
    return (json.dumps(registry, indent=2, sort_keys=True) + "\n").encode()


def identities(files: Iterable[tuple[str, Identity | None]]) -> list[tuple[str, Identity]]:
    """The files that belong to a document (extra files such as result.json have none)."""
    return [(name, ident) for name, ident in files if ident is not None]
