"""Session 47 (qa47-library): dealbench as a notebook uses it, every call from `dealbench`.

- An argument of another kind went through to a deep traceback: a path parameter given
  None or a number (`load_portfolio(None)`, `room(pf, 3)`: pathlib's TypeError), a choice
  given a number (`solve(pf, 3)`: 'int' object has no attribute 'casefold'), a list of
  codes or texts given None or a number (`solve(pf, require=None)`, `render_document(doc,
  None)`, `parse_set(None)`), `concession_ranking(pf, 3)`, `zopas("x.yaml")`. Each is an
  ArgumentError naming the parameter now, from the checks every call shares.
- `no_deal_reasons` explained another portfolio's result against this one.
- `frontier_from_rounds` drew the plain frontier under the re-plan's name for a rounds
  folder that does not exist, which the CLI refuses.
- A Portfolio built in code skipped the rules comparing its partners with its regime,
  periods and caps: the model checks them itself now (`portfolio_rules`), and a file's
  messages are as they were.
- Partner, Policy and SweepResult showed pydantic's docstring under `help()`.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import dealbench
from dealbench import ArgumentError, InputError
from helpers import DATA, REPO, Runner, deals_copy

TINY = DATA / "tiny/portfolio.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.fixture(scope="module")
def solved(tiny_portfolio: dealbench.Portfolio) -> dealbench.SolveResult:
    return dealbench.solve(tiny_portfolio)


Call = Callable[[dealbench.Portfolio, dealbench.SolveResult, Path], Any]


def _doc(pf: dealbench.Portfolio, r: dealbench.SolveResult) -> Any:
    return dealbench.documents_for(dealbench.source_from_result(pf, r), "term-sheet")[0]


CASES: list[tuple[str, Call, str, str]] = [
    # a path: a str or an os.PathLike
    ("load_portfolio(None)", lambda pf, r, t: dealbench.load_portfolio(None), "path", "got None"),  # type: ignore[arg-type]
    ("room(pf, 3)", lambda pf, r, t: dealbench.room(pf, 3), "root", "got 3"),  # type: ignore[arg-type]
    ("history root", lambda pf, r, t: dealbench.history(pf, [t], "AA"), "root", "got ["),  # type: ignore[arg-type]
    ("find_regime(3)", lambda pf, r, t: dealbench.find_regime(3), "name", "got 3"),  # type: ignore[arg-type]
    (
        "frontier_from_rounds root",
        lambda pf, r, t: dealbench.frontier_from_rounds(pf, {"a": 1}, "AA"),  # type: ignore[arg-type]
        "root",
        "got {'a': 1}",
    ),
    (
        "render_document templates",
        lambda pf, r, t: dealbench.render_document(_doc(pf, r), "md", templates=3),  # type: ignore[arg-type]
        "templates",
        "got 3",
    ),
    # one of a few words
    ("solve mode", lambda pf, r, t: dealbench.solve(pf, 3), "mode", "one of: us-best"),  # type: ignore[arg-type]
    ("solve method", lambda pf, r, t: dealbench.solve(pf, method=2.5), "method", "got 2.5"),  # type: ignore[arg-type]
    ("frontier axis", lambda pf, r, t: dealbench.frontier(pf, "AA", axis=1), "axis", "got 1"),  # type: ignore[arg-type]
    (
        "documents_for kind",
        lambda pf, r, t: dealbench.documents_for(dealbench.source_from_result(pf, r), pf),  # type: ignore[arg-type]
        "kind",
        "got Portfolio(",
    ),
    # codes and texts: a list of str, or one alone
    ("solve require", lambda pf, r, t: dealbench.solve(pf, require=None), "require", "got None"),  # type: ignore[arg-type]
    (
        "formulate require",
        lambda pf, r, t: dealbench.formulate(pf, require=["ZZ"]),
        "require",
        "'ZZ'",
    ),
    ("residual excluded", lambda pf, r, t: dealbench.residual(pf, excluded=3), "excluded", "got 3"),  # type: ignore[arg-type]
    (
        "concession_ranking",
        lambda pf, r, t: dealbench.concession_ranking(pf, 3),
        "partner",
        "got 3",
    ),  # type: ignore[arg-type]
    (
        "no_deal_reasons require",
        lambda pf, r, t: dealbench.no_deal_reasons(pf, r, require=5),  # type: ignore[arg-type]
        "require",
        "got 5",
    ),
    (
        "check agreed",
        lambda pf, r, t: dealbench.check(pf, [d.package() for d in r.deals], agreed=None),  # type: ignore[arg-type]
        "agreed",
        "got None",
    ),
    (
        "check checked",
        lambda pf, r, t: dealbench.check(pf, [d.package() for d in r.deals], checked="AA"),  # type: ignore[arg-type]
        "checked",
        "got 'AA'",
    ),
    (
        "documents_for partners",
        lambda pf, r, t: dealbench.documents_for(
            dealbench.source_from_result(pf, r),
            "term-sheet",
            partners=3,  # type: ignore[arg-type]
        ),
        "partners",
        "got 3",
    ),
    (
        "render_document formats",
        lambda pf, r, t: dealbench.render_document(_doc(pf, r), None),  # type: ignore[arg-type]
        "formats",
        "got None",
    ),
    ("parse_set", lambda pf, r, t: dealbench.parse_set(None), "items", "got None"),  # type: ignore[arg-type]
    ("diff_results labels", lambda pf, r, t: dealbench.diff_results(r, r, "AB"), "labels", "'AB'"),  # type: ignore[arg-type]
    (
        "improvements min_gain",
        lambda pf, r, t: dealbench.improvements(pf, r.deals[0].package(), min_gain=math.nan),
        "min_gain",
        "got nan",
    ),
    ("zopas path", lambda pf, r, t: dealbench.zopas(TINY, r), "portfolio", "load_portfolio(path)"),  # type: ignore[arg-type]
    ("compare 3", lambda pf, r, t: dealbench.compare(pf, 3), "policies", "got 3"),  # type: ignore[arg-type]
    ("compare [None]", lambda pf, r, t: dealbench.compare(pf, [None]), "policies", "got [None]"),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("label", "call", "argument", "words"), CASES, ids=[c[0] for c in CASES])
def test_an_argument_of_another_kind_is_refused_by_name(
    tiny_portfolio: dealbench.Portfolio,
    solved: dealbench.SolveResult,
    tmp_path: Path,
    label: str,
    call: Call,
    argument: str,
    words: str,
) -> None:
    """Each was a TypeError, an AttributeError, a KeyError or a ValueError from inside."""
    with pytest.raises(ArgumentError) as info:
        call(tiny_portfolio, solved, tmp_path)
    assert info.value.argument == argument, str(info.value)
    assert words in str(info.value)
    assert "expected" in str(info.value) or "not in portfolio" in str(info.value)


def test_a_path_parameter_says_it_takes_a_path(tiny_portfolio: dealbench.Portfolio) -> None:
    with pytest.raises(ArgumentError) as info:
        dealbench.room(tiny_portfolio, 3)  # type: ignore[arg-type]
    assert str(info.value) == (
        "root: expected a path (a str or an os.PathLike, such as pathlib.Path), got 3"
    )
    with pytest.raises(ArgumentError) as info:
        deal = dealbench.solve(tiny_portfolio).deals[0]
        dealbench.render_term_sheet(tiny_portfolio, deal, templates=3)  # type: ignore[arg-type]
    assert str(info.value).startswith("templates: expected a path (a str or an os.PathLike")
    assert str(info.value).endswith(" or None, got 3")


def test_next_offer_refuses_terms_to_keep_of_another_kind(tmp_path: Path) -> None:
    deals = deals_copy(tmp_path)
    path = deals / "portfolios/gulf-asia.yaml"
    pf = dealbench.load_portfolio(path)
    negotiations = dealbench.load_negotiations(pf, dealbench.rounds_root(path, pf))
    plan = dealbench.replan(pf, negotiations)
    with pytest.raises(ArgumentError) as info:
        dealbench.next_offer(pf, negotiations, plan, "AE", fix=None)  # type: ignore[arg-type]
    assert info.value.argument == "fix"


def test_no_deal_reasons_refuses_another_portfolios_result(
    gulf_portfolio: dealbench.Portfolio,
) -> None:
    """Explained against gulf-asia-uncertain, gulf-asia's MY and KZ were given reasons from
    the other portfolio's figures, unrefused."""
    result = dealbench.solve(gulf_portfolio)
    assert result.no_deal
    other = dealbench.load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    with pytest.raises(ArgumentError) as info:
        dealbench.no_deal_reasons(other, result)
    assert str(info.value) == (
        "result: the result is for portfolio 'gulf-asia', not 'gulf-asia-uncertain'"
    )


