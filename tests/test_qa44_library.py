"""dealbench from a notebook (session 44, qa44-library): what a new analyst passes by
mistake (a path where a loaded object goes, a date as text, a partner code the portfolio
lacks, a misspelt audience or side) is refused as `dealbench.ArgumentError` naming the
parameter and what to pass, before any work, never as an AttributeError, KeyError,
TypeError or pydantic's ValidationError from deep inside."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import dealbench
from dealbench.errors import ArgumentError
from helpers import DATA, invoke

TINY = DATA / "tiny/portfolio.yaml"
PACKAGE = "AE package.yaml"  # a path, as a new user passes one


@pytest.fixture(scope="module")
def solved(tiny_portfolio: dealbench.Portfolio) -> dealbench.SolveResult:
    return dealbench.solve(tiny_portfolio)


Call = Callable[[dealbench.Portfolio, dealbench.SolveResult], object]

WRONG_TYPES: list[tuple[str, Call, str, str]] = [
    (
        "evaluate a path",
        lambda pf, r: dealbench.evaluate(pf, PACKAGE),  # type: ignore[arg-type]
        "package",
        "expected a Package (load_package(path, portfolio) reads one",
    ),
    (
        "evaluate a dict",
        lambda pf, r: dealbench.evaluate(pf, {"partner": "AA"}),  # type: ignore[arg-type]
        "package",
        "got {'partner': 'AA'}",
    ),
    (
        "check a path",
        lambda pf, r: dealbench.check(pf, PACKAGE),  # type: ignore[arg-type]
        "packages",
        "expected a Package or a list of them",
    ),
    (
        "check None",
        lambda pf, r: dealbench.check(pf, None),  # type: ignore[arg-type]
        "packages",
        "got None",
    ),
    (
        "load_package with the portfolio's path",
        lambda pf, r: dealbench.load_package(PACKAGE, str(TINY)),  # type: ignore[arg-type]
        "portfolio",
        "expected a Portfolio (load_portfolio(path) reads one)",
    ),
    (
        "frontier of a path",
        lambda pf, r: dealbench.frontier(str(TINY), "AA"),  # type: ignore[arg-type]
        "portfolio",
        "expected a Portfolio (load_portfolio(path) reads one)",
    ),
    (
        "improvements of a path",
        lambda pf, r: dealbench.improvements(pf, PACKAGE),  # type: ignore[arg-type]
        "package",
        "expected a Package",
    ),
    (
        "residual fixing a path",
        lambda pf, r: dealbench.residual(pf, fixed=PACKAGE),  # type: ignore[arg-type]
        "fixed",
        "expected a Package or a list of them",
    ),
    (
        "zopas at a path",
        lambda pf, r: dealbench.zopas(pf, "out/result.json"),  # type: ignore[arg-type]
        "base",
        "expected a SolveResult (solve(portfolio) returns one; load_result(path) reads",
    ),
    (
        "shadow prices of a path",
        lambda pf, r: dealbench.shadow_prices(pf, "out/result.json"),  # type: ignore[arg-type]
        "result",
        "expected a SolveResult",
    ),
    (
        "diff of a path",
        lambda pf, r: dealbench.diff_results(r, "out/result.json"),  # type: ignore[arg-type]
        "b",
        "expected a SolveResult",
    ),
    (
        "documents of a path",
        lambda pf, r: dealbench.source_from_result(pf, "out/result.json"),  # type: ignore[arg-type]
        "result",
        "expected a SolveResult",
    ),
    (
        "rounds_root with its arguments swapped",
        lambda pf, r: dealbench.rounds_root(pf, TINY),  # type: ignore[arg-type]
        "portfolio_path",
        # every path parameter's words since qa47-library (`arguments.checked`)
        "expected a path (a str or an os.PathLike, such as pathlib.Path), got Portfolio(",
    ),
    (
        "us_best_at an amount as text",
        lambda pf, r: dealbench.us_best_at(pf, "AA", "30bn", base=r),  # type: ignore[arg-type]
        "partner_utility",
        "expected an amount of USD as a number, such as 30e9, got '30bn'",
    ),
    (
        "risk of a path",
        lambda pf, r: dealbench.risk_report(pf, PACKAGE),  # type: ignore[arg-type]
        "package",
        "expected a Package",
    ),
]


@pytest.mark.parametrize(
    ("call", "argument", "words"),
    [case[1:] for case in WRONG_TYPES],
    ids=[case[0] for case in WRONG_TYPES],
)
def test_a_path_where_a_loaded_object_goes_is_refused_by_name(
    tiny_portfolio: dealbench.Portfolio,
    solved: dealbench.SolveResult,
    call: Call,
    argument: str,
    words: str,
) -> None:
    """Each was an AttributeError ('str' object has no attribute 'partner'), a TypeError
    or a wrong answer: `check(pf, "x.yaml")` iterated the path's characters."""
    with pytest.raises(ArgumentError, match=re.escape(words)) as info:
        call(tiny_portfolio, solved)
    assert info.value.argument == argument
    assert isinstance(info.value, ValueError) and info.value.exit_code == 2


