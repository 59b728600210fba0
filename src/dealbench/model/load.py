"""Load policy, partner, portfolio and package files into validated models.

Every problem found is reported as `file:line: field: message`; loading goes
on past the first problem so one run shows them all.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from dealbench.errors import InputError, Issue
from dealbench.list_words import and_list
from dealbench.model import package_rules, partner_rules, rules
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.periods import PeriodMismatch, caps_per_period
from dealbench.model.periods import length as period_length
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio, PortfolioFile, ScenarioFile
from dealbench.model.rounds import RoundFile, round_problems
from dealbench.model.validation import validate
from dealbench.model.yamlio import NOT_FOUND, Source, near_name, read_yaml, with_name

Kind = Literal["policy", "partner", "portfolio", "package", "round", "scenarios"]
M = TypeVar("M", bound=BaseModel)


def _load(
    path: Path,
    model: type[M],
    check: Callable[[M], Iterator[rules.Problem]],
    source: Source | None = None,
) -> tuple[M, Source]:
    """`path` (or its `source`, when already read) as a `model`, with its rules checked."""
    source = read_yaml(path) if source is None else source
    if model.__name__ in _KIND_OF:
        refuse_other_kind(source, _KIND_OF[model.__name__])
    value: M = validate(source, model)
    if isinstance(value, Policy):
        value._file = source.display  # its notes at its lines, under whatever portfolio
    issues = [source.issue(loc, msg) for loc, msg in check(value)]
    if issues:
        raise InputError(issues)
    return value, source


_KIND_OF: dict[str, Kind] = {
    "Policy": "policy",
    "Partner": "partner",
    "PortfolioFile": "portfolio",
    "Package": "package",
}
_RESULT_KEYS = {"status", "deals", "solver"}


def refuse_other_kind(source: Source, expected: Kind) -> None:
    """A file of another kind is named as such in one line, not as a list of unknown fields."""
    _not_a_result(source)
    try:
        kind = detect_kind(source)
    except InputError:
        return  # unclear: the fields will say what is wrong
    if kind != expected:
        raise InputError(
            source.issue((), f"this is a {kind} file, expected a {expected} file here")
        )


def _not_a_result(source: Source) -> Source:
    """A solve's result.json where a data file is expected, named as such."""
    if set(map(str, source.tree)) >= _RESULT_KEYS:
        raise InputError(
            source.issue(
                (), "this is a solve result (result.json), not a data file; expected a YAML file"
            )
        )
    return source


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """A regime file (deals/policy/*.yaml)."""
    return _load(Path(path), Policy, rules.policy_problems)[0]


def load_partner(path: str | os.PathLike[str]) -> Partner:
    """A partner file (deals/partners/*.yaml), checked on its own."""
    return _load(Path(path), Partner, partner_rules.partner_problems)[0]


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
            partner, psource = _load(_relative(path, ref), Partner, partner_rules.partner_problems)
        except InputError as exc:
            issues += _from_reference(exc, source, ("partners", i), ref)
            all_loaded = False
            continue
        inputs[psource.display] = psource.digest
        cross = list(rules.partner_in_periods_problems(partner, spec.periods))
        if policy is not None:
            cross += rules.partner_in_policy_problems(partner, policy)
        issues += [psource.issue(loc, msg) for loc, msg in cross]
        if partner.code in partner_files:
            issues.append(
                source.issue(
                    ("partners", i),
                    f"partner {partner.code} is listed twice (also {partner_files[partner.code]})",
                )
            )
        partners.append(rules.in_horizon(partner, list(spec.periods)))
        partner_files[partner.code] = psource.display

    if policy is not None:
        problems = rules.partner_cap_problems(spec.caps, partners, policy, all_loaded=all_loaded)
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
    )


def input_notes(portfolio: Portfolio, *, files: bool = True) -> list[Issue]:
    """What `validate` and the solving commands note of a portfolio's inputs, valid as they
    are but likely not what was meant: an ask that gives no figure for some of the periods
    (`asks_not_given`), money outside its plausible bounds (`plausible.money_notes`: its
    unit left out, most likely), caps that give a weaker security level more than a
    stronger one (`plausible.caps_notes`). Money is weighed where it was written: at its line of the
    partner's file, or of the policy's (another regime's, under `--policy` or `compare`),
    or at the `--set` (or scenario) override that gave it. Without `files`, only the
    overrides' notes (a scenarios file's, validated against a portfolio)."""
    from dealbench.model.override_paths import split_path
    from dealbench.model.override_values import parse_value
    from dealbench.model.overrides import GIVEN
    from dealbench.model.plausible import Given, caps_notes, money_notes

    given: dict[str, list[Given]] = {}
    for path, text in portfolio.overrides.items():
        root, *parts = split_path(path)
        if root == "partners" and parts:
            root, parts = f"partners.{parts[0]}", parts[1:]
        with contextlib.suppress(ValueError):  # applied, so read before
            where = portfolio.override_from.get(path, GIVEN)
            given.setdefault(root, []).append(Given(tuple(parts), parse_value(text), where))
    roots: list[tuple[str, str | None, Partner | Policy]] = [
        ("policy", portfolio.policy_file, portfolio.policy)
    ]
    roots += [
        (f"partners.{p.code}", portfolio.partner_files.get(p.code), p) for p in portfolio.partners
    ]
    out = []
    for root, file, loaded in roots:
        source = None
        if file is not None and files:
            with contextlib.suppress(InputError, OSError):  # moved or changed since loaded
                source = read_yaml(Path(file))
        out += money_notes(loaded, source, given.get(root, []), f"{root}.")
        if isinstance(loaded, Policy) and files:  # at the override that set caps, if one did
            over = [g.where for g in given.get(root, []) if g.parts[:1] in (("caps",), ())]
            at = (None, over[-1]) if over else (source, file or root)
            out += caps_notes(loaded, at[0], at[1], f"{root}.")
    return out + asks_not_given(portfolio) if files else out


