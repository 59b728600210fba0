"""What dealbench adds to PuLP's CBC: CBC's own account of its search, and a CBC process
that ends with the process that started it.

PuLP 3 runs CBC as a command (`COIN_CMD`, `PULP_CBC_CMD`) and reads back only its
solution file. That file says "Optimal" for a search stopped within the requested gap,
and nothing of the bound of one stopped by a time limit; CBC's log says both.
"""

from __future__ import annotations

import ctypes
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CbcSummary:
    """What CBC's log says at its end: how the search ended, and (when it stopped short
    of a proof) the best bound on the objective, in the problem's sense without PuLP's
    constant, widened by half of the last digit CBC prints (it prints three decimals)."""

    proven: bool
    bound: float | None


_RESULT = re.compile(r"^Result - (.*)$", re.MULTILINE)
_BOUND = re.compile(r"^(Upper|Lower) bound:\s+(\S+)", re.MULTILINE)


def cbc_summary(log: str) -> CbcSummary | None:
    """CBC's own account of a MIP search, from its log (None: no search summary, as for
    an LP). PuLP 3 reads only CBC's solution file, which says "Optimal" for a search
    stopped within the requested gap and gives no bound for one stopped by the time
    limit: the incumbent was then reported with gap 0, or at an unknown distance."""
    result = _RESULT.search(log)
    if result is None:
        return None
    proven = result.group(1).strip() == "Optimal solution found"  # the search completed
    found = _BOUND.search(log)
    if found is None:
        return CbcSummary(proven, None)
    try:
        value = float(found.group(2))
    except ValueError:
        return CbcSummary(proven, None)
    decimals = len(found.group(2).partition(".")[2])
    half = 0.5 * 10.0**-decimals
    return CbcSummary(proven, value + half if found.group(1) == "Upper" else value - half)


#: prctl's option that sends a signal to this process when the thread that started it ends.
_PR_SET_PDEATHSIG = 1


def _prctl() -> Any:
    """libc's prctl, looked up before any fork (None off Linux, or without it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # the process's own libc
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def _end_with_parent() -> None:
    """In CBC's process, before CBC starts: a SIGKILL when its parent ends."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class _Subprocess:
    """The `subprocess` module as PuLP's CBC command sees it: its children end with
    the process that started them."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        kwargs.setdefault("preexec_fn", _end_with_parent)
        return subprocess.Popen(*args, **kwargs)


def children_end_with_this_process(coin_api: Any) -> None:
    """Make the CBC processes that PuLP's `coin_api` module starts end with this process.

    CBC runs as a child process, waited on by the thread that solves. A dealbench
    stopped by SIGTERM or SIGKILL (`kill`, a supervisor, the web workbench cancelling a
    job by terminating its process) left that child running, on a core, for as long as
    its search took: with no time limit, minutes to hours, writing into a folder already
    removed. Linux's parent-death signal ends it with the thread that waits for it
    (that thread lives as long as the child does). Elsewhere nothing changes."""
    if _PRCTL is not None and getattr(coin_api, "subprocess", None) is subprocess:
        coin_api.subprocess = _Subprocess()
