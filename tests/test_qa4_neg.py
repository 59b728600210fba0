"""A fourth pass on negotiation (qa4-neg): faults found by a new negotiator's own data.

Each fixture is small enough to work out by hand; the docstrings do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import builders as b
from dealbench.checker import evaluate
from dealbench.model import load_portfolio
from dealbench.model.granularity import Granularity
from dealbench.model.package import Package
from dealbench.negotiate import frontier, history, room
from dealbench.negotiate.replan import residual
from dealbench.optimize import solve
from dealbench.optimize.explain.infeasible import explain_infeasible
from dealbench.optimize.explain.no_deal import why_no_deal
from dealbench.render.limits import verdict
from dealbench.units import CHIP_TPP, H100_TPP
from helpers import DATA, Runner


def test_a_tier_3_partner_without_a_deal_is_said_to_receive_nothing_once() -> None:
    """EE is tier 3 (BATNA 100m): the no-deal reason said "EE is tier 3 and receives no
    compute under any deal" twice, once from the explanation of the forced deal (which
    says it first since ea82b70) and once more from the reason itself."""
    pf = load_portfolio(DATA / "embargo/portfolio.yaml")
    ee = pf.partner("EE")
    assert ee is not None
    pf = pf.model_copy(update={"partners": [ee.model_copy(update={"batna": 100e6})]})
    (reason,) = why_no_deal(pf, solve(pf))
    assert reason.message.count("receives no compute") == 1, reason.message
    assert reason.message.startswith(
        "no package EE accepts fits the limits: EE is tier 3 and receives no compute under "
        "any deal; EE's acceptance needs"
    )


def test_evaluate_against_lists_the_shared_limits_the_verdict_breaks(
    run: Runner, tmp_path: Path
) -> None:
    """BB's package under baseline keeps its ask and BB accepts it, but alone it takes
    10,000 risk-weighted H100e (100,000 x 0.1) of a budget of 1,000. Plain `evaluate`
    says so; with --against its figures said "Violations: none" just above the verdict's
    "Limits broken (1): risk budget ...", as the figures carried the package's own
    limits only."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    package = DATA / "qa4neg/bb-baseline.yaml"
    rounds = tmp_path / "rounds"
    offer = run("offer", portfolio, "--partner", "BB", "--rounds", rounds, "--no-documents")
    assert offer.exit_code == 0, offer.output
    budget = "risk budget: 10,000 risk-weighted H100e, the budget is 1,000"
    plain = run("evaluate", package, "--portfolio", portfolio)
    assert plain.exit_code == 3 and budget in plain.stdout, plain.output
    against = run(
        "evaluate", package, "--portfolio", portfolio, "--against", "1", "--rounds", rounds
    )
    assert against.exit_code == 3, against.output
    figures, verdict = against.stdout.split("Verdict on the package from BB:")
    assert "Violations: none" not in figures
    assert budget in figures and budget in verdict


