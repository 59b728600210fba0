"""Solver choice, in one place: HiGHS (highspy) by default, CBC as the alternative.

PuLP's default solver changed between versions (PuLP 4 bundles no CBC), so
dealbench never relies on it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Literal

import pulp

from dealbench.errors import SolverError

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[SolverName, ...] = ("highs", "cbc")


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
) -> Backend:
    """A configured PuLP solver object for `name`, or a SolverError saying how to get it."""
    if name == "highs":
        if not pulp.HiGHS().available():
            raise SolverError("HiGHS is not available: install it with `pip install highspy`")
        _silence_highs_banner()
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap, threads=threads)
        return Backend("highs", _version("highspy"), solver)
    if name == "cbc":
        for cls in (pulp.PULP_CBC_CMD, pulp.COIN_CMD):
            candidate = cls(
                msg=False, timeLimit=time_limit, gapRel=gap, threads=threads, warmStart=warm_start
            )
            if candidate.available():
                return Backend("cbc", f"CBC via PuLP {_version('pulp')}", candidate)
        raise SolverError(
            "CBC is not available: PuLP 4 (Python 3.12+) bundles no CBC; "
            "install it with `pip install 'dealbench[cbc]'` or use --solver highs"
        )
    raise SolverError(f"unknown solver {name!r}; expected one of: {', '.join(SOLVERS)}")


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


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"
