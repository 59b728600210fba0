"""The render model of a redline: two packages' term sheets compared clause by clause.

Terms are aligned by what they are (a period of the schedule, the security
level, a concession id). A changed clause is shown as a lawyer expects it:
the old text struck through whole, then the new text inserted whole, never
interleaved word by word (`segments` keeps the word diff for other uses).
For the internal audience each changed term carries what it moves for each
side: the change applied alone to the old package, evaluated by `check`,
against the old package. The whole change is shown too (terms interact: a
change of the security level changes the risk of every H100e).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import os
import re
from collections.abc import Mapping
from typing import Any

from dealbench.checker import DealFigures, evaluate
from dealbench.errors import ArgumentError
from dealbench.figures import exact_total, quantity, rows_sum, usd_change
from dealbench.model.names import named
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.render.docmeta import Audience, doc_meta, fingerprint, with_said_id
from dealbench.render.environment import clause_paragraphs
from dealbench.render.filters import h100e, money
from dealbench.render.glossary import glossary
from dealbench.render.limits import verdict
from dealbench.render.termsheet import (
    ANNEXES,
    NO_SITE,
    SECTION,
    SECTIONS,
    commitments,
    security_terms,
)

_TOKENS = re.compile(r"\s+|[^\s]+")
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def segments(old: str, new: str) -> list[dict[str, str]]:
    """Word-level diff of two texts: equal, delete and insert runs, in reading order.

    Each run has `lead` and `trail` whitespace split off, so that a template
    can wrap the words alone (Markdown emphasis must not start with a space).
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return [_segment(op, text) for op, text in runs if text]


def _segment(op: str, text: str) -> dict[str, str]:
    match = _EDGES.match(text)
    assert match is not None
    lead, body, trail = match.groups()
    if op != "equal" and not body:
        return {"op": "equal", "lead": "", "text": text, "trail": ""}
    return {"op": op, "lead": lead, "text": body, "trail": trail}


def _status(old: str | None, new: str | None) -> str:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return "same" if old == new else "changed"


def whole(old: str, new: str) -> list[dict[str, str]]:
    """A changed clause as a lawyer reads it: the old text deleted whole, the new inserted whole."""
    if old == new:
        return [{"op": "equal", "lead": "", "text": old, "trail": ""}] if old else []
    runs = [("delete", old), ("insert", new)]
    return [_segment(op, text) for op, text in runs if text.strip()]


def _item(label: str, old: str | None, new: str | None) -> dict[str, Any]:
    return {
        "label": label,
        "status": _status(old, new),
        "segments": whole(old or "", new or ""),
    }


def _effect(pf: Portfolio, base: DealFigures, changed: Package) -> dict[str, Any]:
    after = evaluate(pf, changed)
    us = after.us_value - base.us_value
    partner = after.partner_utility - base.partner_utility
    risk = after.risk - base.risk
    return {"us": us, "partner": partner, "risk": risk, "moves": moves(us, partner, risk)}


def moves(us: float, partner: float, risk: float) -> str:
    """What one term moves, in words: `US utility -$500.0m; partner utility +$280.0m; risk
    unchanged` (a change that prints as nothing is "unchanged", never "risk 0" or "$0")."""

    def part(name: str, text: str, zero: str) -> str:
        return f"{name} unchanged" if text == zero else f"{name} {text}"

    return "; ".join(
        [
            part("US utility", money(us, signed=True), money(0.0)),
            part("partner utility", money(partner, signed=True), money(0.0)),
            part(
                "risk", f"{h100e(risk, signed=True)} risk-weighted H100e", "0 risk-weighted H100e"
            ),
        ]
    )


def _with(package: Package, **update: Any) -> Package:
    return package.model_copy(update=update)


#: What Annex A says of each tranche besides its H100e, per package: (period -> (chips,
#: model) where written in chips, period -> site and operator).
Tranches = tuple[dict[str, tuple[float, str]], dict[str, str]]

NO_TRANCHES: Tranches = ({}, {})


def _tranche(x: float, t: str, written: Tranches) -> str | None:
    """A tranche's H100e as Annex A gives it, with its chips where written in chips."""
    if x <= 0.5:
        return None
    chips = written[0].get(t)
    return h100e(x) + (f" ({h100e(chips[0])} {chips[1]})" if chips else "")


