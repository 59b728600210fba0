"""Run independent solves: in this process, in worker processes, or on a Dask cluster.

Every analysis that solves many portfolios (a regime comparison, a sweep) maps
one top-level function over a list of tasks through an `Executor`. Results come
back in the order of the tasks, whichever worker finished first, so a parallel
run gives exactly what the serial run gives: each solve is deterministic and
independent of the others (its solver runs single-threaded in a worker, so
workers do not fight over cores).

- `serial`: one after the other, here (`--jobs 1`).
- `processes`: a pool of processes (`--jobs J`, default all cores): forked
  while this process has not run HiGHS (so holds no solver threads), else spawned.
- `dask`: a `distributed` cluster (`--executor dask --scheduler ADDRESS`), for
  sweeps that outgrow one machine; the workers need dealbench installed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from dealbench.errors import DealbenchError, InputError, Issue

T = TypeVar("T")
R = TypeVar("R")

Kind = Literal["serial", "processes", "dask"]
EXECUTORS: tuple[str, ...] = ("processes", "dask")

__all__ = ["EXECUTORS", "Executor", "default_jobs", "make_executor"]


class ClusterError(DealbenchError):
    """The Dask scheduler cannot be reached or a worker failed."""

    exit_code = 1


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
    ) -> list[R]:
        """`[fn(t) for t in tasks]`, run where this executor runs things."""
        if not tasks:
            return []
        if self.kind == "dask":
            return _dask_map(self.scheduler, fn, tasks, progress)
        if self.kind == "serial" or self.jobs <= 1 or len(tasks) == 1:
            return list(_serial(fn, tasks, progress))
        workers = min(self.jobs, len(tasks))
        context = multiprocessing.get_context(_start_method())
        out: list[R] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(tasks) // (workers * 4))
            for i, value in enumerate(pool.map(fn, tasks, chunksize=chunk)):
                out.append(value)
                if progress:
                    progress(i + 1, len(tasks))
        return out


def _start_method() -> str:
    """`fork` while this process has never run HiGHS (no solver threads to inherit; workers
    start in milliseconds with every module already imported), else `spawn` (a second or
    so per worker to import dealbench afresh)."""
    from dealbench.optimize import backends

    if sys.platform == "linux" and backends._SCHEDULER_THREADS is None:
        return "fork"
    return "spawn"


def _serial(
    fn: Callable[[T], R], tasks: Sequence[T], progress: Callable[[int, int], None] | None
) -> Iterator[R]:
    for i, task in enumerate(tasks):
        yield fn(task)
        if progress:
            progress(i + 1, len(tasks))


def _dask_map(
    scheduler: Any,
    fn: Callable[[T], R],
    tasks: Sequence[T],
    progress: Callable[[int, int], None] | None,
) -> list[R]:
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - a dependency
        raise ClusterError("--executor dask needs the `distributed` package") from None
    own = isinstance(scheduler, str)
    try:
        client = (
            Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
            if own
            else _client_of(scheduler, Client)
        )
    except ValueError as exc:  # an address distributed cannot parse
        raise InputError(
            Issue(
                "--scheduler",
                None,
                "",
                f"not a scheduler address ({exc}); e.g. tcp://10.0.0.5:8786",
            )
        ) from None
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        # pure=False: identical tasks (two scenarios with the same overrides) still run.
        futures = client.map(fn, list(tasks), pure=False)
        for done, _future in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
            if progress:
                progress(done, len(tasks))
        results: list[R] = client.gather(futures)
        return results
    finally:
        if own or not hasattr(scheduler, "submit"):
            client.close()


def _client_of(scheduler: Any, client_type: Any) -> Any:
    """A `Client` passed in is used as it is; a cluster object gets a client of its own."""
    if hasattr(scheduler, "submit"):
        return scheduler
    return client_type(scheduler)


def make_executor(jobs: int | None, executor: str | None, scheduler: str | None) -> Executor:
    """The executor the `--jobs`, `--executor` and `--scheduler` options ask for."""
    if jobs is not None and jobs < 1:
        raise InputError(Issue("--jobs", None, "", f"expected at least 1, got {jobs}"))
    kind = executor or "processes"
    if kind not in EXECUTORS:
        raise InputError(
            Issue(
                "--executor",
                None,
                "",
                f"unknown executor {kind!r}; expected one of: {', '.join(EXECUTORS)}",
            )
        )
    if kind == "dask":
        if not scheduler:
            raise InputError(
                Issue(
                    "--scheduler",
                    None,
                    "",
                    "--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)",
                )
            )
        return Executor("dask", jobs or 1, scheduler)
    if scheduler:
        raise InputError(Issue("--scheduler", None, "", "only with --executor dask"))
    n = default_jobs() if jobs is None else jobs
    return Executor("serial" if n == 1 else "processes", n)
