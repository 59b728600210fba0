"""Negotiating many deals at once, from the CLI and the library (qa32-neg).

On a copy of the shipped worked example (gulf-asia: SA concluded in round 4, 353,359
H100e of 2026's supply of 1,000,000; AE's counter of round 4 asks 600,000 of 2026) and
on a generated M portfolio: offers by each strategy, counters better, worse and the same
as our offer, conclusions, walk-aways, the room, history and two commands at once.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.errors import InputError
from dealbench.model.package import Package
from dealbench.negotiate import load_negotiations, record
from dealbench.negotiate.record import conclude, record_offer
from helpers import REPO, deals_copy, edit_first_line, invoke

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def test_two_partners_concluded_at_once_cannot_together_break_the_supply(
    rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AE's counter of round 4 takes 600,000 H100e of 2026 and our offer to QA 100,000:
    each fits beside SA's deal (353,359 of 1,000,000), both together do not (1,053,359).
    Concluded one after the other, the second is refused ("supply in 2026: 1,053,359
    H100e allocated with the deals concluded with AE and SA"). Concluded at once (two
    shells, or `conclude` while another command held AE's folder), each checked against
    the deals concluded before either, and both were recorded: the room then read "Supply
    left after concluded deals: 2026 -53,359/1,000,000". Here both reach their check
    before either writes, unless the first holds the others back until it has written."""
    pf = load_portfolio(PORTFOLIO)
    qa = Package(
        partner="QA",
        security="veu",
        compute={"2026": 100_000, "2027": 100_000, "2028": 150_000},
        concessions={"invest-us": "100bn", "pax-silica": True, "us-operated": True},
    )
    record_offer(pf, rounds, "QA", package=qa)
    both_checking = threading.Barrier(2, timeout=3)
    real_check = record.check

    def check_when_both_are_here(*args: object, **kwargs: object) -> object:
        # A conclusion held back until the other has written breaks the barrier: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checking.wait()
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(record, "check", check_when_both_are_here)
    outcomes: dict[str, str] = {}

    def conclude_with(code: str, round_number: int | None) -> None:
        try:
            conclude(pf, rounds, code, round_number=round_number)
            outcomes[code] = "concluded"
        except InputError as exc:
            outcomes[code] = str(exc)

    threads = [
        threading.Thread(target=conclude_with, args=("AE", 4)),
        threading.Thread(target=conclude_with, args=("QA", None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()).count("concluded") == 1, outcomes
    refused = next(o for o in outcomes.values() if o != "concluded")
    assert "no deal can be concluded on round" in refused
    assert "supply in 2026: 1,053,359 H100e allocated with the deals concluded with" in refused
    negotiations = load_negotiations(pf, rounds)
    concluded = [c for c, n in negotiations.items() if n.concluded_package is not None]
    assert sorted(concluded) in (["AE", "SA"], ["QA", "SA"])
    assert not list(rounds.glob(".*")), "nothing is created in the rounds folder"


def test_the_room_and_solve_say_when_the_concluded_deals_no_longer_fit_the_supply(
    tmp_path: Path, rounds: Path
) -> None:
    """SA's deal, concluded in round 4, takes 353,359 H100e of 2026. With the portfolio's
    2026 supply then cut from 1,000,000 to 300,000 (a forecast revised), the deal stays
    fixed and the open negotiations get nothing of 2026; `room` read only "Supply left
    after concluded deals (H100e): 2026 -53,359/300,000" and `solve --rounds` "Supply used
    2026 ... of 300,000" under "Status: optimal", without a word of the overrun."""
    deals = deals_copy(tmp_path)
    edit_first_line(deals, "portfolios/gulf-asia.yaml", r"^  2026: 1_000_000", "  2026: 300_000")
    portfolio = deals / "portfolios/gulf-asia.yaml"
    said = (
        "The concluded deals (SA) together break the portfolio's limits as they now stand "
        "(supply in 2026: 353,359 H100e allocated, 300,000 available): they stay fixed as "
        "agreed, and nothing of that is left for the open negotiations."
    )
    room = invoke(["room", portfolio, "--rounds", rounds])
    assert room.exit_code == 0, room.output
    assert "2026 -53,359/300,000" in " ".join(room.stdout.split())
    assert said in " ".join(room.stdout.split())
    as_json = invoke(["room", portfolio, "--rounds", rounds, "--json"])
    assert json.loads(as_json.stdout)["overcommitted"] == said
    solved = invoke(["solve", portfolio, "--rounds", rounds])
    assert solved.exit_code == 0, solved.output
    assert said in " ".join(solved.stdout.split())


def test_an_offer_fitted_to_a_moved_plan_says_why_its_package_differs_from_our_last(
    rounds: Path,
) -> None:
    """Zeuthen opens to SG at the US ideal with the plan's 18,349 H100e in 2026 and 2027
    and 79,092 in 2028. IN walks away, and the re-plan gives its supply to others, leaving
    SG 17,895 in 2026 and 2027. SG counters with our offer's very terms; the next offer
    said "the partner should concede, so the US repeats its offer", and recorded 17,895 /
    17,895 / 80,000: another package, with no word of why."""
    pf = load_portfolio(PORTFOLIO)
    first = record_offer(pf, rounds, "SG", strategy="zeuthen").round
    assert first.package is not None
    assert first.package.compute["2026"] == 18_349
    record.walk_away(pf, rounds, "IN")
    record.record_counter(pf, rounds, "SG", first.package)
    again = record_offer(pf, rounds, "SG")
    assert again.round.package is not None
    assert again.round.package.compute["2026"] == 17_895
    reason = again.round.data.strategy.reason  # type: ignore[union-attr]
    # The counter is our offer: agreement, not a side to concede (qa33-neg).
    assert "is our offer of round 1 word for word, so the process ends" in reason
    assert (
        "our offer of round 1 no longer fits beside the deals concluded and the plan for the "
        "other open negotiations (2026 leaves SG 17,895 H100e, where it gave 18,349 and 2027 "
        "leaves SG 17,895 H100e, where it gave 18,349), so this package is fitted to what they "
        "leave"
    ) in reason


def test_an_offer_after_one_of_our_own_over_a_cap_says_the_cap_not_the_plan(
    rounds: Path,
) -> None:
    """Our own package to BH (`offer --package`): 150,000 H100e of 2026 under kyc, over its
    ask of 20,000 and the tier 2 cap under kyc of 100,000. The next offer by strategy gives
    BH less, and said "it no longer fits beside the deals concluded and the plan for the
    other open negotiations: 2026 leaves BH ... H100e, where it gave 150,000", as if it
    once had: it never kept its own limits."""
    pf = load_portfolio(PORTFOLIO)
    over = Package(
        partner="BH",
        security="kyc",
        compute={"2026": 150_000, "2027": 10_000, "2028": 10_000},
        concessions={"align-controls": True, "invest-us": "5bn"},
    )
    record_offer(pf, rounds, "BH", package=over)
    nxt = record_offer(pf, rounds, "BH", strategy="linear")
    reason = nxt.round.data.strategy.reason  # type: ignore[union-attr]
    assert "less than our offer of round 1 did" in reason
    assert (
        "round 1's offer breaks a limit now: BH: 2026 compute 150,000 H100e exceeds its ask of 20,000 H100e; "
        "BH: 2026 compute 150,000 H100e exceeds the tier 2 cap under kyc of 100,000 H100e"
    ) in reason
    assert "no longer fits" not in reason
