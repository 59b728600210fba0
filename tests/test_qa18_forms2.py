"""Every web form answers a bad field in place (qa18-forms2): the sweep, risk, improve,
history, diff, memo, documents and validate forms re-shown holding what was typed, the field
at fault marked and described beside it, as the solve and round forms; each test failed
before its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import test_web_browser as e2e
from test_qa18_webforms import _Form, _marked, post, rounds

server = e2e.server  # the browser tests' fixtures: `dealbench serve` and headless Chromium
browser = e2e.browser

#: A counter from SG under baseline asking more than tier 2's cap there (50,000 H100e).
OVER_CAP = "partner: SG\nsecurity: baseline\ncompute: {2026: 80_000}\n"


# --- the conclude form's Agreed round ----------------------------------------------------------


def test_a_conclusion_on_a_round_breaking_a_limit_marks_the_agreed_round(
    client: Any, deals: Path
) -> None:
    """The library's error names the round's file; it was said in the summary only."""
    counter = {"file": ("c.yaml", OVER_CAP.encode())}
    assert post(client, "/p/solo/n/SG/counter", files=counter, expect="1").status_code == 200
    sent = post(client, "/p/solo/n/SG/conclude", expect="2", round="1", note="agreed in Doha")
    assert sent.status_code == 422
    page = _Form(sent.text, "conclude-form")
    _marked(page, "round", "conclude-round-error", "a deal cannot be concluded on this round")
    assert "001-partner.yaml" in page.texts["conclude-problems"]
    assert page.chosen["round"] == ["1"]
    assert page.controls["note"]["value"] == "agreed in Doha"
    assert rounds(deals) == ["001-partner.yaml"]


def test_a_conclusion_on_a_round_that_does_not_exist_marks_the_agreed_round(
    client: Any, deals: Path
) -> None:
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200
    sent = post(client, "/p/solo/n/SG/conclude", expect="2", round="9")
    assert sent.status_code == 422
    page = _Form(sent.text, "conclude-form")
    _marked(page, "round", "conclude-round-error", "round 9 does not exist")
    assert rounds(deals) == ["001-us.yaml"]
