"""Every command on portfolios unlike the shipped ones (qa10-odd): quarters, chips,
continuous amounts, one partner, a period without supply, a partner's own caps, a tier-3
partner and one that accepts nothing (tests/data/qa10odd/).

- `quarters.yaml`: 2027Q3-2028Q2 in steps of 256 B200 chips under annual caps (a quarter
  of each), no supply in 2028Q1; Østerland (OST, tier 2, asks in chips and TPP, an
  uncertain walk-away value), Pembrook (PB, tier 1), Qazaria (QZ, tier 3).
- `solo.yaml`: Ruritania (RUR, a long unicode name) alone in 2029, continuous amounts,
  its own caps per level, money in every spelling.
- `nothing.yaml`: 2030Q1-2030Q2 under caps per quarter, no supply in 2030Q1; Nowhere
  (NW, a walk-away value no deal reaches), Qazaria (QZ), Valmont (VM).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import improvements, load_portfolio, solve
from dealbench.analyze.limits import decided_by
from dealbench.model.granularity import Granularity
from dealbench.model.override_paths import read_value
from dealbench.model.overrides import apply_overrides
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import step_of
from helpers import DATA, Runner

ODD = DATA / "qa10odd"
QUARTERS = ODD / "quarters.yaml"
SOLO = ODD / "solo.yaml"
NOTHING = ODD / "nothing.yaml"


@pytest.fixture(scope="module")
def quarters() -> Portfolio:
    return load_portfolio(QUARTERS)


def test_a_period_without_supply_binds_where_a_deal_would_take_some(
    quarters: Portfolio,
) -> None:
    """2028Q1 has no supply; OST asks 1e9 TPP (63,163 H100e) in it and PB 30,000, and the
    shadow price of its supply is $9,750 per H100e. `solve` listed only 2027Q3 and 2027Q4
    as binding, and `compare` said OST's 2028Q1 was decided by "risk cost" (the partner
    above its walk-away value, short of ask and cap): `used_up.used_up` counted a supply
    as used only when it was above 0."""
    result = solve(quarters)
    supply = [lim.period for lim in result.binding if lim.kind == "supply"]
    assert supply == ["2027Q3", "2027Q4", "2028Q1"]
    reasons = decided_by(quarters, result, "OST")
    assert "risk cost" not in reasons
    assert reasons.startswith("supply (2027Q3–2028Q1)")


def test_a_period_without_supply_that_nobody_wants_does_not_bind(run: Runner) -> None:
    """`nothing.yaml`'s 2030Q1 has no supply and VM asks 8,000 H100e in it: it binds.
    The same portfolio with VM's 2030Q1 ask at 0 leaves nothing held back there."""
    out = run("solve", NOTHING)
    assert out.exit_code == 0, out.output
    # qa36-newuser: a period without supply is said as such, not "fully allocated".
    assert (
        "Binding: There is no supply in 2030Q1: no compute can be delivered then, though a "
        "partner with a deal asks for some."
    ) in " ".join(out.stdout.split())
    out = run("solve", NOTHING, "--set", "partners.VM.ask.2030Q1=0")
    assert out.exit_code == 0, out.output
    assert "2030Q1." not in out.stdout.split("Binding:", 1)[1].split("Solver:")[0]


def test_a_frontier_in_chips_says_its_points_are_not_in_whole_chips(run: Runner) -> None:
    """The quarters are decided in steps of 256 B200 chips, and the held frontier's points
    are the partner's exact curves, unrounded (OST's 2027Q3: 45,447.2 H100e, 19,986.7
    chips). A frontier in steps of H100e says so under its table; in chips it said
    nothing (`step_of` gave up on chips), so a staffer read 132,059 H100e as a package a
    licence could name."""
    out = run("frontier", QUARTERS, "--partner", "OST", "--points", "5")
    assert out.exit_code == 0, out.output
    said = " ".join(out.stdout.split())
    assert (
        "Every point: the portfolio's compute is not in whole B200 chips, not the declared "
        "steps of 256 B200 chips: the points read off the partner's curves are not rounded" in said
    )


def test_a_frontier_of_one_point_says_one_point(run: Runner) -> None:
    """QZ is tier 3: its frontier is the no-deal point alone, and the method line said
    "1 points"."""
    out = run("frontier", NOTHING, "--partner", "QZ", "--points", "5")
    assert out.exit_code == 0, out.output
    assert "Method: epsilon-constraint, 1 point, " in out.stdout


