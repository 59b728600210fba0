"""qa45-rounding: a us-best result never keeps a deal the US values below no deal.

`solve` (us-best) rounded compute to the declared step and accepted any rounding that
kept V within one step's value of V before rounding. In the `range-min` portfolio of
seed 1004 (tests/qa45_reference.py, steps of 5,000 H100e) that put PC's deal, worth
USD 37.9m over no deal before rounding, at 12,000 / 45,000 H100e and -USD 3.7m to the
US, while 10,000 / 45,000 keeps USD 29.0m (and 5,000 / 49,500 USD 37.1m). The schedule
now looks for the closest grid schedule that keeps every deal's gain
(`schedule.signable.keep_gains`); where there is none, the deal is left out and the
others scheduled again (`best.without_losing_deals`), a required deal excepted.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import qa45_reference as ref
from dealbench.checker import check
from dealbench.model import load_portfolio
from dealbench.model.package import Package
from dealbench.optimize import solve
from helpers import invoke

#: Money a figure may miss by (the schedule's `FLOOR_TOL`, and float noise).
TOL = 1e3


def _spec(seed: int, shape: str | None = None) -> ref.Spec:
    """The reference's generated portfolio of `seed`, a continuous one put in steps of
    2,500, 5,000 or 10,000 H100e (drawn next: the scan that found the faults did so)."""
    rng = random.Random(seed)
    spec = ref.random_spec(rng, shape)
    if spec.step == 0:
        spec.portfolio["granularity"] = rng.choice([2500, 5000, 10000])
    return spec


def _portfolio(folder: Path, seed: int, shape: str | None = None) -> Path:
    """`_spec` written to `folder` in the layout of deals/; the portfolio's path."""
    return ref.write(_spec(seed, shape), folder)


def _solved(path: Path, *extra: str) -> dict[str, Any]:
    run = invoke(["solve", path, "--json", *extra])
    assert not run.traceback, run.traceback
    assert run.exit_code == 0, run.output
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_a_rounded_deal_keeps_its_gain_to_the_us_when_a_grid_schedule_does(
    tmp_path: Path,
) -> None:
    """Seed 1004: PC's deal is kept, at a schedule in whole steps of 5,000 H100e that
    still gives the US more than no deal (it read -$3.7m at 12,000 / 45,000)."""
    path = _portfolio(tmp_path, 1004, "range-min")
    result = _solved(path)
    assert [d["partner"] for d in result["deals"]] == ["PC"]
    pc = result["deals"][0]
    assert pc["us_value"] >= pc["us_batna"]
    assert pc["us_margin"] > 1e6
    assert all(x % 5000 == 0 or x == 49500 for x in pc["compute"].values()), pc["compute"]
    assert result["solver"]["details"]["granularity_h100e"] == 5000.0
    # still within one step's value of V before rounding, and the check vouches for it
    spec = _spec(1004, "range-min")
    cont, _ = ref.best(spec, "us", steps=False)
    one_step = 5000 * abs(ref.unit_value(spec, spec.partner("PC"), pc["security"]))
    assert result["us_value"] >= cont - one_step - TOL
    e = ref.evaluate(spec, pc)
    assert e["us"] == pytest.approx(pc["us_value"], abs=TOL)
    assert e["accepts"]


@pytest.mark.parametrize(("seed", "code"), [(473, "PA"), (607, "PA"), (1117, "PB")])
def test_a_deal_no_grid_schedule_keeps_above_no_deal_is_left_out(
    tmp_path: Path, seed: int, code: str
) -> None:
    """No schedule of these terms in the declared step leaves the US at or above no deal
    (seed 473: PA at -$953.1m against -$865.0m without a deal, in steps of 10,000 H100e):
    the deal is left out, the result says so, and V is the best whole-step portfolio's
    (the brute force's), above the result that kept the deal."""
    path = _portfolio(tmp_path, seed)
    result = _solved(path)
    assert code not in [d["partner"] for d in result["deals"]]
    assert code in result["no_deal"]
    assert f"{code}'s deal is left out: in whole steps it was worth" in result["message"]
    whole, _ = ref.best(_spec(seed), "us", steps=True)
    assert result["us_value"] == pytest.approx(whole, abs=TOL)
    # what a user reads: the step, the deal left out and V before rounding, in one line
    text = " ".join(invoke(["solve", path]).stdout.split())
    assert f"{code}'s deal is left out" in text
    assert "V before rounding" in text


def test_a_required_deal_stays_though_it_loses_the_us_money(tmp_path: Path) -> None:
    """--require-deal PA: the deal is the user's to keep, worth what it is."""
    path = _portfolio(tmp_path, 473)
    result = _solved(path, "--require-deal", "PA")
    pa = next(d for d in result["deals"] if d["partner"] == "PA")
    assert pa["us_value"] < pa["us_batna"]
    assert "left out" not in result["message"]


def test_the_checker_refuses_a_partner_rounded_below_its_walk_away_value(
    tmp_path: Path,
) -> None:
    """The partner's side: PC of seed 1004 at 10,000 / 40,000 H100e (a step short of
    what it needs) does not accept, and `check` says so."""
    pf = load_portfolio(_portfolio(tmp_path, 1004, "range-min"))
    short = Package(
        partner="PC",
        security="kyc",
        compute={"2026": 10_000, "2027": 40_000},
        concessions={"c0": "50bn", "c1": "small"},
    )
    checked = check(pf, [short])
    assert not checked.ok
    assert any("PC" in p and "accept" in p for p in checked.problems()), checked.problems()


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    step=st.sampled_from([1000, 2500, 5000, 10000]),
    require_first=st.booleans(),
)
@example(seed=1004, step=5000, require_first=False)
@example(seed=473, step=10000, require_first=False)
@example(seed=1117, step=2500, require_first=False)
@example(seed=473, step=10000, require_first=True)
def test_every_deal_of_a_us_best_result_gives_the_us_at_least_no_deal(
    seed: int, step: int, require_first: bool
) -> None:
    """Over generated small portfolios (every shape of the reference) in whole steps:
    every deal of a us-best result is worth at least no deal to the US, unless required;
    every partner with a deal accepts; the check vouches for the packages."""
    spec = ref.random_spec(random.Random(seed), "range-min" if seed == 1004 else None)
    if spec.step == 0 or seed in (473, 1117):
        spec.portfolio["granularity"] = step
    with tempfile.TemporaryDirectory() as tmp:
        pf = load_portfolio(ref.write(spec, Path(tmp)))
    require = [pf.partners[0].code] if require_first else []
    result = solve(pf, "us-best", require=require)
    if result.status.value != "optimal":
        return  # a required partner without an acceptable package: explained elsewhere
    assert check(pf, [d.package() for d in result.deals]).ok
    for deal in result.deals:
        assert deal.accepts
        assert deal.partner_utility >= deal.acceptance_threshold - TOL
        if deal.partner not in require:
            assert deal.us_value >= deal.us_batna - TOL, (deal.partner, result.message)
