"""Session 49 (qa49-input): hand-written broken files, each said at its file, line and
field with exit code 2."""

from __future__ import annotations

from pathlib import Path

from dealbench import load_portfolio
from helpers import Runner


def test_a_package_without_its_partner_is_told_the_partner_is_missing(
    deals: Path, run: Runner, tmp_path: Path
) -> None:
    """A counter with its `partner:` line left out (side and round kept, as the shipped
    counters give them) was read as a round file: "side: expected 'us' or 'partner', got
    'counter'" and "security: unknown field here; it belongs under 'package'", telling the
    user to rewrite a sound package. It is a package missing its partner."""
    text = (deals / "packages" / "ae-counter.yaml").read_text("utf-8")
    package = tmp_path / "counter.yaml"
    package.write_text(text.replace("partner: AE\n", ""), "utf-8")
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    for args in (("validate", package), ("evaluate", package, "--portfolio", portfolio)):
        done = run(*args)
        assert done.exit_code == 2, done.output
        assert done.stderr == f"error: {package}:1: partner: missing required field\n"
        assert not done.stdout


def test_a_round_file_with_its_package_is_still_read_as_a_round(
    deals: Path, run: Runner, tmp_path: Path
) -> None:
    """A round file names no partner at its top: its terms under `package` keep it one."""
    shipped = deals / "rounds" / "gulf-asia" / "AE" / "002-partner.yaml"
    round_file = tmp_path / "002-partner.yaml"
    round_file.write_text(shipped.read_text("utf-8") + "security: veu\n", "utf-8")
    done = run("validate", round_file)
    assert done.exit_code == 2, done.output
    assert "security: unknown field here; it belongs under 'package'" in done.stderr


def test_thousands_set_apart_by_typeset_spaces_are_read_as_by_spaces(
    deals: Path, run: Runner
) -> None:
    """`ask: {2026: 1 250 000}` is read (session 48), but the same figure pasted from a word
    processor or a French text, with no-break or narrow no-break spaces between its
    thousands, said "expected a number, got '1\\xa0250\\xa0000'". A typeset space is a
    space, as a typeset minus is a minus."""
    partner = deals / "partners" / "ae.yaml"
    text = partner.read_text("utf-8")
    text = text.replace("2026: 1_250_000", "2026: 1\u00a0250\u00a0000")
    text = text.replace("batna: 8bn ", "batna: 8\u202f000\u202f000\u202f000 ")
    partner.write_text(text, "utf-8")
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    done = run("validate", portfolio)
    assert done.exit_code == 0, done.output
    assert "ae.yaml" not in done.stderr
    read = load_portfolio(portfolio).partner("AE")
    assert (read.ask, read.batna) == (
        {"2026": 1_250_000, "2027": 1_250_000, "2028": 1_250_000},
        8e9,
    )