def test_a_portfolio_memo_where_every_partner_has_a_deal_names_no_walk_away_values(
    run: Runner, tmp_path: Path
) -> None:
    """Ruritania alone gets a deal, so no partner is without one; the portfolio memo still
    said "The total US utility includes the US walk-away value for each partner that gets
    no package", in Markdown, HTML, DOCX and PDF."""
    out = run("solve", SOLO, "--out", tmp_path, "--render", "md,html", "--date", "2029-01-02")
    assert out.exit_code == 0, out.output
    for suffix in ("md", "html"):
        memo = (tmp_path / f"memos/portfolio-q10-solo.{suffix}").read_text()
        assert "Ruritanien" in memo
        assert "walk-away value for each partner" not in memo


def test_a_full_ask_in_whole_chips_is_on_the_declared_step(quarters: Portfolio) -> None:
    """OST asks 60,000 H100e in 2028Q2 and gets it in whole B200 chips (26,386, not a
    multiple of 256): the schedule allows a limit itself in whole units, and `solve` says
    "in steps of 256 B200 chips". The frontier's `step_of` counted it as a finer step, so
    `frontier --jointly --axis risk` said of the US-best point "in steps of 1 B200 chips,
    not the declared 256: no schedule in those was found" (in steps of 500 H100e, "of 1
    H100e, not the declared 500")."""
    result = solve(quarters)
    packages = [d.package() for d in result.deals]
    assert packages[0].compute["2028Q2"] == pytest.approx(26_386 * 36_000 / 15_832)
    assert step_of(quarters, packages) == quarters.granularity.h100e
    off = packages[0].model_copy(update={"compute": {**packages[0].compute, "2027Q3": 45_001}})
    assert step_of(quarters, [off, packages[1]]) == 0.0  # not whole chips: said so


def test_one_chip_is_one_chip() -> None:
    """A step of one chip read "steps of 1 B200 chips"."""
    one = Granularity(h100e=36_000 / 15_832, chips=1, model="B200")
    assert one.describe() == "steps of 1 B200 chip"
    assert one.one_step() == "1 B200 chip, 2.27 H100e"  # qa29-left: to the hundredth


