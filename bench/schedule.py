"""What rounding and smoothing cost: the schedule step against the solve, at named sizes.

    python bench/schedule.py --sizes S,M

For each size: the solve's own time, the schedule step (four linear programs
and the rounding, `dealbench.optimize.schedule`), their ratio (the target is at
most 20%), the step the amounts ended on, and V lost to rounding.
"""

from __future__ import annotations

import argparse
import time

from dealbench.optimize import solve
from dealbench.synth import generate

TARGET = 0.20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"{'size':<4} {'solve s':>8} {'schedule s':>10} {'ratio':>6} {'step':>6} {'V lost USD':>12}"
    )
    for size in args.sizes.split(","):
        pf = generate(size, seed=args.seed)
        start = time.perf_counter()
        result = solve(pf)
        wall = time.perf_counter() - start
        t, d = result.solver.timings, result.solver.details
        ratio = t["schedule"] / t["solve"]  # a reserve re-solve counts as schedule time
        lost = d["unrounded_objective"] - (result.objective or 0.0)
        print(
            f"{size:<4} {t['solve']:>8.2f} {t['schedule']:>10.3f} {ratio:>6.1%} "
            f"{d['granularity_h100e']:>6.0f} {lost:>12,.0f}   (wall {wall:.2f} s"
            f"{', reserve re-solve' if 'reserve' in t else ''})"
        )
        if ratio > TARGET:
            print(f"  over the target of {TARGET:.0%}")


if __name__ == "__main__":
    main()
