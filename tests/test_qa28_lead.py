"""Session 28's own findings: each test fails without its fix (docs/decisions.md, "Seen on
a twenty-first look (session 28)")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dealbench.model import load_package, load_portfolio
from helpers import DATA, REPO, WEB_TOKEN, invoke, web_client

HARBOUR = DATA / "qa27analysis" / "harbour"


def _es_package(tmp_path: Path) -> Path:
    run = invoke(["solve", HARBOUR / "portfolio.yaml", "--out", tmp_path / "solved"])
    assert run.exit_code == 0, run.stderr
    return tmp_path / "solved" / "packages" / "ES.yaml"


def test_risk_says_how_often_a_drawn_diversion_risk_breaks_the_risk_budget(
    tmp_path: Path,
) -> None:
    """Harbour's ES deal (audit) carries 3,600 of the 6,000 risk budget at its mean
    diversion risk 0.06, so `risk` listed no broken limit; but its diversion risk is
    triangular(0.02, 0.05, 0.11), and above 0.1 (the budget plus the checker's tolerance,
    over its compute less the mitigation) the package alone breaks the budget. The partner's
    acceptance does not depend on that risk, so the share of samples is P(accept) times
    (0.11 - t)^2 / (0.09 x 0.06)."""
    package = _es_package(tmp_path)
    portfolio = HARBOUR / "portfolio.yaml"
    run = invoke(
        ["risk", package, "--portfolio", portfolio, "--samples", "40000", "--seed", "5", "--json"]
    )
    assert run.exit_code == 0, run.stderr  # broken in some samples only: not exit 3
    report = json.loads(run.stdout)
    assert report["violations"] == []
    (limit,) = report["sampled_limits"]
    assert limit["kind"] == "risk-budget" and limit["limit"] == 6000
    pf = load_portfolio(HARBOUR / "portfolio.yaml")
    es = load_package(package, pf)
    weighted = (1 - pf.policy.level(es.security).mitigation) * sum(es.compute.values())
    threshold = (6000 + 0.5 + 1e-9 * 6000) / weighted  # tolerance.compute_limit_reach
    assert limit["threshold"] == pytest.approx(threshold, rel=1e-3)
    tail = (0.11 - threshold) ** 2 / (0.09 * 0.06)
    accept = report["accept_probability"]["estimate"]
    p = limit["probability"]
    assert abs(p["estimate"] - accept * tail) < 4 * p["standard_error"] + 1e-3
    assert p["estimate"] > 0.005
    table = invoke(["risk", package, "--portfolio", HARBOUR / "portfolio.yaml"]).stdout
    flat = " ".join(table.split())
    assert "Risk budget (6,000 risk-weighted H100e): the package alone exceeds it in" in flat
    assert "where ES accepts and its diversion risk is drawn above 0.1" in flat


def test_a_plain_diversion_risk_has_no_sampled_limit(tmp_path: Path) -> None:
    """NO's diversion risk is a plain number: the budget is broken in every sample or none,
    which `violations` says; no sampled line."""
    run = invoke(["solve", HARBOUR / "portfolio.yaml", "--out", tmp_path / "solved"])
    assert run.exit_code == 0, run.stderr
    no, portfolio = tmp_path / "solved/packages/NO.yaml", HARBOUR / "portfolio.yaml"
    out = invoke(["risk", no, "--portfolio", portfolio, "--samples", "2000", "--json"])
    assert json.loads(out.stdout)["sampled_limits"] == []


def test_the_risk_page_says_it_too(tmp_path: Path) -> None:
    """The web's risk page gives the same sentence as the terminal."""
    deals = tmp_path / "deals"
    shutil.copytree(HARBOUR, deals / "harbour")
    text = (HARBOUR / "portfolio.yaml").read_text().replace("policy.yaml", "../harbour/policy.yaml")
    for code in ("no", "es", "va"):
        text = text.replace(f"{code}.yaml", f"../harbour/{code}.yaml")
    (deals / "portfolios").mkdir()
    (deals / "portfolios" / "harbour.yaml").write_text(text)
    (deals / "packages").mkdir()
    shutil.copy(_es_package(tmp_path), deals / "packages" / "es.yaml")
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get(
            "/p/harbour/risk",
            params={"package": "packages/es.yaml", "samples": "4000", "seed": "5"},
        )
    assert page.status_code == 200, page.text
    es, portfolio = deals / "packages/es.yaml", deals / "portfolios/harbour.yaml"
    cli = invoke(
        ["risk", es, "--portfolio", portfolio, "--samples", "4000", "--seed", "5", "--json"]
    )
    (limit,) = json.loads(cli.stdout)["sampled_limits"]
    said = limit["message"]
    assert f"{said[:1].upper()}{said[1:]} (standard error" in page.text


def test_improve_offers_compute_in_the_portfolios_step() -> None:
    """qa27neg's tight portfolio (steps of 1,000 H100e) with a risk budget of 3,333: XA's
    counter improved at veu is held by the budget to 166,650 H100e in all, and `improve`
    offered 2027 compute 70,000 -> 66,650 H100e, an amount off the step a negotiator signs.
    The re-plan now counts in the declared step first (66,000), finer only when no plan in
    it improves the package; every amount is on the step or at the partner's own limit."""
    from dealbench.model import load_package
    from dealbench.negotiate.logroll import improvements
    from dealbench.optimize.schedule.signable import steps

    pf = load_portfolio(DATA / "qa27neg/portfolios/tight.yaml")
    pf = pf.model_copy(update={"risk_budget": 3_333})
    package = load_package(DATA / "qa27neg/packages/xa-counter-2.yaml", pf)
    found = improvements(pf, package)
    moved = [i for i in found if any("compute" in c for c in i.changes)]
    assert moved
    partner = pf.partner("XA")
    assert partner is not None
    for i in moved:
        for t, x in i.package.compute.items():
            limit = pf.cap(partner, i.package.security, t)
            assert x % steps(pf.granularity)[0] == 0 or x == limit, (t, x, i.changes)
    assert any("2027 compute 70,000 → 66,000 H100e" in i.changes for i in moved)


def test_a_risk_budget_no_draw_can_break_is_said_to_hold_in_every_sample() -> None:
    """AE's offer in gulf-asia-uncertain against a risk budget of 300,000: it would take a
    diversion risk above 1.6 to break it alone, and AE's is drawn from 0.37 to 0.57. `risk`
    said "exceeds it in 0.0% of samples, where AE accepts and its diversion risk is drawn
    above 1.6", a draw that cannot happen (qa28-newuser); it says the budget holds."""
    from dealbench import risk_report
    from dealbench.model import load_package

    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    pf = pf.model_copy(update={"risk_budget": 300_000})
    offer = load_package(REPO / "deals/packages/ae-offer.yaml", pf)
    (limit,) = risk_report(pf, offer, samples=2_000, seed=1).sampled_limits
    assert limit.probability.estimate == 0 and limit.threshold > 0.57
    assert "stays within it in every sample" in limit.message
    # A threshold above 1 is no diversion risk at all (qa30-left): said as what it means.
    assert "whatever AE's diversion risk" in limit.message and "1.6" not in limit.message
