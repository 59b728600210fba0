"""Tiny portfolios whose optimum is worked out by hand in each test's docstring.

Notation: x is the compute delivered (H100e), "room" is what a partner can
give up in concessions and still accept: value(x) - security cost - BATNA - margin.
The US value of one H100e under level k is
    export_value - risk_penalty * diversion_risk * (1 - mitigation[k]).
Each fixture lives in tests/data/<name>/ as YAML, loaded as a user's files are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import Status, load_portfolio, solve
from dealbench.checker import check
from dealbench.limit import messages
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult

DATA = Path(__file__).resolve().parent / "data"
REL = 1e-6


def solved(name: str, mode: str = "us-best", **kwargs: object) -> tuple[Portfolio, SolveResult]:
    pf = load_portfolio(DATA / name / "portfolio.yaml")
    result = solve(pf, mode, **kwargs)  # type: ignore[arg-type]
    return pf, result


def assert_checked(pf: Portfolio, result: SolveResult) -> None:
    """The packages pass the independent check, which recomputes the same V and partners'
    total (the objective is one of them: V for us-best, the total for partner-best)."""
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()
    assert result.us_value is not None
    assert verdict.objective == pytest.approx(result.us_value, rel=REL)
    mine = result.partner_total if result.mode == "partner-best" else result.us_value
    assert result.objective == mine
    assert verdict.partner_total == pytest.approx(result.partner_total, rel=REL)


def test_tiny_us_best() -> None:
    """One tier-2 partner, one period, ask 100,000, value 30k/H100e, BATNA 1bn, risk 0.2.

    US value per H100e (export 10k, penalty 100k x 0.2 x (1 - m)):
        baseline (m 0)   10k - 20k = -10k;  cap 10,000
        kyc      (m 0.5) 10k - 10k =   0;   cap 50,000
        veu      (m 0.9) 10k -  2k =  +8k;  uncapped, so x <= ask = 100,000
    Room at the largest x:
        baseline  0.3bn - 0     - 1bn = -0.7bn: the partner refuses any baseline deal
        kyc       1.5bn - 0.1bn - 1bn =  0.4bn: only no-prc (cost 0.2bn) fits: V = 0.5bn
        veu       3.0bn - 0.5bn - 1bn =  1.5bn: small + no-prc (cost 0.7bn, US 1.5bn) fits,
                  large (cost 2.5bn) does not; V = 1.5bn + 8k x 100,000 = 2.3bn
    No deal gives V = 0. Optimum: veu, 100,000 H100e, invest=small and no-prc,
    V = $2.3bn; the partner's utility is 3bn - 0.7bn - 0.5bn = $1.8bn.
    """
    pf, result = solved("tiny")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(2.3e9, rel=REL)
    assert result.partner_total == pytest.approx(1.8e9, rel=REL)
    (deal,) = result.deals
    assert deal.partner == "AA"
    assert deal.security == "veu"
    assert deal.compute == {"2026": pytest.approx(100_000, rel=REL)}
    assert deal.concessions == {"invest": "small", "no-prc": True}
    assert deal.risk == pytest.approx(0.2 * 0.1 * 100_000, rel=REL)
    assert result.no_deal == []
    assert_checked(pf, result)


def test_supply_binds_across_two_partners() -> None:
    """Supply 150,000 in one period for AA and BB (tier 1, no caps, each asks 100,000).

    AA: risk 0, BATNA 0: the US gains 10k per H100e; AA accepts any x.
    BB: risk 0.05: the US gains 10k - 100k x 0.05 = 5k per H100e. BATNA 2bn, value 30k,
        so BB needs 30k x x_B >= 2bn (x_B >= 66,667) without the concession, and
        30k x x_B >= 2.5bn (x_B >= 83,333) with `invest` (US 1bn, cost 0.5bn).
    With x_A = 150,000 - x_B (supply binds; x_A <= 100,000 needs x_B >= 50,000):
        no deal with BB:    x_A = 100,000, V = 1bn
        BB, no concession:  V = 10k (150,000 - x_B) + 5k x_B = 1.5bn - 5k x_B,
                            best at x_B = 66,667: V = 1.1667bn
        BB with invest:     V = 1bn + 1.5bn - 5k x 83,333.3 = 2.5bn - 1.25bn / 3 = 2.0833bn
    Optimum: x_A = 66,666.7, x_B = 83,333.3, BB grants invest, V = 2.5bn - 1.25bn/3;
    BB is held exactly to its BATNA (utility 2bn), AA gets 30k x 66,666.7 = 2bn.
    """
    pf, result = solved("supply-shared")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(2.5e9 - 1.25e9 / 3, rel=REL)
    deals = {d.partner: d for d in result.deals}
    assert set(deals) == {"AA", "BB"}
    assert deals["AA"].compute["2026"] == pytest.approx(200_000 / 3, rel=REL)
    assert deals["BB"].compute["2026"] == pytest.approx(250_000 / 3, rel=REL)
    assert deals["AA"].concessions == {}
    assert deals["BB"].concessions == {"invest": True}
    assert deals["BB"].partner_utility == pytest.approx(2e9, rel=REL)
    assert result.supply_used["2026"] == pytest.approx(150_000, rel=REL)
    assert "Supply in 2026 is fully allocated (150,000 H100e)." in messages(result.binding)
    assert_checked(pf, result)


def test_risk_budget_binds_with_a_concave_value() -> None:
    """One tier-1 partner CC, risk 0.2, ask 200,000; no risk penalty but a budget of 10,000.

    CC's value per period: 40k for the first 50,000 H100e, 10k up to 150,000, 0 beyond:
        v(50,000) = 2bn, v(100,000) = 2.5bn, v(150,000) = 3bn.
    BATNA 2bn; concession `purchase`: US 0.4bn, cost 0.15bn.
    The budget caps x at 10,000 / (0.2 (1 - m)):
        baseline x <= 50,000:  room 2bn - 0 - 2bn = 0: no concession; V = 10k x 50,000 = 0.5bn
        kyc      x <= 100,000: room 2.5bn - 0.3bn - 2bn = 0.2bn >= 0.15bn: purchase fits;
                 V = 10k x 100,000 + 0.4bn = 1.4bn
        veu      x <= 200,000 (ask): v = 3bn, room 3bn - 1.5bn - 2bn < 0: CC refuses
    Optimum: kyc, 100,000 H100e, purchase; V = 1.4bn, U = 2.5 - 0.3 - 0.15 = 2.05bn,
    risk 0.2 x 0.5 x 100,000 = 10,000 = the budget. With a flat 40k value CC could
    afford veu; the concave curve is what rules it out.
    Doubling the budget to 20,000 lets kyc deliver the whole ask: V = 2bn + 0.4bn = 2.4bn
    (CC values the last 50,000 at 0 but still accepts: 3 - 0.3 - 0.15 >= 2).
    """
    pf, result = solved("risk-piecewise")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(1.4e9, rel=REL)
    (deal,) = result.deals
    assert (deal.security, deal.concessions) == ("kyc", {"purchase": True})
    assert deal.compute == {"2026": pytest.approx(100_000, rel=REL)}
    assert deal.compute_value == pytest.approx(2.5e9, rel=REL)
    assert deal.partner_utility == pytest.approx(2.05e9, rel=REL)
    assert result.risk_total == pytest.approx(10_000, rel=REL)
    assert "The risk budget is used up (10,000 risk-weighted H100e)." in messages(result.binding)
    assert_checked(pf, result)

    looser = pf.model_copy(update={"risk_budget": 20_000.0})
    result = solve(looser)
    assert result.objective == pytest.approx(2.4e9, rel=REL)
    assert result.deals[0].compute == {"2026": pytest.approx(200_000, rel=REL)}
    assert_checked(looser, result)


def test_requires_and_excludes() -> None:
    """One tier-1 partner DD, no risk, ask 100,000 at 50k: value 5bn, BATNA 1bn.

    Menu (US value / partner cost): a 3/1.5 excludes b; b 2/1; c 1.5/0.5 requires b;
    d 1/0.4 requires kyc or stronger. Export value 10k x 100,000 = 1bn in every case.
        baseline (cost 0):     room 4bn.   {a}: 3bn;  {b, c}: 3.5bn (cost 1.5)   -> best 3.5bn
        kyc      (cost 0.2bn): room 3.8bn. {a, d}: 4bn; {b, c, d}: 4.5bn (cost 1.9) -> best 4.5bn
    Without `excludes`, {a, b, c, d} (cost 3.4bn) would fit: 7.5bn; without `requires`,
    {a, c, d} (cost 2.4bn): 5.5bn. Both rules bind.
    Optimum: kyc, 100,000 H100e, b, c and d: V = 4.5bn + 1bn = 5.5bn,
    U = 5bn - 0.2bn - 1.9bn = 2.9bn.
    """
    pf, result = solved("requires-excludes")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(5.5e9, rel=REL)
    (deal,) = result.deals
    assert deal.security == "kyc"
    assert deal.concessions == {"b": True, "c": True, "d": True}
    assert deal.compute == {"2026": pytest.approx(100_000, rel=REL)}
    assert deal.partner_utility == pytest.approx(2.9e9, rel=REL)
    assert_checked(pf, result)


def test_tier3_gets_an_empty_deal_even_when_the_policy_caps_allow_more() -> None:
    """EE is tier 3 under a policy whose caps say tier 3 may take 100,000 under baseline.

    Tier 3 receives nothing, ever (DESIGN.md), so x = 0 whatever the caps say. EE's BATNA
    is 0 and baseline costs it nothing, so a deal with nothing in it is acceptable to EE
    (0 >= 0); the US values it at 0, against us_batna = -1bn without a deal.
    Optimum: a deal with no compute and no concessions, V = 0 (decisions.md: an empty
    deal acceptable to both sides is reported as a deal).
    """
    pf, result = solved("embargo")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(0.0, abs=1e3)
    (deal,) = result.deals
    assert deal.partner == "EE"
    assert deal.compute == {"2026": pytest.approx(0.0, abs=1e-6)}
    assert deal.concessions == {}
    assert result.no_deal == []
    assert_checked(pf, result)


def test_tiny_partner_best() -> None:
    """partner-best on tests/data/tiny: max U subject to V >= V_floor.

    Default floor: the US utility of no deal, 0. U = value(x) - costs - security cost:
        baseline: x <= 10,000, value 0.3bn < BATNA 1bn: refused
        kyc:      x = 50,000, no concession: U = 1.5bn - 0.1bn = 1.4bn, V = 0 >= 0
        veu:      x = 100,000, no concession: U = 3bn - 0.5bn = 2.5bn, V = 8k x 100,000 = 0.8bn
    Optimum: veu, 100,000, no concessions; U = 2.5bn, V = 0.8bn.

    Floor 2bn: V = 8k x + 1.5bn with small + no-prc needs x >= 62,500; U = 30k x - 1.2bn is
    largest at x = 100,000: U = 1.8bn, V = 2.3bn (large costs 2.5bn: U < BATNA; kyc has
    V <= 1.5bn with any affordable concessions). At this floor the partner-best package is
    the us-best one.

    Floor 3bn: more than the US can get at all (the us-best optimum is 2.3bn): infeasible.
    """
    pf, result = solved("tiny", "partner-best")
    assert result.status is Status.OPTIMAL
    assert result.partner_total == pytest.approx(2.5e9, rel=REL)
    assert result.objective == result.partner_total  # what partner-best maximised
    assert result.us_value == pytest.approx(0.8e9, rel=REL)
    (deal,) = result.deals
    assert (deal.security, deal.concessions) == ("veu", {})
    assert deal.compute == {"2026": pytest.approx(100_000, rel=REL)}
    assert_checked(pf, result)

    pf, result = solved("tiny", "partner-best", v_floor=2e9)
    assert result.partner_total == pytest.approx(1.8e9, rel=REL)
    assert result.us_value == pytest.approx(2.3e9, rel=REL)
    assert result.deals[0].concessions == {"invest": "small", "no-prc": True}
    assert_checked(pf, result)

    _, result = solved("tiny", "partner-best", v_floor=3e9)
    assert result.status is Status.INFEASIBLE
    assert result.deals == []
    assert result.objective is None


def test_supply_shared_partner_best() -> None:
    """partner-best on supply-shared: max U_A + U_B subject to V >= 0 (no deal).

    Both value compute at 30k and the US gains on every H100e (10k from AA, 5k from BB),
    so the floor never binds. A partner without a deal keeps its BATNA:
        both in a deal:  30k (x_A + x_B) <= 30k x 150,000 = 4.5bn (supply binds)
        AA alone:        30k x 100,000 (its ask) + BB's BATNA 2bn = 5bn
        BB alone:        30k x 100,000 + AA's BATNA 0 = 3bn
    Optimum: AA alone with 100,000 H100e; sum of utilities 5bn, V = 10k x 100,000 = 1bn.
    """
    pf, result = solved("supply-shared", "partner-best")
    assert result.status is Status.OPTIMAL
    assert result.partner_total == pytest.approx(5e9, rel=REL)
    assert result.us_value == pytest.approx(1e9, rel=REL)
    assert result.no_deal == ["BB"]
    (deal,) = result.deals
    assert (deal.partner, deal.concessions) == ("AA", {})
    assert deal.compute == {"2026": pytest.approx(100_000, rel=REL)}
    assert_checked(pf, result)


def _cbc_or_skip() -> None:
    from dealbench.errors import SolverError
    from dealbench.optimize import make_backend

    try:
        make_backend("cbc")
    except SolverError as exc:  # PuLP 4 (Python 3.12+) without the cbc extra
        pytest.skip(str(exc))


@pytest.mark.parametrize(
    ("name", "objective"),
    [
        ("tiny", 2.3e9),
        ("supply-shared", 2.5e9 - 1.25e9 / 3),
        ("risk-piecewise", 1.4e9),
        ("requires-excludes", 5.5e9),
        ("embargo", 0.0),
    ],
)
def test_cbc_finds_the_same_optima(name: str, objective: float) -> None:
    """The alternative solver reaches the optima derived above."""
    _cbc_or_skip()
    pf, result = solved(name, solver="cbc")
    assert result.status is Status.OPTIMAL
    assert result.solver.name == "cbc"
    assert result.objective == pytest.approx(objective, rel=REL, abs=1e3)
    assert_checked(pf, result)
