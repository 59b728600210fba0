"""Session 36 (lead): faults found by the session's own checks.

Each test failed before the fix it names in docs/decisions.md ("Session 36 (lead)").
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dealbench.analyze.parallel import ClusterError, Executor
from dealbench.negotiate.frontier_words import zopa_line
from dealbench.render.charts import Chart
from helpers import REPO, invoke, words
from test_qa16_dask import _square, _threads_cluster, lost_mid_sweep
from test_qa36_true import _tick_labels


def _closing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Client.close` as distributed 2026.8 does when the client, its scheduler lost,
    closes itself at the same time: it closes, then raises RuntimeError("Cannot change
    state of expiring Timeout") (CI, stop 47)."""
    distributed = pytest.importorskip("distributed")
    close = distributed.Client.close

    def close_and_fail(self: Any, *args: Any, **kwargs: Any) -> Any:
        close(self, *args, **kwargs)
        raise RuntimeError("Cannot change state of expiring Timeout")

    monkeypatch.setattr(distributed.Client, "close", close_and_fail)


def test_a_client_that_fails_to_close_does_not_lose_the_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answers are in hand before the client closes: a close that fails took them
    away, as a RuntimeError traceback."""
    _closing_fails(monkeypatch)
    with _threads_cluster(1) as local:
        answers = Executor("dask", 1, local.scheduler_address).map(_square, [1, 2, 3])
    assert answers == [1, 4, 9]


def test_a_scheduler_lost_is_said_even_when_the_client_fails_to_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scheduler stopped mid-sweep; the ClusterError that says so was replaced by the
    RuntimeError of closing the client (CI, stop 47: "RuntimeError('Cannot change state
    of expiring Timeout')", exit 1 with a traceback)."""
    _closing_fails(monkeypatch)
    error, address = lost_mid_sweep()
    assert isinstance(error, ClusterError), repr(error)
    assert str(error).startswith(
        f"the connection to the Dask scheduler at {address} was lost while solving"
    )


def test_the_joint_frontiers_zone_speaks_only_of_its_points() -> None:
    """qa36-reference left: jointly the zone is the best of the frontier's points, yet
    `frontier --jointly` said "largest joint gain $X over both walk-away values" as of
    every package (5-6% below the enumerated best in 2 of 30 drawn portfolios), and
    "no package beats both" of packages never searched."""
    run = invoke(
        ["frontier", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "QA",
         "--jointly", "--points", "3", "--json"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    zone = json.loads(run.stdout)["zopa"]
    assert zone["method"] == "best of the frontier's points" and zone["exists"]
    assert zopa_line(zone).startswith("ZOPA: yes, largest joint gain among the frontier's ")
    assert zopa_line({**zone, "exists": False}) == (
        "ZOPA: none among the frontier's points: no point beats both walk-away values (the "
        "packages between them are not searched)."
    )
    shown = invoke(
        ["frontier", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "QA",
         "--jointly", "--points", "3"]
    )  # fmt: skip
    assert zopa_line(zone) in words(shown.stdout)
    held = invoke(["frontier", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "QA"])
    assert "ZOPA: yes, largest joint gain $" in held.stdout  # exact: of every package
    assert "among the frontier's points" not in held.stdout


def test_a_sweeps_money_axis_writes_money_as_the_tables_do() -> None:
    """qa36-true left: a sweep of a walk-away value from $0 to $750m had its own ticks,
    "$0.0bn, $0.1bn ... $0.8bn" (one unit for all, rounded), where the tables and the
    value axes write $750.0m."""
    xs = [0.0, 250e6, 500e6, 750e6]
    chart = Chart(
        id="sw",
        kind="sweep",
        caption="",
        data={"x": xs, "value_bn": [1.0, 1.2, 1.3, 1.3], "xlabel": "BATNA of TR"},
    )
    labels = _tick_labels(chart, "xtick")
    assert "$0.8bn" not in labels and "$0.1bn" not in labels, labels
    assert "$200.0m" in labels and "$600.0m" in labels, labels
