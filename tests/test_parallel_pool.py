"""Worker processes cost little: the pool is started once and kept, forked from a clean
fork server once this process has run HiGHS, the longest tasks start first, and a
dead worker does not break the next analysis. Results never depend on any of it."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from dealbench.analyze.compare import compare
from dealbench.analyze.parallel import Executor, _shared_map
from dealbench.analyze.solves import Chain, SolveOptions, chain_cost
from dealbench.model import load_portfolio
from dealbench.model.regimes import REGIMES, find_regime, under_regime
from dealbench.optimize import backends, solve
from helpers import REPO

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
GLOBAL = REPO / "deals" / "portfolios" / "global.yaml"


def _pid(_: int) -> int:
    time.sleep(0.05)  # long enough for both workers to take a task
    return os.getpid()


def _started(seconds: float) -> float:
    began = time.monotonic()
    time.sleep(seconds)
    return began


def _inverse(x: int) -> float:
    time.sleep(0.05)
    return 1 / x


def _die(task: tuple[str, int, int]) -> int:
    """Dies in a worker at once; in the process that mapped it, waits until a worker has died.
    (That process's id comes with the task: a worker from the fork server imports this
    module afresh, so a module-level id would be its own.)"""
    marker, caller, x = task
    if os.getpid() != caller:
        Path(marker).touch()
        os._exit(1)
    for _ in range(600):  # a worker from the fork server may take seconds to start
        if Path(marker).exists():
            break
        time.sleep(0.05)
    return x


def _pid_beside_a_worker(task: tuple[str, int, int]) -> int:
    """This process's id, or a worker's: in the process that mapped it, once a worker has
    taken a task of the same map (`_die`'s way of telling the two apart)."""
    marker, caller, _ = task
    if os.getpid() != caller:
        Path(marker).touch()
        return os.getpid()
    for _ in range(1200):  # a worker from the fork server may take seconds to start
        if Path(marker).exists():
            break
        time.sleep(0.05)
    return os.getpid()


def test_the_pool_is_kept_for_the_next_analysis_and_this_process_is_one_of_the_jobs(
    tmp_path: Path,
) -> None:
    """Each map's tasks in this process wait until the worker has taken one. (40 tasks of
    0.05 s were to give a worker from the fork server time to start and take some; on a
    loaded machine this process could run them all first.)"""
    ex = Executor("processes", 2)
    here = os.getpid()
    first = set(ex.map(_pid_beside_a_worker, [(str(tmp_path / "1"), here, i) for i in range(6)]))
    second = set(ex.map(_pid_beside_a_worker, [(str(tmp_path / "2"), here, i) for i in range(6)]))
    assert first == second and len(first) == 2 and here in first


class _NeverStarts:
    """A pool whose worker never starts (as a fork server's first takes a second)."""

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        return Future()


def test_a_worker_still_starting_is_not_waited_for() -> None:
    """This process runs every task while the worker starts, and returns without it."""
    results = _shared_map(_NeverStarts(), 1, _pid, [0, 1, 2], [0, 1, 2], None)  # type: ignore[arg-type]
    assert results == [os.getpid()] * 3


def test_a_failing_task_in_this_process_stops_the_analysis() -> None:
    with pytest.raises(ZeroDivisionError):
        Executor("processes", 2).map(_inverse, [1, 0, 2, 4, 5])


def test_the_longest_task_starts_first_and_results_keep_the_tasks_order() -> None:
    seconds = [0.01, 0.01, 0.01, 0.6]
    started = Executor("processes", 2).map(_started, seconds, cost=lambda s: s)
    assert len(started) == 4
    assert started[3] < max(started[:3])  # the long one did not wait for the short ones


def test_a_dead_worker_fails_that_analysis_only(tmp_path: Path) -> None:
    ex = Executor("processes", 2)
    with pytest.raises(BrokenProcessPool):
        ex.map(_die, [(str(tmp_path / "died"), os.getpid(), x) for x in range(4)])
    assert ex.map(_inverse, [1, 2, 4]) == [1, 0.5, 0.25]


def test_after_a_solve_here_workers_come_from_the_fork_server_with_the_same_results() -> None:
    pf = load_portfolio(GULF)
    policies = [find_regime(r, GULF) for r in REGIMES]
    solve(pf)  # HiGHS's thread pool now exists in this process: no plain fork any more
    assert backends.schedulers_started()
    serial, _ = compare(pf, policies)
    ex = Executor("processes", 2)
    parallel, _ = compare(pf, policies, executor=ex)
    again, _ = compare(pf, policies, executor=ex)
    assert figures(serial) == figures(parallel) == figures(again)


def figures(comparison: Any) -> Any:
    """Every figure of a comparison (timings and the executor's name aside)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in {"seconds", "executor"}}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(comparison.model_dump(mode="json"))


def test_the_size_estimate_ranks_the_global_regimes_as_their_solves_take() -> None:
    """bilateral's solve is the global comparison's longest (0.25 s; repeal 0.07 s), so it
    starts first; the compute alone ranked repeal first (session 20)."""
    pf = load_portfolio(GLOBAL)
    cost = {
        r: chain_cost(Chain([under_regime(pf, find_regime(r, GLOBAL))], SolveOptions()))
        for r in REGIMES
    }
    assert max(cost, key=cost.__getitem__) == "bilateral"
    assert min(cost, key=cost.__getitem__) == "monopoly"


EXIT_WHILE_STARTING = """
import sys
import time

from dealbench.analyze import parallel
from dealbench.model import load_portfolio
from dealbench.optimize import solve


def nap(x):
    time.sleep(0.05)  # this process takes both before the worker has started
    return x


if __name__ == "__main__":
    solve(load_portfolio(sys.argv[1]))  # HiGHS ran here: workers come from the fork server
    print(parallel.Executor("processes", 2).map(nap, [1, 2]))
"""


def test_a_process_that_exits_while_its_worker_starts_prints_no_traceback(
    tmp_path: Path,
) -> None:
    """This process runs both tasks before the fork server's worker has started, and exits:
    the worker then read its queue's semaphores after they were removed, and its traceback
    reached the user's terminal (`frontier --jointly` on a one-partner portfolio)."""
    import subprocess
    import sys

    script = tmp_path / "exits.py"
    script.write_text(EXIT_WHILE_STARTING)
    done = subprocess.run(
        [sys.executable, str(script), str(GULF)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1, 2]"
    assert "Traceback" not in done.stderr, done.stderr


#: In each process: the distinct shared objects its tasks brought (`_shared_beside_a_worker`).
_SEEN: list[object] = []


def _shared_beside_a_worker(task: tuple[list[int], str, int, int]) -> tuple[int, int]:
    """(this process's id, how many distinct shared lists its tasks have brought so far).
    This process waits until a worker has a task, then takes its time: the worker takes
    most of them."""
    shared, marker, caller, _ = task
    _pid_beside_a_worker((marker, caller, 0))
    time.sleep(0.3 if os.getpid() == caller else 0.02)
    if not any(seen is shared for seen in _SEEN):
        _SEEN.append(shared)
    return os.getpid(), len(_SEEN)


def test_tasks_shipped_together_are_read_once_by_each_worker(tmp_path: Path) -> None:
    """`together=True` (the joint frontier's chains, which share one portfolio and the base
    solve's columns): a worker reads the tasks once, so what they share is one object
    there as here (shipped one by one, each task brought its own copy)."""
    shared = list(range(50_000))
    here = os.getpid()
    tasks = [(shared, str(tmp_path / "went"), here, i) for i in range(8)]
    got = Executor("processes", 2).map(_shared_beside_a_worker, tasks, together=True)
    in_worker = [seen for pid, seen in got if pid != here]
    assert len(in_worker) >= 2  # the worker ran several tasks ...
    assert max(in_worker) == 1  # ... and read their shared list once


FORK_AFTER_A_SOLVE = """
import os, sys
from dealbench.analyze import parallel
from dealbench.model import load_portfolio
from dealbench.optimize import backends, solve

pf = load_portfolio(sys.argv[1])
first = solve(pf)  # HiGHS's threads now run in this process
assert backends.schedulers_started()
parallel.start_workers(2)
pool = parallel._POOL
assert parallel._POOL_FORKS, "the workers should be forked, not from the fork server"
worker = next(iter(pool._processes.values()))
with open(f"/proc/{worker.pid}/stat") as stat:  # its parent: this process, not a server
    assert int(stat.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
again = solve(pf)  # here, HiGHS starts its threads again
tasks = [(pf, threads) for threads in (1, None, 1, None)]
answers = parallel.Executor("processes", 2).map(parallel_solve, tasks)
values = {round(a, 6) for a in [first.us_value, again.us_value, *answers]}
print(len(values))
"""


def test_workers_started_after_a_solve_are_forked_and_solve_as_this_process_does(
    tmp_path: Path,
) -> None:
    """`start_workers` after a solve here (a joint frontier called with no base, in a
    process that solved before): HiGHS's threads are stopped, the workers forked at once
    rather than from a fork server importing everything beside the solve, and both they
    and this process solve again, with one thread or HiGHS's default, to the same V.
    (A child forked while HiGHS's threads ran was seen spinning forever: a subprocess,
    with a timeout, so a hang fails the test instead of the suite.)"""
    import subprocess
    import sys

    script = tmp_path / "fork_after_a_solve.py"
    script.write_text(
        "from dealbench.optimize import solve as _solve\n"
        "def parallel_solve(task):\n"
        "    pf, threads = task\n"
        "    return _solve(pf, threads=threads).us_value\n"
        "if __name__ == '__main__':\n"
        + "".join(f"    {line}\n" for line in FORK_AFTER_A_SOLVE.strip().splitlines())
    )
    done = subprocess.run(
        [sys.executable, str(script), str(GULF)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
