"""`--set PATH=none`: dropping the risk budget, the what-if issue 11 names ("what if we
drop the risk budget?"), and unsetting any optional field as a file that leaves it out."""

from __future__ import annotations

import json

import pytest

from dealbench import check, load_portfolio, solve
from dealbench.analyze.scenarios import apply_overrides, parse_set
from dealbench.errors import InputError
from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
GLOBAL = REPO / "deals/portfolios/global.yaml"


@pytest.mark.parametrize("word", ["none", "null", "None", "~"])
def test_portfolio_risk_budget_none_drops_the_budget_whatever_the_policy(word: str) -> None:
    pf = load_portfolio(GULF)
    assert pf.risk_budget is not None  # the policy's
    dropped = apply_overrides(pf, parse_set([f"portfolio.risk_budget={word}"]))
    assert dropped.risk_budget is None and dropped.fingerprint() != pf.fingerprint()
    result = solve(dropped)
    assert result.risk_budget is None
    assert check(dropped, [d.package() for d in result.deals]).ok


def test_dropping_a_binding_budget_raises_v_under_every_regime_of_a_comparison(
    run: Runner,
) -> None:
    args = ("compare", GLOBAL, "--jobs", "1", "--json")
    before = {r["regime"]: r for r in json.loads(run(*args).stdout)["regimes"]}
    r = run(*args, "--set", "portfolio.risk_budget=none")
    assert r.exit_code == 0, r.output
    after = {r["regime"]: r for r in json.loads(r.stdout)["regimes"]}
    assert before["bilateral"]["risk_budget"] is not None
    for regime, row in after.items():
        assert row["risk_budget"] is None
        assert row["us_value"] >= before[regime]["us_value"] - 1.0  # a looser limit
    assert after["bilateral"]["us_value"] > before["bilateral"]["us_value"] + 1e6


def test_none_on_a_required_field_is_refused_in_words() -> None:
    pf = load_portfolio(GULF)
    for path in ("partners.AE.batna", "portfolio.supply.2026"):
        with pytest.raises(InputError) as err:
            apply_overrides(pf, parse_set([f"{path}=none"]))
        assert path in str(err.value) and "none" in str(err.value)
