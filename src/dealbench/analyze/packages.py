"""What "the optimal package" is, for telling when it changes: per partner, deal or
no deal, its security level and its concessions. Compute moves continuously with
most parameters, so it is reported, not counted as a change of package."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from dealbench.optimize import SolveResult

__all__ = ["Signature", "concession_changes", "describe_changes", "signature"]

Level = TypeVar("Level")

#: partner -> (security, sorted concessions as id or id=level); absent: no deal.
Signature = dict[str, tuple[str, tuple[str, ...]]]


def signature(result: SolveResult) -> Signature:
    return {
        d.partner: (
            d.security,
            tuple(sorted(c if v is True else f"{c}={v}" for c, v in d.concessions.items())),
        )
        for d in result.deals
    }


def describe_changes(before: Signature, after: Signature, partners: list[str]) -> list[str]:
    """Each partner's change from `before` to `after`, in plain words, in portfolio order."""
    out = []
    for code in partners:
        a, b = before.get(code), after.get(code)
        if a == b:
            continue
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
            out.append(f"{code}: {', '.join(parts)}")
    return out


def concession_changes(
    old: Mapping[str, Level],
    new: Mapping[str, Level],
    ids: Iterable[str],
    one: Callable[[str, Level], str],
) -> list[str]:
    """Each concession of `ids` granted, dropped or changed from `old` to `new`, in plain words.

    `one` writes a concession with its level (`id`, or `id=level`).
    """
    out = []
    for cid in ids:
        if cid not in old:
            out.append(f"grants {one(cid, new[cid])}")
        elif cid not in new:
            out.append(f"drops {one(cid, old[cid])}")
        elif old[cid] != new[cid]:
            out.append(f"{cid} {old[cid]} -> {new[cid]}")
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
