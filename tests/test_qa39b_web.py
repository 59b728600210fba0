"""The web workbench walked in a browser as a new user walks it (qa39b-web): the portfolio
list's errors, the documents page's pickers, the rounds' dates on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, phone_screen, words

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}


def test_the_portfolio_list_names_a_broken_file_under_the_served_folder(
    client: TestClient, deals: Path
) -> None:
    """A partner file broken at line 7: the list said "/tmp/.../deals/partners/ae.yaml:7:
    ...", the server's whole path (cut on a phone before the file's name), where the
    portfolio's own page and the validate page say "partners/ae.yaml:7: ..."."""
    partner = deals / "partners" / "ae.yaml"
    text = partner.read_text(encoding="utf-8")
    partner.write_text(text.replace("diversion_risk: 0.47", "diversion_risk: 1.47"), "utf-8")
    listed = words(client.get("/").text)
    assert "partners/ae.yaml:7: diversion_risk: must be at most 1, got 1.47" in listed
    assert f"{deals}/partners" not in listed
    own = words(client.get("/p/gulf-asia").text)
    assert "partners/ae.yaml:7: diversion_risk" in own


def test_the_documents_pickers_leave_out_a_walk_away_which_records_no_package(
    client: TestClient,
) -> None:
    """After BH walked away, the package documents page offered its round file in both
    pickers, and choosing it said "round 1 records no package (walked-away)"; a round with
    a package stays offered."""
    sent = {**CSRF, "by": "partner", "confirm": "yes", "expect": "1"}
    done = client.post("/p/gulf-asia/n/BH/walk-away", data=sent)
    assert done.status_code == 200, words(done.text)
    shown = client.get("/p/gulf-asia/documents").text
    assert "rounds/gulf-asia/BH/001-partner.yaml" not in shown
    assert "rounds/gulf-asia/AE/004-partner.yaml" in shown
    editor = client.get("/p/gulf-asia/documents?package=rounds/gulf-asia/AE/004-partner.yaml")
    assert editor.status_code == 200, words(editor.text)


def test_a_rounds_date_is_not_broken_across_lines_on_a_phone(
    server: tuple[str, Path], browser: Any
) -> None:
    """On a phone, the negotiation page's and the history's tables broke a round's date
    after its hyphens ("2026-02-" above "02"); each reads on one line (the date is the
    second cell after the round)."""
    url, _ = server
    base = url.split("?")[0]
    browser.get(url)
    one_line = """return [...document.querySelectorAll('tr[data-round] > td:nth-of-type(2)')].map(c => {
        const r = document.createRange(); r.selectNodeContents(c);
        return c.textContent.trim() === '' || r.getClientRects().length === 1; })"""
    with phone_screen(browser):
        for path in ("p/gulf-asia/n/AE", "p/gulf-asia/n/AE/history"):
            browser.get(base + path)
            dates = browser.execute_script(one_line)
            assert dates and all(dates), (path, dates)
