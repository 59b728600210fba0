"""Faults a fourth analysis pass found on inputs no one here wrote (qa4-an).

`tests/data/qa4an/` is a new analyst's data: a year of quarters, eight partners of
every tier, piecewise and uncertain values, range concessions, a deal-by-deal cap,
supply that binds in one quarter only and a binding risk budget.
"""

from __future__ import annotations

from dealbench import load_portfolio, solve
from dealbench.optimize.explain.no_deal import why_no_deal
from helpers import DATA

ATLANTIC = DATA / "qa4an/portfolios/atlantic.yaml"


def _reasons(pf):  # type: ignore[no-untyped-def]
    return {r.partner: r for r in why_no_deal(pf, solve(pf))}


def test_a_tier_3_partner_is_said_to_receive_no_compute_once() -> None:
    """`solve` said "IR is tier 3 and receives no compute under any deal; IR is tier 3 and
    receives no compute under any deal; ...": the explanation of the required deal opens
    with it, and the no-deal reason put it in front again."""
    reasons = _reasons(load_portfolio(ATLANTIC))
    message = reasons["IR"].message
    assert message.count("receives no compute") == 1, message
    assert message.startswith(
        "no package IR accepts fits the limits: IR is tier 3 and receives no compute"
    )


def test_what_each_limit_costs_lists_every_shared_limit_that_binds() -> None:
    """The principals memo said "The risk budget is used up (13,000 risk-weighted H100e)"
    under "Limits that bind" and left it out of "What each limit costs" (12,996 used:
    `limit_costs.binding` asked for the budget to within 0.5, not `used_up.used_up`'s
    less than a step); under tiered its table said "No limit binds." beside it."""
    from dealbench.analyze.limit_costs import binding

    pf = load_portfolio(ATLANTIC)
    result = solve(pf)
    said = {(b.kind, b.period) for b in result.binding if b.kind in ("supply", "risk-budget")}
    assert ("risk-budget", None) in said
    costed = {(lim["kind"], lim.get("period")) for lim in binding(pf, result)}
    assert said <= costed, (said, costed)
    # Used up with 4 risk-weighted H100e left (less than a step of 500 H100e takes, more
    # than 0.5): the budget still binds. (The optimum in steps of 50 H100e leaves 0.125.)
    roomier = pf.model_copy(update={"risk_budget": result.risk_total + 4.0})
    assert ("risk-budget", None) in {
        (lim["kind"], lim.get("period")) for lim in binding(roomier, result)
    }


def test_a_deal_by_deal_cap_is_the_cap_an_explanation_raises() -> None:
    """TR's own cap (`caps: {TR: {veu: 30_000, kyc: 10_000}}`) holds it below what it
    accepts; raising it to 32,250 a quarter opens a deal. The explanation's slack model
    kept the portfolio's caps as fixed bounds, so `solve` said to raise the risk budget
    from 13,000 to 35,100 and the tier 2 cap under baseline from 5,000 to 60,000."""
    reason = _reasons(load_portfolio(ATLANTIC))["TR"]
    assert "TR's own cap under veu from 30,000 to " in reason.message, reason.message
    assert [(r.kind, r.partner, r.level) for r in reason.relax] == [("cap", "TR", "veu")]
    assert "risk budget" not in reason.message and "baseline" not in reason.message


def test_a_cap_is_raised_by_the_least_amount_in_the_periods_that_need_it() -> None:
    """TR needs 9,000 H100e more than its own cap gives over the year; the explanation said
    to raise the cap "per period (in 2027Q2, 2027Q4)", 2027Q2's share being 0.06 H100e
    of solver noise. Then "to 39,000 (in 2027Q4)": the whole 9,000 in one quarter, where
    a cap is one amount for every quarter and 32,250 in each gives TR its deal
    (qa6-journey: a cap is raised once, by its least amount)."""
    reason = _reasons(load_portfolio(ATLANTIC))["TR"]
    assert reason.message.endswith(
        "raise TR's own cap under veu from 30,000 to 32,250 H100e per period (in 2027Q1–2027Q4)"
    ), reason.message


def test_a_full_quarter_is_no_reason_for_a_partner_that_asks_nothing_in_it() -> None:
    """Compare's table said NG, which asks only in 2027Q3 and 2027Q4, has no deal because
    "supply goes to others" (2027Q1's supply is full; `solve`: "the risk budget goes to
    deals worth more"), and EG, held back by both, by supply alone."""
    from dealbench.analyze.limits import decided_by

    pf = load_portfolio(ATLANTIC)
    result = solve(pf)
    # 2027Q1 is used up (less left than a step of 500 H100e takes), no other quarter is
    assert [t for t in pf.periods if pf.supply[t] - result.supply_used[t] < 500] == ["2027Q1"]
    assert decided_by(pf, result, "NG") == "risk budget goes to others"
    assert decided_by(pf, result, "EG") == "supply and risk budget go to others"
    reasons = _reasons(pf)
    assert "the supply it needs in 2027Q1 and the risk budget" in reasons["EG"].message
    assert "the risk budget goes to" in reasons["NG"].message


