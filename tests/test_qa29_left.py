"""Items earlier passes noticed and left, taken up (qa29-left)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def test_a_figure_reads_the_same_in_compare_and_in_diff_of_its_results(
    run: Runner, tmp_path: Path
) -> None:
    """Tiered gulf-asia's risk is 159,502.50000000003 in memory and 159502.5 in result.json:
    `compare` printed 159,503 and `diff` of the written results 159,502 (halves to even)."""
    out = tmp_path / "c"
    shown = run("compare", GULF, "--regimes", "tiered,bilateral", "--out", out, "-j", "1")
    assert shown.exit_code == 0, shown.output
    assert json.loads((out / "tiered" / "result.json").read_text())["risk_total"] == 159502.5
    row = next(line for line in shown.stdout.splitlines() if "Risk (weighted H100e)" in line)
    tiered, bilateral = re.findall(r"\d[\d,]*", row.split("H100e)")[1])
    diffed = run("diff", out / "tiered" / "result.json", out / "bilateral" / "result.json")
    assert diffed.exit_code == 0, diffed.output
    said = " ".join(diffed.stdout.split())
    assert f"risk {tiered} -> {bilateral} risk-weighted H100e" in said
    assert (tiered, bilateral) == ("159,503", "161,303")  # 161,302.49999999997: a half


def test_diff_says_who_walked_away(run: Runner, tmp_path: Path) -> None:
    """`diff` of a plain solve and a re-plan from rounds said "QA walked away" of the United
    States' own walk-away (result.json kept the codes only), where `solve --rounds` says
    "the United States walked away from QA"."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    pf = deals / "portfolios" / "gulf-asia.yaml"
    assert run("walk-away", pf, "-p", "QA").exit_code == 0
    assert run("walk-away", pf, "-p", "BH", "--by", "partner").exit_code == 0
    assert run("solve", pf, "--out", tmp_path / "plain").exit_code == 0
    assert run("solve", pf, "--rounds", deals / "rounds" / "gulf-asia", "--out", tmp_path / "re")
    saved = json.loads((tmp_path / "re" / "result.json").read_text())["rounds"]
    assert saved["walked_away"] == ["BH", "QA"]
    assert saved["walked_away_by"] == {"BH": "partner", "QA": "us"}
    said = run("diff", tmp_path / "plain" / "result.json", tmp_path / "re" / "result.json")
    text = " ".join(said.stdout.split())
    assert "BH walked away, the United States walked away from QA" in text
    assert "QA walked away" not in text


def test_diff_of_a_result_that_did_not_record_who_walked_away_does_not_guess(
    tmp_path: Path,
) -> None:
    """A result.json written before `walked_away_by`: "talks with QA ended", not a side."""
    from dealbench.analyze.diff import diff_results
    from dealbench.optimize.result import FromRounds

    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve

    plain = solve(load_portfolio(deals / "portfolios" / "gulf-asia.yaml"))
    old = plain.model_copy(update={"rounds": FromRounds(walked_away=["QA"])})
    notes = " ".join(diff_results(plain, old).notes)
    assert "talks with QA ended" in notes and "walked away" not in notes


def test_a_path_a_letter_off_names_the_file_that_exists(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gulf-asia.yml` said "file not found" beside gulf-asia.yaml; so did a portfolio's
    partner file a letter off, and a result.json misspelt for `diff`."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    monkeypatch.chdir(tmp_path)
    said = run("solve", "deals/portfolios/gulf-asia.yml")
    assert said.exit_code == 2
    assert said.stderr == (
        "error: deals/portfolios/gulf-asia.yml: file not found; "
        "did you mean deals/portfolios/gulf-asia.yaml?\n"
    )
    pf = deals / "portfolios" / "gulf-asia.yaml"
    pf.write_text(pf.read_text().replace("../partners/ae.yaml", "../partners/aee.yaml"))
    said = run("solve", "deals/portfolios/gulf-asia.yaml")
    assert said.exit_code == 2
    assert "partners[0]: file not found: ../partners/aee.yaml (looked for " in said.stderr
    assert said.stderr.endswith("; did you mean ../partners/ae.yaml?\n")
    assert run("solve", pf.with_name("gulf.yaml")).stderr.endswith("file not found\n")
    (tmp_path / "result.json").write_text("{}")
    said = run("diff", "reslt.json", "result.json")
    assert "reslt.json: file not found; did you mean result.json?" in said.stderr
