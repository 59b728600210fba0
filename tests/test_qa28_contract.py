"""DESIGN.md read again line by line, with inputs written from it alone (qa28).

The portfolio below is written as an outsider would, with only the fields the contract
names and its defaults left out: two partners over two years, a tier-1 partner with no
concessions, a concession of one level, a yes/no term that requires a security level, a
year with no supply and a risk budget of the portfolio's own. Each test is the smallest
instance of a clause that did not hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import Runner, job_done, web_client

POLICY = """\
id: reg
title: Regime B
security_levels:
  - {id: open, title: Open, mitigation: 0}
  - {id: watch, title: Watched, mitigation: 0.6}
  - {id: lock, title: Locked down, mitigation: 0.95}
caps:
  tier2: {open: 5_000, watch: 20_000}
  tier3: 0
export_value_per_h100e: 5k
risk_penalty_per_h100e: 40k
acceptance_margin: 10m
"""
PA = """\
code: PA
name: Parta
tier: 2
diversion_risk: 0.4
ask: {2026: {tpp: 633_280_000}, 2027: 60_000}
value_per_h100e: [{upto: 10_000, value: 50k}, {upto: 30_000, value: 20k}]
batna: 500m
us_batna: -1bn
security_costs: {open: 0, watch: 100m, lock: 900m}
concessions:
  - id: chips-buy
    title: Buy US chips
    category: purchase
    levels:
      - {id: only, title: The only level, us_value: 250m, partner_cost: 400m}
  - id: screen
    title: Screen users
    category: security
    us_value: 100m
    partner_cost: 50m
    requires: [{security: watch}]
"""
PB = """\
code: PB
name: Partb
tier: 1
diversion_risk: 0.05
ask: {2026: 40_000, 2027: 40_000}
value_per_h100e: 12k
batna: 300m
security_costs: {open: 0}
"""
PORTFOLIO = """\
id: bport
title: Portfolio B
policy: policy/reg.yaml
periods: [2026, 2027]
supply: {2026: 50_000, 2027: 0}
partners: [partners/pa.yaml, partners/pb.yaml]
risk_budget: 3_000
granularity: 0
"""


@pytest.fixture
def outsider(tmp_path: Path) -> Path:
    """The portfolio file of the outsider's data, written under tmp_path."""
    (tmp_path / "policy").mkdir()
    (tmp_path / "partners").mkdir()
    (tmp_path / "policy/reg.yaml").write_text(POLICY)
    (tmp_path / "partners/pa.yaml").write_text(PA)
    (tmp_path / "partners/pb.yaml").write_text(PB)
    path = tmp_path / "b.yaml"
    path.write_text(PORTFOLIO)
    return path


def test_the_outsiders_portfolio_solves_to_the_hand_optimum(run: Runner, outsider: Path) -> None:
    """us-best, by hand: PA under watch with `screen` and 18,000 H100e in 2026 (the risk
    budget: 0.4 x 0.4 x 18,000 = 2,880 of 3,000; its acceptance needs 510m: 10,000 x 50k
    + 8,000 x 20k - 100m - 50m = 510m) gives V = 100m + 18,000 x 5k - 2,880 x 40k
    = 74.8m; PB (3k an H100e to the US, 120m at most) cannot fit beside it in the budget."""
    result = run("solve", outsider, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["us_value"] == pytest.approx(74.8e6, abs=1e3)
    (deal,) = data["deals"]
    assert (deal["partner"], deal["security"], deal["concessions"]) == (
        "PA",
        "watch",
        {"screen": True},
    )
    assert data["no_deal"] == ["PB"]


def test_a_scenario_named_base_titles_the_base_of_the_sweep(run: Runner, outsider: Path) -> None:
    """DESIGN: a scenarios file is `scenarios: [{id, title, set: {PATH: VALUE}}]`, any id.
    A file whose writer calls one scenario `base` (the first thing most would write) was
    refused, exit 2: "'base' is the id of the portfolio as loaded". A `base` that sets
    nothing now titles the sweep's base row, the portfolio as loaded (one that sets
    something is refused: session 42, `test_qa42_analyze`)."""
    scenarios = outsider.parent / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - {id: dear-risk, title: Risk costs more, set: {policy.risk_penalty_per_h100e: 60k}}\n"
        "  - {id: base, title: Base case, set: {}}\n"
    )
    assert run("validate", scenarios).exit_code == 0
    result = run("sweep", outsider, scenarios, "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [(r["id"], r["title"]) for r in rows] == [
        ("base", "Base case"),
        ("dear-risk", "Risk costs more"),
    ]
    as_loaded = run("solve", outsider, "--json")
    assert rows[0]["us_value"] == pytest.approx(json.loads(as_loaded.stdout)["us_value"])