def test_frontier_from_rounds_refuses_a_folder_that_does_not_exist(
    tiny_portfolio: dealbench.Portfolio, tmp_path: Path
) -> None:
    """A mistyped folder drew the plain frontier, its JSON saying no deal was held, as
    `frontier --rounds` refuses it; an empty folder still draws the plain one."""
    with pytest.raises(InputError) as info:
        dealbench.frontier_from_rounds(tiny_portfolio, tmp_path / "rounds/tinny", "AA", points=2)
    assert "rounds/tinny: does not exist; expected the portfolio's rounds folder" in str(info.value)
    (tmp_path / "empty").mkdir()
    drawn = dealbench.frontier_from_rounds(tiny_portfolio, tmp_path / "empty", "AA", points=2)
    assert drawn.rounds is not None and drawn.rounds.concluded == {}
    # the portfolio's own rounds folder, which the first round recorded makes, holds none
    # yet (the web's negotiation page links its re-plan for a partner not yet offered)
    own = dealbench.rounds_root(TINY, tiny_portfolio)
    assert not own.exists()
    drawn = dealbench.frontier_from_rounds(tiny_portfolio, own, "AA", points=2)
    assert drawn.rounds is not None and drawn.rounds.concluded == {}


# --- a Portfolio built in code is held to the rules its files are ------------------------


