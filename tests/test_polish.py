"""Faults users met, each pinned: str and os.PathLike paths in every public call, money in
the document's form however it was typed, figures that differ reading different, the web's
403 in the app's layout, and library errors naming the caller's parameter."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import dealbench
from helpers import DATA, Runner

TINY = DATA / "tiny/portfolio.yaml"


class PlainPath(os.PathLike[str]):
    """A path that is an `os.PathLike` but not a `pathlib.Path` (as other libraries hand out)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def __fspath__(self) -> str:
        return self.path


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A deals folder of one's own: the tiny portfolio, its regime and a regime `custom`."""
    shutil.copytree(DATA / "tiny", tmp_path / "portfolios")
    (tmp_path / "policy").mkdir()
    shutil.copy(DATA / "tiny/policy.yaml", tmp_path / "policy/custom.yaml")
    return tmp_path / "portfolios/portfolio.yaml"


# 1. Paths: a str or any os.PathLike wherever a public call takes a path.


@pytest.mark.parametrize("wrap", [str, Path, PlainPath], ids=["str", "Path", "PathLike"])
def test_find_regime_looks_beside_a_portfolio_given_any_way(house: Path, wrap: type) -> None:
    """A str portfolio path raised AttributeError ('str' object has no attribute 'resolve')."""
    assert dealbench.find_regime("custom", wrap(house)).id == "tiny"


@pytest.mark.parametrize("wrap", [Path, PlainPath], ids=["Path", "PathLike"])
def test_find_regime_reads_a_policy_file_given_as_a_path(wrap: type) -> None:
    assert dealbench.find_regime(wrap(DATA / "tiny/policy.yaml")).id == "tiny"


def test_load_scenario_takes_a_regime_file_as_a_path(house: Path) -> None:
    policy = house.parent.parent / "policy/custom.yaml"
    portfolio = dealbench.load_scenario(PlainPath(house), PlainPath(policy))
    assert portfolio.policy.id == "tiny"


def test_compare_takes_policy_files_as_paths(house: Path) -> None:
    portfolio = dealbench.load_portfolio(PlainPath(house))
    _, solved = dealbench.compare(portfolio, PlainPath(DATA / "tiny/policy.yaml"))
    assert list(solved) == ["tiny"]


def test_documents_take_a_templates_folder_as_a_path(tmp_path: Path) -> None:
    portfolio = dealbench.load_portfolio(TINY)
    result = dealbench.solve(portfolio)
    (tmp_path / "term_sheet.md.j2").write_text("House: {{ partner.name }}\n")
    deal = dealbench.evaluate(portfolio, result.deals[0].package())
    text = dealbench.render_term_sheet(portfolio, deal, templates=PlainPath(tmp_path))
    assert text == "House: Alphaland\n"
    source = dealbench.source_from_result(portfolio, result)
    doc = dealbench.documents_for(source, "term-sheet")[0]
    files = dealbench.render_document(doc, "md", templates=PlainPath(tmp_path))
    assert files[0].data == b"House: Alphaland\n"


def test_the_rounds_calls_take_any_path_like(rounds: Path, tmp_path: Path) -> None:
    portfolio = dealbench.load_portfolio(DATA.parent.parent / "deals/portfolios/gulf-asia.yaml")
    root = PlainPath(rounds)
    assert set(dealbench.load_negotiations(portfolio, root)) >= {"AE", "SA"}
    assert dealbench.history(portfolio, root, "AE").partner == "AE"
    counter = Path(DATA.parent.parent / "deals/packages/ae-counter.yaml")
    recorded = dealbench.record_counter(portfolio, root, "AE", PlainPath(counter))
    assert recorded.round.side == "partner"


# 2. Amounts read in the document's money form, however they were typed.

GLOBAL = DATA.parent.parent / "deals/portfolios/global.yaml"
KR_COUNTER = DATA.parent.parent / "deals/packages/kr-counter.yaml"


@pytest.fixture(scope="module")
def global_pf() -> dealbench.Portfolio:
    return dealbench.load_portfolio(GLOBAL)


def kr_counter(tmp_path: Path, amount: str) -> Path:
    """KR's counter (a range amount between the levels of `invest-us`) as typed by a user."""
    text = KR_COUNTER.read_text().replace("invest-us: 75bn", f"invest-us: {amount}")
    path = tmp_path / "kr-typed.yaml"
    path.write_text(text)
    return path


TYPED = ["75000000000", "75_000_000_000", "7.5e10", "'75000000000'", "75bn", "'USD 75bn'"]


