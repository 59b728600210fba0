"""A tenth pass on the optimizer (qa10-opt): compute in whole steps, on inputs no one here
wrote (tests/data/qa10opt/), against the independent reference (tests/qa7_reference.py:
its own YAML reading and DESIGN.md's model in PuLP, nothing of dealbench).
"""

from __future__ import annotations

import math
from functools import cache

import pytest

import qa7_reference as ref
from dealbench import load_portfolio, solve
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult
from helpers import DATA

QA10 = DATA / "qa10opt"


@cache
def portfolio(name: str) -> Portfolio:
    return load_portfolio(QA10 / f"{name}.yaml")


@cache
def spec(name: str) -> ref.Spec:
    return ref.load(QA10 / f"{name}.yaml")


@cache
def solved(name: str, mode: str = "us-best") -> SolveResult:
    return solve(portfolio(name), mode, gap=1e-9)  # type: ignore[arg-type]


def packages(result: SolveResult) -> dict[str, dict[str, object]]:
    return {
        d.partner: {
            "security": d.security,
            "compute": dict(d.compute),
            "concessions": dict(d.concessions),
        }
        for d in result.deals
    }


def _printed_holds(name: str, result: SolveResult) -> None:
    """The packages printed break no limit (the reference's reading) and are worth what
    the result says."""
    deals = packages(result)
    assert ref.violations(spec(name), deals) == []
    v, u = ref.portfolio_value(spec(name), deals)
    assert result.us_value == pytest.approx(v, abs=1e3)
    assert result.partner_total == pytest.approx(u, abs=1e3)


# --- a bargaining point in whole steps keeps every partner's gain ------------------------


def test_kalai_in_whole_steps_is_the_best_tau_in_whole_steps() -> None:
    """lumpy (supply used up in every year, steps of 1,000): kalai's optimum has tau 0.0749
    with AA at 0 / 20,000 / 16,760 H100e. Rounded, AA had 0 / 7,000 / 7,000 and tau fell to
    0.0285, where the reference's best tau in whole steps is 0.0716: the rounding was held
    to one step's value of V in all, so it moved compute to the deals worth most to the US.
    A bargaining point may lose a step's value per amount (each amount moves by less than
    a step), and it is now as good as the reference's in whole steps."""
    result = solved("lumpy", "kalai")
    _printed_holds("lumpy", result)
    tau, _ = ref.kalai(spec("lumpy"), steps=True)
    assert tau == pytest.approx(0.07159, abs=1e-4)
    assert result.objective is not None and result.objective >= tau - 1e-6
    assert f"every share is at least tau = {result.objective:.4f}" in result.message


def test_nash_in_whole_steps_leaves_no_partner_without_a_gain() -> None:
    """lumpy, nash: the optimizer's point gives AA 0 / 506 / 20,000 H100e (log-product
    -1.2208). Rounded, AA had nothing: its gains were 0, the log Nash product -inf, and the
    note "a partner with a zone of agreement ends with no gain: no bound". The closest
    schedule counted the changes between periods, so a deal of 0 / 0 / 0 was as close as
    0 / 1,000 / 20,000; a bargaining point's own amounts are now measured by distance
    alone. The product is within 1% of the reference's best in whole steps (-1.4500)."""
    result = solved("lumpy", "nash")
    _printed_holds("lumpy", result)
    aa = result.deal("AA")
    assert aa is not None and sum(aa.compute.values()) >= 20_000
    assert result.objective is not None and math.isfinite(result.objective)
    best, _, _ = ref.nash(spec("lumpy"), steps=True)
    assert best == pytest.approx(-1.4500, abs=1e-3)
    assert result.objective >= best - 0.01
    assert "within a factor" in result.message


def test_a_bargaining_point_is_rounded_to_its_closest_schedule_not_a_steadier_one() -> None:
    """quarters (two quarters of odd supply, steps of 1,000): kalai's point gives HD 2,266 /
    0 H100e (tau 0.2266). No rounding by largest remainders keeps every partner accepting,
    so the closest schedule in steps is searched; it counted the change between periods as
    well as the distance, so HD at 0 / 0 (no change) was as close as 2,000 / 0, and HD's
    share fell to 0: "every share is at least tau = 0.0000", where the reference's best tau
    in whole steps is 0.2000. A bargaining point's own amounts are now measured by distance
    alone (they need not be smooth)."""
    result = solved("quarters", "kalai")
    _printed_holds("quarters", result)
    tau, _ = ref.kalai(spec("quarters"), steps=True)
    assert tau == pytest.approx(0.2, abs=1e-6)
    assert result.objective is not None and result.objective >= tau - 1e-6
    hd = result.deal("HD")
    assert hd is not None and hd.compute == {"2026Q1": 2_000, "2026Q2": 0}
