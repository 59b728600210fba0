"""The documents benchmark: where `compare --render md,html,docx,pdf` spends its time.

    python bench/documents.py                       # the shipped global portfolio, 3 runs
    python bench/documents.py --runs 1 --portfolio deals/portfolios/gulf-asia.yaml

In this one process, serially (`--jobs 1`: process time is the work, whatever else the
machine runs), times the median process seconds of: the comparison (each regime's solve
and why partners have no deal), the options memo (its sensitivities' re-solves), the
principals memos (each regime's shadow prices and limit costs: re-solves), the memos
rendered in each format alone and in all four at once, and their charts drawn twice
(`svg`, then `png`, as before session 45) and once for both (`svg_and_png`), whose bytes
must be the same (`same_charts`). Results are merged into bench/results.json under
"documents".
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GLOBAL = HERE.parent / "deals" / "portfolios" / "global.yaml"
FORMATS = ("md", "html", "docx", "pdf")


def _cpu(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    out = run()
    return out, time.process_time() - start


def measure(portfolio: Path, runs: int) -> dict[str, Any]:
    from dealbench.model import load_portfolio
    from dealbench.model.regimes import default_regimes

    pf = load_portfolio(portfolio)
    policies, _ = default_regimes(pf, portfolio)
    times: dict[str, list[float]] = {}
    docs: list[Any] = []
    same = True
    for _ in range(runs):
        docs, alike = _run(pf, policies, times)
        same = same and alike
    out: dict[str, Any] = {"portfolio": portfolio.name, "runs": runs, "documents": len(docs)}
    out.update({key: round(statistics.median(v), 3) for key, v in times.items()})
    out["charts"] = sum(len(d.charts) for d in docs)
    out["same_charts"] = same
    out["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return out


def _run(pf: Any, policies: Any, times: dict[str, list[float]]) -> tuple[list[Any], bool]:
    """One run of every phase, each's process seconds appended to `times`: the documents,
    and whether the charts drawn once are those drawn twice."""
    from dealbench.analyze.compare import compare, explained
    from dealbench.analyze.memo import options_memo_document, principals_memo_documents
    from dealbench.analyze.parallel import Executor
    from dealbench.render import charts
    from dealbench.render.documents import render_document

    def timed(key: str, run: Callable[[], Any]) -> Any:
        out, seconds = _cpu(run)
        times.setdefault(key, []).append(seconds)
        return out

    serial = Executor()
    c, solved = timed("compare_s", lambda: compare(pf, policies, explain=True, executor=serial))
    solved = explained(solved)
    memo = timed("options_memo_s", lambda: options_memo_document(c, solved, executor=serial))
    principals = timed(
        "principals_memos_s", lambda: principals_memo_documents(solved, executor=serial)
    )
    docs = [memo, *principals]
    for fmt in FORMATS:
        timed(f"render_{fmt}_s", lambda f=fmt: [render_document(d, [f]) for d in docs])
    timed("render_all_s", lambda: [render_document(d, list(FORMATS)) for d in docs])
    every = [chart for d in docs for chart in d.charts]
    twice = timed("charts_twice_s", lambda: [(charts.svg(ch), charts.png(ch)) for ch in every])
    once = timed("charts_once_s", lambda: [charts.svg_and_png(ch) for ch in every])
    return docs, once == twice


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolio", type=Path, default=GLOBAL)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    result = measure(args.portfolio, args.runs)
    print(json.dumps(result, indent=2), flush=True)
    try:
        payload = json.loads(args.out.read_text())
    except (OSError, ValueError):
        payload = {}
    payload.setdefault("documents", {})[args.portfolio.stem] = result
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if result["same_charts"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
