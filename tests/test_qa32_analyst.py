"""A staff analyst's pass over the analysis commands, on generated and hand-made portfolios
(qa32-analyst). Each test says what the reader saw, against arithmetic from the data."""

from __future__ import annotations

from builders import partner, policy, portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import solve
from dealbench.optimize.explain.no_deal import why_no_deal
from dealbench.render.documents import portfolio_memo_document, render_document
from dealbench.render.sources import source_from_result
from helpers import words


def _not_worth_it_beside_a_full_budget() -> Portfolio:
    """AA (diversion risk 0.2, baseline only) is worth 10k - 20k x 0.2 = $6,000 per H100e to
    the US: of its ask of 200,000 it gets the 150,000 H100e the risk budget of 30,000 allows
    (risk 0.2 each), and the budget is used up. BB (diversion risk 0.8) is worth 10k - 20k x
    0.8 = -$6,000 per H100e; it accepts from 1bn / 30k = 33,333.3 H100e (risk 26,667, within
    the budget alone), worth -$200.0m to the US against $0 without a deal: no deal, whatever
    the risk budget."""
    regime = policy(levels=[("baseline", 0.0)], export_value="10k", risk_penalty="20k")
    aa = partner("AA", diversion_risk=0.2, ask={"2026": 200_000}, security_costs={"baseline": 0})
    bb = partner("BB", diversion_risk=0.8, batna="1bn", security_costs={"baseline": 0})
    return portfolio(regime, [aa, bb], supply={"2026": 1_000_000}, risk_budget=30_000)


def test_the_memos_say_a_partner_not_worth_a_deal_is_not_kept_out_by_a_used_up_limit() -> None:
    """A generated portfolio (`synth.generate("S", seed=32)`) under tiered: `solve` says "the
    best package AE accepts (kyc, 126,265 H100e) is worth -$1.51bn to the US against $0
    without a deal", `compare`'s table "not worth it to the US"; the principals and
    portfolio memos said "The risk budget left by the other deals (0 risk-weighted H100e)
    prevents a deal", as if lifting it would open one (their own limit costs show it does
    not). Here in small: BB is worth less than no deal to the US alone, beside AA's deal
    that uses up the risk budget."""
    pf = _not_worth_it_beside_a_full_budget()
    result = solve(pf, "us-best")
    assert [d.partner for d in result.deals] == ["AA"]
    assert abs(result.risk_total - 30_000) < 0.5
    (said,) = why_no_deal(pf, result)
    assert said.reason == "not-worth-it"
    # The memo says solve's reason, as the result carries it (nodeal-one).
    doc = portfolio_memo_document(source_from_result(pf, result.explained([said])))
    md = words(next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md")))
    assert "prevents a deal" not in md
    assert (
        "Partner BB (BB): The best package BB accepts "
        "(baseline, 33,333 H100e) is worth -$200.0m to the US against $0 without a deal"
    ) in md


def test_a_sweep_moves_the_granularity_as_set_does() -> None:
    """`sweep S --param portfolio.granularity --from 0 --to 50_000` said "error: --from:
    portfolio.granularity: a sweep needs a number at this path", while `--set
    portfolio.granularity=5000` takes a number and the file writes one (`granularity:
    1_000`). Here AA (ask 20,000, worth 10k each to the US, no risk cost) takes the 10,500
    H100e of supply in continuous amounts, 10,000 in whole steps of 1,000."""
    from dealbench.analyze.sweep import sweep_param

    regime = policy(levels=[("baseline", 0.0)], export_value="10k", risk_penalty=0)
    aa = partner("AA", ask={"2026": 20_000}, security_costs={"baseline": 0})
    pf = portfolio(regime, [aa], supply={"2026": 10_500})
    swept, _ = sweep_param(pf, "portfolio.granularity", "0", "1_000", 2, refine=0)
    assert [(row.value, round(row.compute_total)) for row in swept.rows] == [
        (0.0, 10_500),
        (1_000.0, 10_000),
    ]