def test_a_partner_that_accepts_nothing_is_not_kept_out_by_a_cap(
    run: Runner, tmp_path: Path
) -> None:
    """With the caps read per year (`--set policy.caps_per=year`), nobody gets a deal, and
    the portfolio memo's "What prevents a deal" said "NW: the tier 2 cap (500 H100e a
    period under baseline) prevents a deal": Nowhere's walk-away value is USD 900tn, and
    its full ask within the supply (0 in 2030Q1, 5,000 H100e at 30k in 2030Q2) is worth
    $150.0m to it; no cap keeps it out (`compare` says "accepts no package"). VM, whose
    full ask it would accept, is kept out by its cap (3,000 H100e a quarter under veu)."""
    out = run(
        "solve", NOTHING, "--set", "policy.caps_per=year", "--out", tmp_path,
        "--render", "md", "--date", "2030-01-01",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    memo = (tmp_path / "memos/portfolio-q10-nothing.md").read_text()
    # solve's reasons, as the result carries them (nodeal-one)
    assert (
        "- NW: no package NW accepts fits the limits: NW's acceptance needs $900.00tn more "
        "than any package within the limits gives (its walk-away value is $900.00tn); no "
        "change of limits opens a deal." in memo
    )
    assert (
        "raise the tier 2 cap under veu (a quarter of the policy's 12,000 H100e a year) from "
        "3,000 to 6,334 H100e per period (for VM in 2030Q2)." in memo  # 12,000 read per year
    )


def test_a_re_solve_where_both_regimes_tie_says_they_tie(run: Runner, tmp_path: Path) -> None:
    """The options memo re-solves bilateral and monopoly with the cost of risk past the
    factor where monopoly would overtake with the packages held (19.77 times): at that
    cost neither makes a deal (OST's walk-away value to the US, -$300.0m, under both), and
    the memo said "monopoly is still $0 behind"."""
    out = run("compare", QUARTERS, "--out", tmp_path, "--render", "md", "--date", "2027-06-01")
    assert out.exit_code == 0, out.output
    memo = (tmp_path / "memos/options-q10-quarters.md").read_text()
    # repeal and bilateral tie for the lead; repeal, named first, leads (qa33-analyst).
    assert "repeal -$300.0m, monopoly -$300.0m; monopoly ties with it." in memo
    assert "$0 behind" not in memo


def test_a_cap_set_on_the_command_line_is_per_year_as_the_policy_writes_it(
    quarters: Portfolio,
) -> None:
    """The policy writes its caps per year (tier 2 under veu: 400,000) and the quarters
    hold a quarter of each (100,000). `--set policy.caps.tier2.veu=100_000` set 100,000
    per quarter, not per year: OST kept 45,405 H100e in 2027Q3, where the same figure
    written in the file caps it at 25,000 a quarter (OST then takes kyc). The override
    was applied to the caps already converted to quarters; `policy.caps_per=quarter`
    likewise left them at 100,000 a quarter where the file edited says 400,000."""
    ost = quarters.partner("OST")
    assert ost is not None
    assert quarters.level_cap(ost, "veu") == 100_000
    assert read_value(quarters, "policy.caps.tier2.veu") == 400_000
    set_per_year = apply_overrides(quarters, {"policy.caps.tier2.veu": "100_000"})
    assert set_per_year.level_cap(ost, "veu") == 25_000
    assert read_value(set_per_year, "policy.caps.tier2.veu") == 100_000
    per_quarter = apply_overrides(quarters, ["policy.caps_per=quarter"])
    assert per_quarter.level_cap(ost, "veu") == 400_000
    assert per_quarter.level_cap(ost, "kyc") == 160_000
    assert solve(set_per_year).deal("OST").compute["2027Q3"] <= 40_000  # kyc's quarter


def test_improvements_in_a_portfolio_in_chips_are_in_whole_chips(quarters: Portfolio) -> None:
    """OST's US-best package (19,968, 11,520 and 26,386 B200 chips) with PB held: `improve`
    re-planned its compute in whole H100e, 45,447 H100e in 2027Q3 (19,986.7 chips), which
    no licence for B200 chips can name. The re-plan now counts whole chips."""
    result = solve(quarters)
    ost, pb = (result.deal(code) for code in ("OST", "PB"))
    assert ost is not None and pb is not None
    found = improvements(quarters, ost.package(), [pb.package()], every_variant=True)
    moved = [i.package for i in found if i.package.compute != ost.package().compute]
    assert moved
    grid = quarters.granularity
    for package in moved:
        positive = {t for t, x in package.compute.items() if x > 0}
        assert set(grid.in_chips(package.compute)) == positive, package.compute


def test_a_solve_without_deals_names_the_step_in_chips(run: Runner) -> None:
    """With no risk budget to spend (`--set portfolio.risk_budget=0`) nobody gets a deal,
    and `solve` said "Compute is in steps of 582 H100e." of a portfolio decided in steps
    of 256 B200 chips: with no package to round, the schedule left its note empty and the
    CLI fell back to the step in H100e, rounded."""
    out = run("solve", QUARTERS, "--set", "portfolio.risk_budget=0")
    assert out.exit_code == 0, out.output
    said = " ".join(out.stdout.split())
    assert "Compute is in steps of 256 B200 chips (582.1 H100e each)." in said
    assert "582 H100e." not in said


def test_why_no_deal_with_a_tier_3_partner_says_it_is_tier_3() -> None:
    """QZ (tier 3, walk-away value 0) accepts an empty package, so its best package alone
    exists and is worth nothing to the US: "why no deal" said only that, and that it
    opens when QZ offers a concession, never that QZ receives no compute under any deal."""
    from dealbench.optimize.explain.no_deal import why_no_deal

    pf = load_portfolio(NOTHING)
    result = solve(pf)
    said = {n.partner: n for n in why_no_deal(pf, result)}
    assert said["QZ"].reason == "not-worth-it"
    assert said["QZ"].message.startswith(
        "QZ is tier 3 and receives no compute under any deal; no package QZ accepts adds"
    )
    assert "tier 3" not in said["NW"].message


def test_a_counter_in_a_lone_negotiation_speaks_of_no_others(run: Runner, tmp_path: Path) -> None:
    """Ruritania alone: the verdict on its counter said "Supply left for the other open
    negotiations", "(rest re-optimized)" and "the others held at the plan", of others
    there are none."""
    solved = run("solve", SOLO, "--out", tmp_path / "out")
    assert solved.exit_code == 0, solved.output
    package = tmp_path / "out" / "packages" / "RUR.yaml"
    said = run(
        "counter", SOLO, "--partner", "RUR", package,
        "--rounds", tmp_path / "rounds", "--no-documents",
    )  # fmt: skip
    assert said.exit_code == 0, said.output
    text = " ".join(said.stdout.split())
    assert "Supply left if accepted (H100e): 2029 130,000 (no other open negotiation)" in text
    for words in ("other open negotiations", "rest re-", "others held"):
        assert words not in text, words
    answer = run("evaluate", package, "--portfolio", SOLO, "--against", "1",
                 "--rounds", tmp_path / "rounds", "--json")  # fmt: skip
    assert answer.exit_code == 0, answer.output
    import json

    assert json.loads(answer.stdout)["others_open"] == []
