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
