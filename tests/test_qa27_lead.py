"""Session 27's own items: the risk page's package in the portfolio's unit; the web's
negotiation frontier says when the concluded deals took the zone of agreement; `improve`
says when nothing is held; a counter's portfolio figures read apart; the terms agreed
have an id of their own; the same counter is not recorded twice.

`deals` is tests/data/qa26fresh/ (steps of 512 B200 chips) copied, as test_qa26_web's;
each test of a fault failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.figures import h100e
from dealbench.units import CHIP_TPP, H100_TPP
from helpers import WEB_TOKEN, Runner, web_client, words

PORTFOLIO = "/p/americas-europe"


@pytest.fixture
def deals(fresh: Path) -> Path:
    return fresh


def test_the_risk_page_names_compute_in_the_chips_the_portfolio_decides_it_in(
    deals: Path,
) -> None:
    """The editor shows am-eu's compute in B200 chips; the risk page it links to listed the
    same package's compute in bare H100e figures ("2026Q3 27,287"), no unit said. Now
    chips of the model, with their H100e, as the editor and the term sheet say them."""
    per_chip = CHIP_TPP["B200"] / H100_TPP
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get(f"{PORTFOLIO}/risk?package=packages/mx-agreed.yaml")
        assert page.status_code == 200, page.text
        said = words(page.text)
        assert f"2026Q3 12,000 B200 chips ({h100e(12_000 * per_chip)} H100e)" in said
        assert f"2027Q2 17,591 B200 chips ({h100e(17_591 * per_chip)} H100e)" in said


def test_a_deal_without_a_zone_says_the_concluded_deals_took_the_room(
    deals: Path, run: Runner
) -> None:
    """With MX, VN and CH concluded, FR's frontier on the negotiation page (the other
    deals as their rounds leave them) said "ZOPA: none" and nothing more, where `solve`
    says a deal with FR alone would add $1.13bn. Now a note says the concluded deals use
    the room it needs."""
    portfolio = deals / "portfolios" / "americas-europe.yaml"
    for code in ("MX", "VN", "CH"):
        assert run("offer", portfolio, "--partner", code, "--out", deals / "out").exit_code == 0
        assert run("conclude", portfolio, "--partner", code, "--no-documents").exit_code == 0
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get(f"{PORTFOLIO}/n/FR/frontier")
        assert page.status_code == 200, page.text
        said = words(page.text)
    assert (
        "No zone of agreement within what the concluded deals (MX, VN and CH) leave of the "
        "shared limits: with no other deal, a deal with FR would add $1.13bn to US utility"
    ) in said


def test_improvements_found_alone_say_no_other_package_is_held(run: Runner) -> None:
    """`improve` on M seed 2's own optimal package of BJ proposed 13,500 H100e more in a
    quarter whose supply the other deals take, with nothing to say it counted the package
    alone. Now a line under the improvements says so, and how to hold the others (here
    AE's offer, whose improvements take 100,000 H100e more in 2026); with --hold it is
    not said."""
    from helpers import REPO

    deals = REPO / "deals"
    args = ["improve", deals / "packages" / "ae-offer.yaml", "--portfolio"]
    args += [deals / "portfolios" / "gulf-asia.yaml", "--top", "1"]
    alone = run(*args)
    assert alone.exit_code == 0, alone.stderr
    assert "No other partner's package is held (--hold FILE holds one)" in " ".join(
        alone.stdout.split()
    )
    held = run(*args, "--hold", deals / "packages" / "sa-counter.yaml")
    assert held.exit_code == 0, held.stderr
    said = " ".join(held.stdout.split())
    assert "the other packages held" in said  # SA's counter takes the room: none found
    assert "No other partner's package is held" not in said


def test_a_counters_portfolio_figures_read_apart_when_they_differ(
    tmp_path: Path, run: Runner
) -> None:
    """A counter to our M seed 2 offer to BJ (less compute in 2026Q1, c07 at l2) read
    "Portfolio V: $1.42tn if accepted (rest re-optimized), $1.52tn in the current plan,
    $1.42tn if the US walks away": accepting is $5.88bn better than walking away, which
    two equal figures hid. Now each figure has the decimals that tell it from the others."""
    import re

    import yaml

    from dealbench.figures import usd_together
    from dealbench.synth import generate, write_yaml

    assert usd_together([1.4224e12, 1.5243e12, 1.4165e12]) == ["$1.422tn", "$1.524tn", "$1.417tn"]
    assert usd_together([None, 2.5e9, 2.5e9]) == ["n/a", "$2.50bn", "$2.50bn"]  # equal: alike
    portfolio = write_yaml(generate("M", seed=2), tmp_path / "m2")
    out = tmp_path / "out"
    assert run("offer", portfolio, "--partner", "BJ", "--out", out).exit_code == 0
    offer = yaml.safe_load(next((tmp_path / "m2" / "rounds").rglob("001-us.yaml")).read_text())
    package = offer["package"]
    package["compute"]["2026Q1"] = 300_000
    package["concessions"]["c07"] = "l2"
    counter = tmp_path / "bj-counter.yaml"
    counter.write_text(yaml.safe_dump(package))
    done = run("counter", portfolio, "--partner", "BJ", counter, "--out", out)
    assert done.exit_code == 0, done.stderr
    said = " ".join(done.stdout.split())
    line = re.search(
        r"Portfolio V: (\S+) if accepted .*?, (\S+) in the current plan, (\S+) if", said
    )
    assert line, said
    accepted, plan, walk = line.groups()
    assert accepted != walk and len({accepted, plan, walk}) == 3


def test_the_terms_agreed_and_the_offer_they_agree_carry_different_ids() -> None:
    """SA concluded in round 4 on our offer of round 3: the offer's term sheet and the
    terms agreed both read DB-TS-GULF-ASIA-SA-<digest> (the id is built on the terms), two
    documents a principal files under one id. The agreed terms and a counter now say so
    in their id; an offer's is as before."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate import load_negotiations
    from dealbench.negotiate.documents import round_documents
    from dealbench.negotiate.rounds.negotiation import Round
    from helpers import REPO

    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    rounds = load_negotiations(pf, REPO / "deals" / "rounds" / "gulf-asia")["SA"].rounds
    offer, agreed = rounds[2], rounds[3]
    assert (offer.side, agreed.status) == ("us", "concluded")
    assert offer.package == agreed.package  # the same terms

    def ids(current: Round, previous: Round) -> list[str]:
        docs = round_documents(pf, "SA", current, previous)
        return [d.context["doc"]["id"] for d in docs if d.path.startswith("term-sheets/")]

    offered, concluded = ids(offer, rounds[0]), ids(agreed, offer)
    assert offered[0].startswith("DB-TS-GULF-ASIA-SA-") and "-AGREED-" not in offered[0]
    assert concluded[0].startswith("DB-TS-GULF-ASIA-SA-AGREED-")
    assert not set(offered) & set(concluded)


def test_the_same_counter_run_twice_is_recorded_once(tmp_path: Path, run: Runner) -> None:
    """`counter` run twice (a shell's history, a script re-run) recorded the same counter as
    rounds 5 and 6, which `history`, `room` and the strategies then read as two counters
    (qa27-neg did it by accident). The second is refused, naming the round it repeats,
    exit 2, nothing written; another counter, or the same after a US offer, is recorded."""
    import shutil

    from helpers import REPO

    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    folder = deals / "rounds" / "gulf-asia" / "AE"
    args = ["counter", portfolio, "--partner", "AE", "--no-documents"]
    first = run(*args, deals / "packages" / "ae-counter.yaml")
    assert first.exit_code == 0, first.stderr
    before = sorted(p.name for p in folder.iterdir())
    again = run(*args, deals / "packages" / "ae-counter.yaml")
    assert again.exit_code == 2 and not again.traceback
    assert "005-partner.yaml: round 5 is already this counter from AE" in again.stderr
    assert "nothing written" in again.stderr
    assert sorted(p.name for p in folder.iterdir()) == before
    assert run("offer", portfolio, "--partner", "AE", "--no-documents").exit_code == 0
    answered = run(*args, deals / "packages" / "ae-counter.yaml")  # after our offer: a round
    assert answered.exit_code == 0, answered.stderr


def test_the_rooms_json_lists_a_counters_limits_as_history_does(run: Runner, deals: Path) -> None:
    """With MX concluded, VN's counter breaks the risk budget beside MX's deal (18,030
    against 8,000): `history` and the verdict say so, but `room --json`'s
    `last_counter.violations` listed only the package's own limits (qa27-neg's left item
    4). Now the room lists what `history` lists for that round. (Dated: `history` judges a
    round beside the deals concluded before it, and MX's, concluded the same day, is not
    known to be: qa44-negotiate.)"""
    import json

    portfolio = deals / "portfolios/americas-europe.yaml"
    agreed = deals / "packages/mx-agreed.yaml"
    on = ("--no-documents", "--date", "2026-03-01")
    offered = run("offer", portfolio, "--partner", "MX", "--package", agreed, *on)
    assert offered.exit_code == 0, offered.output
    assert run("conclude", portfolio, "--partner", "MX", *on).exit_code == 0
    counter = run(
        "counter",
        portfolio,
        deals / "packages/vn-counter.yaml",
        "--no-documents",
        "--date",
        "2026-03-02",
    )
    assert counter.exit_code == 0, counter.output
    room = json.loads(run("room", portfolio, "--json").stdout)
    vn = next(row for row in room["rows"] if row["partner"] == "VN")
    history = json.loads(run("history", portfolio, "--partner", "VN", "--json").stdout)
    listed = history["rounds"][-1]["violations"]
    room_said = [v["message"] for v in vn["last_counter"]["violations"]]
    assert any("with the deal concluded with MX" in m for m in room_said), room_said
    assert room_said == [v["message"] for v in listed if v["kind"] != "acceptance"]
