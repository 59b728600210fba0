"""Session 47 (qa47-prices): shadow prices as staff use them, in what `solve` writes.

`solve --prices --out DIR` wrote the prices into neither result.json nor the portfolio
memo: only the terminal and `--json` carried them. The result now carries them
(`SolveResult.prices`), so result.json, the memo and a later `render` say them; no term
sheet (an external document) does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    """`solve gulf-asia --policy tiered --prices --json --out --render md,json`: the JSON
    printed and the folder (tiered: a solve of a second, its prices a few seconds)."""
    from helpers import invoke

    out = tmp_path_factory.mktemp("priced") / "out"
    args = ["solve", GULF, "--policy", "tiered", "--prices", "--json", "--out", out]
    result = invoke([*args, "--render", "md,json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_solve_prices_out_writes_the_prices_into_result_json(
    priced: tuple[dict[str, object], Path],
) -> None:
    printed, out = priced
    written = json.loads((out / "result.json").read_text("utf-8"))
    assert printed["prices"], "solve --prices --json prints the prices"
    assert written["prices"] == printed["prices"]


def test_the_portfolio_memo_says_the_prices_and_no_term_sheet_does(
    priced: tuple[dict[str, object], Path],
) -> None:
    printed, out = priced
    prices = printed["prices"]
    assert isinstance(prices, dict)
    texts = [limit["text"] for limit in prices["limits"]]
    memo = (out / "memos/portfolio-gulf-asia.md").read_text("utf-8")
    assert "## Shadow prices" in memo
    for text in texts:
        assert f"- {text}\n" in memo
    model = json.loads((out / "memos/portfolio-gulf-asia.json").read_text("utf-8"))
    assert model["prices"] == texts
    assert model["price_warnings"] == prices["warnings"]
    sheets = sorted((out / "term-sheets").glob("*.*"))
    assert sheets
    for sheet in sheets:  # external: no internal figure
        said = sheet.read_text("utf-8")
        assert "price" not in said.lower(), sheet.name


def test_render_of_the_result_says_the_prices_as_the_solve_wrote_them(
    run: Runner, priced: tuple[dict[str, object], Path], tmp_path: Path
) -> None:
    _, out = priced
    again = tmp_path / "again"
    args = ["--doc", "portfolio-memo", "--format", "md", "--out", again]
    result = run("render", out / "result.json", *args)
    assert result.exit_code == 0, result.output
    memo = "memos/portfolio-gulf-asia.md"
    assert (again / memo).read_bytes() == (out / memo).read_bytes()


def test_a_solve_without_prices_writes_no_prices(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--policy", "tiered", "--out", out, "--render", "md"]
    result = run("solve", GULF, *args)
    assert result.exit_code == 0, result.output
    assert "prices" not in json.loads((out / "result.json").read_text("utf-8"))
    assert "Shadow prices" not in (out / "memos/portfolio-gulf-asia.md").read_text("utf-8")
