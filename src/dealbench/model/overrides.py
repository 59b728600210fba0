"""`--set PATH=VALUE` overrides of a loaded portfolio: parsed, applied and recorded.

A path is dotted, rooted at one of the three kinds of file a portfolio loads:
`policy.risk_penalty_per_h100e=200k`, `partners.AE.batna=3bn`,
`partners.AE.concessions.invest-us.levels.200bn.us_value=12bn`,
`portfolio.supply.2027=900_000`, `portfolio.caps.AE.veu=800_000`,
`portfolio.granularity=500`. Lists are indexed by their items' ids (partners by code)
or by position (`value_per_h100e.0.value`, or `value_per_h100e[0].value` as the notes on
uncertain figures name it). A value is read
as YAML (so `{tpp: 790_000_000}` and `true` work) and then parsed by the same
validators as the files, so units are those of the files: money as `3bn`,
compute as `900_000` or `{tpp: N}`. Each override is validated alone, in order,
so an error names the one path at fault and what was expected there.

The overrides applied are recorded in `Portfolio.overrides` (path -> value as given).
This is data, below every layer that solves or renders: `analyze` (scenarios, sweeps,
regimes compared) calls it, and so may `render`.

A path is followed in `override_paths`; a value read and written as text in
`override_values`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.figures import quantity
from dealbench.model import portfolio_rules, rules
from dealbench.model.arguments import a_portfolio
from dealbench.model.error_words import RULE, error_message
from dealbench.model.override_paths import PortfolioFields, Walked, walk
from dealbench.model.override_values import (
    Sets,
    Typed,
    override_text,
    overrides_digest,
    parse_set,
)
from dealbench.model.partner import Partner
from dealbench.model.periods import PeriodMismatch, not_a_period
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.model.positions import field_path, key_text
from dealbench.model.validation import matching_errors
from dealbench.model.yamlio import Loc

__all__ = ["GIVEN", "apply_overrides", "override_sets", "path_error"]


#: The key overrides given as arguments (not from a scenarios file) have in a portfolio's
#: `inputs` (fingerprints: kept as it was when it also named their errors).
GIVEN = "--set"


def apply_overrides(
    portfolio: Portfolio,
    overrides: Mapping[str, Any] | Iterable[str] | str,
    *,
    where: str | None = None,
    name: str = "overrides",
) -> Portfolio:
    """The portfolio with each override applied, in order, each validated as in a file.

    `overrides`: a mapping of path to value, or `--set`'s "PATH=VALUE" texts (a list, or
    one alone).

    Raises InputError naming the path and what was expected: a path that does not
    exist, a value of the wrong unit or shape, or one the cross-file rules refuse.
    `where` is the file the overrides come from (a scenarios file); without it they are
    the caller's argument, and the error an ArgumentError naming `name`.
    """
    portfolio = a_portfolio(portfolio)  # a path returned itself (no overrides), else failed
    overrides = override_sets(overrides, name)
    if not overrides:
        return portfolio
    # Each refused override is said, and the rest are still tried (on the portfolio without
    # it): the first alone hid the next until the next run. A path given twice is applied
    # twice, in order: its first value is checked too, and the last is the one kept.
    steps = overrides.in_order()
    issues: list[Issue] = []
    for path, value, typed in steps:
        try:
            portfolio = _apply_one(portfolio, path, value, where or GIVEN, typed)
        except InputError as exc:
            issues += exc.issues
    issues = list(dict.fromkeys(issues))  # a path given twice, wrong alike: said once
    if issues and where is not None:
        raise InputError(issues)
    if issues:
        first, *rest = issues
        more = [(i.field, i.message) for i in rest]
        raise ArgumentError(name, first.message, first.field, more=more)
    inputs = dict(portfolio.inputs)
    key = f"{where or GIVEN}:{overrides_digest(overrides)[:12]}"
    inputs[key] = overrides_digest({**overrides, "#": key})
    # The record, in the order applied (a path set again moves to the end), as text that
    # applies each again exactly: a result keeps it, and `render` applies it again.
    given = {path: text for path, text in portfolio.overrides.items() if path not in overrides}
    given.update((path, override_text(value)) for path, value in overrides.items())
    origin = {**portfolio.override_from, **dict.fromkeys(overrides, where or GIVEN)}
    return portfolio.model_copy(
        update={"inputs": inputs, "overrides": given, "override_from": origin}
    )


def override_sets(overrides: Mapping[str, Any] | Iterable[str] | str | None, name: str) -> Sets:
    """Overrides as every call taking them reads them (`Sets`): a mapping of path to value,
    or `--set`'s "PATH=VALUE" texts (a list, or one alone), or None for none; else an
    ArgumentError naming `name` (`compare(overrides=["X=1"])` was a ValueError of `dict`)."""
    if overrides is None:
        return Sets()
    if isinstance(overrides, str | list | tuple):
        if not all(isinstance(item, str) for item in overrides):
            raise ArgumentError(name, "expected a mapping of path to value, or PATH=VALUE texts")
        return parse_set(overrides, name)
    if not isinstance(overrides, Mapping):
        raise ArgumentError(
            name,
            "expected a mapping of path to value, or PATH=VALUE texts, "
            f"not {type(overrides).__name__}",
        )
    return overrides if isinstance(overrides, Sets) else Sets.of(overrides, {})


def path_error(portfolio: Portfolio, path: str) -> str | None:
    """What is wrong with `path` as the place of a number, whatever number it is given
    (None: it names a figure `--set` can set, set or not). The portfolio's own figures are
    keyed by periods, partners and levels, which only the portfolio's rules check: 0, a
    number each of them takes, is applied there."""
    try:
        walked = walk(portfolio, path, 0, GIVEN)
        shadowed = _shadowed(portfolio, walked)
        if shadowed is not None:
            return shadowed
        if walked.root == "portfolio":
            _apply_portfolio(portfolio, walked, path, GIVEN)
    except InputError as exc:
        return exc.issues[0].message
    return None


def _apply_one(pf: Portfolio, path: str, value: Any, where: str, typed: Typed) -> Portfolio:
    """`pf` with `value` set at `path`; `typed`: its numbers as the user wrote them."""
    walked = walk(pf, path, value, where)
    fail = walked.fail
    shadowed = _shadowed(pf, walked)
    if shadowed is not None:
        raise fail(shadowed)
    if walked.root == "policy":
        policy = _validated(Policy, walked, path, where, typed)
        _raise_problems(rules.policy_problems(policy), path, where)
        for each in pf.partners:
            _raise_problems(portfolio_rules.partner_in_policy_problems(each, policy), path, where)
        _raise_problems(
            portfolio_rules.partner_cap_problems(pf.caps, pf.partners, policy), path, where
        )
        try:
            return pf.with_policy(policy)
        except PeriodMismatch as exc:
            raise fail(str(exc)) from None
    if walked.root == "partners":
        code = walked.rest[0]
        new = _validated(Partner, walked, path, where, typed)
        if new.code != code:
            raise fail("a partner's code cannot be changed")
        problems = [  # its own rules were checked as it was validated (`Partner._own_rules`)
            *portfolio_rules.partner_in_policy_problems(new, pf.policy),
            *portfolio_rules.partner_in_periods_problems(new, pf.periods, beyond=False),
        ]
        _raise_problems(problems, path, where)
        partners = [new if p.code == code else p for p in pf.partners]
        return pf.model_copy(update={"partners": partners})
    return _apply_portfolio(pf, walked, path, where, typed)


def _shadowed(pf: Portfolio, walked: Walked) -> str | None:
    """Why a policy figure the portfolio sets its own of cannot change this run (None: it
    can): `policy.risk_budget=100` beside a portfolio's `risk_budget: 6_000` solved, and
    swept, at 6,000 and said nothing."""
    if walked.root != "policy":
        return None
    field = walked.rest[0]
    if field == "risk_budget" and (pf.own_risk_budget is not None or pf.no_risk_budget):
        own = (
            "no risk budget"
            if pf.no_risk_budget or pf.own_risk_budget is None
            else f"its own risk budget ({quantity(pf.own_risk_budget)} risk-weighted H100e)"
        )
    elif field == "granularity" and pf.own_granularity is not None:
        own = f"its own granularity ({pf.own_granularity.describe()})"
    else:
        return None
    return (
        f"portfolio {pf.id} sets {own}, which takes the place of the policy's: "
        f"set portfolio.{field} instead"
    )


def _apply_portfolio(
    pf: Portfolio, walked: Walked, path: str, where: str, typed: Typed | None = None
) -> Portfolio:
    rest, fail = walked.rest, walked.fail
    spec = _validated(PortfolioFields, walked, path, where, typed or {})
    for period in spec.supply:
        if period not in pf.periods:
            raise fail(not_a_period(period, pf.periods))
    _raise_problems(
        portfolio_rules.partner_cap_problems(spec.caps, pf.partners, pf.policy), path, where
    )
    # `portfolio.risk_budget=none`: no risk budget at all, whatever the policy's, until the
    # path is set again; other paths keep it so.
    unset = spec.risk_budget is None if rest[0] == "risk_budget" else pf.no_risk_budget
    new = pf.model_copy(
        update={
            "supply": {t: spec.supply[t] for t in pf.periods},
            "own_risk_budget": spec.risk_budget,
            "no_risk_budget": unset,
            "caps": {code: dict(levels) for code, levels in spec.caps.items()},
            "own_granularity": spec.granularity,
        }
    )
    return new.model_copy(update={"risk_budget": new.budget_under(pf.policy)})


def _validated(model: type[Any], walked: Walked, path: str, where: str, typed: Typed) -> Any:
    """`walked`'s dump validated as `model`; each error names the path, and quotes a number
    as `typed` (the user's `-600_000`, not Python's -600000), as a file's are quoted."""
    try:
        return model.model_validate(walked.data)
    except ValidationError as exc:
        issues = []
        for error in matching_errors(walked.data, exc.errors(include_url=False)):
            given = error.get("input")
            number = isinstance(given, int | float) and not isinstance(given, bool)
            written = typed.get(given) if number else None
            message, field = error_message(error, written, typed), path
            if error["type"] == "extra_forbidden":
                message = f"unknown field {field_path(error['loc'])}"
            elif error["type"] != RULE:  # a rule's is said at the path set, as it always was
                field = _at_key(path, error["loc"], walked.depth, walked.data)
            issues.append(Issue(where, None, field, message))
        raise InputError(_unique(issues)) from None


def _at_key(path: str, loc: Loc, depth: int, data: Any) -> str:
    """The path of a fault inside the value set, as a file names it at its key:
    `partners.AE.batna.low` for `low: x` of a distribution set whole; a key YAML read as
    a boolean as written (`portfolio.supply.true`), not by the number pydantic names it
    by (`portfolio.supply.1`)."""
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or "(" in p))]
    names, node = [], data
    for part in parts:
        if isinstance(node, dict):
            key = next((k for k in node if isinstance(k, bool) and k == part), part)
            names.append(key_text(key))
            node = node.get(key)
        else:
            names.append(str(part))
            inside = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            node = node[part] if inside else None
    return ".".join([path, *names[depth:]])


def _raise_problems(problems: Iterable[rules.Problem], path: str, where: str) -> None:
    issues = [Issue(where, None, path, msg) for _loc, msg in problems]
    if issues:
        raise InputError(_unique(issues))


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))
