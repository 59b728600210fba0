"""The dealbench benchmark: each step timed at named sizes, against the solver floor.

    python bench/run.py --sizes S,M,L     # `make bench SIZES=S,M,L`
    python bench/run.py --quick           # S and M, a short floor; fails only on regressions

Each size runs in a fresh process, so its peak RSS is its own. Within that
process every step is repeated and the median kept: loading and validation
(from YAML that `dealbench.synth` writes), model building, the solver,
extraction, the independent check, rendering the term sheets (Markdown and
HTML), a warm re-solve after a small change, and the floor of `bench/floor.py`
(DESIGN.md's plain model straight into HiGHS from arrays, under a time limit).
Results go to bench/results.json; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"

#: Targets of the performance issue (seconds, or ratios dealbench / floor).
SOLVE_TARGET_S = {"M": 10.0, "L": 60.0, "XL": 300.0}
OVERHEAD_RATIO_TARGET = 1.2  # modelling overhead within 1.2x of the floor's build
SPEEDUP_TARGET = 30.0  # the solving strategy against the plain formulation
HELP_TARGET_S = 0.3
RENDER_200_TARGET_S = 2.0
FLOOR_LIMIT_S = {"S": 120.0, "M": 300.0, "L": 300.0, "XL": 300.0}
#: dealbench's own time limit per size (None: solve to the gap, however long it takes).
SOLVE_LIMIT_S: dict[str, float | None] = {"S": None, "M": None, "L": 120.0, "XL": 300.0}
REPEATS = {"S": 5, "M": 3, "L": 1, "XL": 1}
#: Sizes at which the full run also times the plain model in dollars, as the
#: issue measured it before any code existed (at M); `--usd-plain S,M,L` for more.
USD_PLAIN_SIZES = "M"
QUICK_FLOOR_S = 10.0
#: Timings this far apart are noise, whatever their ratio (S builds take ~10 ms).
NOISE_S = 0.05


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def one_size(
    size: str,
    seed: int,
    floor_limit: float,
    repeats: int,
    quick: bool = False,
    usd_plain: bool = False,
) -> dict[str, Any]:
    """Measure one size in this process (called in a child process by `main`)."""
    sys.path.insert(0, str(HERE))
    from dealbench.checker import check
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.render import documents_for, render_document, source_from_result
    from dealbench.synth import generate, write_yaml
    from floor import USD, solve_floor
    from floor import build as build_floor

    portfolio = generate(size, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_yaml(portfolio, tmp)
        load_s, loaded = median_time(lambda: load_portfolio(path), repeats)

    steps: dict[str, list[float]] = {k: [] for k in ("build", "solve", "extract", "check", "wall")}
    result = None
    limit = SOLVE_LIMIT_S.get(size)
    for _ in range(repeats):
        start = time.perf_counter()
        result = solve(loaded, time_limit=limit)
        steps["wall"].append(time.perf_counter() - start)
        timings = result.solver.timings
        steps["build"].append(timings.get("build", 0.0))
        steps["solve"].append(timings.get("solve", result.solver.seconds))
        steps["extract"].append(timings.get("extract", 0.0))
        steps["check"].append(timings.get("check", 0.0))
    assert result is not None
    med = {k: statistics.median(v) for k, v in steps.items()}
    packages = [d.package() for d in result.deals]
    check_s, verdict = median_time(lambda: check(loaded, packages), repeats)
    assert verdict.ok, verdict.problems()

    source = source_from_result(loaded, result)
    docs = documents_for(source, "term-sheet", audience="external")
    render_s, _ = median_time(lambda: [render_document(d, ["md", "html"]) for d in docs], repeats)

    warm_s, cold_s = warm_resolve(smaller_ask(loaded), result, solve, limit, cold=not quick)
    warm_cap_s, cold_cap_s = warm_resolve(smaller_cap(loaded), result, solve, limit, not quick)
    # Peak RSS of dealbench's own work: read before the floor builds its model.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    floor = solve_floor(loaded, floor_limit)
    # The floor's build as a median too, like dealbench's: both are milliseconds at S.
    floor["build"], _ = median_time(lambda: build_floor(loaded), repeats)
    floor["total"] = floor["build"] + floor["solve"]
    plain_usd = solve_floor(loaded, floor_limit, units=USD) if usd_plain else None
    # Modelling overhead: what the floor's build stands for (building the model and
    # reading the answer back). Loading YAML and the check are reported on their own.
    overhead = med["build"] + med["extract"]
    floor_overhead = floor["build"]
    ours = {
        "load": load_s,
        "build": med["build"],
        "solve": med["solve"],
        "extract": med["extract"],
        "check": check_s,
        "render": render_s,
        "total": med["wall"],
        "overhead": overhead,
        "warm_resolve": warm_s,
        "cold_resolve": cold_s,
        "warm_resolve_cap": warm_cap_s,
        "cold_resolve_cap": cold_cap_s,
    }
    return {
        "dealbench_s": ours,
        "floor_s": {k: floor[k] for k in ("build", "solve", "total")},
        "ratio": {
            # dealbench / floor: below 1 is faster than the floor
            "build": overhead / floor_overhead if floor_overhead else None,
            "solve": med["solve"] / floor["solve"] if floor["solve"] else None,
            "total": med["wall"] / floor["total"] if floor["total"] else None,
        },
        "speedup": floor["total"] / med["wall"] if med["wall"] else None,
        "gap": result.solver.gap,
        "status": result.status.value,
        "method": getattr(result.solver, "method", None),
        "objective": result.objective,
        "floor": {
            "status": floor["status"],
            "gap": floor["gap"],
            "objective": floor["objective"],
            "time_limit": floor_limit,
            "columns": floor["columns"],
            "rows": floor["rows"],
        },
        # The plain model in dollars, as the issue timed "the plain formulation".
        "plain_usd": None
        if plain_usd is None
        else {
            "solve": plain_usd["solve"],
            "total": plain_usd["total"],
            "status": plain_usd["status"],
            "gap": plain_usd["gap"],
            "objective": plain_usd["objective"],
            "time_limit": floor_limit,
            "speedup": plain_usd["total"] / med["wall"] if med["wall"] else None,
        },
        "deals": len(result.deals),
        "term_sheets": len(docs),
        "peak_rss_mb": peak_rss_mb,
        "time_limit": limit,
        "bound": result.solver.bound,
        "details": result.solver.details,
        "seed": seed,
    }


def smaller_ask(portfolio: Any) -> Any:
    """The largest partner's ask, 10% smaller in every period."""
    partner = max(portfolio.partners, key=lambda p: sum(p.ask.values()))
    smaller = partner.model_copy(update={"ask": {t: a * 0.9 for t, a in partner.ask.items()}})
    return portfolio.model_copy(
        update={"partners": [smaller if p is partner else p for p in portfolio.partners]}
    )


