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
    # Each the exact total, rounded, as every page and memo prints a total (qa31-totals):
    # 159,502.5 is 159,503; 161,302.49999999997 (161302.5 in its file) is 161,303.
    assert (tiered, bilateral) == ("159,503", "161,303")


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
        assert 'id="left-out">Not compared: tiered, monopoly, repeal and bilateral' in page
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


def _indifferent(tmp_path: Path, margin: str = "") -> Path:
    """XA (tier 3) has one term, worth 1m to the US and nothing to it, walk-away value 0."""
    (tmp_path / "pol.yaml").write_text(
        "id: minimal\ntitle: Minimal\nsecurity_levels:\n"
        "  - {id: std, title: Standard, mitigation: 0}\n"
        f"export_value_per_h100e: 1k\nrisk_penalty_per_h100e: 1k\n{margin}"
    )
    (tmp_path / "xa.yaml").write_text(
        "code: XA\nname: Xa\ntier: 3\ndiversion_risk: 0\nask: {2027: 10}\n"
        "value_per_h100e: 1k\nbatna: 0\nsecurity_costs: {std: 0}\nconcessions:\n"
        "  - {id: c, title: C, category: other, us_value: 1m, partner_cost: 0}\n"
        "  - {id: d, title: D, category: other, us_value: 2m, partner_cost: 1}\n"
    )
    path = tmp_path / "g.yaml"
    path.write_text(
        "id: g\ntitle: G\npolicy: pol.yaml\nperiods: [2026, 2027]\n"
        "supply: {2026: 5, 2027: 5}\npartners: [xa.yaml]\n"
    )
    return path


def test_partner_best_adds_a_deal_the_partner_takes_at_its_walk_away_value(
    run: Runner, tmp_path: Path
) -> None:
    """partner-best left XA without a deal: its deal (term c) gives XA exactly its walk-away
    value, so the partners' total is the same with it or without, and the US gains 1m.
    Among packages of the same partners' total the US's preferred one is returned (as the
    ties step does for the deals made): XA's deal with c, never d (which XA refuses)."""
    done = run("solve", _indifferent(tmp_path), "--mode", "partner-best", "--json")
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["partner_total"] == 0 and result["us_value"] == 1e6
    [deal] = result["deals"]
    assert deal["concessions"] == {"c": True} and deal["partner_margin"] == 0
    assert set(deal["compute"].values()) == {0}


