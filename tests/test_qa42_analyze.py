"""Portfolio analysis used as a new user uses it (qa42-analyze): compare, sweep,
scenarios, risk, prices, diff and the reasons for no deal, on the shipped data and on
odd inputs."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Runner

GULF = "portfolios/gulf-asia.yaml"


def test_a_scenario_named_base_that_sets_values_is_refused_at_its_id(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`sweep PORTFOLIO SCENARIOS` with a scenario `base` that set something put it in the
    as-loaded row's place, and the other scenarios' changes were said against values none
    of them had (each scenario's set applies to the portfolio as loaded). It is refused at
    its id's line, saying what to do, before any solve; by `validate` too."""
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - {id: dear-risk, set: {policy.risk_penalty_per_h100e: 240k}}\n"
        "  - {id: Base, title: Our base case, set: {partners.AE.batna: 12bn}}\n"
    )
    for args in (("validate", scenarios), ("sweep", shipped / GULF, scenarios, "--jobs", "1")):
        done = run(*args)
        assert done.exit_code == 2 and not done.traceback, done.output
        assert f"{scenarios}:3: scenarios[1].id: 'Base' is the portfolio as loaded" in done.stderr
        assert "give this scenario another id" in done.stderr
        assert "leave its set empty" in done.stderr


def test_sweep_scenarios_refuses_a_base_that_sets_something(shipped: Path) -> None:
    """The library call refuses the base the file's loader refuses, rather than take a
    scenario's portfolio as the base (a `base` that sets nothing titles the as-loaded row:
    `test_qa28_contract.test_a_scenario_named_base_titles_the_base_of_the_sweep`)."""
    from dealbench.analyze import sweep_scenarios
    from dealbench.analyze.scenarios import Scenario
    from dealbench.errors import ArgumentError
    from dealbench.model import load_portfolio

    pf = load_portfolio(shipped / "portfolios/global.yaml")
    tampered = pf.model_copy(update={"title": "changed"})
    try:
        sweep_scenarios(pf, [(Scenario(id="base", set={"partners.AE.batna": "12bn"}), tampered)])
    except ArgumentError as exc:
        assert "is the portfolio as loaded" in str(exc)
    else:
        raise AssertionError("a base that sets something was taken as the base")
