"""Keeping terms of the last US offer in the next (`offer --fix`): the terms checked, imposed on
the one-partner portfolio, and refused when no package keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dealbench.errors import ArgumentError, Chosen, InfeasibleError, chosen_error
from dealbench.list_words import and_list, did_you_mean
from dealbench.model.concession import GRANTED, Concession, ConcessionLevel
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio

__all__ = [
    "check_fix",
    "check_kept",
    "constrained",
    "fixed_words",
]


#: A value that dwarfs every utility of a deal (USD): used to force a fixed term.
_FORCE = 1e12


def check_fix(portfolio: Portfolio, partner: str, fix: Sequence[str], last: Package | None) -> None:
    if not fix:
        return
    if last is None:
        raise ArgumentError(
            "fix",
            f"there is no earlier US offer to {partner} to keep terms of: make the first "
            "offer without keeping any term (the next offer can keep terms of it)",
        )
    found = portfolio.partner(partner)
    assert found is not None
    ids = [c.id for c in found.concessions]
    for item in fix:
        if item not in ("compute", "security") and item not in ids:
            raise ArgumentError(
                "fix",
                (
                    f"unknown term {item!r}; expected compute, security or a concession of "
                    f"{partner}: {', '.join(ids)}"
                    if ids
                    else f"unknown term {item!r}; expected compute or security ({partner} "
                    "offers no concessions)"
                )
                + did_you_mean(item, ["compute", "security", *ids]),
            )


def constrained(
    one: Portfolio, partner: str, fix: Sequence[str], last: Package | None
) -> tuple[Portfolio, float]:
    """The one-partner portfolio with the fixed terms of `last` imposed, and the V shift it adds.

    Security: only that level is available. A concession granted in `last`:
    only that level, worth `_FORCE` more to the US, with the V floor raised by
    `_FORCE`, so every package meeting the floor grants it (and figures are
    recomputed against the real partner). A concession not granted: worth
    `-_FORCE`, so no package meeting the floor grants it. Compute: the last
    offer's schedule becomes the ask, the most any period may receive.
    """
    if not fix or last is None:
        return one, 0.0
    partner_obj = one.partner(partner)
    assert partner_obj is not None
    data = partner_obj.model_dump()
    shift = 0.0
    if "compute" in fix:
        data["ask"] = {t: last.compute.get(t, 0.0) for t in one.periods}
    if "security" in fix:
        data["security_costs"] = {last.security: partner_obj.security_costs[last.security]}
    granted = last.granted()
    concessions = []
    for concession in partner_obj.concessions:
        c = concession.model_dump()
        if concession.id in fix:
            level = granted.get(concession.id)
            if level is None:
                c = _worth(concession, [(o, -_FORCE) for o in concession.options])
            else:
                option = concession.option(level)
                assert option is not None
                c = _worth(concession, [(option, _FORCE)])
                shift += _FORCE
        concessions.append(c)
    data["concessions"] = concessions
    changed = Partner.model_validate(data)
    partners = [changed if p.code == partner else p for p in one.partners]
    return one.model_copy(update={"partners": partners}), shift


def _worth(
    concession: Concession, options: list[tuple[ConcessionLevel, float]]
) -> dict[str, object]:
    """`concession` offering only `options`, each worth `extra` more to the US. A range
    becomes a concession of those levels alone: kept a range, the amounts between its
    breakpoints would be valued on a line to the forced value and take a share of it
    (the grid's 960bn below a fixed 1tn met the floor the fixed amount raised)."""
    data = concession.model_dump()
    levels = [
        {**o.model_dump(exclude={"amount"}), "us_value": o.us_value + extra} for o, extra in options
    ]
    if concession.is_yes_no:
        data["us_value"] = levels[0]["us_value"]
    else:
        data["levels"] = levels
        data["amount"] = None
    return data


def check_kept(partner: Partner, fix: Sequence[str], last: Package, ideal: Package) -> None:
    """Refuse fixed terms no package keeps: a concession granted in `last` is forced only by
    the value `constrained` adds to it, so the US-best package of the fixed menu leaves it
    out exactly when no package the partner accepts (within the limits) grants it with the
    other fixed terms."""
    granted, got = last.granted(), ideal.granted()

    def kept(cid: str) -> bool:  # the same option, however written (`1k` is level `small`)
        concession = partner.concession(cid)
        if concession is None or cid not in got:
            return False
        was, now = concession.option(granted[cid]), concession.option(got[cid])
        return was is not None and now is not None and was.id == now.id

    lost = [c for c in fix if c in granted and not kept(c)]
    if not lost:
        return
    terms = and_list(f"{c}={granted[c]}" if granted[c] != GRANTED else c for c in lost)
    others = [c for c in fix if c not in lost]
    also = f", with {and_list(others)} kept too" if others else ""
    own = Chosen(  # as each shell records a package of one's own (the web: its editor)
        "own-offer",
        f"no package {partner.code} accepts keeps {terms} of the last offer{also} (the other "
        "partners held at the plan); fix fewer terms, or offer a package of your own (",
        ")",
    )
    raise chosen_error(InfeasibleError, own)


def fixed_words(fix: Sequence[str]) -> str:
    return f", keeping {', '.join(fix)} of the last offer" if fix else ""
