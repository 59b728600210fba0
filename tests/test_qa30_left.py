"""What qa30-analyst's pass left, as a user meets it (qa30-left).

Items (2) to (6) of the "Left:" list of "(qa30-analyst)" in docs/decisions.md, each met
first on the analyst's hand portfolio, tests/data/qa30analyst/cove.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import DATA, invoke

COVE = DATA / "qa30analyst"


def test_a_scenario_lists_no_compute_move_that_is_the_base_solves_tolerance() -> None:
    """Cove's base solve gives AA 200,499 and BB 77,501 H100e (the schedule's shape traded
    $472 of $9.42bn, within the gap, for an evener BB), where the exact vertex has 200,500
    and 77,500. "Risk costs twice as much" keeps every deal's terms and the vertex: its row
    said "AA: compute 200,499 -> 200,500 H100e; BB: compute 77,501 -> 77,500 H100e", a
    change that is the solver's tolerance. It says no change now; the 2026 supply scenario
    still lists AA's real move (to 188,500) and not BB's one unit."""
    run = invoke(["sweep", COVE / "cove.yaml", COVE / "scenarios.yaml", "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    rows = {r["id"]: r for r in json.loads(run.stdout)["rows"]}
    assert rows["risk-dear"]["changes"] == []
    assert rows["supply-2026-up"]["changes"] == [
        # CC's compute move beside its new term (qa31-analyst: a deal whose terms changed).
        "CC: grants buy, compute 72,000 -> 104,000 H100e",
        "AA: compute 200,499 -> 188,500 H100e",
    ]
    assert any(c.startswith("CC: compute 72,000 -> 80,000") for c in rows["cc-batna-up"]["changes"])


def test_a_risk_budget_no_share_can_break_names_no_diversion_risk_above_one() -> None:
    """CC's offer (veu, 60,000 H100e a year) against cove's risk budget of 20,000: it would
    take a diversion risk of 20,000 / (0.1 x 120,000) = 1.667 to break it alone. `risk`
    said "it would take a diversion risk above 1.667", a share no partner can have; it
    says the budget holds whatever the diversion risk, with all the package's unmitigated
    compute diverted carrying 12,000 risk-weighted H100e."""
    run = invoke(
        ["risk", COVE / "cc-offer.yaml", "--portfolio", COVE / "cove.yaml", "--samples", "500"]
    )
    assert run.exit_code == 0, run.output
    text = " ".join(run.stdout.split())
    assert "1.667" not in text
    assert (
        "Risk budget (20,000 risk-weighted H100e): the package alone stays within it in every "
        "sample, whatever "
        "CC's diversion risk: even with all its unmitigated compute diverted (a diversion "
        "risk of 1) it carries 12,000 risk-weighted H100e."
    ) in text
    # Below 1, the threshold is still said: CC under kyc breaks it above 0.3333.
    run = invoke(["risk", COVE / "cc-kyc.yaml", "--portfolio", COVE / "cove.yaml"])
    assert "diversion risk is drawn above 0.3333" in " ".join(run.stdout.split())


def test_the_options_memo_says_whose_penalty_it_scales_where_the_regimes_differ(
    tmp_path: Path,
) -> None:
    """Cove's own regime (a risk penalty of $100,000) beside monopoly ($120,000): "monopoly
    overtakes cove if the cost of risk is 19.92 times the policy's estimate or more" read
    as one figure for both, where each regime's own penalty is scaled (cove's risk cost
    $882.8m against monopoly's $480.0m: 1 + $7.62bn / $402.8m = 19.92). The memo says each
    regime's own estimate and names both; the re-solve the same, at 20.12 times each."""
    out = tmp_path / "out"
    regimes = f"monopoly,{COVE / 'policy' / 'cove.yaml'}"
    args = ["--regimes", regimes, "--out", out, "--render", "md", "--date", "2026-12-05"]
    run = invoke(["compare", COVE / "cove.yaml", *args, "-j", "1"])
    assert run.exit_code == 0, run.output
    memo = " ".join((out / "memos" / "options-cove.md").read_text().split())
    assert "the policy's estimate" not in memo
    assert (
        "monopoly overtakes cove if the cost of risk is 19.92 times each regime's own estimate "
        "or more (cove's $100,000 and monopoly's $120,000 per risk-weighted H100e; cove's "
        "risk costs $402.8m more)."
    ) in memo
    assert (
        "Re-solved with the cost of risk at 20.12 times each regime's own estimate (cove's "
        "$2.0m and monopoly's $2.4m per risk-weighted H100e; packages free to move): cove "
        "-$410.7m, monopoly -$500.0m"
    ) in memo
    rows = {r["regime"]: r for r in json.loads((out / "comparison.json").read_text())["regimes"]}
    assert (rows["cove"]["risk_penalty"], rows["monopoly"]["risk_penalty"]) == (1e5, 1.2e5)
    # Where the penalties agree (both re-set), the sentence stays "the policy's estimate".
    same = ["--set", "policy.risk_penalty_per_h100e=100k"]
    run = invoke(["compare", COVE / "cove.yaml", *args, "--force", "-j", "1", *same])
    assert run.exit_code == 0, run.output
    memo = " ".join((out / "memos" / "options-cove.md").read_text().split())
    assert "each regime's own" not in memo and "times the policy's estimate" in memo


