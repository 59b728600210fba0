"""Run independent solves: in this process, in worker processes, or on a Dask cluster.

Every analysis that solves many portfolios (a regime comparison, a sweep) maps
one top-level function over a list of tasks through an `Executor`. Results come
back in the order of the tasks, whichever worker finished first, so a parallel
run gives exactly what the serial run gives: each solve is deterministic and
independent of the others (its solver runs single-threaded in a worker, so
workers do not fight over cores).

- `serial`: one after the other, here (`--jobs 1`).
- `processes`: this process and a pool of J - 1 worker processes (`--jobs J`,
  default all cores) take the tasks from one queue; the pool is started once
  and kept for the next analysis: forked while this process has not run HiGHS
  (so holds no solver threads; a fork starts in milliseconds with every module
  imported), else forked from a fork server, a clean process started once with
  dealbench imported (a worker then starts in milliseconds too, where spawning
  one would take a second to import dealbench afresh). A caller that will map
  right after a solve of its own starts the workers first (`start_workers`; the
  joint frontier): forked at once, HiGHS's threads stopped if it has run. The
  longest tasks go first (a cheap estimate of each), so that the workers finish
  together.
- `dask`: a `distributed` cluster (`--executor dask --scheduler ADDRESS`), for
  sweeps that outgrow one machine; the workers need dealbench installed.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from dealbench.analyze.cluster import SOLVING, ClusterError, Work
from dealbench.arguments import at_least_one, instance_of, one_of
from dealbench.errors import ArgumentError
from dealbench.workers import start_worker, stop_pool

T = TypeVar("T")
R = TypeVar("R")

Kind = Literal["serial", "processes", "dask"]
EXECUTORS: tuple[str, ...] = ("processes", "dask")

__all__ = [
    "EXECUTORS",
    "ClusterError",
    "Executor",
    "WorkerDied",
    "an_executor",
    "default_jobs",
    "fork_server",
    "make_executor",
    "start_fork_server",
    "start_workers",
]

#: What a worker's first solve would otherwise import: the fork server imports them once,
#: and a pool forked from this process inherits them.
PRELOAD = ("dealbench.analyze.solves", "highspy", "pulp", "numpy")


class WorkerDied(ClusterError, BrokenProcessPool):
    """A worker process died under its task (killed, out of memory): said to the user as
    a `ClusterError`, and still the `BrokenProcessPool` it was for library callers."""


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Executor:
    """Where independent tasks run. `map` returns results in the order of the tasks."""

    kind: Kind = "serial"
    jobs: int = 1
    scheduler: str | Any | None = None  # an address, or a distributed.Client / LocalCluster
    #: What its tasks are, as its messages say them (`cluster.SAMPLING` for `risk`'s).
    work: Work = SOLVING

    @property
    def workers(self) -> int:
        return 1 if self.kind == "serial" else self.jobs

    def describe(self) -> str:
        if self.kind == "dask":
            return f"dask ({self.scheduler if isinstance(self.scheduler, str) else 'cluster'})"
        if self.kind == "processes":
            return f"{self.jobs} processes"
        return "serial"

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
        cost: Callable[[T], float] | None = None,
        together: bool = False,
    ) -> list[R]:
        """`[fn(t) for t in tasks]`, run where this executor runs things. `cost`, a cheap
        estimate of a task's time, lets worker processes start the longest first (the
        results are the same, in the order of the tasks, whatever it says). `together`:
        the tasks share most of their data (one portfolio, one solve's columns), so they
        are shipped to worker processes as one pickle, read once by each worker, instead
        of each task with its own copy."""
        if not tasks:
            return []
        if self.kind == "dask":
            from dealbench.analyze.cluster import dask_map

            return dask_map(self.scheduler, fn, tasks, progress, self.work)
        if self.kind == "serial" or self.jobs <= 1 or len(tasks) == 1:
            return list(_serial(fn, tasks, progress))
        order = list(range(len(tasks)))
        if cost is not None:
            order.sort(key=lambda i: -cost(tasks[i]))  # stable: equal estimates keep their order
        # This process is one of the jobs: it takes tasks from the same queue as the
        # workers, so no core waits for a worker to start or a task to be shipped.
        workers = min(self.jobs, len(tasks)) - 1
        pool = _pool(workers, self.jobs - 1)
        try:
            return _shared_map(pool, workers, fn, tasks, order, progress, together)
        except BrokenProcessPool:
            _discard(pool)  # a worker died (killed, out of memory): the next call starts afresh
            raise WorkerDied(
                f"a worker process died while {self.work.doing} (killed, or out of memory); "
                "run again, or with fewer jobs"
            ) from None
        except KeyboardInterrupt:  # Ctrl-C: the workers ignore it, and are stopped here
            _discard(pool, stop=True)
            raise


def _shared_map(
    pool: ProcessPoolExecutor,
    workers: int,
    fn: Callable[[T], R],
    tasks: Sequence[T],
    order: Iterable[int],
    progress: Callable[[int, int], None] | None,
    together: bool = False,
) -> list[R]:
    """`fn` over `tasks`, taken in `order` from one queue by this process and by `workers`
    worker processes, each fed by a thread here: a task once its worker has started and
    finished the one before, so that none waits in a worker still starting (a fork
    server's first worker takes a second) while this process could run it."""
    queue = deque(order)
    # Every task pickled now, before this process runs one: a task's objects may change
    # while a solve here reads them (cached properties), and the pool pickles in a thread
    # of its own ("dictionary changed size during iteration").
    if together:
        # The joint frontier's six tasks share one portfolio and the base solve's columns
        # (0.96 MB a task): pickled one by one, they kept this process from its first
        # task for 60-90 ms (M seed 2), and each worker read the columns again a task.
        packed = Packed(pickle.dumps(list(tasks), pickle.HIGHEST_PROTOCOL))

        def submit(i: int) -> Future[R]:
            return pool.submit(_unpacked, fn, packed, i)
    else:
        shipped = [pickle.dumps(task, pickle.HIGHEST_PROTOCOL) for task in tasks]

        def submit(i: int) -> Future[R]:
            return pool.submit(_unpickled, fn, shipped[i])

    lock = threading.Condition()
    out: dict[int, R] = {}
    failed: list[BaseException] = []
    running = 0  # tasks in the workers now

    def take(worker: bool) -> int | None:
        nonlocal running
        with lock:
            if not queue or failed:
                return None
            running += worker
            return queue.popleft()

    def finished(i: int, value: R, worker: bool) -> None:
        nonlocal running
        with lock:
            out[i] = value
            running -= worker
            lock.notify_all()
            if progress:  # called by one thread at a time, the count in order
                progress(len(out), len(tasks))

    def feed(started: Future[None] | None) -> None:
        try:
            (started or pool.submit(_ready)).result()
            while (i := take(worker=True)) is not None:
                finished(i, submit(i).result(), worker=True)
        except BaseException as exc:  # raised again by the caller
            if isinstance(exc, BrokenProcessPool):
                _discard(pool)  # even when this process finished the work without it
            with lock:
                failed.append(exc)
                lock.notify_all()

    # Forked workers are started now, before this process runs a task: a fork after a
    # solve here would inherit HiGHS's threads half made. A fork server's are started
    # by the feeding threads, while this process works.
    for _ in range(workers):
        started = pool.submit(_ready) if _POOL_FORKS else None
        threading.Thread(target=feed, args=(started,), daemon=True).start()
    try:
        while (i := take(worker=False)) is not None:
            finished(i, fn(tasks[i]), worker=False)
    except BaseException as exc:
        with lock:
            failed.append(exc)  # the feeders hand out no more tasks
        raise
    with lock:  # a worker still starting has no task to wait for
        lock.wait_for(lambda: failed or not running)
    if failed:
        raise failed[0]
    return [out[i] for i in range(len(tasks))]


def _ready() -> None:
    """A worker's first call: it has started."""


def _unpickled(fn: Callable[[T], R], task: bytes) -> R:
    return fn(pickle.loads(task))


@dataclass(frozen=True)
class Packed:
    """Tasks pickled together (`Executor.map(..., together=True)`), and a name for them
    that no other map's shares, so that a worker reads them once."""

    data: bytes
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


#: In a worker: the last tasks pickled together it read (their token, the tasks).
_UNPACKED: tuple[str, list[Any]] | None = None


def _unpacked(fn: Callable[[T], R], packed: Packed, i: int) -> R:
    global _UNPACKED
    if _UNPACKED is None or _UNPACKED[0] != packed.token:
        _UNPACKED = None  # the last map's tasks go before this map's are read
        _UNPACKED = (packed.token, pickle.loads(packed.data))
    return fn(_UNPACKED[1][i])


_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_FORKS = False  # the kept pool's workers are forked from this process
_POOL_LOCK = threading.Lock()


def _pool(needed: int, most: int) -> ProcessPoolExecutor:
    """The kept pool if it has between `needed` and `most` workers, else a new one."""
    global _POOL, _POOL_SIZE, _POOL_FORKS
    with _POOL_LOCK:
        if _POOL is not None and needed <= _POOL_SIZE <= most:
            return _POOL
        if _POOL is not None:
            _POOL.shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context(_start_method())
        if context.get_start_method() == "forkserver":
            context = fork_server(PRELOAD)
        else:
            _warm_up()
            # Every object so far to the collector's permanent generation: a forked
            # worker's collections then neither walk the inherited heap nor write to its
            # pages (copy-on-write). The global comparison: 0.20-0.26 s -> 0.16-0.23 s.
            gc.freeze()
        _POOL = ProcessPoolExecutor(
            max_workers=needed, mp_context=context, initializer=start_worker
        )
        _POOL_SIZE = needed
        _POOL_FORKS = context.get_start_method() == "fork"
        _stop_at_exit(_POOL)
        return _POOL


def _stop_at_exit(pool: ProcessPoolExecutor) -> None:
    """Stop `pool` when this process exits, waiting for its workers: one still starting
    (this process ran every task before it could take one) reads the queue's semaphores
    as it starts, and multiprocessing removes them at exit. Left to that, the worker
    printed a traceback on the user's terminal after the command's answer. Registered
    after multiprocessing's own exit function, so run before it (atexit runs last first)."""
    import atexit

    atexit.register(pool.shutdown, wait=True, cancel_futures=True)


def _discard(pool: ProcessPoolExecutor, *, stop: bool = False) -> None:
    """Drop `pool` (the next analysis starts a new one); `stop` its workers now, whatever
    they are doing."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL, _POOL_SIZE = None, 0
    if stop:
        # Its manager thread joined, which `shutdown` forgets: read after it, as it was
        # here, the thread was None and never joined.
        stop_pool(pool)
    else:
        pool.shutdown(wait=False, cancel_futures=True)


def _warm_up() -> None:
    """Import what workers forked from this process would each import at their first
    solve, and read the solver's version once (every result names it)."""
    import importlib

    from dealbench.optimize.backends import version

    for name in PRELOAD:
        importlib.import_module(name)
    version("highspy")


_PRELOADED: set[str] = set()


def start_fork_server(preload: Iterable[str] = ()) -> None:
    """Start the fork server now (PRELOAD and `preload` imported in it), for a pool this
    process will start after it has run HiGHS: the server's imports (0.5 s) then run
    beside that solve instead of after it."""
    if sys.platform != "linux" or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    fork_server((*PRELOAD, *preload))
    forkserver.ensure_running()


def start_workers(jobs: int, preload: Iterable[str] = ()) -> None:
    """Start the kept pool's `jobs - 1` workers now, for a `map` on `jobs` processes that
    this process will run after a solve of its own (the joint frontier's chains).

    Forked at once (milliseconds, every module imported) while this process holds no
    HiGHS threads: it has not run HiGHS, or it runs in one thread only and its scheduler
    is stopped first (`backends.stop_scheduler`; the next run starts a new one). A fork
    server's imports, beside the solve, had slowed M seed 2's base solve from 0.29 s to
    0.43 s on two cores. Otherwise the workers come from the fork server (PRELOAD and
    `preload` imported in it), asked for by a thread: the server forks only once its
    imports are done."""
    if jobs <= 1:
        return
    if _alone():
        from dealbench.optimize import backends

        backends.stop_scheduler()
    if _start_method() == "fork":
        _pool(jobs - 1, jobs - 1).submit(_ready)
        return
    start_fork_server(preload)
    threading.Thread(target=lambda: _pool(jobs - 1, jobs - 1).submit(_ready), daemon=True).start()


def _alone() -> bool:
    """Whether this is the main thread of a process on Linux with no other thread (so no
    solve runs beside the caller)."""
    return (
        sys.platform == "linux"
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def fork_server(preload: Iterable[str] = ()) -> Any:
    """The "forkserver" multiprocessing context, its server importing `preload` (added to
    what others asked for before it started; it starts once, at its first process), after
    `dealbench._leave_ctrl_c`: Ctrl-C is the command's, in the server and its processes."""
    context = multiprocessing.get_context("forkserver")
    _PRELOADED.update(preload)
    context.set_forkserver_preload(["dealbench._leave_ctrl_c", *sorted(_PRELOADED)])
    return context


def _start_method() -> str:
    """`fork` while this process has never run HiGHS (no solver threads to inherit), else
    `forkserver` (never `fork` then: a forked child inherits HiGHS's thread pool without
    its threads, and was seen spinning forever)."""
    from dealbench.optimize import backends

    if sys.platform == "linux" and not backends.schedulers_started():
        return "fork"
    if "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "spawn"


def _serial(
    fn: Callable[[T], R], tasks: Sequence[T], progress: Callable[[int, int], None] | None
) -> Iterator[R]:
    for i, task in enumerate(tasks):
        yield fn(task)
        if progress:
            progress(i + 1, len(tasks))


def an_executor(executor: object) -> Executor:
    """Where a call's tasks run: `executor`, or here one after the other for None; else an
    ArgumentError naming `executor` (a count of jobs or a concurrent.futures executor was
    an AttributeError or a TypeError from deep inside, or run here unsaid)."""
    if executor is None:
        return Executor()
    return instance_of(executor, Executor, "executor", "make_executor(jobs, None, None) makes one")


def make_executor(
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    *,
    default: int | None = None,
    work: Work = SOLVING,
) -> Executor:
    """The executor `jobs`, `executor` and `scheduler` ask for (the CLI's `--jobs`,
    `--executor` and `--scheduler`), running `work` (its messages say what runs: solves,
    or `risk`'s batches of samples). Without `jobs`, local work runs on `default`
    processes, else on all cores (`risk`'s default is 1: a pool costs more than its
    samples)."""
    if jobs is not None:
        at_least_one(jobs, "jobs")
    kind = one_of(executor or "processes", EXECUTORS, "executor", "executor")
    if kind == "dask":
        if not scheduler:
            raise ArgumentError(
                "scheduler",
                "the dask executor needs a scheduler address (e.g. tcp://10.0.0.5:8786)",
            )
        if jobs is not None:  # said, not ignored: the cluster decides how many tasks run
            raise ArgumentError(
                "jobs",
                f"only with local processes; on a dask cluster the {work.tasks} run on its "
                "workers (as many at once as they have threads)",
            )
        return Executor("dask", 1, scheduler, work)
    if scheduler:
        raise ArgumentError("scheduler", "only with the dask executor")
    n = jobs if jobs is not None else default if default is not None else default_jobs()
    return Executor("serial" if n == 1 else "processes", n, work=work)
