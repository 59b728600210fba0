"""The rules a rounds folder keeps as a whole (numbering, bases, dates in time order, nothing
after a concluded or walked-away round, a conclusion repeating its package), and the checks
of what a new round records (its date, its free text) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from dealbench.arguments import a_date
from dealbench.errors import ArgumentError, Chosen, InputError, Issue
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import Side, date_problem
from dealbench.model.yamlio import Source, display_path, read_yaml
from dealbench.negotiate.rounds.negotiation import Negotiation, Round, same_terms

__all__ = [
    "COUNTER_DATED",
    "check_date",
    "later_than",
    "numbering_issues",
    "order_problem",
    "out_of_order",
    "recorded_hint",
    "refuse_after_close",
    "round_text",
    "sequence_issues",
]


def numbering_issues(named: dict[tuple[int, Side], Path]) -> list[Issue]:
    issues = []
    numbers: dict[int, list[Path]] = {}
    for (number, _side), path in sorted(named.items()):
        numbers.setdefault(number, []).append(path)
    for number, paths in sorted(numbers.items()):
        if len(paths) > 1:
            issues.append(
                Issue(
                    display_path(paths[-1]),
                    None,
                    "",
                    f"two files with round number {number}: {paths[0].name} and {paths[-1].name} "
                    "(each round has one file)",
                )
            )
    expected = 1
    for number, paths in sorted(numbers.items()):
        if number < 1:  # 000-us.yaml: no round is missing before it (it read "rounds 1--1")
            issues.append(
                Issue(
                    display_path(paths[0]),
                    None,
                    "",
                    f"round number {number}: rounds are numbered from 001 (001, 002, ...); "
                    "rename the file with the number of the round it is",
                )
            )
            continue
        if number != expected:
            missing = (
                f"round {expected} is missing"
                if number == expected + 1
                else f"rounds {expected}-{number - 1} are missing"
            )
            issues.append(
                Issue(
                    display_path(paths[0]),
                    None,
                    "",
                    f"a gap in the numbering: {missing} before this file "
                    "(rounds are numbered 001, 002, ... without gaps)",
                )
            )
        expected = number + 1
    return issues


def _recorded(fix: str) -> str:
    """What to do about a date already in a rounds folder that today's rules refuse:
    dealbench of 2026-12-02 or before recorded dates as typed (far beyond the horizon,
    46fb71d; out of time order, 77bb602), so the file may be its own, and no command
    rewrites a round: the date is corrected by hand."""
    return (
        f"; dealbench of 2026-12-02 or before recorded such dates as typed: correct {fix} "
        "by hand (no command rewrites a recorded round), then run the command again"
    )


#: What to do about a recorded package that today's rules refuse: an earlier dealbench took
#: packages refused since (an amount at the start of a range, 89cedaf, 2026-12-03), or the
#: partner's file changed since the round was recorded; no command rewrites a round.
_RECORDED_PACKAGE = (
    "; if an earlier dealbench recorded this round (it took such packages) or the partner's "
    "file changed since, correct the round by hand (no command rewrites a recorded round), "
    "then run the command again"
)


def recorded_hint(loc: tuple[str | int, ...]) -> str:
    """What to do about a problem of a round already in the folder, at `loc`: a term of its
    package (`package`'s own line says a package missing or one on a walk-away, which no
    dealbench ever recorded, so that hint would be untrue there)."""
    if loc == ("date",):
        return _recorded("the year in this file")
    return _RECORDED_PACKAGE if loc[:1] == ("package",) and len(loc) > 1 else ""


def sequence_issues(rounds: list[Round]) -> list[Issue]:
    """Bases name earlier rounds; nothing follows a concluded or walked-away round."""
    issues = []
    names = {r.name: r.number for r in rounds}
    closed: Round | None = None
    for r in rounds:
        where = _source_of(r)
        if closed is not None:
            issues.append(
                where.issue(
                    ("round",),
                    f"the negotiation was {_closed_words(closed)} in {closed.name}; "
                    "no round may follow it",
                )
            )
        basis = r.data.basis
        if basis is not None:
            if not basis.strip():
                issues.append(
                    where.issue(
                        ("basis",),
                        "is empty: name the round this one answers, as `basis: NNN-side.yaml` "
                        f"(rounds: {', '.join(names)})",
                    )
                )
            elif basis not in names:
                issues.append(
                    where.issue(
                        ("basis",),
                        f"{basis} does not exist in this negotiation "
                        f"(rounds: {', '.join(names) or 'none'})",
                    )
                )
            elif names[basis] >= r.number:
                issues.append(where.issue(("basis",), f"{basis} is not an earlier round"))
            elif r.status == "concluded":
                issues += _conclusion_issues(r, rounds[names[basis] - 1], where)
        dated = later_than(r.data.date, rounds[: r.number - 1])
        if dated is not None and r.data.date is not None:
            fix = f"the date in this file or in {dated.name}"
            issues.append(
                where.issue(("date",), out_of_order(r.number, r.data.date, dated) + _recorded(fix))
            )
        if r.status != "open" and closed is None:
            closed = r
    return issues


#: Why a counter's round is dated as it is, said of a counter's date out of time order.
COUNTER_DATED = (
    " (a counter file's own `date:` is its round's date unless the round is given a date of "
    "its own)"
)


def out_of_order(number: int, date: dt.date, before: Round) -> str:
    """Round `number` dated `date` comes before `before` in time: both rounds and dates."""
    return (
        f"round {number} is dated {date}, before round {before.number} ({before.name}), "
        f"dated {before.data.date}; rounds are in time order"
    )


def check_date(portfolio: Portfolio, date: dt.date | None, argument: str = "date") -> None:
    """An ArgumentError naming `argument` when `date` cannot date a round (`date_problem`),
    or is not a date at all."""
    problem = date_problem(portfolio, a_date(date, argument))
    if problem is not None:
        raise ArgumentError(argument, problem)


#: The control characters a round's free text keeps: a line break and a tab.
KEPT_CONTROLS = "\n\t"


#: Control characters by the names a user knows them by (others: their code point alone).
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "backspace",
    0x09: "tab",
    0x0A: "line break",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x0D: "carriage return",
    0x1B: "escape",
    0x7F: "delete",
}


def round_text(text: str | None, argument: str, *, one_line: bool = False) -> str | None:
    """A round's free text (its note, its author) as it is recorded: text as typed, line
    breaks and tabs kept, a line break written CR LF recorded as LF (a web form sends every
    line break so). Any other control character (a NUL, an escape, a lone carriage return:
    a terminal's keys typed or pasted with the text, which no reader of the round means)
    is refused, an ArgumentError naming `argument`, before anything is written; the CLI
    and the web's round forms record through this one check. `one_line` (an author, one
    line of text as a round file holds it: `model.fields.LineText`): line breaks, tabs and
    the Unicode line and paragraph separators are refused too."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    kept = "" if one_line else KEPT_CONTROLS
    holds = "is one line of text" if one_line else "holds text, line breaks and tabs"
    for at, char in enumerate(text, start=1):
        code = f"U+{ord(char):04X}"
        if unicodedata.category(char) == "Cc" and char not in kept:
            name = _CONTROL_NAMES.get(ord(char))
            mend = "replace it with a space" if char in KEPT_CONTROLS else "remove that character"
            raise ArgumentError(
                argument,
                f"character {at} is the control character {f'{name} ({code})' if name else code}, "
                f"not text; a round's {argument} {holds}: {mend} and record it again",
            )
        if one_line and char in "\u2028\u2029":
            raise ArgumentError(
                argument,
                f"character {at} is a {unicodedata.name(char).lower()} ({code}), a line break; "
                f"a round's {argument} {holds}: replace it with a space and record it again",
            )
    return text