def schedule_items(
    pf: Portfolio,
    old: DealFigures,
    new: DealFigures,
    tranches: tuple[Tranches, Tranches] = (NO_TRANCHES, NO_TRANCHES),
) -> list[dict[str, Any]]:
    """Each period of Annex A: its H100e (and chips) and its site and operator, old and new;
    where either package names a site, a tranche with none says so (`NO_SITE`), as the
    term sheets do."""
    items = []
    periods = [
        t for t in pf.periods if old.compute.get(t, 0.0) > 0.5 or new.compute.get(t, 0.0) > 0.5
    ]
    named = any(tranches[k][1].get(t) for t in periods for k in (0, 1))
    for t in periods:
        a, b = old.compute.get(t, 0.0), new.compute.get(t, 0.0)
        item = _item(t, _tranche(a, t, tranches[0]), _tranche(b, t, tranches[1]))
        site_a, site_b = (
            tranches[k][1].get(t) or (NO_SITE if named and x > 0.5 else "")
            for k, x in ((0, a), (1, b))
        )
        item["site"] = whole(site_a, site_b)
        if item["status"] == "same" and site_a != site_b:
            item["status"] = "changed"  # the same compute, delivered elsewhere or by another
        item["term"] = ("compute", t, b)
        items.append(item)
    return items


def schedule_total(old: DealFigures, new: DealFigures) -> dict[str, Any]:
    """Annex A's total, old and new, as each term sheet prints it under its tranches and in
    section 4 (the exact sum, rounded), and `rows_note`: where the tranches as printed add
    up to another figure, the sentence that says so, as the term sheet's note does. A
    total follows from the tranches: it is not a term of its own (no count, no effect)."""
    rows = [[x for x in d.compute.values() if x > 0.5] for d in (old, new)]
    total = _item("Total", *(h100e(exact_total(r)) for r in rows))
    apart = [
        f"{quantity(rows_sum(r))} H100e {when}"
        for r, when in zip(rows, ("before the change", "after the change"), strict=True)
        if rows_sum(r) != exact_total(r)
    ]
    total["rows_note"] = (
        "Each total is the exact sum, rounded; each row is rounded on its own, and as "
        f"printed the rows add up to {' and '.join(apart)}."
        if apart
        else ""
    )
    return total


def security_item(pf: Portfolio, old: DealFigures, new: DealFigures) -> dict[str, Any]:
    a, b = security_terms(pf, old), security_terms(pf, new)
    item = _item("Security conditions", _security_text(a), _security_text(b))
    item["term"] = ("security", new.security)
    return item


def _security_text(terms: dict[str, Any]) -> str:
    """A security level as section 5 states it: its title, then its clause; a level whose
    policy writes no clause has the default one, which names the title already."""
    return f"{terms['title']}. {terms['clause']}" if terms["own"] else str(terms["clause"])


def commitment_items(pf: Portfolio, old: DealFigures, new: DealFigures) -> list[dict[str, Any]]:
    """Section 6's clauses as a lawyer's redline of the two term sheets shows them, in the
    order of the term sheets: a clause kept or changed in its place; a clause replaced by
    another in its place (status `replaced`) under its one number, the old text struck
    through and the new inserted; a clause removed or added where it stands. Each number is
    redlined as the text is (`number`, segments): a renumbered clause's old number struck
    and its new one inserted, a removed clause's struck, an added clause's inserted, so no
    number stands twice."""
    before, after = commitments(pf, old), commitments(pf, new)
    # Clauses follow the partner's menu in both, so a concession in both is matched.
    ids = [c["id"] for c in before], [c["id"] for c in after]
    items = []
    for _, i1, i2, j1, j2 in difflib.SequenceMatcher(None, *ids, autojunk=False).get_opcodes():
        for a, b in itertools.zip_longest(before[i1:i2], after[j1:j2]):
            items.append(_commitment_item(a, b, new))
    return items


