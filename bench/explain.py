"""The why-no-deal benchmark: a solve at M and the explanations of its partners without a deal,
each raise of the shared limits re-solved cold (as before session 35) and from the solve.

    python bench/explain.py                  # M seeds 0-2, three runs each
    python bench/explain.py --seeds 2 --runs 1

`dealbench solve` prints both: the solve, then why each partner without a deal has none
(`optimize.explain.no_deal_reasons`, at most 25 partners). Both routes run in this one
process, alternately, each timed in wall and process seconds (the median of `--runs`), and
their reasons must be the same, word for word (`same`). Results are merged into
bench/results.json under "explain".
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _timed(run: Any) -> tuple[Any, float, float]:
    """`run()`, its wall and its process seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def measure(size: str, seed: int, runs: int) -> dict[str, Any]:
    from dealbench.optimize import solve
    from dealbench.optimize.explain import no_deal_reasons
    from dealbench.synth import generate

    pf = generate(size, seed=seed)
    times: dict[str, list[float]] = {}
    said: dict[str, list[Any]] = {}
    for _ in range(runs):
        result, wall, cpu = _timed(lambda: solve(pf))
        times.setdefault("solve_s", []).append(wall)
        times.setdefault("solve_cpu_s", []).append(cpu)
        for route, cold in (("cold", True), ("warm", False)):
            reasons, wall, cpu = _timed(lambda r=result, c=cold: no_deal_reasons(pf, r, cold=c))
            times.setdefault(f"{route}_s", []).append(wall)
            times.setdefault(f"{route}_cpu_s", []).append(cpu)
            said.setdefault(route, []).append([(r.partner, r.reason, r.message) for r in reasons])
    out: dict[str, Any] = {"size": size, "seed": seed, "runs": runs}
    out.update({key: statistics.median(values) for key, values in times.items()})
    out["partners_explained"] = len(said["cold"][0])
    out["shared_limits"] = sum(r[1] == "shared-limits" for r in said["cold"][0])
    out["same"] = all(s == said["cold"][0] for s in said["cold"] + said["warm"])
    out["ratio"] = out["warm_s"] / out["cold_s"]
    out["ratio_cpu"] = out["warm_cpu_s"] / out["cold_cpu_s"]
    out["solve_and_explain_before_s"] = out["solve_s"] + out["cold_s"]
    out["solve_and_explain_after_s"] = out["solve_s"] + out["warm_s"]
    out["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    results = {}
    for seed in args.seeds:
        results[f"{args.size}-seed{seed}"] = measure(args.size, seed, args.runs)
        print(json.dumps(results[f"{args.size}-seed{seed}"], indent=2), flush=True)
    try:
        payload = json.loads(args.out.read_text())
    except (OSError, ValueError):
        payload = {}
    payload.setdefault("explain", {}).update(results)
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if all(r["same"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
