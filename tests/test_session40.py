"""What session 40 fixed as a user met it.

A date given for a round (`--date`) before the negotiation's last round was refused
naming the round file it would have written (`deals/rounds/gulf-asia/AE/005-us.yaml:
date: ...`), a file that does not exist; it is now refused as `--date`. The status memo
took any date, and `room --render --date 2020-01-01` wrote a memo dated six years before
the rounds it reports; it is now refused the same way, in the CLI and the web.

The status memo for principals recommends a move for every open negotiation. After our
offer of round 5 to AE and AE's counter of round 6, our next offer gives AE less than
round 5 did, which `offer` records only with the retreat allowed: `counter`, `room` and
the web's room said so (`RoomRow.next_offer_retreat`), the memo did not.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from helpers import Runner, web_client

COUNTER = (
    "partner: AE\nsecurity: veu\ncompute: {2026: 550_000, 2027: 600_000, 2028: 600_000}\n"
    "concessions: {invest-us: 1400bn, align-controls: true}\n"
)
NOTE = "Note: our next offer gives AE $"


def test_the_status_memo_says_when_our_next_offer_would_be_a_retreat(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    gulf = deals / "portfolios/gulf-asia.yaml"
    assert run("offer", gulf, "-p", "AE", "--no-documents").exit_code == 0
    counter = tmp_path / "counter.yaml"
    counter.write_text(COUNTER)
    answered = run("counter", gulf, counter, "--no-documents")
    assert answered.exit_code == 0, answered.output
    assert "recorded only with the retreat allowed" in " ".join(answered.stdout.split())
    out = tmp_path / "out"
    made = run("room", gulf, "--render", "md,html,docx", "--out", out)
    assert made.exit_code == 0, made.output
    memo = out / "memos/negotiation-gulf-asia"
    md = memo.with_suffix(".md").read_text()
    line = next(ln for ln in md.splitlines() if ln.startswith("- **United Arab Emirates (AE)"))
    assert NOTE in line and line.endswith("is recorded only with the retreat allowed.")
    assert md.count(NOTE) == 1  # AE alone: no other partner's next offer takes anything back
    assert NOTE in memo.with_suffix(".html").read_text()
    paragraphs = docx.Document(str(memo.with_suffix(".docx"))).paragraphs
    assert sum(NOTE in p.text for p in paragraphs) == 1


@pytest.mark.parametrize("command", ["offer", "conclude", "walk-away", "counter"])
def test_a_round_dated_before_the_last_is_refused_as_the_date_argument(
    run: Runner, deals: Path, tmp_path: Path, command: str
) -> None:
    gulf = deals / "portfolios/gulf-asia.yaml"
    folder = deals / "rounds/gulf-asia/AE"
    before = sorted(p.name for p in folder.iterdir())
    counter = tmp_path / "counter.yaml"
    counter.write_text(COUNTER)
    args = [counter] if command == "counter" else ["-p", "AE"]
    quiet = [] if command == "walk-away" else ["--no-documents"]  # it writes none
    refused = run(command, gulf, *args, "--date", "2020-01-01", *quiet)
    assert refused.exit_code == 2 and not refused.traceback, refused.output
    said = " ".join(refused.stderr.split())
    said = said[said.index("error:") :]  # after the portfolio's own notes
    assert said.startswith("error: --date: round 5 is dated 2020-01-01, before round 4 "), said
    assert "005-" not in said and said.endswith("nothing written")
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_status_memo_dated_before_the_rounds_it_reports_is_refused(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    gulf = deals / "portfolios/gulf-asia.yaml"
    out = tmp_path / "out"
    refused = run("room", gulf, "--render", "md", "--out", out, "--date", "2020-01-01")
    assert refused.exit_code == 2 and not refused.traceback, refused.output
    said = " ".join(refused.stderr.split())
    assert said[said.index("error:") :] == (
        "error: --date: the memo reports round 4 with SA (004-partner.yaml), dated "
        "2026-03-19; date it 2026-03-19 or later"
    )
    assert not out.exists()
    made = run("room", gulf, "--render", "md", "--out", out, "--date", "2026-03-19")
    assert made.exit_code == 0, made.output
    with web_client(deals, "t0ken") as client:
        page = client.get("/p/gulf-asia/room/memo", params={"date": "2020-01-01"})
        assert page.status_code == 422, page.status_code
        assert "date it 2026-03-19 or later" in page.text


def test_a_partners_round_file_offered_as_ours_is_not_told_to_remove_its_side(
    run: Runner, deals: Path
) -> None:
    """`offer --package` of AE's round 4 file was told to "remove `side`": a recorded round
    is never edited (its seal tells any change). It is told to give the terms in a package
    file of their own; a package file is still told to remove `side`."""
    gulf = deals / "portfolios/gulf-asia.yaml"
    round_file = deals / "rounds/gulf-asia/AE/004-partner.yaml"
    refused = run("offer", gulf, "-p", "AE", "--package", round_file, "--no-documents")
    assert refused.exit_code == 2 and not refused.traceback, refused.output
    said = " ".join(refused.stderr.split())
    assert said.endswith(
        "004-partner.yaml:4: side: is partner: the package is the partner's proposal, not a US "
        "offer; record it as the partner's counter, or give its terms in a package file "
        "without `side`"
    ), said
    package = deals / "packages/ae-counter.yaml"
    refused = run("offer", gulf, "-p", "AE", "--package", package, "--no-documents")
    assert " ".join(refused.stderr.split()).endswith("or remove `side`")
