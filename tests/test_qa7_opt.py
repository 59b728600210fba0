"""A seventh pass on the optimizer (qa7-opt): the modes less trodden, on inputs no one
here wrote (tests/data/qa7opt/), against an independent reference (tests/qa7_reference.py:
its own YAML reading and DESIGN.md's model in PuLP, nothing of dealbench).
"""

from __future__ import annotations

import json
import math
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


# --- what a bargaining point's note states is about the packages printed ----------------


def _shares(name: str, result: SolveResult) -> list[float]:
    """Each side's gain over its ideal gain, by the reference, from the printed packages."""
    s = spec(name)
    deals = packages(result)
    out = []
    for code, (vi, ui) in ref.ideals(s).items():
        p = s.partner(code)
        f = ref.figures(s, code, deals[code])
        out += [(f["us_value"] - p.us_batna) / vi, (f["partner_utility"] - p.batna) / ui]
    return out


def test_kalai_states_the_tau_of_the_schedule_in_whole_steps() -> None:
    """two-years-steps (steps of 1,000 H100e): the optimizer's tau is 0.5599 (KA 74,632
    and LB 75,368 H100e in 2026); in whole steps (75,000 each) the least share is 0.5543.
    The note said "every share at least tau = 0.5599" under a line maximising 0.5543."""
    result = solved("two-years-steps", "kalai")
    tau = min(_shares("two-years-steps", result))
    assert result.objective == pytest.approx(tau, abs=1e-6)
    assert f"every share is at least tau = {tau:.4f}" in result.message
    assert "tau = 0.5599, exact within the gap, before whole steps" in result.message
    assert result.solver.details["unrounded_objective"] == pytest.approx(0.5599455, abs=1e-6)
    plain = solved("two-years", "kalai")  # unrounded: one tau
    assert f"exact within the gap (every share at least tau = {plain.objective:.4f})" in (
        plain.message
    )


def test_the_nash_bound_is_the_bound_of_the_packages_printed() -> None:
    """twins (quarters, steps of 1,000): the stated bound is B - L with L the log-product of
    the packages printed (it was the optimizer's amounts' before whole steps: 1.33e-3
    stated where the printed packages are 1.04e-3 below B), and it holds against the
    reference's Nash optimum."""
    result = solved("twins", "nash")
    s = spec("twins")
    ideal = [g for pair in ref.ideals(s).values() for g in pair]
    printed = sum(math.log(share * g / 1e9) for share, g in zip(_shares("twins", result), ideal))
    assert result.objective == pytest.approx(printed, abs=1e-9)
    assert result.solver.bound is not None
    error = result.solver.details["log_error_bound"]
    assert error == pytest.approx(result.solver.bound - printed, abs=1e-9)
    assert f"factor {math.exp(-error):.6f}" in result.message
    best, upper, _ = ref.nash(s)
    assert printed >= best - 1e-6 - error
    assert upper <= printed + error + 1e-6