def test_partner_best_adds_no_deal_that_lowers_the_partners_total(
    run: Runner, tmp_path: Path
) -> None:
    """With an acceptance margin XA must gain 1 to accept: c alone gives it nothing, so no
    deal is the partners' best, and stays."""
    path = _indifferent(tmp_path, "acceptance_margin: 1\n")
    done = run("solve", path, "--mode", "partner-best", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["deals"] == []


def _rendered(run: Runner, deals: Path, out: Path, audience: str) -> str:
    done = run(
        "render", deals / "packages" / "ae-offer.yaml", "--portfolio",
        deals / "portfolios" / "gulf-asia.yaml", "--audience", audience, "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    [md] = (out / "term-sheets").glob("*.md")
    return md.read_text()


def test_two_external_drafts_of_the_same_terms_carry_one_id(run: Runner, tmp_path: Path) -> None:
    """An external term sheet's id carried the input fingerprint, a digest of every file:
    AE's walk-away value changed (a figure the partner never sees) gave the same text under
    another id. Its id is now built on what it says; the internal one's on the inputs."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    before = _rendered(run, deals, tmp_path / "a", "external")
    inside = _rendered(run, deals, tmp_path / "i", "internal")
    ae = deals / "partners" / "ae.yaml"
    text = ae.read_text()
    assert "\nbatna: " in text
    ae.write_text(re.sub(r"\nbatna: [^\n]+", "\nbatna: 7.5bn", text))
    assert _rendered(run, deals, tmp_path / "b", "external") == before
    assert re.search(r"DB-TS-GULF-ASIA-AE-[0-9A-F]{8}\b", before)
    after = _rendered(run, deals, tmp_path / "j", "internal")
    ids = [re.search(r"DB-TS-[A-Z0-9-]+-INT", t) for t in (inside, after)]
    assert ids[0] and ids[1] and ids[0][0] != ids[1][0]


ONE_CHIP = """\
partner: ID
side: offer
round: 1
security: sovereign-veu
compute: {2027: {chips: 1, model: GB200}, 2029: {chips: 2, model: GB200}}
concessions: {}
"""
ACCORD = DATA / "qa27docs" / "portfolios" / "accord-2027.yaml"


def test_one_chip_is_one_chip(run: Runner, tmp_path: Path) -> None:
    """`evaluate` printed "(1 GB200 chips)"."""
    (tmp_path / "one.yaml").write_text(ONE_CHIP)
    done = run("evaluate", tmp_path / "one.yaml", "--portfolio", ACCORD)
    assert done.exit_code == 3, done.output  # ID refuses it: what it says is the point
    assert "(1 GB200 chip)" in done.stdout and "(2 GB200 chips)" in done.stdout


def test_amounts_under_a_hundred_h100e_agree_with_their_tpp(run: Runner, tmp_path: Path) -> None:
    """One GB200 chip (2.53 H100e, 40,000 TPP) printed "3 | 40,000" in Annex A, and two
    chips in all "up to 8 H100e (120,000 TPP)": 3 H100e are 47,496 TPP. Below 100 H100e a
    quantity prints to the hundredth, and the column still adds up to its total."""
    (tmp_path / "one.yaml").write_text(ONE_CHIP)
    done = run(
        "render", tmp_path / "one.yaml", "--portfolio", ACCORD, "--audience", "internal",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    [md] = (tmp_path / "out" / "term-sheets").glob("*.md")
    text = md.read_text()
    assert "| 2027 | 2.53 | 40,000 | 1 GB200 |" in text
    assert "| 2029 | 5.05 | 80,000 | 2 GB200 |" in text
    assert "| **Total** | **7.58** | **120,000** |" in text
    assert "up to 7.58 H100e (120,000 TPP)" in text
    shown = run("evaluate", tmp_path / "one.yaml", "--portfolio", ACCORD)
    assert "2.53" in shown.stdout and "5.05" in shown.stdout


def test_render_of_a_partner_without_a_deal_says_why(run: Runner, tmp_path: Path) -> None:
    """`render --partner CI` of a solve that leaves CI out said "no deal with 'CI'" and
    nothing of why, which the solve's output and the portfolio memo say."""
    assert run("solve", ACCORD, "--out", tmp_path / "s").exit_code == 0
    done = run("render", tmp_path / "s" / "result.json", "--partner", "CI", "--out", tmp_path)
    assert done.exit_code == 2
    said = " ".join(done.stderr.split())
    assert said.startswith(
        "error: --partner: no deal with 'CI': no package CI accepts fits the limits: "
    )
    assert "raise supply in 2028 from 0 to 13,334 H100e" in said
    assert said.endswith("; deals: ID, NO")


def test_a_redline_names_the_packages_as_the_negotiations_redlines_do(
    run: Runner, tmp_path: Path
) -> None:
    """`redline` labelled the packages "Our offer, round 1" (whose, in a document shared
    with the partner?) and "The Partner's counter, round 2", where a negotiation's redlines
    say "US offer, round 1" and "Counter, round 2". One wording now: "US offer" and "The
    Partner's counter", as the term sheets name the Participants."""
    from dealbench.model.rounds import Side
    from dealbench.negotiate.documents import _label
    from dealbench.render.naming import version_label

    assert version_label(None, "offer", 1, "x") == "US offer, round 1"
    assert version_label(None, "counter", 2, "x") == "The Partner's counter, round 2"

    class R:
        number = 2
        name = "002-partner.yaml"
        status = "open"

        def __init__(self, side: Side) -> None:
            self.side = side

    assert _label(R("partner"), "external") == "The Partner's counter, round 2"  # type: ignore[arg-type]
    assert _label(R("us"), "external") == "US offer, round 2"  # type: ignore[arg-type]


def test_compare_of_a_portfolio_in_a_regime_of_its_own_compares_it_under_its_own(
    run: Runner,
) -> None:
    """`compare` of accord-2027 refused with eight errors (its partners' levels are defined
    under none of the four regimes); by default it now compares the four its partners fit
    (none here) and its own, and says which it left out."""
    done = run("compare", ACCORD, "--json", "-j", "1")
    assert done.exit_code == 0, done.output
    assert [r["regime"] for r in json.loads(done.stdout)["regimes"]] == ["accord"]
    assert done.stderr.count("note: Not compared: tiered, monopoly, repeal and bilateral, ") == 1
    assert "(open, screened and sovereign-veu); --regimes names any policy file" in done.stderr
    mixed = run("compare", GULF, "--regimes", "tiered,bilateral", "--json", "-j", "1")
    assert "Not compared" not in mixed.stderr


def test_a_sweeps_finer_money_labels_round_as_money_does() -> None:
    """A sweep's labels with more digits than `usd` gives (a narrowed change point) used the
    float's binary digits: 2.0025bn read $2.002bn, where money rounds halves away from zero."""
    from dealbench.analyze.sweep_words import value_label

    assert value_label(2.0025e9, 1) == "$2.003bn"
    assert value_label(-2.0025e9, 1) == "-$2.003bn"
