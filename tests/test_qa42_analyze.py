"""Portfolio analysis used as a new user uses it (qa42-analyze): compare, sweep,
scenarios, risk, prices, diff and the reasons for no deal, on the shipped data and on
odd inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def test_a_saved_reason_for_no_deal_says_no_cli_words_and_the_cli_adds_its_pointer(
    run: Runner, shipped: Path
) -> None:
    """`solve gulf-asia` saved "the frontier of KZ (frontier --partner KZ) has no zone of
    agreement" in result.json, shown so on the web and in memos, where no such command
    exists. The reason is in no shell's words and says it speaks of the frontier
    (`frontier: true`); the terminal adds the CLI's pointer."""
    solved = run("solve", shipped / GULF, "--json")
    assert solved.exit_code == 0, solved.output
    kz = {r["partner"]: r for r in json.loads(solved.stdout)["no_deal_reasons"]}["KZ"]
    assert kz["message"].endswith("the frontier of KZ has no zone of agreement for that reason")
    assert kz["frontier"] is True and "--" not in kz["message"]
    said = " ".join(run("solve", shipped / GULF).stdout.split())
    assert (
        "the frontier of KZ has no zone of agreement for that reason "
        f"(dealbench frontier {shipped / GULF} --partner KZ draws it)" in said
    )


def test_analysis_words_shown_on_the_web_and_in_memos_name_no_cli_option() -> None:
    """The web's solve with shadow prices in nash mode said "prices: shadow prices are for
    --mode us-best"; the options memo's sensitivity "(dealbench sweep --policy REGIME
    --param ...)"; the web's risk page "as dealbench evaluate finds". Each is said in the
    data's words (the comparison's note on prices: `test_qa33_analyst`)."""
    import pytest

    from dealbench.analyze.analysed import check_analysis
    from dealbench.analyze.compare import RegimeRow
    from dealbench.analyze.sensitivity import sensitivities
    from dealbench.analyze.uncertainty import Probability, SampledLimit
    from dealbench.errors import ArgumentError

    with pytest.raises(ArgumentError) as refused:
        check_analysis("nash", prices=True)
    assert "--" not in str(refused.value) and "mode us-best" in str(refused.value)
    rows = [
        RegimeRow(regime=r, title=r, status="optimal", us_value=v, risk_cost=1e9, concessions=1e8)
        for r, v in (("a", 3e9), ("b", 2e9))
    ]
    said = " ".join(sensitivities(rows))
    assert "dealbench" not in said and "--" not in said
    assert "a sweep of the risk penalty (policy.risk_penalty_per_h100e) under each" in said
    limit = SampledLimit(
        kind="risk-budget",
        limit=1.0,
        threshold=0.5,
        probability=Probability(estimate=0.0, standard_error=0.0),
        broken_at_means=True,
        message="the package alone breaks the risk budget",
    )
    assert "dealbench" not in limit.sentence() and "evaluating the package" in limit.sentence()


def test_a_shadow_price_warning_says_the_step_of_its_re_solves(run: Runner, shipped: Path) -> None:
    """`solve gulf-asia --prices` warned "re-solving the full model, 12,000 H100e more
    gains $49,989 per H100e"; `solve --set portfolio.supply.2027=1_212_000` gives $49,918.
    The re-solves decide compute in this solve's steps (100 H100e: it fell back from the
    declared 1,000), a plain solve in 1,000 first. Each warning now says the step, and
    that a solve with the limit moved may differ by up to one step's value."""
    done = run("solve", shipped / GULF, "--prices", "--json")
    assert done.exit_code == 0, done.output
    prices = json.loads(done.stdout)["prices"]
    (warning,) = [w for w in prices["warnings"] if w.startswith("Supply in 2027")]
    assert "re-solving the full model (compute in steps of 100 H100e, as this solve's), " in (
        warning
    )
    assert "12,000 H100e more gains $49,989 per H100e" in warning
    assert warning.endswith(
        "; a solve with the limit moved puts compute in steps of 1,000 H100e where it can, "
        "so the gain it shows may differ from these by up to one step's value."
    )


def test_a_partner_left_unexplained_is_said_so_in_no_shells_words(tmp_path: Path) -> None:
    """With 30 partners without a deal, result.json's reason for the 26th on said
    "`dealbench solve --explain-all` says why for every one", shown so on the web (which
    has a button for it) and in memos. The saved reason names no command; the terminal
    adds the CLI's."""
    from helpers import invoke
    from test_qa35_left import _many_without_a_deal

    portfolio = _many_without_a_deal(tmp_path, 30)
    data = invoke(["solve", portfolio, "--json"])
    assert data.exit_code == 0, data.output
    rbd = {r["partner"]: r for r in json.loads(data.stdout)["no_deal_reasons"]}["RBD"]
    assert rbd["reason"] == "not-explained" and "dealbench" not in rbd["message"]
    said = " ".join(invoke(["solve", portfolio]).stdout.split())
    assert "asked to, it says why for every one (`dealbench solve --explain-all`)" in said


def test_a_sweep_refuses_an_override_of_the_path_it_varies(
    run: Runner, shipped: Path, client: Any
) -> None:
    """`sweep --param partners.AE.batna --from 1bn --to 2bn --set partners.AE.batna=5bn`
    swept 1bn to 2bn and dropped the 5bn without a word. Refused before any solve, in the
    CLI as `--set`, on the web as the form's `sets` field."""
    import html

    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN

    args = ["--param", "partners.AE.batna", "--from", "1bn", "--to", "2bn"]
    done = run("sweep", shipped / GULF, *args, "--set", "partners.AE.batna=5bn")
    assert done.exit_code == 2 and not done.traceback, done.output
    assert done.stderr.strip() == (
        "error: --set: partners.AE.batna: the sweep varies partners.AE.batna itself, so the "
        "value given for it here would be dropped; leave it out"
    )
    outer = run("sweep", shipped / GULF, *args, "--set", "partners.AE={batna: 5bn}")
    assert outer.exit_code == 2 and "set its other parts by their own paths" in outer.stderr

    fields = {
        CSRF_FIELD: csrf_for(WEB_TOKEN),
        "kind": "param",
        "param": "partners.AE.batna",
        "from": "1bn",
        "to": "2bn",
        "sets": "partners.AE.batna=5bn",
    }
    response = client.post("/p/gulf-asia/sweep", data=fields, follow_redirects=False)
    assert response.status_code == 422
    assert "Overrides: partners.AE.batna: the sweep varies" in html.unescape(response.text)