def test_an_offer_to_a_partner_that_accepts_no_package_says_why(
    run: Runner, tmp_path: Path
) -> None:
    """DD's BATNA is USD 500bn; 100,000 H100e at 30k are worth 3bn to it, so it accepts no
    package. `offer` said only that no package "is better for the US than walking away",
    as if the US did not want a deal; it now gives solve's reason for DD's no deal."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    rounds = tmp_path / "rounds"
    for how in (("--strategy", "linear"), ("--mode", "nash")):
        refused = run("offer", portfolio, "--partner", "DD", "--rounds", rounds, *how)
        assert refused.exit_code == 3, refused.output
        assert (
            "error: no offer can be made to DD (with the other partners held at the plan): no "
            "package DD accepts fits the limits: DD's acceptance "
            "needs $497.00bn more" in refused.stderr  # as `solve` says it (nodeal-one)
        ), refused.stderr
    assert not rounds.exists() or not any(rounds.rglob("*.yaml"))


def test_a_floor_at_the_us_best_value_keeps_the_declared_step_of_chips() -> None:
    """FF alone, in steps of 256 B200 chips (582.1 H100e), under a risk budget of 700.3
    (0.015 risk-weighted per H100e under veu): the US-best package is in whole steps and
    worth V. The first offer of a negotiation is the partner-best package at V >= V, and
    its rounding compared V with the floor exactly: the declared step missed it by float
    noise, so the offer came in steps of 25 chips, silently off the portfolio's step."""
    pol = b.policy(levels=[("veu", 0.9)], export_value="9k", risk_penalty="100k")
    ff = b.partner(
        "FF",
        diversion_risk=0.15,
        ask={"2026": 20_000, "2027": 30_000},
        value="22k",
        batna="300m",
        security_costs={"veu": "400m"},
        concessions=[b.concession("lng", us_value="1bn", partner_cost="600m")],
    )
    step = 256 * CHIP_TPP["B200"] / H100_TPP
    chips = Granularity(h100e=step, chips=256, model="B200")
    pf = b.portfolio(pol, [ff], supply={"2026": 1e6, "2027": 1e6}, granularity=chips)
    pf = pf.model_copy(update={"risk_budget": 700.3})
    best = solve(pf)
    assert best.solver.details["granularity_h100e"] == step
    v = evaluate(pf, best.deals[0].package()).us_value
    offer = solve(pf, "partner-best", v_floor=v)
    assert offer.solver.details["granularity_h100e"] == step, offer.message
    assert offer.us_value is not None and offer.us_value >= v - 1e3
    (deal,) = offer.deals
    # 2026: the full ask in whole chips (20,000 H100e); 2027: 45 steps of 256 chips
    assert chips.in_chips(deal.package().compute) == {
        "2026": (8_795.0, "B200"),
        "2027": (11_520.0, "B200"),
    }


def test_the_risk_frontier_holds_no_bargaining_point_below_the_best_v_at_its_risk() -> None:
    """FF alone in steps of 256 B200 chips under a risk budget of 894.54. On the risk
    axis, the Nash and Kalai points (V 0.89bn at a risk of 888.1 and 886.6) were added to
    the frontier's points, as on the partner axis, where they are Pareto optimal; against
    risk they are not: at a risk of 888.1 the US can have 1.39bn (the US-best terms with
    one step less). Every point of the risk frontier is now max V at its risk."""
    pol = b.policy(levels=[("veu", 0.9)], export_value="9k", risk_penalty="100k", margin="100m")
    lng = [("5bn", "250m", "150m"), ("10bn", "500m", "300m"), ("15bn", "750m", "450m")]
    ff = b.partner(
        "FF",
        diversion_risk=0.15,
        ask={"2026": 20_000, "2027": 20_000, "2028": 30_000, "2029": 30_000},
        value="22k",
        batna="300m",
        security_costs={"veu": "400m"},
        concessions=[
            b.concession("reporting", us_value="200m", partner_cost="50m"),
            b.concession("lng", levels=[*lng, ("20bn", "1bn", "600m")]),
        ],
    )
    chips = Granularity(h100e=256 * CHIP_TPP["B200"] / H100_TPP, chips=256, model="B200")
    supply = dict.fromkeys(("2026", "2027", "2028", "2029"), 1e6)
    pf = b.portfolio(pol, [ff], supply=supply, granularity=chips)
    pf = pf.model_copy(update={"risk_budget": 894.5426983200023})
    curve = frontier(pf, "FF", axis="risk", points=6)
    assert curve.nash is not None and curve.kalai is not None  # still reported
    for point in curve.points:
        best = solve(pf.model_copy(update={"risk_budget": point.risk + 1e-6})).us_value
        assert best is not None and point.us_utility >= best - 1e6, (point.label, point.risk)


def test_the_verdict_on_a_package_says_the_partner_refuses_it_as_well_as_its_limits() -> None:
    """AA's package breaks its tier's cap (50,000 H100e against 10,000) and gives AA
    50,000 x 30k = 1.5bn, short of its BATNA of 10bn. The internal documents' verdict
    ("Later version: ...") named the broken cap alone, as if AA would sign otherwise."""
    pol = b.policy(levels=[("baseline", 0.0)], caps={"tier2": {"baseline": 10_000}})
    aa = b.partner("AA", batna="10bn", security_costs={"baseline": 0})
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6})
    package = Package(partner="AA", security="baseline", compute={"2026": 50_000})
    said = verdict(evaluate(pf, package))
    assert said.startswith("The package breaks 1 limit: AA: 2026 compute 50,000 H100e exceeds")
    assert said.endswith(
        ". Partner AA would also refuse: its partner utility, $1.50bn, falls $8.50bn short "
        "of its walk-away value plus the required margin ($10.00bn). The United States "
        "would be $500.0m better off without this deal."  # (qa30-negotiator)
    )


