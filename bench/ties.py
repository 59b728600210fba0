"""What breaking ties costs: the solve with and without the step, us-best and partner-best.

    python bench/ties.py [--repeat 9] [--mode us-best --mode partner-best]

For M seeds 0, 1 and 2 and the shipped gulf-asia and global portfolios, in each mode: the
solve's median time without the last step (`dealbench.optimize.prefer`, through
`best.with_ties_broken`: us-best's ties for the partner, partner-best's for the US) and
with it, the two interleaved in one process so the machine's load falls on both alike, and
the step's own median time (its `ties` timing).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import dealbench.optimize.best as best
from dealbench.model.load import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import solve
from dealbench.optimize.result import SolveResult
from dealbench.synth import generate

SHIPPED = Path(__file__).resolve().parent.parent / "deals" / "portfolios"


def _without(portfolio: Portfolio, result: SolveResult) -> SolveResult:
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--mode", action="append", choices=["us-best", "partner-best"])
    args = parser.parse_args()
    modes = args.mode or ["us-best", "partner-best"]
    with_ties = best.with_ties_broken
    cases = [(f"M seed {s}", generate("M", s)) for s in (0, 1, 2)]
    cases += [(n, load_portfolio(SHIPPED / f"{n}.yaml")) for n in ("gulf-asia", "global")]
    for mode in modes:
        for name, portfolio in cases:
            _time(f"{mode}, {name}", portfolio, mode, args.repeat, with_ties)


def _time(
    name: str,
    portfolio: Portfolio,
    mode: Literal["us-best", "partner-best"],
    repeat: int,
    with_ties: Callable[[Portfolio, SolveResult], SolveResult],
) -> None:
    solve(portfolio, mode)  # warm-up
    off: list[float] = []
    on: list[float] = []
    step: list[float] = []
    for _ in range(repeat):
        for times, step_fn in ((off, _without), (on, with_ties)):
            best.with_ties_broken = step_fn
            start = time.perf_counter()
            result = solve(portfolio, mode)
            times.append(time.perf_counter() - start)
        step.append(result.solver.timings["ties"])
    best.with_ties_broken = with_ties
    a, b = statistics.median(off), statistics.median(on)
    print(
        f"{name}: without {a:.3f} s, with {b:.3f} s ({100 * (b / a - 1):+.1f}%); "
        f"the step {1000 * statistics.median(step):.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
