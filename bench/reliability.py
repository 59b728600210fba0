"""Benchmark: what reliability costs (issue 13's performance line).

- **Explaining an infeasible M portfolio** against one M solve: the synthetic M
  portfolio (50 partners x 10 concessions x 12 periods) solved once, then in
  partner-best with a V floor 5% above the US optimum, which no packages reach. The second is timed as
  `dealbench solve --mode partner-best --v-floor` runs it: the solve that finds it infeasible, then the
  explanation (`raise_explained`).
- **Validating the shipped data**, today's code against a baseline commit's (by
  default `be2e29c`, before the reliability work), both on the baseline's `deals/`
  files, in this one run: the baseline's code runs in a child process from a
  temporary `git worktree`.

    python bench/reliability.py                  # both; writes "reliability" in results.json
    python bench/reliability.py --only validate  # just the validation ratio
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.json"
BASELINE = "be2e29c"
#: Alternating rounds of the validation timing (each the median of its repeats).
ROUNDS = 5


def validate_seconds(deals: Path, repeats: int) -> float:
    """Median seconds to validate every YAML file under `deals` as `dealbench validate` does
    (each file's schema and references; clause templates where this version checks them)."""
    import dealbench.model as model
    from dealbench.errors import InputError

    try:
        from dealbench.render.clause_check import check_clauses
    except ImportError:  # a version that did not check clauses at validation
        check_clauses = None

    files = sorted(deals.rglob("*.yaml"))

    def one(path: Path) -> None:
        if hasattr(model, "load_file"):  # as `dealbench validate` does today
            kind, loaded = model.load_file(path, None)
            check_clauses(path, kind, loaded)
        else:  # the baseline's `validate`
            model.validate_file(path, None)

    def once() -> None:
        for path in files:
            with contextlib.suppress(InputError):  # such a file still costs its read
                one(path)

    once()  # imports and caches, as in any run after the first
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def explain_seconds(repeats: int) -> dict[str, Any]:
    from dealbench.errors import InfeasibleError
    from dealbench.optimize import Status, solve
    from dealbench.optimize.explain.infeasible import raise_explained
    from dealbench.synth import generate

    pf = generate("M", seed=1)
    solves, explains = [], []
    message = ""
    for _ in range(repeats):
        start = time.perf_counter()
        result = solve(pf)
        solves.append(time.perf_counter() - start)
        floor = (result.us_value or 0.0) * 1.05
        start = time.perf_counter()
        infeasible = solve(pf, "partner-best", v_floor=floor)
        assert infeasible.status == Status.INFEASIBLE, infeasible.status
        try:
            raise_explained(pf, infeasible, mode="partner-best", v_floor=floor, require=())
        except InfeasibleError as exc:
            message = str(exc)
        explains.append(time.perf_counter() - start)
    one, explain = statistics.median(solves), statistics.median(explains)
    return {
        "one_solve_s": one,
        "explain_infeasible_s": explain,
        "ratio": explain / one,
        "target_ratio": 3.0,
        "explanation": message,
    }


def baseline_validate(ref: str, repeats: int) -> tuple[float, float]:
    """(today's code, the baseline's code) validating the baseline's shipped data."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            deals = tree / "deals"
            olds, news = [], []
            for _ in range(ROUNDS):  # alternately, so both see the same machine
                child = subprocess.run(
                    [sys.executable, __file__, "--child-validate", str(deals), str(repeats)],
                    env={**os.environ, "PYTHONPATH": str(tree / "src")},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                olds.append(float(child.stdout.strip().splitlines()[-1]))
                news.append(validate_seconds(deals, repeats))
            old, new = statistics.median(olds), statistics.median(news)
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    return new, old


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["explain", "validate"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="commit to compare validation with")
    parser.add_argument("--child-validate", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_validate:
        print(validate_seconds(Path(args.child_validate[0]), int(args.child_validate[1])))
        return 0
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    out: dict[str, Any] = dict(results.get("reliability", {}))
    if args.only != "explain":
        new, old = baseline_validate(args.baseline, max(args.repeats, 9))
        out["validate_shipped"] = {
            "baseline": args.baseline,
            "baseline_s": old,
            "now_s": new,
            "ratio": new / old,
            "today_shipped_s": validate_seconds(REPO / "deals", max(args.repeats, 9)),
        }
        print(
            f"validate the shipped data ({args.baseline}'s files): {new:.3f} s now, "
            f"{old:.3f} s at {args.baseline} ({new / old:.2f}x)"
        )
    if args.only != "validate":
        out["explain_M"] = explain_seconds(args.repeats)
        e = out["explain_M"]
        print(
            f"explain an infeasible M floor: {e['explain_infeasible_s']:.2f} s against one M "
            f"solve {e['one_solve_s']:.2f} s ({e['ratio']:.2f}x; target <= 3x)"
        )
    out["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["reliability"] = out
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    tmp.replace(RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
