"""Reading a rounds folder: every partner's negotiation (`load_negotiations`) or one
(`load_negotiation`), each round file read and checked, any problem naming its file.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

from dealbench.checker import evaluate
from dealbench.errors import InputError, Issue
from dealbench.folders import folder_fault, listing
from dealbench.model.arguments import a_portfolio, partner_code
from dealbench.model.file_kind import refuse_other_kind
from dealbench.model.load_package import is_round_file
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import (
    ROUND_FILE_NAME,
    RoundFile,
    Side,
    name_problems,
    problem_issue,
    round_problems,
)
from dealbench.model.seal import SEAL_PREFIX
from dealbench.model.validation import validate
from dealbench.model.yamlio import display_path, near_path, read_regular_file, read_yaml
from dealbench.negotiate.rounds.check import numbering_issues, recorded_hint, sequence_issues
from dealbench.negotiate.rounds.negotiation import Negotiation, Round, rounds_root

__all__ = [
    "closed_own",
    "concluded_beside",
    "load_negotiation",
    "load_negotiations",
    "out_of_place",
    "read_round",
    "recorded_for_another",
]


#: Fields a round has and a package has not: a file with one is a round, however else it is
#: wrong (a package's fields written beside them are said to belong under `package`).
_ROUND_ONLY = frozenset(RoundFile.model_fields) - frozenset(Package.model_fields)

FILE_NAME = ROUND_FILE_NAME

#: The comment a round recorded by dealbench begins with (`record._header`): the id of the
#: portfolio it was recorded for.
RECORDED_FOR = re.compile(r"^# Recorded by .* for portfolio (\S+)\.$", re.MULTILINE)


def load_negotiations(portfolio: Portfolio, root: str | os.PathLike[str]) -> dict[str, Negotiation]:
    """Every partner's negotiation (empty when it has no folder), the whole tree checked."""
    portfolio = a_portfolio(portfolio)
    root = Path(root)  # a str as well as a Path
    _check_root(root)
    issues: list[Issue] = []
    if root.is_dir():
        for entry in listing(root, display_path(root)):
            if entry.name.startswith("."):
                continue
            if not entry.is_dir():
                if (placed := out_of_place(entry)) is not None:  # a round put one folder up
                    issues.append(placed)
                continue
            if portfolio.partner(entry.name) is None:
                codes = ", ".join(p.code for p in portfolio.partners)
                if portfolio.partner(entry.name.upper()) is not None:
                    hint = (
                        f"; partner codes are upper case: rename the folder to {entry.name.upper()}"
                    )
                else:  # a partner taken out of the portfolio, its talks left: every command
                    # on the portfolio was refused, saying nothing of what to do
                    hint = (
                        f"; each folder here is a negotiation with a partner of the portfolio: "
                        f"add {entry.name} to its `partners`, or move the folder out of "
                        f"{display_path(root)}"
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


def concluded_beside(portfolio: Portfolio, path: str | os.PathLike[str]) -> list[Round]:
    """The rounds concluding the deals with the other partners in the rounds folder of the
    round file at `path` (`<rounds>/<CODE>/NNN-side.yaml`), the whole folder checked as
    `load_negotiations` checks it: what the talks have agreed, whose supply and risk budget
    a change to that round's package cannot take (`improve` holds them, as `counter`,
    `evaluate --against` and `room` count them). None for a package file that is not a
    round in a partner's folder."""
    path = Path(path)
    partner = path.parent.name
    if not FILE_NAME.match(path.name) or portfolio.partner(partner) is None:
        return []
    if not is_round_file(path):
        return []
    negotiations = load_negotiations(portfolio, path.parent.parent)
    return [
        last
        for code, n in negotiations.items()
        if code != partner and n.concluded_package is not None and (last := n.last) is not None
    ]


def closed_own(portfolio: Portfolio, path: str | os.PathLike[str]) -> Negotiation | None:
    """The negotiation of the round file at `path` (`<rounds>/<CODE>/NNN-side.yaml`) when
    its talks have ended (concluded or walked away), for `improve` to say that a change
    would reopen them (it listed changes to SA's agreed package as if the talks were open:
    qa41b-negotiate's Left). None while they are open, or for a package file that is not a
    round in a partner's folder."""
    path = Path(path)
    partner = path.parent.name
    if not FILE_NAME.match(path.name) or portfolio.partner(partner) is None:
        return None
    if not is_round_file(path):
        return None
    negotiation = load_negotiation(portfolio, path.parent.parent, partner)
    return negotiation if negotiation.closed else None


def _check_root(root: Path) -> None:
    """A rounds folder that does not exist yet is empty; a file in its place is a mistake."""
    fault = folder_fault(root, "the portfolio's rounds folder")
    if fault is not None:
        raise InputError(Issue(display_path(root), None, "", fault))


def existing_root(root: str | os.PathLike[str], portfolio: Portfolio) -> Path:
    """A re-plan's rounds folder (`frontier_from_rounds`; the CLI's `--rounds` checks it before
    loading anything), which must exist: a mistyped one read as no rounds at all, the plain
    portfolio drawn under the re-plan's name. The portfolio's own (`rounds_root`), which the
    first round recorded makes, holds no rounds yet (the web's negotiation page of a
    partner not yet offered anything links its re-plan)."""
    root = Path(root)
    _check_root(root)
    own = (
        portfolio.file is not None
        and root.resolve() == rounds_root(portfolio.file, portfolio).resolve()
    )
    if not root.is_dir() and not own:
        expected = "the portfolio's rounds folder, e.g. deals/rounds/<id>"
        near = near_path(root, display_path(root))
        meant = f"; did you mean {near}?" if near else ""
        raise InputError(
            Issue(display_path(root), None, "", f"does not exist; expected {expected}{meant}")
        )
    return root


def known_partner(portfolio: Portfolio, code: str, argument: str = "partner") -> Partner:
    """The portfolio's partner `code`; else an ArgumentError naming `argument`
    (`Portfolio.unknown_partner`). A portfolio that is not one is said first."""
    code = partner_code(portfolio, code, argument)
    found = portfolio.partner(code)
    assert found is not None  # `partner_code` said so otherwise
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
    issues += numbering_issues(named)
    if issues:
        raise InputError(issues)
    rounds: list[Round] = []
    for _, path in sorted(named.items()):
        try:
            rounds.append(read_round(portfolio, partner, path))
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    issues += sequence_issues(rounds)
    if issues:
        raise InputError(issues)
    return Negotiation(partner, folder, rounds)


def out_of_place(path: Path) -> Issue | None:
    """The placement rule of a file kept in a portfolio's rounds folder beside the partners'
    folders (`rounds/<portfolio id>/NNN-us.yaml`): a round there (`_looks_like_a_round`) is
    not in a partner's folder, and `room`, `history` and `validate` all refuse it in these
    words; any other file is left alone (None)."""
    if not _looks_like_a_round(path):
        return None
    return Issue(
        display_path(path),
        None,
        "",
        "not in a partner's folder: a round file goes in its partner's "
        "folder, as CODE/NNN-us.yaml or CODE/NNN-partner.yaml",
    )


def recorded_for_another(
    portfolio: Portfolio, root: str | os.PathLike[str]
) -> tuple[Path, str] | None:
    """The first round file under `root` that dealbench recorded for another portfolio than
    `portfolio` (its first comment names it), with that portfolio's id; else None. The
    format names a negotiation's portfolio only by the folder its rounds are kept in
    (`rounds/<portfolio id>/`), which --rounds chooses: another portfolio's rounds were read
    as this one's, its regime and supply weighing them, with nothing said (qa49-room)."""
    for path in sorted(Path(root).glob("*/[0-9][0-9][0-9]-*.yaml")):
        try:
            text = read_regular_file(path, display_path(path)).decode("utf-8", "replace")
        except (InputError, OSError):
            continue  # said as the rounds are read
        found = RECORDED_FOR.search(text)
        if found is not None and found.group(1) != portfolio.id:
            return path, found.group(1)
    return None


def _looks_like_a_round(path: Path) -> bool:
    """A file named as a round (`005-us.yaml`), sealed as a recorded one (`model.seal`), or
    a YAML file that says which round and side it is; whole or damaged, it is a round out
    of place. A package file kept beside the partners' folders, which is none of these, is
    left alone."""
    if FILE_NAME.match(path.name):
        return True
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:  # read as every data file is: a FIFO or a device is no round (nor waited on)
        raw = read_regular_file(path, display_path(path))
    except (InputError, OSError):
        return False
    if raw.removeprefix(b"\xef\xbb\xbf").startswith(SEAL_PREFIX.encode("ascii")):
        return True  # only a recorded round is sealed, whatever became of its lines since
    try:
        data = read_yaml(path).data()
    except (InputError, OSError):
        return False
    return isinstance(data, dict) and ("round" in data or "side" in data)


def _round_files(folder: Path) -> tuple[dict[tuple[int, Side], Path], list[Issue]]:
    named: dict[tuple[int, Side], Path] = {}
    issues = []
    for path in listing(folder, display_path(folder)):
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


def read_round(portfolio: Portfolio, partner: str, path: Path) -> Round:
    """One round file of the negotiation with `partner`, its `round` and `side` those of its
    name (`NNN-side.yaml`)."""
    source = read_yaml(path)
    if isinstance(source.tree, dict) and not _ROUND_ONLY & set(map(str, source.tree)):
        refuse_other_kind(source, "round")  # a partner's or a package's file copied in
    data: RoundFile = validate(source, RoundFile)
    named, wrong = name_problems(path.name, data)
    issues = [source.issue(loc, msg) for loc, msg in wrong]
    issues += [
        problem_issue(
            partial(source.issue, loc),
            source.typed(loc, msg) + recorded_hint(loc) if isinstance(msg, str) else msg,
        )
        for loc, msg in round_problems(portfolio, partner, named)
    ]
    if issues:
        raise InputError(issues)
    figures = evaluate(portfolio, data.package) if data.package is not None else None
    return Round(path, data, figures)
