"""The lead's checks of session 31: the browser totals risk as the terminal does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import Runner, job_done, web_client

ROOT = Path(__file__).resolve().parents[1]
COVE = ROOT / "tests" / "data" / "qa30analyst"


def _cove_deals(tmp_path: Path) -> Path:
    """The shipped deals with qa30-analyst's cove beside them (its partners, its policy)."""
    deals = tmp_path / "deals"
    shutil.copytree(ROOT / "deals", deals)
    for part in ("partners", "policy"):
        for f in (COVE / part).glob("*.yaml"):
            shutil.copy(f, deals / part / f.name)
    text = (COVE / "cove.yaml").read_text()
    text = text.replace("policy: policy/", "policy: ../policy/").replace(
        "partners/", "../partners/"
    )
    (deals / "portfolios" / "cove.yaml").write_text(text)
    return deals


def test_the_browser_totals_risk_as_its_rows_print_it_as_the_terminal_does(
    run: Runner, tmp_path: Path
) -> None:
    """cove under tiered: the deals' risks print 5,917, 2,756 and 4,440 (exactly 13,113.5).
    `solve` and `compare` total them 13,113, the sum of the rows as printed (qa31-docs);
    the solve page said "risk 13,114" and the compare page's Risk column 13,114 beside
    the same deals. Both pages now total as the terminal does."""
    deals = _cove_deals(tmp_path)
    solved = run("solve", deals / "portfolios" / "cove.yaml", "--policy", "tiered")
    assert solved.exit_code == 0, solved.stderr
    assert "Risk (risk-weighted H100e): 13,113 (no budget)" in solved.stdout
    with web_client(deals, "t0ken") as client:
        page = client.get("/p/cove/compare?regime=tiered").text
        row = re.search(r'<tr data-regime="tiered">.*?</tr>', page, re.S)
        assert row is not None, page
        cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
        assert cells[-1] == "13,113", cells
        response = client.post(
            "/p/cove/solve",
            data={
                CSRF_FIELD: csrf_for("t0ken"),
                "mode": "us-best",
                "solver": "highs",
                "policy": "tiered",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        job = client.get(job_done(client, response)).text
        assert "risk 13,113 risk-weighted H100e" in job, job


def test_a_sweep_of_one_value_in_several_steps_is_refused_by_its_steps(
    run: Runner, tmp_path: Path
) -> None:
    """`sweep --from 1bn --to 1bn --steps 3` solved the same portfolio three times and drew
    a table of three identical rows without a word (qa31-input2's Left). It is refused as
    one step for two ends is: by --steps, exit 2, before any solve, nothing written."""
    pf = ROOT / "deals" / "portfolios" / "gulf-asia.yaml"
    out = tmp_path / "out"
    said = run(
        "sweep", pf, "--param", "partners.AE.batna", "--from", "1bn", "--to", "1bn",
        "--steps", "3", "--out", out,
    )  # fmt: skip
    assert said.exit_code == 2, said.stdout
    assert "--steps" in said.stderr and "same value" in said.stderr, said.stderr
    assert "Traceback" not in said.stderr and not out.exists()
    one = run("sweep", pf, "--param", "partners.AE.batna", "--from", "1bn", "--to", "1bn",
              "--steps", "1")  # fmt: skip
    assert one.exit_code == 0, one.stderr
