"""Session 49 (qa49-room): the deal room and the rounds, walked as a negotiator walks them.
Each test failed before its fix."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dealbench.model.yamlio import display_path
from helpers import REPO, invoke


def test_the_rooms_next_commands_on_the_shipped_rounds_run_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`room deals/portfolios/gulf-asia.yaml` in a fresh clone printed "Next: dealbench
    conclude ... --rounds deals/rounds/gulf-asia", and that command, pasted, was refused
    (exit 2): nothing is recorded in the example rounds dealbench ships. The room names the
    copy the commands record in and the `cp` that makes it, first."""
    monkeypatch.chdir(tmp_path)
    portfolio = REPO / "deals/portfolios/gulf-asia.yaml"
    said = invoke(["room", portfolio])
    assert said.exit_code == 0, said.output
    lines = said.stdout.splitlines()
    first = [x.removeprefix("    First: ") for x in lines if x.startswith("    First: ")]
    assert first == [f"cp -r {REPO / 'deals/rounds/gulf-asia'} gulf-asia-rounds"], said.stdout
    nexts = [x.removeprefix("    Next: dealbench ") for x in lines if "Next:" in x]
    assert f"conclude {portfolio} --partner AE --round 4 --rounds gulf-asia-rounds" in nexts
    subprocess.run(shlex.split(first[0]), check=True)
    done = invoke([*shlex.split(nexts[0]), "--no-documents"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "gulf-asia-rounds/AE/005-us.yaml").is_file()
    # Run again, the copy's name is taken: `cp -r` would copy into it; another is named.
    again = invoke(["room", portfolio])
    assert "cp -r" in again.stdout and "gulf-asia-rounds-2" in again.stdout, again.stdout
    # A copy of the rounds takes rounds: its room's commands name it, and no `cp`.
    copied = invoke(["room", portfolio, "--rounds", "gulf-asia-rounds"])
    assert copied.exit_code == 0, copied.output
    assert "First:" not in copied.stdout
    assert "--rounds gulf-asia-rounds\n" in copied.stdout, copied.stdout


def test_the_web_rooms_next_move_links_to_the_form_that_makes_it(client: Any) -> None:
    """The terminal's room names the command of each next move; the web room showed the
    move as a bare word, and the user had to find its form on the partner's page. Each
    move a form makes links to that form's section."""
    html = client.get("/p/gulf-asia/room").text
    links = dict(re.findall(r'<a href="(/p/gulf-asia/n/[A-Z]{2}#[a-z-]+)" class="move-link">'
                            r"([a-z ]+)</a>", html))  # fmt: skip
    assert links["/p/gulf-asia/n/AE#close-h"] == "accept", links
    assert links["/p/gulf-asia/n/QA#offer-h"] == "offer", links
    assert not [x for x in links if "/MY#" in x or "/SA#" in x], links  # no offer; concluded
    page = client.get("/p/gulf-asia/n/AE").text
    assert 'id="close-h"' in page and 'id="offer-h"' in page


def test_rounds_of_another_portfolio_are_noted(tmp_path: Path) -> None:
    """`room deals/portfolios/global.yaml --rounds deals/rounds/gulf-asia` read gulf-asia's
    rounds as global's (its regime and supply weighing them) with nothing said, though each
    round file says which portfolio it was recorded for. Read all the same (the format
    names a negotiation's portfolio only by its folder), with a note on stderr."""
    rounds = Path(shutil.copytree(REPO / "deals/rounds/gulf-asia", tmp_path / "rounds"))
    other = REPO / "deals/portfolios/global.yaml"
    said = invoke(["history", other, "--partner", "AE", "--rounds", rounds])
    assert said.exit_code == 0, said.output
    assert said.stderr == (
        f"note: {rounds}/AE/001-us.yaml was recorded for portfolio gulf-asia, not global: "
        f"the rounds in {rounds} are read as global's all the same; its own are in "
        f"{display_path(REPO / 'deals/rounds/global')}\n"
    ), said.stderr
    own = invoke(["history", REPO / "deals/portfolios/gulf-asia.yaml", "-p", "AE",
                  "--rounds", rounds])  # fmt: skip
    assert own.exit_code == 0 and own.stderr == "", own.output
