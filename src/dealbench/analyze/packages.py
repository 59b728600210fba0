"""What "the optimal package" is, for telling when it changes: per partner, deal or
no deal, its security level and its concessions. Compute moves continuously with
most parameters, so it is reported, not counted as a change of package."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TypeVar

from dealbench.model.concession import GRANTED
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult

__all__ = [
    "Signature",
    "concession_changes",
    "describe_changes",
    "described_in_titles",
    "signature",
]

Level = TypeVar("Level")

#: A deal's terms: its security level and its sorted concessions (id, or id=level).
Terms = tuple[str, tuple[str, ...]]
#: partner -> its terms; absent: no deal.
Signature = dict[str, Terms]
#: (concession id, level id) -> (its title, its level's title; None for a yes/no one).
Titles = Callable[[str, str], tuple[str, str | None]]


def signature(result: SolveResult) -> Signature:
    return {
        d.partner: (
            d.security,
            tuple(sorted(c if v is True else f"{c}={v}" for c, v in d.concessions.items())),
        )
        for d in result.deals
    }


def _changed(
    before: Signature, after: Signature, partners: Iterable[str]
) -> Iterator[tuple[str, Terms | None, Terms | None]]:
    """Each of `partners` (in their order) whose package differs, with both (None: no deal)."""
    for code in partners:
        a, b = before.get(code), after.get(code)
        if a != b:
            yield code, a, b


def describe_changes(
    before: Signature,
    after: Signature,
    partners: list[str],
    moves: Mapping[str, str] | None = None,
) -> list[str]:
    """Each partner's change from `before` to `after`, in plain words, in portfolio order.

    `moves`: partner -> its compute move in words (`compute 158,717 -> 96,033 H100e`), said
    in the entry of a deal whose terms changed too, and as its own entry (after the
    others) for a deal on the same terms."""
    moves = moves or {}
    out = []
    for code, a, b in _changed(before, after, partners):
        if a is None and b is not None:
            out.append(f"{code} gains a deal ({_terms(b)})")
        elif a is not None and b is None:
            out.append(f"{code} loses its deal")
        elif a is not None and b is not None:
            parts = []
            if a[0] != b[0]:
                parts.append(f"security {a[0]} -> {b[0]}")
            old, new = _levels(a[1]), _levels(b[1])
            parts += concession_changes(old, new, sorted(set(old) | set(new)), _one)
            parts += [moves[code]] if code in moves else []
            out.append(f"{code}: {', '.join(parts)}")
    same = [c for c in partners if c in moves and before.get(c) == after.get(c)]
    return out + [f"{code}: {moves[code]}" for code in same]


def concession_changes(
    old: Mapping[str, Level],
    new: Mapping[str, Level],
    ids: Iterable[str],
    one: Callable[[str, Level], str],
    *,
    grants: str = "grants",
    moved: Callable[[str, Level, Level], str] | None = None,
) -> list[str]:
    """Each concession of `ids` granted, dropped or changed from `old` to `new`, in plain words.

    `one` writes a concession with its level (`id`, or `id=level`); `grants` is the verb of
    a concession granted; `moved` writes a level changed (default `id old -> new`).
    """
    out = []
    for cid in ids:
        if cid not in old:
            out.append(f"{grants} {one(cid, new[cid])}")
        elif cid not in new:
            out.append(f"drops {one(cid, old[cid])}")
        elif old[cid] != new[cid]:
            out.append(
                moved(cid, old[cid], new[cid]) if moved else f"{cid} {old[cid]} -> {new[cid]}"
            )
    return out


def _terms(sig: tuple[str, tuple[str, ...]]) -> str:
    return ", ".join([sig[0], *sig[1]])


def _levels(items: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in items:
        cid, _, level = item.partition("=")
        out[cid] = level or "yes"
    return out


def _one(cid: str, level: str) -> str:
    return cid if level == "yes" else f"{cid}={level}"


def described_in_titles(before: Signature, after: Signature, portfolio: Portfolio) -> list[str]:
    """`describe_changes` for a principal's document: each partner, concession, level and
    security level by its title ("Bahrain (BH): Investment in the United States from USD
    5bn over the term to USD 15bn over the term"), never by its id (`BH: invest-us 5bn ->
    15bn`, as the commands print it)."""
    out = []
    for code, a, b in _changed(before, after, [p.code for p in portfolio.partners]):
        titles = _titles(portfolio, code)
        partner = portfolio.partner(code)
        name = f"{partner.name} ({code})" if partner is not None else code
        # A sentence starts with the name as running English says it ("The Philippines").
        who = f"{partner.in_text(start=True)} ({code})" if partner is not None else code
        if a is None and b is not None:
            terms = [portfolio.policy.level(b[0]).title]
            terms += [_titled(titles, c, v) for c, v in _levels(b[1]).items()]
            out.append(f"{who} gains a deal: {'; '.join(terms)}")
        elif a is not None and b is None:
            out.append(f"{who} loses its deal")
        elif a is not None and b is not None:
            parts = []
            if a[0] != b[0]:
                old_level, new_level = (portfolio.policy.level(x).title for x in (a[0], b[0]))
                parts.append(f"security from {old_level} to {new_level}")
            old, new = _levels(a[1]), _levels(b[1])
            parts += concession_changes(
                old,
                new,
                sorted(set(old) | set(new)),
                partial(_titled, titles),
                grants="adds",
                moved=partial(_titled_move, titles),
            )
            out.append(f"{name}: {'; '.join(parts)}")
    return out


def _titles(portfolio: Portfolio, code: str) -> Titles:
    """(concession id, level id) -> (its title, its level's title; None for a yes/no one)."""
    partner = portfolio.partner(code)

    def titles(cid: str, level: str) -> tuple[str, str | None]:
        concession = partner.concession(cid) if partner is not None else None
        if concession is None:
            return cid, None if level == "yes" else level
        if concession.is_yes_no:
            return concession.title, None
        option = concession.option(GRANTED if level == "yes" else level)
        return concession.title, option.title if option is not None else level

    return titles


def _titled(titles: Titles, cid: str, level: str) -> str:
    """A concession with its level, by their titles."""
    return _with_level(*titles(cid, level))


def _titled_move(titles: Titles, cid: str, was: str, now: str) -> str:
    """A concession's level changed, by their titles: `Investment from A to B`."""
    title, old = titles(cid, was)
    return f"{title} from {old} to {titles(cid, now)[1]}"


def _with_level(title: str, level: str | None) -> str:
    return title if level is None else f"{title} ({level})"
