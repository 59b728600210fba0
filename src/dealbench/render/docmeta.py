"""What every document carries: an id, a date, an audience and a fingerprint of its inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any, Literal

from dealbench.model.schema import Package, Portfolio

Audience = Literal["external", "internal"]
DocKind = Literal[
    "term-sheet",
    "deal-memo",
    "portfolio-memo",
    "redline",
    "negotiation-memo",
    "options-memo",
    "principals-memo",
]

AUDIENCES: tuple[Audience, ...] = ("external", "internal")
DOC_KINDS: tuple[DocKind, ...] = (
    "term-sheet",
    "deal-memo",
    "portfolio-memo",
    "redline",
    "negotiation-memo",
)
_PREFIX = {
    "term-sheet": "TS",
    "deal-memo": "DM",
    "portfolio-memo": "PM",
    "redline": "RL",
    "options-memo": "OM",
    "principals-memo": "PP",
    "negotiation-memo": "NM",
}
GENERATOR = "dealbench"


def fingerprint(portfolio: Portfolio, packages: Iterable[Package]) -> str:
    """Digest of the input files' contents and the packages: same inputs, same fingerprint.

    Only file contents count, not where the files are, so the fingerprint is
    the same on every machine and from every working directory.
    """
    payload = json.dumps(
        {
            "inputs": sorted(portfolio.inputs.values()),
            "packages": [_terms(p) for p in packages],
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _terms(package: Package) -> dict[str, Any]:
    """What a package agrees: not its title, date, side or round; its sites only if named."""
    terms = package.model_dump(mode="json", exclude={"title", "date", "side", "round"})
    if not terms.get("sites"):
        terms.pop("sites", None)
    return terms


def doc_meta(
    kind: DocKind,
    *,
    portfolio: Portfolio,
    key: str,
    digest: str,
    title: str,
    audience: Audience,
    date: dt.date | None,
) -> dict[str, Any]:
    """The `doc` block of a render model."""
    parts = ["DB", _PREFIX[kind], portfolio.id, key, digest[:8]]
    if audience == "internal":
        parts.append("INT")
    return {
        "kind": kind,
        "id": "-".join(p for p in parts if p).upper(),
        "title": title,
        "date": date.isoformat() if date else None,
        "fingerprint": digest,
        "audience": audience,
        "internal": audience == "internal",
        "regime": portfolio.policy.title,
        "portfolio": portfolio.title,
        "generator": GENERATOR,
    }
