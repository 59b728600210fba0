"""dealbench used as a library, as a new user would in a notebook: arguments a call cannot
use are refused before any work, as `dealbench.errors` types, in words that name them."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import dealbench
from dealbench import (
    DealbenchError,
    InputError,
    Package,
    SolveOptions,
    check,
    compare,
    documents_for,
    evaluate,
    find_regime,
    frontier,
    history,
    load_negotiations,
    load_portfolio,
    next_offer,
    parse_set,
    record_counter,
    record_offer,
    render_document,
    replan,
    residual,
    room,
    rounds_root,
    shadow_prices,
    solve,
    source_from_result,
    us_best_at,
)
from dealbench.errors import ArgumentError
from dealbench.negotiate.rounds.write import package_yaml
from helpers import DATA, REPO, invoke

TINY = DATA / "tiny/portfolio.yaml"


@pytest.mark.parametrize(
    ("kwargs", "argument", "words"),
    [
        ({"mode": "best"}, "mode", "unknown mode 'best'; expected one of: us-best"),
        ({"method": "fast"}, "method", "unknown method 'fast'"),
        ({"gap": -1.0}, "gap", "expected a relative gap from 0 to below 1"),
        ({"gap": 2.0}, "gap", "expected a relative gap from 0 to below 1"),
        ({"time_limit": -1.0}, "time_limit", "expected a positive number of seconds"),
        (
            {"require": ["ZZ"]},
            "require",
            "partner 'ZZ' is not in portfolio tiny; expected one of: AA",
        ),
    ],
)
def test_solve_refuses_an_argument_it_cannot_use(
    tiny_portfolio: dealbench.Portfolio, kwargs: dict[str, Any], argument: str, words: str
) -> None:
    """A typo in the mode solved us-best and said 'optimal' under mode 'best'; a negative
    gap or time limit came back as status 'time-limit'."""
    with pytest.raises(ArgumentError, match=re.escape(words)) as info:
        solve(tiny_portfolio, **kwargs)
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert info.value.argument == argument
    assert info.value.exit_code == 2


def test_solve_takes_one_required_partner_as_a_string(tiny_portfolio: dealbench.Portfolio) -> None:
    """`require="AA"` was read letter by letter ('A' is not a partner)."""
    result = solve(tiny_portfolio, require="AA")
    assert [d.partner for d in result.deals] == ["AA"]
    assert check(tiny_portfolio, [d.package() for d in result.deals]).ok


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"axis": "money"}, "axis"),
        ({"gap": -0.5}, "gap"),
        ({"points": 1}, "points"),
        ({"points": 2.5}, "points"),
    ],
)
def test_frontier_refuses_before_any_solve(
    tiny_portfolio: dealbench.Portfolio, kwargs: dict[str, Any], argument: str
) -> None:
    """A bad axis failed after the work, in pydantic's words about `Frontier`; a negative
    gap was used as given."""
    with pytest.raises(ArgumentError) as info:
        frontier(tiny_portfolio, "AA", **kwargs)
    assert info.value.argument == argument


def test_an_unknown_partner_is_a_dealbench_error(tiny_portfolio: dealbench.Portfolio) -> None:
    """frontier, us_best_at and evaluate raised a bare ValueError, which a caller catching
    DealbenchError (as the shells do) did not catch."""
    stranger = Package(partner="ZZ", security="none", compute={}, concessions={})
    calls: list[Callable[[], object]] = [
        lambda: frontier(tiny_portfolio, "ZZ"),
        lambda: us_best_at(tiny_portfolio, "ZZ", 1e9),
        lambda: evaluate(tiny_portfolio, stranger),
    ]
    for call in calls:
        with pytest.raises(DealbenchError, match="partner 'ZZ' is not in portfolio tiny"):
            call()


def test_the_cli_says_a_library_refusal_under_its_option() -> None:
    run = invoke(["frontier", TINY, "--partner", "AA", "--points", "all", "--jointly"])
    assert run.exit_code == 2
    assert run.stderr.startswith("error: --points: 'all' is exact for one partner")
    run = invoke(["solve", TINY, "--gap", "-1"])
    assert run.exit_code == 2
    assert run.stderr == (
        "error: --gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got -1\n"
    )


GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.fixture
def gulf_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/ (never the repository's own rounds)."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    return tmp_path / "deals/portfolios/gulf-asia.yaml"


def test_the_rounds_calls_take_a_str_as_well_as_a_path(gulf_copy: Path) -> None:
    """`rounds_root("deals/portfolios/x.yaml", pf)` and `room(pf, "deals/rounds/x")`
    failed with "'str' object has no attribute 'resolve'" ('exists')."""
    pf = load_portfolio(gulf_copy)
    root = rounds_root(str(gulf_copy), pf)
    assert root == rounds_root(gulf_copy, pf)
    assert room(pf, str(root)) == room(pf, root)
    assert history(pf, str(root), "AE") == history(pf, root, "AE")
    assert load_negotiations(pf, str(root)).keys() == load_negotiations(pf, root).keys()
    offer = record_offer(pf, str(root), "QA", strategy="boulware")
    assert offer.round.path == root / "QA/001-us.yaml"
    assert offer.proposal is not None
    assert check(pf, [offer.proposal.package]).ok  # alone, the offer breaks no limit
    asked = offer.proposal.package.model_copy(update={"side": "partner", "round": None})
    counter_file = gulf_copy.parent / "qa-counter.yaml"
    counter_file.write_text(package_yaml(asked), "utf-8")
    counter = record_counter(pf, str(root), "QA", str(counter_file))
    assert counter.round.path == root / "QA/002-partner.yaml"


def test_next_offer_names_an_unknown_partner(gulf_copy: Path) -> None:
    """It raised a bare KeyError: 'XX'."""
    pf = load_portfolio(gulf_copy)
    negotiations = load_negotiations(pf, rounds_root(gulf_copy, pf))
    plan = replan(pf, negotiations)
    with pytest.raises(DealbenchError, match="partner 'XX' is not in portfolio gulf-asia"):
        next_offer(pf, negotiations, plan, "XX")


def test_the_analysis_layer_and_its_types_are_exported() -> None:
    """shadow prices, sweeps, risk, regimes, the rounds' and the documents' calls were only
    in subpackages, though the issues list them as `dealbench` calls."""
    for name in (
        "shadow_prices",
        "sweep_param",
        "sweep_scenarios",
        "risk_report",
        "find_regime",
        "REGIMES",
        "Room",
        "Verdict",
        "NextOffer",
        "ArgumentError",
        "SolverError",
        "SolverLimitError",
        "RenderError",
        "documents_for",
        "render_document",
    ):
        assert name in dealbench.__all__
        assert getattr(dealbench, name) is not None


def test_shadow_prices_refuse_a_result_of_another_portfolio(
    tiny_portfolio: dealbench.Portfolio, gulf_portfolio: dealbench.Portfolio
) -> None:
    """It failed with a bare AssertionError deep in the fixed LP."""
    gulf = gulf_portfolio
    result = solve(gulf, gap=1e-4)
    assert check(gulf, [d.package() for d in result.deals]).ok
    with pytest.raises(ArgumentError, match="the result is for portfolio 'gulf-asia', not 'tiny'"):
        shadow_prices(tiny_portfolio, result, compare=False)


def test_compare_takes_regime_names_and_refuses_none(gulf_portfolio: dealbench.Portfolio) -> None:
    """`compare(pf, ["repeal"])` failed with "'str' object has no attribute 'id'", and
    `compare(pf, [])` returned an empty comparison."""
    gulf = gulf_portfolio
    comparison, solved = compare(gulf, ["repeal"], options=SolveOptions(gap=1e-4))
    assert [row.regime for row in comparison.regimes] == ["repeal"]
    pf, result = solved["repeal"]
    assert check(pf, [d.package() for d in result.deals]).ok
    by_policy, _ = compare(gulf, [find_regime("repeal")], options=SolveOptions(gap=1e-4))
    assert by_policy.regimes[0].us_value == comparison.regimes[0].us_value
    with pytest.raises(ArgumentError, match="at least one policy"):
        compare(gulf, [])
    with pytest.raises(InputError, match="unknown regime 'nope'"):
        compare(gulf, ["nope"])


def test_solve_says_it_wants_a_portfolio_not_its_path() -> None:
    """`solve("deals/portfolios/x.yaml")` failed with "'str' object has no attribute
    'policy'" deep in the decomposition."""
    with pytest.raises(ArgumentError, match=r"expected a Portfolio \(load_portfolio\(path\)"):
        solve(str(TINY))  # type: ignore[arg-type]


