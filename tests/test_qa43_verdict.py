"""The verdict on a partner's counter as a negotiator reads it, session 43 (qa43-verdict):
`counter`, `evaluate --against`, its JSON and the web's recorded counter, on a copy of the
shipped gulf-asia rounds with AE's counter of round 4 (600,000 H100e a year) concluded, so
that 46,641 H100e of 2026 are left beside SA's and AE's deals. Each test failed before its
fix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, invoke, web_client, words

#: QA asks its whole 150,000 H100e a year: 103,359 more than the 46,641 left of 2026 and
#: 44,641 more than the 105,359 of 2027, worth more to it ($11.85bn) than any package within
#: what is left gives it.
QA_OVER = b"""partner: QA
security: veu
compute: {2026: 150_000, 2027: 150_000, 2028: 150_000}
concessions: {invest-us: 100bn}
"""


def _ae_concluded(tmp_path: Path) -> Path:
    """A copy of the shipped deals/ with AE's counter of round 4 concluded; its portfolio."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    portfolio = deals / "portfolios/gulf-asia.yaml"
    done = invoke(["conclude", portfolio, "-p", "AE", "--round", "4", "--no-documents"])
    assert done.exit_code == 0, done.output
    return portfolio


def test_a_counter_asking_more_than_is_left_says_so_not_a_negative_amount_left(
    tmp_path: Path,
) -> None:
    """The verdict said "Supply left for the other open negotiations if accepted (H100e):
    2026 -103,359, 2027 -44,641, ...": no amount a negotiator can have left. Every shell now says what it
    means, "2026 none (it asks 103,359 more than the 46,641 left)"; the JSON keeps its
    numbers (`supply_left` below zero) and adds `supply_short`. The frontier's no-deal
    point, worse for the US than the counter, read "a gain of -$X on the counter": now "$X
    less than the counter", in the terminal and on the page."""
    portfolio = _ae_concluded(tmp_path)
    said = (
        "2026 none (it asks 103,359 more than the 46,641 left), 2027 none (it asks 44,641 "
        "more than the 105,359 left), 2028 150,000"
    )
    with web_client(portfolio.parents[1], WEB_TOKEN) as client:
        page = client.get("/p/gulf-asia/n/QA").text
        expect = re.search(r'name="expect" value="(\d+)"', page)
        assert expect is not None
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "date": "2026-12-05"}
        files = {"file": ("qa-over.yaml", QA_OVER, "application/x-yaml")}
        answer = client.post("/p/gulf-asia/n/QA/counter", data=form, files=files)
    assert answer.status_code == 200, words(answer.text)[-1500:]
    left = re.search(r'(?s)<li id="supply-left">(.*?)</li>', answer.text)
    assert left is not None
    assert said in words(left[1])
    assert "-103,359" not in words(answer.text)
    frontier = words(answer.text)
    assert (
        "no deal gives the US -$2.00bn, $8.71bn less than the counter's $6.71bn, and the partner its "
        "walk-away value $2.00bn"
    ) in frontier
    assert "(no deal, $8.71bn less than the counter's $6.71bn)" in frontier  # the table's row
    assert "a gain of -" not in frontier

    package = tmp_path / "qa-over.yaml"
    package.write_bytes(QA_OVER)
    args = ["evaluate", package, "--portfolio", portfolio, "--against", "1"]
    text = invoke(args)
    assert text.exit_code == 3, text.output  # it breaks a limit
    out = " ".join(text.stdout.split())
    assert f"Supply left for the other open negotiations if accepted (H100e): {said}" in out
    assert "-103,359" not in out
    assert "no deal gives the US -$2.00bn, $8.71bn less than the counter's $6.71bn, and" in out
    assert "a gain of -" not in out
    data = json.loads(invoke([*args, "--json"]).stdout)
    assert data["supply_left"]["2026"] == -103_359  # numbers stay numbers
    assert data["supply_short"] == {"2026": 103_359, "2027": 44_641}
    assert data["frontier"]["gain"] < 0


def test_no_note_on_what_accepting_leaves_our_offers_when_the_counter_cannot_be_accepted(
    tmp_path: Path,
) -> None:
    """Our offer to KZ (11,667 H100e of 2026) stands; QA counters for 40,000 of the 46,641
    left, below its own walk-away value plus margin: a counter the US cannot accept. The
    verdict noted "accepting leaves less than our open offer to another partner takes:
    2026 11,667 H100e (KZ ...) of the 6,641 left if it is accepted" beside COUNTER, of an
    acceptance that cannot happen. The note is for a counter that breaks no limit (the
    limit-free case keeps it: tests/test_qa43_negotiate.py, tests/test_qa31_neg.py)."""
    portfolio = _ae_concluded(tmp_path)
    made = invoke(["offer", portfolio, "-p", "KZ", "--no-documents"])
    assert made.exit_code == 0, made.output
    counter = tmp_path / "qa.yaml"
    counter.write_text(
        "partner: QA\nsecurity: veu\ncompute: {2026: 40_000, 2027: 50_000, 2028: 50_000}\n"
        "concessions: {invest-us: 100bn}\n"
    )
    run = invoke(["counter", portfolio, counter, "--no-documents", "--json"])
    assert run.exit_code == 0, run.output
    said = json.loads(run.stdout)
    assert said["recommendation"] == "counter"
    assert [v["kind"] for v in said["violations"]] == ["acceptance"]
    assert said["supply_left"]["2026"] == 6_641  # less than KZ's offer takes
    assert not any("accepting leaves less" in n for n in said["notes"]), said["notes"]
