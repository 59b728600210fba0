"""Sweeps and diffs: named scenarios side by side, one figure from A to B, two results apart.

What a user relies on: each sweep row is what `solve` gives for that scenario
(checked), a parameter sweep names the values where the optimal package changes
and the packages on either side really differ, and bad input (zero steps, a
path that does not exist, a bound of the wrong unit) is refused with exit 2.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from dealbench.analyze.diff import diff_results
from dealbench.analyze.packages import signature
from dealbench.analyze.scenarios import apply_overrides, load_scenarios
from dealbench.analyze.sweep import grid, sweep_param, sweep_scenarios
from dealbench.checker import check
from dealbench.model import load_portfolio
from dealbench.optimize import solve
from helpers import DATA, REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
TINY = DATA / "tiny" / "portfolio.yaml"
SCENARIOS = REPO / "deals" / "scenarios" / "gulf-asia.yaml"


def test_grid_includes_both_ends() -> None:
    assert grid(0.0, 10.0, 3) == [0.0, 5.0, 10.0]
    assert grid(4.0, 9.0, 1) == [4.0]


def test_scenario_rows_are_what_solve_gives() -> None:
    pf = load_portfolio(GULF)
    loaded = load_scenarios(SCENARIOS, pf)
    result, results = sweep_scenarios(pf, loaded)
    assert [r.id for r in result.rows] == ["base", *(s.id for s, _ in loaded)]
    for (scenario, spf), row, res in zip(loaded, result.rows[1:], results[1:], strict=True):
        assert check(spf, [d.package() for d in res.deals]).ok
        direct = solve(apply_overrides(pf, scenario.set))
        assert row.us_value == pytest.approx(direct.objective, rel=1e-6)
        if signature(res) == signature(results[0]):
            assert row.changes == []
        else:
            assert row.changes


def test_param_sweep_finds_where_the_deal_is_lost() -> None:
    """Tiny: AA's best package is worth at most 100,000 H100e x 30k = 3bn to it, less the
    cheapest security and concession costs; with a BATNA of 5bn it walks away. Somewhere
    between 1bn and 5bn the deal is lost: the sweep must name that change, narrowed to
    1/2^6 of the grid's step, with a deal on one side and none on the other."""
    pf = load_portfolio(TINY)
    result, _ = sweep_param(pf, "partners.AA.batna", "1bn", "5bn", 5)
    lost = [p for p in result.change_points if any("AA loses its deal" in c for c in p.changes)]
    assert len(lost) == 1
    point = lost[0]
    assert point.high - point.low <= 1e9 / 2**6 + 1
    below = solve(apply_overrides(pf, {"partners.AA.batna": point.low}))
    above = solve(apply_overrides(pf, {"partners.AA.batna": point.high}))
    assert below.deal("AA") is not None and above.deal("AA") is None
    assert [r.value for r in result.rows] == [1e9, 2e9, 3e9, 4e9, 5e9]