def test_a_limit_to_raise_beside_deals_held_is_named_whole() -> None:
    """AA's deal is held (90,000 H100e under veu, risk 900 of a budget of 1,000); BB
    needs 1bn / 30k = 33,334 H100e, risk 333.3, and 100 is left. `solve --rounds` and
    `offer` explain on what the held deals leave, and said "raise the risk budget from 100
    to 333" of a portfolio whose budget is 1,000 (printed a line above). The new budget is
    rounded up (1,233.3 needed: qa6-journey)."""
    pol = b.policy(levels=[("veu", 0.9)])
    aa = b.partner("AA", diversion_risk=0.1, security_costs={"veu": 0})
    bb = b.partner(
        "BB", diversion_risk=0.1, ask={"2026": 50_000}, batna="1bn", security_costs={"veu": 0}
    )
    pf = b.portfolio(pol, [aa, bb], supply={"2026": 1e6}, risk_budget=1_000)
    held = Package(partner="AA", security="veu", compute={"2026": 90_000})
    rest = residual(pf, fixed=[held])
    (relax,) = explain_infeasible(rest, "us-best", None, ["BB"]).relax
    assert relax.message == (
        "raise the risk budget from 1,000 to 1,234 risk-weighted H100e (100 of it left beside "
        "the deals held)"
    )
    assert relax.limit == pytest.approx(1_000)
    # what a second residual holds adds to the first's
    again = residual(rest, fixed=[Package(partner="BB", security="veu", compute={"2026": 500})])
    assert again.held_risk == pytest.approx(905) and again.held_supply == {"2026": 90_500}


def refused_counter(run: Runner, portfolio: Path, rounds: Path) -> None:
    """Our opening offer to BB, and BB's counter that BB itself would refuse (-200m)."""
    common = ("--rounds", rounds, "--no-documents")
    assert run("offer", portfolio, "--partner", "BB", *common).exit_code == 0
    counter = run("counter", portfolio, "--partner", "BB", DATA / "qa4neg/bb-refused.yaml", *common)
    assert counter.exit_code == 0, counter.output


def test_history_says_why_a_round_the_partner_refuses_is_not_ok(
    run: Runner, tmp_path: Path
) -> None:
    """BB's counter keeps every limit but gives BB 300m - 500m = -200m, below its BATNA
    of 0: `history` marked it "no" with no line saying why (every other "no" has one),
    and the web workbench called the round "compliant"."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    rounds = tmp_path / "rounds"
    refused_counter(run, portfolio, rounds)
    shown = run("history", portfolio, "--partner", "BB", "--rounds", rounds)
    assert shown.exit_code == 0, shown.output
    said = "round 2: BB itself would not accept it: its utility -$200.0m is below its"
    assert said in " ".join(shown.stdout.split()), shown.stdout
    rows = history(load_portfolio(portfolio), rounds, "BB").rounds
    assert [v.kind for v in rows[1].violations] == ["acceptance"] and not rows[0].violations


def test_a_package_over_a_shared_limit_is_documented_as_breaking_it(
    run: Runner, tmp_path: Path
) -> None:
    """BB's package alone takes 10,000 risk-weighted H100e of a budget of 1,000. Its
    internal term sheet (as `render`, and every round, writes it) listed no broken limit
    and said under "Limits that bind" that "the risk budget is used up"; `render` warned
    of nothing; a redline's verdict said BB "should accept". `evaluate` said the truth:
    the shared limits a package breaks were left out of its documents."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    package = DATA / "qa4neg/bb-baseline.yaml"
    broken = "risk budget: 10,000 risk-weighted H100e, the budget is 1,000"
    done = run(
        "render", package, "--portfolio", portfolio, "--out", tmp_path, "--audience", "internal"
    )
    assert done.exit_code == 0, done.output
    assert "warning: BB's package breaks 1 limit" in done.stderr and broken in done.stderr
    (sheet,) = (tmp_path / "term-sheets").glob("*-internal.md")
    text = sheet.read_text()
    assert "The risk budget is used up" not in text
    assert f"The package breaks 1 limit: {broken}" in text
    assert f"Limits broken:\n\n- {broken}" in text
    redline = run(
        "redline", DATA / "qa4neg/bb-refused.yaml", package, "--portfolio", portfolio,
        "--out", tmp_path / "rl", "--audience", "internal",
    )  # fmt: skip
    assert redline.exit_code == 0, redline.output
    (lines,) = (tmp_path / "rl").glob("redlines/*.md")
    assert f"- Later version: The package breaks 1 limit: {broken}" in lines.read_text()


