"""Regime comparison: the four options of the debate, side by side.

What a user relies on: each regime means what the debate means by it
(monopoly: nothing outside tier 1 beyond the licence-free allowance; repeal: no
cap; tiered: the 2025 framework's Tier 2 cap), loosening a cap never lowers the
US optimum, and every figure of the comparison is `check`'s.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import LEVELS, portfolios
from dealbench.analyze.compare import compare
from dealbench.checker import check
from dealbench.model import Portfolio, load_policy, load_portfolio
from dealbench.model.regimes import REGIMES, find_regime, under_regime
from dealbench.optimize import solve
from dealbench.units import H100_TPP
from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
GLOBAL = REPO / "deals" / "portfolios" / "global.yaml"
POLICY = REPO / "deals" / "policy"

#: The 2025 framework's Tier 2 country cap, 2025-2027: 790 million TPP
#: (shared/reference/export-policy-facts.md: "790 M TPP = 49,901 H100e").
TIER2_CAP_TPP = 790_000_000
#: The Low Processing Performance exception: 1,699 H100e per customer per year.
LPP_H100E = 1_699


@pytest.fixture(scope="module")
def gulf_compared():  # type: ignore[no-untyped-def]
    pf = load_portfolio(GULF)
    return pf, *compare(pf, [find_regime(r, GULF) for r in REGIMES])


# --- regime semantics ---------------------------------------------------------------------


def test_tiered_reproduces_the_2025_tier2_cap() -> None:
    """The tiered policy's caps are per year over a three-year horizon: three years of the
    baseline cap are the rule's 790M TPP country cap, three of the kyc cap twice that."""
    tiered = load_policy(POLICY / "tiered.yaml")
    baseline, kyc = tiered.caps.cap(2, "baseline"), tiered.caps.cap(2, "kyc")
    assert baseline is not None and kyc is not None
    assert 3 * baseline * H100_TPP == pytest.approx(TIER2_CAP_TPP, rel=1e-6)
    assert 3 * kyc * H100_TPP == pytest.approx(2 * TIER2_CAP_TPP, rel=1e-6)
    assert 3 * baseline == pytest.approx(49_901, abs=3)  # the reference's H100e count