def smaller_cap(portfolio: Any) -> Any:
    """One cap 10% smaller: tier 2 under its most used capped security level."""
    policy = portfolio.policy
    tier2 = dict(policy.caps.tier2) if isinstance(policy.caps.tier2, dict) else {}
    if not tier2:
        return portfolio
    level = max(
        sorted(tier2), key=lambda k: sum(1 for p in portfolio.partners if k in p.security_costs)
    )
    tier2[level] *= 0.9
    caps = policy.caps.model_copy(update={"tier2": tier2})
    return portfolio.model_copy(update={"policy": policy.model_copy(update={"caps": caps})})


def warm_resolve(
    changed: Any, previous: Any, solve: Any, limit: float | None, cold: bool = True
) -> tuple[float | None, float | None]:
    """Re-solve a changed portfolio: warm (from `previous`), and cold to compare."""
    start = time.perf_counter()
    warm = solve(changed, warm_start=previous, time_limit=limit)
    warm_s = time.perf_counter() - start
    if not cold:
        return warm_s, None
    start = time.perf_counter()
    fresh = solve(changed, time_limit=limit)
    cold_s = time.perf_counter() - start
    if warm.status.value == fresh.status.value == "optimal":
        scale = max(abs(fresh.objective or 0.0), 1.0)
        assert abs((warm.objective or 0.0) - (fresh.objective or 0.0)) <= 2e-6 * scale
    return warm_s, cold_s


def help_seconds(repeats: int = 5) -> float:
    exe = Path(sys.executable).with_name("dealbench")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def render_200_seconds() -> float:
    """Markdown and HTML for 200 term sheets (the S portfolio's deals, cycled)."""
    from dealbench.optimize import solve
    from dealbench.render import documents_for, render_document, source_from_result
    from dealbench.synth import generate

    portfolio = generate("S", seed=1)
    result = solve(portfolio)
    docs = documents_for(source_from_result(portfolio, result), "term-sheet", audience="external")
    batch = [docs[i % len(docs)] for i in range(200)]
    seconds, _ = median_time(lambda: [render_document(d, ["md", "html"]) for d in batch], 3)
    return seconds


