"""Faults a fifth analysis pass found on inputs no one here wrote (qa7-an).

`tests/data/qa7an/` is a small portfolio checked against an independent reference (its
own MIP, fixed LP and Monte Carlo): three partners over 2027-2028, a tier-1 partner with
a range concession, a tier-2 partner with a piecewise value and an uncertain BATNA and
cost, one with an uncertain diversion risk; 2027 supply and the risk budget bind.
"""

from __future__ import annotations

import json

import pytest

from dealbench import apply_overrides, load_portfolio
from dealbench.errors import ArgumentError
from helpers import DATA

QA7AN = DATA / "qa7an"
TWO_YEARS = QA7AN / "two-years.yaml"


def test_no_risk_budget_stays_none_through_later_overrides() -> None:
    """`--set portfolio.risk_budget=none --set portfolio.caps.BB.veu=100000` solved with
    the policy's budget of 12,000 again (V $9.73bn; $10.72bn without it): each
    `portfolio.*` override, and a policy's (`policy.X=...`, a regime in `compare`),
    re-derived the budget from the policy when the portfolio had none of its own."""
    pf = load_portfolio(TWO_YEARS)
    assert pf.risk_budget == 12_000
    for later in (
        "portfolio.caps.BB.veu=100000",
        "portfolio.supply.2028=200000",
        "policy.risk_penalty_per_h100e=60k",
    ):
        moved = apply_overrides(pf, ["portfolio.risk_budget=none", later])
        assert moved.risk_budget is None, later
    assert (
        apply_overrides(pf, ["portfolio.risk_budget=none"]).with_policy(pf.policy).risk_budget
        is None
    )
    again = apply_overrides(pf, ["portfolio.risk_budget=none", "portfolio.risk_budget=5000"])
    assert again.risk_budget == 5_000
    # The policy's budget beside the portfolio's own (none, or 5,000) is refused, naming the
    # path to set, where it was ignored (qa39-analyze: a sweep of it solved every row alike).
    for own in (["portfolio.risk_budget=none"], []):
        with pytest.raises(ArgumentError, match=r"set portfolio\.risk_budget instead"):
            apply_overrides(again if not own else pf, [*own, "policy.risk_budget=3000"])


def test_diff_names_a_partners_risk_and_tells_close_figures_apart() -> None:
    """With BB's diversion risk at 0.29 and the risk budget at 11,600, `diff` said "US
    utility: $9.73bn -> $9.73bn" and, of BB, "US utility $2.93bn -> $2.93bn" (the results
    differ by $0.9m), and never named BB's risk moving from 7,980 to 7,598 risk-weighted
    H100e, though the module promises each side's value and risk."""
    from dealbench import solve
    from dealbench.analyze.diff import diff_results, usd_pair

    pf = load_portfolio(TWO_YEARS)
    moved = apply_overrides(pf, ["partners.BB.diversion_risk=0.29", "portfolio.risk_budget=11600"])
    d = diff_results(solve(pf), solve(moved))
    assert usd_pair(*d.us_value) == "$9.731bn -> $9.730bn"
    bb = next(p for p in d.partners if p.partner == "BB")
    assert "US utility $2.931bn -> $2.930bn" in bb.changes
    assert "risk 7,980 -> 7,598 risk-weighted H100e" in bb.changes
    assert usd_pair(2.5e9, 2.5e9) == "$2.50bn -> $2.50bn"


def test_a_sweeps_bad_bound_is_the_bounds_fault_and_a_segment_is_swept_by_its_name(
    run,  # type: ignore[no-untyped-def]
) -> None:
    """`sweep --param portfolio.risk_budget --from -5` (the portfolio has no budget of its
    own: the policy's applies) was refused as `--param`'s fault ("error: --param:
    portfolio.risk_budget: must be at least 0"), as was `--from nan` and a partner's own
    cap not set yet: a path whose figure is unset was taken for a path naming nothing.
    And `--param partners.BB.value_per_h100e[0].value`, the name the notes print (and
    `--set` takes), was refused: "a sweep needs a number at this path"."""
    sweep = ("sweep", TWO_YEARS, "--param")
    out = run(*sweep, "portfolio.risk_budget", "--from", "-5", "--to", "5")
    assert out.exit_code == 2
    assert out.stderr == "error: --from: portfolio.risk_budget: must be at least 0, got '-5'\n"
    out = run(*sweep, "portfolio.caps.BB.veu", "--from", "0", "--to", "nan")
    assert out.stderr == "error: --to: portfolio.caps.BB.veu: expected a finite number, got 'nan'\n"
    out = run(*sweep, "portfolio.caps.ZZ.veu", "--from", "0", "--to", "5")
    assert out.stderr.startswith("error: --param: portfolio.caps.ZZ.veu: 'ZZ' is not a partner")
    out = run(*sweep, "partners.BB.value_per_h100e[0].value", "--from", "20k", "--to", "40k",
              "--steps", "2", "--refine", "0", "--json", "--jobs", "1")  # fmt: skip
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert [r["us_value"] for r in rows] == [8_231_000_000.0, 11_231_000_000.0]


def test_a_schedule_a_hair_below_its_steps_is_not_rounded_a_step_away() -> None:
    """With no risk budget and BB's veu cap at 40,000, the optimum (V $10.06bn) is in whole
    steps already: AA 100,000 a year, BB 16,000 / 60,000, CC 34,000 / 40,000. The smooth
    schedule gave BB 59,999.856 in 2028 and CC 33,999.942 in 2027 (its trade of a hair
    of V for steadiness); floored to 59,000 and 33,000, the steps went back where they
    were worth less (BB 17,000 in 2027), and `solve` reported $10.0575bn. An amount
    within a thousandth of a step below it is now on it."""
    from dealbench.optimize import solve

    pf = apply_overrides(
        load_portfolio(TWO_YEARS), ["portfolio.risk_budget=none", "portfolio.caps.BB.veu=40000"]
    )
    result = solve(pf)
    assert result.us_value == 10.06e9
    assert {d.partner: d.compute for d in result.deals}["CC"] == {"2027": 34_000, "2028": 40_000}
