"""partner-best reports what it maximised: the partners' total as `objective`, V beside it
as `us_value`, and its V floor among the binding limits when V sits on it.

The hand-worked portfolio: one period, ample supply, one security level with no
mitigation, so each H100e is worth USD 10k in exports and costs USD 20k of risk
penalty (0.2 diversion x USD 100k): V falls by USD 10k per H100e while the partners
gain. AA values compute at USD 30k per H100e, BB at USD 20k (BB's walk-away value:
USD 0.4bn); each grants an investment (AA: US value USD 2bn, partner cost USD 0.5bn;
BB: USD 1bn and USD 0.2bn), without which a deal leaves V below no deal.

partner-best with V >= USD 1.5bn: both deals with the investment give V = 3bn -
10k x (x_AA + x_BB), so x_AA + x_BB <= 150,000; AA gains more per H100e, so it gets
its whole ask (100,000) and BB the other 50,000 (it accepts from 30,000 on).
U = 30k x 100k - 0.5bn + 20k x 50k - 0.2bn = USD 3.3bn, V = USD 1.5bn: on the floor.
Without BB's deal the floor allows AA only 50,000 (U = 1.0bn + BB's 0.4bn); without
AA's nothing reaches the floor.

With the default floor (no deal: V >= 0) both get their whole ask and BB gives up
its investment (saving it USD 0.2bn): AA's deal gives V = 2bn - 1bn = 1bn, BB's
-1bn, so V = 0, on the floor, and U = 2.5bn + 2.0bn = 4.5bn.
With a floor of USD -0.5bn the same packages are best (dropping AA's investment
too would take V to -1bn): V = 0 lies above the floor, which does not bind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import builders
from dealbench import check, solve
from dealbench.model import Portfolio, load_portfolio
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.result import OBJECTIVES
from helpers import invoke

REL = 1e-6

POLICY = """\
id: one-level
title: One security level, no mitigation
security_levels:
  - {id: baseline, title: Standard licence conditions, mitigation: 0.0}
caps: {}
export_value_per_h100e: 10k
risk_penalty_per_h100e: 100k
acceptance_margin: 0
"""

PARTNER = """\
code: {code}
name: Partner {code}
tier: 2
diversion_risk: 0.2
ask: {{2026: 100_000}}
value_per_h100e: {value}
batna: {batna}
us_batna: 0
security_costs: {{baseline: 0}}
concessions:
  - {{id: invest, title: Investment, us_value: {us_value}, partner_cost: {cost}}}
"""

PORTFOLIO = """\
id: two
title: Two partners
policy: policy.yaml
periods: [2026]
supply: {2026: 1_000_000}
partners: [aa.yaml, bb.yaml]
granularity: 0
"""


def two_partners() -> Portfolio:
    """The module docstring's portfolio, built in Python."""
    invest = (("2bn", "500m"), ("1bn", "200m"))
    partners = [
        builders.partner(
            code,
            value=value,
            batna=batna,
            security_costs={"baseline": 0},
            concessions=[builders.concession("invest", us_value=uv, partner_cost=pc)],
        )
        for code, value, batna, (uv, pc) in (
            ("AA", "30k", 0, invest[0]),
            ("BB", "20k", "400m", invest[1]),
        )
    ]
    policy = builders.policy(levels=(("baseline", 0.0),))
    return builders.portfolio(policy, partners, supply={"2026": 1_000_000}, id="two")


def write_two_partners(folder: Path) -> Path:
    """The same portfolio as data files; returns the portfolio file."""
    (folder / "policy.yaml").write_text(POLICY)
    (folder / "aa.yaml").write_text(
        PARTNER.format(code="AA", value="30k", batna=0, us_value="2bn", cost="500m")
    )
    (folder / "bb.yaml").write_text(
        PARTNER.format(code="BB", value="20k", batna="400m", us_value="1bn", cost="200m")
    )
    (folder / "portfolio.yaml").write_text(PORTFOLIO)
    return folder / "portfolio.yaml"


def assert_reports_its_objective(pf: Portfolio, result: SolveResult, floor: float) -> None:
    """objective = the partners' total and us_value = V, both as `check` recomputes them."""
    assert result.status is Status.OPTIMAL, result.message
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()
    assert result.objective == pytest.approx(verdict.partner_total, rel=REL)
    assert result.partner_total == pytest.approx(verdict.partner_total, rel=REL)
    assert result.us_value == pytest.approx(verdict.objective, rel=REL)
    assert result.us_value is not None and result.us_value >= floor - 1e3
    assert result.v_floor == floor


