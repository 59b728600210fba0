"""Rounds of a negotiation: the files under deals/rounds/<portfolio>/<CODE>/, read and appended.

A negotiation with one partner is a folder of round files, `001-us.yaml`,
`002-partner.yaml`, ... (DESIGN.md, "Negotiation"). This module reads a
folder, checks it as a whole (numbering, sides, bases, packages, nothing after
a concluded or walked-away round) and appends a round. It never rewrites or
deletes a round file: a new round is written to a temporary file and linked to
its final name, which fails if the name exists, while a lock on the folder
keeps two commands from taking one number under different sides.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from dealbench.checker import DealFigures, check, evaluate
from dealbench.errors import ArgumentError, DealbenchError, InputError, Issue, stops_held
from dealbench.io import OutputError, folder_fault, write_failure
from dealbench.limit import Limit
from dealbench.model.rounds import (
    RoundFile,
    RoundStatus,
    Side,
    StrategyRecord,
    date_problem,
    round_problems,
)
from dealbench.model.schema import Package, Partner, Portfolio
from dealbench.model.yamlio import Source, display_path, folder_of, read_yaml, validate

Stage = Literal["not started", "offered", "countered", "concluded", "walked away"]
SIDES: tuple[Side, ...] = ("us", "partner")
FILE_NAME = re.compile(r"^(\d{3,})-(us|partner)\.ya?ml$")
LOCK = ".dealbench-lock"

__all__ = [
    "Negotiation",
    "Round",
    "RoundFile",
    "RoundStatus",
    "Side",
    "StrategyRecord",
    "append_round",
    "check_date",
    "concluded_with",
    "concluding",
    "date_problem",
    "load_negotiation",
    "load_negotiations",
    "recorded",
    "round_name",
    "round_problems",
    "round_text",
    "rounds_fingerprint",
    "rounds_root",
    "same_terms",
    "shared_violations",
]


@dataclass(frozen=True)
class Round:
    """A round file read from disk, with its package's figures as `check` computes them."""

    path: Path
    data: RoundFile
    figures: DealFigures | None

    @property
    def number(self) -> int:
        return self.data.round

    @property
    def side(self) -> Side:
        return self.data.side

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def package(self) -> Package | None:
        return self.data.package

    @property
    def status(self) -> RoundStatus:
        return self.data.status


