"""Square brackets in what users write are printed as written (qa44-markup).

The CLI prints through Rich, which read square brackets as console markup: a portfolio
titled "Gulf [and] Asia" printed "Gulf  Asia", a partner's name lost "[bold]" and "[link=...]"
(and what they enclosed turned bold or a link), a round's note lost its "[after]", a path
`deals[old]/...` printed `deals/...`, and a title with a "[/]" closing nothing stopped the
command in a MarkupError traceback. `output.console()` now reads no markup: names, titles,
notes and paths are data, printed verbatim; dealbench's own styles (the bold total of
`compare`'s "Who gets what", its dim reasons) are `Text` styles, kept.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner, edit_first_line

#: What each file of the copy is given: brackets of every kind Rich read as markup.
NAME = "United Arab Emirates [bold]X[/] [link=https://e.x]L[/link]"
TITLE = "[/] Gulf [and] Asia [bold]2026[/bold]"  # "[/]" closing nothing: a MarkupError
REPEAL = "Rule repealed [no caps]"
NOTE = "Counter [after] the [bold]Abu Dhabi[/bold] session."


@pytest.fixture(scope="module")
def bracketed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped deals/ in a folder `deals[old]`, brackets in AE's name, the
    gulf-asia portfolio's title, the repeal regime's title and AE's round 2 note."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path_factory.mktemp("q") / "deals[old]"))
    edit_first_line(deals, "partners/ae.yaml", r"^name: .*$", f'name: "{NAME}"')
    edit_first_line(deals, "portfolios/gulf-asia.yaml", r"^title: .*$", f'title: "{TITLE}"')
    edit_first_line(deals, "policy/repeal.yaml", r"^title: .*$", f'title: "{REPEAL}"')
    edit_first_line(deals, "rounds/gulf-asia/AE/002-partner.yaml", r"^note: .*$", f'note: "{NOTE}"')
    return deals


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no name is wrapped inside a word."""
    monkeypatch.setenv("COLUMNS", "200")


def _said(run: Runner, *args: str | Path) -> str:
    """The command's output, succeeded, its white space collapsed (a table's title wraps)."""
    done = run(*args)
    assert done.traceback == "", done.traceback
    assert done.exit_code == 0, done.output
    return " ".join(done.output.split())


def test_solve_prints_the_portfolio_title_as_written(run: Runner, bracketed: Path) -> None:
    said = _said(run, "solve", bracketed / "portfolios/gulf-asia.yaml")
    assert f"{TITLE}: bilateral regime, us-best" in said


def test_evaluate_prints_the_partner_name_as_written(run: Runner, bracketed: Path) -> None:
    said = _said(
        run,
        "evaluate",
        bracketed / "packages/ae-counter.yaml",
        "--portfolio",
        bracketed / "portfolios/gulf-asia.yaml",
    )
    assert f"Package for the {NAME} (AE) under veu" in said


def test_history_and_room_print_names_notes_and_titles_as_written(
    run: Runner, bracketed: Path
) -> None:
    portfolio = bracketed / "portfolios/gulf-asia.yaml"
    rounds = bracketed / "rounds/gulf-asia"
    said = _said(run, "history", portfolio, "--partner", "AE", "--rounds", rounds)
    assert f"{NAME} (AE) — countered" in said
    assert f"round 2, note: {NOTE}" in said
    said = _said(run, "room", portfolio, "--rounds", rounds)
    assert f"Deal room — {TITLE}" in said


def test_offer_prints_the_partner_name_as_written(
    run: Runner, bracketed: Path, tmp_path: Path
) -> None:
    rounds = Path(shutil.copytree(bracketed / "rounds/gulf-asia", tmp_path / "rounds[r]"))
    said = _said(
        run,
        "offer",
        bracketed / "portfolios/gulf-asia.yaml",
        "--partner",
        "AE",
        "--rounds",
        rounds,
        "--date",
        "2026-03-23",
        "--out",
        tmp_path / "docs",
    )
    assert f"Package for the {NAME} (AE) under veu" in said


def test_compare_and_diff_print_titles_and_paths_as_written(
    run: Runner, bracketed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out[new]"
    said = _said(
        run, "compare", bracketed / "portfolios/gulf-asia.yaml", "--regimes", "bilateral,repeal",
        "--out", out,
    )  # fmt: skip
    assert f"{TITLE}: regimes compared" in said
    # `_aside` escaped the title for markup: escaped for a console reading none, its
    # backslash showed ("Rule repealed \[no caps]")
    assert f"repeal ({REPEAL})" in said
    assert "\\" not in said
    said = _said(run, "diff", out / "bilateral/result.json", out / "repeal/result.json")
    assert f"A: {out / 'bilateral/result.json'}" in said
    assert f"B: {out / 'repeal/result.json'}" in said


def test_compare_keeps_its_own_styles(
    run: Runner, bracketed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dealbench's own styling is kept, on a terminal that shows styles: the who-gets-what
    table's total is bold and the limits that decide each cell are dim."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    done = run("compare", bracketed / "portfolios/gulf-asia.yaml", "--regimes", "bilateral,repeal")
    assert done.exit_code == 0, done.output + done.traceback
    assert "\x1b[1mTotal" in done.stdout
    assert re.search(r"\x1b\[2msupply", done.stdout)
    assert "[bold]" not in done.stdout.replace(TITLE, "")  # no markup left unread


def test_json_and_errors_are_as_written(run: Runner, bracketed: Path) -> None:
    """--json is not Rich's: the title is the file's; nor are errors, which name a path
    with its brackets."""
    done = run("solve", bracketed / "portfolios/gulf-asia.yaml", "--json")
    assert done.exit_code == 0, done.output + done.traceback
    assert json.loads(done.stdout)["portfolio_title"] == TITLE
    missing = bracketed / "portfolios/[bold]nope[/].yaml"
    done = run("solve", missing)
    assert done.exit_code == 2, done.output
    assert f"error: {missing}: file not found" in done.stderr
