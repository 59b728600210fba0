"""Independent tasks on a Dask cluster (`--executor dask --scheduler ADDRESS`), for
`analyze.parallel.Executor`: the scheduler asked what it is before a client is made, the
workers asked whether they can import the tasks' module, and the cluster's failures said
as a `ClusterError`, not as distributed's tracebacks. Results come back in task order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from dealbench.errors import ArgumentError, DealbenchError

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["CONNECT_S", "SAMPLING", "SOLVING", "ClusterError", "Work", "dask_map"]


class Work(NamedTuple):
    """What an executor's tasks are, in the words its messages say them with: "the
    {tasks} run on its workers", "died while {doing}"."""

    tasks: str
    doing: str


#: Solves (a comparison's regimes, a sweep's points, the room's verdicts): most work.
SOLVING = Work("solves", "solving")
#: `risk`'s batches of samples, evaluated without a solver: "the solves" was untrue of them.
SAMPLING = Work("batches of samples", "sampling")


class ClusterError(DealbenchError):
    """The Dask scheduler cannot be reached or a worker failed."""

    exit_code = 1


def dask_map(
    scheduler: Any,
    fn: Callable[[T], R],
    tasks: Sequence[T],
    progress: Callable[[int, int], None] | None,
    work: Work = SOLVING,
) -> list[R]:
    """`[fn(t) for t in tasks]` on the cluster `scheduler`; its failures said of `work`."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a dependency
        raise ClusterError("the dask executor needs the `distributed` package") from None
    own = isinstance(scheduler, str)
    try:
        if own:
            _ask_scheduler(scheduler, CONNECT_S)
        client = (
            Client(scheduler, timeout=CONNECT_S)  # type: ignore[no-untyped-call]
            if own
            else _client_of(scheduler, Client)
        )
    except ArgumentError:
        raise
    except ValueError as exc:  # an address distributed cannot parse
        raise ArgumentError(
            "scheduler", f"not a scheduler address ({exc}); e.g. tcp://10.0.0.5:8786"
        ) from None
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        _workers_import(client, fn.__module__, scheduler)
        # pure=False: identical tasks (two scenarios with the same overrides) still run.
        futures = client.map(fn, list(tasks), pure=False)
        _wait_for(client, futures, progress, scheduler, work)
        results: list[R] = client.gather(futures)
        return results
    except _cluster_failures() as exc:  # the cluster's fault, not the task's
        raise ClusterError(_failure_text(exc, scheduler, work)) from None
    finally:
        if own or not hasattr(scheduler, "submit"):
            _close(client)


def _close(client: Any) -> None:
    """Close the client this call made, keeping the answer already decided (the results,
    or the `ClusterError`). A client whose scheduler is lost closes itself once it gives
    up reconnecting; closed again meanwhile, distributed (2026.8) raised RuntimeError
    ("Cannot change state of expiring Timeout"), which replaced the answer with a
    traceback (CI, stop 47). distributed logs its own failure to close, but not the
    reconnecting this close cancels (`_CancelledReconnect`)."""
    quiet = _CancelledReconnect()
    logger = logging.getLogger("distributed.client")
    logger.addFilter(quiet)
    try:
        with contextlib.suppress(Exception):  # a failure to close leaves nothing of ours undone
            client.close()
    finally:
        logger.removeFilter(quiet)


class _CancelledReconnect(logging.Filter):
    """Drops distributed's ERROR record of a reconnecting cancelled: a client whose scheduler
    was lost keeps reconnecting, and closing it cancels that, which distributed logged as
    an error with its 30-line traceback (`CancelledError`, from `Client._reconnect`) above
    the one line that says the scheduler was lost."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.exc_info[0] if record.exc_info else None
        return not (kind is not None and issubclass(kind, asyncio.CancelledError))


#: Seconds the solves may wait on a cluster without a worker before that is said.
WORKERLESS_S = 60.0
#: Seconds between looks at the cluster while no solve finishes.
_POLL_S = 1.0


