"""Logrolling: improvements really leave both sides better off and pass `check`;
concessions are ranked by US value per USD of partner cost.

The hand-worked fixture: AA values compute at 30k per H100e, asks 100,000 H100e
in 2026 and walks away at -1bn (it needs little to accept). Under `baseline`
(mitigation 0) one H100e is worth 10k - 100k x 0.2 = -10k to the US; under `veu`
(mitigation 1, costing AA 0.5bn) +10k. Its menu: `cheap` (US 2bn, AA 0.5bn) and
`dear` (US 0.5bn, AA 2bn). The package: baseline, 50,000 H100e, `dear`:
V = 0.5bn - 0.5bn = 0 and U = 1.5bn - 2bn = -0.5bn.

The best change: swap `dear` for `cheap` (US +1.5bn, AA +1.5bn) and deliver the
whole ask (AA +1.5bn, US -0.5bn): V = 2bn - 1bn = 1bn, U = 3bn - 0.5bn = 2.5bn,
gains +1bn and +3bn, joint 4bn.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import DrawPicker, concession, generate, partner, policy, portfolio
from dealbench import check, evaluate
from dealbench.errors import InputError
from dealbench.model import Package, Portfolio
from dealbench.negotiate import concession_ranking, improvements
from dealbench.negotiate.logroll import MIN_GAIN
from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
OFFER = REPO / "deals/packages/ae-offer.yaml"


def fixture(supply: float = 100_000) -> Portfolio:
    aa = partner(
        "AA",
        diversion_risk=0.2,
        ask={"2026": 100_000},
        value="30k",
        batna="-1bn",
        security_costs={"baseline": 0, "veu": "500m"},
        concessions=[
            concession("cheap", us_value="2bn", partner_cost="500m"),
            concession("dear", us_value="500m", partner_cost="2bn"),
        ],
    )
    bb = partner("BB", ask={"2026": 100_000}, security_costs={"veu": 0})
    the_policy = policy(
        levels=(("baseline", 0.0), ("veu", 1.0)), export_value="10k", risk_penalty="100k"
    )
    return portfolio(the_policy, [aa, bb], supply={"2026": supply})


PACKAGE = Package(
    partner="AA", security="baseline", compute={"2026": 50_000}, concessions={"dear": True}
)


def test_the_best_improvement_is_the_hand_worked_one() -> None:
    pf = fixture()
    base = evaluate(pf, PACKAGE)
    assert (base.us_value, base.partner_utility) == pytest.approx((0.0, -0.5e9))
    best = improvements(pf, PACKAGE)[0]
    assert best.rank == 1
    assert best.changes == [
        "add cheap",
        "drop dear",
        "2026 compute 50,000 → 100,000 H100e",
    ]
    assert best.package.concessions == {"cheap": True}
    assert (best.us_gain, best.partner_gain, best.joint_gain) == pytest.approx((1e9, 3e9, 4e9))


def test_improvements_are_ranked_by_joint_gain_and_really_improve() -> None:
    pf = fixture()
    found = improvements(pf, PACKAGE)
    assert len(found) > 3
    gains = [i.joint_gain for i in found]
    assert gains == sorted(gains, reverse=True)
    assert [i.rank for i in found] == list(range(1, len(found) + 1))
    for i in found:
        deal = evaluate(pf, i.package)
        assert deal.us_value == pytest.approx(i.us_utility)
        assert i.us_gain >= MIN_GAIN and i.partner_gain >= MIN_GAIN
        assert check(pf, [i.package]).ok
    assert improvements(pf, PACKAGE, top=2) == found[:2]


def test_other_deals_are_held_fixed() -> None:
    """BB holds 80,000 of the 100,000 H100e: AA can get at most 20,000 more... and not the
    50,000 it has, so only its concessions and level can move (and compute down)."""
    pf = fixture()
    bb = Package(partner="BB", security="veu", compute={"2026": 50_000})
    found = improvements(pf, PACKAGE, [bb])
    assert found
    for i in found:
        assert i.package.compute.get("2026", 0.0) <= 50_000 + 0.5
        assert check(pf, [i.package, bb]).ok
    with pytest.raises(InputError, match="own partner"):
        improvements(pf, PACKAGE, [PACKAGE])


def test_an_unknown_partner_is_an_input_error() -> None:
    with pytest.raises(InputError, match="partner 'ZZ' is not in portfolio test"):
        concession_ranking(fixture(), "ZZ")


def test_concessions_are_ranked_by_value_per_unit_of_cost() -> None:
    pf = fixture()
    ranking = concession_ranking(pf, "AA")
    assert [(r.concession, r.ratio) for r in ranking] == [("cheap", 4.0), ("dear", 0.25)]


def test_free_concessions_come_first_and_worthless_ones_last() -> None:
    menu = [
        concession("worthless", us_value=0, partner_cost="-1bn"),
        concession("mid", levels=[("lo", "1bn", "1bn"), ("hi", "3bn", "1bn")]),
        concession("free", us_value="1bn", partner_cost=0, requires=[{"security": "veu"}]),
    ]
    pf = portfolio(policy(), [partner("AA", concessions=menu)], supply={"2026": 1})
    ranking = concession_ranking(pf, "AA")
    assert [(r.concession, r.level) for r in ranking] == [
        ("free", None),
        ("mid", "hi"),
        ("mid", "lo"),
        ("worthless", None),
    ]
    assert ranking[0].ratio is None and ranking[0].note == "requires veu or stronger"
    assert [r.rank for r in ranking] == [1, 2, 3, 4]


def test_a_tiny_ratio_is_not_printed_as_nothing() -> None:
    """A term worth USD 75k to the US against USD 2.5tn to the partner printed a ratio of
    "0.00", which reads as worth nothing to the US."""
    menu = [
        concession("token", us_value="75k", partner_cost="2.5tn"),
        concession("cheap", us_value="4bn", partner_cost="1bn"),
    ]
    pf = portfolio(policy(), [partner("AA", concessions=menu)], supply={"2026": 1})
    texts = {r.concession: r.ratio_text for r in concession_ranking(pf, "AA")}
    assert texts == {"cheap": "4.00", "token": "less than 0.01"}


def test_the_shipped_offer_has_improvements() -> None:
    from dealbench import load_package, load_portfolio

    pf = load_portfolio(GULF)
    found = improvements(pf, load_package(OFFER, pf))
    assert found and all(check(pf, [i.package]).ok for i in found)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Portfolio, Package, list[Package]]:
    """A generated portfolio, a package for one partner (any level, compute from 0 to the
    ask, any concession levels: it may break limits), and packages held for others."""
    pf = generate(DrawPicker(draw), max_partners=3, max_periods=2, max_concessions=3)

    def package_for(i: int) -> Package:
        p = pf.partners[i]
        compute = {
            t: float(draw(st.sampled_from((0.0, 0.5, 1.0))) * pf.ask(p, t)) for t in pf.periods
        }
        grants: dict[str, str | bool] = {}
        for c in p.concessions:
            pick = draw(st.sampled_from([None, *c.options]))
            if pick is not None:
                grants[c.id] = True if c.is_yes_no else pick.id
        level = draw(st.sampled_from(pf.levels_for(p)))
        return Package(partner=p.code, security=level, compute=compute, concessions=grants)

    own = draw(st.integers(0, len(pf.partners) - 1))
    others = [package_for(i) for i in range(len(pf.partners)) if i != own and draw(st.booleans())]
    return pf, package_for(own), others


@settings(max_examples=40)
@given(cases())
def test_every_improvement_is_pareto_better_and_passes_check(
    case: tuple[Portfolio, Package, list[Package]],
) -> None:
    pf, package, others = case
    base = evaluate(pf, package)
    found = improvements(pf, package, others)
    gains = [i.joint_gain for i in found]
    assert gains == sorted(gains, reverse=True)
    for i in found:
        deal = evaluate(pf, i.package)
        assert deal.us_value >= base.us_value + MIN_GAIN * (1 - 1e-9)
        assert deal.partner_utility >= base.partner_utility + MIN_GAIN * (1 - 1e-9)
        assert deal.us_value - base.us_value == pytest.approx(i.us_gain)
        checked = check(pf, [i.package, *others])
        assert checked.ok, checked.problems()
        assert i.changes


# --- the CLI ----------------------------------------------------------------------------


def test_cli_prints_the_ranking_and_the_improvements(run: Runner) -> None:
    result = run("improve", OFFER, "--portfolio", GULF, "--top", "2")
    assert result.exit_code == 0, result.output
    assert "Concessions of AE, by US value per USD of partner cost" in result.stdout
    assert "Improvements for both sides, by joint gain" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ ")]
    assert any(line.startswith("│ 2 │") for line in rows)
    assert not any(line.startswith("│ 3 │ $") for line in rows)


def test_cli_json(run: Runner) -> None:
    result = run("improve", OFFER, "--portfolio", GULF, "--json", "--top", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["partner"] == "AE" and data["ranked_by"] == "joint_gain"
    assert len(data["improvements"]) <= 3
    first = data["improvements"][0]
    assert set(first) >= {"changes", "package", "us_gain", "partner_gain", "joint_gain"}
    assert data["ranking"][0]["concession"] == "no-prc-hardware"


def test_cli_holds_other_packages_and_refuses_bad_input(run: Runner, tmp_path: Path) -> None:
    sa = tmp_path / "sa.yaml"
    sa.write_text("partner: SA\nsecurity: veu\ncompute: {2026: 500_000}\n")
    result = run("improve", OFFER, "--portfolio", GULF, "--hold", sa)
    assert result.exit_code == 0, result.output
    bad = tmp_path / "zz.yaml"
    bad.write_text("partner: ZZ\nsecurity: veu\n")
    result = run("improve", bad, "--portfolio", GULF)
    assert result.exit_code == 2
    assert "partner 'ZZ' is not in portfolio gulf-asia" in result.stderr
    assert not result.traceback


def test_one_improvement_per_set_of_terms_unless_every_variant() -> None:
    """KR's investment is a range (0 to 350bn in 25bn steps): every amount is a variant of
    one trade; by default only the best of each set of changed terms is listed."""
    from dealbench import load_portfolio
    from dealbench.negotiate.logroll import _terms

    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    kr = Package(
        partner="KR", security="kyc", compute={"2026": 150_000}, concessions={"invest-us": "75bn"}
    )
    distinct = improvements(pf, kr)
    every = improvements(pf, kr, every_variant=True)
    assert len(every) > len(distinct) > 1
    keys = [_terms(kr, i.package) for i in distinct]
    assert len(set(keys)) == len(keys)
    assert distinct[0].package == every[0].package
    amounts = {i.package.concessions.get("invest-us") for i in every}
    assert {"100bn", "125bn", "350bn"} <= amounts
