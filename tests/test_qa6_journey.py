"""Seams between commands (qa6-journey): the same numbers must agree wherever they appear.

A new analyst's portfolio (tests/data/qa6j/three.yaml: three deals in quarters, supply
and the risk budget binding) worked through solve, offer, frontier and the rest. Each
test says what the user saw and why it was wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dealbench import (
    check,
    conclude,
    frontier,
    history,
    load_package,
    load_portfolio,
    load_result,
    record_offer,
    solve,
    walk_away,
)
from dealbench.model.overrides import apply_overrides
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.frontier import Frontier, FrontierPoint
from dealbench.optimize.plain import solve_plain
from helpers import DATA, Runner

THREE = DATA / "qa6j/three.yaml"

#: NR concluded, BV's big package over the risk budget beside it (the deal's part said).
BESIDE_NR = (
    "risk budget: 21,758 risk-weighted H100e with the deal concluded with NR (11,518 of it), "
    "the budget is 21,000"
)


@pytest.mark.parametrize("how", [{"mode": "us-best"}, {"strategy": "boulware"}])
def test_the_first_offer_is_no_worse_than_the_plans_own_package(
    tmp_path: Path, how: dict[str, str]
) -> None:
    """`solve` gives NR 575,900 H100e (125,900 in 2027Q1) worth $20.94bn to the US, and the
    deal room says "open with the package best for the United States"; `offer --mode us-best` (and Boulware's
    first offer, whose target is the ideal) offered 575,000 H100e worth $20.93bn, less for
    both sides, and called it the ideal. The ideal came from a one-partner solve of what
    the plan leaves, rounded to the declared 1,000 H100e within one step's value, where
    the plan itself had kept 100-steps to keep more."""
    pf = load_portfolio(THREE)
    planned = solve(pf).deal("NR")
    assert planned is not None
    offer = record_offer(pf, tmp_path, "NR", **how)  # type: ignore[arg-type]
    assert offer.proposal is not None
    figures, strategy = offer.proposal.figures, offer.proposal.strategy
    assert strategy.ideal_us_utility >= planned.us_value - 1.0
    assert figures.us_value >= planned.us_value - 1.0
    assert figures.partner_utility >= planned.partner_utility - 1.0


def _gains(f: Frontier, p: FrontierPoint) -> tuple[float, float]:
    return p.us_utility - f.no_deal.us_utility, p.partner_utility - f.no_deal.partner_utility


@pytest.mark.parametrize("points", ["all", 9])
def test_the_held_nash_and_kalai_points_are_no_worse_than_a_point_of_the_frontier(
    points: int | str,
) -> None:
    """`frontier three.yaml --partner NR --points all` listed point 5 at V $19.42bn, U
    $11.20bn (575,920 H100e) and then "Nash: V 19.41bn, U 11.18bn, 575,000 H100e" (Kalai
    the same): a bargaining point that a point of the same table beats on both sides,
    under "Nash bound: product of gains >= 1.000000 x the best". The held Nash and Kalai
    points come from a solve of the partner alone, which rounds compute to the declared
    1,000 H100e within one step's value; the frontier's own points are exact."""
    pf = load_portfolio(THREE)
    f = frontier(pf, "NR", points=points)  # type: ignore[arg-type]
    assert f.nash is not None and f.kalai is not None
    ideal_us = _gains(f, f.us_best)[0]
    ideal_partner = max(_gains(f, p)[1] for p in [f.partner_best, *f.points])
    for p in f.points:
        for marker in (f.nash, f.kalai):
            dominated = (
                p.us_utility > marker.us_utility + 1e6
                and p.partner_utility > marker.partner_utility + 1e6
            )
            assert not dominated, (p.us_utility, p.partner_utility, marker.label)
        us, partner = _gains(f, p)
        nash_us, nash_partner = _gains(f, f.nash)
        assert us * partner <= nash_us * nash_partner * (1 + 1e-9)
        kalai_us, kalai_partner = _gains(f, f.kalai)
        tau = min(kalai_us / ideal_us, kalai_partner / ideal_partner)
        assert min(us / ideal_us, partner / ideal_partner) <= tau + 1e-9


SEVEN = DATA / "qa6j/seven.yaml"


def test_a_floor_no_whole_package_set_reaches_is_infeasible_not_a_time_limit(run: Runner) -> None:
    """With supply in 2027Q1 at 318,583 H100e and a risk budget of 28,083, the most US
    utility is $29.01bn; `solve --mode partner-best --v-floor 30bn` said "error: the solver
    stopped at its time limit before finding any package" (exit 4) after a second and a
    half, with no time limit given. The decomposition's relaxation reached the floor (a
    mix of packages), its search found no whole set and ended; that was reported as the
    clock running out. It is infeasible, and explained (exit 3)."""
    raised = ("--set", "portfolio.supply.2027Q1=318_583", "--set", "portfolio.risk_budget=28_083")
    out = run("solve", SEVEN, *raised, "--mode", "partner-best", "--v-floor", "30bn")
    assert out.exit_code == 3, out.output
    assert "time limit" not in out.output
    assert "the most US utility any set of packages within the limits gives is $29.01bn" in (
        " ".join(out.stderr.split())
    )


def test_the_raises_an_infeasible_floor_names_are_enough(run: Runner) -> None:
    """`solve --mode partner-best --v-floor 30bn` said "raise supply in 2027Q1 from
    220,000 to 318,583 H100e and raise the risk budget from 21,000 to 28,083": with
    exactly those (`--set`), the most US utility is $29.01bn, short of the floor. The
    packages found need 318,583.3: the new limit was rounded to the nearest unit, not
    up, and a third of an H100e below it costs NR a concession."""
    out = run("solve", SEVEN, "--mode", "partner-best", "--v-floor", "30bn")
    assert out.exit_code == 3, out.output
    said = " ".join(out.stderr.split()).split(" - relax:")[0]
    supply = re.search(r"supply in 2027Q1 from 220,000 to ([\d,]+) H100e", said)
    budget = re.search(r"risk budget from 21,000 to ([\d,]+) risk-weighted", said)
    assert supply is not None and budget is not None, said
    raised = [
        f"portfolio.supply.2027Q1={supply.group(1).replace(',', '_')}",
        f"portfolio.risk_budget={budget.group(1).replace(',', '_')}",
    ]
    pf = apply_overrides(load_portfolio(SEVEN), dict(r.split("=") for r in raised))
    result = solve(pf)
    assert result.us_value is not None and result.us_value >= 30e9, result.us_value


def test_solve_does_not_say_no_schedule_in_the_declared_step_exists_when_one_does() -> None:
    """`solve three.yaml` printed "Compute is in steps of 100 H100e, not the declared
    steps of 1,000 H100e: with the deals' terms as chosen, no schedule in those keeps
    every partner accepting within the shared limits". One does: the best portfolio in
    whole steps of 1,000 (DESIGN's model with compute in steps, `solve_plain(step=...)`)
    has the same deals, levels and concessions, and `check` passes it; it is $10.4m below
    V before rounding, where the rounding looks only within one step's value ($8.4m).
    The note now says what was sought, with the amount."""
    pf = load_portfolio(THREE)
    result = solve(pf)
    steps = solve_plain(pf, step=1_000, on_grid=False)
    terms = {(d.partner, d.security, tuple(d.concessions.items())) for d in result.deals}
    assert {(d.partner, d.security, tuple(d.concessions.items())) for d in steps.deals} == terms
    assert check(pf, [d.package() for d in steps.deals]).ok
    assert all(x % 1_000 == 0 for d in steps.deals for x in d.compute.values())
    said = result.message
    assert "steps of 100 H100e, not the declared steps of 1,000" in said
    assert "no schedule in those keeps every partner accepting" not in said
    within = re.search(r"V within \$([\d.]+)m \(one step's value\) of V before rounding", said)
    assert within is not None, said
    before = result.solver.details["unrounded_objective"]
    assert steps.objective is not None
    assert before - steps.objective > float(within.group(1)) * 1e6


def test_diff_says_a_result_is_re_planned_from_rounds(tmp_path: Path, run: Runner) -> None:
    """`diff` of a plain solve's result.json and `solve --rounds`'s (NR concluded, FS
    walked away) said "Note: the inputs differ (another version of a file)": no file had
    changed; the second result is a re-plan from the rounds, whose files its fingerprint
    covers, and nothing in a result said so. A result now records what its rounds fixed
    and excluded (`rounds` in result.json), and `diff` names it."""
    pf = load_portfolio(THREE)
    record_offer(pf, tmp_path, "NR", mode="us-best")
    conclude(pf, tmp_path, "NR")
    walk_away(pf, tmp_path, "FS")
    out = run("solve", THREE, "--rounds", tmp_path, "--out", tmp_path / "replanned")
    assert out.exit_code == 0, out.output
    assert run("solve", THREE, "--out", tmp_path / "plain").exit_code == 0
    said = run("diff", tmp_path / "plain/result.json", tmp_path / "replanned/result.json")
    assert said.exit_code == 0, said.output
    assert "another version of a file" not in said.stdout
    assert (
        "Note: rounds none (a plain solve) -> NR concluded (round 2), the United States walked away from FS"
        in (" ".join(said.stdout.split()))
    )
    saved = load_result(tmp_path / "replanned/result.json")
    assert saved.rounds is not None and saved.rounds.walked_away == ["FS"]
    # ... and `evaluate --against` that result names it so, not "the us-best solve"
    bv = tmp_path / "replanned/packages/BV.yaml"
    said = run(
        "evaluate", bv, "--portfolio", THREE, "--against", tmp_path / "replanned/result.json"
    )
    assert said.exit_code == 0, said.output
    assert "the us-best solve re-planned from the rounds (result.json)" in " ".join(
        said.stdout.split()
    )


def test_a_package_solved_under_overrides_says_so(tmp_path: Path, run: Runner) -> None:
    """`solve --set partners.BV.batna=5bn --out DIR` wrote packages/BV.yaml, and
    `evaluate DIR/packages/BV.yaml` said "Partner accepts: no" (BV's utility $5.25bn
    against the file's walk-away value of $6bn plus margin): the solve's own package,
    refused, and nothing in the file said it was solved under an override. Its header
    now names them, and `evaluate` with the same accepts it."""
    sets = ("--set", "partners.BV.batna=5bn")
    assert run("solve", THREE, *sets, "--out", tmp_path).exit_code == 0
    package = tmp_path / "packages/BV.yaml"
    header = " ".join(line for line in package.read_text().splitlines() if line.startswith("#"))
    assert "--set partners.BV.batna=5bn" in header
    assert run("evaluate", package, "--portfolio", THREE, *sets).exit_code == 0
    assert run("evaluate", package, "--portfolio", THREE).exit_code == 3  # why it says so


def nr_concluded_and_a_big_bv(pf: Portfolio, rounds: Path) -> Path:
    """NR's us-best offer concluded in `rounds` (11,518 risk-weighted H100e), and a BV
    package of 80,000 H100e a quarter under veu that keeps every limit alone but breaks
    the risk budget beside NR's deal (21,758 of 21,000)."""
    record_offer(pf, rounds, "NR", mode="us-best")
    conclude(pf, rounds, "NR")
    big = rounds / "bv.yaml"
    big.write_text(
        "partner: BV\nsecurity: veu\nconcessions: {purchases: 10bn}\ncompute: "
        "{2027Q1: 80_000, 2027Q2: 80_000, 2027Q3: 80_000, 2027Q4: 80_000}\n"
    )
    return big


def test_an_offer_that_breaks_a_limit_beside_the_concluded_deals_says_so(
    tmp_path: Path, run: Runner
) -> None:
    """With NR's deal concluded (11,518 risk-weighted H100e), `offer --partner BV
    --package` of 80,000 H100e a quarter under veu (10,240 more: 21,758 of a budget of
    21,000) printed "Violations: none" and recorded it; `history` then marked the same
    round "no: risk budget ...", and `conclude` refuses it. The offer checked the
    package alone; it now counts supply and risk budget beside the concluded deals, as
    `history` and the verdict do."""
    pf = load_portfolio(THREE)
    big = nr_concluded_and_a_big_bv(pf, tmp_path)
    alone = check(pf, [load_package(big, pf)])
    assert alone.ok  # alone it keeps every limit
    out = run("offer", THREE, "--partner", "BV", "--package", big, "--rounds", tmp_path,
              "--no-documents")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Violations: none" not in out.stdout
    assert BESIDE_NR in " ".join(out.stdout.split())
    (row,) = [r for r in history(pf, tmp_path, "BV").rounds if r.round == 1]
    # Concluded the same day as the offer: not known to come first (the rounds record the
    # day only), so history counts it among the deals concluded since (session 44).
    assert [v.message for v in row.breaks_now] == [BESIDE_NR]
    assert row.concluded_since == ["NR"]


def test_render_of_a_re_plan_from_rounds_does_not_say_a_file_was_edited(
    tmp_path: Path, run: Runner
) -> None:
    """`solve --rounds DIR --out OUT` then `render OUT/result.json` warned "result.json
    was solved from other inputs than three.yaml as it is now (a data file edited since,
    or --set overrides it does not name ...)": nothing had been edited. The re-plan's
    fingerprint covers the round files too, and `render` compared it with the data
    files' own. The result records the data files' digest beside it (`rounds.inputs`);
    an edited file is still said."""
    pf = load_portfolio(THREE)
    rounds = tmp_path / "rounds"
    record_offer(pf, rounds, "NR", mode="us-best")
    conclude(pf, rounds, "NR")
    folder = tmp_path / "deals"
    folder.mkdir()
    for name in ("three.yaml", "policy.yaml", "nr.yaml", "bv.yaml", "fs.yaml"):
        (folder / name).write_bytes((THREE.parent / name).read_bytes())
    out = tmp_path / "out"
    solved = run("solve", folder / "three.yaml", "--rounds", rounds, "--out", out)
    assert solved.exit_code == 0, solved.output
    args = ("render", out / "result.json", "--partner", "BV", "--format", "md")
    rendered = run(*args, "--out", tmp_path / "docs")
    assert rendered.exit_code == 0, rendered.output
    assert rendered.stderr == ""
    policy = folder / "policy.yaml"
    policy.write_text(policy.read_text().replace("risk_budget: 40_000", "risk_budget: 40_001"))
    edited = run(*args, "--out", tmp_path / "again")
    assert "was solved from other inputs" in edited.stderr


def test_a_cap_to_raise_is_named_at_its_least_amount(run: Runner) -> None:
    """`solve seven.yaml --set partners.DL.batna=8bn --require-deal DL` said "raise DL's
    own cap under veu from 60,000 to 100,000 H100e per period (in 2027Q1, 2027Q4)": DL
    needs 308,333 H100e over the year, and 77,084 a quarter gives it (a cap is one amount
    for every quarter). The explanation raised the cap by a slack per period, whose sum it
    kept least, so the raise piled up in two quarters."""
    sets = ("--set", "partners.DL.batna=8bn", "--require-deal", "DL")
    out = run("solve", SEVEN, *sets)
    assert out.exit_code == 3, out.output
    said = " ".join(out.stderr.split())
    found = re.search(r"raise DL's own cap under veu from 60,000 to ([\d,]+) H100e", said)
    assert found is not None, said
    cap = int(found.group(1).replace(",", ""))
    raised = run("solve", SEVEN, *sets, "--set", f"portfolio.caps.DL.veu={cap}")
    assert raised.exit_code == 0, raised.output
    below = run("solve", SEVEN, *sets, "--set", f"portfolio.caps.DL.veu={cap - 1}")
    assert below.exit_code == 3, below.output  # the least raise


def test_evaluate_with_rounds_counts_the_concluded_deals(tmp_path: Path, run: Runner) -> None:
    """`evaluate BV.yaml --portfolio three.yaml --rounds DIR`, NR's deal concluded in DIR,
    said "Violations: none" (exit 0) for 80,000 H100e a quarter under veu, which breaks
    the risk budget beside NR's deal (21,758 of 21,000), as `history` says of the same
    package recorded: without --against, --rounds was read for nothing. Given, it now
    counts supply and risk budget beside the concluded deals; without it, the package
    is checked alone, as before."""
    pf = load_portfolio(THREE)
    big = nr_concluded_and_a_big_bv(pf, tmp_path)
    beside = run("evaluate", big, "--portfolio", THREE, "--rounds", tmp_path)
    assert beside.exit_code == 3, beside.output
    assert BESIDE_NR in " ".join(beside.stdout.split())
    alone = run("evaluate", big, "--portfolio", THREE)
    assert alone.exit_code == 0, alone.output
    assert "Violations: none" in alone.stdout
