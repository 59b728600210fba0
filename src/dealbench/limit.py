"""A limit a package breaks or sits on, as an object for scripts and as a sentence for people.

The checker builds one `Limit` for every violation and `finish` one for every
binding limit; the sentence a person reads is the object's `message`, so the
two never disagree. `violations` and `binding` are lists of these objects;
`messages` turns such a list into the sentences a person reads.

A `result.json` written before limits were objects holds plain sentences: a
string is read as a `Limit` of kind `other` with that message (see
docs/decisions.md, "Limits are objects in JSON").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dealbench.list_words import and_list, periods_said

__all__ = [
    "Limit",
    "LimitKind",
    "broken_messages",
    "grouped_messages",
    "limits_from_details",
    "messages",
    "no_supply_line",
    "package_field",
]

LimitKind = Literal[
    "cap",  # a tier cap under a security level
    "ask",  # the partner's ask for a period
    "tier3",  # an arms-embargoed partner receives compute
    "supply",  # the supply of a period
    "risk-budget",  # the portfolio's risk budget
    "acceptance",  # the partner's walk-away value plus the required margin
    "v-floor",  # partner-best's least US utility V (USD)
    "requires",  # a concession requires another (or a security level)
    "excludes",  # two concessions exclude each other
    "security",  # a security level unknown, or one the partner cannot meet
    "period",  # a period that is not the portfolio's
    "concession",  # an unknown concession or level
    "package",  # a package twice, or for someone who is not a partner
    "other",  # a sentence from a result.json written before limits were objects
]


class Limit(BaseModel):
    """One limit: what kind, whose, when, its level, its value and the amount against it.

    `limit` and `amount` are in the limit's unit: H100e for caps, asks and supply,
    risk-weighted H100e for the risk budget, USD for acceptance and the V floor.
    """

    model_config = ConfigDict(frozen=True)

    kind: LimitKind
    partner: str | None = None
    period: str | None = None
    level: str | None = Field(default=None, description="Security level, or concession level")
    limit: float | None = Field(default=None, description="The limit's value")
    amount: float | None = Field(default=None, description="What the package puts against it")
    message: str = Field(description="The same, in plain words")

    @model_validator(mode="before")
    @classmethod
    def _from_sentence(cls, data: Any) -> Any:
        """A plain sentence (an older result.json) is a limit of kind `other`."""
        if isinstance(data, str):
            return {"kind": "other", "message": data}
        return data


#: The package field each kind of limit is about (the compute of its period, when it has one).
_FIELDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("cap", "ask", "tier3", "supply", "period", "risk-budget"), ("compute",)),
    **dict.fromkeys(("requires", "excludes", "concession"), ("concessions",)),
    "security": ("security",),
}


def package_field(limit: Limit) -> tuple[str, ...]:
    """Where in a package file `limit` is broken, to name its line: a cap, ask or supply
    broken in a period at that period's compute, the risk budget at the compute, a
    concession's rule at the concessions, the security level at it; () for the package as a
    whole (the partner's acceptance)."""
    at = _FIELDS.get(limit.kind, ())
    return (*at, limit.period) if at == ("compute",) and limit.period else at


def messages(limits: Iterable[Limit], *, unique: bool = False) -> list[str]:
    """The sentences of `limits`, in order; with `unique`, each sentence once.

    Binding limits are read with `unique=True`: "Held to their walk-away value"
    is one sentence shared by one `acceptance` limit per partner.
    """
    out = [limit.message for limit in limits]
    return list(dict.fromkeys(out)) if unique else out


#: A period's compute over a partner's ask or cap, as `check` words it.
_OVER = re.compile(
    r"^(?P<code>\S+): (?P<period>\S+) compute (?P<x>[\d,]+) H100e exceeds (?P<what>.+)$"
)


def broken_messages(limits: Iterable[Limit]) -> list[str]:
    """The sentences of broken `limits`, each ask or cap broken in several periods on one
    line: a counter over a cap in twelve quarters is one limit broken twelve times ("AE:
    compute exceeds the tier 2 cap under veu of 50,000 H100e in 2026Q1 (60,000 H100e) and
    2026Q2 (55,000 H100e)"), not twelve lines. Others keep their sentence, in order."""
    lines: list[str | tuple[str, str, str]] = []  # a sentence, or (kind, partner, what)
    periods: dict[tuple[str, str, str], list[tuple[str, str]]] = {}  # -> (period, H100e)
    for limit in limits:
        m = _OVER.match(limit.message) if limit.kind in ("ask", "cap") else None
        if m is None:
            lines.append(limit.message)
            continue
        key = (limit.kind, m["code"], m["what"])
        if key not in periods:
            lines.append(key)
        periods.setdefault(key, []).append((m["period"], m["x"]))
    out = []
    for line in lines:
        if isinstance(line, str):
            out.append(line)
            continue
        _, code, what = line
        found = periods[line]
        if len(found) == 1:  # as `check` words it
            out.append(f"{code}: {found[0][0]} compute {found[0][1]} H100e exceeds {what}")
        elif len({x for _, x in found}) == 1:
            ts = periods_said(None, (t for t, _ in found))
            out.append(f"{code}: compute of {found[0][1]} H100e in each of {ts} exceeds {what}")
        else:
            out.append(
                f"{code}: compute exceeds {what} in {and_list(f'{t} ({x} H100e)' for t, x in found)}"
            )
    return list(dict.fromkeys(out))


def limits_from_details(data: Any, field: str, details_field: str) -> Any:
    """`data` (a JSON object) with `details_field`'s objects moved into `field`.

    A file written while `field` held sentences and `details_field` the objects
    beside them is read as if written today. Sentences alone (an older file
    still) are read by `Limit` as kind `other`.
    """
    if isinstance(data, dict) and details_field in data:
        data = dict(data)
        details = data.pop(details_field)
        if details or not data.get(field):
            data[field] = details
    return data


_SUPPLY = re.compile(r"^Supply in (\S+) is fully allocated \(([\d,]+) H100e\)\.$")
_NO_SUPPLY = re.compile(r"^There is no supply in (\S+): no compute can be delivered then, ")
_SUPPLY_LEFT = re.compile(
    r"^Supply in (\S+) is used up \([\d,]+ H100e\), with less than one step \((.+)\) left\.$"
)
#: A cap reached, a tier's or the partner's own (after its amount, how the policy writes
#: it, where pro-rated).
_CAP = re.compile(
    r"^(\S+) in (\S+) receives (the tier \d|its own) cap under (\S+) "
    r"\(([\d,]+ H100e(?:, [^)]+)?)\), less than its ask\.$"
)


def no_supply_line(periods: str, partner: str | None = None) -> str:
    """The sentence for periods without any supply where a deal asks for some (`used_up`
    counts them: nothing else holds its compute there at 0): "fully allocated (0 H100e)"
    reads as if some had been given out. `periods` as said (`2028`, `2028 and 2030`);
    with `partner`, what it means for that partner's deal."""
    if partner is None:
        return (
            f"There is no supply in {periods}: no compute can be delivered then, though a "
            "partner with a deal asks for some."
        )
    return f"There is no supply in {periods}: {partner} receives nothing then, though it asks for some."


def grouped_messages(lines: list[str]) -> list[str]:
    """Binding limits' sentences with the periods of one limit on one line (supply; each
    partner's cap, its tier's or its own): what `solve` prints and the options memo says
    of each option."""
    out: list[str] = []
    supply: list[str] = []
    none: list[str] = []  # periods without supply (a deal asks for some)
    left: dict[str, list[str]] = {}  # step -> periods
    caps: dict[tuple[str, str, str, str], list[str]] = {}
    for line in lines:
        if m := _SUPPLY.match(line):
            supply.append(m.group(1))
        elif m := _NO_SUPPLY.match(line):
            none.append(m.group(1))
        elif m := _SUPPLY_LEFT.match(line):
            left.setdefault(m.group(2), []).append(m.group(1))
        elif m := _CAP.match(line):
            code, t, whose, level, cap = m.groups()
            caps.setdefault((code, whose, level, cap), []).append(t)
        else:
            out.append(line)
    grouped = [f"supply is fully allocated in {periods_said(None, supply)}."] if supply else []
    grouped += [no_supply_line(periods_said(None, none))] if none else []
    grouped += [
        f"supply is used up in {periods_said(None, ts)}, with less than one step ({step}) left."
        for step, ts in left.items()
    ]
    grouped += [
        f"{code} receives {whose} cap under {level} ({cap}) in "
        f"{periods_said(None, ts)}, less than its ask."
        for (code, whose, level, cap), ts in caps.items()
    ]
    return [line[0].upper() + line[1:] for line in grouped] + out