def test_the_joint_risk_frontier_names_no_bargaining_point() -> None:
    """On the risk axis with the others re-optimized, the Nash and Kalai points were the
    best of the frontier's points, which are the best V at each risk: for XB (pair of
    portfolios by quarter) that was the US-best end, V 12.48bn and U 2.11bn, while the
    Nash point of the V-U frontier (`--jointly`) is V 5.48bn and U 6.11bn. Here BB's
    risk frontier: no Nash or Kalai point, and a note that says where they are."""
    pf = load_portfolio(DATA / "qa4neg/portfolio.yaml")
    curve = frontier(pf, "BB", axis="risk", jointly=True, points=3)
    assert curve.nash is None and curve.kalai is None
    assert any(n.startswith("No Nash or Kalai-Smorodinsky point") for n in curve.notes)
    assert curve.to_json()["nash"] is None
    held = frontier(pf, "BB", axis="risk", points=3)  # held, they are solved: kept
    assert held.nash is not None


def test_the_negotiation_memo_defines_the_frontier_gain_as_a_difference(
    run: Runner, tmp_path: Path
) -> None:
    """BB's counter gives BB -200m, below its BATNA of 0; the room's "US gain on the
    frontier" is what the US-best package giving BB at least 0 adds to the counter's US
    utility. The memo defined it as "what a package at the counter's partner utility
    could give the United States": a US utility, not the difference, and at the wrong
    partner utility for a counter the partner itself would refuse."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    rounds = tmp_path / "rounds"
    refused_counter(run, portfolio, rounds)
    out = tmp_path / "docs"
    room = run("room", portfolio, "--rounds", rounds, "--render", "md", "--out", out)
    assert room.exit_code == 0, room.output
    memo = (out / "memos/negotiation-qa4neg.md").read_text()
    assert "The gain on the frontier is what the best package giving the partner" in memo
    assert "gives the United States beyond the counter" in memo
    assert "at least its walk-away value plus the required margin" in memo
    assert "or what no deal gives it beyond the counter when no package does" in memo


def test_a_round_out_of_time_order_speaks_of_a_counter_file_only_for_a_counter(
    run: Runner, tmp_path: Path
) -> None:
    """`walk-away --date` (or `offer --date`) before the last round was refused with "(a
    counter file's own `date:` is its round's date unless the round is given a date of its
    own)": no counter file is involved in either. A counter given `--date` is dated by it,
    not by its file, so it is refused as `--date` as well (session 40); a counter file's own
    `date:` out of order is refused at its line (`test_qa39_negotiate`)."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    rounds = tmp_path / "rounds"
    common = ("--rounds", rounds, "--no-documents")
    first = run("offer", portfolio, "--partner", "BB", *common, "--date", "2026-03-01")
    assert first.exit_code == 0, first.output
    walk = run(
        "walk-away", portfolio, "--partner", "BB", "--rounds", rounds, "--date", "2026-01-01"
    )
    offer = run("offer", portfolio, "--partner", "BB", *common, "--date", "2026-01-01")
    counter = run(
        "counter", portfolio, "--partner", "BB", DATA / "qa4neg/bb-refused.yaml", *common,
        "--date", "2026-01-01",
    )  # fmt: skip
    for refused in (walk, offer, counter):
        assert refused.exit_code == 2, refused.output
        assert "round 2 is dated 2026-01-01, before round 1 (001-us.yaml)" in refused.stderr
        # the date given is at fault, not a file's (session 40): refused as --date
        assert refused.stderr.startswith("error: --date: "), refused.stderr
    assert "counter file" not in walk.stderr + offer.stderr + counter.stderr


