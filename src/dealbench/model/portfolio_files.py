"""The portfolios of one folder that list a partner: where a code that one portfolio has
not is found in another of the same data (`Portfolio.unknown_partner`)."""

from __future__ import annotations

from pathlib import Path

from dealbench.errors import DealbenchError
from dealbench.model.yamlio import read_yaml


def portfolios_with(code: str, portfolio: Path) -> list[str]:
    """The names of the other portfolio files beside `portfolio` (`*.yaml`, in name order)
    that list a partner file whose `code` is `code`. Files that do not read as portfolios,
    and partner files that do not read, are passed over: this only adds to a message."""
    try:
        here = portfolio.resolve()
        siblings = sorted(here.parent.glob("*.yaml"))
    except OSError:
        return []
    return [path.name for path in siblings if path != here and code in _partner_codes(path)]


def _partner_codes(path: Path) -> set[str]:
    """The codes of the partner files a portfolio file lists (none for another file)."""
    try:
        data = read_yaml(path).data()
    except (DealbenchError, OSError):
        return set()
    refs = data.get("partners") if isinstance(data, dict) and "periods" in data else None
    codes = set()
    for ref in refs if isinstance(refs, list) else []:
        if not isinstance(ref, str):
            continue
        try:
            partner = read_yaml(path.parent / ref).data()
        except (DealbenchError, OSError):
            continue
        if isinstance(partner, dict) and isinstance(partner.get("code"), str):
            codes.add(partner["code"])
    return codes
