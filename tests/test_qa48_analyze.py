"""Session 48 (qa48-analyze): staff comparing portfolios on a portfolio of their own.

`halves`: Norway (tier 1, a concave value curve and a fund investment) and Egypt (tier 2,
a security concession) over three half-years, supply binding in each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, Runner

NORWAY = """\
code: NO
name: Norway
tier: 1
diversion_risk: 0.05
ask: {2026H1: 40_000, 2026H2: 60_000, 2027H1: 80_000}
value_per_h100e: [{upto: 30_000, value: 40k}, {upto: 80_000, value: 15k}]
batna: 500m
security_costs: {baseline: 0, kyc: 100m, veu: 400m}
concessions:
  - id: fund
    title: Sovereign fund investment in US AI
    category: investment
    levels:
      - {id: 10bn, title: USD 10bn, us_value: 1bn, partner_cost: 600m}
      - {id: 30bn, title: USD 30bn, us_value: 2.5bn, partner_cost: 2bn}
    clause: The Partner will invest {{ level.title }}.
"""

EGYPT = """\
code: EG
name: Egypt
tier: 2
diversion_risk: 0.4
ask: {2026H1: 20_000, 2026H2: 30_000, 2027H1: 30_000}
value_per_h100e: 25k
batna: 300m
us_batna: -200m
security_costs: {baseline: 0, kyc: 80m, veu: 500m}
concessions:
  - id: no-prc
    title: No PRC accelerators
    category: security
    us_value: 1bn
    partner_cost: 400m
    requires: [{security: kyc}]
    clause: The Partner will buy no PRC accelerators.
"""

PORTFOLIO = f"""\
id: halves
title: Halves
policy: {REPO / "deals/policy/bilateral.yaml"}
periods: [2026H1, 2026H2, 2027H1]
supply: {{2026H1: 50_000, 2026H2: 70_000, 2027H1: 90_000}}
partners: [no.yaml, eg.yaml]
"""


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("halves")
    (folder / "no.yaml").write_text(NORWAY, "utf-8")
    (folder / "eg.yaml").write_text(EGYPT, "utf-8")
    path = folder / "port.yaml"
    path.write_text(PORTFOLIO, "utf-8")
    return path


def test_past_a_price_range_is_one_whole_step_past_its_end_not_the_end_itself(
    halves: Path,
) -> None:
    """2027H1 supply is worth $7,400 an H100e down to 10,000 (Egypt takes all of 2026 it
    asks, and Norway needs 10,000 H100e of 2027H1 to accept with its fund investment);
    the bisection found that end as 10,000.007, and "one whole step past it" was 10,000,
    where today's choices still fit: the price's words said "Below 10,000 ... no longer
    fit: re-solved at 10,000 H100e, ... with the same choices". One step past is 9,000,
    where Norway moves from veu to kyc, as `solve --set portfolio.supply.2027H1=9000`
    gives it."""
    import dealbench
    from dealbench.analyze import apply_overrides, parse_set, shadow_prices

    pf = dealbench.load_portfolio(halves)
    result = dealbench.solve(pf)
    prices = shadow_prices(pf, result)
    supply = next(lim for lim in prices.limits if lim.period == "2027H1")
    assert supply.usd_per_unit == pytest.approx(7_400)
    past = supply.past_from
    assert past is not None and not past.fits
    assert past.at == 9_000
    moved = apply_overrides(pf, parse_set(["portfolio.supply.2027H1=9000"]))
    again = dealbench.solve(moved)
    assert result.us_value is not None and again.us_value is not None
    assert past.us_change == pytest.approx(again.us_value - result.us_value, abs=1e3)
    assert past.changes == ["NO moves from veu to kyc"]
    assert "re-solved at 9,000 H100e" in supply.text
    assert "re-solved at 10,000" not in supply.text


def test_a_comparison_of_one_regime_names_no_highest(run: Runner, halves: Path) -> None:
    """`compare halves --regimes monopoly` starred its one column and said "* Highest US
    utility: monopoly (...)", where the options memo says "Only ... was solved"; with a
    second regime the highest is named as before."""
    import json

    one = run("compare", halves, "--regimes", "monopoly")
    assert one.exit_code == 0, one.output
    assert "Highest" not in one.stdout and "monopoly *" not in one.stdout
    data = json.loads(run("compare", halves, "--regimes", "monopoly", "--json").stdout)
    assert data["best"] is None and data["tied"] == []
    two = run("compare", halves, "--regimes", "monopoly,tiered")
    assert two.exit_code == 0, two.output
    assert "* Highest US utility: tiered" in two.stdout


def test_a_sweep_that_loses_a_deal_names_the_solve_that_says_why(run: Runner, halves: Path) -> None:
    """`sweep halves SCENARIOS`: the table said "EG loses its deal" and nothing of why, nor
    what to run to find out. It now names the solve with that scenario's values, which
    explains EG's missing deal."""
    import shlex

    scenarios = halves.parent / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - {id: same, title: Nothing lost, set: {partners.NO.batna: 400m}}\n"
        "  - {id: eg-walks, title: Egypt walks, set: {partners.EG.batna: 5bn}}\n",
        "utf-8",
    )
    swept = run("sweep", halves, scenarios, "--policy", "bilateral")
    assert swept.exit_code == 0, swept.output
    said = " ".join(swept.stdout.split())
    command = (
        f"dealbench solve {shlex.quote(str(halves))} --policy bilateral "
        "--set partners.EG.batna=5bn (eg-walks's values) says why"
    )
    assert f"Why a partner loses its deal: {command}" in said
    solved = run("solve", halves, "--policy", "bilateral", "--set", "partners.EG.batna=5bn")
    assert "Why no deal with EG: " in solved.stdout
    scenarios.write_text(
        "scenarios:\n  - {id: same, title: Nothing lost, set: {partners.NO.batna: 400m}}\n",
        "utf-8",
    )
    kept = run("sweep", halves, scenarios)
    assert kept.exit_code == 0, kept.output
    assert "loses its deal" not in kept.stdout


def test_the_web_sweep_page_says_which_solve_says_why_a_deal_is_lost(
    client: Any, deals: Path
) -> None:
    """The web's sweep page, as `sweep`: a scenario that loses a deal points to the solve
    form with that scenario's values; one that loses none does not."""
    import html

    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN, job_done

    (deals / "scenarios/qa48.yaml").write_text(
        "scenarios:\n  - {id: ae-walks, title: AE walks, set: {partners.AE.batna: 1tn}}\n",
        "utf-8",
    )
    form = {
        CSRF_FIELD: csrf_for(WEB_TOKEN),
        "kind": "scenarios",
        "scenarios": "scenarios/qa48.yaml",
    }
    response = client.post("/p/gulf-asia/sweep", data=form, follow_redirects=False)
    page = html.unescape(client.get(job_done(client, response)).text)
    assert "AE loses its deal" in page
    assert 'id="why-lost">Why a partner loses its deal: solve the portfolio with that ' in page
