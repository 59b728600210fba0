"""Talking to HiGHS directly: a quiet instance, and models passed as arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import SolverError
from dealbench.optimize.backends import _silence_highs_banner, use_threads

INF = float("inf")  # highspy.kHighsInf


def new_highs(
    *, threads: int | None = None, time_limit: float | None = None, gap: float | None = None
) -> Any:
    """A silent highspy.Highs with the usual options."""
    import highspy

    _silence_highs_banner()
    use_threads(threads)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    # Feasibility jump, HiGHS's first primal heuristic for a MIP, costs about 10 ms a MIP
    # whatever its size, and this package's MIPs are small or start from an incumbent:
    # global's regimes solve 20-27% faster without it, to the same answers.
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    if gap is not None:
        h.setOptionValue("mip_rel_gap", float(gap))
    return h


def csc(
    rows: NDArray[np.int64], cols: NDArray[np.int64], vals: NDArray[np.float64], n_cols: int
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    """Column starts, row indices and values of a sparse matrix given as triplets."""
    order = np.lexsort((rows, cols))
    starts = np.searchsorted(cols[order], np.arange(n_cols + 1)).astype(np.int32)
    return starts, rows[order].astype(np.int32), vals[order].astype(np.float64)


def pass_model(
    h: Any,
    *,
    cost: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
    matrix: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]],
    integer: NDArray[np.bool_] | None = None,
    maximize: bool = True,
) -> None:
    """Hand a whole (mixed-integer) linear program to HiGHS in one call."""
    import highspy

    lp = highspy.HighsLp()
    n = len(cost)
    lp.num_col_ = n
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    start, index, value = csc(*matrix, n)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    if integer is not None and integer.any():
        kinds = highspy.HighsVarType
        lp.integrality_ = [kinds.kInteger if i else kinds.kContinuous for i in integer]
    h.passModel(lp)


def run_lp(h: Any, what: str) -> None:
    """Solve a linear program that must solve: anything but an optimum is a SolverError.

    A simplex warm-started from the previous basis (the master LP, re-solved as columns
    join) can stop with infeasibilities just above the tolerance once unscaled: status
    Unknown (a one-partner master LP of synthetic M, one dual infeasibility of 5.9e-5).
    Solved once more from scratch, the same LP is optimal; only then is it given up."""
    import highspy

    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnknown:
        h.clearSolver()
        h.run()
        status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS could not solve {what}: {h.modelStatusToString(status)}")
