"""qa36-roommemo: the negotiation status memo, term sheets and redlines a principal reads,
after several rounds with several partners of one portfolio."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import Runner, web_client

ROOT = Path(__file__).resolve().parents[1]


def _gulf(tmp_path: Path) -> Path:
    """A copy of the shipped deals with the gulf-asia portfolio's rounds cleared."""
    deals = tmp_path / "deals"
    shutil.copytree(ROOT / "deals", deals)
    shutil.rmtree(deals / "rounds" / "gulf-asia")
    return deals / "portfolios" / "gulf-asia.yaml"


def _counter(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_the_room_marks_a_counter_the_us_cannot_accept_after_our_next_offer(
    run: Runner, tmp_path: Path
) -> None:
    """AE counters over its veu cap and SA with a package below its own walk-away value;
    we answer each with an offer. The room and its memo showed both counters' utilities
    beside our offers, the gap between them and "await counter", with no word that neither
    counter can be accepted (global: KR's counter over its ask gave the US $198.7m more than
    our offer). Each counter is now marked § in the room and the memo (md, html), its note
    says what it breaks, and room --json counts SA's refusal as `history` does."""
    gulf = _gulf(tmp_path)
    out = tmp_path / "out"
    ae = _counter(
        tmp_path,
        "ae",
        "partner: AE\nsecurity: veu\ncompute: {2026: 700_000, 2027: 650_000, 2028: 600_000}\n"
        "concessions: {invest-us: 1400bn, us-operated: true, align-controls: true}\n",
    )
    for code, counter in (("AE", ae), ("SA", None)):
        made = run("offer", gulf, "-p", code, "--date", "2026-11-02", "--no-documents")
        assert made.exit_code == 0, made.stderr
        if counter is None:  # SA: our own offer with less compute for it: below its walk-away
            first = json.loads(run("history", gulf, "-p", code, "--json").stdout)
            package = first["rounds"][0]["package"]
            compute = {t: x / 4 for t, x in package["compute"].items()}
            counter = _counter(
                tmp_path,
                "sa",
                json.dumps({**package, "compute": compute, "concessions": package["concessions"]}),
            )
        countered = run("counter", gulf, counter, "--date", "2026-11-09", "--no-documents")
        assert countered.exit_code == 0, countered.stderr
        again = run("offer", gulf, "-p", code, "--date", "2026-11-16", "--no-documents")
        assert again.exit_code == 0, again.stderr

    rows = {r["partner"]: r for r in json.loads(run("room", gulf, "--json").stdout)["rows"]}
    sa = rows["SA"]["last_counter"]
    assert not sa["accepts"] and [v["kind"] for v in sa["violations"]] == ["acceptance"]
    assert [v["kind"] for v in rows["AE"]["last_counter"]["violations"]] == ["cap", "cap"]

    said = run("room", gulf, "--render", "md,html", "--out", out, "--date", "2026-12-07")
    assert said.exit_code == 0, said.stderr
    words = " ".join(said.stdout.split())
    assert "§ AE's counter of round 2 cannot be accepted as it stands: it breaks 1 limit" in words
    assert "§ SA's counter of round 2 cannot be accepted as it stands" in words
    assert "SA itself would not accept it" in words
    memo = (out / "memos" / "negotiation-gulf-asia.md").read_text()
    for code in ("AE", "SA"):
        row = next(x for x in memo.splitlines() if x.startswith("|") and f"({code})" in x)
        assert row.split("|")[5].strip().endswith("§"), row  # their last counter's cell
        assert f"§ {code}'s counter of round 2 cannot be accepted as it stands" in memo
    untouched = next(x for x in memo.splitlines() if x.startswith("|") and "(QA)" in x)
    assert "§" not in untouched
    html = (out / "memos" / "negotiation-gulf-asia.html").read_text()
    assert html.count("§") == memo.count("§")
    with web_client(gulf.parents[1], "t0ken") as client:  # the web's room page says it too
        page = client.get("/p/gulf-asia/room").text
    assert page.count("§") == memo.count("§")
    assert "§ SA&#39;s counter of round 2 cannot be accepted as it stands" in page


def test_an_offer_held_at_a_counters_demand_does_not_say_it_gives_no_more_than_asked(
    run: Runner, tmp_path: Path
) -> None:
    """global, KR: our first offer (conceder), KR's counter over its ask at USD 75bn of
    investment asking a partner utility of $13.45bn, our next offer. The offer is the
    partner-best package at what meeting the demand leaves the US ($11.18bn): it gives KR
    $13.55bn, yet its recorded reason said "no offer gives the partner more than it asked
    for". The reason now says what holds: it concedes no more than meeting the demand costs
    the US."""
    deals = tmp_path / "deals"
    shutil.copytree(ROOT / "deals", deals)
    shutil.rmtree(deals / "rounds")
    world = deals / "portfolios" / "global.yaml"
    counter = _counter(
        tmp_path,
        "kr",
        "partner: KR\nsecurity: veu\ncompute: {2026: 250_000, 2027: 250_000, 2028: 250_000}\n"
        "concessions: {invest-us: 75bn, hbm-priority: true, export-control-alignment: true}\n",
    )
    first = run("offer", world, "-p", "KR", "--strategy", "conceder", "--no-documents")
    assert first.exit_code == 0, first.stderr
    countered = run("counter", world, counter, "--no-documents")
    assert countered.exit_code == 0, countered.stderr
    made = run("offer", world, "-p", "KR", "--no-documents", "--json")
    assert made.exit_code == 0, made.stderr
    offer = json.loads(made.stdout)
    reason = offer["strategy"]["reason"]
    assert "asks for a partner utility of $13.45bn" in reason
    assert offer["figures"]["partner_utility"] > 13.45e9 + 1e6  # more than KR asked for
    assert "no offer gives the partner more than it asked for" not in reason
    assert "concedes no more than meeting what the partner asked for costs the US" in reason
