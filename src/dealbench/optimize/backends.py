"""Solver choice, in one place: HiGHS (highspy) by default, CBC as the alternative.

PuLP's default solver changed between versions (PuLP 4 bundles no CBC), so
dealbench never relies on it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import os
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

# highspy is imported here, before PuLP: PuLP imports it under a bare `except:`, which
# also swallows a Ctrl-C pressed during that import, and then reports HiGHS as not
# installed. Imported first, an interrupt stops the run as an interrupt. (When highspy is
# missing, PuLP says so and `make_backend` reports it.)
with contextlib.suppress(ImportError):
    importlib.import_module("highspy")

import pulp

from dealbench.errors import ArgumentError, SolverError, stops_held
from dealbench.list_words import unknown
from dealbench.optimize.cbc import CbcSummary, cbc_summary, children_end_with_this_process

# PuLP's CBC command starts CBC through `pulp.apis.coin_api`'s `subprocess` (PuLP 3 and 4).
with contextlib.suppress(ImportError):
    children_end_with_this_process(importlib.import_module("pulp.apis.coin_api"))

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[SolverName, ...] = ("highs", "cbc")


class _StoppableHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS, stopped by Ctrl-C and SIGTERM in a MIP's run.

    HiGHS runs in C: Python's handlers wait for it to return, so a Kalai point on synthetic
    S, a MIP of many minutes, let neither Ctrl-C nor `timeout`'s SIGTERM stop `solve`. The
    signals are held (`errors.stops_held`), the MIP's interrupt callback ends the run when
    one came, and it is raised when the run returns, as a restricted MIP's is."""

    def callSolver(self, lp: Any) -> None:
        model = getattr(lp, "solverModel", None)
        callbacks = getattr(model, "cbMipInterrupt", None)
        if callbacks is None:  # a PuLP or highspy without them: as PuLP runs it
            super().callSolver(lp)
            return
        with stops_held() as pressed:

            def stop(event: Any) -> None:
                if pressed():
                    event.interrupt()

            callbacks.subscribe(stop)
            super().callSolver(lp)


@dataclass(frozen=True)
class Backend:
    name: SolverName
    version: str
    solver: Any  # a pulp.LpSolver


def make_backend(
    name: str = "highs",
    *,
    time_limit: float | None = None,
    gap: float = 1e-6,
    threads: int | None = None,
    warm_start: bool = False,
    highs_options: dict[str, Any] | None = None,
) -> Backend:
    """A configured PuLP solver object for `name`, or a SolverError saying how to get it
    (an ArgumentError for a name that is no solver's).
    `highs_options`: HiGHS options by name, for HiGHS only (CBC ignores them)."""
    if name == "highs":
        if not pulp.HiGHS().available():
            raise SolverError("HiGHS is not available: install it with `pip install highspy`")
        _silence_highs_banner()
        use_threads(threads)
        solver = _StoppableHiGHS(
            msg=False, timeLimit=time_limit, gapRel=gap, threads=threads, **(highs_options or {})
        )
        return Backend("highs", version("highspy"), solver)
    if name == "cbc":
        solver = _cbc(time_limit=time_limit, gap=gap, threads=threads, warm_start=warm_start)
        if solver is not None:
            return Backend("cbc", f"CBC via PuLP {version('pulp')}", solver)
        raise SolverError(
            "CBC is not available: PuLP 4 (Python 3.12+) bundles no CBC; "
            "install it with `pip install 'dealbench[cbc]'` or use the highs solver"
        )
    raise ArgumentError("solver", unknown("solver", name, SOLVERS))  # a bad argument


def _cbc(**options: Any) -> Any:
    """CBC: COIN_CMD finds the `cbcbox` build PuLP 4 installs (`pulp[cbc]`) or one on
    PATH; PuLP 3's PULP_CBC_CMD runs the CBC it bundles (deprecated there, gone in 4)."""
    kwargs = {
        "msg": False,
        "timeLimit": options["time_limit"],
        "gapRel": options["gap"],
        "threads": options["threads"],
        "warmStart": options["warm_start"],
    }
    coin = pulp.COIN_CMD(**kwargs)
    if coin.available():
        return coin
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        candidate = bundled(**kwargs)
    return candidate if candidate.available() else None


_BANNER_SILENCED = False


def _silence_highs_banner() -> None:
    """HiGHS prints a banner to stdout on its first construction in a process.

    It would corrupt `--json` output, so the first instance is made with the
    process's stdout pointed at /dev/null.
    """
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        return
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SILENCED = True