def test_render_document_refuses_a_format_it_cannot_write(
    tiny_portfolio: dealbench.Portfolio,
) -> None:
    """`render_document(doc, ["rtf"])` returned no file and no error, and a format given
    alone as a str ("md") was read letter by letter: no file either."""
    result = solve(tiny_portfolio)
    assert check(tiny_portfolio, [d.package() for d in result.deals]).ok
    (doc, *_) = documents_for(source_from_result(tiny_portfolio, result), "term-sheet")
    assert [f.path for f in render_document(doc, "md")] == [f"{doc.path}.md"]
    assert render_document(doc, "md") == render_document(doc, ["md"])
    with pytest.raises(ArgumentError, match="unknown format 'rtf'; expected one of: md, html"):
        render_document(doc, ["rtf"])  # type: ignore[list-item]


def test_one_thing_where_a_list_is_expected_is_not_taken_apart(
    tiny_portfolio: dealbench.Portfolio,
) -> None:
    """`check(pf, package)` and `residual(pf, fixed=package)` failed with "'tuple' object
    has no attribute 'partner'" (a pydantic model iterates as pairs); `parse_set("a=b")`
    and `compare(pf, "repeal")` read the str letter by letter."""
    result = solve(tiny_portfolio)
    (deal,) = result.deals
    package = deal.package()
    assert check(tiny_portfolio, package) == check(tiny_portfolio, [package])
    assert check(tiny_portfolio, package).ok
    assert residual(tiny_portfolio, fixed=package) == residual(tiny_portfolio, fixed=[package])
    assert residual(tiny_portfolio, excluded="AA") == residual(tiny_portfolio, excluded=["AA"])
    assert parse_set("partners.AE.batna=3bn") == {"partners.AE.batna": "3bn"}
    with pytest.raises(InputError, match="unknown regime 'nope'"):
        compare(tiny_portfolio, "nope")
