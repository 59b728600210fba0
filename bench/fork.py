"""What a forked worker costs the process that forked it: one solve, with and without a
child that only sleeps (no CPU taken from this process's core).

    python bench/fork.py [--runs 8]

Each run is a fresh process that imports and warms up as `compare` does (`_warm_up`,
`gc.freeze()`), then, in the "forked" runs, forks a child that sleeps through the solve,
and solves the global portfolio under the bilateral regime (the comparison's longest
solve, which `compare --jobs 2` runs in its own process beside its worker). The two kinds
of run alternate. Printed: the medians of the solve's wall and CPU seconds and of its minor
page faults. After a fork every page the two processes share is copy-on-write, and
CPython's reference counts write to the objects of every module the solve uses, so the
solve's first write to each such page faults and copies it. Nothing is written to
results.json: this explains part of `bench/analyze.py`'s compare figures, it sets no target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

GLOBAL = Path(__file__).resolve().parent.parent / "deals" / "portfolios" / "global.yaml"


def one(forked: bool) -> dict[str, float]:
    """One solve in this (fresh) process."""
    import gc
    import os
    import resource
    import time

    from dealbench.analyze import find_regime
    from dealbench.analyze.parallel import _warm_up
    from dealbench.model import load_portfolio
    from dealbench.model.regimes import under_regime
    from dealbench.optimize import solve

    pf = under_regime(load_portfolio(GLOBAL), find_regime("bilateral", GLOBAL))
    _warm_up()
    gc.freeze()  # as `compare` does before it forks its workers
    child = os.fork() if forked else -1
    if child == 0:
        time.sleep(10)
        os._exit(0)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start, start_cpu = time.perf_counter(), time.process_time()
    solve(pf, threads=1)
    out = {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - start_cpu,
        "faults": float(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before.ru_minflt),
    }
    if child > 0:
        os.kill(child, 9)
        os.waitpid(child, 0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--one", choices=["alone", "forked"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one == "forked")))
        return 0
    runs: dict[str, list[dict[str, float]]] = {"alone": [], "forked": []}
    for _ in range(args.runs):
        for kind in runs:
            cmd = [sys.executable, __file__, "--one", kind]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for kind, got in runs.items():
        median = {key: statistics.median(r[key] for r in got) for key in got[0]}
        print(
            f"{kind:>6}: solve {median['seconds']:.3f} s wall, {median['cpu']:.3f} s CPU, "
            f"{median['faults']:,.0f} minor page faults (medians of {len(got)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