#: The thread count each thread's HiGHS scheduler was made for, by thread ident. HiGHS keeps
#: one scheduler per thread (its executor handle is thread_local), so what one thread ran
#: says nothing of another's: tracked for the process as one, a solve on 1 thread in a
#: web page's worker thread after a default one in the main thread left the main thread's
#: next 1-thread solve unreset, and HiGHS refused it ("could not solve the master LP: Not
#: Set"; qa31's lead).
_SCHEDULERS: dict[int, int] = {}


def use_threads(threads: int | None) -> None:
    """Ready HiGHS for a run in this thread with `threads` (None: its default).

    HiGHS runs every solve of a thread on that thread's scheduler, sized by its first
    run; a later run asking for another thread count fails outright. So the scheduler is
    reset whenever the count asked for changes, and before this thread's first run asking
    for a count of its own: the caller may have run HiGHS in this thread outside
    dealbench (its own highspy model, PuLP's HiGHS), making a scheduler of the default
    size, and a 1-thread solve (a sweep's, a frontier's) then failed with "HiGHS could not
    solve the master LP of the decomposition: Not Set" (qa44-verify). A run at the default
    count (0) accepts any scheduler.
    """
    wanted = 0 if threads is None else int(threads)  # 0: the option's default
    made = _SCHEDULERS.get(threading.get_ident())
    if (made is None and wanted != 0) or (made is not None and wanted != made):
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULERS[threading.get_ident()] = wanted


def stop_scheduler() -> None:
    """Stop this thread's HiGHS scheduler and its threads (the next run starts a new one),
    so that this process may fork: a child forked while they run inherits the pool without
    its threads, and was seen spinning forever. Only while no other thread is solving."""
    if _SCHEDULERS.pop(threading.get_ident(), None) is None:
        return
    import highspy

    highspy.Highs.resetGlobalScheduler(True)


def schedulers_started() -> bool:
    """Whether a living thread of this process has run HiGHS (its scheduler's threads would
    be inherited, half made, by a forked child). A thread that ended took its scheduler
    with it (HiGHS disposes of it at the thread's exit)."""
    alive = {t.ident for t in threading.enumerate()}
    for ident in [i for i in _SCHEDULERS if i not in alive]:
        del _SCHEDULERS[ident]
    return bool(_SCHEDULERS)


@functools.cache
def version(dist: str) -> str:
    """An installed distribution's version (read once: every result names its solver's).

    HiGHS's is the library's own (highspy's releases carry its number): reading package
    metadata scans every entry of sys.path, 2-5 ms of a process's first solve."""
    if dist == "highspy":
        with contextlib.suppress(ImportError, AttributeError):
            import highspy

            return f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Outcome:
    """How a PuLP solve ended, the same on PuLP 3 and PuLP 4.

    `bound` is the best bound on the objective in the problem's own units and
    sense, when the solver reports one.
    """

    state: Literal["optimal", "limit", "infeasible", "unbounded", "error"]
    has_solution: bool
    gap: float | None
    bound: float | None


def run_pulp(problem: Any, backend: Backend) -> Outcome:
    """Solve a PuLP problem with `backend` and read the outcome whatever PuLP's version."""
    solver = backend.solver
    summary: CbcSummary | None = None
    if getattr(solver, "tmpDir", None) is None:  # HiGHS: no files
        returned = problem.solve(solver)
    else:
        start = time.perf_counter()
        returned, summary = _solve_cbc(problem, solver)
        if broken_rows(problem):
            # CBC 2.10's preprocessing has returned, as "Optimal", a point that breaks the
            # model's rows (w != x in a period: a kalai point with tau 0.806 where 0.969
            # exists, tests/data/qa39bverify/cbcrows): solved once more without it, in
            # what is left of the time limit.
            again = copy.copy(solver)
            if solver.timeLimit is not None:
                again.timeLimit = solver.timeLimit - (time.perf_counter() - start)
                if again.timeLimit <= 0:
                    return Outcome("limit", False, None, None)
            returned, summary = _solve_cbc(problem, again, ["preprocess off"])
            if broken_rows(problem):
                return Outcome("error", False, None, None)
    if hasattr(returned, "has_solution"):  # PuLP 4: an LpSolveStats
        return _outcome_v4(returned)
    outcome = _outcome_v3(problem, backend)
    if summary is None:
        return outcome
    return _with_cbc_bound(outcome, summary, problem, solver.optionsDict.get("gapRel"))


def _solve_cbc(
    problem: Any, solver: Any, extra: list[str] | None = None
) -> tuple[Any, CbcSummary | None]:
    """Solve `problem` with CBC (its `extra` options too); what PuLP returned, and CBC's
    account of its search from its log.

    CBC reads and writes files (model, solution) that PuLP removes only after a solve
    that returns: a Ctrl-C mid-solve left them in /tmp. In a folder of this call's own,
    they go with the folder whatever ends the solve."""
    with tempfile.TemporaryDirectory(prefix="dealbench-cbc-") as folder:
        solver = copy.copy(solver)
        solver.tmpDir = folder
        if extra:
            solver.options = [*solver.options, *extra]
        log = Path(folder, "cbc.log")
        solver.optionsDict = {**solver.optionsDict, "logPath": str(log)}
        returned = problem.solve(solver)
        summary = cbc_summary(log.read_text(errors="replace") if log.exists() else "")
    return returned, summary