def _commitment_item(
    a: dict[str, Any] | None, b: dict[str, Any] | None, new: DealFigures
) -> dict[str, Any]:
    """One clause of section 6: `a` in the old term sheet, `b` in the new (either None)."""
    # A clause that does not name its level (a house text, "commits to concession 1")
    # reads the same at every level: the level Annex C gives it is then said beside
    # its title, or a changed level would pass as the same term.
    said = bool(
        a
        and b
        and a["id"] == b["id"]
        and a["level"]["id"] != b["level"]["id"]
        and a["clause"] == b["clause"]
    )
    item = _item(
        (b or a or {})["title"],
        _commitment_text(a, said) if a else None,
        _commitment_text(b, said) if b else None,
    )
    if a and b and a["id"] != b["id"]:
        item["status"] = "replaced"
    item["number"] = whole(f"{a['number']}." if a else "", f"{b['number']}." if b else "")
    item["term"] = ("concessions", {c["id"]: new.concessions.get(c["id"]) for c in (a, b) if c})
    return item


def _commitment_text(commitment: dict[str, Any], level: bool) -> str:
    """A commitment as its clause states it, with its level (as Annex C names it) beside
    the title when `level`."""
    title = commitment["title"]
    if level:
        title = f"{title} ({commitment['level']['title']})"
    return f"{title}. {commitment['clause']}"


def _apply(package: Package, term: tuple[Any, ...]) -> Package:
    kind = term[0]
    if kind == "compute":
        return _with(package, compute={**package.compute, term[1]: term[2]})
    if kind == "security":
        return _with(package, security=term[1])
    concessions = {k: v for k, v in package.concessions.items() if k not in term[1]}
    concessions.update({k: v for k, v in term[1].items() if v is not None})
    return _with(package, concessions=concessions)