@pytest.mark.parametrize("typed", TYPED)
def test_a_range_amount_is_named_in_money_form_however_typed(
    global_pf: dealbench.Portfolio, tmp_path: Path, typed: str
) -> None:
    """`75000000000` stayed `75000000000` in every figure and output made from the package."""
    package = dealbench.load_package(kr_counter(tmp_path, typed), global_pf)
    figures = dealbench.evaluate(global_pf, package)
    assert figures.concessions["invest-us"] == "75bn"
    assert figures.us_concession_value == pytest.approx(3.75e9 + 3e9)
    assert figures.package().concessions["invest-us"] == "75bn"


@pytest.mark.parametrize("typed", ["75000000000", "75_000_000_000"])
def test_documents_and_evaluate_print_a_typed_integer_amount_as_money(
    run: Runner, tmp_path: Path, typed: str
) -> None:
    path = kr_counter(tmp_path, typed)
    out = tmp_path / "out"
    done = run("render", path, "--portfolio", GLOBAL, "-f", "md,html", "--out", out)
    assert done.exit_code == 0, done.stderr
    md, html = (out / "term-sheets/KR-typed.md").read_text(), ""
    html = (out / "term-sheets/KR-typed.html").read_text()
    for text in (md, html):
        assert "USD 75bn" in text
        assert "75000000000" not in text and "75_000_000_000" not in text
    evaluated = run("evaluate", path, "--portfolio", GLOBAL)
    assert "invest-us=75bn" in evaluated.stdout
    assert "75000000000" not in evaluated.stdout


# 3. Figures that differ read different: the valuation's walk-away value and threshold.


@pytest.mark.parametrize(
    ("amount", "beside", "text"),
    [
        (50.001e9, 50e9, "$50.001bn"),  # a $1m margin on a $50bn walk-away value
        (50.05e9, 50e9, "$50.05bn"),  # already apart at the usual decimals
        (2.0505e9, 2.05e9, "$2.0505bn"),
        (1.40001e12, 1.4e12, "$1.40001tn"),
        (350.04e6, 350e6, "$350.04m"),
        (50e9, 50e9, "$50.00bn"),  # equal figures keep the usual form
        (50e9 + 0.2, 50e9, "$50.00bn"),  # less than a dollar apart: the same money
        (50e9, None, "$50.00bn"),
    ],
)
def test_money_beside_another_figure_reads_different_when_it_differs(
    amount: float, beside: float | None, text: str
) -> None:
    from dealbench.figures import usd

    assert usd(amount, apart=beside) == text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_valuation_shows_the_margin_and_a_threshold_apart_from_the_walk_away(
    fmt: str,
) -> None:
    """With a $1m margin on a $50bn walk-away value the annex read "walk-away $50.00bn",
    "plus required margin $50.00bn": two different figures printed the same."""
    from dealbench.analyze import apply_overrides

    base = dealbench.load_portfolio(TINY)
    portfolio = apply_overrides(
        base,
        {
            "partners.AA.batna": "50bn",
            "policy.acceptance_margin": "1m",
            "partners.AA.value_per_h100e": "600k",
        },
    )
    result = dealbench.solve(portfolio)
    source = dealbench.source_from_result(portfolio, result)
    doc = dealbench.documents_for(source, "term-sheet", audience="internal")[0]
    text = dealbench.render_document(doc, fmt)[0].data.decode()
    rows = {
        "md": [
            "| Partner walk-away value | $50.00bn |",
            "| Required margin | $1.0m |",
            "| Partner walk-away value plus required margin | $50.001bn |",
        ],
        "html": [
            '<th scope="row">Partner walk-away value</th><td class="num">$50.00bn</td>',
            '<th scope="row">Required margin</th><td class="num">$1.0m</td>',
            '<th scope="row">Partner walk-away value plus required margin</th><td class="num">$50.001bn</td>',
        ],
    }[fmt]
    for row in rows:
        assert row in text


# 4. The web's 403 for a missing or wrong token is the app's HTML error page.

TOKEN = "polish-token"


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Dealbench-Token": "wrong"}, {"Cookie": "dealbench_token=wrong"}],
    ids=["none", "wrong-header", "wrong-cookie"],
)
def test_a_request_without_the_token_gets_the_apps_403_page(
    headers: dict[str, str],
) -> None:
    """It was a bare text/plain line, unlike every other error page of the app."""
    from starlette.testclient import TestClient

    from dealbench.web.app import create_app

    app = create_app(DATA.parent.parent / "deals", TOKEN)
    with TestClient(app, headers=headers) as client:
        response = client.get("/p/gulf-asia")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert text.startswith("<!doctype html>")
    assert "<title>Refused · dealbench</title>" in text
    assert '<div class="error" role="alert">' in text
    assert "needs its access token: open the URL that `dealbench serve` printed." in text
    assert '<meta name="csrf-token" content="">' in text  # nothing derived from the token
    assert "<style>" in text and "/static/app.css" not in text  # styled without the token
    app.state.jobs.shutdown()