def _wait_for(
    client: Any,
    futures: list[Any],
    progress: Callable[[int, int], None] | None,
    scheduler: Any,
    work: Work = SOLVING,
) -> None:
    """Wait for `futures`, counting them done for `progress`, until all are done or one
    failed (`gather` then raises its error).

    A scheduler without workers (none started, or every one gone) holds the solves for
    good: the command said nothing and never ended. The solves are submitted first, so
    that an adaptive cluster sees them and starts workers; once the cluster has had no
    worker for `WORKERLESS_S` seconds, that is a `ClusterError`."""
    from distributed import wait

    pending = set(futures)
    workerless_since: float | None = None
    while pending:
        try:
            done, pending = wait(pending, timeout=_POLL_S, return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
        except TimeoutError:  # no solve finished: is anyone solving?
            try:
                working = client.nthreads()
            except OSError:  # the scheduler gone: the client's reconnecting timed out
                from distributed.comm.core import CommClosedError

                raise ClusterError(_failure_text(CommClosedError(), scheduler, work)) from None
            if working:
                workerless_since = None
            elif workerless_since is None:
                workerless_since = time.monotonic()
            elif time.monotonic() - workerless_since >= WORKERLESS_S:
                where = f"at {scheduler}" if isinstance(scheduler, str) else "of the cluster"
                raise ClusterError(
                    f"the Dask scheduler {where} has had no worker for "
                    f"{WORKERLESS_S:.0f} s, and the {work.tasks} wait for one: start workers "
                    f"(dask worker {scheduler if isinstance(scheduler, str) else 'ADDRESS'}"
                    "), dealbench installed on them"
                ) from None
            continue
        if progress:
            progress(len(futures) - len(pending), len(futures))
        if any(future.status == "error" for future in done):
            return  # gather raises the task's error, without waiting for the others


def _workers_import(client: Any, module: str, scheduler: Any) -> None:
    """Refuse a cluster whose workers cannot import `module`, the tasks' function's.

    A task's function travels by name; a worker without dealbench failed to read its first
    task and closed, and the scheduler, left without workers, waited for one for good (the
    command hung, saying nothing). Asked first (`Client.run`, on each worker, by no task),
    the import fails as an error here. A cluster with no worker yet (an adaptive one) is
    not refused: its tasks wait for workers, as Dask's do."""
    try:
        # exec: a builtin, so the check itself travels to a worker without dealbench
        client.run(exec, f"import {module}")
    except ImportError as exc:
        where = f"at {scheduler}" if isinstance(scheduler, str) else "of the cluster"
        raise ClusterError(
            f"the Dask workers {where} cannot import {module} ({exc}): they need dealbench "
            "installed, the version this machine runs"
        ) from None
    _workers_run_this_dealbench(client, scheduler)


#: dealbench's version, its folder and a digest of its Python sources, as an expression of
#: builtins only (`eval`, sent to each worker by `Client.run`, needs no dealbench to travel).
_DEALBENCH = """(lambda pathlib, hashlib, folder: (
    __import__("dealbench").__version__,
    str(folder),
    hashlib.sha256(b"".join(
        path.relative_to(folder).as_posix().encode() + b"\\0" + path.read_bytes()
        for path in sorted(folder.rglob("*.py"))
    )).hexdigest(),
))(__import__("pathlib"), __import__("hashlib"),
   __import__("pathlib").Path(__import__("dealbench").__file__).parent)"""


def _workers_run_this_dealbench(client: Any, scheduler: Any) -> None:
    """Refuse a cluster whose workers run another dealbench than this process.

    A worker whose dealbench is another version (or another checkout: the same version
    number, other code) took the tasks and solved them with its own code, the answers
    mixed into the sweep's with nothing said. Each worker's version and sources (a digest
    of its `.py` files) are compared with this process's."""
    here = eval(_DEALBENCH)
    theirs = client.run(eval, _DEALBENCH)
    # the folder may differ from machine to machine; the version and the code may not
    other = {
        address: found
        for address, found in theirs.items()
        if (found[0], found[2]) != (here[0], here[2])
    }
    if not other:
        return
    address, (version, folder, _) = sorted(other.items())[0]
    same = "the same version number, other code" if version == here[0] else f"version {version}"
    where = f"at {scheduler}" if isinstance(scheduler, str) else "of the cluster"
    raise ClusterError(
        f"{len(other)} of the {len(theirs)} Dask workers {where} run another dealbench than "
        f"this machine (worker {address}: {same}, in {folder}; here: version {here[0]}, "
        f"in {here[1]}): install this dealbench on every worker, or their answers may not "
        "be this machine's"
    )


#: Seconds to reach a Dask scheduler and hear it say what it is.
CONNECT_S = 10.0


def _ask_scheduler(address: str, timeout: float) -> None:
    """Ask what listens at `address`, and accept only a Dask scheduler's answer, within
    `timeout` seconds.

    `distributed.Client` bounds only the TCP connection by its timeout: its handshake then
    waits for an answer forever, so a port where another server listens (the scheduler's
    dashboard, 8787, is the likely slip) held the command for good; a server that answers
    in another protocol gave distributed a frame length of exabytes (a MemoryError
    traceback), and a worker's address a TypeError. Run in a thread of its own, so that it
    works from a caller whose event loop is running (a notebook)."""
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm.core import connect
    from distributed.security import Security

    args = Security().get_connection_args("client")  # type: ignore[no-untyped-call]
    if address.startswith("tls://") and args.get("ssl_context") is None:
        raise ClusterError(
            f"the Dask scheduler at {address} takes TLS, and no TLS settings are configured "
            "(Dask's distributed.comm.tls: ca-file, client.cert, client.key)"
        )
    _reach(address, timeout)

    async def identity() -> Any:
        # connect() raises OSError by `timeout` when nothing accepts the connection; past
        # that, only its handshake can be waiting
        opening = connect(address, timeout=timeout, **args)  # type: ignore[no-untyped-call]
        comm = await asyncio.wait_for(opening, 2 * timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    def ask() -> Any:
        return asyncio.run(identity())

    started = time.monotonic()
    with ThreadPoolExecutor(1, thread_name_prefix="dealbench-dask-probe") as thread:
        try:
            answer = thread.submit(ask).result()
        except TimeoutError:  # connected, and no answer came (asyncio.wait_for)
            raise ClusterError(
                f"no Dask scheduler answered at {address} (waited "
                f"{time.monotonic() - started:.0f} s): something else listens there (a "
                "scheduler listens on port 8786 by default; 8787 is its dashboard)"
            ) from None
        except (ValueError, OSError):  # a bad address, nothing listening: said by the caller
            raise
        except Exception:  # whatever a foreign server's bytes decode to
            raise ClusterError(
                f"the server at {address} is not a Dask scheduler: it answered in another "
                "protocol (a scheduler listens on port 8786 by default; 8787 is its dashboard)"
            ) from None
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind in ("Worker", "Nanny"):
        raise ArgumentError(
            "scheduler",
            f"{address} is a Dask worker, not its scheduler: give the address its workers "
            "were started with (dask worker ADDRESS), e.g. tcp://10.0.0.5:8786",
        )
    if kind != "Scheduler":
        raise ClusterError(f"the server at {address} is not a Dask scheduler (it is {kind!r})")


#: The schemes whose addresses are a host and a TCP port.
_OVER_TCP = ("tcp", "tls", "ws", "wss")


def _reach(address: str, timeout: float) -> None:
    """Open a connection to `address`'s host and port and close it, so that what keeps
    the scheduler out of reach is said at once, in its own words. distributed retries a
    refused connection and a host name that does not resolve until its timeout, then
    says "Timed out trying to connect to ... after 10 s" of both (a port where nothing
    listens, a misspelt host), and of a port past 65535; an address of a protocol this
    machine cannot speak (`ucx://` without its package) was said to have answered "in
    another protocol". A malformed address raises ValueError, said by the caller."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    if scheme not in _OVER_TCP:
        try:
            get_backend(scheme).get_connector()  # type: ignore[no-untyped-call]
        except Exception as exc:  # an unknown scheme: ValueError, said by the caller
            if isinstance(exc, ValueError):
                raise
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address}: this machine cannot speak "
                f"{scheme}:// ({exc})"
            ) from None
        return
    host, port = parse_host_port(location)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is not between 1 and 65535")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: no machine named {host} is "
            f"known here ({exc.strerror})"
        ) from None
    except ConnectionRefusedError:
        raise ClusterError(
            f"no Dask scheduler listens at {address} (the connection was refused): start "
            f"one there (dask scheduler --port {port}), or give the address its workers "
            "were started with"
        ) from None
    except TimeoutError:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {host} did not answer in "
            f"{timeout:.0f} s (the machine is down, or a firewall drops the connection)"
        ) from None
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {exc.strerror or exc}"
        ) from None


def _cluster_failures() -> tuple[type[BaseException], ...]:
    """What `distributed` raises when the cluster, not a task, failed. A future cancelled
    under the client (the scheduler stopped, restarted or out of reach) raises
    `concurrent.futures.CancelledError` (distributed's `FutureCancelledError`), not
    asyncio's, a class of its own since Python 3.8."""
    from asyncio import CancelledError
    from concurrent.futures import CancelledError as FutureCancelled

    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    return (KilledWorker, CancelledError, FutureCancelled, CommClosedError)


def _failure_text(exc: BaseException, scheduler: Any, work: Work = SOLVING) -> str:
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    where = f"at {scheduler}" if isinstance(scheduler, str) else "of the cluster"
    if isinstance(exc, KilledWorker):
        return (
            f"the Dask workers {where} died while {work.doing} (out of memory, killed or "
            "stopped); run again once they are up"
        )
    if isinstance(exc, CommClosedError) or "connection-lost" in str(exc):
        return (
            f"the connection to the Dask scheduler {where} was lost while {work.doing} (it "
            "stopped, or the network between them failed); run again once it is up"
        )
    return f"the Dask scheduler {where} cancelled the {work.tasks} (restarted or shut down)"


def _client_of(scheduler: Any, client_type: Any) -> Any:
    """A `Client` passed in is used as it is; a cluster object gets a client of its own."""
    if hasattr(scheduler, "submit"):
        return scheduler
    return client_type(scheduler)
