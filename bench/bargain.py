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

    python bench/bargain.py --synth S,M --seeds 0,1,2 --time-limit 120

profiles instead the code as it is on synthetic portfolios (`dealbench.synth.generate`, as
bench/run.py makes them), one fresh process per size, seed and mode, under the time
limit: where the time goes, MIP by MIP (`profile`), into "bargain_synth" of the results.
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


def stage_of(problem: Any, split: bool) -> str:
    """Which MIP of a bargaining solve `problem` is: kalai's partner-by-partner search
    (`split`), its one-MIP first stage or its second stage (tau held); nash's rounds."""
    names = problem.constraints
    if split:
        return "kalai split (one partner)"
    if "kalai_tau" in names:
        return "kalai second stage"
    if any(name.startswith("kalai_v_") for name in names):
        return "kalai first stage (one MIP)"
    return "nash round"


def profile(size: str, seed: int, mode: str, limit: float) -> dict[str, Any]:
    """One solve of synthetic `size`/`seed` under `limit` seconds in this (fresh) process,
    with every bargaining MIP recorded: its stage, size, seconds, status, objective."""
    import pulp

    from dealbench.optimize import solve
    from dealbench.optimize.bargain import kalai
    from dealbench.optimize.bargain import solve as bargain
    from dealbench.synth import generate

    mips: list[dict[str, Any]] = []
    inside = {"split": False}
    run_pulp, by_partner = bargain.run_pulp, kalai.best_tau_by_partner

    def recorded(problem: Any, backend: Any) -> Any:
        clock = time.perf_counter()
        out = run_pulp(problem, backend)
        vars_ = problem.variables()
        mips.append(
            {
                "stage": stage_of(problem, inside["split"]),
                "rows": len(problem.constraints),
                "columns": len(vars_),
                "integers": sum(1 for v in vars_ if v.cat != pulp.LpContinuous),
                "seconds": time.perf_counter() - clock,
                "status": pulp.LpStatus[problem.status],
                "objective": pulp.value(problem.objective),
            }
        )
        return out

    def split(*args: Any, **kwargs: Any) -> Any:
        inside["split"] = True
        try:
            return by_partner(*args, **kwargs)
        finally:
            inside["split"] = False

    bargain.run_pulp = kalai.run_pulp = recorded  # type: ignore[assignment]
    kalai.best_tau_by_partner = split  # type: ignore[assignment]
    pf = generate(size, seed)
    wall = time.perf_counter()
    result = solve(pf, mode, time_limit=limit)  # type: ignore[arg-type]
    wall = time.perf_counter() - wall
    stages: dict[str, dict[str, Any]] = {}
    for mip in mips:
        row = stages.setdefault(mip["stage"], {"count": 0, "seconds": 0.0, "largest": 0})
        row["count"] += 1
        row["seconds"] += mip["seconds"]
        row["largest"] = max(row["largest"], mip["columns"])
        row["last_status"] = mip["status"]
    details = result.solver.details
    return {
        "size": size,
        "seed": seed,
        "mode": mode,
        "time_limit_s": limit,
        "wall_s": wall,
        "ideals_s": result.solver.timings.get("ideals", 0.0),
        "status": result.status.value,
        "objective": result.objective,
        "tau_bound": details.get("tau_bound"),
        "log_error_bound": details.get("log_error_bound"),
        "stages": stages,
        "message": result.message,
    }


def profile_all(args: argparse.Namespace) -> int:
    """`--synth`: profile each size, seed and mode in a fresh process; print and merge."""
    table: dict[str, Any] = {}
    for size in args.synth.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for mode in args.modes.split(","):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--profile",
                        size,
                        str(seed),
                        mode,
                        str(args.time_limit),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=REPO,
                )
                row = json.loads(out.stdout.strip().splitlines()[-1])
                table[f"{size}_{seed}_{mode}"] = row
                parts = ", ".join(
                    f"{name}: {s['count']} MIPs {s['seconds']:.1f} s (largest {s['largest']} "
                    f"columns, last {s['last_status']})"
                    for name, s in row["stages"].items()
                )
                bound = row["tau_bound"] if mode == "kalai" else row["log_error_bound"]
                print(
                    f"{size} seed {seed} {mode:5s} {row['wall_s']:6.1f} s ({row['status']}, "
                    f"objective {row['objective']}, bound {bound}; ideals "
                    f"{row['ideals_s']:.1f} s; {parts})",
                    flush=True,
                )
    table["measured"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if args.out:
        out_path = Path(args.out)
        data = json.loads(out_path.read_text()) if out_path.exists() else {}
        data["bargain_synth"] = {**data.get("bargain_synth", {}), **table}
        out_path.write_text(json.dumps(data, indent=2) + "\n")
    return 0


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
    parser.add_argument("--synth", default="", help="profile synthetic sizes, e.g. S,M")
    parser.add_argument("--seeds", default="0,1,2", help="with --synth")
    parser.add_argument("--time-limit", type=float, default=120.0, help="with --synth, s")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--profile", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return 0
    if args.profile:
        size, seed, mode, limit = args.profile
        print(json.dumps(profile(size, int(seed), mode, float(limit))))
        return 0
    if args.synth:
        return profile_all(args)
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
