"""What the staff analyst's pass left (qa29b): money written without its unit, every
error of a scenarios file in one pass, the options memo's chart labels, the web's solve
page's notes. Each test failed first."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import DATA, Runner

HERE = DATA / "qa29staff"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "qa29staff"
    shutil.copytree(HERE, folder)
    return folder


def test_money_written_without_its_unit_is_noted_at_its_line(run: Runner, tmp_path: Path) -> None:
    """`batna: 300` (USD 300 where 300m was meant) and `value_per_h100e: 25000k` (USD 25m
    an H100e: a partner utility of trillions) passed `validate` with "ok" and solved
    without a word. Both files are valid, so both now pass with a note at the field's line
    giving the value as read and the figure likely meant, from `validate` (of the partner
    file alone, or through its portfolio, said once) and `solve`."""
    folder = _copy(tmp_path)
    ph = folder / "partners" / "ph.yaml"
    text = ph.read_text()
    ph.write_text(text.replace("batna: 100m", "batna: 300").replace("20k", "25000k"))
    portfolio = folder / "portfolios" / "eu-sea.yaml"
    batna = (
        "ph.yaml:8: batna: read as $300 (written without a unit), where a walk-away value is "
        "USD 1m or more in a deal between governments; if 300m was meant, write 300m"
    )
    value = (
        "ph.yaml:7: value_per_h100e: read as $25.0m an H100e from 25000k, where a value per "
        "H100e is USD 1k to 1m; if 25k was meant, write 25k"
    )
    for args in (("validate", ph), ("validate", folder), ("solve", portfolio)):
        done = run(*args)
        assert done.exit_code == 0, done.output
        notes = [line for line in done.stderr.splitlines() if "read as" in line]
        assert len(notes) == 2, done.stderr
        assert notes[0].startswith("note: ") and notes[0].endswith(value), notes
        assert notes[1].endswith(batna), notes
    # The shipped regimes' and partners' figures, and the file as it was, say nothing.
    ph.write_text(text)
    done = run("validate", folder, "deals")
    assert done.exit_code == 0, done.output
    assert "read as" not in done.stderr

