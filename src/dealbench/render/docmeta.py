"""What every document carries: an id, a date, an audience and a fingerprint of its inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from dealbench.list_words import plural
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.regimes import caps_notes

if TYPE_CHECKING:
    from dealbench.optimize.result import Robust

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
#: What only an internal document's `doc` block holds (see `doc_meta`).
INTERNAL_META = ("fingerprint", "regime", "portfolio")
#: The handling marking of each audience: at the top of every document in every format
#: (the HTML's banner, the Markdown's first bold line) and, in print, atop every page (the
#: PDF's running header from page 2, the DOCX's header on every page).
MARKINGS: dict[Audience, str] = {
    "external": "Sensitive: for discussion between the Participants only",
    "internal": "Internal: not for release to the Partner",
}


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
    robust: Robust | None = None,
    partner: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The `doc` block of a render model.

    An internal document also says how its figures were made where that is not the files'
    figures at their means: the overrides applied to them (`--set`, a scenario: `changed`)
    and a robust solve's level and samples (`robust`), in the one place every template
    shows them (`_basis.md.j2`, `_basis.html.j2`), and the portfolio's own caps another
    regime replaced (`caps`: `regimes.caps_notes`, as the commands note it). `partner` names the one partner a
    document is about (a term sheet, a deal memo), whose package the robust sentence
    speaks of; without it the sentence speaks of every partner's.

    An external document's block holds only what its every format shows: no input
    fingerprint, regime or portfolio title (the user's own words, which may name an
    internal figure: "Gulf, US walk-away -8bn"), which its Markdown never printed and its
    JSON, the render model itself, carried to the partner."""
    parts = ["DB", _PREFIX[kind], portfolio.id, key, digest[:8]]
    if audience == "internal":
        parts.append("INT")
    internal = audience == "internal"
    meta: dict[str, Any] = {
        "kind": kind,
        "id": "-".join(p for p in parts if p).upper(),
        "title": title,
        "date": date.isoformat() if date else None,
        "fingerprint": digest,
        "audience": audience,
        "internal": internal,
        "marking": MARKINGS[audience],
        "regime": portfolio.policy.title,
        "portfolio": portfolio.title,
        "generator": GENERATOR,
        "changed": [f"{k}={v}" for k, v in portfolio.overrides.items()] if internal else [],
        "robust": robust_text(robust, partner, code) if internal and robust is not None else None,
        "caps": caps_notes(portfolio) if internal else [],
    }
    if not internal:
        for key in INTERNAL_META:
            del meta[key]
    return meta


def with_said_id(context: dict[str, Any]) -> dict[str, Any]:
    """An external document's `doc` block, its id's digest built on what the document says
    (its render model but the `doc` block: no date, no id), not on the input files: two
    drafts of the same terms in the same words carry one id, whatever internal figure (a
    walk-away value, a valuation) changed between them, and a draft that says anything
    else another. The internal document keeps the input fingerprint, which it prints."""
    doc = context["doc"]
    if doc["internal"]:
        raise ValueError("an internal document's id is built on its input fingerprint")
    said = {key: value for key, value in context.items() if key != "doc"}
    text = json.dumps(said, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8].upper()
    return {**doc, "id": f"{doc['id'].rsplit('-', 1)[0]}-{digest}"}


def robust_text(robust: Robust, partner: str | None = None, code: str | None = None) -> str:
    """What a robust solve did: its share, samples and seed; of the one `partner`'s package
    (its code `code`) in a document about one partner (a term sheet, a deal memo), else of
    every partner's (a portfolio memo), with what the robustness cost. Then, as `solve
    --robust` prints it, how the packages fare in fresh samples: a share reached exactly in
    the samples solved on holds elsewhere only within sampling error."""
    from dealbench.units import share_percent

    share = share_percent(robust.level)
    sampled = (
        f"in at least {share} of {plural(robust.samples, 'sample')} of its uncertain figures "
        f"(seed {robust.seed})"
    )
    means = "The figures shown are at the means."
    if partner is not None and robust.reached:
        made = f"The package was made robust: {partner} accepts it {sampled}."
    elif partner is not None:  # the result does not record which deals fell short
        made = (
            f"A robust solve sought packages each partner accepts {sampled}, and did not "
            f"reach that share for every deal: this package may be one that falls short."
        )
    elif robust.reached:
        made = f"The packages were made robust: each partner accepts its package {sampled}."
    else:
        made = (
            f"A robust solve sought packages each partner accepts {sampled}, and did not reach "
            f"that share for every deal."
        )
    return " ".join([made, *_robust_after(robust, partner, code), means])


def _robust_after(robust: Robust, partner: str | None, code: str | None) -> list[str]:
    """The robust solve's cost (of the portfolio, in a portfolio memo) and its packages'
    acceptance in fresh samples (of this partner's, in a document about one)."""
    from dealbench.figures import usd
    from dealbench.list_words import and_list

    out = []
    if partner is None and robust.cost is not None:
        out.append(
            f"Making them robust cost {usd(robust.cost)} of US utility at the means, against "
            "the packages that are best at the means."
        )
    fresh = {c: v for c, v in robust.fresh.items() if partner is None or c == code}
    if fresh:
        shares = (
            f"{next(iter(fresh.values())):.1%}"
            if partner is not None
            else and_list([f"{v:.1%} for {c}" for c, v in fresh.items()])
        )
        out.append(
            f"In as many fresh samples (seed {robust.seed + 1}), the share that accepts is "
            f"{shares}: a share reached in the samples solved on holds elsewhere only within "
            "sampling error."
        )
    return out
