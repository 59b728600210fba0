"""A process whose worker processes are busy when it is killed (tests/test_qa11_rel.py).

`python pool_then_wait.py KIND FOLDER`: starts the pool KIND uses (`fork`: an analysis
pool forked from this process; `forkserver`: one after this process has solved, so from
a fork server; `render`: the spawned pool of `render_documents`) on two tasks. Each task
writes its process id into FOLDER and sleeps; the test kills this process meanwhile.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import dealbench.render.documents as documents
from dealbench.analyze.parallel import Executor


def nap(folder: str) -> int:
    """A task: say which process runs it, then take longer than any test waits."""
    (Path(folder) / str(os.getpid())).touch()
    time.sleep(600)
    return 0


def nap_render(doc: Any, *_: Any) -> list[Any]:
    return [nap(doc)]


# Run again in each spawned worker (its __mp_main__), so the render pool's workers nap too.
documents.render_document = nap_render  # type: ignore[assignment]


if __name__ == "__main__":
    kind, folder = sys.argv[1], sys.argv[2]
    if kind == "render":
        list(documents.render_documents([folder, folder], ["md"], jobs=2))  # type: ignore[list-item]
    else:
        if kind == "forkserver":  # a process that has run HiGHS forks no workers itself
            from dealbench import load_portfolio, solve

            solve(load_portfolio(Path(__file__).parents[1] / "tiny" / "portfolio.yaml"))
        Executor("processes", 2).map(nap, [folder, folder])