def test_partner_best_reports_the_partners_total_with_v_beside_it_and_the_floor_binding() -> None:
    pf = two_partners()
    result = solve(pf, "partner-best", v_floor=1.5e9)
    assert_reports_its_objective(pf, result, 1.5e9)
    assert result.objective == pytest.approx(3.3e9, rel=REL)
    assert result.us_value == pytest.approx(1.5e9, rel=REL)
    deals = {d.partner: d for d in result.deals}
    assert deals["AA"].compute["2026"] == pytest.approx(100_000, rel=REL)
    assert deals["BB"].compute["2026"] == pytest.approx(50_000, rel=REL)
    floors = [b for b in result.binding if b.kind == "v-floor"]
    assert len(floors) == 1
    assert floors[0].limit == 1.5e9
    assert floors[0].amount == pytest.approx(1.5e9, rel=REL)
    assert "The US utility V is held at its floor ($1.50bn)." in [b.message for b in result.binding]


def test_the_gap_and_the_bound_are_those_of_the_partners_total() -> None:
    """The solver's bound caps what partner-best maximised (U), not V."""
    result = solve(two_partners(), "partner-best", v_floor=1.5e9)
    assert result.solver.bound is not None and result.objective is not None
    assert result.solver.bound == pytest.approx(result.objective, rel=1e-6)
    assert result.solver.gap is not None and result.solver.gap <= 1e-6


def test_the_default_floor_is_no_deal_and_binds_here() -> None:
    pf = two_partners()
    result = solve(pf, "partner-best")  # default floor: V of no deal at all, 0
    assert_reports_its_objective(pf, result, 0.0)
    assert result.objective == pytest.approx(4.5e9, rel=REL)
    assert result.us_value == pytest.approx(0.0, abs=1e3)
    assert {d.partner: d.concessions for d in result.deals} == {"AA": {"invest": True}, "BB": {}}
    assert [b.limit for b in result.binding if b.kind == "v-floor"] == [0.0]


def test_a_floor_that_does_not_bind_is_not_listed() -> None:
    pf = two_partners()
    result = solve(pf, "partner-best", v_floor=-0.5e9)
    assert_reports_its_objective(pf, result, -0.5e9)
    assert result.objective == pytest.approx(4.5e9, rel=REL)
    assert result.us_value == pytest.approx(0.0, abs=1e3)
    assert not [b for b in result.binding if b.kind == "v-floor"]


def test_us_best_objective_is_v() -> None:
    """us-best: acceptance holds both (AA from 16,667 H100e, BB from 30,000):
    V = 3bn - 10k x 46,667."""
    pf = two_partners()
    result = solve(pf, "us-best")
    assert result.objective == result.us_value
    assert result.objective == pytest.approx(3e9 - 1e4 * (0.5e9 / 3e4 + 30_000), rel=REL)
    assert result.v_floor is None
    assert not [b for b in result.binding if b.kind == "v-floor"]


def test_the_files_solve_as_the_builders_portfolio(tmp_path: Path) -> None:
    pf = load_portfolio(write_two_partners(tmp_path))
    result = solve(pf, "partner-best", v_floor=1.5e9)
    assert_reports_its_objective(pf, result, 1.5e9)
    assert result.objective == pytest.approx(3.3e9, rel=REL)


