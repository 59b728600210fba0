"""Session 48 (qa48-newuser): a new user's first hour, the README and every --help example."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner


@pytest.mark.parametrize(
    "typed",
    [
        "portfolios/gulf-asia",  # the suffix left off
        "portfolio/gulf-asia.yaml",  # the folder mistyped
        "portfolio/gulf-asia",  # both
    ],
)
def test_a_mistyped_portfolio_path_names_the_file_meant(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.chdir(deals.parent)
    done = run("solve", f"{deals.name}/{typed}")
    assert done.exit_code == 2
    assert (
        f"{deals.name}/{typed}: file not found; did you mean "
        f"{deals.name}/portfolios/gulf-asia.yaml?" in done.stderr
    )


def test_a_portfolios_mistyped_partner_folder_names_the_file_meant(
    run: Runner, deals: Path
) -> None:
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    text = portfolio.read_text(encoding="utf-8")
    portfolio.write_text(text.replace("../partners/ae.yaml", "../partner/ae.yaml"))
    done = run("validate", portfolio)
    assert done.exit_code == 2
    assert "file not found: ../partner/ae.yaml" in done.stderr
    assert "did you mean ../partners/ae.yaml?" in done.stderr


def test_an_option_given_for_another_options_value_is_refused_and_nothing_written(
    run: Runner, deals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = run("solve", deals / "portfolios" / "solo.yaml", "--out", "--json")
    assert done.exit_code == 2
    assert "error: --out: expected its value, got the option --json" in done.stderr
    assert not (tmp_path / "--json").exists()


def test_an_option_for_the_partner_code_is_named_not_read_as_a_code(
    run: Runner, deals: Path
) -> None:
    done = run("frontier", deals / "portfolios" / "solo.yaml", "--partner", "--json")
    assert done.exit_code == 2
    assert "error: --partner: expected its value, got the option --json" in done.stderr
    assert "'--JSON'" not in done.output


def test_a_value_that_looks_like_an_option_is_taken_when_joined(
    run: Runner, deals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = run("solve", deals / "portfolios" / "solo.yaml", "--out=--json")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "--json" / "result.json").is_file()


def test_a_mistyped_rounds_folder_names_the_folder_meant(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(deals.parent)
    done = run("solve", "deals/portfolios/gulf-asia.yaml", "--rounds", "deals/round/gulf-asia")
    assert done.exit_code == 2
    assert "did you mean deals/rounds/gulf-asia?" in done.stderr


def test_an_offer_into_a_rounds_folder_that_does_not_exist_says_so(
    run: Runner, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(deals.parent)
    portfolio = "deals/portfolios/gulf-asia.yaml"
    args = ("offer", portfolio, "--partner", "AE", "--rounds", "deals/rounds/gulfasia")
    done = run(*args, "--no-documents")
    assert done.exit_code == 0, done.output
    assert "Recorded round 1: deals/rounds/gulfasia/AE/001-us.yaml" in done.stdout
    assert (
        "note: --rounds deals/rounds/gulfasia does not exist: read as no rounds recorded; "
        "a round recorded makes it (the portfolio's own folder is deals/rounds/gulf-asia)"
    ) in done.stderr
    again = run(*args, "--no-documents")
    assert again.exit_code == 0 and "does not exist" not in again.stderr
