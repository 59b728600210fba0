"""Session 48 (qa48-docs): the documents a principal reads say what the numbers show."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import REPO, Runner

UNCERTAIN = REPO / "deals" / "portfolios" / "gulf-asia-uncertain.yaml"


def test_a_robust_solves_memo_carries_each_partners_acceptance(run: Runner, tmp_path: Path) -> None:
    """`solve gulf-asia-uncertain --robust 0.9 --out DIR --render md` printed how often each
    partner accepts in the samples (AE 49.8% at the means, 90.0% robust; KZ no deal, then
    100.0%), but result.json kept only the fresh-sample shares of AE and SA and the memo no
    table: a principal read "the command dealbench risk estimates how often each partner
    accepts" beside packages made to be accepted in 90% of the samples. The result records
    the table, so the memo (and a later `render` of result.json) carries it."""
    out = tmp_path / "out"
    r = run("solve", UNCERTAIN, "--robust", "0.9", "--samples", "500", "--out", out,
            "--render", "md")  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = json.loads((out / "result.json").read_text())["robust"]["acceptance"]
    by = {row["partner"]: row for row in rows}
    assert by["AE"]["robust"] >= 0.9 > by["AE"]["deterministic"]
    assert by["AE"]["batna_raised_by"] > 0
    assert by["KZ"]["deterministic"] is None and by["KZ"]["robust"] == 1.0
    memo = (out / "memos" / "portfolio-gulf-asia-uncertain.md").read_text()
    assert "## Acceptance in the samples" in memo
    assert "| Partner | Package best at the means | Robust package (at least 90%) |" in memo
    assert "| Kazakhstan (KZ) | no deal | 100.0% |  |" in memo
    assert f"| {by['AE']['robust']:.1%} | $" in memo.split("United Arab Emirates (AE) |")[-1]
    assert "the table Acceptance in the samples gives how often each partner accepts" in memo
    assert "the command dealbench risk estimates" not in memo
    # rendered again from result.json alone, the same table
    again = tmp_path / "again"
    r = run("render", out / "result.json", "--doc", "portfolio-memo", "--out", again)
    assert r.exit_code == 0, r.output
    [rendered] = (again / "memos").glob("portfolio-*.md")
    assert "| Kazakhstan (KZ) | no deal | 100.0% |  |" in rendered.read_text()


def test_the_options_memo_says_what_the_monopoly_regime_does() -> None:
    """`compare global --regimes monopoly,bilateral --render md`: the memo called monopoly
    "an American compute monopoly" while it exported 2,267,000 H100e to JP, KR, GB and TW
    (tier 1 stays uncapped under it); of gulf-asia, where it concludes no deal, it said the
    United States "stands at -$19.00bn, every partner's value without a deal" (the sum is
    the US's own walk-away values), and `--regimes monopoly` alone recommended "Adopt ...
    it gives the United States the highest utility, -$19.00bn, with 0 deals, 0 H100e
    exported and 0 risk-weighted H100e of risk" beside "there is nothing to compare"."""
    from dealbench.analyze.compare import RegimeRow
    from dealbench.analyze.memo import describe, recommendation

    def row(
        regime: str, us_value: float, deals: list[str], exported: float, risk: float
    ) -> RegimeRow:
        return RegimeRow(regime=regime, title=regime, status="optimal", us_value=us_value,
                         deals=len(deals), partners=deals, compute={"2026": exported},
                         risk_total=risk)  # fmt: skip

    exporting = row("monopoly", 71.50e9, ["JP", "KR", "GB", "TW"], 2_267_000, 61_100)
    best = row("bilateral", 290.43e9, ["AE", "JP"], 6_453_400, 249_999)
    text = recommendation([best, exporting])
    assert "American" not in text
    assert "A compute monopoly shared with the tier 1 allies (monopoly) carries less risk" in text
    assert describe(exporting).startswith("A compute monopoly shared with the tier 1 allies")
    closed = row("monopoly", -19e9, [], 0.0, 0.0)
    assert describe(closed).endswith(
        "the United States stands at -$19.00bn, its own walk-away values with the partners, summed."
    )
    alone = recommendation([closed])
    assert alone == (
        "Only a compute monopoly shared with the tier 1 allies (monopoly) was solved: it gives "
        "the United States -$19.00bn, with no deal: nothing exported, no risk. There is no "
        "other option to weigh it against."
    )


def test_a_cliff_past_a_price_is_measured_from_the_solve_it_prices() -> None:
    """`solve global --prices`: "re-solved at 249,900 risk-weighted H100e, the full model
    gives the US $123.8m less than now" and, past the top, "$868.5m more than now": both
    measured from a re-solve in steps of 100 H100e that fell back to 10 and sat $5.1m above
    this solve. `solve --set policy.risk_budget=249900` (and 251800) gives $120.9m less and
    $868.8m more than `solve`: what "than now" says, a principal can check."""
    import dealbench
    from dealbench.analyze.prices import shadow_prices

    portfolio = dealbench.load_portfolio(REPO / "deals" / "portfolios" / "global.yaml")
    result = dealbench.solve(portfolio)
    [budget] = [p for p in shadow_prices(portfolio, result).limits if p.kind == "risk-budget"]
    assert result.us_value is not None
    for past in (budget.past_from, budget.past_to):
        assert past is not None and past.us_change is not None
        moved = dealbench.apply_overrides(portfolio, [f"policy.risk_budget={past.at:.0f}"])
        again = dealbench.solve(moved).us_value
        assert again is not None
        assert abs(past.us_change - (again - result.us_value)) < 1e3, past
