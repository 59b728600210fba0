"""A staff analyst's comparisons, sweeps, diffs and samples (qa41-analyze)."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import pytest

from dealbench.analyze.diff import diff_results
from dealbench.analyze.parallel import ClusterError
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


def test_a_scheduler_lost_mid_sweep_is_said_in_one_line() -> None:
    """The scheduler stopped during `sweep --executor dask`: above the one line that says so
    (README: "said in a line"), distributed logged "distributed.client - ERROR" and a
    30-line CancelledError traceback, its reconnecting cancelled by the client's close."""
    pytest.importorskip("distributed")
    from test_qa16_dask import lost_mid_sweep

    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("distributed.client")
    keep = Keep(logging.ERROR)
    logger.addHandler(keep)
    try:
        error, address = lost_mid_sweep()
    finally:
        logger.removeHandler(keep)
    assert isinstance(error, ClusterError), repr(error)
    assert str(error).startswith(f"the connection to the Dask scheduler at {address} was lost")
    assert [r.getMessage() for r in seen if r.exc_info] == []


def test_each_uncertain_figure_is_named_by_the_path_set_reaches(deals: Path) -> None:
    """`risk` listed "concessions.invest-us.1400bn.partner_cost: normal, mean 42bn, sd 6bn"
    (and the notes and memos the same), a path `--set partners.AE.concessions.invest-us.
    1400bn.partner_cost.sd=1bn` refused ("has no field '1400bn'"): a level's figures are
    under `levels`. Every name said is one `--set` and `--param` reach."""
    from dealbench.analyze.scenarios import apply_overrides, read_value
    from dealbench.analyze.uncertainty import uncertain_figures

    portfolio = load_portfolio(deals / "portfolios" / "gulf-asia-uncertain.yaml")
    ae = portfolio.partner("AE")
    assert ae is not None
    fields = [f.field for f in uncertain_figures(ae)]
    assert "concessions.invest-us.levels.1400bn.partner_cost" in fields
    for field in fields:
        read_value(portfolio, f"partners.AE.{field}")
    moved = apply_overrides(
        portfolio, {"partners.AE.concessions.invest-us.levels.1400bn.partner_cost.sd": "1bn"}
    )
    moved_ae = moved.partner("AE")
    assert moved_ae is not None
    assert "sd 1bn" in " ".join(f.distribution for f in uncertain_figures(moved_ae))