def asks_not_given(portfolio: Portfolio) -> list[Issue]:
    """Notes, at each partner file's `ask`, of the portfolio's periods its ask gives no figure
    for while it names others of them: the partner asks nothing then and gets no compute,
    which no error says (a partner file may serve portfolios of several horizons), but a
    period forgotten in a file written by hand reads the same. An explicit 0 says it is
    meant. A partner whose ask names none of the periods is said by `solve` already."""
    out = []
    for partner in portfolio.partners:
        missing = [t for t in portfolio.periods if t not in partner.ask]
        if not missing or len(missing) == len(portfolio.periods):
            continue
        which = "one" if len(missing) == 1 else "some"
        message = (
            f"no figure for {and_list(missing)}, {which} of portfolio {portfolio.id}'s "
            f"periods: {partner.code} gets no compute then; write {missing[0]}: 0 if that "
            "is meant, else its ask"
        )
        file = portfolio.partner_files.get(partner.code)
        issue = Issue(file or f"partners.{partner.code}", None, "ask", message)
        if file is not None:
            with contextlib.suppress(InputError, OSError):  # moved or changed since loaded
                issue = read_yaml(Path(file)).issue(("ask",), message)
        out.append(issue)
    return out


def _mismatch(exc: PeriodMismatch, source: Source, policy: Source, periods: list[str]) -> Issue:
    """Where a policy's caps and a portfolio's periods disagree: at the period to blame, else
    at the policy's `caps_per`."""
    if exc.period is not None:
        return source.issue(("periods", periods.index(exc.period)), str(exc))
    return policy.issue(("caps_per",), str(exc))


def _portfolio_file_problems(spec: PortfolioFile) -> Iterator[rules.Problem]:
    first: tuple[str, str] | None = None  # the first period whose label says its length
    last: str | None = None  # the latest period so far whose label says its length
    for i, period in enumerate(spec.periods):
        if period in spec.periods[:i]:
            yield ("periods", i), f"period {period!r} is listed twice"
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
        if period not in spec.periods:
            yield (
                ("supply", period),
                (
                    f"period {period!r} is not one of the portfolio's periods ({', '.join(spec.periods)})"
                ),
            )
    for period in spec.periods:
        if period not in spec.supply:
            yield ("supply",), f"no supply given for period {period!r}"


def _relative(base: Path, ref: str) -> Path:
    ref_path = Path(ref)
    return ref_path if ref_path.is_absolute() else base.parent / ref_path


#: How a portfolio names its files, for a reference that names no file (`policy: bilateral`).
_PATH_HINT = {
    "policy": "; a portfolio names its policy by the file's path from the portfolio, "
    "such as ../policy/bilateral.yaml",
    "partners": "; a portfolio names each partner by the file's path from the portfolio, "
    "such as ../partners/in.yaml",
}


#: Problems of a referenced file that are fixed at a line of that file, so said there: its
#: YAML, or a byte that is not UTF-8 (`ae.yaml:5: not UTF-8 text`, not the portfolio's
#: line naming ae.yaml, which says nothing of where the byte is).
_AT_ITS_LINE = ("invalid YAML", "not UTF-8 text", "UTF-16 text")


def _from_reference(
    exc: InputError, source: Source, loc: tuple[str | int, ...], ref: str
) -> list[Issue]:
    """A referenced file that does not exist is reported where it is referenced."""
    out = []
    for issue in exc.issues:
        if issue.message.startswith(NOT_FOUND):
            looked = "" if issue.file == ref else f" (looked for {issue.file})"
            hint = "" if Path(ref).suffix else _PATH_HINT.get(str(loc[0]), "")
            near = near_name(Path(issue.file))
            if near is not None:
                hint += f"; did you mean {with_name(ref, near)}?"
            out.append(source.issue(loc, f"{NOT_FOUND}: {ref}{looked}{hint}"))
        elif not issue.field and not issue.message.startswith(_AT_ITS_LINE):
            # about the file as a whole (not readable, empty, of another kind): the fix is
            # where it is named
            out.append(source.issue(loc, f"{ref}: {issue.message}"))
        else:
            out.append(issue)
    return out