def redline_context(
    pf: Portfolio,
    old: DealFigures,
    new: DealFigures,
    *,
    labels: tuple[str, str],
    audience: Audience = "external",
    date: dt.date | None = None,
    tranches: tuple[Tranches, Tranches] = (NO_TRANCHES, NO_TRANCHES),
    sides: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """The render model of a redline from `old` to `new` (packages for the same partner);
    `tranches` are each package's chips and sites, as its Annex A shows them; `sides`: what
    each package is (`offer`, `counter`, or `agreed`, the terms a concluded round records),
    which its verdict says (`limits.verdict`)."""
    if old.partner != new.partner:  # an input error (exit 2, a 400 page), not a bug
        raise ArgumentError(
            "new",
            f"is a package for {new.partner} and the earlier one for {old.partner}: "
            "a redline compares one partner's packages",
        )
    sections = redline_sections(pf, old, new, internal=audience == "internal", tranches=tranches)
    statuses = [i["status"] for s in sections for i in s["items"]]
    context: dict[str, Any] = {
        "doc": doc_meta(
            "redline",
            portfolio=pf,
            key=new.partner,
            digest=fingerprint(pf, [old.package(), new.package()]),
            title=f"Redline: term sheet for {new.partner_in_text()}",
            audience=audience,
            date=date,
        ),
        "partner": named({"code": new.partner, "name": new.partner_name}, new.partner_article),
        "old": {"label": labels[0]},
        "new": {"label": labels[1]},
        "sections": sections,
        "summary": {k: statuses.count(k) for k in ("changed", "replaced", "added", "removed")},
    }
    if audience == "internal":
        context["total"] = _totals(old, new, sides=sides)
        context["glossary"] = glossary(pf.policy)
    else:
        context["doc"] = with_said_id(context)
    return context


def redline_sections(
    pf: Portfolio,
    old: DealFigures,
    new: DealFigures,
    *,
    internal: bool,
    tranches: tuple[Tranches, Tranches] = (NO_TRANCHES, NO_TRANCHES),
) -> list[dict[str, Any]]:
    """The term sheet's sections, each term diffed; with `internal`, what each change moves."""
    n = SECTION
    schedule = schedule_items(pf, old, new, tranches)
    sections: list[dict[str, Any]] = [
        {
            "title": f"Annex {ANNEXES['schedule']}: Compute schedule",
            "kind": "schedule",
            "items": schedule,
            "sites": any(item["site"] for item in schedule),
            "total": schedule_total(old, new),
        },
        {
            "title": f"{n['security']}. Security conditions",
            "kind": "text",
            "items": [security_item(pf, old, new)],
        },
        {
            "title": f"{n['commitments']}. Commitments of the Partner",
            "kind": "clauses",
            "number": n["commitments"],
            "items": commitment_items(pf, old, new),
        },
    ]
    base = old.package()
    for section in sections:
        for item in section["items"]:
            term = item.pop("term")
            if internal and item["status"] != "same":
                item["effect"] = _effect(pf, old, _apply(base, term))
    return sections


def _totals(
    old: DealFigures, new: DealFigures, *, sides: tuple[str | None, str | None] = (None, None)
) -> dict[str, Any]:
    """The whole change, old against new, formatted (internal only): each money change as
    printed is the difference of the two figures as printed (`usd_change`)."""
    # A margin is signed, as the term sheets' valuation annex and the memos print it.
    money_rows = [
        ("US utility", old.us_value, new.us_value, False),
        ("Partner utility", old.partner_utility, new.partner_utility, False),
        ("Partner margin", old.partner_margin, new.partner_margin, True),
    ]
    rows = [
        {"label": label, **dict(zip(("old", "new", "delta"), usd_change(a, b, sign), strict=True))}
        for label, a, b, sign in money_rows
    ]
    rows.append(
        {
            "label": "Risk (risk-weighted H100e)",
            "old": h100e(old.risk),
            "new": h100e(new.risk),
            "delta": h100e(new.risk - old.risk, signed=True),
        }
    )
    return {
        "rows": rows,
        "old_verdict": verdict(old, side=sides[0]),
        "new_verdict": verdict(new, side=sides[1]),
        "interaction": interaction(old, new),
    }


def interaction(old: DealFigures, new: DealFigures) -> str | None:
    """How the terms of this change interact, as the note under the whole change gives it
    its example: a change of security level changes the risk of every H100e, which was
    said of every redline, one keeping its level too. None: no example fits, and the note
    says only that the terms' own effects need not add up."""
    if old.security != new.security:
        return "the security level changes the risk of every H100e"
    return None


#: The sections of a term sheet the redline states as terms (`redline_sections`), and the
#: signature block, which no term changes; each other section's text is its clause template.
_AS_TERMS = ("security", "commitments", "signature")
#: The term sheet's other clause texts, in its order, with their headings: what follows
#: from the terms (the term's span and end in sections 3 and 11, the total compute in
#: section 4, the level restated in Annex B).
_CLAUSES = (
    *((sid, f"{SECTION[sid]}. {title}") for sid, title in SECTIONS if sid not in _AS_TERMS),
    ("annex-security", f"Annex {ANNEXES['security']}: Security conditions"),
)


def clause_sections(
    sheets: tuple[Mapping[str, Any], Mapping[str, Any]],
    templates: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """The term sheet's other sections where their text differs between the two term sheets
    (render models `sheets`, old and new), each changed paragraph struck through whole and
    the new one inserted whole, as the terms' clauses are; the paragraphs the two share are
    left out. They follow from the terms (`follows`), so they are counted as none: a
    schedule that ends a year earlier ends the term earlier, which a redline must mark
    where the term sheet says it. `templates`: the house templates the term sheets are
    rendered with, whose clause texts are the ones compared."""
    sections = []
    for sid, title in _CLAUSES:
        old, new = (clause_paragraphs(sid, sheet, templates) for sheet in sheets)
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        items = [
            _item(title, a, b)
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op != "equal"
            for a, b in itertools.zip_longest(old[i1:i2], new[j1:j2])
        ]
        if items:
            sections.append({"title": title, "kind": "text", "follows": True, "items": items})
    return sections


#: The headings of a term sheet in its order, each a redline's section at most: Annex A first,
#: as a redline has always shown it, then the numbered sections, then the other annexes.
_ORDER = (
    f"Annex {ANNEXES['schedule']}: Compute schedule",
    *(f"{SECTION[sid]}. {title}" for sid, title in SECTIONS),
    f"Annex {ANNEXES['security']}: Security conditions",
)


def with_clause_sections(
    sections: list[dict[str, Any]], clauses: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The redline's sections with `clauses` (`clause_sections`) among them, in `_ORDER`."""
    return sorted([*sections, *clauses], key=lambda section: _ORDER.index(section["title"]))
