"""What `solve` spends explaining partners without a deal: one by one, and side by side.

    python bench/reasons.py [--seeds 0 1 2] [--repeat 2]

`dealbench solve` prints, after the packages, why each partner without a deal has none;
a partner the shared limits keep out is explained by re-solving the whole portfolio
(`explain._least_room`), about a solve each. For each M seed: the solve, then the reasons
one by one (`explain.no_deal_reasons`, HiGHS's default threads) and side by side on every
core (`analysed.reasons_side_by_side`, one solver thread a process), alternately in this
process, `--repeat` times each; the reasons must be the same.
"""

from __future__ import annotations

import argparse
import statistics
import time

from dealbench.analyze.analysed import reasons_side_by_side
from dealbench.analyze.parallel import make_executor
from dealbench.optimize import solve
from dealbench.optimize.explain import no_deal_reasons
from dealbench.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    executor = make_executor(None, None, None)
    for seed in args.seeds:
        pf = generate("M", seed=seed)
        clock = time.perf_counter()
        result = solve(pf)
        solved = time.perf_counter() - clock
        apart: list[float] = []
        together: list[float] = []
        for _ in range(args.repeat):
            clock = time.perf_counter()
            serial = no_deal_reasons(pf, result)
            apart.append(time.perf_counter() - clock)
            clock = time.perf_counter()
            parallel = reasons_side_by_side(pf, result, (), executor)
            together.append(time.perf_counter() - clock)
            assert [r.as_dict() for r in serial] == [r.as_dict() for r in parallel]
        one, two = statistics.median(apart), statistics.median(together)
        print(
            f"M seed {seed}: solve {solved:.2f} s; {len(result.no_deal)} partners without a "
            f"deal explained one by one {one:.2f} s, side by side on {executor.jobs} "
            f"processes {two:.2f} s ({one / two:.2f}x), the same reasons"
        )


if __name__ == "__main__":
    main()
