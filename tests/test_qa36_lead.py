"""Session 36 (lead): faults found by the session's own checks.

Each test failed before the fix it names in docs/decisions.md ("Session 36 (lead)").
"""

from __future__ import annotations

from typing import Any

import pytest

from dealbench.analyze.parallel import ClusterError, Executor
from test_qa16_dask import _square, _threads_cluster, lost_mid_sweep


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
