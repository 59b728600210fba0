"""Load policy, partner and portfolio files into validated models, and a file of any kind
(`load_file`; package and round files in `load_package`).

Every problem found is reported as `file:line: field: message`; loading goes
on past the first problem so one run shows them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from dealbench.errors import InputError, Issue
from dealbench.list_words import and_list, or_list
from dealbench.model import portfolio_rules, rules
from dealbench.model.arguments import a_portfolio
from dealbench.model.file_kind import Kind, detect_kind, not_a_result, refuse_other_kind
from dealbench.model.load_package import load_package, load_round_file
from dealbench.model.partner import Partner
from dealbench.model.periods import PeriodMismatch, caps_per_period, not_a_period
from dealbench.model.periods import length as period_length
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio, PortfolioFile, ScenarioFile
from dealbench.model.validation import validate
from dealbench.model.yamlio import (
    NOT_FOUND,
    Source,
    folder_of,
    in_deals,
    near_path,
    read_yaml,
)

M = TypeVar("M", bound=BaseModel)


def _load(
    path: Path,
    model: type[M],
    check: Callable[[M], Iterator[rules.Problem]] | None = None,
    source: Source | None = None,
) -> tuple[M, Source]:
    """`path` (or its `source`, when already read) as a `model`, with its rules checked:
    those the model checks itself (a Partner's), and `check`'s."""
    try:
        source = read_yaml(path) if source is None else source
    except InputError as exc:
        folder = _FOLDER_OF.get(_KIND_OF.get(model.__name__, ""))
        raise (exc if folder is None else _in_its_folder(exc, [folder])) from None
    if model.__name__ in _KIND_OF:
        refuse_other_kind(source, _KIND_OF[model.__name__])
    value: M = validate(source, model)
    if isinstance(value, Policy):
        value._file = source.display  # its notes at its lines, under whatever portfolio
    problems = check(value) if check else ()
    issues = [source.issue(loc, source.typed(loc, msg)) for loc, msg in problems]
    if issues:
        raise InputError(issues)
    return value, source


_KIND_OF: dict[str, Kind] = {
    "Policy": "policy",
    "Partner": "partner",
    "PortfolioFile": "portfolio",
    "Package": "package",
}


#: The folder of deals/ each kind of file is kept in, where a bare name is looked for.
_FOLDER_OF = {"policy": "policy", "partner": "partners", "portfolio": "portfolios"}

#: Where a bare name of a file of any kind (`validate ae`) is looked for, in this order.
_ANY_FOLDER = ["portfolios", "partners", "policy", "packages", "scenarios"]


def _in_its_folder(exc: InputError, folders: list[str]) -> InputError:
    """`exc`, a file named by a bare name and not found with nothing near it (`solve
    gulf-asia`), saying the file of that name in the first of `folders` of deals/ that
    holds one (the folder its kind is kept in; any, for a file of any kind: `validate ae`):
    "file not found; did you mean deals/portfolios/gulf-asia.yaml?"."""
    issues = []
    for issue in exc.issues:
        meant = None
        if issue.message == NOT_FOUND:
            meant = next(filter(None, (in_deals(issue.file, f) for f in folders)), None)
        message = f"{NOT_FOUND}; did you mean {meant}?"
        issues.append(issue if meant is None else replace(issue, message=message))
    return InputError(issues, argument=exc.argument)


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """A regime file (deals/policy/*.yaml)."""
    return _load(Path(path), Policy, rules.policy_problems)[0]


def load_partner(path: str | os.PathLike[str]) -> Partner:
    """A partner file (deals/partners/*.yaml), checked on its own."""
    return _load(Path(path), Partner)[0]


def load_portfolio(path: str | os.PathLike[str]) -> Portfolio:
    """A portfolio with its policy and partners, cross-checked against each other."""
    path = Path(path)
    spec, source = _load(path, PortfolioFile, _portfolio_file_problems)
    issues: list[Issue] = []
    inputs = {source.display: source.digest}

    policy = None
    try:
        policy, policy_source = _load(_relative(path, spec.policy), Policy, rules.policy_problems)
        inputs[policy_source.display] = policy_source.digest
        policy = caps_per_period(policy, list(spec.periods))
    except InputError as exc:
        issues += _from_reference(exc, source, ("policy",), spec.policy)
    except PeriodMismatch as exc:
        issues.append(_mismatch(exc, source, policy_source, spec.periods))
        policy = None

    partners: list[Partner] = []
    partner_files: dict[str, str] = {}
    all_loaded = True  # a partner file that failed leaves its code unknown
    for i, ref in enumerate(spec.partners):
        try:
            partner, psource = _load(_relative(path, ref), Partner)
        except InputError as exc:
            issues += _from_reference(exc, source, ("partners", i), ref)
            all_loaded = False
            continue
        inputs[psource.display] = psource.digest
        cross = list(portfolio_rules.partner_in_periods_problems(partner, spec.periods))
        if policy is not None:
            cross += portfolio_rules.partner_in_policy_problems(partner, policy)
        issues += [psource.issue(loc, msg) for loc, msg in cross]
        if partner.code in partner_files:
            first = partner_files[partner.code]
            # Two files of one code: each file named, else "listed twice" of a file listed
            # once sent the user looking for a line that is not there.
            message = (
                f"partner {partner.code} is listed twice (also {first})"
                if first == psource.display
                else f"partner {partner.code} is listed twice: {psource.display} and "
                f"{first} both give code {partner.code}"
            )
            issues.append(source.issue(("partners", i), message))
        partners.append(portfolio_rules.in_horizon(partner, list(spec.periods)))
        partner_files.setdefault(partner.code, psource.display)

    if policy is not None:
        problems = portfolio_rules.partner_cap_problems(
            spec.caps, partners, policy, all_loaded=all_loaded
        )
        issues += [source.issue(loc, msg) for loc, msg in problems]
    if issues or policy is None:
        raise InputError(issues)  # a policy that failed to load has left its issues
    return Portfolio(
        id=spec.id,
        title=spec.title,
        policy=policy,
        periods=list(spec.periods),
        supply={t: spec.supply[t] for t in spec.periods},
        partners=partners,
        risk_budget=spec.risk_budget if spec.risk_budget is not None else policy.risk_budget,
        own_risk_budget=spec.risk_budget,
        caps={code: dict(levels) for code, levels in spec.caps.items()},
        own_granularity=spec.granularity,
        inputs=inputs,
        partner_files=partner_files,
        policy_file=policy_source.display,
        file=source.display,
    )


def _mismatch(exc: PeriodMismatch, source: Source, policy: Source, periods: list[str]) -> Issue:
    """Where a policy's caps and a portfolio's periods disagree: at the period to blame, else
    at the policy's `caps_per`."""
    if exc.period is not None:
        return source.issue(("periods", periods.index(exc.period)), str(exc))
    return policy.issue(("caps_per",), str(exc))


def _portfolio_file_problems(spec: PortfolioFile) -> Iterator[rules.Problem]:
    first: tuple[str, str] | None = None  # the first period whose label says its length
    last: str | None = None  # the latest period so far whose label says its length
    periods = spec.periods
    repeated = [p for p in dict.fromkeys(periods) if periods.count(p) > 1]
    # A repeat (`[2026Q1, 2026Q1, ...]`, a label copied and not edited) leaves out the period
    # meant: the supply's labels not listed are said with it, once, rather than each as a
    # period "not one of the portfolio's periods (2026Q1, 2026Q1, ...)".
    unlisted = [p for p in spec.supply if p not in periods] if repeated else []
    for period in repeated:
        again = periods.index(period, periods.index(period) + 1)
        yield (
            ("periods", again),
            _repeated(periods, period, unlisted if period == repeated[0] else []),
        )
    for i, period in enumerate(periods):
        length = period_length(period)
        same = first is None or length == first[1]
        if length is not None and same and last is not None and period < last:
            yield (
                ("periods", i),
                f"period {period!r} is listed after {last!r}; list the periods in time order "
                "(schedules, tables and documents follow this order)",
            )
        if length is not None and same and (last is None or period > last):
            last = period
        if length is not None and first is None:
            first = (period, length)
        elif length is not None and first is not None and length != first[1]:
            yield (
                ("periods", i),
                f"period {period!r} is a {length} but {first[0]!r} is a {first[1]}; "
                "the periods of one portfolio all have one length",
            )
    for period in spec.supply:
        if period not in spec.periods and period not in unlisted:
            yield (
                ("supply", period),
                not_a_period(period, spec.periods),
            )
    for period in dict.fromkeys(spec.periods):
        if period not in spec.supply:
            yield ("supply",), f"no supply given for period {period!r}"


def _repeated(periods: list[str], period: str, unlisted: list[str]) -> str:
    """`period '2026Q1' is listed 4 times`; with the periods the supply names that the list
    leaves out, and the list holding each period once (in time order where every label
    says one length)."""
    times = periods.count(period)
    said = f"period {period!r} is listed {'twice' if times == 2 else f'{times} times'}"
    if not unlisted:
        return said
    once = [*dict.fromkeys(periods), *unlisted]
    if None not in (lengths := {period_length(p) for p in once}) and len(lengths) == 1:
        once.sort()
    return (
        f"{said}; the supply names {and_list(unlisted)}, which `periods` does not list: "
        f"list each period once, such as periods: [{', '.join(once)}]"
    )


def _relative(base: Path, ref: str) -> Path:
    ref_path = Path(ref)
    return ref_path if ref_path.is_absolute() else base.parent / ref_path


#: How a portfolio names its files, for a reference that names no file (`policy: bilateral`).
_PATH_HINT = {
    "policy": "; a portfolio names its policy by the file's path from the portfolio",
    "partners": "; a portfolio names each partner by the file's path from the portfolio",
}


def _path_hint(source: Source, field: str, ref: str, near: str | None) -> str:
    """How a portfolio names its files, for a reference that names none (`policy:
    bilateral`): the file meant (`near`, or one of that name beside the portfolio or in its
    `../policy/` or `policy/` folder: `../partners/`, `partners/`), else where it was
    looked for. The example "such as ../policy/bilateral.yaml" named a file that exists
    beside deals/portfolios/ only, and not the one meant (`policy: house`)."""
    folders = [f"../{field}/", f"{field}/", ""]
    here = folder_of(source.path)
    names = dict.fromkeys([ref, ref.lower()])
    found = [f"{f}{n}.yaml" for f in folders for n in names if (here / f"{f}{n}.yaml").is_file()]
    meant = near or next(iter(found), None)
    if meant is not None:
        return f"{_PATH_HINT[field]}: did you mean {meant}?"
    looked = or_list(f"{folder}{ref}.yaml" for folder in folders)
    return f"{_PATH_HINT[field]}'s folder, and there is no {looked}"


#: Problems of a referenced file that are fixed at a line of that file, so said there: its
#: YAML, or a byte that is not UTF-8 (`ae.yaml:5: not UTF-8 text`, not the portfolio's
#: line naming ae.yaml, which says nothing of where the byte is).
_AT_ITS_LINE = ("invalid YAML", "not UTF-8 text", "UTF-16 text")


def _from_here_hint(source: Source, ref: str) -> str:
    """Where `ref` names a file from the current folder rather than from the portfolio's
    (`policy: deals/policy/bilateral.yaml` in deals/portfolios/mine.yaml): the path to write
    instead, from the portfolio's folder; else nothing."""
    here = Path(ref)
    if here.is_absolute() or not here.is_file():
        return ""
    try:
        fixed = Path(os.path.relpath(here.absolute(), folder_of(source.path))).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        fixed = here.absolute().as_posix()
    return (
        f"; a portfolio names its files by their paths from the portfolio's folder, "
        f"not from the current one: write {fixed}"
    )


def _from_reference(
    exc: InputError, source: Source, loc: tuple[str | int, ...], ref: str
) -> list[Issue]:
    """A referenced file that does not exist is reported where it is referenced."""
    out = []
    for issue in exc.issues:
        if issue.message.startswith(NOT_FOUND):
            looked = "" if issue.file == ref else f" (looked for {issue.file})"
            near = near_path(Path(issue.file), ref)
            if str(loc[0]) in _PATH_HINT and not Path(ref).suffix:
                hint = _path_hint(source, str(loc[0]), ref, near)
            elif near is not None:
                hint = f"; did you mean {near}?"
            else:
                hint = _from_here_hint(source, ref)
            out.append(source.issue(loc, f"{NOT_FOUND}: {ref}{looked}{hint}"))
        elif not issue.field and not issue.message.startswith(_AT_ITS_LINE):
            # about the file as a whole (not readable, empty, of another kind): the fix is
            # where it is named
            out.append(source.issue(loc, f"{ref}: {issue.message}"))
        else:
            out.append(issue)
    return out


def load_file(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> tuple[Kind, Any]:
    """One file of any kind, validated: its kind and what it holds (or InputError).

    The file is read once for its kind and its contents (a portfolio's own references
    are read by `load_portfolio`)."""
    path = Path(path)
    try:
        source = not_a_result(read_yaml(path))
    except InputError as exc:
        raise _in_its_folder(exc, _ANY_FOLDER) from None
    kind = detect_kind(source, closest=True)
    value: Any
    if kind == "policy":
        value = _load(path, Policy, rules.policy_problems, source)[0]
    elif kind == "partner":
        value = _load(path, Partner, source=source)[0]
    elif kind == "portfolio":
        value = load_portfolio(path)
    elif kind == "scenarios":  # its paths are checked against a portfolio by `analyze`
        value = _load(path, ScenarioFile, rules.scenario_problems, source)[0]
    elif kind == "round":
        value = load_round_file(path, portfolio)
    else:
        value = load_package(path, portfolio)
    return kind, value


def validate_file(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> Kind:
    """Validate one file of any kind; returns its kind or raises InputError."""
    if portfolio is not None:  # whatever the file's kind: a portfolio file ignored it
        a_portfolio(portfolio)
    return load_file(path, portfolio)[0]
