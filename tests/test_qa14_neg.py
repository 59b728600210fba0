"""The negotiation layer checked against a reference written from the documentation
(qa14-neg): what disagreed with it, on small portfolios of Alpha (XA) and Beta (XB).

`tight.yaml`: Alpha (XA, tier 2, asks 120,000 H100e worth 60k each up to 50,000 and
25k beyond, BATNA 3bn plus a margin of 100m) and Beta (XB), one period. Alpha accepts
nothing even alone: its whole ask is worth 4.75bn, less 2bn under veu is 2.75bn; kyc
(cap 60,000) gives 3.25bn - 0.4bn; baseline (cap 20,000) 1.2bn; all below 3.1bn.
`solo.yaml`: Alpha alone over 2026-2027 (asks 120,000 and 150,000), supply to spare.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import Package, check, load_package, load_portfolio, record_counter, record_offer
from helpers import DATA, REPO, Runner

TIGHT = DATA / "qa14neg/tight.yaml"
XA_COUNTER = DATA / "qa14neg/xa-counter.yaml"
SOLO = DATA / "qa14neg/solo.yaml"


def test_a_no_deal_frontier_point_gives_the_partner_its_batna(tmp_path: Path) -> None:
    """Alpha's counter (kyc, 70,000 H100e, invest 50bn, no-prc) breaks its kyc cap, the
    risk budget and its own acceptance (U = 3.25bn + 0.25bn - 3.5bn - 0.4bn = -0.4bn).
    No package gives Alpha its 3.1bn within the budget, so the verdict's frontier point
    is no deal: the US gets its us_batna (-2bn) and Alpha its BATNA (3bn). The JSON said
    3.1bn, the acceptance threshold, a utility no deal gives it."""
    portfolio = load_portfolio(TIGHT)
    said = record_counter(portfolio, tmp_path, "XA", XA_COUNTER).verdict
    assert said.frontier.package is None
    assert said.frontier.us_utility == -2e9
    assert said.frontier.partner_utility == 3e9
    assert said.frontier.gain == -2e9 - said.us_utility
    counter = load_package(XA_COUNTER, portfolio)
    assert not check(portfolio, [counter]).ok  # it breaks limits, as the verdict says


def test_the_no_deal_frontier_point_is_said_with_both_walk_away_values(
    run: Runner, tmp_path: Path
) -> None:
    """The same counter from the command line: the frontier line names what no deal gives
    each side."""
    said = run(
        "counter", TIGHT, XA_COUNTER, "--rounds", tmp_path / "rounds", "--no-documents",
    )  # fmt: skip
    assert said.exit_code == 0, said.output
    assert (
        "Frontier: no package gives the partner that utility; no deal gives the US -$2.00bn, "
        "$7.65bn less than the counter's $5.65bn, and the partner its walk-away value $3.00bn"
    ) in " ".join(said.stdout.split())


def test_a_counter_beyond_the_fixed_ideal_is_not_blamed_on_supply(tmp_path: Path) -> None:
    """Alpha alone (`solo.yaml`, supply to spare), its whole ask of 270,000 H100e under veu
    worth 10.25bn to it. Our offer: invest 50bn and no-prc, no pax (V = 6bn + 7k x
    270,000 = 7.89bn, U = 10.25bn - 2bn - 3.5bn = 4.75bn). Its counter adds pax (V
    8.39bn, U 4.65bn). The next offer keeping pax out cannot give the US what the counter
    does (the most it can is our offer again), and the reason said the counter "takes
    supply or risk budget the plan gives them", with no other partner and supply to spare:
    it is the term kept out."""
    portfolio = load_portfolio(SOLO)
    ours = Package(partner="XA", security="veu", compute={"2026": 120_000, "2027": 150_000},
                   concessions={"invest": "50bn", "no-prc": True})  # fmt: skip
    record_offer(portfolio, tmp_path, "XA", package=ours)
    theirs = ours.model_copy(update={"concessions": {**ours.concessions, "pax": True}})
    said = record_counter(portfolio, tmp_path, "XA", theirs).verdict
    assert said.us_utility == pytest.approx(8.39e9)
    assert said.violations == []
    offer = record_offer(portfolio, tmp_path, "XA", strategy="linear", deadline=3, fix=["pax"])
    assert offer.round.package.concessions == {"invest": "50bn", "no-prc": True}
    assert check(portfolio, [offer.round.package]).ok
    assert offer.proposal is not None
    reason = offer.proposal.strategy.reason
    assert "keeping pax of the last offer" in reason
    assert "supply" not in reason


def test_frontier_takes_the_partner_as_the_round_commands_do(run: Runner) -> None:
    """`offer`, `counter` and `conclude` take `-p AE`; `frontier -p AE` was refused."""
    short = run("frontier", REPO / "deals/portfolios/gulf-asia.yaml", "-p", "AE", "--points", "3")
    assert short.exit_code == 0, short.stderr
