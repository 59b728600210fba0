"""Session 48 (qa48-neg2): faults other helpers noticed in the rounds, the room, the
frontier's words and the library's refusals. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench.errors import ArgumentError, InputError
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import improvements
from dealbench.negotiate.record import record_offer
from dealbench.negotiate.round_points import deal_frontier
from dealbench.negotiate.rounds.read import load_negotiations
from dealbench.negotiate.verdict import verdict
from dealbench.optimize.solve import solve
from helpers import invoke
from test_nodeal_one import _deals as vn_deals

#: India at baseline, 25,000 H100e a year: it accepts, and the US loses $2.28bn by it.
LOSING = """partner: IN
security: baseline
compute: {2026: 25_000, 2027: 25_000, 2028: 25_000}
"""


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_an_offer_worth_less_to_the_us_than_no_deal_says_so(deals: Path, tmp_path: Path) -> None:
    """`offer PF --partner IN --package FILE` recorded a package worth -$2.28bn to the US,
    against $0 without a deal, without a word (only the internal term sheet's annex said
    it). It is recorded (the user asked), and the library, the output and --json say the US
    would be better off without it, by how much."""
    package = tmp_path / "in.yaml"
    package.write_text(LOSING)
    path = deals / "portfolios/global.yaml"
    pf = load_portfolio(path)
    done = record_offer(pf, tmp_path / "lib-rounds", "IN", package=package)
    assert done.round.number == 1  # recorded all the same
    assert done.no_deal_note.startswith(
        "Warning: the United States would be $2.28bn better off without this deal: its US "
        "utility, -$2.28bn, is below the US walk-away value of $0"
    ), done.no_deal_note
    assert done.to_json()["no_deal_note"] == done.no_deal_note
    rounds, out = tmp_path / "rounds", tmp_path / "docs"
    said = invoke(["offer", path, "-p", "IN", "--package", package, "--rounds", rounds,
                   "--out", out])  # fmt: skip
    assert said.exit_code == 0, said.output
    assert "$2.28bn better off without this deal" in _flat(said.stdout)
    sheet = (out / "term-sheets/IN-offer-001-internal.md").read_text(encoding="utf-8")
    assert "$2.28bn better off without this deal" in sheet
    again = invoke(["offer", path, "-p", "IN", "--package", package, "--rounds", rounds,
                    "--no-documents", "--json"])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "$2.28bn better off" in json.loads(again.stdout)["no_deal_note"]
    # An offer worth more to the US than no deal says nothing of it.
    good = invoke(["offer", path, "-p", "KR", "--rounds", rounds, "--no-documents",
                   "--json"])  # fmt: skip
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["no_deal_note"] is None


def test_the_room_names_the_command_of_each_next_move(deals: Path) -> None:
    """The room named a command only for the frontier its reason speaks of; for accept and
    offer it left the negotiator to the Next move column. Each move a command makes is
    followed by it, as `counter`'s Next line names it (`move_command`)."""
    portfolio, rounds = deals / "portfolios/gulf-asia.yaml", deals / "rounds/gulf-asia"
    said = invoke(["room", portfolio, "--rounds", rounds, "--strategy", "linear"])
    assert said.exit_code == 0, said.output
    lines = said.stdout.splitlines()
    assert (
        f"    Next: dealbench conclude {portfolio} --partner AE --round 4 --rounds {rounds}"
        in lines
    ), said.stdout
    assert (
        f"    Next: dealbench offer {portfolio} --partner QA --strategy linear --rounds {rounds}"
        in lines
    ), said.stdout
    # No command for a move none makes (MY: no offer), nor for a concluded deal (SA).
    assert not [x for x in lines if "--partner MY" in x or "--partner SA" in x], said.stdout
    # The command named concludes AE's deal.
    done = invoke(["conclude", portfolio, "--partner", "AE", "--round", "4", "--rounds", rounds,
                   "--no-documents"])  # fmt: skip
    assert done.exit_code == 0, done.output


def test_the_deals_frontier_names_no_solve_no_command_runs(tmp_path: Path) -> None:
    """The frontier of a deal within what the other negotiations leave (the negotiation
    page's and `history`'s chart) said "Why no deal with VN, as `solve` says it", of a
    solve of that deal alone no command runs."""
    deals = vn_deals(tmp_path / "deals")
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    pf = load_portfolio(deals / "portfolios/mine.yaml")
    notes = deal_frontier(pf, rounds, "VN", points=3).notes
    assert [n for n in notes if n.startswith("Why no deal with VN within what the other negotiations leave: no package VN accepts")], notes  # fmt: skip
    assert not [n for n in notes if "`solve`" in n], notes


def test_frontier_counts_the_points_asked_apart_from_the_bargaining_points(deals: Path) -> None:
    """`frontier --points 2` said "4 points": the Nash and Kalai points were counted among
    those asked for."""
    said = invoke(["frontier", deals / "portfolios/gulf-asia.yaml", "-p", "AE", "--points", "2"])
    assert said.exit_code == 0, said.output
    assert (
        "Method: epsilon-constraint, 2 points on the grid, plus the Nash and Kalai points, "
        in _flat(said.stdout)
    ), said.stdout


def test_library_refusals_name_the_librarys_parameters(deals: Path, tmp_path: Path) -> None:
    """`improvements(..., others=[own package])` said "hold:" (the CLI's option),
    `record_offer(expect=...)` the web's "a form sent twice", and `verdict(round_number=-1)`
    and `solve(threads=-1)` were taken as given."""
    path = deals / "portfolios/gulf-asia.yaml"
    pf = load_portfolio(path)
    own = Package(partner="AE", security="veu", compute={"2026": 100_000})
    with pytest.raises(ArgumentError) as held:
        improvements(pf, own, [own])
    assert held.value.argument == "others"
    assert str(held.value).startswith("others: AE is the package's own partner"), held.value
    twice = Package(partner="SA", security="veu", compute={"2026": 100_000})
    with pytest.raises(ArgumentError) as again:
        improvements(pf, own, [twice, twice])
    assert again.value.argument == "others"
    # The CLI says its option.
    package = tmp_path / "ae.yaml"
    package.write_text("partner: AE\nsecurity: veu\ncompute: {2026: 100_000}\n")
    said = invoke(["improve", package, "--portfolio", path, "--hold", package])
    assert said.exit_code == 2 and "--hold" in said.stderr, said.output

    rounds = deals / "rounds/gulf-asia"
    with pytest.raises(InputError) as stale:
        record_offer(pf, rounds, "AE", package=own, expect=3)
    message = str(stale.value)
    assert "rounds 3–4 (003-us.yaml, 004-partner.yaml) were recorded already" in message
    assert "`expect`" in message and "form" not in message and "page" not in message

    counter = load_negotiations(pf, rounds)["AE"].rounds[-1].package
    assert counter is not None
    with pytest.raises(ArgumentError) as numbered:
        verdict(pf, load_negotiations(pf, rounds), counter, round_number=-1)
    assert numbered.value.argument == "round_number"
    with pytest.raises(ArgumentError) as threads:
        solve(pf, threads=-1)
    assert threads.value.argument == "threads"
    assert "expected at least 1 thread, got -1" in str(threads.value)