@dataclass(frozen=True)
class Negotiation:
    """Every round with one partner, in order."""

    partner: str
    folder: Path
    rounds: list[Round] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return len(self.rounds) + 1

    @property
    def last(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def status(self) -> RoundStatus:
        return self.last.status if self.last else "open"

    @property
    def closed(self) -> bool:
        return self.status != "open"

    @property
    def stage(self) -> Stage:
        last = self.last
        if last is None:
            return "not started"
        if last.status == "concluded":
            return "concluded"
        if last.status == "walked-away":
            return "walked away"
        return "offered" if last.side == "us" else "countered"

    def last_of(self, side: Side) -> Round | None:
        """The latest open round of `side` that carries a package."""
        return next(
            (
                r
                for r in reversed(self.rounds)
                if r.side == side and r.package is not None and r.status == "open"
            ),
            None,
        )

    @property
    def last_offer(self) -> Round | None:
        return self.last_of("us")

    @property
    def last_counter(self) -> Round | None:
        return self.last_of("partner")

    def offers(self) -> list[Round]:
        return [r for r in self.rounds if r.side == "us" and r.status == "open" and r.package]

    def round(self, number: int, argument: str = "round_number") -> Round:
        """Round `number`; else an ArgumentError naming `argument`, the call's parameter
        that gave the number (the CLI's --round), with the rounds there are."""
        from dealbench.render.filters import plural

        for r in self.rounds:
            if r.number == number:
                return r
        there = f"1 to {len(self.rounds)}" if self.rounds else "none yet"
        raise ArgumentError(
            argument,
            f"round {number} does not exist; the negotiation in {display_path(self.folder)} "
            f"has {plural(len(self.rounds), 'round')} ({there})",
        )

    @property
    def concluded_package(self) -> Package | None:
        last = self.last
        return last.package if last is not None and last.status == "concluded" else None


def shared_violations(
    portfolio: Portfolio, negotiations: Mapping[str, Negotiation], package: Package
) -> list[Limit]:
    """Supply and risk budget that `package` breaks together with the deals concluded with
    the other partners (`history`, `offer` and `evaluate --rounds` count them, as the
    verdict does); its own limits are its figures'."""
    concluded = [
        n.concluded_package
        for code, n in negotiations.items()
        if code != package.partner and n.concluded_package is not None
    ]
    return concluded_with(portfolio, concluded, package)


def offers_beyond(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    left: Mapping[str, float],
    risk_left: float | None,
    exclude: str | None = None,
) -> str:
    """What the US offers awaiting an answer (the last round of a negotiation other than
    `exclude`'s) together take beyond the supply `left` in a period, or the `risk_left`,
    each offer's part named ("2027 32,000 H100e (KE 22,000 in round 4 and ...) of the
    30,000 left"); "" when they fit, or when the limit is already broken without them (a
    counter over it says so itself)."""
    from dealbench.units import and_list, h100e

    standing = [
        (code, r.number, r.figures)
        for code, n in negotiations.items()
        if code != exclude
        and n.stage == "offered"
        and (r := n.last_offer) is not None
        and r.figures is not None
    ]
    over = []
    for t in portfolio.periods:
        takes = [(c, k, f.compute.get(t, 0.0)) for c, k, f in standing if f.compute.get(t, 0.0)]
        taken = sum(x for _, _, x in takes)
        if takes and left[t] > -0.5 and taken > left[t] + 0.5:
            who = and_list([f"{c} {h100e(x)} in round {k}" for c, k, x in takes])
            over.append(f"{t} {h100e(taken)} H100e ({who}) of the {h100e(left[t])} left")
    risks = [(c, k, f.risk) for c, k, f in standing if f.risk > 0.5]
    risk = sum(x for _, _, x in risks)
    if risks and risk_left is not None and risk_left > -0.5 and risk > risk_left + 0.5:
        who = and_list([f"{c} {h100e(x)} in round {k}" for c, k, x in risks])
        over.append(
            f"{h100e(risk)} risk-weighted H100e ({who}) of the {h100e(risk_left)} of the risk "
            "budget left"
        )
    return and_list(over) if over else ""


def concluded_with(portfolio: Portfolio, concluded: list[Package], package: Package) -> list[Limit]:
    """Supply and risk budget that `package` breaks beside the `concluded` packages, each
    sentence saying the concluded deals' part of the total when they have one."""
    agreed = [p.partner for p in concluded]
    return check(portfolio, [*concluded, package], agreed=agreed).violations


def round_name(number: int, side: Side) -> str:
    return f"{number:03d}-{side}.yaml"


def rounds_root(portfolio_path: str | os.PathLike[str], portfolio: Portfolio) -> Path:
    """Where a portfolio's rounds live: deals/rounds/<portfolio id>/ beside deals/portfolios/."""
    folder = folder_of(portfolio_path)
    base = folder.parent if folder.name == "portfolios" else folder
    return base / "rounds" / portfolio.id


def rounds_fingerprint(portfolio: Portfolio, negotiations: Mapping[str, Negotiation]) -> str:
    """Digest of the portfolio's files and every round file read: what a re-plan depends on."""
    import hashlib

    text = portfolio.fingerprint() + "".join(
        r.path.read_text("utf-8") for n in negotiations.values() for r in n.rounds
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- reading ----------------------------------------------------------------------------------


def load_negotiations(portfolio: Portfolio, root: str | os.PathLike[str]) -> dict[str, Negotiation]:
    """Every partner's negotiation (empty when it has no folder), the whole tree checked."""
    root = Path(root)  # a str as well as a Path
    _check_root(root)
    issues: list[Issue] = []
    if root.is_dir():
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue
            if not entry.is_dir():
                if _looks_like_a_round(entry):  # a round put one folder up
                    issues.append(
                        Issue(
                            display_path(entry),
                            None,
                            "",
                            "not in a partner's folder: a round file goes in its partner's "
                            "folder, as CODE/NNN-us.yaml or CODE/NNN-partner.yaml",
                        )
                    )
                continue
            if portfolio.partner(entry.name) is None:
                codes = ", ".join(p.code for p in portfolio.partners)
                hint = ""
                if portfolio.partner(entry.name.upper()) is not None:
                    hint = (
                        f"; partner codes are upper case: rename the folder to {entry.name.upper()}"
                    )
                issues.append(
                    Issue(
                        display_path(entry),
                        None,
                        "",
                        f"{entry.name} is not a partner of portfolio {portfolio.id} "
                        f"(its partners: {codes}){hint}",
                    )
                )
    out: dict[str, Negotiation] = {}
    for partner in portfolio.partners:
        try:
            out[partner.code] = load_negotiation(portfolio, root, partner.code)
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    return out


def _check_root(root: Path) -> None:
    """A rounds folder that does not exist yet is empty; a file in its place is a mistake."""
    fault = folder_fault(root, "the portfolio's rounds folder")
    if fault is not None:
        raise InputError(Issue(display_path(root), None, "", fault))


def refuse_shipped(root: str | os.PathLike[str]) -> None:
    """A round is never recorded into the example data dealbench ships (`dealbench.shipped`:
    in the repository the tracked `deals/`, installed the package's own copy): the README's
    outputs, the tests and the demo read those rounds as they are, and a round appended
    there stays (rounds are never removed). An InputError naming the folder, before any
    work; the remedy is a copy, which `dealbench demo` writes."""
    from dealbench.shipped import DEALS

    try:
        inside = Path(os.path.realpath(root)).is_relative_to(os.path.realpath(DEALS))
    except (OSError, ValueError):
        inside = False
    if inside:
        raise InputError(
            Issue(
                display_path(Path(root)),
                None,
                "",
                "the example rounds dealbench ships, which its README, tests and demo read "
                "as they are; nothing recorded. Record in a copy: `dealbench demo` writes "
                "one to out/deals (cd out, then the same command), or record in a copy of this "
                "folder, named as the rounds folder (the commands' --rounds)",
            )
        )


def known_partner(portfolio: Portfolio, code: str, argument: str = "partner") -> Partner:
    """The portfolio's partner `code`; else an ArgumentError naming `argument`
    (`Portfolio.unknown_partner`)."""
    found = portfolio.partner(code)
    if found is None:
        raise ArgumentError(argument, portfolio.unknown_partner(code))
    return found


def load_negotiation(
    portfolio: Portfolio, root: str | os.PathLike[str], partner: str
) -> Negotiation:
    """One partner's rounds, checked as a whole; any problem names its file (InputError)."""
    root = Path(root)  # a str as well as a Path
    known_partner(portfolio, partner)
    _check_root(root)
    folder = root / partner
    fault = folder_fault(folder, f"the folder of {partner}'s rounds")
    if fault is not None:
        raise InputError(Issue(display_path(folder), None, "", fault))
    if not folder.is_dir():
        return Negotiation(partner, folder)
    named, issues = _round_files(folder)
    issues += _numbering_issues(named)
    if issues:
        raise InputError(issues)
    rounds: list[Round] = []
    for (number, side), path in sorted(named.items()):
        try:
            rounds.append(_read_round(portfolio, partner, path, number, side))
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    issues += _sequence_issues(rounds)
    if issues:
        raise InputError(issues)
    return Negotiation(partner, folder, rounds)


def _looks_like_a_round(path: Path) -> bool:
    """A YAML file that says which round and side it is (a package file kept beside the
    partners' folders, which says neither, is left alone)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:  # read as every data file is: a FIFO or a device is no round (nor waited on)
        data = read_yaml(path).data()
    except (InputError, OSError):
        return False
    return isinstance(data, dict) and ("round" in data or "side" in data)


def _round_files(folder: Path) -> tuple[dict[tuple[int, Side], Path], list[Issue]]:
    named: dict[tuple[int, Side], Path] = {}
    issues = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = FILE_NAME.match(path.name)
        if path.is_dir():
            if match is not None:  # would take the number of the next round, unseen
                issues.append(
                    Issue(
                        display_path(path),
                        None,
                        "",
                        "is a folder named like a round file; expected a file (move it away)",
                    )
                )
            continue
        if match is None:
            if path.suffix.lower() in (".yaml", ".yml"):
                issues.append(
                    Issue(
                        display_path(path),
                        None,
                        "",
                        "not a round file name: expected NNN-us.yaml or NNN-partner.yaml "
                        "(NNN = 001, 002, ...)",
                    )
                )
            continue
        side: Side = "us" if match.group(2) == "us" else "partner"
        named[(int(match.group(1)), side)] = path
    return named, issues


def _numbering_issues(named: dict[tuple[int, Side], Path]) -> list[Issue]:
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


def _hint(loc: tuple[str | int, ...]) -> str:
    """What to do about a problem of a round already in the folder, at `loc`."""
    if loc == ("date",):
        return _recorded("the year in this file")
    return _RECORDED_PACKAGE if loc[:1] == ("package",) else ""


def _read_round(portfolio: Portfolio, partner: str, path: Path, number: int, side: Side) -> Round:
    source = read_yaml(path)
    data: RoundFile = validate(source, RoundFile)
    issues = [
        source.issue(loc, msg + _hint(loc)) for loc, msg in round_problems(portfolio, partner, data)
    ]
    if data.round != number:
        issues.append(
            source.issue(("round",), f"is {data.round}, but the file name says round {number}")
        )
    if data.side != side:
        issues.append(source.issue(("side",), f"is {data.side}, but the file name says {side}"))
    if issues:
        raise InputError(issues)
    figures = evaluate(portfolio, data.package) if data.package is not None else None
    return Round(path, data, figures)


def _sequence_issues(rounds: list[Round]) -> list[Issue]:
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
        dated = _later_than(r.data.date, rounds[: r.number - 1])
        if dated is not None and r.data.date is not None:
            fix = f"the date in this file or in {dated.name}"
            issues.append(
                where.issue(("date",), _out_of_order(r.number, r.data.date, dated) + _recorded(fix))
            )
        if r.status != "open" and closed is None:
            closed = r
    return issues


def _out_of_order(number: int, date: dt.date, before: Round) -> str:
    """Round `number` dated `date` comes before `before` in time: both rounds and dates."""
    return (
        f"round {number} is dated {date}, before round {before.number} ({before.name}), "
        f"dated {before.data.date}; rounds are in time order"
    )


def check_date(portfolio: Portfolio, date: dt.date | None, argument: str = "date") -> None:
    """An ArgumentError naming `argument` when `date` cannot date a round (`date_problem`)."""
    problem = date_problem(portfolio, date)
    if problem is not None:
        raise ArgumentError(argument, problem)


#: The control characters a round's free text keeps: a line break and a tab.
KEPT_CONTROLS = "\n\t"
#: Control characters by the names a user knows them by (others: their code point alone).
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x0D: "carriage return",
    0x1B: "escape",
    0x7F: "delete",
}


def round_text(text: str | None, argument: str) -> str | None:
    """A round's free text (its note, its author) as it is recorded: text as typed, line
    breaks and tabs kept, a line break written CR LF recorded as LF (a web form sends every
    line break so). Any other control character (a NUL, an escape, a lone carriage return:
    a terminal's keys typed or pasted with the text, which no reader of the round means)
    is refused, an ArgumentError naming `argument`, before anything is written; the CLI
    and the web's round forms record through this one check."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    for at, char in enumerate(text, start=1):
        if unicodedata.category(char) == "Cc" and char not in KEPT_CONTROLS:
            code = f"U+{ord(char):04X}"
            name = _CONTROL_NAMES.get(ord(char))
            raise ArgumentError(
                argument,
                f"character {at} is the control character {f'{name} ({code})' if name else code}, "
                f"not text; a round's {argument} holds text, line breaks and tabs: remove that "
                "character and record it again",
            )
    return text


def _later_than(date: dt.date | None, rounds: list[Round]) -> Round | None:
    """The last dated round of `rounds` when it is dated after `date` (else None)."""
    last = next((r for r in reversed(rounds) if r.data.date is not None), None)
    if date is None or last is None or last.data.date is None or last.data.date <= date:
        return None
    return last


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


def same_terms(a: DealFigures, b: DealFigures) -> bool:
    """The same security level, compute, concessions and values (amounts may be spelt apart)."""
    periods = set(a.compute) | set(b.compute)
    return (
        a.security == b.security
        and all(abs(a.compute.get(t, 0.0) - b.compute.get(t, 0.0)) <= 1e-6 for t in periods)
        and {c for c, v in a.concessions.items() if v is not False}
        == {c for c, v in b.concessions.items() if v is not False}
        and abs(a.us_value - b.us_value) <= 1.0
        and abs(a.partner_utility - b.partner_utility) <= 1.0
    )


def _closed_words(r: Round) -> str:
    return "concluded" if r.status == "concluded" else "walked away from"


def _source_of(r: Round) -> Source:
    return read_yaml(r.path)


# --- writing ----------------------------------------------------------------------------------


def round_yaml(data: RoundFile, header: str = "") -> str:
    """The text of a round file: DESIGN.md's field order, plain YAML, a comment on top."""
    body: dict[str, Any] = {"round": data.round, "side": data.side}
    if data.date is not None:
        body["date"] = data.date
    if data.author:
        body["author"] = data.author
    if data.basis:
        body["basis"] = data.basis
    if data.package is not None:
        body["package"] = package_data(data.package)
    if data.note:
        body["note"] = data.note
    body["status"] = data.status
    if data.strategy is not None:
        body["strategy"] = data.strategy.model_dump(mode="json", exclude_none=True)
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    return "\n".join([*lines, text.rstrip("\n")]) + "\n"


def package_data(package: Package) -> dict[str, Any]:
    """A package as plain data for YAML: whole H100e as integers, DESIGN.md's field order;
    a period written in chips or in TPP stays so (it reads back as the same H100e)."""
    out: dict[str, Any] = {"partner": package.partner, "security": package.security}
    written = package.written()
    out["compute"] = {t: written.get(t, whole(x)) for t, x in package.compute.items()}
    out["concessions"] = dict(package.concessions)
    if package.title:
        out["title"] = package.title
    if package.sites:
        out["sites"] = dict(package.sites)
    return out


def package_yaml(package: Package, header: str = "") -> str:
    """A package file (deals/packages/*.yaml), as `load_package` reads it."""
    text = yaml.safe_dump(package_data(package), sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    return "\n".join([*lines, text.rstrip("\n")]) + "\n"


def whole(x: float) -> int | float:
    """`x` as a file writes it: a whole number as an integer (within 1e-6), else as it is."""
    return round(x) if abs(x - round(x)) < 1e-6 else x


def append_round(
    portfolio: Portfolio, negotiation: Negotiation, data: RoundFile, header: str = ""
) -> Round:
    """Write `data` as the next round of `negotiation`; never overwrites, never races.

    The folder is locked, re-read and re-checked; if another command recorded
    a round since `negotiation` was read, nothing is written (InputError).
    """
    name = round_name(data.round, data.side)
    target = negotiation.folder / name
    refuse_shipped(negotiation.folder.parent)
    problems = list(round_problems(portfolio, negotiation.partner, data))
    if problems:
        raise InputError(
            [
                Issue(display_path(target), None, ".".join(map(str, loc)), msg)
                for loc, msg in problems
            ]
        )
    refuse_after_close(negotiation)
    before = _later_than(data.date, negotiation.rounds)
    if before is not None and data.date is not None:
        # Only a counter's date can come from a file (its own `date:`); an offer's, a
        # conclusion's and a walk-away's is the command's.
        counter = data.side == "partner" and data.package is not None and data.status == "open"
        why = (
            " (a counter file's own `date:` is its round's date unless the round is given a "
            "date of its own)"
            if counter
            else ""
        )
        raise InputError(
            Issue(
                display_path(target),
                None,
                "date",
                f"{_out_of_order(data.round, data.date, before)}{why}; nothing written",
            )
        )
    text = round_yaml(data, header)
    linked = False
    try:
        try:
            negotiation.folder.mkdir(parents=True, exist_ok=True)
            with _locked(negotiation.folder):
                now = load_negotiation(portfolio, negotiation.folder.parent, negotiation.partner)
                if now.next_number != data.round:
                    raise InputError(
                        Issue(
                            display_path(target),
                            None,
                            "",
                            f"round {now.next_number - 1} was recorded by another command "
                            "meanwhile; nothing written (run the command again)",
                        )
                    )
                # Linked into place with its temporary file removed, or neither: a Ctrl-C
                # just after the link said nothing of the round (and could leave the
                # temporary file in the rounds folder).
                with stops_held():
                    _create(target, text.encode("utf-8"))
                    linked = True
        except OSError as exc:
            raise _unwritable(target, data.round, exc) from None
        return _read_round(portfolio, negotiation.partner, target, data.round, data.side)
    except (DealbenchError, KeyboardInterrupt) as exc:
        if linked:  # from the moment the file is in place, whatever stops the command says so
            _say_recorded(exc, data, target)
        raise


@contextmanager
def recorded(data: RoundFile, path: Path) -> Iterator[None]:
    """Round `data` is on disk at `path`: whatever stops the command from here on (Ctrl-C,
    an error) says so. The round stands (files are never removed), and a user told only
    "interrupted" would run the command again and record a second round."""
    try:
        yield
    except (DealbenchError, KeyboardInterrupt) as exc:
        _say_recorded(exc, data, path)
        raise


def _say_recorded(exc: DealbenchError | KeyboardInterrupt, data: RoundFile, path: Path) -> None:
    """Note on `exc` that round `data` is on disk at `path` (once)."""
    if not any("was recorded as round" in str(n) for n in getattr(exc, "__notes__", ())):
        stopped = "was interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        exc.add_note(
            f"note: {_what(data)} was recorded as round {data.round} "
            f"({display_path(path)}) before the command {stopped} (see `dealbench history`)"
        )


def _what(data: RoundFile) -> str:
    """What a round records, as a note names it."""
    if data.status == "concluded":
        return "the conclusion"
    if data.status == "walked-away":
        return "the walk-away"
    return "the offer" if data.side == "us" else "the counter"


def _unwritable(target: Path, number: int, exc: OSError) -> OutputError:
    """A round file that cannot be written (its folder read-only, the disk full): said in
    words, with the file's path (no traceback)."""
    return OutputError(
        f"cannot record round {number} as {display_path(target)}: {write_failure(exc)}; "
        "nothing written"
    )


def refuse_after_close(
    negotiation: Negotiation, refused: str = "no round may follow it (nothing written)"
) -> None:
    """A concluded or walked-away negotiation takes no further round, nor a verdict on a
    counter (`refused` says which): an InputError at the line of the round's status."""
    last = negotiation.last
    if last is not None and last.status != "open":
        raise InputError(
            _source_of(last).issue(
                ("status",),
                f"the negotiation with {negotiation.partner} was {_closed_words(last)} in this "
                f"round; {refused}",
            )
        )


@contextmanager
def concluding(root: Path) -> Iterator[None]:
    """One conclusion at a time in a portfolio's rounds folder, from reading the rounds to
    writing the conclusion. A deal is concluded only when it fits beside the deals
    concluded with the other partners (supply, risk budget), and each partner's folder is
    locked on its own: two `conclude`s for two partners both checked against the deals
    concluded before either, then both recorded deals that together broke the supply
    (qa32-neg). The rounds folder itself is locked (`flock` on the directory, so nothing is
    created in it); one that cannot be opened is read, and refused, by the caller."""
    import fcntl

    try:
        fd: int | None = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        fd = None
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    import fcntl

    with open(folder / LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _create(target: Path, data: bytes) -> None:
    """Create `target` with `data`, whole, failing if the name exists (os.link never replaces)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise InputError(
                Issue(
                    display_path(target),
                    None,
                    "",
                    "exists already: another command recorded this round; nothing written",
                )
            ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
