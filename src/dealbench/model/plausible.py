"""Money a file gives that is valid but implausible: written without its unit, most likely;
and a policy's caps that give a weaker security level more than a stronger one.

`batna: 300` reads as USD 300 where 300m was meant, and `value_per_h100e: 25000k` as USD
25m an H100e where 25k was: both files are valid, and the solve is of another deal than
the one meant (a partner utility of trillions). `validate` and the solving commands say
such figures in a note at the file's line (`notes.input_notes`), never an error.

The bounds (docs/reliability.md, "Money without a unit"): a walk-away value, a security
cost and a concession's value or cost are money of a deal between governments, whose
smallest in the reference facts is USD 500m (Armenia's AI factory) and whose investments
run to billions, so a figure other than 0 under USD 1m is said. A value per H100e is near
a chip's price (USD 25k-40k; the shipped regimes' export value 8k, risk penalty 120k), so
one outside USD 1k-1m is said.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from dealbench.errors import Issue
from dealbench.figures import h100e, usd
from dealbench.list_words import and_list
from dealbench.model.amounts import amount_text
from dealbench.model.concession import Concession
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy
from dealbench.model.yamlio import Loc, Source

__all__ = [
    "DEAL_MONEY_FLOOR",
    "PER_H100E",
    "Figure",
    "Given",
    "caps_notes",
    "figures",
    "money_notes",
    "money_said",
]

#: A deal's money other than 0 below this (in size) is said.
DEAL_MONEY_FLOOR = 1e6
#: A value or cost per H100e outside this range is said.
PER_H100E = (1e3, 1e6)

_PER = "per"  # the kind of a per-H100e figure
_DEAL = "deal"


class Figure(NamedTuple):
    """One money figure of a partner or a policy: where its file writes it (`loc`), and its
    path as `--set` names it below the partner or the policy (`path`: a list's items by
    their ids, `concessions.invest-us.levels.200bn.us_value`), part for part."""

    loc: Loc
    path: tuple[str, ...]
    kind: str
    what: str
    amount: float


class Given(NamedTuple):
    """An override of a partner's or a policy's figures (`--set`, a scenario): its path
    below the partner or the policy, in parts (a list's item by its id or position), the
    value as given (read as YAML), and where it was given (`--set`, a scenarios file)."""

    parts: tuple[str, ...]
    value: Any
    where: str


def figures(loaded: Partner | Policy) -> Iterator[Figure]:
    """Every money figure of `loaded` weighed against its bounds."""
    return _partner(loaded) if isinstance(loaded, Partner) else _policy(loaded)


def money_notes(
    loaded: Partner | Policy,
    source: Source | None,
    given: Sequence[Given] = (),
    root: str = "",
) -> list[Issue]:
    """A note at each money figure of `loaded` outside its bounds: at its line of `source`,
    the file it was read from; or, for a figure an override in `given` set (the last that
    covers it), at the override's path (`root` and the figure's path: `--set:
    partners.AE.batna`), weighed as the override wrote it. The one weighing of every
    figure, however it came in (`notes.input_notes`)."""
    out = []
    for figure in figures(loaded):
        over = _overridden(figure, given)
        if over is not None:
            where, written = over
            message = _said(figure, written)
            if message is not None:
                out.append(Issue(where, None, root + ".".join(figure.path), message))
        elif source is not None:
            message = _said(figure, _written(source.data(), figure.loc))
            if message is not None:
                out.append(source.issue(figure.loc, message))
    return sorted(out, key=lambda issue: (issue.line is None, issue.line or 0))


def money_said(amount: float, written: object, what: str) -> str | None:
    """What a note says of an amount of a deal given otherwise than in a file (a money
    option: `--v-floor 100`), as `written`: read as $100 (written without a unit), where
    `what` is USD 1m or more; None when plausible. As `money_notes` weighs a file's."""
    return _said(Figure((), (), _DEAL, what, amount), written)