def test_tiered_solution_keeps_tier2_partners_under_the_cap(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    _pf, _c, solved = gulf_compared
    pf, result = solved["tiered"]
    for deal in result.deals:
        partner = pf.partner(deal.partner)
        cap = pf.level_cap(partner, deal.security)
        assert cap is not None and deal.tier == 2
        assert max(deal.compute.values()) <= cap + 0.5


def test_monopoly_exports_nothing_outside_tier1() -> None:
    """Outside tier 1, monopoly allows only the licence-free 1,699 H100e a year, too little
    for any partner of the shipped portfolios to prefer a deal to its BATNA."""
    monopoly = load_policy(POLICY / "monopoly.yaml")
    for level in monopoly.level_ids:
        assert monopoly.caps.cap(2, level) == LPP_H100E
        assert monopoly.caps.cap(3, level) == 0
    pf = under_regime(load_portfolio(GULF), monopoly)
    result = solve(pf).raise_for_status()
    assert [d.partner for d in result.deals if d.tier != 1] == []
    assert sum(result.supply_used.values()) == 0


def test_repeal_applies_no_cap(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    _pf, _c, solved = gulf_compared
    pf, result = solved["repeal"]
    for partner in pf.partners:
        for level in pf.levels_for(partner):
            expected = 0.0 if partner.tier == 3 else None
            assert pf.level_cap(partner, level) == expected
    assert check(pf, [d.package() for d in result.deals]).ok


def test_partner_caps_belong_to_the_portfolios_own_regime() -> None:
    pf = load_portfolio(GULF).model_copy(update={"caps": {"AE": {"veu": 900_000.0}}})
    assert under_regime(pf, load_policy(POLICY / "bilateral.yaml")).caps == pf.caps
    assert under_regime(pf, load_policy(POLICY / "monopoly.yaml")).caps == {}


# --- the comparison -----------------------------------------------------------------------


def test_every_figure_comes_from_check(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    _pf, comparison, solved = gulf_compared
    assert [r.regime for r in comparison.regimes] == list(REGIMES)
    for row in comparison.regimes:
        pf, result = solved[row.regime]
        verdict = check(pf, [d.package() for d in result.deals])
        assert verdict.ok
        assert row.us_value == pytest.approx(verdict.objective, abs=1)
        parts = row.concessions + row.export_value - row.risk_cost + row.no_deal_losses
        assert parts == pytest.approx(verdict.objective, abs=1e3)
        assert row.risk_total == pytest.approx(verdict.risk_total)
        assert row.compute == pytest.approx(verdict.supply_used)
        for p in comparison.partners:
            cell = p.regimes[row.regime]
            deal = next((d for d in verdict.deals if d.partner == p.code), None)
            assert cell.deal == (deal is not None)
            if deal is not None:
                assert cell.compute == pytest.approx(deal.total_compute)
                assert cell.us_value == pytest.approx(deal.us_value)


def test_best_regime_has_the_highest_us_value(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    _pf, comparison, _solved = gulf_compared
    best = comparison.row(comparison.best)  # type: ignore[arg-type]
    assert all((r.us_value or 0) <= (best.us_value or 0) for r in comparison.regimes)


def test_solve_policy_matches_the_comparison(run: Runner, gulf_compared) -> None:  # type: ignore[no-untyped-def]
    _pf, comparison, _solved = gulf_compared
    out = json.loads(run("solve", GULF, "--policy", "tiered", "--json").stdout)
    assert out["policy"] == "tiered"
    assert out["objective"] == pytest.approx(comparison.row("tiered").us_value, rel=1e-6)


def test_compare_cli_json_and_files(run: Runner, tmp_path: Path) -> None:
    result = run(
        "compare", GULF, "--regimes", "tiered,bilateral", "--json", "-j", "1",
        "--out", tmp_path, "--render", "md",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["regime"] for r in data["regimes"]] == ["tiered", "bilateral"]
    assert {p["code"] for p in data["partners"]} >= {"AE", "SA"}
    assert (tmp_path / "comparison.json").exists()
    assert (tmp_path / "charts" / "regimes-value-risk.svg").read_text().startswith("<svg")
    assert json.loads((tmp_path / "tiered" / "result.json").read_text())["policy"] == "tiered"
    memo = (tmp_path / "memos" / "options-gulf-asia.md").read_text()
    assert "## Recommendation" in memo and "## What would change it" in memo
    assert f"Adopt {''}" in memo and f"({data['best']})" in memo
    # each regime's result.json names its portfolio, as solve's does: render finds it
    docs = run("render", tmp_path / "tiered/result.json", "--doc", "portfolio-memo",
               "--out", tmp_path / "docs")  # fmt: skip
    assert docs.exit_code == 0 and docs.stderr == "", docs.output
    principals = (tmp_path / "docs/memos/portfolio-gulf-asia.md").read_text()
    assert "under the tiered regime" in principals


def test_compare_table_fits_80_columns(run: Runner) -> None:
    result = run("compare", GULF, "-j", "1")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "US utility" in result.stdout and "no deal" in result.stdout


def test_unknown_regime_is_bad_input(run: Runner) -> None:
    result = run("compare", GULF, "--regimes", "tiered,anarchy")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --regimes: unknown regime 'anarchy'; expected one of: tiered, monopoly, "
        "repeal, bilateral (or a policy file)"
    )


def test_compare_out_holds_only_the_regimes_of_its_last_run(run: Runner, tmp_path: Path) -> None:
    """A second compare into the same --out with fewer regimes leaves no result or memo of
    a regime it did not compare (a reader takes the folder as one comparison); a file
    the user put there stays."""
    out = tmp_path / "out"
    first = ["compare", GULF, "--regimes", "monopoly,repeal", "-j", "1", "--out", out]
    assert run(*first, "--render", "md").exit_code == 0
    assert (out / "repeal/result.json").is_file()
    (out / "notes.txt").write_text("mine\n")
    again = run("compare", GULF, "--regimes", "monopoly", "-j", "1", "--out", out, "--render", "md")
    assert again.exit_code == 0, again.output
    assert not (out / "repeal/result.json").exists()
    assert not (out / "memos/principals-gulf-asia-repeal.md").exists()
    assert (out / "monopoly/result.json").is_file() and (out / "notes.txt").read_text() == "mine\n"


def test_a_compare_stopped_by_the_time_limit_says_so_and_exits_4(run: Runner) -> None:
    """A regime whose solve the time limit stopped shows the best found, not the best there
    is (often no deal at all, all regimes 'tied'): the user is told which, exit 4 as solve."""
    result = run("compare", GLOBAL, "--regimes", "tiered,repeal", "--time-limit", "0.001",
                 "-j", "1")  # fmt: skip
    assert result.exit_code == 4, result.output
    assert not result.traceback and "US utility" in result.stdout
    assert result.stderr.startswith("warning: the time limit stopped the solve")
    assert " under " in result.stderr.splitlines()[0]
    sweep = run("sweep", GLOBAL, "--param", "policy.risk_penalty_per_h100e", "--from", "50k",
                "--to", "60k", "--steps", "2", "--time-limit", "0.001", "-j", "1")  # fmt: skip
    assert sweep.exit_code == 4, sweep.output
    assert sweep.stderr.startswith("warning: the time limit stopped the solve")
    assert " of " in sweep.stderr.splitlines()[0]


def test_a_set_one_regime_refuses_names_that_regime(run: Runner) -> None:
    """`--set` applies under every regime; a value the bilateral policy takes (kyc's
    mitigation 0.88, below its veu's 0.9) another may refuse (tiered's veu mitigates 0.85,
    and levels are listed weakest first): the error says under which regime, else the
    user looks for the fault in the wrong file. (Session 48: a tier's one cap for every
    level, monopoly's, is now set per level, so `policy.caps.tier2.veu` no longer serves.)"""
    path = "policy.security_levels.kyc.mitigation"
    result = run("compare", GULF, "--set", f"{path}=0.88", "-j", "1")
    assert result.exit_code == 2 and not result.traceback
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: --set: {path}: under the tiered regime")
    assert "listed weakest first" in line
    nowhere = run("compare", GULF, "--set", "policy.bogus=1", "-j", "1")  # no regime has it
    assert nowhere.exit_code == 2 and "regime" not in nowhere.stderr


# --- loosening a cap never lowers the US optimum# --- loosening a cap never lowers the US optimum ----------------------------------------------


def _loosen(pf: Portfolio, tier: int, level: str, how: str) -> Portfolio:
    """`pf` with one cap loosened: doubled (or 10,000 where it was 0), or removed."""
    caps = pf.policy.caps
    name = f"tier{tier}"
    value = getattr(caps, name)
    current = caps.cap(tier, level)
    new = None if how == "remove" or current is None else max(2 * current, 10_000.0)
    if isinstance(value, dict):
        table = {k: v for k, v in value.items() if k != level}
        if new is not None:
            table[level] = new
    else:  # one cap for every level: make it a table, loosen one level
        table = {lv: value for lv in pf.policy.level_ids if lv != level}
        if new is not None:
            table[level] = new
    policy = pf.policy.model_copy(update={"caps": caps.model_copy(update={name: table})})
    return pf.model_copy(update={"policy": policy})


@settings(max_examples=30, deadline=None)
@given(
    pf=portfolios(max_partners=3, max_periods=2, max_concessions=2),
    tier=st.sampled_from((1, 2)),
    level=st.sampled_from(LEVELS),
    how=st.sampled_from(("double", "remove", "partner")),
)
def test_loosening_a_cap_never_lowers_the_us_optimum(
    pf: Portfolio, tier: int, level: str, how: str
) -> None:
    tight = solve(pf, gap=1e-9)
    if how == "partner":  # a deal-by-deal cap above the tier's, for the first partner
        partner = pf.partners[0]
        current = pf.level_cap(partner, level)
        if current is None:
            return
        loose_pf = pf.model_copy(update={"caps": {partner.code: {level: 2 * current + 10_000}}})
    else:
        loose_pf = _loosen(pf, tier, level, how)
    loose = solve(loose_pf, gap=1e-9)
    if tight.objective is None:
        return
    assert loose.objective is not None
    assert loose.objective >= tight.objective - 1e-6 * abs(tight.objective) - 1e4
    assert check(loose_pf, [d.package() for d in loose.deals]).ok


# --- the portfolio memo for principals --------------------------------------------------------


def test_limit_costs_are_re_solves_without_the_limit(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    """Lifting a limit never lowers the optimum, so no limit has a negative cost; and
    each cost is the checked US utility of the lifted portfolio less today's."""
    from dealbench.analyze.limit_costs import binding, lifted, limit_costs

    _pf, _c, solved = gulf_compared
    pf, result = solved["bilateral"]
    costs = limit_costs(pf, result)
    assert [c.kind for c in costs] == [lim["kind"] for lim in binding(pf, result)]
    assert {c.kind for c in costs} >= {"supply"}
    for cost, lim in zip(costs, binding(pf, result), strict=True):
        assert cost.cost is not None and cost.cost >= -1e4
        free_pf = lifted(pf, lim)
        free = solve(free_pf)
        assert check(free_pf, [d.package() for d in free.deals]).ok
        assert cost.us_value == pytest.approx(free.objective, rel=1e-6)


def test_compare_render_writes_a_memo_for_principals(run: Runner, tmp_path: Path) -> None:
    result = run(
        "compare", GULF, "--regimes", "bilateral", "-j", "1", "--out", tmp_path, "--render", "md"
    )
    assert result.exit_code == 0, result.output
    memo = (tmp_path / "memos" / "principals-gulf-asia-bilateral.md").read_text()
    for heading in ("## Allocation", "## Limits that bind", "## What each limit costs"):
        assert heading in memo
    assert "| Supply in 2026 | 1,000,000 H100e |" in memo


def test_memo_re_solves_each_risk_threshold(gulf_compared) -> None:  # type: ignore[no-untyped-def]
    """Each first-order threshold is re-solved with both regimes' packages free, and the
    line reports the two checked utilities there."""
    from dealbench.analyze.memo import confirmations, risk_factors
    from dealbench.analyze.scenarios import apply_overrides

    _pf, comparison, solved = gulf_compared
    ranked = sorted(
        (r for r in comparison.regimes if r.us_value is not None), key=lambda r: -(r.us_value or 0)
    )
    lines = confirmations(comparison, solved)
    factors = risk_factors(ranked)
    assert len(lines) == len(factors)
    for (other, factor), line in zip(factors, lines, strict=True):
        pf = solved[other][0]
        penalty = pf.policy.risk_penalty_per_h100e * factor * 1.01
        value = solve(apply_overrides(pf, {"policy.risk_penalty_per_h100e": penalty})).objective
        from dealbench.render.filters import money

        assert f"{other} {money(value)}" in line


def test_a_comparison_says_where_the_portfolios_own_caps_were_dropped(
    run: Runner, tmp_path: Path
) -> None:
    """A portfolio's own caps belong to its regime (`under_regime`), so `compare` solves
    the other regimes without them; the table, JSON and options memo never said so, and a
    reader took every column for the caps the portfolio wrote (qa15-an, left)."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    portfolio.write_text(portfolio.read_text() + "caps: {AE: {veu: 900_000}}\n")
    out = tmp_path / "out"
    shown = run("compare", portfolio, "--regimes", "bilateral,repeal",
                "--out", out, "--render", "md")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    note = (
        "The portfolio's own caps for AE belong to its regime (bilateral); under repeal "
        "each regime's own caps apply instead"
    )
    assert note in " ".join(shown.stdout.split()), shown.stdout
    assert note in json.loads((out / "comparison.json").read_text())["notes"][0]
    assert note in (out / "memos" / "options-gulf-asia.md").read_text()
    # A cap set for this run (--set) holds under every regime: nothing to say then.
    both = run("compare", portfolio, "--regimes", "bilateral,repeal",
               "--set", "portfolio.caps.AE.veu=900_000", "--json")  # fmt: skip
    assert json.loads(both.stdout)["notes"] == []
