"""Benchmark of the bargaining points: `solve --mode nash | kalai` on gulf-asia and global.

    python bench/bargain.py                 # merges "bargain" into bench/results.json
    python bench/bargain.py --modes nash --portfolios global --repeat 5

Each run is a fresh process (as a command is), timing the library call `solve(portfolio,
mode)` (imports and loading excluded): wall and CPU seconds, the ideal gains' share and
the MIPs' share (`SolverInfo.timings`), median of `--repeat`. Two variants, alternated
so that the machine's load falls on both alike:

- `after`: the code as it is;
- `before`: nash with HiGHS's default options for its MIPs (what ran before
  `bargain.HIGHS_OPTIONS`); kalai with its first stage solved as one MIP (what ran
  before `optimize.bargain.kalai` found it partner by partner).

Both variants must give the same objective within the stated bound (nash: the log Nash
product within the log error bound; kalai: tau within 1e-6): the script says so, and
exits 1 when they do not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.json"
PORTFOLIOS = {
    "gulf-asia": REPO / "deals" / "portfolios" / "gulf-asia.yaml",
    "global": REPO / "deals" / "portfolios" / "global.yaml",
}
VARIANTS = ("before", "after")


def measure(portfolio: str, mode: str, variant: str) -> dict[str, Any]:
    """One solve in this (fresh) process."""
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.optimize.bargain import kalai
    from dealbench.optimize.bargain import solve as bargain

    if variant == "before" and mode == "nash":
        bargain.HIGHS_OPTIONS = {key: {} for key in bargain.HIGHS_OPTIONS}
    if variant == "before" and mode == "kalai":
        kalai.best_tau_by_partner = lambda *args, **kwargs: None  # type: ignore[assignment]
    pf = load_portfolio(PORTFOLIOS[portfolio])
    wall, cpu = time.perf_counter(), time.process_time()
    result = solve(pf, mode)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    details = result.solver.details
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "ideals_s": result.solver.timings.get("ideals", 0.0),
        "mips_s": result.solver.timings.get("solve", 0.0),
        "objective": result.objective,
        "log_error_bound": details.get("log_error_bound"),
        "rounds": details.get("rounds"),
    }


def fresh(portfolio: str, mode: str, variant: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", portfolio, mode, variant],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def same(mode: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The two variants' objectives agree within what each result states."""
    if mode == "kalai":
        return bool(abs(a["objective"] - b["objective"]) <= 1e-6)
    bound = max(a["log_error_bound"] or 0.0, b["log_error_bound"] or 0.0)
    return bool(abs(a["objective"] - b["objective"]) <= bound + 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="nash,kalai")
    parser.add_argument("--portfolios", default="gulf-asia,global")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(RESULTS), help="results file ('': none)")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return 0
    table: dict[str, Any] = {}
    agree = True
    for name in args.portfolios.split(","):
        for mode in args.modes.split(","):
            runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            for _ in range(args.repeat):
                for variant in VARIANTS:
                    runs[variant].append(fresh(name, mode, variant))
            row: dict[str, Any] = {}
            for variant, found in runs.items():
                row[variant] = {
                    key: statistics.median(r[key] for r in found)
                    for key in ("wall_s", "cpu_s", "ideals_s", "mips_s")
                }
                row[variant]["objective"] = found[0]["objective"]
                row[variant]["log_error_bound"] = found[0]["log_error_bound"]
            ok = all(same(mode, a, b) for a in runs["before"] for b in runs["after"])
            agree &= ok
            row["ratio_wall"] = row["before"]["wall_s"] / row["after"]["wall_s"]
            row["ratio_cpu"] = row["before"]["cpu_s"] / row["after"]["cpu_s"]
            row["same_answer"] = ok
            table[f"{name}_{mode}"] = row
            d, t = row["before"], row["after"]
            print(
                f"{name:9s} {mode:5s} before {d['wall_s']:5.2f} s (cpu {d['cpu_s']:5.2f}, "
                f"MIPs {d['mips_s']:5.2f})  after {t['wall_s']:5.2f} s (cpu {t['cpu_s']:5.2f}, "
                f"MIPs {t['mips_s']:5.2f}, ideals {t['ideals_s']:4.2f})  "
                f"{row['ratio_wall']:.1f}x wall, {row['ratio_cpu']:.1f}x cpu  "
                f"{'same answer' if ok else 'ANSWERS DIFFER'}",
                flush=True,
            )
    table["repeats"] = args.repeat
    table["measured"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if args.out:
        out = Path(args.out)
        data = json.loads(out.read_text()) if out.exists() else {}
        data["bargain"] = {**data.get("bargain", {}), **table}  # rows not run stay
        out.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