def test_two_scenarios_naming_the_base_are_refused(run: Runner, outsider: Path) -> None:
    """One base: `base` and `Base` in one file would each claim the first row."""
    scenarios = outsider.parent / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n  - {id: base, set: {}}\n  - {id: Base, set: {partners.PB.batna: 1bn}}\n"
    )
    result = run("validate", scenarios)
    assert result.exit_code == 2 and not result.traceback
    assert f"{scenarios}:3: scenarios[1].id: 'Base' and 'base' both name the base" in result.stderr


def test_sweep_and_compare_json_round_figures_as_every_command_does(
    run: Runner, outsider: Path
) -> None:
    """`solve --json` writes figures to 12 significant digits (`cli.output.to_json`, "the
    one place figures are rounded for scripts"); `sweep`, `compare` and `diff` wrote theirs
    through a second dump of their own: "risk_total": 2880.0000000000005 and "us_value":
    74799999.99999999 where solve says 2880.0 and 74800000.0 (and NaN, had one come, as
    bare `NaN`, which is not JSON)."""
    result = run(
        "sweep", outsider, "--param", "policy.risk_penalty_per_h100e",
        "--from", "30k", "--to", "50k", "--steps", "3", "--json", "--jobs", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["rows"][1]
    assert (row["us_value"], row["risk_total"]) == (74800000.0, 2880.0)
    assert '"risk_total": 2880.0,' in result.stdout
    solved = json.loads(run("solve", outsider, "--json").stdout)
    assert solved["us_value"] == row["us_value"] and solved["risk_total"] == row["risk_total"]
    regimes = outsider.parent / "policy/reg.yaml"
    result = run("compare", outsider, "--regimes", regimes, "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    (regime,) = json.loads(result.stdout)["regimes"]
    assert regime["risk_total"] == 2880.0


GULF = Path(__file__).resolve().parent.parent / "deals" / "portfolios" / "gulf-asia.yaml"


def test_a_partner_best_no_deal_reason_does_not_promise_a_raise_that_opens_nothing(
    run: Runner,
) -> None:
    """`solve --mode partner-best` on gulf-asia said "Why no deal with BH: ... the supply it
    needs goes to deals worth more (AE, SA, QA, IN, SG); raising supply by 20,000 H100e in
    each of 2026, 2027 and 2028 makes room for it": us-best's reason (the raise is re-solved
    in us-best only), and partner-best with that raise still gives BH no deal. The reason
    now names what the mode maximises and says the raise as what BH's package needs."""
    result = run("solve", GULF, "--mode", "partner-best", "--json")
    assert result.exit_code == 0, result.output
    reasons = {r["partner"]: r for r in json.loads(result.stdout)["no_deal_reasons"]}
    said = reasons["BH"]["message"]
    assert "makes room" not in said and "worth more" not in said
    assert "goes to the deals chosen for the partners' total utility (AE, SA, QA, IN, SG)" in said
    assert "its best package needs 20,000 H100e in each of 2026, 2027 and 2028 more" in said
    raised = [f"portfolio.supply.{year}={supply}" for year, supply in
              (("2026", "1_020_000"), ("2027", "1_220_000"), ("2028", "1_420_000"))]  # fmt: skip
    again = run("solve", GULF, "--mode", "partner-best", "--json",
                *(a for s in raised for a in ("--set", s)))  # fmt: skip
    assert "BH" in json.loads(again.stdout)["no_deal"]  # the raise alone opens nothing


def test_a_no_deal_reason_does_not_say_deals_were_displaced_where_there_are_none(
    run: Runner, tmp_path: Path
) -> None:
    """A tier-3 partner whose only term is a yes/no concession worth 1m to the US and
    nothing to it (walk-away value 0): partner-best, nash and kalai leave it out (its deal
    raises nothing they maximise), and each said "within the portfolio the deals it would
    displace are worth more" of a portfolio with no deal at all."""
    (tmp_path / "pol.yaml").write_text(
        "id: minimal\ntitle: Minimal\nsecurity_levels:\n"
        "  - {id: std, title: Standard, mitigation: 0}\n"
        "export_value_per_h100e: 1k\nrisk_penalty_per_h100e: 1k\n"
    )
    (tmp_path / "xa.yaml").write_text(
        "code: XA\nname: Xa\ntier: 3\ndiversion_risk: 0\nask: {2027: 10}\n"
        "value_per_h100e: 1k\nbatna: 0\nsecurity_costs: {std: 0}\nconcessions:\n"
        "  - {id: c, title: C, category: other, us_value: 1m, partner_cost: 0}\n"
    )
    path = tmp_path / "g.yaml"
    path.write_text(
        "id: g\ntitle: G\npolicy: pol.yaml\nperiods: [2026, 2027]\n"
        "supply: {2026: 5, 2027: 5}\npartners: [xa.yaml]\n"
    )
    for mode, aim in (  # partner-best now makes the deal: qa29-left, at its walk-away value
        ("nash", "the Nash product of both sides' gains"),
        ("kalai", "the least share of each side's ideal gain (tau)"),
    ):
        result = run("solve", path, "--mode", mode, "--json")
        assert result.exit_code == 0, result.output
        (reason,) = json.loads(result.stdout)["no_deal_reasons"]
        # Supply of 5 H100e a period leaves no whole step of 1,000: the reason says the step
        # (qa47-bargain), where it said "no deal with XA raises {aim}, which a {mode} solve
        # maximises"; neither speaks of deals displaced.
        assert reason["message"] == (
            "alone, a deal with XA would add $1.0m to US utility, but in whole steps of "
            "1,000 H100e no package within the limits gives both XA and the US a gain"
        ), aim


PA_COUNTER = """\
round: 1
side: partner
date: 2026-01-10
package: {partner: PA, security: watch, compute: {2026: 18_000}, concessions: {}}
status: open
"""
PA_CONCLUDED = """\
round: 2
side: us
date: 2026-01-11
basis: 001-partner.yaml
package: {partner: PA, security: watch, compute: {2026: 18_000}, concessions: {}}
status: concluded
"""


@pytest.mark.parametrize(
    ("side", "said"),
    [("us", "the United States walked away from PB"), ("partner", "PB walked away")],
)
def test_solve_from_rounds_says_who_walked_away(
    run: Runner, outsider: Path, side: str, said: str
) -> None:
    """Round files written by hand in DESIGN's format: PA concluded, and the talks with PB
    ended by a round of `side`. `solve --rounds` said "PB walked away (round 1, ...)" of
    the United States' own walk-away too (`walk-away`'s default is `--by us`), where
    `room` says "the United States walked away in round 1"."""
    rounds = outsider.parent / "rounds"
    (rounds / "PA").mkdir(parents=True)
    (rounds / "PB").mkdir()
    (rounds / "PA/001-partner.yaml").write_text(PA_COUNTER)
    (rounds / "PA/002-us.yaml").write_text(PA_CONCLUDED)
    (rounds / f"PB/001-{side}.yaml").write_text(
        f"round: 1\nside: {side}\ndate: 2026-01-05\n"
        "package: {partner: PB, security: open, compute: {2026: 30_000}}\n"
        "status: walked-away\n"
    )
    result = run("solve", outsider, "--rounds", rounds, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["us_value"] == pytest.approx(-25.2e6)  # PA's 18,000 H100e as agreed
    (reason,) = data["no_deal_reasons"]
    assert reason["message"] == f"{said} (round 1, 001-{side}.yaml)."


def test_documents_render_as_json_as_design_lists_it(run: Runner, outsider: Path) -> None:
    """DESIGN: "One structured result feeds every format: Markdown (canonical), HTML, DOCX,
    PDF, JSON" (and `render (Jinja2: md, html, docx, pdf, json)`). `render --format json`
    was refused: "unknown format 'json'; expected one or more of: md, html, docx, pdf".
    The JSON is the render model itself; an external term sheet's has no internal figure."""
    out = outsider.parent / "out"
    result = run("solve", outsider, "--out", out, "--render", "json", "--date", "2026-05-01")
    assert result.exit_code == 0, result.output
    sheet = json.loads((out / "term-sheets/PA.json").read_text())
    assert (sheet["doc"]["kind"], sheet["doc"]["audience"]) == ("term-sheet", "external")
    assert sheet["schedule"] == [
        {"period": "2026", "h100e": 18000.0, "chips": None, "model": None, "site": None}
    ]
    assert [c["id"] for c in sheet["commitments"]] == ["screen"]
    text = (out / "term-sheets/PA.json").read_text()
    for internal in ('internal":', "500000000", "510000000", "2880", "batna"):
        assert internal not in text.replace('"internal": false', "")
    again = outsider.parent / "again"
    args = ["--partner", "PA", "--format", "json,md", "--date", "2026-05-01"]
    for audience in ("external", "internal"):
        done = run("render", out / "result.json", *args, "--audience", audience, "--out", again)
        assert done.exit_code == 0, done.output
    assert (again / "term-sheets/PA.json").read_bytes() == (
        out / "term-sheets/PA.json"
    ).read_bytes()
    internal = json.loads((again / "term-sheets/PA-internal.json").read_text())
    assert internal["doc"]["internal"] is True and "internal" in internal
    memo = json.loads((out / "memos/portfolio-bport.json").read_text())
    assert memo["doc"]["kind"] == "portfolio-memo" and memo["charts"]


def _deals_with_a_counter(tmp_path: Path) -> Path:
    """A deals/ folder in DESIGN's layout: portfolio bport, and PA's counter as round 1."""
    deals = tmp_path / "deals"
    for folder in ("policy", "partners", "portfolios", "rounds/bport/PA"):
        (deals / folder).mkdir(parents=True)
    (deals / "policy/reg.yaml").write_text(POLICY)
    (deals / "partners/pa.yaml").write_text(PA)
    (deals / "partners/pb.yaml").write_text(PB)
    portfolio = PORTFOLIO.replace(" policy/", " ../policy/").replace("partners/", "../partners/")
    (deals / "portfolios/b.yaml").write_text(portfolio)
    (deals / "rounds/bport/PA/001-partner.yaml").write_text(PA_COUNTER)
    return deals


def test_validate_checks_a_round_against_its_portfolio_as_room_does(
    run: Runner, tmp_path: Path
) -> None:
    """DESIGN's layout, `deals/rounds/<portfolio-id>/<iso2>/NNN-<side>.yaml`, names each
    round's portfolio. `validate deals/` said "ok: .../002-partner.yaml (round)" of a round
    whose package names a security level the regime lacks, which `room` then refused
    (exit 2), and without the note packages get ("checked for shape only")."""
    deals = _deals_with_a_counter(tmp_path)
    bad = deals / "rounds/bport/PA/002-us.yaml"
    bad.write_text(PA_CONCLUDED.replace("security: watch", "security: max"))
    said = f"{bad}:5: package.security: unknown security level 'max' in regime reg"
    room = run("room", deals / "portfolios/b.yaml")
    assert room.exit_code == 2 and said in room.stderr
    for given in (deals, deals / "rounds", bad):
        result = run("validate", given)
        assert result.exit_code == 2, (given, result.output)
        assert said in result.stderr and f"ok: {bad}" not in result.stdout
    # rounds copied away from their portfolio: checked for shape only, and said so
    loose = tmp_path / "loose"
    (loose / "PA").mkdir(parents=True)
    (loose / "PA/001-partner.yaml").write_text(PA_COUNTER)
    result = run("validate", loose)
    assert result.exit_code == 0
    assert f"note: {loose / 'PA/001-partner.yaml'}: checked for shape only" in result.stderr


def test_a_replan_with_every_negotiation_closed_names_no_solver_version(
    run: Runner, outsider: Path
) -> None:
    """With PA concluded and PB walked away nothing is re-planned; `solve --rounds` printed
    "Solver: none 0.1.0, 0.00 s, gap 0", dealbench's own version as a solver's."""
    rounds = outsider.parent / "rounds"
    (rounds / "PA").mkdir(parents=True)
    (rounds / "PB").mkdir()
    (rounds / "PA/001-partner.yaml").write_text(PA_COUNTER)
    (rounds / "PA/002-us.yaml").write_text(PA_CONCLUDED)
    (rounds / "PB/001-us.yaml").write_text(
        "round: 1\nside: us\ndate: 2026-01-05\nstatus: walked-away\n"
    )
    result = run("solve", outsider, "--rounds", rounds)
    assert result.exit_code == 0, result.output
    assert "Solver: none (every negotiation is closed: nothing was re-planned)\n" in result.stdout
    assert "Solver: none 0" not in result.stdout


def test_validate_reads_a_partners_rounds_folder_as_a_whole_as_room_does(
    run: Runner, tmp_path: Path
) -> None:
    """A gap in the numbering and a basis that is not there: `room` refuses the folder,
    and `validate deals/` said "ok" of every file in it."""
    deals = _deals_with_a_counter(tmp_path)
    folder = deals / "rounds/bport/PA"
    for name, text, said in (
        (
            "003-us.yaml",
            PA_CONCLUDED.replace("round: 2", "round: 3"),
            "a gap in the numbering: round 2 is missing before this file",
        ),
        (
            "002-us.yaml",
            PA_CONCLUDED.replace("basis: 001-partner.yaml", "basis: 009-partner.yaml"),
            "basis: 009-partner.yaml does not exist in this negotiation",
        ),
    ):
        (folder / name).write_text(text)
        room = run("room", deals / "portfolios/b.yaml")
        result = run("validate", deals)
        assert room.exit_code == 2 and said in room.stderr, room.output
        assert result.exit_code == 2 and said in result.stderr, result.output
        assert f"ok: {folder / name}" not in result.stdout
        assert f"ok: {folder / '001-partner.yaml'} (round)" in result.stdout
        (folder / name).unlink()
    assert run("validate", deals).exit_code == 0


def test_the_web_offers_every_document_as_json_too(deals: Path) -> None:
    """The web shell offers what the CLI writes: a solve's term sheet as JSON, served as
    JSON, the same render model `render --format json` writes."""
    with web_client(deals, "tok") as client:
        data = {CSRF_FIELD: csrf_for("tok"), "mode": "us-best", "solver": "highs"}
        response = client.post("/p/gulf-asia/solve", data=data, follow_redirects=False)
        url = job_done(client, response)
        assert f'href="{url}/documents/term-sheets/AE.json' in client.get(f"{url}/documents").text
        sheet = client.get(f"{url}/documents/term-sheets/AE.json")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("application/json")
    body = sheet.json()
    assert body["doc"]["kind"] == "term-sheet" and "internal" not in body
    assert body["partner"]["code"] == "AE"
