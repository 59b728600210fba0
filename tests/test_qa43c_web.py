"""The web workbench's frontier chart, round pages and round forms (qa43c-web).

A frontier with no zone of agreement says so on the web's chart as on the CLI's, without
the end points drawn over the no-deal point; rounds drawn on one spot share one label; a
round's page rebuilt from its file reads as the round's page, not "recorded"; Enter in a
field of a round form records nothing. Each test failed before its fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import test_web_browser as e2e
from dealbench import load_portfolio
from dealbench.negotiate import walk_away
from dealbench.web.chart import Mark, share_labels
from helpers import words
from test_qa43_explore import XB  # a partner whose 50bn walk-away value no package reaches

browser = e2e.browser


def _title_and_h1(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    h1 = re.search(r"<h1.*?</h1>", html, re.S)
    assert title is not None and h1 is not None
    return words(title[1]).strip(), words(h1[0]).strip()


# --- 1. The web's frontier chart ----------------------------------------------------------


def test_a_frontier_with_no_zone_of_agreement_says_so_and_shows_the_no_deal_point(
    client: Any, deals: Path
) -> None:
    """A partner no package reaches (walk-away value 50bn): the chart drew one square named
    "No deal, US-best, Partner-best" (the ends, without a package, are the no-deal point)
    and under it "Zone of possible agreement: no · largest joint gain $0." Now it draws the
    no-deal point alone and says the CLI's line, on both frames."""
    (deals / "partners/xb.yaml").write_text(XB)
    (deals / "portfolios/mini.yaml").write_text(
        "id: mini\ntitle: Mini\npolicy: ../policy/bilateral.yaml\nperiods: [2026, 2027]\n"
        "supply: {2026: 250_000, 2027: 250_000}\n"
        "partners: [../partners/ae.yaml, ../partners/xb.yaml]\n"
    )
    for frame in ("", "?frame=held"):
        page = client.get(f"/p/mini/n/XB/frontier{frame}")
        assert page.status_code == 200, words(page.text)
        svg = re.search(r"<svg.*?</svg>", page.text, re.S)
        assert svg is not None
        named = re.findall(r'<g class="named ([^"]*)"', svg[0])
        assert named == ["no-deal"], frame
        assert "US-best" not in svg[0] and "Partner-best" not in svg[0]
        zone = re.search(r'<p id="frontier-zopa"[^>]*>(.*?)</p>', page.text)
        assert zone is not None
        assert zone[1] == "ZOPA: none: no package beats both walk-away values."
        assert "ZOPA: none: no package beats both walk-away values." in svg[0]  # its <desc>
        assert "largest joint gain $0" not in words(page.text)


def test_a_frontier_with_a_zone_of_agreement_keeps_its_marks_and_says_no_zopa_line(
    client: Any,
) -> None:
    page = client.get("/p/gulf-asia/n/AE/frontier")
    assert page.status_code == 200
    named = re.findall(r'<g class="named ([^"]*)"', page.text)
    assert {"no-deal", "nash"} <= set(" ".join(named).split())
    assert 'id="frontier-zopa"' not in page.text
    assert "Zone of possible agreement: yes" in words(page.text)


def test_rounds_drawn_on_one_spot_share_one_label_beside_the_first() -> None:
    """AE's rounds 3 and 4 of the shipped negotiation, with the other deals held, lie
    0.04bn apart: the page drew "3" in a circle and "4" in a diamond on it, one number over
    the other. They share "3, 4" beside the first mark; each keeps its mark and detail."""
    marks = [
        Mark(222.5, 70.5, "3", "Round 3 (US offer)", "us fitted"),
        Mark(222.6, 70.5, "4", "Round 4 (Counter)", "partner fitted"),
        Mark(504.2, 223.5, "2", "Round 2 (Counter)", "partner fitted"),
    ]
    shared = share_labels(marks)
    assert [m.label for m in shared] == ["3, 4", "", "2"]
    assert shared[0].extra.get("beside") and not shared[2].extra.get("beside")
    assert [m.detail for m in shared][:2] == ["Round 3 (US offer)", "Round 4 (Counter)"]


# --- 2. A round's page from its file is the round's page, not "recorded" -------------------


def test_a_rounds_page_from_its_file_reads_as_the_round_not_as_just_recorded(
    client: Any, deals: Path
) -> None:
    """GET .../recorded/2 of a round written before the server started said "Round 2
    recorded: counter with AE", as if the page's reader had just sent it. From its file it
    is the round's page; "recorded" stays for the page the form's answer leads to."""
    title, h1 = _title_and_h1(client.get("/p/gulf-asia/n/AE/recorded/2").text)
    assert title.startswith("Round 2: counter with AE")
    assert h1 == "Round 2: counter with AE · gulf-asia"

    # a closing round recorded by the CLI's library, not by this page
    walk_away(load_portfolio(deals / "portfolios/gulf-asia.yaml"), deals / "rounds/gulf-asia", "QA")
    title, h1 = _title_and_h1(client.get("/p/gulf-asia/n/QA/recorded/1").text)
    assert title.startswith("Round 1: talks with QA ended")
    assert h1 == "Talks with QA ended in round 1 · gulf-asia"

    # sent by the page's form: "recorded", as before
    expect = re.search(r'name="expect" value="(\d+)"', client.get("/p/gulf-asia/n/AE").text)
    assert expect is not None
    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN

    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "by": "partner"}
    form["confirm"] = "yes"
    sent = client.post("/p/gulf-asia/n/AE/walk-away", data=form)
    title, h1 = _title_and_h1(sent.text)
    assert title.startswith("Round 5 recorded") and h1.startswith("Talks with AE ended")


# --- 3. Enter in a round form's field records nothing ---------------------------------------


def test_enter_in_a_round_forms_text_field_records_nothing_its_button_does(
    server: tuple[str, Path], browser: object
) -> None:
    """Enter in the offer form's author (or the counter's, or conclude's note...) sent the
    form's only button: "Propose and record" recorded an offer by a key press, never taken
    back. The round buttons carry `data-records`, as the editor's, and app.js keeps Enter
    in a field from sending them; the button still records."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/n/QA")
    for field in ("offer-author", "offer-date", "counter-author"):
        e2e.wait_for(lambda d, f=field: d.find_element(By.ID, f), driver)
        driver.find_element(By.ID, field).send_keys("x", Keys.ENTER)
    driver.implicitly_wait(0)
    import time

    time.sleep(1.5)  # what a sent form would take to leave the page
    assert driver.current_url.endswith("/p/gulf-asia/n/QA")
    assert not list((deals / "rounds/gulf-asia").glob("QA/*.yaml"))
    driver.find_element(By.ID, "offer-author").clear()
    driver.find_element(By.ID, "offer-date").clear()
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver, 120)
    assert "Round 1 recorded: US offer with QA" in driver.find_element(By.TAG_NAME, "h1").text
