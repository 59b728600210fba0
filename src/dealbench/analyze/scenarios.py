"""Scenarios: named sets of `--set` overrides (scenario files), and a portfolio loaded with
its regime and overrides (`load_scenario`).

The overrides themselves (`parse_set`, `apply_overrides`, `read_value`) are data and live
in `dealbench.model.overrides` (with `override_paths` and `override_values`), below
`render`, which may call them; they are re-exported here, where the analysis commands have
always found them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from dealbench.errors import InputError
from dealbench.model import refuse_other_kind, rules
from dealbench.model.arguments import a_portfolio
from dealbench.model.override_paths import NONE_WORDS, ROOTS, read_value
from dealbench.model.override_values import (
    Sets,
    override_text,
    overrides_digest,
    parse_set,
    parse_value,
)
from dealbench.model.overrides import GIVEN, apply_overrides
from dealbench.model.portfolio import Portfolio, Scenario, ScenarioFile
from dealbench.model.validation import validate
from dealbench.model.yamlio import read_yaml

__all__ = [
    "GIVEN",
    "NONE_WORDS",
    "ROOTS",
    "Scenario",
    "apply_overrides",
    "load_scenario",
    "load_scenarios",
    "override_text",
    "overrides_digest",
    "parse_set",
    "parse_value",
    "read_value",
]


# --- scenario files -----------------------------------------------------------------------


def load_scenarios(
    path: str | os.PathLike[str], portfolio: Portfolio
) -> list[tuple[Scenario, Portfolio]]:
    """A scenarios file (`scenarios: [{id, title, set: {PATH: VALUE}}]`), each scenario
    applied to `portfolio`; every problem is reported at its line of the file."""
    portfolio = a_portfolio(portfolio)  # before the file is read
    source = read_yaml(Path(path))
    refuse_other_kind(source, "scenarios")
    spec: ScenarioFile = validate(source, ScenarioFile)
    out: list[tuple[Scenario, Portfolio]] = []
    problems = list(rules.scenario_problems(spec))
    issues = [source.issue(loc, message) for loc, message in problems]
    # A scenario whose set is written wrongly (`{PATH=VALUE}`) is said so, not applied too.
    unset = {loc[1] for loc, _ in problems if len(loc) > 2 and loc[2] == "set"}
    for i, scenario in enumerate(spec.scenarios):
        if i in unset:
            continue
        # Each value's numbers as the file writes them, for its messages (`got -1_800_000`).
        typed = {
            p: source.numbers.get(source.line(("scenarios", i, "set", p)) or 0, {})
            for p in scenario.set
        }
        try:
            applied = apply_overrides(portfolio, Sets.of(scenario.set, typed), where=source.display)
        except InputError as exc:
            for issue in exc.issues:
                loc = ("scenarios", i, "set", issue.field)
                issues.append(source.issue(loc, issue.message))
            continue
        # Each override's line, for the notes on its figures (`notes.input_notes`).
        lines = {path: source.line(("scenarios", i, "set", path)) for path in scenario.set}
        at = {path: f"{source.display}:{n}" if n else source.display for path, n in lines.items()}
        out.append(
            (scenario, applied.model_copy(update={"override_from": applied.override_from | at}))
        )
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.line or 0))  # in file order
    return out


def load_scenario(
    portfolio: str | os.PathLike[str],
    policy: str | os.PathLike[str] | None = None,
    sets: Iterable[str] | str = (),
) -> Portfolio:
    """The portfolio as loaded, under regime `policy`, with every `PATH=VALUE` of `sets`
    applied (in that order; one may be given alone): what `--policy` and `--set` mean on
    every command."""
    from dealbench.model import load_portfolio
    from dealbench.model.regimes import find_regime, under_regime

    overrides = parse_set(sets, "sets")  # one alone is one, not letter by letter
    pf = load_portfolio(portfolio)
    if policy is not None:
        pf = under_regime(pf, find_regime(policy, portfolio, "policy"))
    return apply_overrides(pf, overrides, name="sets")
