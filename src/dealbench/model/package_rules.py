"""The rules of a package against its partner and regime: known ids, levels, amounts
and periods, each refusal saying what was meant. Each yields `(loc, message)` pairs
(`rules.Problem`); the loader attaches file and line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.errors import DealbenchError
from dealbench.list_words import did_you_mean, one_of, unknown
from dealbench.model import amounts
from dealbench.model.concession import Concession
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.periods import not_a_period
from dealbench.model.policy import Policy
from dealbench.model.rules import Problem
from dealbench.model.yamlio import read_yaml

if TYPE_CHECKING:
    from dealbench.model.portfolio import Portfolio


def problems_in(package: Package, partner: Partner, portfolio: Portfolio) -> Iterator[Problem]:
    """`package_problems` of `package` against `partner` of `portfolio`: its regime, its
    periods, and the partner's file, where a message names a line of it."""
    return package_problems(
        package,
        partner,
        portfolio.policy,
        portfolio.periods,
        partner_file=portfolio.partner_files.get(partner.code),
    )


def package_problems(
    package: Package,
    partner: Partner,
    policy: Policy,
    periods: list[str],
    *,
    partner_file: str | None = None,
) -> Iterator[Problem]:
    """Shape problems of a package against its partner: unknown ids, levels, periods.
    `partner_file`: the partner's file, where a message names a line of it."""
    if package.security not in policy.level_ids:
        yield (
            ("security",),
            unknown(
                "security level", package.security, policy.level_ids, f" in regime {policy.id}"
            ),
        )
    for field in ("compute", "sites"):  # a site for 2062 must not vanish from Annex A
        for period in getattr(package, field):
            if period not in periods:
                yield (
                    (field, period),
                    not_a_period(period, periods),
                )
    ids = [c.id for c in partner.concessions]
    for cid, level in package.concessions.items():
        concession = partner.concession(cid)
        if concession is None:
            yield ("concessions", cid), unknown("concession", cid, ids, f" of {partner.code}")
            continue
        if isinstance(level, bool):
            if level and not concession.is_yes_no:
                names = ", ".join(o.id for o in concession.options)
                yield ("concessions", cid), f"{cid!r} has levels; name one of: {names}"
        elif concession.option(level) is None:
            if concession.is_yes_no:
                yield ("concessions", cid), f"{cid!r} is a yes/no term; write true or false"
            elif concession.is_range:
                yield ("concessions", cid), _range_message(concession, level)
            else:
                options = [o.id for o in concession.options]
                message = unknown("level", level, options, f" of {cid!r}")
                if said := _level_of_amount(level, options):  # `1400BN`: said as an amount
                    message = message.removesuffix(did_you_mean(level, options)) + said
                elif amounts.parse_amount(level) is not None:  # `30bn` between two levels
                    message += _levels_only(cid, partner_file)
                yield ("concessions", cid), message
        elif (tiny := _tiny_dollars(concession, level)) is not None:
            yield ("concessions", cid), tiny
        elif _at_start(concession, level):
            yield (
                ("concessions", cid),
                (
                    f"{level} is the start of the range of {cid!r} ({concession.range_text()}), "
                    f"where nothing is granted; leave {cid!r} out, or write {cid}: false"
                ),
            )


#: A bare number of dollars at most this share of a range's top is taken for a missing unit.
TINY_SHARE = 1e-6


def _tiny_dollars(concession: Concession, text: str) -> str | None:
    """A refusal of an amount of dollars written as a bare number (`75`) that is a millionth
    or less of its range's top (USD 350bn): `75` meant for `75bn` would otherwise be
    valued as USD 75, worth nothing, without a word."""
    if not concession.is_range or concession.amount is None or concession.amount.unit != "USD":
        return None
    if any(o.id == text for o in concession.options) or not re.fullmatch(r"[\d_,.]+", text):
        return None
    amount = amounts.parse_amount(text)
    top = concession.points[-1][0] if concession.points else 0.0
    if amount is None or amount <= 0 or amount > top * TINY_SHARE:
        return None
    # The example is in the range ("such as 75bn" was said of a 0-40bn one): the number
    # written in billions where that is in it, else the range's top.
    meant = amounts.parse_amount(f"{text}bn")
    low = concession.points[0][0]
    example = f"{text}bn" if meant is not None and low <= meant <= top else amounts.amount_text(top)
    return (
        f"{text} is USD {amounts.amount_text(amount)}, a millionth or less of the range of "
        f"{concession.id!r} ({concession.range_text()}); write the amount with its unit, such "
        f"as {example}"
    )


def _at_start(concession: Concession, text: str) -> bool:
    """Whether `text` names a range's `min` below its first level: an amount worth nothing
    and costing nothing (docs/amounts.md), which the optimizer never offers. Granted, it
    would meet a `requires` of another concession and read as a commitment ("will invest
    USD 0")."""
    low = concession.amount.min if concession.is_range and concession.amount else None
    first = concession.options[0].amount if concession.options else None
    if low is None or first is None or low >= first:
        return False
    amount = amounts.parse_amount(text)
    return amount is not None and amounts.same(amount, low)


def _range_message(concession: Concession, text: str) -> str:
    cid, span = concession.id, concession.range_text()
    if amounts.parse_amount(text) is not None:
        return f"{text} is outside the range of {cid!r}: {span}"
    ids = [o.id for o in concession.options]
    return (
        f"unknown level {text!r} of {cid!r}; expected one of: {one_of(ids)}, or an amount "
        f"from {span}{did_you_mean(text, ids)}"
    )


def _levels_only(cid: str, partner_file: str | None) -> str:
    """What is said of an amount named for a concession of fixed levels (`invest-us: 800bn`
    between 200bn and 1400bn): only a range takes amounts between its levels, declared on
    the concession, at its line of the partner's file where that is known."""
    at = f" ({partner_file})" if partner_file is not None else ""
    if partner_file is not None:
        with contextlib.suppress(DealbenchError, OSError):  # moved or changed since loaded
            source = read_yaml(Path(partner_file))
            data = source.data()
            listed = data.get("concessions") if isinstance(data, dict) else None
            for index, item in enumerate(listed if isinstance(listed, list) else []):
                line = source.line(("concessions", index, "id"))
                if isinstance(item, dict) and item.get("id") == cid and line is not None:
                    at = f" ({source.display}:{line})"
    return (
        f"; {cid!r}{at} has fixed levels: an amount between them needs the concession to "
        "declare a range, `amount:` with an amount on each level (docs/amounts.md, "
        "docs/formats.md)"
    )


def _level_of_amount(text: str, levels: list[str]) -> str:
    """ "; 1.4tn is level 1400bn: write 1400bn" where `text` is the amount a level's id says
    (`USD 1.4tn` for the level `1400bn` of a concession that is not a range), else nothing."""
    amount = amounts.parse_amount(text)
    same = [
        level
        for level in levels
        if amount is not None
        and (of := amounts.parse_amount(level)) is not None
        and amounts.same(amount, of)
    ]
    return f"; {text} is level {same[0]}: write {same[0]}" if len(same) == 1 else ""
