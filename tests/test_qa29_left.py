"""Items earlier passes noticed and left, taken up (qa29-left)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import DATA, REPO, Runner, web_client

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


def _accord_deals(tmp_path: Path) -> Path:
    """The shipped deals with qa27docs' portfolio in a regime of its own (`accord`)."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    for part in ("partners", "policy", "portfolios"):
        for f in (DATA / "qa27docs" / part).glob("*.yaml"):
            shutil.copy(f, deals / part / f.name)
    return deals


def test_the_web_compares_a_portfolio_in_a_regime_of_its_own(tmp_path: Path) -> None:
    """The compare page solved the four shipped regimes only: a portfolio written in a regime
    of its own (accord: open, screened, sovereign-veu) got the error page, where the CLI
    takes `--regimes accord,...`. The page now offers every policy file beside the
    portfolio's, starting from those its partners fit (its own among them)."""
    deals = _accord_deals(tmp_path)
    with web_client(deals, "t0ken") as client:
        response = client.get("/p/accord-2027/compare")
        assert response.status_code == 200, response.text
        page = response.text
        assert 'data-regime="accord"' in page
        assert 'data-regime="tiered"' not in page
        for name in ("accord", "tiered", "monopoly", "repeal", "bilateral"):
            assert f'name="regime" value="{name}"' in page
        assert re.search(r'name="regime" value="accord"[^>]* checked', page)
        assert not re.search(r'name="regime" value="tiered"[^>]* checked', page)
        shipped = client.get("/p/gulf-asia/compare?regime=tiered&regime=accord")
        assert shipped.status_code == 400
        assert "written for regime" in shipped.text or "does not define" in shipped.text
        assert client.get("/p/gulf-asia/compare?regime=nope").status_code == 404
        two = client.get("/p/gulf-asia/compare?regime=bilateral&regime=tiered").text
        assert 'data-regime="bilateral"' in two and 'data-regime="monopoly"' not in two
        four = client.get("/p/gulf-asia/compare").text
        for name in ("tiered", "monopoly", "repeal", "bilateral"):
            assert f'data-regime="{name}"' in four
        assert 'data-regime="accord"' not in four