def _overridden(figure: Figure, given: Sequence[Given]) -> tuple[str, object] | None:
    """Where the last override covering `figure` was given, and the figure as it writes it
    (None where its value does not hold it); None when no override covers it."""
    parts = list(zip(figure.path, figure.loc, strict=True))
    for over in reversed(given):
        k = len(over.parts)
        named = zip(over.parts, parts[:k], strict=True)
        if k <= len(parts) and all(o in (p, str(i)) for o, (p, i) in named):
            return over.where, _written(over.value, figure.loc[k:], figure.path[k:])
    return None


def _partner(p: Partner) -> Iterator[Figure]:
    yield Figure(("batna",), ("batna",), _DEAL, "a walk-away value", p.batna)
    yield Figure(("us_batna",), ("us_batna",), _DEAL, "a walk-away value", p.us_batna)
    if isinstance(p.value_per_h100e, list):
        for i, seg in enumerate(p.value_per_h100e):
            segment: Loc = ("value_per_h100e", i, "value")
            yield Figure(segment, _parts(segment), _PER, _PER_VALUE, seg.value)
    else:
        yield Figure(
            ("value_per_h100e",), ("value_per_h100e",), _PER, _PER_VALUE, p.value_per_h100e
        )
    for level, cost in p.security_costs.items():
        yield Figure(
            ("security_costs", level), ("security_costs", level), _DEAL, "a security cost", cost
        )
    for i, c in enumerate(p.concessions):
        yield from _concession(("concessions", i), ("concessions", c.id), c)


def _concession(loc: Loc, path: tuple[str, ...], c: Concession) -> Iterator[Figure]:
    """A concession's money: its levels' values and costs, and, on a range counted in
    US dollars (`amount: {unit: USD}`), its amounts (`amount: 100` is USD 100, not 100bn);
    a range in another unit (MW, tonnes) counts no money there."""
    money = c.amount is not None and c.amount.unit.upper() == "USD"
    for j, lv in enumerate(c.levels or []):
        here, named = (*loc, "levels", j), (*path, "levels", lv.id)
        yield Figure((*here, "us_value"), (*named, "us_value"), _DEAL, _VALUE, lv.us_value)
        cost = lv.partner_cost
        yield Figure((*here, "partner_cost"), (*named, "partner_cost"), _DEAL, _COST, cost)
        if money and lv.amount is not None:
            yield Figure((*here, "amount"), (*named, "amount"), _DEAL, _AMOUNT, lv.amount)
    if c.us_value is not None:
        yield Figure((*loc, "us_value"), (*path, "us_value"), _DEAL, _VALUE, c.us_value)
    if c.partner_cost is not None:
        cost = c.partner_cost
        yield Figure((*loc, "partner_cost"), (*path, "partner_cost"), _DEAL, _COST, cost)
    if money and c.amount is not None:
        for field in ("min", "step"):
            amount = getattr(c.amount, field)
            if amount is not None:
                here, named = (*loc, "amount", field), (*path, "amount", field)
                yield Figure(here, named, _DEAL, _AMOUNT, amount)


_PER_VALUE = "a value per H100e"
_VALUE = "a concession's value"
_COST = "a concession's cost"
_AMOUNT = "an amount of a range in USD"


def _policy(p: Policy) -> Iterator[Figure]:
    for field, kind, what in (
        ("export_value_per_h100e", _PER, "an export value per H100e"),
        ("risk_penalty_per_h100e", _PER, "a risk penalty per H100e"),
        ("acceptance_margin", _DEAL, "an acceptance margin"),
    ):
        yield Figure((field,), (field,), kind, what, getattr(p, field))


def _parts(loc: Loc) -> tuple[str, ...]:
    return tuple(str(part) for part in loc)