def test_a_cross_site_post_gets_the_apps_403_page() -> None:
    from starlette.testclient import TestClient

    from dealbench.web.app import create_app

    app = create_app(DATA.parent.parent / "deals", TOKEN)
    headers = {"X-Dealbench-Token": TOKEN, "Origin": "http://elsewhere.example"}
    with TestClient(app, headers=headers) as client:
        response = client.post("/p/gulf-asia/solve", data={"mode": "us-best"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Refused</h1>" in response.text
    assert "Cross-site request refused." in response.text
    app.state.jobs.shutdown()


# 5. A library caller reads the parameter it passed; the CLI still names its option.


@pytest.mark.parametrize(
    ("call", "argument", "words"),
    [
        (
            lambda pf: dealbench.solve(pf, v_floor=1e9),
            "v_floor",
            "v_floor: a floor on US utility is for the partner-best mode; "
            "the us-best mode does not use it",
        ),
        (
            lambda pf: dealbench.frontier(pf, "AA", points="all", jointly=True),
            "points",
            "points: 'all' is exact for one partner with the others held, "
            "not for the partners jointly",
        ),
        (
            lambda pf: dealbench.frontier(pf, "AA", points="all", axis="risk"),
            "points",
            "points: 'all' is exact on the partner axis; on the risk axis give a number",
        ),
        (
            lambda pf: dealbench.compare(
                pf, [DATA / "tiny/policy.yaml", DATA / "tiny/policy.yaml"]
            ),
            "policies",
            f"policies: {DATA / 'tiny/policy.yaml'} and {DATA / 'tiny/policy.yaml'} both have the "
            "id tiny: a comparison names each regime by its id",
        ),
        (
            lambda pf: dealbench.compare(pf, ["anarchy"]),
            "policies",
            "policies: unknown regime 'anarchy'; expected one of: tiered",
        ),
        (
            lambda pf: dealbench.find_regime("anarchy"),
            "name",
            "name: unknown regime 'anarchy'",
        ),
        (
            lambda pf: dealbench.load_scenario(TINY, "anarchy"),
            "policy",
            "policy: unknown regime 'anarchy'",
        ),
    ],
    ids=["solve", "frontier-jointly", "frontier-risk", "compare-twice", "compare", "find", "scen"],
)
def test_library_errors_name_the_parameter_the_caller_passed(
    call: Callable[[dealbench.Portfolio], object], argument: str, words: str
) -> None:
    """`solve(pf, v_floor=1e9)` said `--v-floor: ... for --mode partner-best`, an option
    nobody calling the library typed; `frontier(..., points="all", axis="risk")` raised a
    bare ValueError in CLI words after a whole base solve."""
    with pytest.raises(dealbench.ArgumentError) as info:
        call(dealbench.load_portfolio(TINY))
    assert info.value.argument == argument
    assert str(info.value).startswith(words)
    assert "--" not in str(info.value)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["solve", TINY, "--v-floor", "1bn"],
            "error: --v-floor: a floor on US utility is for the partner-best mode; "
            "the us-best mode does not use it\n",
        ),
        (
            ["frontier", TINY, "--partner", "AA", "--points", "all", "--axis", "risk"],
            "error: --points: 'all' is exact on the partner axis; on the risk axis give a number\n",
        ),
        (
            ["compare", TINY, "--regimes", "tiered,anarchy"],
            "error: --regimes: unknown regime 'anarchy'; expected one of: tiered, monopoly, "
            "repeal, bilateral (or a policy file)\n",
        ),
        (
            ["solve", TINY, "--require-deal", "ZZ"],
            "error: --require-deal: partner 'ZZ' is not in portfolio tiny; expected one of: AA\n",
        ),
        (
            ["solve", TINY, "--time-limit", "0"],
            "error: --time-limit: expected a positive number of seconds, such as 30, got 0\n",
        ),
    ],
    ids=["v-floor", "points", "regimes", "require-deal", "time-limit"],
)
def test_the_cli_names_its_option_for_a_library_refusal(
    run: Runner, args: list[str | Path], line: str
) -> None:
    done = run(*args)
    assert done.exit_code == 2
    assert done.stderr == line


def test_the_cli_maps_parameter_names_to_options_in_one_place() -> None:
    from dealbench.cli.errors import option_name

    assert option_name("v_floor") == "--v-floor"
    assert option_name("time_limit") == "--time-limit"
    assert option_name("policies") == "--regimes"
    assert option_name("require") == "--require-deal"
    assert option_name("--points") == "--points"
