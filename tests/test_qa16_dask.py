"""Dask beyond one machine (qa16-dask): a scheduler out of reach, lost, without workers,
or with workers running another dealbench.

Each test failed before the fix it names in docs/decisions.md ("Dask beyond one machine
(qa16-dask)"). Dask tests run a real `distributed.LocalCluster`, small and quick.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dealbench.analyze import cluster
from dealbench.analyze.parallel import ClusterError, Executor
from dealbench.errors import ArgumentError
from helpers import REPO, Runner
from test_qa9_par import _one_worker_cluster

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _square(x: int) -> int:
    return x * x


#: Set when a `_slow` task has started (a threads cluster runs it in this process).
_RUNNING = threading.Event()


def _slow(x: int) -> int:
    _RUNNING.set()
    time.sleep(3)
    return x


def _free_port() -> int:
    """A local port where nothing listens (taken, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _in_a_thread(call: Callable[[], object], seconds: float) -> BaseException:
    """What `call` raised, run in a thread given `seconds` to end."""
    caught: list[BaseException] = []

    def run_it() -> None:
        try:
            call()
        except BaseException as exc:  # the test's answer
            caught.append(exc)

    thread = threading.Thread(target=run_it, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s, saying nothing"
    assert len(caught) == 1, "it ended without an error"
    return caught[0]


@contextlib.contextmanager
def _threads_cluster(workers: int) -> Iterator[Any]:
    """A LocalCluster in this process (its workers threads), by its address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as local:
        yield local


def test_an_address_out_of_reach_is_said_at_once_in_its_own_words(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port where nothing listens and a host name that does not resolve were both said
    as "Timed out trying to connect to ... after 10 s", after 10 s (distributed retries
    them until its timeout), and a port past 65535 the same way. "At once": before the
    connection's timeout, made longer than the command can take on a loaded machine (it
    asserted 5 s, which the command's imports alone can take there)."""
    monkeypatch.setattr(cluster, "CONNECT_S", 300.0)
    port = _free_port()
    started = time.monotonic()
    result = run("compare", GULF, "--regimes", "tiered", "--executor", "dask",
                 "--scheduler", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert time.monotonic() - started < cluster.CONNECT_S
    assert result.traceback == ""
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no Dask scheduler listens at tcp://127.0.0.1:{port} (the connection was "
        f"refused): start one there (dask scheduler --port {port}), or give the address "
        "its workers were started with\n"
    )
    with pytest.raises(ClusterError, match=r"no machine named no-such-host\.invalid"):
        Executor("dask", 1, "tcp://no-such-host.invalid:8786").map(_square, [1])
    with pytest.raises(ArgumentError, match="port 99999 is not between 1 and 65535"):
        Executor("dask", 1, "tcp://127.0.0.1:99999").map(_square, [1])


def test_an_unknown_protocols_address_is_not_said_to_answer_in_another_protocol() -> None:
    """`ucx://` without its package: "the server at ... is not a Dask scheduler: it
    answered in another protocol", of an address nothing was sent to."""
    pytest.importorskip("distributed")
    from distributed.comm.registry import get_backend

    try:
        get_backend("ucx").get_connector()
    except Exception:
        pass
    else:  # pragma: no cover - a machine with UCX
        pytest.skip("this machine speaks ucx://")
    with pytest.raises(ClusterError, match="this machine cannot speak ucx://"):
        Executor("dask", 1, "ucx://127.0.0.1:8786").map(_square, [1])


def lost_mid_sweep() -> tuple[BaseException, str]:
    """What a two-task sweep raised when its scheduler stopped while a task ran, and the
    scheduler's address."""
    local = _threads_cluster(1)
    address = local.__enter__().scheduler_address
    _RUNNING.clear()
    try:

        def close_soon() -> None:
            # Once a task runs: a fixed 1.5 s assumed it did by then, which a loaded
            # machine need not meet.
            _RUNNING.wait(60)
            local.__exit__(None, None, None)

        threading.Thread(target=close_soon, daemon=True).start()
        error = _in_a_thread(lambda: Executor("dask", 1, address).map(_slow, [1, 2]), 30)
    finally:
        local.__exit__(None, None, None)
    return error, address


def test_a_scheduler_lost_while_solving_is_said_not_a_traceback() -> None:
    """The scheduler stopped mid-sweep: distributed's FutureCancelledError ("cancelled for
    reason: scheduler-connection-lost") reached the user as a traceback, exit 1: it is
    concurrent.futures' CancelledError, and only asyncio's was caught."""
    error, address = lost_mid_sweep()
    assert isinstance(error, ClusterError), repr(error)
    assert str(error).startswith(
        f"the connection to the Dask scheduler at {address} was lost while solving"
    )


def test_a_scheduler_gone_while_asked_for_its_workers_is_said_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test above, on a loaded machine (CI, session 20): the scheduler closed between
    two looks, and the next look (`client.nthreads()`) raised distributed's
    OSError("Timed out trying to connect to ... after 10 s") past every handler."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "_POLL_S", 0.05)

    def gone(self: Any) -> Any:
        raise OSError("Timed out trying to connect to inproc://192.0.2.2/1/2 after 10 s")

    monkeypatch.setattr(distributed.Client, "nthreads", gone)
    with _threads_cluster(0) as local:  # no worker: no solve ends, so the client looks
        address = local.scheduler_address
        error = _in_a_thread(lambda: Executor("dask", 1, address).map(_square, [1, 2]), 30)
    assert isinstance(error, ClusterError), repr(error)
    assert str(error).startswith(
        f"the connection to the Dask scheduler at {address} was lost while solving"
    )


def test_a_scheduler_without_workers_is_said_not_waited_on_for_good(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scheduler with no worker (none started, or all gone) held the command for good,
    saying nothing."""
    monkeypatch.setattr(cluster, "WORKERLESS_S", 1.0)
    with _threads_cluster(0) as local:
        address = local.scheduler_address
        error = _in_a_thread(lambda: Executor("dask", 1, address).map(_square, [1, 2]), 30)
    assert isinstance(error, ClusterError), repr(error)
    assert str(error) == (
        f"the Dask scheduler at {address} has had no worker for 1 s, and the solves wait "
        f"for one: start workers (dask worker {address}), dealbench installed on them"
    )


def test_a_scheduler_with_workers_still_solves_and_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wait that looks for workers gives the answers in task order, counted."""
    monkeypatch.setattr(cluster, "_POLL_S", 0.05)
    seen: list[tuple[int, int]] = []
    with _threads_cluster(2) as local:
        out = Executor("dask", 1, local.scheduler_address).map(
            _square, list(range(6)), lambda done, total: seen.append((done, total))
        )
    assert out == [x * x for x in range(6)]
    assert seen and seen[-1] == (6, 6)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_workers_running_another_dealbench_are_refused() -> None:
    """A worker with another dealbench (another release, or another checkout: the same
    version number, other code) solved the tasks with its own code, its answers mixed
    into the sweep's, nothing said."""
    distributed = pytest.importorskip("distributed")
    with _one_worker_cluster() as local, distributed.Client(local) as client:
        # this process's dealbench, in the worker's process, said to be another release
        client.run(exec, "import dealbench; dealbench.__version__ = '0.0.9'")
        with pytest.raises(ClusterError) as caught:
            Executor("dask", 1, local).map(_square, [1, 2])
    text = str(caught.value)
    assert text.startswith("1 of the 1 Dask workers of the cluster run another dealbench ")
    assert ": version 0.0.9, in " in text
    assert text.endswith(
        "install this dealbench on every worker, or their answers may not be this machine's"
    )


def test_the_same_dealbench_elsewhere_is_not_another() -> None:
    """Workers compare their version and code, not the folder dealbench is installed in
    (another machine's may differ)."""
    here = eval(cluster._DEALBENCH)
    version, folder, digest = here
    assert version and digest and len(digest) == 64
    assert folder.endswith("dealbench")