def _said(figure: Figure, written: object) -> str | None:
    """What the note says of `figure` (written as `written`), or None when plausible."""
    kind, what, amount = figure.kind, figure.what, figure.amount
    size = abs(float(amount))
    low, high = PER_H100E if kind == _PER else (DEAL_MONEY_FLOOR, float("inf"))
    if size == 0 or low <= size <= high:
        return None
    meant = size
    while meant < low:
        meant *= 1000
    while meant > high:
        meant /= 1000
    meant = -meant if amount < 0 else meant
    an = " an H100e" if kind == _PER else ""
    if kind == _PER:
        bounds = f"USD {amount_text(low)} to {amount_text(high)}"
    else:
        bounds = f"USD {amount_text(low)} or more in a deal between governments"
    how = ""
    if isinstance(written, (int, float)) and not isinstance(written, bool):
        how = " (written without a unit)"
    elif isinstance(written, str):
        bare = written.strip().lstrip("-$").replace("_", "").replace(",", "").replace(".", "")
        how = " (written without a unit)" if bare.isdigit() else f" from {written.strip()}"
    # `usd` prints whole dollars below $1,000: 1.5 read as "$2" was not what the file says
    read = usd(float(amount)) if size >= 1000 or float(size).is_integer() else f"${size:,.2f}"
    read = f"-{read}" if amount < 0 and not read.startswith("-") else read
    return (
        f"read as {read}{an}{how}, where {what} is {bounds}; "
        f"if {amount_text(meant)} was meant, write {amount_text(meant)}"
    )


def _written(tree: object, loc: Loc, path: Sequence[str] = ()) -> object:
    """The node at `loc` as the file (or an override's value) writes it, None where it is
    not there; in a list, the item whose id `path` names, else the one at `loc`'s position
    (an override names an item either way)."""
    node = tree
    for k, part in enumerate(loc):
        if isinstance(node, list) and k < len(path):
            named = [item for item in node if isinstance(item, dict) and item.get("id") == path[k]]
            if named:
                node = named[0]
                continue
        if isinstance(node, dict):
            key = next((key for key in node if str(key) == str(part)), part)
            node = node.get(key)
            continue
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def caps_notes(
    policy: Policy, source: Source | None, where: str = "policy", root: str = ""
) -> list[Issue]:
    """A note at each tier of `policy` whose caps by level let a partner receive more under
    a weaker security level than under a stronger one: a level left out of the tier's
    caps (no cap) below a level it caps, or a cap above a stronger level's. Valid (a cap
    only bounds; DESIGN.md's `tier1: {}` is no cap), but a writer who lists the caps of
    the stronger levels and leaves out the weakest most likely meant it to get less, not
    any amount. At the cap's (or the tier's) line of `source`; without one (caps an
    override set), at `where` (`--set`), the field named below `root` (`policy.`)."""
    from dealbench.model.periods import as_written

    written = as_written(policy)
    levels = written.level_ids
    out = []
    for tier in (1, 2, 3):
        caps = getattr(written.caps, f"tier{tier}")
        if tier == 3 or not isinstance(caps, dict) or not caps:
            continue
        for i, level in enumerate(levels):
            stronger = [k for k in levels[i + 1 :] if k in caps]
            cap = caps.get(level)
            if cap is None and stronger:
                message = (
                    f"tier {tier} caps {and_list(stronger)} but not {level}, a weaker level: a "
                    f"tier {tier} partner may receive any amount under {level}; write "
                    f"{level}'s cap (0 to allow nothing under it) if that is not meant"
                )
            elif cap is not None and any(caps[k] < cap for k in stronger):
                k = next(k for k in stronger if caps[k] < cap)
                message = (
                    f"tier {tier} caps {level} at {h100e(cap)} H100e, more than {k} "
                    f"({h100e(caps[k])}), a stronger level: a tier {tier} partner may receive "
                    f"more under {level}'s weaker security; lower {level}'s cap or raise "
                    f"{k}'s if that is not meant"
                )
            else:
                continue
            loc = ("caps", f"tier{tier}", level) if cap is not None else ("caps", f"tier{tier}")
            if source is not None:
                out.append(source.issue(loc, message))
            else:
                out.append(Issue(where, None, root + ".".join(map(str, loc)), message))
    return out