def test_a_result_of_another_portfolio_is_said_as_such_where_deals_are_held(
    tiny_portfolio: dealbench.Portfolio, solved: dealbench.SolveResult
) -> None:
    """`frontier(pf, code, base=...)`, `us_best_at` and `zopas` said "partner 'IL' is not
    in portfolio gulf-asia", a partner the user never named, for a global.yaml solve."""
    other = solved.model_copy(update={"portfolio": "global"})
    words = "base: the result is for portfolio 'global', not 'tiny'"
    for call in (
        lambda: dealbench.zopas(tiny_portfolio, other),
        lambda: dealbench.frontier(tiny_portfolio, "AA", points=2, base=other),
        lambda: dealbench.us_best_at(tiny_portfolio, "AA", 1e9, base=other),
    ):
        with pytest.raises(ArgumentError, match=re.escape(words)):
            call()


def test_a_partner_code_the_portfolio_lacks_is_not_ignored(
    tiny_portfolio: dealbench.Portfolio,
) -> None:
    """`residual(pf, excluded=["ZZ"])` and `replan(pf, {}, excluded=["ZZ"])` returned as if
    the code were not there: a typo'd exclusion excluded nobody."""
    with pytest.raises(ArgumentError, match="partner 'ZZ' is not in portfolio tiny") as info:
        dealbench.residual(tiny_portfolio, excluded=["ZZ"])
    assert info.value.argument == "excluded"
    with pytest.raises(ArgumentError, match="partner 'ZZ' is not in portfolio tiny") as info:
        dealbench.replan(tiny_portfolio, {}, excluded=["ZZ"])
    assert info.value.argument == "excluded"
    # the codes it has still go: the residual has no partner left
    assert dealbench.residual(tiny_portfolio, excluded="AA").partners == []


def test_formulate_refuses_a_mode_as_solve_does(tiny_portfolio: dealbench.Portfolio) -> None:
    """Exported beside `solve`, it raised a bare ValueError without the argument's name."""
    with pytest.raises(
        ArgumentError, match=r"unknown mode 'us_best'.*did you mean 'us-best'"
    ) as info:
        dealbench.formulate(tiny_portfolio, "us_best")  # type: ignore[arg-type]
    assert info.value.argument == "mode"


