"""Run by tests/test_qa9_par.py: the calling process's task waits while the worker,
its task done, waits for another; the test then presses Ctrl-C (SIGINT to the group)."""

import os
import sys
import time
from pathlib import Path

from dealbench.analyze.parallel import Executor


def task(i: int) -> int:
    if i == 0:
        time.sleep(60)  # the calling process's task, still running at Ctrl-C
    else:
        Path(os.environ["QA9_TASK_DONE"]).touch()  # the worker's task: the test waits for it
    return i


if __name__ == "__main__":
    print("ready", flush=True)
    try:
        Executor("processes", 2).map(task, [0, 1])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
