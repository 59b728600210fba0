"""The independent checker: every figure recomputed, every limit named in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import concession, partner, policy, portfolio
from dealbench.checker import check, evaluate
from dealbench.limit import messages
from dealbench.model import Package, Portfolio

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def two() -> Portfolio:
    """AA (tier 2, kyc-capable, a small menu with requires/excludes) and BB (tier 3).

    Caps: tier 2 baseline 10,000, kyc 50,000, veu uncapped. Supply 100,000, risk budget 1,000.
    """
    aa = partner(
        "AA",
        ask={"2026": 100_000},
        batna="1bn",
        security_costs={"baseline": 0, "kyc": "100m"},
        concessions=[
            concession(
                "x",
                us_value="1bn",
                partner_cost="200m",
                requires=[{"security": "kyc"}],
                excludes=["y"],
            ),
            concession("y", us_value="1bn", partner_cost="200m", requires=["z"]),
            concession("z", levels=[("lo", "1bn", "100m"), ("hi", "3bn", "1bn")]),
        ],
    )
    bb = partner("BB", tier=3, us_batna="-1bn")
    the_policy = policy(caps={"tier2": {"baseline": 10_000, "kyc": 50_000}, "tier3": 0})
    return portfolio(the_policy, [aa, bb], supply={"2026": 100_000}, risk_budget=1_000)


def test_every_figure_of_the_tiny_optimum(tiny_portfolio: Portfolio) -> None:
    """The us-best package of tests/data/tiny (see test_handworked.test_tiny_us_best)."""
    package = Package(
        partner="AA",
        security="veu",
        compute={"2026": 100_000},
        concessions={"invest": "small", "no-prc": True},
    )
    deal = evaluate(tiny_portfolio, package)
    assert deal.violations == []
    assert deal.accepts
    assert deal.compute_value == pytest.approx(3e9)
    assert deal.concession_cost == pytest.approx(0.7e9)
    assert deal.security_cost == pytest.approx(0.5e9)
    assert deal.partner_utility == pytest.approx(1.8e9)
    assert deal.acceptance_threshold == pytest.approx(1e9)
    assert deal.partner_margin == pytest.approx(0.8e9)
    assert deal.us_concession_value == pytest.approx(1.5e9)
    assert deal.export_value == pytest.approx(1e9)
    assert deal.risk == pytest.approx(2_000)
    assert deal.risk_penalty == pytest.approx(0.2e9)
    assert deal.us_value == pytest.approx(2.3e9)
    assert deal.us_margin == pytest.approx(2.3e9)
    assert deal.package() == Package(
        partner="AA",
        security="veu",
        compute={"2026": 100_000.0},
        concessions={"invest": "small", "no-prc": True},
    )
    verdict = check(tiny_portfolio, [package])
    assert verdict.ok
    assert verdict.objective == pytest.approx(2.3e9)
    assert verdict.partner_total == pytest.approx(1.8e9)
    assert verdict.problems() == []


def test_no_package_is_no_deal(two: Portfolio) -> None:
    verdict = check(two, [])
    assert verdict.ok
    assert verdict.no_deal == ["AA", "BB"]
    assert verdict.objective == pytest.approx(-1e9)  # BB's us_batna
    assert verdict.partner_total == pytest.approx(1e9)  # AA's batna


def test_caps_asks_and_tier3(two: Portfolio) -> None:
    """Risk: AA 120,000 x 0.2 x (1 - 0.5) = 12,000; BB 1,000 x 0.2 x 1 = 200."""
    packages = [
        Package(partner="AA", security="kyc", compute={"2026": 120_000}),
        Package(partner="BB", security="baseline", compute={"2026": 1_000}),
    ]
    verdict = check(two, packages)
    aa, bb = verdict.deals
    assert messages(aa.violations) == [
        "AA: 2026 compute 120,000 H100e exceeds its ask of 100,000 H100e",
        "AA: 2026 compute 120,000 H100e exceeds the tier 2 cap under kyc of 50,000 H100e",
    ]
    assert messages(bb.violations) == [
        "BB is tier 3 (arms-embargoed): no compute may be delivered (2026: 1,000 H100e)"
    ]
    assert messages(verdict.violations) == [
        "supply in 2026: 121,000 H100e allocated, 100,000 available",
        "risk budget: 12,200 risk-weighted H100e, the budget is 1,000",
    ]
    assert not verdict.ok


def test_a_hair_over_a_limit_is_within_tolerance(two: Portfolio) -> None:
    """The solver works to ~1e-7 of thousands of H100e: 0.4 H100e over is not a violation."""
    deal = evaluate(two, Package(partner="AA", security="kyc", compute={"2026": 50_000.4}))
    assert deal.violations == []
    deal = evaluate(two, Package(partner="AA", security="kyc", compute={"2026": 50_001}))
    assert messages(deal.violations) == [
        "AA: 2026 compute 50,001 H100e exceeds the tier 2 cap under kyc of 50,000 H100e"
    ]


def test_security_levels(two: Portfolio) -> None:
    deal = evaluate(two, Package(partner="AA", security="veu"))
    assert messages(deal.violations) == [
        "AA cannot meet security level 'veu' (its file gives no cost for it)"
    ]
    deal = evaluate(two, Package(partner="AA", security="nveu"))
    assert messages(deal.violations) == ["AA: unknown security level 'nveu'"]


def test_requires_and_excludes(two: Portfolio) -> None:
    deal = evaluate(
        two,
        Package(partner="AA", security="baseline", concessions={"x": True, "y": True}),
    )
    assert messages(deal.violations) == [
        "AA: concession 'x' requires security 'kyc' or stronger; the deal runs under 'baseline'",
        "AA: concession 'y' requires 'z', which is not granted",
        "AA: concessions 'x' and 'y' exclude each other",
    ]
    deal = evaluate(
        two, Package(partner="AA", security="kyc", concessions={"y": True, "z": "hi", "x": False})
    )
    assert deal.violations == []
    assert deal.concessions == {"y": True, "z": "hi"}
    assert deal.us_concession_value == pytest.approx(4e9)
    assert deal.concession_cost == pytest.approx(1.2e9)


def test_unknown_concessions_and_levels(two: Portfolio) -> None:
    deal = evaluate(two, Package(partner="AA", security="kyc", concessions={"w": True, "z": "mid"}))
    assert messages(deal.violations) == [
        "AA: unknown concession or level w=granted",
        "AA: unknown concession or level z=mid",
    ]


def test_periods_outside_the_portfolio(two: Portfolio) -> None:
    deal = evaluate(two, Package(partner="AA", security="kyc", compute={"2031": 10}))
    assert messages(deal.violations) == ["AA: period '2031' is not one of the portfolio's periods"]


def test_a_refusal_is_reported_in_plain_words(two: Portfolio) -> None:
    """5,000 H100e at 30k = 0.15bn, minus x (0.2bn) and kyc (0.1bn): -0.15bn < BATNA 1bn."""
    package = Package(
        partner="AA", security="kyc", compute={"2026": 5_000}, concessions={"x": True}
    )
    verdict = check(two, [package])
    (deal,) = verdict.deals
    assert not deal.accepts
    assert deal.partner_utility == pytest.approx(-0.15e9)
    assert verdict.problems() == [
        "AA would not accept: its utility from the deal, -$150.0m, is below its walk-away "
        "value plus margin, $1.00bn"
    ]
    assert not verdict.ok


def test_acceptance_margin_raises_the_threshold() -> None:
    the_policy = policy(margin="500m")
    pf = portfolio(the_policy, [partner("AA", batna="1bn")], supply={"2026": 1e6})
    # 50,000 x 30k = 1.5bn: exactly BATNA + margin, accepted; 1 H100e less is refused
    assert evaluate(pf, Package(partner="AA", security="kyc", compute={"2026": 50_000})).accepts
    deal = evaluate(pf, Package(partner="AA", security="kyc", compute={"2026": 49_000}))
    assert not deal.accepts
    assert deal.acceptance_threshold == pytest.approx(1.5e9)


def test_piecewise_value() -> None:
    """40k for the first 50,000, 10k up to 150,000, nothing beyond."""
    value = [{"upto": 50_000, "value": "40k"}, {"upto": 150_000, "value": "10k"}]
    pf = portfolio(
        policy(), [partner("AA", ask={"2026": 300_000}, value=value)], supply={"2026": 1e6}
    )
    aa = pf.partners[0]
    assert aa.value_of(0) == 0
    assert aa.value_of(50_000) == pytest.approx(2e9)
    assert aa.value_of(100_000) == pytest.approx(2.5e9)
    assert aa.value_of(150_000) == pytest.approx(3e9)
    assert aa.value_of(300_000) == pytest.approx(3e9)
    deal = evaluate(pf, Package(partner="AA", security="kyc", compute={"2026": 100_000}))
    assert deal.compute_value == pytest.approx(2.5e9)


def test_one_package_per_partner(two: Portfolio) -> None:
    packages = [
        Package(partner="AA", security="kyc"),
        Package(partner="AA", security="baseline"),
        Package(partner="ZZ", security="kyc"),
    ]
    verdict = check(two, packages)
    assert messages(verdict.violations) == [
        "AA has more than one package",
        "ZZ is not a partner of portfolio test",
    ]
    assert [d.security for d in verdict.deals] == ["kyc"]
    assert verdict.no_deal == ["BB"]


def test_evaluate_refuses_a_partner_outside_the_portfolio(two: Portfolio) -> None:
    with pytest.raises(ValueError, match="partner 'ZZ' is not in portfolio test"):
        evaluate(two, Package(partner="ZZ", security="kyc"))