def run_child(
    size: str, seed: int, floor_limit: float, repeats: int, quick: bool, usd_plain: bool
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", size, "--seed", str(seed)]
    cmd += ["--floor-limit", str(floor_limit), "--repeat", str(repeats)]
    cmd += ["--quick"] if quick else []
    cmd += ["--usd-plain", size if usd_plain else ""]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def table(results: dict[str, Any], extras: dict[str, float]) -> str:
    head = (
        f"{'size':<4} {'load':>6} {'build':>6} {'solve':>7} {'check':>6} {'render':>6} "
        f"{'total':>7} {'warm':>6} {'cold':>6} {'wcap':>6} {'ccap':>6} | "
        f"{'floor build':>11} {'floor solve':>11} | "
        f"{'overhead x':>10} {'speedup':>8} {'gap':>8} {'RSS MB':>7}"
    )
    lines = [head, "-" * len(head)]
    for size, r in results.items():
        d, f = r["dealbench_s"], r["floor_s"]
        resolves = " ".join(
            f"{_seconds(d.get(k)):>6}"
            for k in ("warm_resolve", "cold_resolve", "warm_resolve_cap", "cold_resolve_cap")
        )
        floor_note = "" if r["floor"]["status"] == "Optimal" else "*"
        lines.append(
            f"{size:<4} {d['load']:>6.2f} {d['build']:>6.2f} {d['solve']:>7.2f} {d['check']:>6.2f} "
            f"{d['render']:>6.2f} {d['total']:>7.2f} {resolves} | {f['build']:>11.2f} "
            f"{f['solve']:>10.1f}{floor_note:1} | {r['ratio']['build']:>10.2f} "
            f"{r['speedup']:>7.1f}x {r['gap'] if r['gap'] is not None else float('nan'):>8.1e} "
            f"{r['peak_rss_mb']:>7.0f}"
        )
    if any(r["floor"]["status"] != "Optimal" for r in results.values()):
        lines.append("* the floor stopped at its time limit: the speedup is a lower bound")
    for size, r in results.items():
        usd = r.get("plain_usd")
        if usd:
            ended = "proven" if usd["status"] == "Optimal" else f"stopped: {usd['status']}"
            lines.append(
                f"{size}: the plain model in dollars (the issue's baseline) "
                f"{usd['total']:.1f} s ({ended}, gap {usd['gap']:.1e}): "
                f"dealbench {usd['speedup']:.0f}x faster"
            )
    for name, value in extras.items():
        lines.append(f"{name}: {value:.3f} s")
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def regressions(results: dict[str, Any], extras: dict[str, float]) -> list[str]:
    """Ratios beyond twice their target (a regression, not noise)."""
    out = []
    for size, r in results.items():
        if r["gap"] is None or r["gap"] > 1e-6:
            out.append(f"{size}: not proven optimal (gap {r['gap']})")
        target = SOLVE_TARGET_S.get(size)
        if target and r["dealbench_s"]["total"] > 2 * target:
            out.append(f"{size}: total {r['dealbench_s']['total']:.1f} s > 2 x {target:.0f} s")
        extra = r["dealbench_s"]["overhead"] - r["floor_s"]["build"]
        ratio = r["ratio"]["build"]
        if ratio is not None and ratio > 2 * OVERHEAD_RATIO_TARGET and extra > NOISE_S:
            out.append(
                f"{size}: build ratio {r['ratio']['build']:.2f} > 2 x {OVERHEAD_RATIO_TARGET}"
            )
    if extras.get("help") and extras["help"] > 2 * HELP_TARGET_S:
        out.append(f"--help {extras['help']:.2f} s > 2 x {HELP_TARGET_S} s")
    if extras.get("render_200") and extras["render_200"] > 2 * RENDER_200_TARGET_S:
        out.append(f"200 term sheets {extras['render_200']:.2f} s > 2 x {RENDER_200_TARGET_S} s")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument(
        "--quick", action="store_true", help="S and M, a 10 s floor, fail on regressions"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--floor-limit", type=float, default=None)
    parser.add_argument(
        "--usd-plain",
        default=USD_PLAIN_SIZES,
        help="sizes at which a full run also times the plain model in dollars ('' for none)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    if args.one:
        limit = args.floor_limit or FLOOR_LIMIT_S[args.one]
        usd = args.one in _sizes(args.usd_plain)  # the parent passes "" when quick
        repeats = args.repeat or REPEATS[args.one]
        out = one_size(args.one, args.seed, limit, repeats, args.quick, usd)
        print(json.dumps(out))
        return 0

    sizes = ["S", "M"] if args.quick else _sizes(args.sizes)
    results: dict[str, Any] = {}
    for size in sizes:
        limit = args.floor_limit or (QUICK_FLOOR_S if args.quick else FLOOR_LIMIT_S[size])
        repeats = args.repeat or (1 if args.quick else REPEATS[size])
        print(f"[{size}] running (floor limit {limit:.0f} s) ...", file=sys.stderr, flush=True)
        usd = size in _sizes(args.usd_plain) and not args.quick
        results[size] = run_child(size, args.seed, limit, repeats, args.quick, usd)
    extras = {"help": help_seconds()}
    if not args.quick:
        extras["render_200"] = render_200_seconds()
    print(table(results, extras))
    if not args.quick:
        write_results(args.out, results, extras)
    problems = regressions(results, extras)
    for problem in problems:
        print(f"REGRESSION: {problem}", file=sys.stderr)
    return 1 if args.quick and problems else 0


def _sizes(text: str) -> list[str]:
    return [s.strip().upper() for s in text.split(",") if s.strip()]


def write_results(path: Path, results: dict[str, Any], extras: dict[str, float]) -> None:
    """Merge this run's sizes into `path` (a size keeps its last measurement; each
    size's ratios come from one run), atomically."""
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        payload = {}
    for size, result in results.items():
        payload[size] = {**result, "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    payload["_extras"] = extras
    payload["_machine"] = machine()
    order = [s for s in ("S", "M", "L", "XL") if s in payload]
    payload = {k: payload[k] for k in [*order, *sorted(set(payload) - set(order))]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


def machine() -> dict[str, Any]:
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


if __name__ == "__main__":
    raise SystemExit(main())