def load_package(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> Package:
    """A package (offer, counter or solution); checked against the portfolio when given.

    A negotiation round's file is read as the package it records, with its side, round
    and date (`deals/rounds/.../006-partner.yaml` is a counter, named as one)."""
    source = read_yaml(Path(path))
    try:
        package, at = _package_or_round(source)
    except InputError as exc:  # with what the portfolio says of the fields that did read
        if portfolio is None:
            raise
        raise InputError([*exc.issues, *_beside_shape_errors(source, portfolio)]) from None
    if portfolio is not None:
        partner = portfolio.partner(package.partner)
        if partner is None:
            raise InputError(
                source.issue((*at, "partner"), portfolio.unknown_partner(package.partner))
            )
        problems = package_rules.package_problems(
            package, partner, portfolio.policy, portfolio.periods
        )
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
    problems = package_rules.package_problems(package, partner, portfolio.policy, portfolio.periods)
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
    update = {"side": data.side, "round": data.round, "date": data.date}
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
        problems = round_problems(portfolio, data.package.partner, data)
        issues = [source.issue(loc, msg) for loc, msg in problems]
        if issues:
            raise InputError(issues)
    return data


#: Each kind of file, the keys that tell it and how a message names them, in the order
#: they are tried: a round names no partner (a package may carry its side and round too).
_KIND_KEYS: tuple[tuple[Kind, Callable[[set[str]], bool], str], ...] = (
    ("round", lambda k: {"round", "side"} <= k and "partner" not in k, "round, side"),
    ("policy", lambda k: "security_levels" in k, "security_levels"),
    ("portfolio", lambda k: {"partners", "periods"} <= k, "partners, periods"),
    ("package", lambda k: {"partner", "security"} <= k, "partner, security"),
    ("partner", lambda k: "code" in k or {"concessions", "tier"} <= k, "code"),
    ("scenarios", lambda k: "scenarios" in k, "scenarios"),
)
#: How a message names each kind, in the order `Kind` lists them.
_KIND_NAMES: dict[Kind, str] = {
    "policy": "a policy",
    "partner": "a partner",
    "portfolio": "a portfolio",
    "package": "a package",
    "round": "a negotiation's round",
    "scenarios": "a scenarios file",
}


def detect_kind(source: Source, *, closest: bool = False) -> Kind:
    """What a YAML file is, from its keys.

    `closest`: when no kind's telling keys are all there (one misspelt or left out), the
    kind whose fields the file's keys match best, if one clearly does (at least two keys,
    more than any other kind), so its validation names the field at its line."""
    keys = set(source.tree)
    for kind, found, _ in _KIND_KEYS:
        if found(keys):
            return kind
    if closest and (guess := _closest_kind(keys)) is not None:
        return guess
    told = {kind: said for kind, _, said in _KIND_KEYS}
    kinds = [f"{_KIND_NAMES[k]} ({told[k]})" for k in get_args(Kind)]
    raise InputError(
        source.issue(
            (),
            f"cannot tell what this file is: expected {', '.join(kinds[:-1])} or {kinds[-1]}",
        )
    )


#: The model of each kind's file, whose fields `_closest_kind` matches keys against.
_KIND_MODELS: dict[Kind, type[BaseModel]] = {
    "policy": Policy,
    "partner": Partner,
    "portfolio": PortfolioFile,
    "package": Package,
    "round": RoundFile,
    "scenarios": ScenarioFile,
}


def _closest_kind(keys: set[Any]) -> Kind | None:
    """The one kind with the most fields among `keys` (at least two), else the one kind
    whose field `scenarios` or `security_levels` a key is a near miss of, or None."""
    known = {kind: len(keys & set(model.model_fields)) for kind, model in _KIND_MODELS.items()}
    ranked = sorted(known.items(), key=lambda item: -item[1])
    (best, most), (_, next_most) = ranked[0], ranked[1]
    if most >= 2 and most > next_most:
        return best
    near = {
        kind
        for key in keys
        for kind, field in _ONE_KEY_KINDS
        if difflib.get_close_matches(str(key).lower(), [field], cutoff=0.8)
    }
    return near.pop() if len(near) == 1 else None


#: The kinds one key tells, and that key: a near miss of it names the kind.
_ONE_KEY_KINDS: tuple[tuple[Kind, str], ...] = (
    ("scenarios", "scenarios"),
    ("policy", "security_levels"),
)


def load_file(path: str | os.PathLike[str], portfolio: Portfolio | None = None) -> tuple[Kind, Any]:
    """One file of any kind, validated: its kind and what it holds (or InputError).

    The file is read once for its kind and its contents (a portfolio's own references
    are read by `load_portfolio`)."""
    path = Path(path)
    source = _not_a_result(read_yaml(path))
    kind = detect_kind(source, closest=True)
    value: Any
    if kind == "policy":
        value = _load(path, Policy, rules.policy_problems, source)[0]
    elif kind == "partner":
        value = _load(path, Partner, partner_rules.partner_problems, source)[0]
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
    return load_file(path, portfolio)[0]