def _gulf_data(gulf_portfolio: dealbench.Portfolio) -> dict[str, Any]:
    return gulf_portfolio.model_dump()


def _errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        dealbench.Portfolio.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


def test_a_portfolio_built_in_code_is_held_to_its_partners_rules(
    gulf_portfolio: dealbench.Portfolio,
) -> None:
    """Each was accepted: a partner's level the regime lacks (then a KeyError in the
    solve), an ask per quarter in a portfolio of years, a partner listed twice, a cap of a
    partner it lacks, a period without supply."""
    data = _gulf_data(gulf_portfolio)
    data["partners"][0]["security_costs"]["gold"] = 1e9
    assert _errors(data) == [
        (
            ("partners", 0, "security_costs", "gold"),
            "unknown security level 'gold' in regime bilateral; expected one of: "
            "baseline, kyc, veu",
        )
    ]
    data = _gulf_data(gulf_portfolio)
    data["partners"][1]["ask"]["2026Q1"] = 5.0
    [(loc, message)] = _errors(data)
    assert loc == ("partners", 1, "ask", "2026Q1")
    assert "so write the ask per year" in message
    data = _gulf_data(gulf_portfolio)
    data["partners"].append(data["partners"][0])
    assert _errors(data) == [(("partners", 9), "partner AE is listed twice")]
    data = _gulf_data(gulf_portfolio)
    data["caps"] = {"XX": {"veu": 10.0}, "AE": {"vue": 5.0}}
    assert [loc for loc, _ in _errors(data)] == [("caps", "XX"), ("caps", "AE", "vue")]
    data = _gulf_data(gulf_portfolio)
    del data["supply"]["2027"]
    assert _errors(data) == [(("supply",), "no supply given for period '2027'")]


def test_a_portfolio_built_in_code_drops_asks_beyond_its_horizon_as_a_file_does(
    gulf_portfolio: dealbench.Portfolio,
) -> None:
    """`load_portfolio` keeps a partner's asks in its periods (a partner file serves
    portfolios of several horizons); one built in code kept a 2029 ask, which the no-deal
    reasons' sums of asks counted."""
    data = _gulf_data(gulf_portfolio)
    data["partners"][0]["ask"]["2029"] = 5.0
    built = dealbench.Portfolio.model_validate(data)
    assert built.partners[0].ask == gulf_portfolio.partners[0].ask


def test_a_files_broken_cross_rules_are_said_at_their_lines_as_before(
    run: Runner, tmp_path: Path
) -> None:
    """The rules moved into the model; `validate` still says each at its file's line, a
    partner's in its own file, beside a partner file that failed to load."""
    deals = deals_copy(tmp_path)
    ae = (deals / "partners/ae.yaml").read_text()
    (deals / "partners/ae-q.yaml").write_text(ae.replace("  2026: 1_250_000", "  2026Q1: 9", 1))
    sa = (deals / "partners/sa.yaml").read_text()
    (deals / "partners/sa-bad.yaml").write_text(sa.replace("tier:", "tier: 7 #", 1))
    text = (deals / "portfolios/gulf-asia.yaml").read_text()
    broken = deals / "portfolios/broken.yaml"
    broken.write_text(
        text.replace("../partners/ae.yaml", "../partners/ae-q.yaml").replace(
            "../partners/sa.yaml", "../partners/sa-bad.yaml"
        )
        + "caps:\n  SA: {veu: 10}\n  QA: {vue: 5}\n"
    )
    done = run("validate", broken)
    assert done.exit_code == 2
    lines = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, done.output
    assert "ae-q.yaml:9: ask.2026Q1: period '2026Q1' is not one of" in lines[0]
    assert "sa-bad.yaml:6: tier: expected 1, 2 or 3, got 7" in lines[1]
    assert "broken.yaml:26: caps.QA.vue: unknown security level 'vue'" in lines[2]


# --- help() ------------------------------------------------------------------------------


def test_every_exported_class_says_what_it_is() -> None:
    """Partner, Policy and SweepResult showed pydantic's BaseModel docstring ("Usage
    Documentation ... A base class for creating Pydantic models")."""
    inherited = {inspect.getdoc(BaseModel)}
    bare = [
        name
        for name in dealbench.__all__
        if inspect.isclass(value := getattr(dealbench, name))
        and (not value.__doc__ or inspect.getdoc(value) in inherited)
    ]
    assert bare == []


def test_a_date_parameter_still_takes_a_date(
    tiny_portfolio: dealbench.Portfolio, tmp_path: Path
) -> None:
    """The checks added leave what a call takes as it was: a Path, a str, a date."""
    root = tmp_path / "rounds"
    offer = dealbench.record_offer(tiny_portfolio, str(root), "AA", date=dt.date(2026, 3, 1))
    assert offer.round.path.parent == root / "AA"
    assert dealbench.room(tiny_portfolio, root).rows[0].partner == "AA"
