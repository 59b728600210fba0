"""DESIGN.md and the README audited clause by clause, with inputs no one here wrote (qa13).

Each test is the smallest instance of a clause that did not hold.
"""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def test_a_round_after_the_first_without_a_basis_is_refused(run: Runner, rounds: Path) -> None:
    """DESIGN: `basis` is "the round it answers (absent for the first)"; dealbench writes it
    on every later round. A hand-edited 003-us.yaml without one was read as if it answered
    nothing: history, room and the next offer went on from it."""
    path = rounds / "AE/003-us.yaml"
    path.write_text(path.read_text().replace("basis: 002-partner.yaml\n", ""))
    for args in (["history", "--partner", "AE"], ["room"]):
        result = run(args[0], GULF, *args[1:], "--rounds", rounds)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert (
            f"error: {path}:1: basis: missing: every round after the first names the round it "
            "answers"
        ) in result.stderr