def test_a_thin_margin_the_table_shows_is_not_nothing() -> None:
    """MX's margin over its walk-away value plus the margin is under a step's value ($1.0m
    in steps of 500 H100e at $12,000 an H100e; $0.4m in the steps of 50 H100e the optimum
    now takes): the deal memo's table said "+$1.0m" and its risks "clears ... by
    nothing"."""
    from dealbench.render.deal_memo import risks
    from dealbench.render.filters import money

    pf = load_portfolio(ATLANTIC)
    deal = solve(pf).deal("MX")
    assert deal is not None and 0 < deal.partner_margin <= 1e6
    lines = risks(pf, deal, pf.risk_budget)
    shown = f"required margin by only {money(deal.partner_margin)};"
    assert any(shown in line for line in lines), (shown, lines)
    assert not any("by nothing" in line for line in lines)


def test_a_sweep_of_a_piecewise_value_as_one_amount_is_in_usd() -> None:
    """`sweep --param partners.MX.value_per_h100e --from 20k --to 30k` replaces MX's
    segments by one value per H100e, an amount of USD, but printed its values as "20,000"
    and wrote no unit to sweep.json: the unit was read from the file's list."""
    from dealbench import sweep_param

    pf = load_portfolio(ATLANTIC)
    sweep, _ = sweep_param(pf, "partners.MX.value_per_h100e", "20k", "30k", 2, refine=0)
    assert sweep.unit == "USD"
    assert [row.value for row in sweep.rows] == [20_000.0, 30_000.0]


def test_a_segment_is_set_by_the_name_the_notes_give_it() -> None:
    """`solve` notes "MX value_per_h100e[0].value is uncertain" and `risk` lists
    "value_per_h100e[0].value", but `--set partners.MX.value_per_h100e[0].value=30k` was
    refused: "partners.MX has no field 'value_per_h100e[0]'"."""
    from dealbench.model.overrides import apply_overrides

    pf = load_portfolio(ATLANTIC)
    by_note = apply_overrides(pf, {"partners.MX.value_per_h100e[0].value": "30k"})
    by_dots = apply_overrides(pf, {"partners.MX.value_per_h100e.0.value": "30k"})
    mx, mx_dots = by_note.partner("MX"), by_dots.partner("MX")
    assert mx is not None and mx_dots is not None
    assert mx.value_per_h100e == mx_dots.value_per_h100e
    assert mx.value_per_h100e[0].value == 30_000  # type: ignore[index,union-attr]


def test_of_two_remedies_of_as_many_limits_the_smaller_is_given() -> None:
    """Without a risk budget TR needs two limits raised either way; the explanation raised
    the budget from 0 to 35,100 and the tier 2 cap under baseline from 5,000 to 55,000,
    where raising the budget to 8,385 and TR's own cap under veu does it."""
    from dealbench.model.overrides import apply_overrides

    pf = apply_overrides(load_portfolio(ATLANTIC), {"portfolio.risk_budget": 0})
    reason = _reasons(pf)["TR"]
    assert {(r.kind, r.level) for r in reason.relax} == {("risk-budget", None), ("cap", "veu")}
    assert "raise the risk budget from 0 to 8,385 risk-weighted H100e" in reason.message


def test_compare_and_sweep_say_which_figures_count_at_their_means(run) -> None:  # type: ignore[no-untyped-def]
    """DESIGN: deterministic commands use the mean of a distribution "and say so". `solve`
    and `evaluate` noted it on stderr; `compare` and `sweep` said nothing. A figure an
    override or the sweep itself sets is not noted."""
    note = "note: EG batna is uncertain (uniform 200m to 1bn); deterministic results use its mean"
    compared = run("compare", ATLANTIC, "--regimes", "bilateral", "-j", "1")
    assert compared.exit_code == 0, compared.output
    assert note in compared.stderr
    assert "TR diversion_risk is uncertain" in compared.stderr
    swept = run(
        "sweep", ATLANTIC, "--param", "partners.EG.batna", "--from", "0", "--to", "1bn",
        "--steps", "2", "--refine", "0", "-j", "1",
    )  # fmt: skip
    assert swept.exit_code == 0, swept.output
    assert "EG batna" not in swept.stderr
    assert "TR diversion_risk is uncertain" in swept.stderr


