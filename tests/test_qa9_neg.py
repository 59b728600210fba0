"""A fifth pass on negotiation (qa9-neg): next offers, amounts, logrolling and redlines
tried with a negotiator's own partners (tests/data/qa9neg/).

The fixtures are small enough to work out by hand; each test's docstring does.
- `pair.yaml`: Arcadia (XA: an investment range 0-300bn in steps of 50bn, `no-prc`,
  `pax` free to it, `buy-gas` worth nothing to the US) and Belloria (XB), 2027-2028.
- `solo.yaml`: Cordovia (XC: investment 0-1tn in steps of 20bn) with supply to spare.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import load_portfolio, record_offer
from dealbench.model.schema import Portfolio
from helpers import DATA, Runner

PAIR = DATA / "qa9neg/pair.yaml"
SOLO = DATA / "qa9neg/solo.yaml"


@pytest.fixture(scope="module")
def pair() -> Portfolio:
    return load_portfolio(PAIR)


@pytest.fixture(scope="module")
def solo() -> Portfolio:
    return load_portfolio(SOLO)


def test_fix_keeps_the_amount_of_a_range(solo: Portfolio, tmp_path: Path) -> None:
    """Cordovia's first offer, its ideal, asks USD 1tn of investment (40bn to the US, 28bn
    to XC: U = 36bn of compute - 1bn veu - 28bn = 7bn over a need of 5.1bn). The second
    offer, `--fix invest`, linear with a deadline of 1 (target: the reservation value,
    0), named USD 960bn: fixing a range kept its amount only through the large value
    added to it, and the grid's amounts below it (980bn, 960bn, ...) were valued on a
    straight line from 0 to that value, so 960bn still met the raised floor."""
    first = record_offer(solo, tmp_path, "XC", strategy="linear", deadline=1)
    assert first.round.package.concessions == {"invest": "1tn"}
    second = record_offer(solo, tmp_path, "XC", fix=["invest"])
    assert second.round.package.concessions == {"invest": "1tn"}
    assert second.round.package.security == first.round.package.security


def test_fixed_terms_no_package_keeps_are_explained(run: Runner, tmp_path: Path) -> None:
    """Our first offer to Arcadia asked USD 300bn of investment (9bn to XA) and `no-prc`
    (1.5bn) under veu: XA's best case keeping 300bn is 10.25bn of compute less 1bn of veu
    and 9bn, 0.25bn against a need of 3.1bn, so no package XA accepts keeps it. `offer
    --fix invest` said "no package with XA reaches the target US utility 5,299,189,815
    USD, keeping invest of the last offer": the target was the US-best package of the
    fixed menu, which had simply left the fixed investment out (0 invest, kyc)."""
    rounds = tmp_path / "rounds"
    first = run(
        "offer", PAIR, "--partner", "XA", "--package", DATA / "qa9neg/xa-300bn.yaml",
        "--rounds", rounds, "--no-documents",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    fixed = run("offer", PAIR, "--partner", "XA", "--fix", "invest", "--rounds", rounds)
    assert fixed.exit_code == 3, fixed.output
    assert fixed.stderr == (
        "error: no package XA accepts keeps invest=300bn of the last offer (the other partners "
        "held at the plan); fix fewer terms, or offer a package of your own (--package)\n"
    )
    assert sorted(p.name for p in (rounds / "XA").glob("*.yaml")) == ["001-us.yaml"]
    assert not (tmp_path / "out").exists()
