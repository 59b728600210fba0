"""One rule for totals of quantities (qa31-totals): a total (H100e, risk-weighted H100e)
is the exact sum, rounded, in the terminal, the web and every document; where the rows
printed above it, each rounded on its own, add up to another figure, a note says so.

ridge (tests/data/qa31analyst/ridge.yaml) counts every amount in B200 chips (2.27 H100e
each), so its rows are fractional; gulf-asia is the shipped portfolio.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from dealbench.figures import h100e
from helpers import DATA, REPO, Runner, web_client

RIDGE = DATA / "qa31analyst" / "ridge.yaml"
RIDGE_POLICY = DATA / "qa31analyst" / "policy" / "ridge.yaml"
GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_no_export_reads_above_a_supply_used_in_full_in_chips(run: Runner, tmp_path: Path) -> None:
    """ridge under its own regime uses its supply in full (272,865.08 H100e in 2027, 818,595.25
    over 2027-2030). `solve` said "2027 272,865 of 272,865", but `compare`'s table and the
    options memo said "H100e exported 2027 272,866" and "818,597 H100e exported", the
    principals memo "using 818,597 H100e" and "Allocated 272,866" over "Supply 272,865":
    the sums of the rows as printed, above the supply. Every total is now the exact one,
    rounded, and reads the same in all of them; the notes say what the rows add up to."""
    out = tmp_path / "cmp"
    done = run("compare", RIDGE, "--regimes", RIDGE_POLICY, "--out", out, "--render", "md")
    assert done.exit_code == 0, done.stderr
    result = json.loads((out / "ridge" / "result.json").read_text())
    supply, used = result["supply"], result["supply_used"]
    in_all = h100e(sum(used.values()))
    assert in_all == "818,595"
    for t in result["periods"]:
        row = next(x for x in done.stdout.splitlines() if f"H100e exported {t}" in x)
        assert h100e(used[t]) in row and h100e(used[t]) == h100e(supply[t]), (t, row)
    options = _flat((out / "memos" / "options-ridge.md").read_text())
    assert f"{in_all} H100e exported and 14,991 risk-weighted H100e of risk" in options
    assert "| H100e exported in 2027 | 272,865 |" in options
    assert "as printed the rows add up to 818,596 H100e exported under ridge." in options
    memo = _flat((out / "memos" / "principals-ridge-ridge.md").read_text())
    assert f"using {in_all} H100e" in memo
    assert f"| **Total** | | **{in_all}** | | **$18.99bn** | | | **14,991** |" in memo
    assert "as printed the rows add up to 818,596 H100e." in memo
    assert "| **Allocated** | **272,865** | **227,388** | **181,910** | **136,433** |" in memo
    assert "| Supply | 272,865 | 227,388 | 181,910 | 136,433 |" in memo
    assert (
        "so the rows add up to 272,866 in 2027, 181,911 in 2029 and 136,432 in 2030, where "
        "Allocated is their exact sum, rounded; unrounded, those supplies are allocated in full."
    ) in memo
    solved = run("solve", RIDGE)
    assert solved.exit_code == 0, solved.stderr
    assert "2027 272,865 of 272,865" in _flat(solved.stdout)


def test_a_deals_total_reads_the_same_in_its_term_sheet_and_every_memo(
    run: Runner, tmp_path: Path
) -> None:
    """ridge: LA's tranches (45,477.5, 45,420.7, 45,420.7, 45,363.8 H100e) print 45,478,
    45,421, 45,421 and 45,364. Its term sheet totalled them 181,684 ("up to 181,684 H100e"),
    where its exact compute is 181,682.7: the options memo said 181,684 beside a comparison
    whose exports read differently. The deal's total is the exact one, rounded, in the term
    sheet, its clause, the deal memo and the options memo; the term sheet and deal memo say
    that the rows add up to 181,684. KA's rows add up to its total: no note."""
    out = tmp_path / "s"
    assert run("solve", RIDGE, "--out", out).exit_code == 0
    docs = tmp_path / "docs"
    made = run("render", out / "result.json", "--out", docs, "--audience", "internal")
    assert made.exit_code == 0, made.stderr
    memos = run("render", out / "result.json", "--out", docs, "--doc", "deal-memo")
    assert memos.exit_code == 0, memos.stderr
    sheet = _flat((docs / "term-sheets" / "LA-internal.md").read_text())
    assert "consider licences for delivered compute of up to 181,683 H100e" in sheet
    assert "| **Total** | **181,683** |" in sheet
    assert "as printed the rows add up to 181,684 H100e." in sheet
    deal_memo = _flat((docs / "memos" / "LA.md").read_text())
    assert "| **Total** | **181,683** | | |" in deal_memo
    assert "as printed the rows add up to 181,684 H100e." in deal_memo
    assert "rows add up to" not in (docs / "term-sheets" / "KA-internal.md").read_text()
    cmp = tmp_path / "cmp"
    done = run("compare", RIDGE, "--regimes", RIDGE_POLICY, "--out", cmp, "--render", "md")
    assert done.exit_code == 0, done.stderr
    options = _flat((cmp / "memos" / "options-ridge.md").read_text())
    assert "| Laland (LA, tier 2) | 181,683 veu:" in options


