"""Benchmark of the analysis layer's sampling and pricing (issue 11, items 3 and 4).

    python bench/uncertainty.py          # `make`-free: prints a table, merges into results.json

Times, as medians of repeated runs in this process:
- `risk_report` on the shipped AE offer in `gulf-asia-uncertain` (four uncertain
  figures) for 10,000 samples (target: under 2 s, vectorised, no solver per sample)
  and for 1,000,000 samples;
- `dealbench risk ... --samples 10000` end to end (a fresh process: imports included);
- `shadow_prices` on the shipped portfolios (its re-solves one step from each limit);
- `robust_solve` at 90% with 10,000 samples on `gulf-asia-uncertain`.
Results go to `bench/results.json` under "uncertainty" (other keys are left as they are).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
SAMPLES_TARGET_S = 2.0


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def measure() -> dict[str, Any]:
    from dealbench.analyze import shadow_prices
    from dealbench.analyze.robust import robust_solve
    from dealbench.analyze.uncertainty import risk_report
    from dealbench.model import load_package, load_portfolio
    from dealbench.optimize import solve

    uncertain = load_portfolio(ROOT / "deals/portfolios/gulf-asia-uncertain.yaml")
    offer = load_package(ROOT / "deals/packages/ae-offer.yaml", uncertain)
    out: dict[str, Any] = {}
    s10k, report = median_time(lambda: risk_report(uncertain, offer, 10_000, 1), 7)
    s1m, _ = median_time(lambda: risk_report(uncertain, offer, 1_000_000, 1), 3)
    out["risk_10k_samples_s"] = s10k
    out["risk_1m_samples_s"] = s1m
    out["risk_10k_accept_probability"] = report.accept_probability.estimate
    out["risk_10k_target_s"] = SAMPLES_TARGET_S
    out["risk_cli_10k_s"], _ = median_time(_cli_risk, 3)

    for name in ("gulf-asia", "global"):
        pf = load_portfolio(ROOT / f"deals/portfolios/{name}.yaml")
        result = solve(pf)
        seconds, prices = median_time(lambda pf=pf, result=result: shadow_prices(pf, result), 1)
        out[f"prices_{name}_s"] = seconds
        out[f"prices_{name}_solve_s"] = result.solver.seconds
        out[f"prices_{name}_limits"] = len(prices.limits)
        out[f"prices_{name}_warnings"] = len(prices.warnings)
    seconds, found = median_time(lambda: robust_solve(uncertain, 0.9, 10_000, 0), 1)
    out["robust_gulf_asia_uncertain_s"] = seconds
    out["robust_rounds"] = found.robustness.rounds
    out["robust_cost_usd"] = found.robustness.cost
    return out


def _cli_risk() -> None:
    exe = Path(sys.executable).with_name("dealbench")
    cmd = [str(exe), "risk", "deals/packages/ae-offer.yaml", "--portfolio"]
    cmd += ["deals/portfolios/gulf-asia-uncertain.yaml", "--samples", "10000", "--json"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)


def main() -> int:
    out = measure()
    out["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for key, value in out.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<34} {shown}")
    try:
        payload = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        payload = {}
    payload["uncertainty"] = out
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(RESULTS)
    ok = out["risk_10k_samples_s"] < SAMPLES_TARGET_S
    print(
        f"10,000 samples in {out['risk_10k_samples_s']:.3f} s: {'ok' if ok else 'OVER'} "
        f"the {SAMPLES_TARGET_S:.0f} s target"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
