"""A staff analyst's comparisons, sweeps, diffs and samples (qa41-analyze)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from dealbench.analyze.diff import diff_results
from dealbench.model import load_portfolio
from dealbench.optimize import solve


def test_diff_of_two_versions_of_a_portfolio_says_which_result_lacks_a_partner(
    deals: Path,
) -> None:
    """A partner taken out of a portfolio's file between two solves: `diff` said "AM: not
    a partner of portfolio gulf-asia; in gulf-asia: a deal (...)", both of one name. The
    results' letters tell the two versions apart."""
    solo = deals / "portfolios" / "solo.yaml"
    one = solve(load_portfolio(solo))
    text = solo.read_text().replace(
        "[../partners/sg.yaml]", "[../partners/sg.yaml, ../partners/am.yaml]"
    )
    solo.write_text(text)
    two = solve(load_portfolio(solo))
    assert one.portfolio == two.portfolio == "solo"
    am = {p.partner: p for p in diff_results(one, two).partners}["AM"]
    assert am.change == "only-b"
    assert am.changes[0].startswith("not a partner of portfolio solo in A; in B: ")
    back = {p.partner: p for p in diff_results(two, one).partners}["AM"]
    assert back.changes[0].startswith("not a partner of portfolio solo in B; in A: ")


def test_a_document_worker_ignores_ctrl_c_while_it_starts() -> None:
    """Ctrl-C in the first seconds of `compare --out --render docx,pdf` (or `render -f
    pdf,docx`) killed the document workers still starting (a KeyboardInterrupt traceback
    each: their initializer had not run yet), and the pool, broken, printed
    "InvalidStateError: CANCELLED" from its thread above "interrupted". A worker now
    ignores Ctrl-C from its first instruction."""
    from dealbench.render.documents import render_pool

    with render_pool(1) as pool:
        answer = pool.submit(signal.getsignal, signal.SIGINT)
        for process in list(pool._processes.values()):  # just spawned: still starting
            assert process.pid is not None
            os.kill(process.pid, signal.SIGINT)
        assert answer.result(timeout=60) == signal.SIG_IGN
