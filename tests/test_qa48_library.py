"""Session 48 (qa48-library): dealbench as a notebook uses it, each exported call given
the values a slip of the hand gives it.

- `dir(dealbench)` and `help(dealbench)` showed `__getattr__` alone: the exports are
  imported on first use, and the module said nothing of them until then.
- An amount that is no number (`solve(pf, "partner-best", v_floor=nan)`: the
  decomposition's "could not solve the master LP"; `formulate`'s: PuLP's error;
  `next_offer(..., walk_away=nan)`: an offer chosen by it) and a count below its least
  (`no_deal_reasons(limit=-1)` and `improvements(top=-1)` kept all but the last, as a
  slice does; `frontier(jobs=0)` ran unsaid where `risk_report(jobs=0)` is refused).
- `replan(fix={"SA": ae_package})` replaced SA's concluded deal with AE's package and
  re-planned SA as open; `check(agreed=["ae"])` counted no deal as concluded, unsaid.
- `shadow_prices(pf, r, mode="nash")` re-solved in Nash's mode to price a us-best
  optimum; a misspelt option was `solve()`'s TypeError.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

import dealbench
from dealbench import ArgumentError
from helpers import DATA, REPO

TINY = DATA / "tiny/portfolio.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"
AE_COUNTER = REPO / "deals/packages/ae-counter.yaml"


def test_dir_and_help_of_dealbench_show_every_export() -> None:
    """A fresh interpreter, as a notebook's: completion of `dealbench.` reads `dir`, and
    `help(dealbench)` lists the functions and classes `dir` gives."""
    script = (
        "import dealbench, pydoc\n"
        "missing = sorted(set(dealbench.__all__) - set(dir(dealbench)))\n"
        "text = pydoc.render_doc(dealbench, renderer=pydoc.plaintext)\n"
        "print(missing, 'solve(portfolio' in text, 'class SolveResult' in text)\n"
    )
    env = {"PYTHONPATH": str(Path(dealbench.__file__).parents[1])}  # the tree under test
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["[]", "True", "True"]


def test_an_amount_that_is_no_number_is_refused_by_name(
    tiny_portfolio: dealbench.Portfolio, tmp_path: Path
) -> None:
    for floor in (math.nan, math.inf):
        with pytest.raises(ArgumentError, match=r"^v_floor: expected an amount of USD") as err:
            dealbench.solve(tiny_portfolio, "partner-best", v_floor=floor)
        assert err.value.argument == "v_floor"
        with pytest.raises(ArgumentError, match=r"^v_floor: expected an amount of USD"):
            dealbench.formulate(tiny_portfolio, "partner-best", v_floor=floor)
    negotiations = dealbench.load_negotiations(tiny_portfolio, tmp_path / "rounds")
    plan = dealbench.replan(tiny_portfolio, negotiations)
    with pytest.raises(ArgumentError, match=r"^walk_away: expected an amount of USD"):
        dealbench.next_offer(tiny_portfolio, negotiations, plan, "AA", walk_away=math.nan)
    assert (
        dealbench.solve(tiny_portfolio, "partner-best", v_floor=0).status == "optimal"
    )  # as before


def test_a_count_below_its_least_is_refused_by_name(tiny_portfolio: dealbench.Portfolio) -> None:
    result = dealbench.solve(tiny_portfolio)
    package = result.deals[0].package()
    with pytest.raises(ArgumentError, match=r"^limit: expected 0 or more partners to explain"):
        dealbench.no_deal_reasons(tiny_portfolio, result, limit=-1)
    with pytest.raises(ArgumentError, match=r"^limit: expected 0 or more"):
        dealbench.compare(tiny_portfolio, ["repeal"], explain=True, limit=-1)
    for top in (0, -1):
        with pytest.raises(ArgumentError, match=rf"^top: expected at least 1, got {top}"):
            dealbench.improvements(tiny_portfolio, package, top=top)
    with pytest.raises(ArgumentError, match=r"^jobs: expected at least 1, got 0"):
        dealbench.frontier(tiny_portfolio, "AA", points=3, jobs=0)
    assert dealbench.no_deal_reasons(tiny_portfolio, result, limit=0) == []  # 0 and None stay


def test_replan_refuses_a_package_held_under_another_partners_code(
    gulf_portfolio: dealbench.Portfolio,
) -> None:
    ae = dealbench.load_package(AE_COUNTER, gulf_portfolio)
    with pytest.raises(ArgumentError, match=r"^fix: SA: the package is AE's; key each"):
        dealbench.replan(gulf_portfolio, {}, fix={"SA": ae})
    with pytest.raises(ArgumentError, match=r"^fix: partner 'ZZ' is not in portfolio"):
        dealbench.replan(gulf_portfolio, {}, fix={"ZZ": ae})


def test_check_refuses_an_agreed_code_the_portfolio_has_not(
    gulf_portfolio: dealbench.Portfolio,
) -> None:
    ae = dealbench.load_package(AE_COUNTER, gulf_portfolio)
    with pytest.raises(ArgumentError, match=r"^agreed: partner 'ae' is not in portfolio"):
        dealbench.check(gulf_portfolio, [ae], agreed=["ae"])
    assert dealbench.check(gulf_portfolio, [ae], agreed=["AE"]).deals[0].partner == "AE"


def test_shadow_prices_refuses_an_option_its_resolves_cannot_take(
    tiny_portfolio: dealbench.Portfolio,
) -> None:
    result = dealbench.solve(tiny_portfolio)
    for option in ("mode", "gapp"):
        with pytest.raises(ArgumentError, match=rf"^{option}: unknown option of the re-solves"):
            dealbench.shadow_prices(tiny_portfolio, result, **{option: "nash"})
    assert dealbench.shadow_prices(tiny_portfolio, result, gap=1e-6, v_floor=None).supply
