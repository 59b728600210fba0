"""Clause texts checked when their data file is validated, not first when rendered.

Every concession clause of a partner is rendered once for each of its levels, and
every security-level clause of a policy once, with the data a term sheet gives it
(`render.termsheet`), inside the same bounded sandbox. An unknown variable, a
syntax error, a forbidden attribute or a template over its budget is reported
against the clause's line in its file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dealbench.errors import RenderError
from dealbench.model.names import named
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.render.environment import render_clause

__all__ = [
    "check_clauses",
    "check_portfolio_clauses",
    "partner_clause_problems",
    "policy_clause_problems",
]

Problem = tuple[tuple[str | int, ...], str]

#: The partner a policy's clauses are tried with (its own partners are not known there).
_SAMPLE_PARTNER = {"code": "AA", "name": "Sample Partner", "tier": 2}


def partner_clause_problems(partner: Partner) -> Iterator[Problem]:
    """Render every concession clause for every level it can be granted at."""
    who = named({"code": partner.code, "name": partner.name, "tier": partner.tier}, partner.article)
    for i, concession in enumerate(partner.concessions):
        if concession.clause is None:
            continue
        for option in concession.options:
            context: dict[str, Any] = {
                "level": {"id": option.id, "title": option.title},
                "partner": who,
                "concession": {"id": concession.id, "title": concession.title},
            }
            message = _try(concession.clause, context)
            if message:
                yield ("concessions", i, "clause"), message
                break


def policy_clause_problems(policy: Policy) -> Iterator[Problem]:
    """Render every security level's clause."""
    for i, level in enumerate(policy.security_levels):
        if level.clause is None:
            continue
        context = {"partner": _SAMPLE_PARTNER, "level": {"id": level.id, "title": level.title}}
        message = _try(level.clause, context)
        if message:
            yield ("security_levels", i, "clause"), message


def _try(text: str, context: dict[str, Any]) -> str | None:
    try:
        render_clause(text, context, "")
    except RenderError as exc:
        return str(exc).removeprefix(": ")
    return None


def check_clauses(path: str | Path, kind: str, loaded: object = None) -> None:
    """Raise InputError (file:line: field: message) for any clause of a partner or policy
    file that cannot be rendered. `loaded`: the file's contents when already loaded."""
    from dealbench.errors import InputError
    from dealbench.model import Partner, Policy, load_partner, load_policy
    from dealbench.model.yamlio import read_yaml

    problems: list[Problem]
    if kind == "portfolio" and isinstance(loaded, Portfolio):
        check_portfolio_clauses(loaded)
        return
    if kind == "partner":
        partner = loaded if isinstance(loaded, Partner) else load_partner(path)
        problems = list(partner_clause_problems(partner))
    elif kind == "policy":
        policy = loaded if isinstance(loaded, Policy) else load_policy(path)
        problems = list(policy_clause_problems(policy))
    else:
        return
    if problems:
        source = read_yaml(Path(path))
        raise InputError([source.issue(loc, message) for loc, message in problems])


def check_portfolio_clauses(pf: Portfolio) -> None:
    """Refuse, at their files and lines (as `validate` does), the clauses of a portfolio's
    policy and partners that no document could render, before a command works and then
    renders: the renderer itself knows a clause only by its partner and id. The loaded
    policy and partners are checked (a regime or `--set` may have replaced them), each
    located in its file when it came from one."""
    from dealbench.errors import InputError, Issue
    from dealbench.model.positions import field_path
    from dealbench.model.yamlio import read_yaml

    found: list[tuple[str | None, list[tuple[tuple[str | int, ...], str]]]] = [
        (pf.policy_file, list(policy_clause_problems(pf.policy)))
    ]
    for code, partner_file in pf.partner_files.items():
        partner = pf.partner(code)
        if partner is not None:
            found.append((partner_file, list(partner_clause_problems(partner))))
    issues: list[Issue] = []
    for file, problems in found:
        if not problems:
            continue
        if file is not None and Path(file).is_file():
            source = read_yaml(Path(file))
            issues += [source.issue(loc, message) for loc, message in problems]
        else:
            where = file or f"policy {pf.policy.id}"
            issues += [Issue(where, None, field_path(loc), message) for loc, message in problems]
    if issues:
        raise InputError(issues)