def test_cli_json_reports_objective_us_value_and_the_floor(tmp_path: Path) -> None:
    path = write_two_partners(tmp_path)
    run = invoke(["solve", path, "--mode", "partner-best", "--v-floor", "1.5bn", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    pf = load_portfolio(path)
    verdict = check(pf, [SolveResult.model_validate(data).deals[i].package() for i in range(2)])
    assert data["objective"] == pytest.approx(verdict.partner_total, rel=REL)
    assert data["us_value"] == pytest.approx(verdict.objective, rel=REL)
    assert data["v_floor"] == 1.5e9
    assert data["objective_name"].startswith("the partners' total utility")
    floors = [b for b in data["binding"] if b["kind"] == "v-floor"]
    assert [(b["limit"], round(b["amount"] / 1e6)) for b in floors] == [(1.5e9, 1500)]


def test_cli_says_what_was_maximised_and_the_floor(tmp_path: Path) -> None:
    path = write_two_partners(tmp_path)
    run = invoke(["solve", path, "--mode", "partner-best", "--v-floor", "1.5bn"])
    assert run.exit_code == 0, run.output
    text = " ".join(run.stdout.split())
    assert "US utility: $1.50bn" in text
    assert (
        "Maximised: the partners' total utility, $3.30bn, keeping the US utility V at or "
        "above its floor, $1.50bn, which binds; US utility V beside it: $1.50bn." in text
    )
    assert "Binding: The US utility V is held at its floor ($1.50bn)." in text


def test_an_older_result_json_reads_v_as_us_value() -> None:
    """A result.json written before `us_value` existed carried V as `objective`."""
    result = solve(two_partners(), "partner-best", v_floor=1.5e9)
    data = result.model_dump(mode="json")
    old = {k: v for k, v in data.items() if k not in ("us_value", "v_floor", "objective_name")}
    old["objective"] = data["us_value"]
    again = SolveResult.model_validate(old)
    assert again.us_value == result.us_value
    assert again.objective == result.partner_total


def test_the_portfolio_memo_says_what_partner_best_maximised() -> None:
    from dealbench.render.documents import documents_for, render_document
    from dealbench.render.sources import source_from_result

    pf = two_partners()
    result = solve(pf, "partner-best", v_floor=1.5e9)
    [doc] = documents_for(source_from_result(pf, result), "portfolio-memo")
    md = " ".join(render_document(doc, ["md"])[0].data.decode().split())
    assert (
        "The packages give the partners the greatest total utility there is ($3.30bn); the US "
        "utility is $1.50bn, at least the floor of $1.50bn." in md
    )


def test_the_web_job_page_says_what_partner_best_maximised_and_lists_the_floor(
    tmp_path: Path,
) -> None:
    """gulf-asia, partner-best with V >= USD 150bn: the page shows V, the partners'
    total as what was maximised, and the floor among the binding limits."""
    import shutil
    import time

    from starlette.testclient import TestClient

    from dealbench.web import create_app
    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import REPO

    token = "test-token-pb"
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    app = create_app(tmp_path / "deals", token)
    with TestClient(app, headers={"X-Dealbench-Token": token}) as client:
        fields = {CSRF_FIELD: csrf_for(token), "mode": "partner-best", "v_floor": "150bn"}
        response = client.post("/p/gulf-asia/solve", data=fields, follow_redirects=False)
        url = response.headers["location"].removeprefix("http://testserver")
        deadline = time.monotonic() + 180
        while client.get(f"{url}/state").json()["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        page = " ".join(client.get(url).text.split())
    app.state.jobs.shutdown()
    assert "Maximised: the partners&#39; total utility" in page
    assert "(US utility floor $150.00bn)" in page
    # V is USD 2.6m above the floor once compute is in whole steps; the optimum sat on it
    assert "The US utility V is held at its floor ($150.00bn)." in page


@pytest.mark.parametrize("mode", ["nash", "kalai"])
def test_bargaining_modes_report_what_they_maximised_with_v_beside_it(mode: str) -> None:
    """nash: the sum of log(gain / USD 1bn) over both sides of every partner with a zone of
    agreement; kalai: the least share of an ideal gain (in its step). V is us_value, as
    `check` has it."""
    import math

    from dealbench.optimize.bargain.solve import ideal_gains

    pf = two_partners()
    result = solve(pf, mode)  # type: ignore[arg-type]
    assert result.status is Status.OPTIMAL, result.message
    verdict = check(pf, [d.package() for d in result.deals])
    assert result.us_value == pytest.approx(verdict.objective, rel=REL)
    # kalai's ideals are in the step its point is solved in (qa26-ties)
    ideals = ideal_gains(pf, step=pf.granularity.h100e if mode == "kalai" else None)
    assert ideals  # both partners have a zone of agreement here
    gains = []
    for code, (vi, ui) in ideals.items():
        p = pf.partner(code)
        deal = result.deal(code)
        assert p is not None and deal is not None
        gains += [
            ((deal.us_value - p.us_batna) / 1e9, vi),
            ((deal.partner_utility - p.batna) / 1e9, ui),
        ]
    if mode == "nash":
        expected = sum(math.log(g) for g, _ in gains)
    else:
        expected = min(g / ideal for g, ideal in gains)
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert result.objective_name == OBJECTIVES[mode]