def test_solve_rounds_with_every_negotiation_closed_says_what_was_fixed(
    run: Runner, tmp_path: Path
) -> None:
    """Both partners walked away: `solve --rounds` said "No deal is concluded: no package is
    acceptable to a partner and better for the United States than its walk-away value"
    (untrue: they walked away) and "Compute: as the solver left it" (no solver ran), and
    left out its own account of the rounds ("Walked away, no deal: ...")."""
    from dealbench.cli import output
    from dealbench.optimize.result import NO_SOLVER

    assert output._NO_SOLVER == NO_SOLVER
    portfolio = DATA / "qa4neg/portfolio.yaml"
    rounds = tmp_path / "rounds"
    for code in ("BB", "DD"):
        assert run("walk-away", portfolio, "--partner", code, "--rounds", rounds).exit_code == 0
    solved = run("solve", portfolio, "--rounds", rounds)
    assert solved.exit_code == 0, solved.output
    assert "No deal is concluded.\n" in solved.stdout
    assert "no package is acceptable" not in solved.stdout
    assert "as the solver left it" not in solved.stdout
    assert "Walked away, no deal: BB, DD. No negotiation is open: nothing was re-planned." in (
        " ".join(solved.stdout.split())
    )


def conclude_bb(run: Runner, portfolio: Path, rounds: Path) -> None:
    """BB offered every concession it has and concluded: the deal the others are held to."""
    offer = run(
        "offer", portfolio, "--partner", "BB", "--rounds", rounds, "--no-documents",
        "--package", DATA / "qa4neg/bb-all.yaml",
    )  # fmt: skip
    assert offer.exit_code == 0, offer.output
    concluded = run("conclude", portfolio, "--partner", "BB", "--rounds", rounds, "--no-documents")
    assert concluded.exit_code == 0, concluded.output


def test_a_rounds_documents_count_the_deals_concluded_with_the_others(
    run: Runner, tmp_path: Path
) -> None:
    """BB's deal is concluded (100,000 H100e under veu: the whole risk budget of 1,000).
    CC's counter takes 100 more: the verdict said "Limits broken (1): risk budget", while
    the internal term sheet written by the same command said "Gammaland should accept
    ..." and that the package sits inside every limit: a round's documents checked its
    package alone, the verdict with the concluded deals."""
    portfolio = DATA / "qa4neg/portfolio2.yaml"
    rounds, out = tmp_path / "rounds", tmp_path / "docs"
    conclude_bb(run, portfolio, rounds)
    counter = run(
        "counter", portfolio, "--partner", "CC", DATA / "qa4neg/cc-small.yaml",
        "--rounds", rounds, "--out", out,
    )  # fmt: skip
    assert counter.exit_code == 0, counter.output
    broken = (
        "risk budget: 1,100 risk-weighted H100e with the deal concluded with BB (1,000 of it), "
        "the budget is 1,000"
    )
    assert broken in " ".join(counter.stdout.split())
    sheet = (out / "term-sheets/CC-counter-001-internal.md").read_text()
    assert f"The package breaks 1 limit: {broken}" in sheet
    assert f"Limits broken:\n\n- {broken}" in sheet
    assert "should accept" not in sheet