#: A row is broken when the point a solver returned misses it by more than this, relative
#: to the row's size at the point: 1 + |its right-hand side| + the sum of |coefficient x
#: value| (CBC writes values to 8 significant digits: a row -x + y <= 0 at x = y = 100
#: reads 5e-6 off; a broken one was 8.46 off at 36).
ROW_TOL = 1e-6


def broken_rows(problem: Any) -> list[str]:
    """The names of the rows of `problem` that its variables' values break (none when a
    value is missing: no point was returned)."""
    if any(v.varValue is None for v in problem.variables()):
        return []
    out = []
    for row in problem.constraints():  # a list, on PuLP 3.3 and 4
        size = 1.0 + abs(row.constant) + sum(abs(a * v.varValue) for v, a in row.items())
        if not row.valid(ROW_TOL * size):
            out.append(str(row.name))
    return out


def _outcome_v4(stats: Any) -> Outcome:
    name = getattr(stats.status, "name", str(stats.status))
    has = bool(stats.has_solution)
    gap = None if stats.gap_rel is None else max(float(stats.gap_rel), 0.0)
    bound = None if stats.best_bound is None else float(stats.best_bound)
    if name == "Optimal":
        return Outcome("optimal", has, 0.0 if gap is None else gap, bound)
    if name == "Infeasible":
        return Outcome("infeasible", False, None, None)
    if name == "Unbounded":
        return Outcome("unbounded", has, None, None)
    if name in (
        "TimeLimit",
        "NodeLimit",
        "GapLimit",
        "IterationLimit",
        "SolutionLimit",
        "Interrupted",
        "Stopped",
    ):
        return Outcome("limit", has, gap, bound)
    return Outcome("limit" if has else "error", has, gap, bound)


def _outcome_v3(problem: Any, backend: Backend) -> Outcome:
    status, sol = problem.status, problem.sol_status
    if status == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        return Outcome("infeasible", False, None, None)
    if status == pulp.LpStatusUnbounded:
        return Outcome("unbounded", False, None, None)
    has = sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    gap: float | None = 0.0 if sol == pulp.LpSolutionOptimal else None
    bound: float | None = None
    model = getattr(problem, "solverModel", None)
    if backend.name == "highs" and model is not None:
        info = model.getInfo()
        if info.mip_node_count >= 0:  # a MIP: HiGHS reports the gap and bound
            gap = max(float(info.mip_gap), 0.0) if has else None
            bound = -float(info.mip_dual_bound)  # PuLP hands HiGHS the negated maximisation
    if not has:
        # PuLP 3 reports Undefined for a MIP with no feasible point found in time.
        return Outcome("limit", False, None, bound)
    if sol == pulp.LpSolutionOptimal:
        return Outcome("optimal", True, gap if gap is not None else 0.0, bound)
    return Outcome("limit", True, gap, bound)


def _with_cbc_bound(
    outcome: Outcome, summary: CbcSummary, problem: Any, requested: float | None
) -> Outcome:
    """`outcome` with the bound and gap CBC's log gives. A search CBC completed is
    proven (gap 0); one stopped within the gap or by a limit has the gap from its
    incumbent to its bound, as HiGHS reports it (within the `requested` gap when CBC
    says it stopped there: the widened bound alone could put it a little above)."""
    if outcome.state not in ("optimal", "limit"):
        return outcome
    if summary.proven:
        return Outcome(
            outcome.state,
            outcome.has_solution,
            0.0 if outcome.has_solution else None,
            outcome.bound,
        )
    if summary.bound is None:  # stopped within the gap asked for, or at an unknown distance
        proven = requested if outcome.state == "optimal" and outcome.has_solution else None
        return Outcome(outcome.state, outcome.has_solution, proven, outcome.bound)
    constant = float(problem.objective.constant or 0.0)
    bound = summary.bound + constant
    if not outcome.has_solution:
        return Outcome(outcome.state, False, None, bound)
    value = float(pulp.value(problem.objective) or 0.0)
    beyond = bound - value if problem.sense == pulp.LpMaximize else value - bound
    gap = max(beyond, 0.0) / max(abs(value), 1e-9)
    if outcome.state == "optimal" and requested is not None:
        gap = min(gap, float(requested))
    return Outcome(outcome.state, True, gap, bound)
