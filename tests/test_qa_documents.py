"""Documents tried as a new user tries them: inputs no shipped file has, and what they give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import Runner


@pytest.fixture
def result_file(run: Runner, tiny: Path, tmp_path: Path) -> Path:
    """A result.json of the tiny portfolio (one deal, AA), as `solve --out` writes it."""
    r = run("solve", tiny, "--out", tmp_path / "solved", "--date", "2026-03-01")
    assert r.exit_code == 0, r.output + r.traceback
    return tmp_path / "solved" / "result.json"


def _edited(path: Path, edit: object) -> Path:
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    return path


# --- a result.json edited by hand ---------------------------------------------------------


def test_a_hand_edited_negative_compute_is_refused_with_the_field(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """It ended in a pydantic traceback (exit 1) when the package was rebuilt from the deal."""
    _edited(result_file, lambda d: d["deals"][0]["compute"].update({"2026": -5}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.traceback == ""
    assert r.stderr.strip() == (
        f"error: {result_file}: deals.0.compute.2026: not a dealbench result: "
        "Input should be greater than or equal to 0"
    )
    assert not (tmp_path / "docs").exists()


def test_a_hand_edited_date_is_refused_not_dropped(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """`"date": "yesterday"` used to give undated documents without a word."""
    _edited(result_file, lambda d: d.update({"date": "yesterday"}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == f"error: {result_file}: date: expected YYYY-MM-DD, got 'yesterday'"


def test_term_sheets_of_a_result_without_deals_say_there_are_none(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """It exited 0, printed nothing and left an empty folder."""
    _edited(result_file, lambda d: d.update({"deals": []}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == (
        f"error: {result_file}: the result concludes no deal, so there is no term sheet to "
        "render; --doc portfolio-memo says what prevents a deal"
    )
    assert not (tmp_path / "docs").exists()
    memo = run("render", result_file, "--doc", "portfolio-memo", "--out", tmp_path / "docs")
    assert memo.exit_code == 0, memo.output + memo.traceback