def test_a_package_that_breaks_a_limit_is_not_said_to_sit_inside_every_limit(
    run: Runner, tmp_path: Path
) -> None:
    """Half BB's ask under baseline, over the risk budget, binds on nothing it keeps: its
    internal term sheet and deal memo said "None: the package sits inside every limit
    with room to spare." a few lines above "Limits broken: risk budget ..."."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    package = DATA / "qa4neg/bb-half.yaml"
    for doc, where in (("term-sheet", "listed below"), ("deal-memo", "listed under Risks")):
        done = run(
            "render", package, "--portfolio", portfolio, "--out", tmp_path / doc,
            "--audience", "internal", "--doc", doc, "--format", "md,html",
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        for path in (tmp_path / doc).rglob("*-internal.*"):
            text = path.read_text()
            assert "room to spare" not in text, path
            assert f"None among the limits it keeps; those it breaks are {where}." in text


def test_a_package_in_chips_names_whole_chips(run: Runner, tmp_path: Path) -> None:
    """`{chips: 1000.5, model: B200}` was read as 2,275.4 H100e; the term sheet's Annex A
    then showed "1,000 B200" beside 36,018,000 TPP, the TPP of 1,000.5 chips. A chip count
    is whole (as a granularity in chips already had to be): refused at its line."""
    package = tmp_path / "half-chip.yaml"
    package.write_text(
        "partner: BB\nsecurity: veu\ncompute: {2026: {chips: 1000.5, model: B200}}\n"
    )
    refused = run("evaluate", package, "--portfolio", DATA / "qa4neg/portfolio.yaml")
    assert refused.exit_code == 2, refused.output
    assert refused.stderr == (
        f"error: {package}:3: compute.2026: a number of chips is whole, got 1,000.5 B200 chips\n"
    )


def test_render_against_is_refused_where_it_would_be_ignored(run: Runner, tmp_path: Path) -> None:
    """`render PACKAGE --doc deal-memo --against OFFER` of a package that does not say
    `side: counter` wrote a memo recommending "Do not offer this package" that compared it
    with nothing, and `--against` on a term sheet was dropped as silently: refused, exit 2,
    nothing written."""
    portfolio = DATA / "qa4neg/portfolio.yaml"
    offer = DATA / "qa4neg/bb-all.yaml"
    plain = run(
        "render", DATA / "qa4neg/bb-half.yaml", "--portfolio", portfolio, "--doc", "deal-memo",
        "--against", offer, "--out", tmp_path / "memo",
    )  # fmt: skip
    assert plain.exit_code == 2, plain.output
    assert plain.stderr == (
        "error: --against: our last offer is compared with a partner's counter in its deal "
        "memo; this is not a partner's counter (a package file that says `side: counter`)\n"
    )
    counter = tmp_path / "counter.yaml"
    counter.write_text((DATA / "qa4neg/bb-half.yaml").read_text() + "side: counter\n")
    sheet = run(
        "render", counter, "--portfolio", portfolio, "--against", offer, "--out", tmp_path / "ts"
    )
    assert sheet.exit_code == 2 and "a term sheet states one package" in sheet.stderr
    assert not (tmp_path / "memo").exists() and not (tmp_path / "ts").exists()
    memo = run(
        "render", counter, "--portfolio", portfolio, "--doc", "deal-memo", "--against", offer,
        "--out", tmp_path / "ok",
    )  # fmt: skip
    assert memo.exit_code == 0, memo.output


def test_the_verdict_gives_the_frontier_gain_against_no_deal(run: Runner, tmp_path: Path) -> None:
    """BB's concluded deal leaves CC no risk budget, so no package gives CC its counter's
    300m: the frontier point is no deal, and the room showed a gain of -$90.0m (CC's US
    utility 90m against no deal's 0) while the verdict said only "no package gives the
    partner that utility"."""
    portfolio = DATA / "qa4neg/portfolio2.yaml"
    rounds = tmp_path / "rounds"
    conclude_bb(run, portfolio, rounds)
    counter = run(
        "counter", portfolio, "--partner", "CC", DATA / "qa4neg/cc-small.yaml",
        "--rounds", rounds, "--no-documents",
    )  # fmt: skip
    assert counter.exit_code == 0, counter.output
    assert (
        "Frontier: no package gives the partner that utility; no deal gives the US $0, $90.0m "
        "less than the counter" in " ".join(counter.stdout.split())
    )
    (row,) = [r for r in room(load_portfolio(portfolio), rounds).rows if r.partner == "CC"]
    assert row.frontier_gain == pytest.approx(-90e6)
