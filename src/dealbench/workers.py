"""What every worker process dealbench starts does first: it ends with its parent, and
leaves Ctrl-C to it.

A pool's worker (`analyze.parallel`, `render.documents`) waits for its next task on
a queue whose writing end it holds itself, so it never sees its parent go. A parent
stopped by SIGKILL or SIGTERM (`kill`, `timeout`, a cancelled CI job, the kernel out
of memory) runs no clean-up of its own, and its workers ran on: a sweep's kept
solving on every core for minutes, a render's waited forever, about 100 MB each.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["exit_with_parent", "ignore_ctrl_c", "spawn_context", "start_worker", "stop_pool"]

#: Seconds between two looks for a new parent (a getppid() call), waiting on the pipe.
WATCH_SECONDS = 0.5
#: Seconds to wait for a stopped process, or a stopped pool's manager thread, to end.
STOP_SECONDS = 5.0


def exit_with_parent() -> None:
    """Exit this process at once when its parent is gone (watched by a daemon thread).

    Gone is either of: the pipe multiprocessing keeps from the parent to each child
    (`parent_process().sentinel`) ends, or this process has a new parent (the system's
    init, or a subreaper, took it over). The pipe alone misses a forked worker whose
    later-forked siblings inherited its writing end; the parent alone misses a worker
    from a fork server (its parent is the server, which lives while its children do).
    Not PR_SET_PDEATHSIG: that signal follows the parent's *thread*, and a kept pool's
    workers may be started by a thread that ends long before the pool does."""
    parent = os.getppid()
    logical = multiprocessing.parent_process()
    sentinel = logical.sentinel if logical is not None else None

    def watch() -> None:
        while os.getppid() == parent:
            if sentinel is None:
                time.sleep(WATCH_SECONDS)
            elif wait([sentinel], timeout=WATCH_SECONDS):
                break  # the pipe from the parent has ended
        os._exit(1)  # as the parent would have stopped it: no clean-up, no traceback

    threading.Thread(target=watch, name="dealbench-exit-with-parent", daemon=True).start()


#: The signals the terminal sends to every process of the command, which its workers leave
#: to the process that started them: Ctrl-C (SIGINT), and SIGHUP where there is one (the
#: terminal closed), which a worker's default handling ended at once, its pool broken
#: under the command as it was cleaning up.
TERMINAL_SIGNALS = (signal.SIGINT, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


def ignore_ctrl_c() -> None:
    """Leave Ctrl-C, which the terminal sends to every process of the command, to the
    process that started this one: it stops its workers. A worker waiting for its next
    task (a pool's, or the web's solve process) printed a KeyboardInterrupt traceback on
    the user's terminal, and one in a solve sent an interruption back that nobody waited
    for. SIGHUP, which a closing terminal sends them all, too (`TERMINAL_SIGNALS`)."""
    for signum in TERMINAL_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def start_worker() -> None:
    """A pool worker's start (its initializer): Ctrl-C is its caller's, and it ends with
    its caller. Here, in a module that imports little, so that a spawned worker starts
    ignoring Ctrl-C before it imports what its tasks need."""
    ignore_ctrl_c()
    exit_with_parent()


class _SpawnIgnoringCtrlC(SpawnProcess):
    """A spawned process that ignores Ctrl-C from its first instruction.

    Its initializer (`start_worker`) runs only once the new interpreter has imported what
    unpickling its task needs (a second or two: the command's own modules, the pool's):
    Ctrl-C meanwhile killed it with a KeyboardInterrupt traceback, and its pool, broken,
    printed another ("InvalidStateError: CANCELLED") from its own thread, above
    "interrupted". An ignored signal stays ignored across the exec that starts it, so
    Ctrl-C is ignored here while it starts, and held (blocked) meanwhile: one pressed
    then reaches this process as soon as the worker has started. So is SIGHUP, which a
    closing terminal sends them all (`TERMINAL_SIGNALS`)."""

    def start(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            super().start()  # signal handlers are set in the main thread only
            return
        before = {signum: signal.getsignal(signum) for signum in TERMINAL_SIGNALS}
        if before[signal.SIGINT] is None:  # a handler not set from Python: left alone
            super().start()
            return
        ours = {signum: handler for signum, handler in before.items() if handler is not None}
        held = signal.pthread_sigmask(signal.SIG_BLOCK, set(ours))
        for signum in ours:
            signal.signal(signum, signal.SIG_IGN)
        try:
            try:
                super().start()
            finally:
                for signum, handler in ours.items():
                    signal.signal(signum, handler)
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        except BaseException:
            self._stop_unowned()
            raise

    def _stop_unowned(self) -> None:
        """Stop this process, started but stopped on its way back to its caller (a Ctrl-C
        raised as its handler is put back, a SIGTERM): a pool had not recorded it yet, so
        none would ever stop it. It waited on the pool's queue for
        ever, took a stop meant for a worker the pool knew of, and the command, stopped by
        `timeout -s INT` during `demo`, said "interrupted" and then hung at its exit
        (multiprocessing waits for every process it started), for good."""
        if getattr(self, "_popen", None) is None:
            return
        with contextlib.suppress(Exception):
            self.terminate()
            self.join(STOP_SECONDS)


class _SpawnContextIgnoringCtrlC(SpawnContext):
    Process = _SpawnIgnoringCtrlC


def spawn_context() -> SpawnContext:
    """The "spawn" multiprocessing context, its processes ignoring Ctrl-C from the start."""
    return _SpawnContextIgnoringCtrlC()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop `pool` now, whatever its workers are doing, and drop its tasks not started: on
    Ctrl-C, SIGTERM or an error, where a pool's `with` waited for the documents being
    rendered to be finished (seconds each, PDF and DOCX) before the command could say
    "interrupted". Its manager thread is joined (it ends at once, its workers killed):
    racing Python 3.11's exit hook for process pools, which wakes it through a pipe it
    closes as it ends, the hook printed an "OSError: Bad file descriptor" traceback."""
    manager = getattr(pool, "_executor_manager_thread", None)  # None once shut down
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout=STOP_SECONDS)