def later_than(date: dt.date | None, rounds: list[Round]) -> Round | None:
    """The last dated round of `rounds` when it is dated after `date` (else None)."""
    last = next((r for r in reversed(rounds) if r.data.date is not None), None)
    if date is None or last is None or last.data.date is None or last.data.date <= date:
        return None
    return last


def order_problem(number: int, date: dt.date | None, rounds: list[Round]) -> str | None:
    """Why round `number` cannot be dated `date` after `rounds` (`out_of_order`), or None
    when it can: the one rule every command recording a round checks."""
    before = later_than(date, rounds)
    if before is None or date is None:
        return None
    return out_of_order(number, date, before)


def _conclusion_issues(r: Round, basis: Round, where: Source) -> list[Issue]:
    """A conclusion is recorded by the other side than the round it accepts, and repeats its
    package (`conclude` records nothing else; a file edited by hand could, and the edited
    deal would be fixed in every re-plan).
    Its limits are not re-checked here: a policy or portfolio edited since may have moved
    them, and the deal was checked when it was concluded."""
    if basis.side == r.side:
        return [
            where.issue(
                ("side",),
                f"is {r.side}, the side of {basis.name}, the round it concludes on: a "
                "conclusion is recorded by the side that accepts, the other side",
            )
        ]
    a, b = r.figures, basis.figures
    if a is None or b is None or same_terms(a, b):
        return []
    return [
        where.issue(
            ("package",),
            f"differs from the package of {basis.name}, the round it concludes on "
            "(a conclusion repeats the package agreed)",
        )
    ]


def _closed_words(r: Round) -> str:
    return "concluded" if r.status == "concluded" else "walked away from"


def _source_of(r: Round) -> Source:
    return read_yaml(r.path)


def refuse_after_close(
    negotiation: Negotiation,
    refused: str = "no round may follow it (nothing written)",
    *,
    again: bool = True,
) -> None:
    """A concluded or walked-away negotiation takes no further round, nor a verdict on a
    counter (`refused` says which): an InputError at the line of the round's status. With
    `again` (a round being recorded), it says how to negotiate with the partner again: a
    negotiator told only "no round may follow it" after walking away from KZ had no way on
    (qa34-newuser)."""
    last = negotiation.last
    if last is not None and last.status != "open":
        code = negotiation.partner
        said = f"{negotiation.how_ended} in this round; {refused}"
        issue = _source_of(last).issue(("status",), said)
        if again:  # the copy is chosen as each shell chooses the rounds folder
            how = Chosen(
                "rounds",
                f"{said}. Rounds are never taken back: to negotiate with {code} again, record "
                f"the new talks in a copy of this rounds folder without its {code} folder (",
                "); this folder keeps the record of how they ended",
            )
            issue = issue.choosing(how)
        raise InputError(issue)