def test_documents_refuse_a_misspelt_audience_and_a_date_as_text(
    tiny_portfolio: dealbench.Portfolio, solved: dealbench.SolveResult
) -> None:
    """`audience="Internal"` was a KeyError: 'Internal'; `date="2026-03-01"` an
    AttributeError: 'str' object has no attribute 'isoformat'."""
    deal = solved.deals[0]
    source = dealbench.source_from_result(tiny_portfolio, solved)
    calls: list[tuple[Callable[[], object], str, str]] = [
        (
            lambda: dealbench.render_term_sheet(tiny_portfolio, deal, audience="Internal"),  # type: ignore[arg-type]
            "audience",
            "unknown audience 'Internal'; expected one of: external, internal; did you mean 'internal'?",
        ),
        (
            lambda: dealbench.documents_for(source, "term-sheet", audience="partner"),  # type: ignore[arg-type]
            "audience",
            "unknown audience 'partner'",
        ),
        (
            lambda: dealbench.render_term_sheet(tiny_portfolio, deal, date="2026-03-01"),  # type: ignore[arg-type]
            "date",
            "expected a datetime.date, such as datetime.date(2026, 3, 1)",
        ),
        (
            lambda: dealbench.documents_for(source, "term-sheet", date="2026-03-01"),  # type: ignore[arg-type]
            "date",
            "got '2026-03-01'",
        ),
        (
            lambda: dealbench.render_term_sheet(tiny_portfolio, deal.package()),  # type: ignore[arg-type]
            "deal",
            "expected a deal's DealFigures (evaluate(portfolio, package) gives them), got Package",
        ),
    ]
    for call, argument, words in calls:
        with pytest.raises(ArgumentError, match=re.escape(words)) as info:
            call()
        assert info.value.argument == argument
    # what the refusals point to works
    text = dealbench.render_term_sheet(
        tiny_portfolio, deal, audience="internal", date=dt.date(2026, 3, 1)
    )
    assert "| Date | 1 March 2026 |" in text


def test_rounds_refuse_a_date_as_text_and_a_misspelt_side_writing_nothing(
    tiny_portfolio: dealbench.Portfolio, tmp_path: Path
) -> None:
    """`record_offer(..., date="2026-03-01")` was an AttributeError ('str' object has no
    attribute 'year'); `walk_away(..., by="them")` pydantic's "1 validation error for
    RoundFile"."""
    root = tmp_path / "rounds"
    calls: list[tuple[Callable[[], Any], str, str]] = [
        (
            lambda: dealbench.record_offer(tiny_portfolio, root, "AA", date="2026-03-01"),  # type: ignore[arg-type]
            "date",
            "expected a datetime.date",
        ),
        (
            lambda: dealbench.walk_away(tiny_portfolio, root, "AA", by="them"),  # type: ignore[arg-type]
            "by",
            "unknown side 'them'; expected one of: us, partner",
        ),
    ]
    for call, argument, words in calls:
        with pytest.raises(ArgumentError, match=re.escape(words)) as info:
            call()
        assert info.value.argument == argument
    assert not list(root.rglob("*.yaml"))
    offer = dealbench.record_offer(tiny_portfolio, root, "AA", date=dt.date(2026, 3, 1))
    assert offer.round.number == 1
    assert dealbench.walk_away(tiny_portfolio, root, "AA", by="partner").number == 2


def test_a_library_solve_says_why_a_partner_has_no_deal_as_solve_json_does() -> None:
    """`solve(...).model_dump()` carried `no_deal_reasons: None` where `solve --json`
    said why AA has no deal, and nothing exported worked it out: `no_deal_reasons` is."""
    pf = dealbench.load_scenario(TINY, sets=["partners.AA.batna=1000bn"])
    result = dealbench.solve(pf)
    assert result.no_deal == ["AA"] and result.no_deal_reasons is None
    explained = result.explained(dealbench.no_deal_reasons(pf, result), pf)
    run = invoke(["solve", TINY, "--set", "partners.AA.batna=1000bn", "--json"])
    assert run.exit_code == 0, run.stderr
    said = json.loads(run.stdout)["no_deal_reasons"]
    assert said[0]["reason"] == "no-acceptable-package"
    assert explained.model_dump(mode="json")["no_deal_reasons"] == said