def test_why_no_deal_names_the_cap_raise_that_gives_a_deal_the_us_would_make() -> None:
    """Cove with tier 2 capped at 1,699 H100e at every level (monopoly's shape). `solve`
    said "Why no deal with CC: ... raise the tier 2 cap under baseline from 1,699 to
    20,000 H100e per period": the least raise that gives a package CC accepts, one worth
    less to the US than no deal (the memo for principals costs the veu cap instead). It
    names the raise that gives CC's best deal with its caps lifted (veu, its 60,000 a
    year), what that deal adds, and that the least raise gives none worth having; the
    relaxation in --json is the veu cap's, as `analyze.limit_costs` lifts it."""
    args = ["solve", COVE / "cove.yaml", "--set", "policy.caps.tier2=1_699"]
    run = invoke(args)
    assert run.exit_code == 0, run.output
    text = " ".join(run.stdout.split())
    assert "under baseline from 1,699 to 20,000" not in text
    assert (
        "Why no deal with CC: no package CC accepts fits the limits: CC's acceptance needs "
        "$915.1m more than any package within the limits gives (its walk-away value is "
        "$1.00bn): raise the tier 2 cap at every security level from 1,699 to 60,000 H100e "
        "per period (for CC in 2026–2027), for a deal that alone would add $2.18bn to US "
        "utility (the least raise that gives a package CC accepts, to 20,000 H100e, its "
        "package under baseline, gives none worth more than no deal)"
    ) in text
    run = invoke([*args, "--json"])
    reasons = {r["partner"]: r for r in json.loads(run.stdout)["no_deal_reasons"]}
    (relax,) = reasons["CC"]["relax"]
    assert (relax["kind"], relax["level"]) == ("cap", "veu")
    assert relax["limit"] + relax["amount"] == pytest.approx(60_000, abs=0.5)


def test_the_sweep_chart_draws_no_line_across_a_change_of_package() -> None:
    """CC's walk-away value from $0 to $3bn on cove: US utility falls from $10.61bn in
    jumps where the package changes (CC trades cloud for buy near $332m, BB changes level
    near $629m and again before $1bn, CC loses its deal near $1.49bn). The chart joined
    the grid's values by straight lines across those jumps, showing values no solve gave
    ($9.9bn at $750m, between $10.39bn and $9.42bn). Each line now joins values of one
    package only: it ends at the last value a change's bisection found before it and
    starts again at the first after it; where a change was not narrowed (it changes again
    before $1bn) no line crosses."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dealbench.render.charts import draw_sweep
    from dealbench.render.sweep_chart import sweep_chart

    args = ["--param", "partners.CC.batna", "--from", "0", "--to", "3bn", "--steps", "7"]
    run = invoke(["sweep", COVE / "cove.yaml", *args, "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    changes = [(c["low"], c["high"]) for c in data["change_points"]]
    assert len(changes) == 4
    figure, ax = plt.subplots()
    try:
        draw_sweep(ax, sweep_chart(data).data)
        lines = [line.get_xydata() for line in ax.lines if len(set(line.get_xdata())) > 1]
    finally:
        plt.close(figure)
    drawn = {(float(x), float(y)) for xy in lines for x, y in xy}
    for row in data["rows"]:  # every solved value is drawn
        assert (row["value"], row["us_value"] / 1e9) in drawn
    for xy in lines:
        xs = [float(x) for x, _ in xy]
        for low, high in changes:  # no line across a change of package
            assert not (min(xs) <= low and high <= max(xs)), (xs, low, high)
    # The narrowed ends are drawn: the jump at CC's exit, $9.19bn to $9.03bn.
    (exit_,) = [c for c in data["change_points"] if "CC loses its deal" in c["changes"]]
    assert (exit_["low"], exit_["us_value_low"] / 1e9) in drawn
    assert (exit_["high"], exit_["us_value_high"] / 1e9) in drawn
