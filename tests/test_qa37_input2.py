"""Bad input answered the same wherever it is met (qa37-input2): a round kept beside the
partners' folders refused by `validate` as by `history`; a unit written after a plain
number said with the unit the field is in; a money field or a package's concession given a
list, a `!!set` or a boolean said with what it takes; a period written `2026.0` beside
`2026` refused as the same key, not read over it. Each test failed before its fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import Runner, deals_copy

PORTFOLIO = "portfolios/gulf-asia.yaml"
OUT_OF_PLACE = (
    "not in a partner's folder: a round file goes in its partner's folder, as "
    "CODE/NNN-us.yaml or CODE/NNN-partner.yaml"
)
AN_AMOUNT = "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return deals_copy(tmp_path)


def test_validate_refuses_a_round_beside_the_partners_folders_as_history_does(
    run: Runner, deals: Path
) -> None:
    """`validate deals/rounds/` said "ok" of rounds/gulf-asia/003-us.yaml, a round kept
    beside the partners' folders, which `history` and `room` refuse as "not in a partner's
    folder": one rule (`negotiate.rounds.read.out_of_place`) now says it in both."""
    stray = deals / "rounds/gulf-asia/003-us.yaml"
    shutil.copy(deals / "rounds/gulf-asia/AE/003-us.yaml", stray)
    said = f"error: {stray}: {OUT_OF_PLACE}\n"
    history = run("history", deals / PORTFOLIO, "--partner", "AE")
    assert history.exit_code == 2 and said in history.stderr, history.output
    for target in (deals / "rounds", stray):
        done = run("validate", target)
        assert done.traceback == ""
        assert done.exit_code == 2, done.output
        assert said in done.stderr, done.stderr
        assert "ok: " + str(stray) not in done.stdout
    # The partners' own rounds are still checked and said ok.
    done = run("validate", deals / "rounds")
    assert f"ok: {deals / 'rounds/gulf-asia/AE/003-us.yaml'} (round)" in done.stdout


def test_a_package_beside_the_partners_folders_is_still_valid(run: Runner, deals: Path) -> None:
    """Guard: a package that says no round nor side, kept in the rounds folder, is no
    round out of place (`history` leaves it alone), so `validate` still says it is ok."""
    kept = deals / "rounds/gulf-asia/draft.yaml"
    text = (deals / "packages/ae-offer.yaml").read_text("utf-8")
    kept.write_text(re.sub(r"^(round|side):.*\n", "", text, flags=re.M), "utf-8")
    assert run("history", deals / PORTFOLIO, "--partner", "AE").exit_code == 0
    done = run("validate", kept)
    assert done.exit_code == 0, done.output
    assert f"ok: {kept} (package)" in done.stdout
