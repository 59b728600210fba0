"""What session 40 fixed as a user met it.

The status memo for principals recommends a move for every open negotiation. After our
offer of round 5 to AE and AE's counter of round 6, our next offer gives AE less than
round 5 did, which `offer` records only with the retreat allowed: `counter`, `room` and
the web's room said so (`RoomRow.next_offer_retreat`), the memo did not.
"""

from __future__ import annotations

from pathlib import Path

import docx

from helpers import Runner

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
