"""A staff analyst's questions asked across commands (qa33-analyst): does `compare` say
what `solve --policy` says, does the options memo rank as its table does. Each test
says what the reader saw, against arithmetic from the data."""

from __future__ import annotations

from builders import partner, policy, portfolio
from dealbench.analyze import compare
from dealbench.analyze.memo import options_facts
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio


def _one_partner(*regimes: Policy) -> Portfolio:
    """AA (diversion risk 0.2, baseline only, ask 100,000, worth 30k an H100e to it, batna
    0) gets its full ask under every regime below: to the US each H100e is worth the export
    value 10k less 0.2 x the regime's price of risk (20k or 40k), more than no deal. Its
    risk is 0.2 x 100,000 = 20,000 risk-weighted H100e whatever the regime."""
    aa = partner("AA", ask={"2026": 100_000}, security_costs={"baseline": 0})
    return portfolio(regimes[0], [aa], supply={"2026": 1_000_000})


def _regime(id: str, risk_penalty: str) -> Policy:
    return policy(id=id, levels=[("baseline", 0.0)], risk_penalty=risk_penalty)


def test_the_options_memo_says_a_lead_that_is_only_a_lower_price_of_risk() -> None:
    """`compare S --regimes tiered,monopoly,repeal,bilateral,policy.yaml` (a generated
    portfolio in its own regime, synth-s, which prices risk at $93,000, the four at
    $120,000): the options memo said "Adopt Synthetic bilateral regime (synth-s): it gives
    the United States the highest utility, $617.55bn ... The runners-up, tied, are
    bilateral and repeal at $607.86bn, $9.69bn less", `compare` "Highest US utility:
    synth-s", while the deals, compute and risk (358,906 and 358,905) were the same: the
    $9.69bn was 358,906 x $27,000, the price, not the packages. Here: under `low` (20k)
    the US gets 100,000 x (10k - 0.2 x 20k) = $600.0m, under `high` (40k) $200.0m; at
    high's price low's packages give 600m - 20,000 x 20k = $200.0m, as much."""
    high, low = _regime("high", "40k"), _regime("low", "20k")
    c, _ = compare(_one_partner(high), [high, low])
    values = [round(c.row(r).us_value or 0.0, -4) for r in ("low", "high")]
    assert (c.best, values) == ("low", [600e6, 200e6])
    assert c.notes == [
        "The regimes price risk differently (low at $20,000; high at $40,000 per risk-weighted "
        "H100e): their US utilities differ by that price as well as by their packages "
        "(one value of policy.risk_penalty_per_h100e, set for the whole comparison, "
        "compares them at one price)."
    ]
    assert options_facts(c)["recommendation"].endswith(
        " The runner-up is high at $200.0m, $400.0m less. low prices a risk-weighted H100e "
        "at $20,000, high at $40,000: at high's price, its packages held fixed, low gives "
        "$200.0m, as much as high: its lead is its price of risk, not its packages."
    )


def test_compare_and_the_options_memo_lead_with_the_same_of_two_tied_regimes() -> None:
    """`compare gulf-asia --render md`: the table said "Highest US utility: repeal (...),
    tied with bilateral", `comparison.json` `best: repeal`, while the options memo led
    with the other: "Bilateral deals ... (bilateral) and repeal ... give the same
    utility", "repeal ties with bilateral", "tiered overtakes bilateral if ...". The memo
    broke the tie by name, `compare` by the order the regimes were named in. Here `zeta`
    and `alpha` are one regime under two names, named in that order."""
    zeta, alpha = _regime("zeta", "20k"), _regime("alpha", "20k")
    c, _ = compare(_one_partner(zeta), [zeta, alpha])
    assert (c.best, c.tied, c.notes) == ("zeta", ["alpha"], [])
    facts = options_facts(c)
    assert facts["recommendation"].startswith(
        "Regime zeta (zeta) and Regime alpha (alpha) give the United States the same utility"
    )
    assert facts["sensitivities"][0] == (
        "It is a tie between zeta and alpha: any change separating them decides."
    )


def test_a_robust_solves_memo_says_what_it_cost_and_how_it_fares_in_fresh_samples() -> None:
    """`solve gulf-asia-uncertain.yaml --robust 0.9 --samples 4000 --seed 3 --out DIR
    --render md`: the terminal and `--json` said "it costs $13.49bn of US value at the
    means" and "In 4,000 fresh samples (seed 4), the robust packages are accepted by AE
    90.7% and SA 88.2%", while the memo for principals said only "each partner accepts its
    package in at least 90% of 4,000 samples", and result.json kept neither (a later
    `render` could not say them). The result records both, and every internal document
    says them: the memo the cost and every partner's share, a term sheet its partner's."""
    from dealbench import load_portfolio
    from dealbench.analyze.robust import robust_solve
    from dealbench.figures import usd
    from dealbench.render.documents import portfolio_memo_document, render_document
    from dealbench.render.sources import source_from_result
    from dealbench.render.termsheet import term_sheet_context

    pf = load_portfolio("deals/portfolios/gulf-asia-uncertain.yaml")
    made = robust_solve(pf, 0.9, samples=2000, seed=3)
    rob, recorded = made.robustness, made.result.robust
    assert recorded is not None and recorded.cost == rob.cost and rob.cost > 0
    unsure = {p.partner: p.fresh.estimate for p in rob.partners if p.fresh and p.fresh.estimate < 1}
    assert recorded.fresh == unsure and set(unsure) == {"AE", "SA"}
    doc = portfolio_memo_document(source_from_result(pf, made.result))
    md = " ".join(next(f.data.decode() for f in render_document(doc, "md")).split())
    shares = f"{unsure['AE']:.1%} for AE and {unsure['SA']:.1%} for SA"
    assert (
        f"Making them robust cost {usd(rob.cost)} of US utility at the means, against the "
        "packages that are best at the means. In as many fresh samples (seed 4), the share "
        f"that accepts is {shares}: a share reached in the samples solved on holds elsewhere "
        "only within sampling error. The figures shown are at the means."
    ) in md
    sa = made.result.deal("SA")
    assert sa is not None
    sheet = term_sheet_context(pf, sa, audience="internal", robust=recorded)
    assert f"the share that accepts is {unsure['SA']:.1%}: a share" in sheet["doc"]["robust"]
    # `diff` of two robust solves made alike says nothing of how they were made, though
    # what robustness cost differs between them (it follows from the inputs).
    from dealbench.analyze import diff_results

    other = made.result.model_copy(update={"robust": recorded.model_copy(update={"cost": 1.0})})
    assert not [n for n in diff_results(made.result, other).notes if "robust" in n]
