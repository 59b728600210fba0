"""Session 49 (qa49-library): the analysis calls given what a notebook passes them.

- `compare(pf, regimes, overrides=["partners.AE.batna=3bn"])` (the `--set` texts every
  other call taking overrides reads) was `ValueError: dictionary update sequence element
  #0 has length 21`, and `sweep_param(overrides=[...])` did not see the swept path among
  them.
- `options={"gap": 0.01}` (a dict where a `SolveOptions` goes) was `AttributeError:
  'dict' object has no attribute 'warm'`; `SolveOptions(mode="bogus")` or `gap=5` was
  taken, and refused only by the first solve.
- `executor=4` (a count of jobs) or a `concurrent.futures` executor was an AttributeError
  (`compare`, `sweep_scenarios`, `risk_report`) or ran here unsaid (`room`).
- `load_scenario(path, None, "partners.AE.batna=3bn")` read the one text letter by letter
  (`sets: expected PATH=VALUE ..., got 'p'`), and `sets=None` was list()'s TypeError.
- `frontier(pf, "AE", points=0)` said `points: points must be between 2 and 1000, or
  'all'`, not what it was given, where the CLI and the web say `expected a number 2-1000
  or 'all', not '0'`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dealbench import (
    ArgumentError,
    Portfolio,
    SolveOptions,
    compare,
    frontier,
    load_package,
    load_portfolio,
    load_scenario,
    risk_report,
    room,
    sweep_param,
    sweep_scenarios,
)
from helpers import REPO


def test_compare_and_sweep_take_overrides_as_set_texts(tiny_portfolio: Portfolio) -> None:
    """The overrides a call takes are one thing in every call: a mapping of path to value,
    or PATH=VALUE texts (a list, or one alone), as `apply_overrides` reads them."""
    as_dict, _ = compare(tiny_portfolio, "tiered", overrides={"partners.AA.batna": "3bn"})
    for given in (["partners.AA.batna=3bn"], "partners.AA.batna=3bn"):
        as_text, _ = compare(tiny_portfolio, "tiered", overrides=given)
        assert as_text.regimes[0].us_value == as_dict.regimes[0].us_value
        assert as_text.overrides == as_dict.overrides == {"partners.AA.batna": "3bn"}
    with pytest.raises(ArgumentError, match=r"the sweep varies partners.AA.batna itself"):
        sweep_param(
            tiny_portfolio,
            "partners.AA.batna",
            "1bn",
            "2bn",
            2,
            overrides=["partners.AA.batna=5bn"],
        )


def test_solve_options_are_checked_when_made_and_when_given(tiny_portfolio: Portfolio) -> None:
    with pytest.raises(ArgumentError, match=r"^options: expected a SolveOptions") as caught:
        compare(tiny_portfolio, "tiered", options={"gap": 0.01})  # type: ignore[arg-type]
    assert caught.value.argument == "options"
    with pytest.raises(ArgumentError, match=r"^options: expected a SolveOptions"):
        sweep_param(tiny_portfolio, "partners.AA.batna", "1bn", "2bn", 2, options={})  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^mode: unknown mode 'bogus'"):
        SolveOptions(mode="bogus")
    with pytest.raises(ArgumentError, match=r"^gap: expected a relative gap"):
        SolveOptions(gap=5)


def test_an_executor_of_another_kind_is_refused_by_name(
    tiny_portfolio: Portfolio, gulf_portfolio: Portfolio, tmp_path: object
) -> None:
    words = r"^executor: expected an Executor \(make_executor\(jobs, None, None\) makes one\)"
    with pytest.raises(ArgumentError, match=words):
        compare(tiny_portfolio, "tiered", executor=4)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=words):
        sweep_scenarios(tiny_portfolio, [], executor=ThreadPoolExecutor(1))  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=words):
        room(gulf_portfolio, REPO / "deals/rounds/gulf-asia", executor=2)  # type: ignore[arg-type]
    uncertain = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    offer = load_package(REPO / "deals/packages/ae-offer.yaml", uncertain)
    with pytest.raises(ArgumentError, match=words):
        risk_report(uncertain, offer, samples=10, executor=2)  # type: ignore[arg-type]


def test_load_scenario_takes_one_set_text_alone() -> None:
    pf = load_scenario(REPO / "deals/portfolios/gulf-asia.yaml", None, "partners.AE.batna=3bn")
    assert pf.overrides == {"partners.AE.batna": "3bn"}
    assert pf.partner("AE").batna == 3e9  # type: ignore[union-attr]
    with pytest.raises(ArgumentError, match=r"^sets: expected a list of PATH=VALUE texts"):
        load_scenario(REPO / "deals/portfolios/gulf-asia.yaml", None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("points", [0, 1, 2.5, "ALL", 1001])
def test_frontier_points_refused_in_the_clis_words_with_the_value(
    tiny_portfolio: Portfolio, points: object
) -> None:
    with pytest.raises(ArgumentError) as caught:
        frontier(tiny_portfolio, "AA", points=points)  # type: ignore[arg-type]
    assert str(caught.value) == f"points: expected a number 2-1000 or 'all', not {points!r}"
