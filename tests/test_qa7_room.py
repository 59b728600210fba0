"""Many deals at once (qa7-room): a deal room of eight partners worked round by round.

The portfolio (tests/data/qa7room/room.yaml: eight partners, 2027-2029, the risk budget
binding) is a negotiator's: offers by every strategy and mode, counters written by hand,
conclusions and walk-aways interleaved across partners. Each test says what the user saw
and why it was wrong.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench import load_portfolio, room
from dealbench.errors import InputError
from dealbench.model.schema import Portfolio
from helpers import DATA, Runner

ROOM = DATA / "qa7room/room.yaml"


@pytest.fixture(scope="module")
def pf() -> Portfolio:
    return load_portfolio(ROOM)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


KZ_ROUND = "package: {partner: KZ, security: kyc, compute: {2027: 10_000}, concessions: {}}\n"


def test_a_conclusion_names_the_round_it_accepts(
    pf: Portfolio, tmp_path: Path, run: Runner
) -> None:
    """A hand-written `KZ/001-us.yaml` with `status: concluded` and no `basis` was read as a
    concluded deal: `room` fixed it ("KZ: concluded in round 1 on None; agreed: US -$226.0m,
    partner $150.0m"), taking 10,000 H100e and 2,550 of the risk budget from the open
    negotiations for a package KZ itself refuses. `conclude` always names the round it
    accepts, and records the other side; a file that does neither is refused."""
    _write(tmp_path / "KZ/001-us.yaml", f"round: 1\nside: us\n{KZ_ROUND}status: concluded\n")
    with pytest.raises(InputError) as caught:
        room(pf, tmp_path)
    assert "KZ/001-us.yaml:1: missing: a conclusion names the round whose package it " in str(
        caught.value
    )
    assert "`basis: NNN-side.yaml`" in str(caught.value)
    # concluded by the side that made the offer: nobody accepted it
    _write(tmp_path / "KZ/001-us.yaml", f"round: 1\nside: us\n{KZ_ROUND}status: open\n")
    _write(
        tmp_path / "KZ/002-us.yaml",
        f"round: 2\nside: us\nbasis: 001-us.yaml\n{KZ_ROUND}status: concluded\n",
    )
    result = run("room", str(ROOM), "--rounds", str(tmp_path))
    assert result.exit_code == 2, result.stdout
    assert "KZ/002-us.yaml:2: side: is us, the side of 001-us.yaml" in result.stderr
