"""Session 49 (qa49-newuser): a new user on a fresh clone, following the README."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner


def test_demo_refuses_an_edited_copy_of_the_data_before_solving(
    run: Runner, tmp_path: Path
) -> None:
    """A file of out/deals the user wrote (or edited since an earlier demo) is refused, as
    it always was, but before the solve and the rendering of 146 documents (two minutes
    on the shared machine), not after them."""
    mine = tmp_path / "out" / "deals" / "partners" / "ae.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my own AE\n")
    result = run("demo", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "deals/partners/ae.yaml exists and was not written by dealbench" in result.stderr
    assert "Rendering documents" not in result.stderr
    assert "Status:" not in result.stdout
    assert mine.read_text() == "# my own AE\n"


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` up to the point of serving, then returning at once."""
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)


@pytest.mark.parametrize(
    ("where", "typed", "meant"),
    [
        ("clone", ".", "deals"),  # `dealbench serve .` in the repository
        ("clone", "deals/portfolios", "deals"),
        ("clone/deals/rounds", ".", ".."),
    ],
)
def test_serving_a_folder_without_portfolios_names_the_deals_folder(
    run: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_server: None,
    where: str,
    typed: str,
    meant: str,
) -> None:
    """`dealbench serve .` in the repository (or `serve deals/portfolios`) served a page
    saying "No portfolio files in ./portfolios", and the terminal said nothing: now it
    notes that the folder has no portfolios/ and names the deals folder to serve."""
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "deals", clone / "deals")
    monkeypatch.chdir(tmp_path / where)
    result = run("serve", typed, "--port", "0")
    assert result.exit_code == 0 and not result.traceback, result.output
    assert f"note: {typed} has no portfolios/ folder, so the workbench lists no portfolio; " in (
        result.stderr
    )
    assert f"serve the deals folder that holds it: dealbench serve {meant}\n" in result.stderr


def test_serving_the_deals_folder_notes_nothing(run: Runner, deals: Path, no_server: None) -> None:
    result = run("serve", deals, "--port", "0")
    assert result.exit_code == 0 and not result.traceback, result.output
    assert "note:" not in result.stderr


def test_a_mistyped_folder_to_serve_is_answered_with_the_folder_meant(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealbench serve deal` said "deal: not a folder" alone, where `validate deal` asks
    "did you mean deals?"."""
    (tmp_path / "deals").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run("serve", "deal")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "error: deal: not a folder; did you mean deals?"


def test_rendering_a_portfolio_says_what_render_takes_and_how_to_get_it(
    run: Runner, tmp_path: Path
) -> None:
    """`render deals/portfolios/gulf-asia.yaml --out X` said "this is a portfolio file,
    expected a package file here", where render takes a result.json too (its argument is
    RESULT_OR_PACKAGE) and a portfolio's documents come from a solve."""
    result = run("render", REPO / "deals/portfolios/gulf-asia.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 2 and not result.traceback, result.output
    said = result.stderr
    assert "this is a portfolio file, expected a solve's result.json or a package file here" in said
    assert "`dealbench solve PORTFOLIO --out DIR --render md` writes them" in said
    assert not (tmp_path / "out").exists()
