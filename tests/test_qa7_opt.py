"""A seventh pass on the optimizer (qa7-opt): the modes less trodden, on inputs no one
here wrote (tests/data/qa7opt/), against an independent reference (tests/qa7_reference.py:
its own YAML reading and DESIGN.md's model in PuLP, nothing of dealbench).
"""

from __future__ import annotations

import json
from functools import cache

import pytest

import qa7_reference as ref
from dealbench import load_portfolio, solve
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult
from helpers import DATA, invoke

QA7 = DATA / "qa7opt"


@cache
def portfolio(name: str) -> Portfolio:
    return load_portfolio(QA7 / f"{name}.yaml")


@cache
def spec(name: str) -> ref.Spec:
    return ref.load(QA7 / f"{name}.yaml")


@cache
def solved(name: str, mode: str = "us-best", require: tuple[str, ...] = ()) -> SolveResult:
    return solve(portfolio(name), mode, gap=1e-9, require=require)  # type: ignore[arg-type]


def packages(result: SolveResult) -> dict[str, dict[str, object]]:
    return {
        d.partner: {
            "security": d.security,
            "compute": dict(d.compute),
            "concessions": dict(d.concessions),
        }
        for d in result.deals
    }


# --- required deals in the bargaining modes --------------------------------------------


@pytest.mark.parametrize("mode", ["nash", "kalai"])
def test_a_required_deal_is_kept_in_the_bargaining_modes(mode: str) -> None:
    """OA gives the US less than its walk-away value (no zone of agreement), so nash and
    kalai leave it out, but `--require-deal OA` asks for a deal, which exists: OA gets
    one (outside the bargaining objective), within every limit. It used to be dropped
    without a word (`require` never reached nash or kalai)."""
    result = solved("forced", mode, ("OA",))
    assert result.deal("OA") is not None
    assert ref.violations(spec("forced"), packages(result)) == []
    assert "a deal is required: OA" in result.message


@pytest.mark.parametrize("mode", ["nash", "kalai"])
def test_an_impossible_required_deal_is_explained_in_the_bargaining_modes(mode: str) -> None:
    """ND is tier 3: no deal can exist, so `--require-deal ND` is infeasible (exit 3, with
    the reason), as under us-best; it used to exit 0 with no deal for ND."""
    run = invoke(["solve", QA7 / "two-years.yaml", "--mode", mode, "--require-deal", "ND"])
    assert run.exit_code == 3, run.output
    assert "ND is tier 3 and receives no compute under any deal" in run.stderr
    run = invoke(
        ["solve", QA7 / "two-years.yaml", "--mode", mode, "--require-deal", "MC", "--json"]
    )
    assert run.exit_code == 3
    assert json.loads(run.stdout)["status"] == "infeasible"
