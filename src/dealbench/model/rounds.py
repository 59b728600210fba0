"""The round file of a negotiation (deals/rounds/<portfolio>/<CODE>/NNN-<side>.yaml).

Pure data: the shape of one round and the problems of one round on its own.
Reading a negotiation's folder as a whole, and appending to it, is
`dealbench.negotiate.rounds.read` and `dealbench.negotiate.rounds.write`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from dealbench.errors import Chosen, Issue
from dealbench.list_words import did_you_mean
from dealbench.model import package_rules
from dealbench.model.base import Strict, UsdNumber
from dealbench.model.fields import LineText, NoteText, RoundNumber
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.units import as_written

Side = Literal["us", "partner"]


def _param(value: Any) -> Any:
    """A strategy's parameter is a number or text as written: a boolean is none (`beta:
    true` was read as 1), nor a date, list or mapping (said "expected a whole number", the
    union's first branch, of `beta: 2026-01-01`)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, list | dict):
        raise ValueError(
            f"expected a number, got a {'list' if isinstance(value, list) else 'mapping'}"
        )
    if not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {as_written(value)}")
    return value


#: A strategy's parameter: a number where it reads as one (`beta: 1.125`, which the YAML
#: loader leaves as text: see yamlparse's point-grouped numbers), else its text.
Param = Annotated[
    Annotated[int | float | str, Field(union_mode="left_to_right")], BeforeValidator(_param)
]


RoundStatus = Literal["open", "concluded", "walked-away"]

#: What a US offer's `strategy.name` may be: a concession tactic (`offer --strategy`) ...
STRATEGY_NAMES: tuple[str, ...] = ("boulware", "linear", "conceder", "zeuthen")
#: ... or the point of the frontier it was made at (`offer --mode`).
OFFER_MODES: tuple[str, ...] = ("us-best", "nash", "kalai")

__all__ = [
    "OFFER_MODES",
    "ROUND_FILE_NAME",
    "STRATEGY_NAMES",
    "YEARS_AFTER_HORIZON",
    "RoundFile",
    "RoundStatus",
    "Side",
    "StrategyRecord",
    "date_problem",
    "name_problems",
    "problem_issue",
    "round_problems",
    "walked_away_words",
]


#: A round file's name: NNN-us.yaml or NNN-partner.yaml (NNN = 001, 002, ...).
ROUND_FILE_NAME = re.compile(r"^(\d{3,})-(us|partner)\.ya?ml$")


def name_problems(
    name: str, data: RoundFile
) -> tuple[RoundFile, list[tuple[tuple[str | int, ...], str]]]:
    """The round as the file's name says it is, whose rules `round_problems` checks, and
    where its `round` or `side` says otherwise: `round: 2` in 001-us.yaml is that one
    mistake, not also round 2's missing `basis`. A name that is not a round's says nothing."""
    match = ROUND_FILE_NAME.match(name)
    if match is None:
        return data, []
    number, side = int(match[1]), match[2]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if data.round != number:
        problems.append(
            (
                ("round",),
                f"is {data.round}, but the file name says round {number}: write `round: {number}`",
            )
        )
    if data.side != side:
        problems.append(
            (("side",), f"is {data.side}, but the file name says {side}: write `side: {side}`")
        )
    named = data if data.round == number else data.model_copy(update={"round": number})
    return named, problems


def walked_away_words(code: str, side: Side | None) -> str:
    """Who ended the talks with `code`, as every command says it: "the United States walked
    away from QA", "BH walked away", or "talks with QA ended" where the side is not known
    (a result.json written before it was recorded)."""
    if side == "us":
        return f"the United States walked away from {code}"
    if side == "partner":
        return f"{code} walked away"
    return f"talks with {code} ended"


class StrategyRecord(Strict):
    """How a US offer was chosen: the strategy, its parameters and the target it aimed at."""

    name: str
    params: dict[str, Param] = Field(default_factory=dict)
    #: US utilities in USD: finite, as every figure of a file (`1e308` by hand is refused
    #: where it is written, not met by the printing of `history`).
    target_us_utility: UsdNumber | None = None
    ideal_us_utility: UsdNumber | None = None
    reservation_us_utility: UsdNumber | None = None
    fixed: list[str] = Field(default_factory=list)
    reason: str | None = None


class RoundFile(Strict):
    """One round as written on disk (DESIGN.md, "Negotiation")."""

    round: RoundNumber
    side: Side
    date: dt.date | None = None
    author: LineText | None = None
    basis: str | None = None
    package: Package | None = None
    note: NoteText | None = None
    status: RoundStatus = "open"
    strategy: StrategyRecord | None = None
    #: A US offer giving the partner less than our last offer did, recorded with the retreat
    #: allowed: what it takes back and why (docs/negotiation.md).
    retreat: NoteText | None = None


#: A round dated more than this many years after the portfolio's last period is a slip of the
#: year (9999-01-01, 2206 for 2026), not a date anyone negotiates on.
YEARS_AFTER_HORIZON = 10


def date_problem(portfolio: Portfolio, date: dt.date | None) -> str | None:
    """Why `date` cannot date a round of `portfolio` (None: it can): more than
    `YEARS_AFTER_HORIZON` years after the year of its last period. Periods whose labels
    name no year (`H1`) set no such bound."""
    if date is None:
        return None
    last = portfolio.periods[-1] if portfolio.periods else ""
    year = re.match(r"^(\d{4})", last)
    if year is None or date.year <= int(year.group(1)) + YEARS_AFTER_HORIZON:
        return None
    return (
        f"{date} is more than {YEARS_AFTER_HORIZON} years after the portfolio's horizon "
        f"(its last period is {last}); check the year (YYYY-MM-DD, or today)"
    )


def _strategy_problems(
    record: StrategyRecord | None,
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The recorded parameters a next offer runs on (`resolve_strategy` reads them back):
    a hand edit to `beta: .nan` or `deadline: 0` is named at its line, not as an option
    (`--beta`) no one gave, nor met as Python's OverflowError (`deadline: .inf`); a name
    that is no strategy or mode (`bolware`) is named too, not read as no strategy at all
    (the next offer then ran Boulware, whatever the round said)."""
    known = (*STRATEGY_NAMES, *OFFER_MODES)
    if record is not None and record.name not in known:
        yield (
            ("strategy", "name"),
            (
                f"unknown strategy {record.name!r}; expected one of: {', '.join(known)}"
                f"{did_you_mean(record.name, known)}"
            ),
        )
    params = record.params if record is not None else {}
    wanted = {
        "beta": ("a positive number (boulware 0.2, linear 1, conceder 5)", 0.0, False),
        "deadline": ("a whole number of US offers, at least 1", 1.0, True),
        "offers_made": ("a whole number of US offers, at least 0", 0.0, True),
    }
    for key, (what, least, whole) in wanted.items():
        if key not in params:
            continue
        value = params[key]
        number = float(value) if isinstance(value, int | float) else math.nan
        if not (
            math.isfinite(number)
            and (number >= least if whole else number > least)
            and (number.is_integer() or not whole)
        ):
            yield ("strategy", "params", key), f"expected {what}, got {as_written(value)}"


def _offer_only_problems(
    partner: str, data: RoundFile
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """`strategy:` and `retreat:` say how a US offer was chosen and what it took back: on a
    partner's counter, a conclusion or a walk-away (a US round's lines copied into another
    by hand) `history` printed them as that round's, "4 partner ... linear $5", a strategy
    and target of the partner's own (qa45-negotiate)."""
    if data.side == "us" and data.status == "open":
        return
    if data.status == "concluded":
        what = "a conclusion, which repeats the package agreed"
    elif data.status == "walked-away":
        what = "a walk-away"
    else:
        what = f"{partner}'s counter"
    for key, said in (
        ("strategy", "the strategy that chose it"),
        ("retreat", "what it takes back"),
    ):
        if getattr(data, key) is not None:
            yield (
                (key,),
                f"only a US offer records {said}, and this round is {what}: delete the "
                f"`{key}:` lines (copied from a US offer?)",
            )


def problem_issue(issue: Callable[[str], Issue], message: str | Chosen) -> Issue:
    """The issue `issue` makes of a message of `round_problems`; a `Chosen` one is said in
    each shell's words (`Issue.choosing`): the CLI's `dealbench conclude`, the web's form."""
    if isinstance(message, Chosen):
        return issue("").choosing(message)
    return issue(message)


def round_problems(
    portfolio: Portfolio, partner: str, data: RoundFile
) -> Iterator[tuple[tuple[str | int, ...], str | Chosen]]:
    """A round's own problems: a date far beyond the portfolio's horizon (`date_problem`:
    a new round so dated is refused, and one already in a folder, edited by hand, is too),
    its package's shape and partner, a package where one is due, the round a
    conclusion accepts, and the round any round after the first answers. A message naming
    what a shell does to mend it is a `Chosen` (`problem_issue` makes either an issue)."""
    far = date_problem(portfolio, data.date)
    if far is not None:
        yield ("date",), far
    yield from _strategy_problems(data.strategy)
    yield from _offer_only_problems(partner, data)
    if data.status == "concluded" and data.basis is None:
        yield (
            ("basis",),
            Chosen(  # what writes it, as each shell concludes (the web: its form)
                "conclude",
                "missing: a conclusion names the round whose package it accepts, as `basis: "
                "NNN-side.yaml` (",
                " writes it)",
            ),
        )
    elif data.round > 1 and data.basis is None:
        yield (
            ("basis",),
            "missing: every round after the first names the round it answers, as `basis: "
            "NNN-side.yaml` (dealbench writes it when it records a round)",
        )
    package = data.package
    if package is None:
        if data.status != "walked-away":
            yield ("package",), "missing: every round but a walk-away carries a package"
        return
    if package.partner != partner:
        yield (
            ("package", "partner"),
            f"is {package.partner}, but this is the negotiation with {partner}",
        )
        return
    found = portfolio.partner(partner)
    assert found is not None
    for loc, msg in package_rules.problems_in(package, found, portfolio):
        yield ("package", *loc), msg
