"""qa47-analyze: staff comparing regimes and sweeping scenarios, as the README's tour of
`compare`, `sweep`, `risk` and `diff` shows them (docs/decisions.md, "Session 47
(qa47-analyze)").
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import REPO, Runner


def test_compare_keeps_its_date_in_each_regimes_result_for_a_later_render(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`compare --out --date` dated its memos but not the result.json of each regime, which
    `solve --out --date` keeps the date in ("solve keeps it in result.json, so a later
    render keeps it"): `render REGIME/result.json` of the same folder was an undated
    draft."""
    out = tmp_path / "o"
    done = run("compare", tiny, "-j", "1", "--out", out, "--date", "2026-01-15")
    assert done.exit_code == 0, done.output + done.traceback
    results = sorted(out.glob("*/result.json"))
    assert results
    assert all(json.loads(r.read_text())["date"] == "2026-01-15" for r in results)
    result = results[0]
    memo = tmp_path / "memo.md"
    done = run("render", result, "--doc", "portfolio-memo", "--out", memo)
    assert done.exit_code == 0, done.output + done.traceback
    assert "| Date | 15 January 2026 |" in memo.read_text()


def test_a_scenario_with_several_bad_values_names_each_at_its_line(
    run: Runner, tmp_path: Path
) -> None:
    """`load_scenarios` says "every problem is reported at its line of the file", and
    problems in different scenarios were; but in one scenario only the first bad value was
    said (`policy.risk_penalty_per_h100e: lots` at line 5), and the next run found the
    next (`portfolio.supply.2027: -5` at line 6). Each is said, with its file, line and
    field, before any solve (nothing on stdout, exit 2); `--set` likewise."""
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - id: c\n"
        "    title: two bad values and a good one\n"
        "    set:\n"
        "      policy.risk_penalty_per_h100e: lots\n"
        "      portfolio.supply.2027: -5\n"
        "      partners.AE.batna: 3bn\n"
    )
    portfolio = REPO / "deals/portfolios/gulf-asia.yaml"
    done = run("sweep", portfolio, scenarios)
    assert done.exit_code == 2, done.output + done.traceback
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"error: {scenarios}:5: scenarios[0].set.policy.risk_penalty_")
    assert lines[1] == (
        f"error: {scenarios}:6: scenarios[0].set.portfolio.supply.2027: must be at least 0, got -5"
    )
    assert len(lines) == 2
    given = ["--set", "portfolio.supply.2027=-5", "--set", "policy.risk_penalty_per_h100e=lots"]
    done = run("solve", portfolio, *given)
    assert done.exit_code == 2, done.output + done.traceback
    said = done.stderr.splitlines()
    assert said[0] == "error: --set: portfolio.supply.2027: must be at least 0, got -5"
    assert said[1].startswith("error: --set: policy.risk_penalty_per_h100e: expected an amount")


def test_a_solve_stopped_by_its_time_limit_says_how_far_below_the_best_in_us_utility() -> None:
    """`compare --time-limit 0.05 --render md`: repeal stopped with $158.58bn against a
    bound of $174.21bn, and its memo said "The solver stopped at its time limit, within
    8.80% of the best": the solver's gap (0.08799) is relative to its objective less the
    walk-away values it leaves out ($177.58bn), not to the US utility. The best there is,
    $174.04bn, is 8.88% above the packages found. What the numbers say is the bound less
    the US utility found: at most $15.63bn below the best."""
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.render.documents import documents_for, render_document
    from dealbench.render.sources import source_from_result

    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    found = solve(pf)
    assert found.us_value is not None
    bound = found.us_value + 15_625_648_307.0
    stopped = found.model_copy(
        update={
            "status": "time-limit",
            "solver": found.solver.model_copy(update={"gap": 0.0879870817066, "bound": bound}),
        }
    )
    [doc] = documents_for(source_from_result(pf, stopped), "portfolio-memo")
    md = " ".join(render_document(doc, ["md"])[0].data.decode().split())
    assert "within 8.80% of the best" not in md
    assert (
        "The solver stopped at its time limit, at most $15.63bn below the best US utility "
        "(a bound of $" in md
    )
