"""qa26-pbties: partner-best's ties broken for the US, as us-best's are for the partner."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.checker import check, evaluate
from dealbench.errors import InfeasibleError
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import solve
from dealbench.optimize.bargain.solve import ideal_gains
from dealbench.optimize.best import with_ties_broken
from dealbench.optimize.explain.infeasible import raise_explained
from dealbench.optimize.finish import result_from_check
from dealbench.optimize.prefer import us_preferred
from dealbench.optimize.result import SolveResult, SolverInfo, Status

PBTIE = Path(__file__).parent / "data" / "qa26pbties" / "portfolio.yaml"
FULL = {"2026": 50_000.0, "2027": 50_000.0}


@pytest.mark.parametrize("method", ["decompose", "plain"])
def test_partner_best_gives_the_us_its_preferred_package_at_the_same_partner_utility(
    method: str,
) -> None:
    """TB gets its whole ask (60k x 100,000 H100e = USD 6bn) whatever the terms: `base` and
    `strict` cost it nothing, nor does `buy` (USD 500m to the US). So every package of
    the whole ask, base or strict, buy or not, gives TB U = 6bn, and the US gets
    10k x 100,000 - 50k x 0.2 x (1 - m) x 100,000 (+ 500m with buy): 0 (base), 500m
    (strict), 1bn (strict and buy). partner-best returned base and buy (decompose) or
    strict alone (plain), V 500m; now strict and buy, V 1bn, TB's 6bn unchanged."""
    result = solve(load_portfolio(PBTIE), "partner-best", method=method)
    tb = result.deal("TB")
    assert tb is not None
    assert (tb.security, tb.concessions) == ("strict", {"buy": True})
    assert tb.partner_utility == pytest.approx(6e9)
    assert result.objective == result.partner_total == pytest.approx(6e9)  # the partners' total
    assert result.us_value == pytest.approx(1e9)
    assert result.solver.details["unrounded_us_value"] == pytest.approx(1e9)


def _held(v_floor: float) -> tuple[Portfolio, SolveResult]:
    """partner-best's result as the decomposition returned it: base and buy, V 500m."""
    pf = load_portfolio(PBTIE)
    base = Package(partner="TB", security="base", compute=FULL, concessions={"buy": True})
    details = {"unrounded_us_value": 500e6}
    info = SolverInfo(name="test", version="0", seconds=0.0, gap=0.0, details=details)
    held = result_from_check(
        pf, "partner-best", Status.OPTIMAL, info, check(pf, [base]), v_floor=v_floor
    )
    return pf, held


def test_the_floor_binds_only_while_the_packages_sit_on_it() -> None:
    """Base and buy sit on a floor of 500m (V 500m): "held at its floor". The tie's swap to
    strict (V 1bn, U the same) lifts V off it: the line goes, the floor stays 500m, and
    what partner-best maximised (the partners' total, 6bn) is reported as before."""
    pf, held = _held(500e6)
    assert [b.kind for b in held.binding] == ["v-floor"]
    after = with_ties_broken(pf, held)
    tb = after.deal("TB")
    assert tb is not None and tb.security == "strict"
    assert after.v_floor == pytest.approx(500e6)
    assert after.us_value == pytest.approx(1e9)
    assert after.objective == after.partner_total == pytest.approx(6e9)
    assert [b.kind for b in after.binding] == []
    assert after.solver.details["unrounded_us_value"] == pytest.approx(1e9)


def test_us_ties_keep_the_partners_utility_and_never_raise_risk() -> None:
    """`lease` excludes `buy` and costs TB 100m: never swapped in (U would fall). Vault
    (mitigation 0.9) would cut the risk and give the US more, but costs TB 900m: not
    taken; strict and buy is the US's best at TB's 6bn, and nothing is left to swap."""
    pf = load_portfolio(PBTIE)
    held = evaluate(pf, Package(partner="TB", security="base", compute=FULL, concessions={}))
    swapped = us_preferred(pf, [held])
    assert swapped is not None
    better = evaluate(pf, swapped[0])
    assert (better.security, better.concessions) == ("strict", {"buy": True})
    assert better.partner_utility == pytest.approx(held.partner_utility)
    assert better.risk <= held.risk
    assert us_preferred(pf, [better]) is None


def test_infeasible_partner_best_is_still_explained() -> None:
    """A floor of 2bn above the most any package gives the US (vault and buy: 1.4bn)."""
    pf = load_portfolio(PBTIE)
    result = solve(pf, "partner-best", v_floor=2e9)
    with pytest.raises(InfeasibleError) as info:
        raise_explained(pf, result, mode="partner-best", v_floor=2e9)
    assert "lower the US utility floor from $2.00bn to $1.40bn" in str(info.value)


def test_nash_ideals_are_unchanged_by_the_us_ties() -> None:
    """The ideals read partner-best's partner utility, which the ties keep: TB's 6bn less
    its 1bn walk-away; the US ideal is us-best's (vault and buy: 1.4bn)."""
    (vi, ui) = ideal_gains(load_portfolio(PBTIE))["TB"]
    assert (vi, ui) == (pytest.approx(1.4), pytest.approx(5.0))
