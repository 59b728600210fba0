"""What rounding and smoothing cost: the schedule step against the solve, at named sizes.

    python bench/schedule.py --sizes S,M [--seed 1]

For each size: the solve's own time, the schedule step (four linear programs
and the rounding, `dealbench.optimize.schedule.signable`), their ratio (the target is at
most 20%), the step the amounts ended on, V lost to rounding, and the step's
stages. Each size and seed is merged into bench/results.json under "schedule"
(`S-seed0`, ...), with the time it was measured.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from dealbench.optimize import solve
from dealbench.synth import generate

TARGET = 0.20
RESULTS = Path(__file__).resolve().parent / "results.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    print(
        f"{'size':<4} {'solve s':>8} {'schedule s':>10} {'ratio':>6} {'step':>6} {'V lost USD':>12}"
    )
    measured: dict[str, Any] = {}
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
        stages = {k.removeprefix("schedule "): v for k, v in t.items() if k.startswith("schedule ")}
        print("     " + "  ".join(f"{k} {v:.3f}" for k, v in stages.items()))
        if ratio > TARGET:
            print(f"  over the target of {TARGET:.0%}")
        measured[f"{size}-seed{args.seed}"] = {
            "solve_s": t["solve"],
            "schedule_s": t["schedule"],
            "ratio": ratio,
            "stages_s": stages,
            "step_h100e": d["granularity_h100e"],
            "v_lost_usd": lost,
            "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    _merge(args.out, measured)


def _merge(path: Path, measured: dict[str, Any]) -> None:
    """Each size and seed replaces its own entry under "schedule"; the rest stays."""
    payload = json.loads(path.read_text()) if path.exists() else {}
    payload["schedule"] = {**payload.get("schedule", {}), **measured}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


if __name__ == "__main__":
    main()