def test_a_robust_solve_reaches_a_share_a_package_in_steps_can_reach() -> None:
    """EG's BATNA uniform 0 to 400m: 80% acceptance needs its package to clear 345m. Each
    round raised the BATNA the solver saw by what the samples lacked, measured from a
    package that overshot that BATNA (steps of 500 H100e are $10m to EG), so the solver
    returned the same package while the BATNA crept up $0.4m a round: "Robust to 80% (not
    reached after 12 rounds)", EG at 79.9%."""
    from dealbench.analyze.robust import robust_solve
    from dealbench.model.overrides import apply_overrides

    pf = apply_overrides(
        load_portfolio(ATLANTIC),
        {
            "partners.EG.batna": {"dist": "uniform", "low": 0, "high": "400m"},
            "portfolio.risk_budget": 20_000,
        },
    )
    robust = robust_solve(pf, 0.8, samples=2_000, seed=1).robustness
    assert robust.reached, [(p.partner, p.robust) for p in robust.partners]
    assert robust.rounds < 12


def test_the_options_memo_says_which_figures_count_at_their_means(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The principals memos list the figures given as distributions under their risks;
    the options memo, whose recommendation rests on the same means, said nothing of them."""
    done = run(
        "compare", ATLANTIC, "--regimes", "bilateral", "-j", "1", "--out", tmp_path,
        "--render", "md,html", "--date", "2027-01-15",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    for suffix in ("md", "html"):
        memo = (tmp_path / f"memos/options-atlantic-2027.{suffix}").read_text()
        assert "Uncertain figures count at their means under every option: EG" in memo
        assert "Only one option was solved" in memo


def test_diff_says_when_one_result_was_made_robust() -> None:
    """`diff` of a plain solve and a `solve --robust` of the same files gave V falling by
    $797m and every deal changed with no note: the result records `robust`, and the notes
    named regimes, modes and overrides, not that."""
    from dealbench.analyze.diff import diff_results
    from dealbench.analyze.robust import robust_solve

    pf = load_portfolio(ATLANTIC)
    plain, robust = solve(pf), robust_solve(pf, 0.9, samples=500, seed=3).result
    assert diff_results(plain, robust).notes == [
        "packages at the means -> robust to 90% of 500 samples (seed 3)"
    ]
    assert diff_results(plain, plain).notes == []


def test_a_deal_a_stopped_solve_did_not_find_is_not_said_to_be_worth_nothing() -> None:
    """`compare --time-limit 0.001` stopped every solve before any deal was found, and the
    partner table said of DE, worth $7.49bn to the US, "not worth it to the US"."""
    from dealbench.analyze.limits import decided_by
    from dealbench.optimize import Status

    pf = load_portfolio(ATLANTIC)
    stopped = solve(pf).model_copy(
        update={"status": Status.TIME_LIMIT, "deals": [], "no_deal": [p.code for p in pf.partners]}
    )
    assert decided_by(pf, stopped, "DE") == "none found in the time limit"
    assert decided_by(pf, stopped, "IR") == "tier 3: embargo"  # a fact, whatever the solve


def test_solve_says_a_stopped_solve_did_not_find_a_deal() -> None:
    """`solve --time-limit 0.001` found no deal, and explained each missing one as "within
    the portfolio the deals it would displace are worth more": there were no deals."""
    from dealbench.optimize import Status

    pf = load_portfolio(ATLANTIC)
    stopped = solve(pf).model_copy(
        update={"status": Status.TIME_LIMIT, "deals": [], "no_deal": [p.code for p in pf.partners]}
    )
    reasons = {r.partner: r for r in why_no_deal(pf, stopped)}
    assert reasons["DE"].reason == "time-limit"
    assert "the time limit stopped the solve before it found a package" in reasons["DE"].message
    assert reasons["BR"].reason == "not-worth-it"  # alone, whatever the solve


def test_what_prevents_a_deal_names_a_partners_own_cap() -> None:
    """A portfolio memo of a regime without deals said "TR: the tier 2 cap (75,000 H100e a
    period under veu) prevents a deal", beside a partner utility worked out at TR's own cap
    of 30,000 a quarter, the cap that applies."""
    from dealbench.render.portfolio_memo import no_deal_rows
    from dealbench.render.sources import source_from_result

    pf = load_portfolio(ATLANTIC)
    result = solve(pf)
    assert "TR" in result.no_deal
    # The memo says solve's reason, as the result carries it (nodeal-one).
    source = source_from_result(pf, result.explained(why_no_deal(pf, result)))
    reason = next(row["reason"] for row in no_deal_rows(source) if row["code"] == "TR")
    assert "raise TR's own cap under veu from 30,000 to 32,250 H100e per period" in reason


def test_a_memo_of_a_stopped_solve_recommends_nothing_yet() -> None:
    """`compare --time-limit 0.001 --render md` wrote a principals memo whose recommendation
    was "Conclude no deal: under this regime no package is both acceptable to a partner and
    better for the United States than its walk-away value", and each partner "no package
    Germany would accept leaves the United States better off" (DE is worth $7.49bn): the
    solve had stopped before finding any. With deals found, "Conclude 3 deals" said nothing
    of the stop either, where the options memo recommends no option."""
    from dealbench.optimize import Status
    from dealbench.render.portfolio_memo import no_deal_rows, recommendation
    from dealbench.render.sources import source_from_result

    pf = load_portfolio(ATLANTIC)
    result = solve(pf)
    empty = result.model_copy(
        update={"status": Status.TIME_LIMIT, "deals": [], "no_deal": [p.code for p in pf.partners]}
    )
    source = source_from_result(pf, empty.explained(why_no_deal(pf, empty)))  # as `solve`
    assert recommendation(source).startswith("Conclude nothing yet: the solve stopped")
    reasons = {row["code"]: row["reason"] for row in no_deal_rows(source)}
    assert reasons["DE"].startswith("DE: alone, a deal with DE would add $7.56bn")
    assert "the time limit stopped the solve before it found a package" in reasons["DE"]
    found = source_from_result(pf, result.model_copy(update={"status": Status.TIME_LIMIT}))
    assert "not proven the best there are" in recommendation(found)
    assert "stopped" not in recommendation(source_from_result(pf, result))


def test_an_amount_between_levels_draws_its_cost_from_theirs() -> None:
    """DE's package grants invest-us=120bn, between the levels 50bn (cost 1.5bn) and 150bn.
    With the 150bn level's cost uniform 3bn to 6bn, DE accepts when 0.45bn + 0.7 x that
    cost <= 3.6025bn, half the time (0.501); `risk` said 100.0%: the amount's cost, a line
    between the levels' means, was drawn as a plain number."""
    from dealbench import Package, risk_report
    from dealbench.model.overrides import apply_overrides

    pf = apply_overrides(
        load_portfolio(ATLANTIC),
        {
            "partners.DE.concessions.invest-us.levels.150bn.partner_cost": {
                "dist": "uniform",
                "low": "3bn",
                "high": "6bn",
            }
        },
    )
    deal = solve(load_portfolio(ATLANTIC)).deal("DE")
    assert deal is not None and deal.concessions == {"invest-us": "120bn"}
    package = Package(partner="DE", security=deal.security, compute=deal.compute,
                      concessions=deal.concessions)  # fmt: skip
    p = risk_report(pf, package, samples=40_000, seed=4).accept_probability
    assert abs(p.estimate - (4.5036 - 3) / 3) < 4 * p.standard_error + 1e-3, p


def test_a_partner_asking_nothing_in_the_horizon_is_said_so() -> None:
    """NG asking only in 2028 (beyond a 2027 portfolio): `solve` said it asks for no
    compute in the portfolio's periods, `compare` said "caps allow nothing" and a memo of a
    regime without deals "the tier 2 cap (75,000 H100e a period under veu) prevents a
    deal"."""
    from dealbench.analyze.limits import decided_by
    from dealbench.model.overrides import apply_overrides
    from dealbench.render.no_deal import no_deal_reason

    pf = apply_overrides(load_portfolio(ATLANTIC), {"partners.NG.ask": {}})
    result = solve(pf)
    assert result.deal("NG") is None
    assert decided_by(pf, result, "NG") == "asks nothing in these periods"
    # A result that records no reason (nodeal-one): the memo still says what the files settle.
    assert no_deal_reason(pf, "NG", None, explained=False) == (
        "NG: Nigeria asks for no compute in this portfolio's periods "
        "(2027Q1, 2027Q2, 2027Q3, 2027Q4)."
    )


def test_a_supply_raise_over_many_quarters_is_said_by_its_amounts_not_quarter_by_quarter() -> None:
    """A partner kept out by supply in every quarter of eight was told "raising supply by
    17,000 H100e in 2026Q1, 18,000 H100e in 2026Q2, 18,000 H100e in 2026Q3, …": one
    amount per quarter, eight times. The periods of one amount are now said together, and
    amounts that differ in most quarters by their range and total; the relaxations keep
    each quarter's amount."""
    from dealbench.synth import Size, generate

    pf = generate(Size("Q", 8, 3, 2, 8), 5)
    reasons = {r.partner: r for r in why_no_deal(pf, solve(pf))}
    af, aa = reasons["AF"], reasons["AA"]
    assert "the supply it needs in 2026Q1–2027Q4 and the risk budget" in af.message
    assert "by 17,000 H100e in 2026Q1 and 18,000 H100e in each of 2026Q2–2027Q4" in af.message
    supply = [r for r in aa.relax if r.kind == "supply"]
    low, high = min(r.amount or 0 for r in supply), max(r.amount or 0 for r in supply)
    assert (
        len(supply) == 8 and f"between {low:,.0f} and {high:,.0f} H100e in each of " in aa.message
    )
    assert f"({sum(r.amount or 0 for r in supply):,.0f} H100e in all)" in aa.message