def test_sweep_cli_param_json(run: Runner) -> None:
    result = run(
        "sweep", TINY, "--param", "partners.AA.batna", "--from", "1bn", "--to", "5bn",
        "--steps", "3", "--json", "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["param"] == "partners.AA.batna"
    assert len(data["rows"]) == 3
    assert data["change_points"]


def test_a_sweep_without_a_change_of_terms_says_the_compute_still_moves(run: Runner) -> None:
    """It said "The optimal package is the same at every value" while the compute
    delivered went from 6,551,000 to 6,544,000 H100e: a package is its compute too. (The
    shipped global portfolio now keeps its compute too, in steps of 100 H100e: the moving
    case is its sweep with the totals it had then.)"""
    from dealbench.analyze.sweep import SweepResult
    from dealbench.analyze.sweep_words import same_terms

    result = run(
        "sweep", REPO / "deals/portfolios/global.yaml", "--param",
        "policy.risk_penalty_per_h100e", "--from", "60k", "--to", "300k", "--steps", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "The optimal package is the same" not in said
    assert (
        "The deals, their security levels and concessions are the same at every value, and "
        "so is the total compute delivered."
    ) in said
    swept = run(
        "sweep", REPO / "deals/portfolios/global.yaml", "--param",
        "policy.risk_penalty_per_h100e", "--from", "60k", "--to", "300k", "--steps", "3",
        "--json",
    )  # fmt: skip
    sweep = SweepResult.model_validate_json(swept.stdout)
    rows = [
        r.model_copy(update={"compute_total": total})
        for r, total in zip(sweep.rows, (6_551_000, 6_548_000, 6_544_000), strict=True)
    ]
    assert same_terms(sweep.model_copy(update={"rows": rows})) == (
        "The deals, their security levels and concessions are the same at every value; only "
        "the compute delivered changes, from 6,551,000 to 6,544,000 H100e in all."
    )


def test_sweep_cli_scenarios_table(run: Runner) -> None:
    result = run("sweep", GULF, SCENARIOS, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "base" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--param", "partners.AA.batna", "--from", "1bn", "--to", "2bn", "--steps", "0"],
            "error: --steps: expected at least 1 value, got 0",
        ),
        (
            ["--param", "partners.AA.batnah", "--from", "1bn", "--to", "2bn"],
            "error: --param: partners.AA.batnah: partners.AA has no field 'batnah' (did you mean "
            "'batna'?); expected one "
            "of: code, name, article, tier, diversion_risk, ask, value_per_h100e, batna, us_batna, "
            "security_costs, concessions",
        ),
        (
            ["--param", "portfolio.supply.2026", "--from", "1bn", "--to", "2_000_000"],
            "error: --from: portfolio.supply.2026: expected a number, got '1bn'; suffixes such "
            "as bn are for amounts of USD: the field is in H100e",
        ),
        (
            ["--param", "supply.2026", "--from", "1", "--to", "2"],
            "error: --param: supply.2026: unknown root 'supply'; a path starts with one of: "
            "policy, partners, portfolio (did you mean portfolio.supply.2026?)",
        ),
        (
            ["--param", "partners.AA.batna", "--from", "1bn"],
            "error: --param: needs --from A and --to B",
        ),
        ([], "error: sweep: give either a SCENARIOS file or --param PATH --from A --to B"),
    ],
)
def test_bad_sweeps_exit_2(run: Runner, args: list[str], message: str) -> None:
    result = run("sweep", TINY, *args)
    assert result.exit_code == 2, result.output
    assert result.traceback == ""
    assert result.stderr.strip() == message


@pytest.mark.parametrize(
    "option", [["--from", "50k"], ["--to", "400k"], ["--steps", "15"], ["--refine", "3"]]
)
def test_a_scenarios_sweep_refuses_the_options_of_a_param_sweep(
    run: Runner, option: list[str]
) -> None:
    """With a SCENARIOS file, --from, --to, --steps and --refine have no figure to sweep:
    refused (exit 2, before any solve), not ignored as if the sweep had used them."""
    result = run("sweep", GULF, SCENARIOS, *option, "--jobs", "1")
    assert result.exit_code == 2 and result.traceback == ""
    assert result.stderr.strip() == (
        f"error: {option[0]}: only with --param PATH (a sweep of one figure), "
        "not with a SCENARIOS file"
    )
    assert result.stdout == ""


def test_a_sweep_of_a_whole_number_field_narrows_only_to_its_values(run: Runner) -> None:
    """A partner's tier takes 1, 2 or 3: a change between two grid values is reported
    between them, not aborted by a bisection at 2.5 (which --set would refuse); a grid
    value the field refuses is named as --steps', not as a --set the user never gave."""
    args = ["sweep", GULF, "--param", "partners.AE.tier", "--from", "1", "--to", "3", "-j", "1"]
    result = run(*args, "--steps", "3", "--json")
    assert result.exit_code == 0 and not result.traceback, result.output
    data = json.loads(result.stdout)
    assert [row["value"] for row in data["rows"]] == [1.0, 2.0, 3.0]
    for point in data["change_points"]:
        assert point["low"] in (1.0, 2.0) and point["high"] == point["low"] + 1
    assert data["change_points"], "AE under tier 3 is embargoed: its deal is lost"
    refused = run(*args, "--steps", "4")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --steps: partners.AE.tier: expected 1, 2 or 3")


