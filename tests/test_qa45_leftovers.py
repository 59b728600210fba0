"""Session 45 (qa45-leftovers): faults noticed in session 44 and left, each met as a user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import Runner


@pytest.mark.parametrize(
    ("batna", "said"),
    [
        # the portfolio as written has no package AA accepts: explained, as a plain solve's
        ("500bn", "AA's acceptance needs"),
        # the mean has one, the 99% share of the samples none
        ("{dist: uniform, low: 0, high: 5bn}", "no package AA accepts in at least 99%"),
    ],
)
def test_a_robust_solve_without_packages_says_so_in_json(
    run: Runner, tiny: Path, batna: str, said: str
) -> None:
    """`solve --robust 0.99 --require-deal AA --json` exited 3 with nothing on stdout (a
    script parsing its JSON met an empty stream), and the portfolio's own infeasibility
    was said bare ("no set of packages satisfies every limit"), unexplained."""
    answer = run(
        "solve", tiny, "--robust", "0.99", "--samples", "300", "--require-deal", "AA",
        "--set", f"partners.AA.batna={batna}", "--json",
    )  # fmt: skip
    assert answer.exit_code == 3, answer.output
    data = json.loads(answer.stdout)
    assert data["status"] == "infeasible"
    assert said in data["message"]
    assert said in answer.stderr
    if batna == "500bn":  # the limits to relax, with amounts, as `solve --json` gives them
        assert data["explanation"]["relax"][0]["partner"] == "AA"

