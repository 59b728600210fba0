"""qa26-ties: us-best's ties broken for the partner; kalai's tau against ideals in its step."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.checker import evaluate
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import solve
from dealbench.optimize.bargain.solve import bargaining_objective, ideal_gains
from dealbench.optimize.explain.no_deal import no_deal_reasons
from dealbench.optimize.prefer import partner_preferred

DATA = Path(__file__).parent / "data"
MERIDIAN = DATA / "qa26verify" / "meridian" / "portfolio.yaml"
TIE = DATA / "qa26ties" / "tie" / "portfolio.yaml"
KALAI_STEP = DATA / "qa26ties" / "kalai-step" / "portfolio.yaml"


@pytest.mark.parametrize("method", ["decompose", "plain"])
def test_us_best_gives_a_tier3_partner_the_level_it_prefers_at_the_same_v(method: str) -> None:
    """Meridian: CZ is tier 3 (no compute, no risk), so `basic` and `audit` give the US the
    same V (sanctions, USD 2bn); `basic` costs CZ nothing, `audit` USD 50m. The US gives up
    nothing by offering basic: CZ's utility is -300m (sanctions' 300m), not -350m."""
    pf = load_portfolio(MERIDIAN)
    result = solve(pf, method=method)
    cz = result.deal("CZ")
    assert cz is not None
    assert (cz.security, cz.concessions) == ("basic", {"sanctions": True})
    assert cz.partner_utility == pytest.approx(-300e6)
    assert result.us_value == pytest.approx(4_873_957_705.9157, abs=1.0)  # V as before
    assert result.partner_total == pytest.approx(2_959_899_949.478 - 300e6 + 2.5e9, abs=1.0)


@pytest.mark.parametrize("method", ["decompose", "plain"])
def test_us_best_takes_the_cheaper_level_when_risk_is_zero(method: str) -> None:
    """TA's diversion risk is 0: every level gives the US 10k x 100,000 H100e + 500m =
    USD 1.5bn, while the partner pays 0 (base), 200m (strict) or 900m (vault) for it.
    TA gets base: 60k x 100,000 - 300m = USD 5.7bn (the plain model gave strict, 5.5bn)."""
    result = solve(load_portfolio(TIE), method=method)
    ta = result.deal("TA")
    assert ta is not None
    assert (ta.security, ta.us_value) == ("base", pytest.approx(1.5e9))
    assert ta.partner_utility == pytest.approx(5.7e9)


def _two_terms(pf: Portfolio) -> Portfolio:
    """TA with two yes/no terms of equal US value (500m), costing it 300m and 100m."""
    ta = pf.partners[0]
    extra = ta.concessions[0].model_copy(update={"id": "lease", "partner_cost": 100e6})
    return pf.model_copy(
        update={"partners": [ta.model_copy(update={"concessions": [*ta.concessions, extra]})]}
    )


def test_ties_swap_a_concession_for_one_of_equal_us_value_the_partner_pays_less_for() -> None:
    """Of two terms worth 500m to the US, the package granting the 300m one becomes the
    one granting the 100m one: the same V, the partner 200m better off."""
    pf = _two_terms(load_portfolio(TIE))
    compute = {"2026": 50_000.0, "2027": 50_000.0}
    held = evaluate(
        pf, Package(partner="TA", security="base", compute=compute, concessions={"buy": True})
    )
    swapped = partner_preferred(pf, [held])
    assert swapped is not None
    better = evaluate(pf, swapped[0])
    assert better.concessions == {"lease": True}
    assert better.us_value == pytest.approx(held.us_value)
    assert better.partner_utility == pytest.approx(held.partner_utility + 200e6)
    assert partner_preferred(pf, [better]) is None  # nothing left to swap


def test_ties_never_raise_risk_or_lower_v() -> None:
    """A partner with risk: under strict (mitigation 0.5) the US has less risk than under
    base; the swap to base (cheaper for the partner) would add risk: not taken."""
    pf = load_portfolio(TIE)
    ta = pf.partners[0].model_copy(update={"diversion_risk": 0.2})
    pf = pf.model_copy(update={"partners": [ta]})
    compute = {"2026": 50_000.0, "2027": 50_000.0}
    held = evaluate(
        pf, Package(partner="TA", security="strict", compute=compute, concessions={"buy": True})
    )
    assert partner_preferred(pf, [held]) is None


def test_no_deal_is_still_explained_after_ties() -> None:
    """Meridian: AL has no deal, and the explanation (which re-solves with limits opened)
    still says why."""
    pf = load_portfolio(MERIDIAN)
    result = solve(pf)
    assert result.no_deal == ["AL"]
    (reason,) = no_deal_reasons(pf, result)
    assert (reason.partner, reason.reason) == ("AL", "shared-limits")
    assert "would add $417.8m to US utility" in reason.message
    assert "and the risk budget go to deals worth more (BE)" in reason.message


def test_kalai_tau_is_measured_against_ideals_in_its_own_step() -> None:
    """gen-5 (steps of 500 B200 chips): PB alone is the only partner with a zone of
    agreement, so kalai's point is PB's best in whole steps for both sides at once: tau 1.
    Its ideals came from `solve`, whose schedule refines the step to 50 chips where the
    declared one costs more than a step's value (US ideal gain 0.4066bn where the declared
    step allows 0.3055bn), and tau read 0.2595 for this same package."""
    pf = load_portfolio(KALAI_STEP)
    result = solve(pf, mode="kalai")
    assert result.objective == pytest.approx(1.0, abs=1e-6)
    assert "tau = 1.0000" in result.message
    ideals = ideal_gains(pf, step=pf.granularity.h100e)
    assert bargaining_objective(pf, result, "kalai", ideals) == pytest.approx(result.objective)
