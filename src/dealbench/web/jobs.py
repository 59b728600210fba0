"""Solves that run beside the server: one process each, followed and cancellable.

A solve runs in a child process, sends its result back through a pipe and
exits. The server stays responsive meanwhile, a page can poll the job's state,
and cancelling a job terminates its process.

Children come from a fork server (`multiprocessing`'s "forkserver"): a clean
process, started once with the solver libraries imported, that has never run a
solver. Forking the server itself would start faster but is unsafe: once the
server has solved in its own process (the deal room, the frontier), HiGHS's
thread pool exists there, and a forked child inherits its state without its
threads; such a child was seen spinning forever.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

from dealbench.errors import DealbenchError, user_lines
from dealbench.model.schema import Portfolio
from dealbench.optimize.explain import raise_explained
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve

State = Literal["running", "done", "failed", "cancelled"]
Work = Callable[..., SolveResult]  # a module-level function (sent to the fork server)
#: Imported once by the fork server, so that each solve starts in milliseconds.
#: With `dealbench serve`, each child also re-imports the console script, hence the CLI.
PRELOAD = ["dealbench.web.jobs", "dealbench.cli.app", "highspy", "pulp", "numpy"]


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
    #: What pages computed from the result once (e.g. why partners have no deal).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _process: Any = field(default=None, repr=False)

    def elapsed(self) -> float:
        return self.seconds if self.state != "running" else time.monotonic() - self.started

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "seconds": round(self.elapsed(), 2),
            "error": self.error,
        }


class Jobs:
    """The server's solves, by id (kept for the server's lifetime, newest last)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def for_portfolio(self, name: str) -> list[Job]:
        """The solves of one portfolio, newest first."""
        return [j for j in reversed(self._jobs.values()) if j.portfolio == name]

    def start(
        self, portfolio: str, options: dict[str, Any], work: Work, args: tuple[Any, ...] = ()
    ) -> Job:
        """Run `work(*args)` in a child process (both must pickle: `work` a module-level
        function)."""
        with self._lock:
            job = Job(f"{next(self._ids)}", portfolio, options)
            self._jobs[job.id] = job
        context = fork_server()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(work, args, sender), daemon=True)
        process.start()
        sender.close()
        job._process = process
        threading.Thread(target=_follow, args=(job, receiver), daemon=True).start()
        return job

    def cancel(self, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        if job is not None and job.state == "running":
            job.state = "cancelled"
            job.seconds = time.monotonic() - job.started
            job._process.terminate()
        return job

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            self.cancel(job.id)


def solve_job(pf: Portfolio, options: dict[str, Any]) -> SolveResult:
    """A solve job (in its own process): the result, or the error explained."""
    result = solve(pf, **options)
    return raise_explained(pf, result, mode=options["mode"], v_floor=options["v_floor"])


def fork_server() -> Any:
    """The multiprocessing context of the solves, preloaded (its server starts once)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _child(work: Work, args: tuple[Any, ...], sender: Connection) -> None:
    try:
        result = work(*args)
        sender.send(("done", result.model_dump_json()))
    except DealbenchError as exc:
        sender.send(("failed", "\n".join(user_lines(exc))))
    except Exception as exc:  # a bug: say so in the page rather than hang the job
        sender.send(("failed", f"internal error: {type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _follow(job: Job, receiver: Connection) -> None:
    try:
        kind, payload = receiver.recv()
    except (EOFError, OSError):
        kind, payload = "failed", "the solve process ended without an answer"
    finally:
        receiver.close()
    job._process.join()
    if job.state == "cancelled":
        return
    job.seconds = time.monotonic() - job.started
    if kind == "done":
        job.result = SolveResult.model_validate_json(payload)
        job.state = "done"
    else:
        job.error = payload
        job.state = "failed"
