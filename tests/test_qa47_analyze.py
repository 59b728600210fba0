"""qa47-analyze: staff comparing regimes and sweeping scenarios, as the README's tour of
`compare`, `sweep`, `risk` and `diff` shows them (docs/decisions.md, "Session 47
(qa47-analyze)").
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Runner


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
