"""Load package files (an offer, a counter, a solution, or the package a negotiation's
round file records) and round files, checked against a portfolio when given; and an
issue at a package file's line."""

from __future__ import annotations

import copy
import os
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dealbench.errors import InputError, Issue
from dealbench.model import package_rules
from dealbench.model.arguments import a_portfolio
from dealbench.model.file_kind import detect_kind, refuse_other_kind
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import RoundFile, name_problems, problem_issue, round_problems
from dealbench.model.validation import validate
from dealbench.model.yamlio import Source, read_yaml


def load_package(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> Package:
    """A package (offer, counter or solution); checked against the portfolio when given.

    A negotiation round's file is read as the package it records, with its side, round
    and date (`deals/rounds/.../006-partner.yaml` is a counter, named as one)."""
    if portfolio is not None:  # a path there (the portfolio's file) read nothing of it
        a_portfolio(portfolio)
    source = read_yaml(Path(path))
    try:
        package, at = _package_or_round(source)
    except InputError as exc:  # with what the portfolio says of the fields that did read
        if portfolio is None:
            raise
        issues = [*exc.issues, *_beside_shape_errors(source, portfolio)]
        # in the file's order, as each file's own issues are (`validation.issues`)
        raise InputError(sorted(issues, key=lambda i: (i.line or 0, i.field))) from None
    if portfolio is not None:
        partner = portfolio.partner(package.partner)
        if partner is None:
            raise InputError(
                source.issue((*at, "partner"), portfolio.unknown_partner(package.partner))
            )
        problems = package_rules.problems_in(package, partner, portfolio)
        issues = [source.issue((*at, *loc), msg) for loc, msg in problems]
        if issues:
            raise InputError(issues)
    return package


def _beside_shape_errors(source: Source, portfolio: Portfolio) -> list[Issue]:
    """The portfolio's issues with the fields of a package file that read, beside the
    errors of those that do not (an unknown security level was said only once a bad
    compute amount had been fixed): each field at fault is left out, the rest read as a
    package and checked as `load_package` checks one. Every check is of one field alone
    (`package_rules.package_problems`), so leaving one out cannot make another wrong. None
    for a round file, or when the rest does not read (a required field missing)."""
    data = source.data()
    try:
        kind = detect_kind(source)
    except InputError:
        kind = "package"
    if not isinstance(data, dict) or kind != "package":
        return []
    try:
        Package.model_validate(data)
        return []
    except ValidationError as exc:
        locs = [tuple(e["loc"]) for e in exc.errors(include_url=False)]
    rest = copy.deepcopy(data)
    for loc in locs:
        if not _drop(rest, loc):
            return []
    try:
        package = Package.model_validate(rest)
    except ValidationError:
        return []
    partner = portfolio.partner(package.partner)
    if partner is None:
        return [source.issue(("partner",), portfolio.unknown_partner(package.partner))]
    problems = package_rules.problems_in(package, partner, portfolio)
    return [source.issue(loc, msg) for loc, msg in problems]


def _drop(tree: dict[Any, Any], loc: tuple[Any, ...]) -> bool:
    """Leave out of `tree` the field at `loc` (where pydantic's loc goes on past the file's
    keys, into a validator's name, the last key it names); False for a top-level field
    the file lacks (a required one missing: nothing is left to read)."""
    node: Any = tree
    parent: tuple[dict[Any, Any], Any] | None = None
    for key in loc:
        found = (
            next((k for k in node if k == key or str(k) == str(key)), None)
            if isinstance(node, dict)
            else None
        )
        if found is None:
            break
        parent, node = (node, found), node[found]
    if parent is None:
        return False
    del parent[0][parent[1]]
    return True


def package_issue(path: str | os.PathLike[str], field: str, message: str) -> Issue:
    """An issue with a package file's top-level `field` (a round file's package's, else the
    round's own), at its line: for a refusal of a package that loaded, such as a counter
    for another partner."""
    source = read_yaml(Path(path))
    try:
        _, at = _package_or_round(source)
    except InputError:
        at = ()
    for loc in ((*at, field), (field,)):
        if source.has(loc):
            return source.issue(loc, message)
    return source.issue((), f"{field}: {message}")


def partner_said(path: str | os.PathLike[str]) -> str | None:
    """The partner a package file names (`partner:`, a round file's package's), as written,
    before its terms are read; None where the file names none that reads (an unreadable
    file is said by `load_package`). A file given for one partner is checked against
    another's menu once loaded: the partner first (`negotiate.record`)."""
    try:
        source = read_yaml(Path(path))
        data = source.data()
        if isinstance(data, dict) and detect_kind(source) == "round":
            data = data.get("package")
    except InputError:
        return None
    said = data.get("partner") if isinstance(data, dict) else None
    return said if isinstance(said, str) else None


def load_counter(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> Package:
    """A partner's counter read from a package file (`load_package`). A round file given as
    a counter gives its package, not its date: that is when that round was said, not this
    one (`dealbench counter`'s rule, and the web's counter form's)."""
    package = load_package(path, portfolio)
    if is_round_file(path):
        return package.model_copy(update={"date": None})
    return package


def is_round_file(path: str | os.PathLike[str]) -> bool:
    """Whether the package file at `path` is a negotiation round's file (read as the
    package it records, `load_package`): a counter taken from it keeps its terms, not the
    date that round was said on."""
    try:
        return detect_kind(read_yaml(Path(path))) == "round"
    except InputError:
        return False


def _package_or_round(source: Source) -> tuple[Package, tuple[str, ...]]:
    """The package a file holds, and where in the file it sits."""
    try:
        kind = detect_kind(source)
    except InputError:
        kind = "package"
    if kind != "round":
        refuse_other_kind(source, "package")
        return validate(source, Package), ()
    data: RoundFile = validate(source, RoundFile)
    if data.package is None:
        raise InputError(
            source.issue(
                (), f"round {data.round} records no package ({data.status}); expected a package"
            )
        )
    # The round that concludes a deal holds the terms agreed, whichever side recorded it
    # (the one that accepts): `redline` and `render` of `007-us.yaml` read "US offer" and
    # "Draft for discussion. Proposal of the United States" where `conclude`'s own term
    # sheets say "Terms agreed by the Participants".
    side = "agreed" if data.status == "concluded" else data.side
    update = {"side": side, "round": data.round, "date": data.date}
    return data.package.model_copy(update=update), ("package",)


def load_round_file(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> RoundFile:
    """One round file on its own (its folder is checked by `dealbench.negotiate`)."""
    source = read_yaml(Path(path))
    data: RoundFile = validate(source, RoundFile)
    if portfolio is not None and data.package is not None:
        if portfolio.partner(data.package.partner) is None:
            raise InputError(
                source.issue(
                    ("package", "partner"), portfolio.unknown_partner(data.package.partner)
                )
            )
        named, wrong = name_problems(Path(path).name, data)
        problems = [*wrong, *round_problems(portfolio, data.package.partner, named)]
        issues = [
            problem_issue(
                partial(source.issue, loc),
                source.typed(loc, msg) if isinstance(msg, str) else msg,
            )
            for loc, msg in problems
        ]
        if issues:
            raise InputError(issues)
    return data