def test_diff_says_what_changed_partner_by_partner(run: Runner, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("solve", GULF, "--out", a).exit_code == 0
    assert run("solve", GULF, "--policy", "tiered", "--out", b).exit_code == 0
    result = run("diff", a / "result.json", b / "result.json")
    assert result.exit_code == 0, result.output
    assert "Note: regime bilateral -> tiered" in result.stdout
    assert "MY:\n  - gains a deal: veu" in result.stdout
    data = json.loads(run("diff", a / "result.json", b / "result.json", "--json").stdout)
    changes = {p["partner"]: p["change"] for p in data["partners"]}
    assert changes["MY"] == "gained" and changes["AE"] == "changed"
    # a change too long for one line continues indented under its dash, not at column 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for before, line in itertools.pairwise(lines):
        if before.startswith("  - ") and not line.startswith(("  - ", "Unchanged")):
            assert line.startswith("    ") or line.endswith(":"), (before, line)


def test_diff_names_the_overrides_that_differ() -> None:
    """It said "the inputs differ (another version of a file, or --set overrides)" where
    the results record which overrides each was solved under."""
    pf = load_portfolio(GULF)
    a = solve(pf)
    b = solve(apply_overrides(pf, {"partners.AE.batna": "12bn"}))
    assert diff_results(a, b).notes == ["overrides none -> partners.AE.batna=12bn"]


def test_diff_of_a_result_with_itself_is_empty() -> None:
    result = solve(load_portfolio(GULF))
    d = diff_results(result, result)
    assert d.changed == [] and d.notes == []


def test_diff_refuses_a_file_that_is_not_a_result(run: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    result = run("diff", bad, bad)
    assert result.exit_code == 2
    assert "not a dealbench result.json" in result.stderr
    assert run("diff", tmp_path / "nope.json", bad).exit_code == 2


def test_sweep_out_writes_json_and_chart(run: Runner, tmp_path: Path) -> None:
    result = run(
        "sweep", TINY, "--param", "partners.AA.batna", "--from", "1bn", "--to", "5bn",
        "--steps", "3", "-j", "1", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "sweep.json").read_text())["param"] == "partners.AA.batna"
    assert (tmp_path / "charts" / "sweep.svg").read_text().startswith("<svg")
    assert (tmp_path / "charts" / "sweep.png").read_bytes()[:4] == b"\x89PNG"


MX = """\
code: MX
name: Mexico
tier: 2
diversion_risk: 0.3
ask: {2026: 40_000, 2027: 60_000, 2028: 80_000}
value_per_h100e: 30k
batna: 1.2bn
security_costs: {baseline: 0, kyc: 100m, veu: 400m}
concessions:
  - {id: nearshore-fabs, title: Nearshoring, category: investment, us_value: 2bn,
     partner_cost: 1.5bn, clause: "{{ partner.name }} hosts plants."}
  - {id: align-controls, title: Alignment, category: alignment, us_value: 1bn,
     partner_cost: 300m, clause: "{{ partner.name }} aligns its controls."}
"""


def test_a_second_change_inside_one_interval_is_not_passed_over(tmp_path: Path) -> None:
    """Between two values of the grid the concessions may change and change back; only the
    first change is narrowed, and the report says that another follows before the next
    value (a reader saw IN go 'all -> half' twice and never back)."""
    (tmp_path / "mx.yaml").write_text(MX)
    portfolio = tmp_path / "americas.yaml"
    portfolio.write_text(
        f"id: americas\ntitle: Americas\npolicy: {REPO}/deals/policy/bilateral.yaml\n"
        "periods: [2026, 2027, 2028]\n"
        "supply: {2026: 100_000, 2027: 120_000, 2028: 150_000}\n"
        f"partners: [mx.yaml, {REPO}/deals/partners/vn.yaml, {REPO}/deals/partners/in.yaml]\n"
    )
    pf = load_portfolio(portfolio)
    path = "portfolio.supply.2027"
    result, _ = sweep_param(pf, path, 50_000, 300_000, 6)
    again = [p for p in result.change_points if p.again_before is not None]
    assert again
    for point in again:
        at_high = solve(apply_overrides(pf, {path: point.high}))
        at_next = solve(apply_overrides(pf, {path: point.again_before}))
        before = solve(apply_overrides(pf, {path: point.low}))
        # the narrowed change is real, and the package at the next value is yet another
        assert signature(at_high) != signature(before)
        assert signature(at_next) != signature(at_high)
