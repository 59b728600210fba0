"""Solves that run beside the server: one process each, followed and cancellable.

A solve runs in a child process, sends its result back through a pipe and
exits. The server stays responsive meanwhile, a page can wait for the job's
state, and cancelling a job terminates its process.

Children come from a fork server (`multiprocessing`'s "forkserver"): a clean
process, started once with the solver libraries imported, that has never run a
solver. Forking the server itself would start faster but is unsafe: once the
server has solved in its own process (the deal room, the frontier), HiGHS's
thread pool exists there, and a forked child inherits its state without its
threads; such a child was seen spinning forever.

A job does not wait for its process to start. One worker is started ahead of
time and waits, idle, for the next job. First it warms up with a tiny solve
(HiGHS's banner and thread pool, lazily imported modules), so a job costs what
the same solve costs in a process that has solved before. The worker runs that
job only, then exits: no worker ever forks, and each solve has a process of its
own. Its replacement is started when the job ends, not while it runs, so that
it takes no CPU from the solve. A page waiting for a job is answered the moment
its result arrives (`Job.on_finish`), not at its next poll.

A job's work returns a `SolveResult` (a solve), or any other picklable answer
(a solve with its analyses, a sweep: `Job.output`); it may call `report` to say
how far it is (`Job.progress`, shown by its page).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

from dealbench.errors import DealbenchError, user_lines
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.infeasible import raise_explained
from dealbench.optimize.explain.no_deal import no_deal_reasons
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve
from dealbench.result_words import MAX_EXPLAINED
from dealbench.workers import ignore_ctrl_c

State = Literal["running", "done", "failed", "cancelled"]
Work = Callable[..., Any]  # a module-level function (sent to the worker)
#: Imported once by the fork server, so that each worker starts in milliseconds.
#: With `dealbench serve`, each child also re-imports the console script, hence the CLI.
PRELOAD = [
    "dealbench.web.jobs",
    "dealbench.web.work",
    "dealbench.cli.app",
    "dealbench.synth",
    "highspy",
    "pulp",
    "numpy",
]
#: The solve options of a job from the solve form's defaults (the warm-up's too).
DEFAULT_OPTIONS: dict[str, Any] = {
    "mode": "us-best",
    "solver": "highs",
    "gap": 1e-6,
    "time_limit": None,
    "v_floor": None,
}


#: The longest a job waits for the idle worker to finish warming up before starting another.
WARM_UP_SECONDS = 30.0


@dataclass
class Job:
    """One solve: its inputs' description, its state, and its result or error."""

    id: str
    portfolio: str
    options: dict[str, Any]
    started: float = field(default_factory=time.monotonic)
    state: State = "running"
    seconds: float = 0.0
    result: SolveResult | None = None
    error: str = ""
    #: What the job is: "solve", or "sweep" (its page is another).
    kind: str = "solve"
    #: The work's whole answer where it is not a bare SolveResult (a sweep's, an analysed
    #: solve's: `result` is then its SolveResult, if it has one).
    output: Any = None
    #: The work's last report: (what it does, done, total).
    progress: tuple[str, int, int] | None = None
    #: What pages computed from the result once (e.g. why partners have no deal).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _process: Any = field(default=None, repr=False)
    _callbacks: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def elapsed(self) -> float:
        return self.seconds if self.state != "running" else time.monotonic() - self.started

    def described(self) -> str:
        """What sets this solve apart from another of its portfolio, in a line: its mode,
        and the regime, overrides and analyses it was asked for (`us-best, regime tiered,
        partners.AE.batna=12bn, robust 0.9`)."""
        o = self.options
        parts = [str(o.get("mode", self.kind))]
        if o.get("policy"):
            parts.append(f"regime {o['policy']}")
        parts += [str(s) for s in o.get("sets") or ()]
        analysis = o.get("analysis") or {}
        if analysis.get("robust") is not None:
            parts.append(f"robust {analysis['robust']}")
        if analysis.get("prices"):
            parts.append("shadow prices")
        if o.get("explain_all"):
            parts.append("every partner without a deal explained")
        return ", ".join(parts)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "state": self.state,
            "seconds": round(self.elapsed(), 2),
            "error": self.error,
        }
        if self.progress is not None:
            stage, done, total = self.progress
            out["progress"] = {"stage": stage, "done": done, "total": total}
        return out

    def on_finish(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (from whichever thread ends the job) once the job is no longer
        running, at once if it already is not. Returns what withdraws the request."""
        with self._lock:
            if self.state == "running":
                self._callbacks.append(callback)
                return lambda: self._withdraw(callback)
        callback()
        return lambda: None

    def _withdraw(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def _finish(
        self, state: State, result: SolveResult | None = None, error: str = "", output: Any = None
    ) -> bool:
        """End the job (the first ending wins: a cancelled job stays cancelled) and tell
        whoever waits for it."""
        with self._lock:
            if self.state != "running":
                return False
            self.seconds = time.monotonic() - self.started
            self.result, self.error, self.output = result, error, output
            self.state = state  # last: a reader who sees "done" sees the result
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()
        return True


class _Worker:
    """A process from the fork server that warms up, then waits for one job and runs it."""

    def __init__(self) -> None:
        context = fork_server()
        tasks, self._tasks = context.Pipe(duplex=False)
        self.results, results = context.Pipe(duplex=False)
        # The worker's temporary files (CBC's model and solution) go in a folder of its
        # own, removed here when it has ended: a cancelled job's process is terminated
        # mid-solve and cleans up nothing itself.
        self.scratch = tempfile.mkdtemp(prefix="dealbench-job-")
        self.process = context.Process(
            target=_serve, args=(tasks, results, self.scratch), daemon=True
        )
        self.process.start()
        tasks.close()
        results.close()

    def warmed(self) -> _Worker:
        """Wait until the worker has warmed up (raises EOFError if it died meanwhile)."""
        self.results.recv()
        return self

    def run(self, work: Work, args: tuple[Any, ...]) -> None:
        """Give the worker its job (raises OSError if the worker is gone)."""
        self._tasks.send((work, args))
        self._tasks.close()

    def stop(self) -> None:
        """An idle worker, no longer needed: it sees its pipe close and exits."""
        self._tasks.close()
        self.results.close()
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.terminate()
        self.ended()

    def ended(self) -> None:
        """Wait for the process to end, then remove its temporary files."""
        self.process.join()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Jobs:
    """The server's solves, by id (kept for the server's lifetime, newest last)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._spare: Future[_Worker] | None = None
        self._closed = False

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def newest(self, kind: str = "solve") -> list[Job]:
        """The jobs of one kind, of every portfolio, newest first."""
        return [j for j in reversed(self._jobs.values()) if j.kind == kind]

    def for_portfolio(self, name: str, kind: str = "solve") -> list[Job]:
        """The jobs of one kind of one portfolio, newest first."""
        return [j for j in self.newest(kind) if j.portfolio == name]

    def prepare(self) -> None:
        """Start the worker of the next job now (in the background), not at the job."""
        with self._lock:
            if self._spare is not None or self._closed:
                return
            spare: Future[_Worker] = Future()
            self._spare = spare
        threading.Thread(target=_make_worker, args=(spare,), daemon=True).start()

    def start(
        self,
        portfolio: str,
        options: dict[str, Any],
        work: Work,
        args: tuple[Any, ...] = (),
        kind: str = "solve",
    ) -> Job:
        """Run `work(*args)` in a worker process (both must pickle: `work` a module-level
        function)."""
        with self._lock:
            job = Job(f"{next(self._ids)}", portfolio, options, kind=kind)
            self._jobs[job.id] = job
        worker = self._take()
        try:
            worker.run(work, args)
        except OSError:  # the idle worker died (killed from outside): a new one
            worker.stop()
            worker = _Worker()  # not warmed up: the job need not wait for that
            worker.run(work, args)
        job._process = worker.process
        job.on_finish(self.prepare)  # the next job's worker: once this one's solve is over
        threading.Thread(target=_follow, args=(job, worker), daemon=True).start()
        return job

    def ready(self, timeout: float | None = None) -> None:
        """Wait until the next job's worker has started and warmed up (if one is coming)."""
        spare = self._spare
        if spare is not None:
            with contextlib.suppress(Exception):
                spare.result(timeout)

    def cancel(self, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        if job is not None and job._finish("cancelled"):
            job._process.terminate()
        return job

    def shutdown(self) -> None:
        """Cancel every running solve (answering the pages waiting on them) and stop the
        idle worker."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        for job in list(self._jobs.values()):
            self.cancel(job.id)
        if spare is not None:
            with contextlib.suppress(Exception):  # a worker that never started needs no stop
                spare.result(timeout=30).stop()

    def _take(self) -> _Worker:
        """The idle worker (waiting for it if it is still starting), or a new one."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            try:
                worker = spare.result(timeout=WARM_UP_SECONDS)
                if worker.process.is_alive():
                    return worker
                worker.stop()
            except Exception:  # it failed to start or is stuck: start one here (which says why
                pass  # if it fails; a stuck one exits when its pipe is dropped)
        return _Worker()


def solve_job(
    pf: Portfolio, options: dict[str, Any], limit: int | None = MAX_EXPLAINED
) -> SolveResult:
    """A solve job (in its own process): the result, with why each partner without a deal
    has none (as `solve` carries it: the first `limit`, None every one as `solve
    --explain-all`), or the error explained."""
    result = solve(pf, **options)
    result = raise_explained(pf, result, mode=options["mode"], v_floor=options["v_floor"])
    return result.explained(no_deal_reasons(pf, result, limit=limit), pf)


def fork_server() -> Any:
    """The multiprocessing context of the solves, preloaded (its server starts once)."""
    from dealbench.analyze.parallel import fork_server as shared

    return shared(PRELOAD)


def warm_up() -> None:
    """A tiny solve through the same code as a job's: what a process pays once."""
    from dealbench.synth import Size, generate

    solve_job(generate(Size("warm-up", 2, 2, 1, 1), seed=0), DEFAULT_OPTIONS)


def _make_worker(spare: Future[_Worker]) -> None:
    try:
        spare.set_result(_Worker().warmed())
    except Exception as exc:  # reported when the worker is taken
        spare.set_exception(exc)


#: In a worker: how its job's `report` reaches the server (None elsewhere).
_REPORTER: Callable[[str, int, int], None] | None = None


def report(stage: str, done: int, total: int) -> None:
    """Said by a job's work: how far it is (`Job.progress`); nothing outside a worker."""
    if _REPORTER is not None:
        _REPORTER(stage, done, total)


def _serve(tasks: Connection, sender: Connection, scratch: str) -> None:
    """The worker: warm up, wait for the job, run it, send its outcome back. Ctrl-C is the
    server's: it cancels the job and stops the idle worker."""
    global _REPORTER
    ignore_ctrl_c()
    os.environ["TMPDIR"] = tempfile.tempdir = scratch
    with contextlib.suppress(Exception):  # an optimisation: the job will say what fails
        warm_up()
    sender.send(("ready", ""))
    _REPORTER = lambda stage, done, total: sender.send(("progress", (stage, done, total)))  # noqa: E731
    try:
        work, args = tasks.recv()
    except (EOFError, OSError):  # the server stopped before giving this worker a job
        return
    finally:
        tasks.close()
    try:
        result = work(*args)
        if isinstance(result, SolveResult):
            sender.send(("done", result.model_dump_json()))
        else:
            sender.send(("output", result))
    except DealbenchError as exc:
        sender.send(("failed", "\n".join(user_lines(exc))))
    except Exception as exc:  # a bug: say so in the page rather than hang the job
        sender.send(("failed", f"internal error: {type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _follow(job: Job, worker: _Worker) -> None:
    try:
        kind, payload = worker.results.recv()
        if kind == "ready":  # a worker that was not waited for says when it has warmed up
            kind, payload = worker.results.recv()
        while kind == "progress":
            job.progress = payload
            kind, payload = worker.results.recv()
    except (EOFError, OSError):
        kind, payload = "failed", "the solve process ended without an answer"
    finally:
        worker.results.close()
    if kind == "done":
        job._finish("done", result=SolveResult.model_validate_json(payload))
    elif kind == "output":
        found = getattr(payload, "result", None)
        job._finish(
            "done", result=found if isinstance(found, SolveResult) else None, output=payload
        )
    else:
        job._finish("failed", error=payload)
    worker.ended()  # after the page is told: the process's exit is no one's wait


async def until_finished(job: Job, seconds: float) -> None:
    """Wait until `job` finishes, or `seconds` pass (a page that waits for its job)."""
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the request (and its loop) ended meanwhile
            loop.call_soon_threadsafe(finished.set)

    withdraw = job.on_finish(wake)
    try:
        await asyncio.wait_for(finished.wait(), seconds)
    except TimeoutError:
        pass
    finally:
        withdraw()
