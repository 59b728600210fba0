"""Session 44 (qa44-cli): the command line as a new user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, solo_deals


@pytest.mark.parametrize(
    ("typed", "meant"), [("web", "serve"), ("UI", "serve"), ("check", "validate")]
)
def test_a_command_guessed_by_what_it_does_is_named(run: Runner, typed: str, meant: str) -> None:
    """`dealbench web` said only "No such command 'web'": no command is spelt near it, so
    the command that serves the web workbench is named (as `server` is answered `serve`)."""
    answer = run(typed)
    assert answer.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'" in answer.stderr
    assert "Did you mean 'serve'?" in run("server").stderr  # a near spelling: as before


def test_keeping_terms_of_a_first_offer_says_what_to_do(run: Runner, tmp_path: Path) -> None:
    """`offer --fix security` before any US offer was refused ("there is no earlier US
    offer to SG to keep terms of") without saying what to do instead."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    answer = run("offer", deals / "portfolios/solo.yaml", "--partner", "SG", "--fix", "security")
    assert answer.exit_code == 2, answer.output
    assert "error: --fix: there is no earlier US offer to SG to keep terms of" in answer.stderr
    assert "make the first offer without keeping any term" in answer.stderr
    assert not answer.traceback
