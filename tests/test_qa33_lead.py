"""Seen by the lead in session 33, from the helpers' Left lines: each test failed before
its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dealbench import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import record
from dealbench.negotiate.record import record_offer
from dealbench.negotiate.room import room
from helpers import REPO, invoke, words

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def _counter(compute: float) -> Package:
    """AE's counter under veu, `compute` H100e a year, USD 200bn of investment."""
    return Package.model_validate(
        {
            "partner": "AE",
            "side": "counter",
            "security": "veu",
            "compute": dict.fromkeys(("2026", "2027", "2028"), compute),
            "concessions": {"invest-us": "200bn", "align-controls": True},
        }
    )


@pytest.mark.parametrize(
    ("compute", "mark", "note"),
    [
        # 100,000 H100e a year: the US could get more at AE's utility, but only by giving AE
        # the veu cap, supply the plan gives the other open negotiations.
        (100_000, "†", "† The partner alone: the package giving this gain takes supply"),
        # 900,000 H100e a year: over the veu cap and the supply, beyond the frontier.
        (900_000, "‡", "‡ The counter breaks a limit: it lies beyond the frontier"),
    ],
)
def test_the_rooms_frontier_gain_says_when_the_plan_cannot_have_it(
    rounds: Path, tmp_path: Path, compute: float, mark: str, note: str
) -> None:
    """The room printed "Frontier gain $72.54bn" for a counter whose better package is AE's
    alone (taking the supply the plan gives QA, BH, ...), and "-$7.71bn" for a counter over
    a cap, with nothing saying either (qa33-neg's and qa33-web's Left): the verdict says
    "the partner alone", the memo's closing paragraph says it in general. The cell now
    carries a mark, and the note under the table says what it means: in `room`, its memo
    and the web's room page."""
    pf = load_portfolio(PORTFOLIO)
    record_offer(pf, rounds, "AE", strategy="boulware", allow_retreat=True)
    record.record_counter(pf, rounds, "AE", _counter(compute))
    row = next(r for r in room(pf, rounds).rows if r.partner == "AE")
    assert row.frontier_mark == mark
    assert row.frontier_alone is (mark == "†")
    shown = invoke(["room", PORTFOLIO, "--rounds", rounds])
    assert shown.exit_code == 0, shown.output
    assert f"{mark} counter" in shown.stdout
    assert note in " ".join(shown.stdout.split())
    out = tmp_path / "memo"
    written = invoke(["room", PORTFOLIO, "--rounds", rounds, "--render", "md", "--out", out])
    assert written.exit_code == 0, written.output
    memo = (out / "memos/negotiation-gulf-asia.md").read_text(encoding="utf-8")
    assert f"{mark} | counter |" in memo and note in memo
    other = "‡" if mark == "†" else "†"
    assert other not in memo  # only the notes for the marks the table carries


def test_the_rooms_frontier_gain_has_no_mark_when_the_plan_can_have_it(rounds: Path) -> None:
    """The shipped example: AE's counter of round 4 is on the frontier (gain $0)."""
    pf = load_portfolio(PORTFOLIO)
    assert [r.frontier_mark for r in room(pf, rounds).rows if r.frontier_gain is not None] == [""]
    shown = invoke(["room", PORTFOLIO, "--rounds", rounds])
    assert "†" not in shown.stdout and "‡" not in shown.stdout


def test_the_web_rooms_frontier_gain_carries_the_mark_and_its_note(
    deals: Path, client: Any
) -> None:
    """The web's room page shows what `room` shows: the mark and the note under the table."""
    pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
    folder = deals / "rounds/gulf-asia"
    record_offer(pf, folder, "AE", strategy="boulware", allow_retreat=True)
    record.record_counter(pf, folder, "AE", _counter(900_000))
    page = words(client.get("/p/gulf-asia/room").text)
    assert "‡" in page.split("Next move", 1)[1].split("The counter breaks", 1)[0]
    assert "‡ The counter breaks a limit: it lies beyond the frontier" in page
    assert "†" not in page


def test_ctrl_c_stops_a_long_mip_run_through_pulp() -> None:
    """`solve --mode kalai` on synthetic S (seed 0) ends in one HiGHS MIP through PuLP that
    runs for many minutes; HiGHS runs in C, so Python's handlers waited for it: neither
    Ctrl-C nor `timeout`'s SIGTERM stopped it (a user had to kill -9). The MIP's interrupt
    callback now ends the run when a signal came, and it is raised at once. Here a market
    split MIP (four equalities over 40 binaries, hard for any MIP solver) with a time
    limit of 60 s, and Ctrl-C after half a second."""
    import os
    import random
    import signal
    import threading
    import time

    import pulp

    from dealbench.optimize.backends import make_backend, run_pulp

    draw = random.Random(1)
    a = [[draw.randint(0, 99) for _ in range(40)] for _ in range(4)]
    problem = pulp.LpProblem("market_split", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(40)]
    over = [pulp.LpVariable(f"over{i}", lowBound=0) for i in range(4)]
    under = [pulp.LpVariable(f"under{i}", lowBound=0) for i in range(4)]
    problem += pulp.lpSum(over) + pulp.lpSum(under)
    for i, row in enumerate(a):
        problem += (
            pulp.lpSum(c * v for c, v in zip(row, x, strict=True)) + over[i] - under[i]
            == sum(row) // 2
        )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        run_pulp(problem, make_backend("highs", time_limit=60.0))
    assert time.perf_counter() - start < 20
