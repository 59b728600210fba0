"""What breaking us-best's ties for the partner costs: the solve with and without the step.

    python bench/ties.py [--repeat 9]

For M seeds 0, 1 and 2 and the shipped gulf-asia and global portfolios: the us-best
solve's median time without the last step (`dealbench.optimize.prefer`, through
`best.with_ties_for_partners`) and with it, the two interleaved in one process so the
machine's load falls on both alike, and the step's own median time (its `ties` timing).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import dealbench.optimize.best as best
from dealbench.model.load import load_portfolio
from dealbench.model.schema import Portfolio
from dealbench.optimize import solve
from dealbench.optimize.result import SolveResult
from dealbench.synth import generate

SHIPPED = Path(__file__).resolve().parent.parent / "deals" / "portfolios"


def _without(portfolio: Portfolio, result: SolveResult) -> SolveResult:
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with_ties = best.with_ties_for_partners
    cases = [(f"M seed {s}", generate("M", s)) for s in (0, 1, 2)]
    cases += [(n, load_portfolio(SHIPPED / f"{n}.yaml")) for n in ("gulf-asia", "global")]
    for name, portfolio in cases:
        solve(portfolio)  # warm-up
        off: list[float] = []
        on: list[float] = []
        step: list[float] = []
        for _ in range(args.repeat):
            for times, step_fn in ((off, _without), (on, with_ties)):
                best.with_ties_for_partners = step_fn
                start = time.perf_counter()
                result = solve(portfolio)
                times.append(time.perf_counter() - start)
            step.append(result.solver.timings["ties"])
        best.with_ties_for_partners = with_ties
        a, b = statistics.median(off), statistics.median(on)
        print(
            f"{name}: without {a:.3f} s, with {b:.3f} s ({100 * (b / a - 1):+.1f}%); "
            f"the step {1000 * statistics.median(step):.1f} ms"
        )


if __name__ == "__main__":
    main()
