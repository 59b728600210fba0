"""One date, kept with the result, and the same date forms in every command (issue 12, item 6)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from helpers import Runner


def test_the_date_of_a_solve_is_kept_for_later_renders(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    assert run("solve", tiny, "--out", tmp_path / "s", "--date", "2026-03-01").exit_code == 0
    assert json.loads((tmp_path / "s/result.json").read_text())["date"] == "2026-03-01"
    r = run("render", tmp_path / "s/result.json", "--out", tmp_path / "r")
    assert r.exit_code == 0, r.stderr
    assert "1 March 2026" in (tmp_path / "r/term-sheets/AA.md").read_text()
    # a date given to render wins
    r = run("render", tmp_path / "s/result.json", "--out", tmp_path / "r2", "--date", "2026-04-02")
    assert "2 April 2026" in (tmp_path / "r2/term-sheets/AA.md").read_text()


@pytest.mark.parametrize("command", ["solve", "render"])
def test_every_command_takes_the_same_date_forms(
    run: Runner, tiny: Path, tmp_path: Path, command: str
) -> None:
    source = [tiny] if command == "solve" else [tmp_path / "s/result.json"]
    if command == "render":
        assert run("solve", tiny, "--out", tmp_path / "s").exit_code == 0
    bad = run(command, *source, "--out", tmp_path / "o", "--date", "1 March")
    assert (bad.exit_code, bad.stderr.strip()) == (
        2,
        "error: --date: expected YYYY-MM-DD or today, got '1 March'",
    )
    ok = run(command, *source, "--out", tmp_path / "t", "--date", "today")
    assert ok.exit_code == 0, ok.stderr
    today = dt.date.today()
    text = (tmp_path / "t/term-sheets/AA.md").read_text()
    assert f"{today.day} {today.strftime('%B')} {today.year}" in text