def test_gulf_asias_risk_reads_the_same_in_the_terminal_the_web_and_the_documents(
    run: Runner, tmp_path: Path
) -> None:
    """Bilateral gulf-asia's risk is 161,302.5 (161,302.49999999994 in memory): `solve` said
    161,303, `compare`, `diff` and the web's compare page 161,302 (its deals' risks as
    printed), the portfolio memo 161,302. Every one now says 161,303, and the memo's note
    says its rows add up to 161,302."""
    solved = run("solve", GULF)
    assert solved.exit_code == 0, solved.stderr
    assert "Risk (risk-weighted H100e): 161,303 (budget 250,000)" in solved.stdout
    out = tmp_path / "cmp"
    done = run("compare", GULF, "--regimes", "tiered,bilateral", "--out", out, "--render", "md")
    assert done.exit_code == 0, done.stderr
    risk_row = next(x for x in done.stdout.splitlines() if "Risk (weighted H100e)" in x)
    assert re.findall(r"\d[\d,]*", risk_row.split("H100e)")[1]) == ["159,503", "161,303"]
    diffed = run("diff", out / "bilateral" / "result.json", out / "tiered" / "result.json")
    assert "risk 161,303 -> 159,503 risk-weighted H100e" in _flat(diffed.stdout)
    memo = _flat((out / "memos" / "principals-gulf-asia-bilateral.md").read_text())
    assert "| **Total** | | **3,600,000** | | **$174.04bn** | | | **161,303** |" in memo
    assert "as printed the rows add up to 161,302 risk-weighted H100e." in memo
    assert "The deals carry 161,303 risk-weighted H100e of a budget of 250,000" in memo
    options = _flat((out / "memos" / "options-gulf-asia.md").read_text())
    assert "| Risk (risk-weighted H100e) | 159,503 | 161,303 |" in options
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    with web_client(deals, "t0ken") as client:
        page = client.get("/p/gulf-asia/compare?regime=bilateral").text
        row = re.search(r'<tr data-regime="bilateral">.*?</tr>', page, re.S)
        assert row is not None, page
        assert re.findall(r'<td class="num">([^<]*)</td>', row.group(0))[-1] == "161,303"


def test_solve_says_what_its_tables_columns_add_up_to_as_printed(run: Runner) -> None:
    """ridge: `solve`'s table prints 2027's deals as 136,433, 68,216, 45,478 and 22,739
    (272,866) above "Supply used (H100e): 2027 272,865 of 272,865", without a word; a reader
    adding the column finds the supply broken. A sentence now says what the columns add up
    to as printed, where that is not the total beside them."""
    solved = run("solve", RIDGE)
    assert solved.exit_code == 0, solved.stderr
    text = _flat(solved.stdout)
    assert "2027 272,865 of 272,865" in text
    assert (
        "Each total is the exact sum, rounded; each row is rounded on its own, and as printed "
        "the rows add up to 272,866 H100e in 2027, 181,911 H100e in 2029 and 136,432 H100e "
        "in 2030."
    ) in text
