"""Analysis at the scale staff would use it (qa12-an).

The pass ran sweeps, scenario files, prices, risk, robust solves, diffs and comparisons
on the synthetic S and M portfolios (`dealbench.synth`) and their web pages. Each test
here is the smallest instance that showed a fault.
"""

from __future__ import annotations

from dealbench.analyze.sweep import sweep_param
from dealbench.model import load_portfolio
from helpers import REPO

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def test_a_sweeps_progress_counts_the_narrowing_of_its_change_points() -> None:
    """On M a sweep's bar (and its web page) read 4/4 after the grid's 20 solves, then
    sat full for minutes while each change point was narrowed by bisection (most of the
    work): the progress counted the grid alone."""
    calls: list[tuple[int, int]] = []
    pf = load_portfolio(GULF)
    sweep, _ = sweep_param(
        pf,
        "policy.risk_penalty_per_h100e",
        "60k",
        "300k",
        6,
        refine=2,
        progress=lambda d, t: calls.append((d, t)),
    )
    jumps = sum(1 for row in sweep.rows if row.changes)
    assert jumps and sweep.change_points
    done, total = calls[-1]
    assert done == total
    assert total == 2 + jumps  # two chains of the grid's six values, then each interval
    assert all(d < t for d, t in calls[:-1])  # never full before the end
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)  # never backwards
