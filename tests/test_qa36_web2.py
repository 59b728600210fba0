"""A negotiator's day in the browser, the stumbles qa36-web left (qa36-web2).

After a round form is sent the new page's focus is what was recorded; the negotiation
page's sections are a Tab or two away and what a phone rarely needs is folded there; one
date field (a picker, one check) for the round forms and the room memo; "Keep fixed" is a
group of boxes; a portfolio row's name opens its negotiation within a phone's screen.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html
from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, web_client, words

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as c:
        yield c, deals


def _tree(page: str) -> Any:
    return lxml_html.fromstring(page)


def _landing(page: str) -> str:
    """The words of the one element a page focuses on load (`autofocus`): a heading that
    takes the focus (tabindex=-1), or a failing assertion."""
    tree = _tree(page)
    focused = tree.xpath("//*[@autofocus]")
    assert len(focused) == 1, [e.tag for e in focused]
    assert focused[0].tag == "h1" and focused[0].get("tabindex") == "-1"
    return " ".join(focused[0].text_content().split())


def test_a_sent_round_form_lands_on_what_was_recorded(
    client: tuple[TestClient, Path],
) -> None:
    """After an offer (or a counter, a conclusion, a package saved, a solve started) the new
    page's focus was the document's start: 8 Tabs to "Back to the negotiation", and a screen
    reader began at the site's name. The page's heading, saying what was done, takes the
    focus on load; the next element after it is "Back to the negotiation"."""
    c, deals = client
    sent = c.post("/p/gulf-asia/n/QA/offer", data={**CSRF, "expect": "1"})
    assert sent.status_code == 200, words(sent.text)[-500:]
    assert _landing(sent.text) == "Round 1 recorded: US offer with QA · gulf-asia"
    tree = _tree(sent.text)
    after = tree.xpath("//h1/following::a[1]")[0]
    assert after.text_content() == "Back to the negotiation"
    counter = (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text()
    answer = c.post(
        "/p/gulf-asia/n/QA/counter",
        data={**CSRF, "expect": "2"},
        files={"file": ("counter.yaml", yaml.safe_dump(yaml.safe_load(counter)["package"]))},
    )
    assert answer.status_code == 200, words(answer.text)[-500:]
    assert _landing(answer.text).startswith("Round 2 recorded: counter with QA")
    closed = c.post(
        "/p/gulf-asia/n/QA/conclude", data={**CSRF, "expect": "3", "round": "2", "confirm": "yes"}
    )
    assert closed.status_code == 200, words(closed.text)[-500:]
    assert _landing(closed.text).startswith("Deal concluded with QA in round 3")
    solve = c.post(
        "/p/gulf-asia/solve", data={**CSRF, "mode": "us-best", "solver": "highs", "gap": "1e-6"}
    )
    assert _landing(solve.text).startswith("Solve ")  # the job's page, after the redirect


def _date_input(page: str, form: str) -> dict[str, str]:
    field = _tree(page).xpath(f"//input[@id='{form}-date']")
    assert field, f"no #{form}-date"
    attributes = dict(field[0].attrib)
    attributes.pop("id")
    return attributes


def test_the_memo_and_the_round_forms_share_one_date_field(
    client: tuple[TestClient, Path],
) -> None:
    """The room memo's date was a text field ("YYYY-MM-DD or today"), the round forms' a
    date picker, each with its own check and words. One field (a picker named `date`), one
    check (`--date`'s: YYYY-MM-DD or `today`), the same words for the same mistake."""
    c, _ = client
    negotiation = c.get("/p/gulf-asia/n/AE").text
    memo = c.get("/p/gulf-asia/room/memo").text
    assert _date_input(memo, "memo") == _date_input(negotiation, "offer")
    assert _date_input(memo, "memo")["type"] == "date"
    for form in ("counter", "offer", "conclude", "walk-away"):
        assert _date_input(negotiation, form) == _date_input(negotiation, "offer")
    said = {}
    refused = c.get("/p/gulf-asia/room/memo?date=31/12/2026")
    assert refused.status_code == 422
    said["memo"] = _tree(refused.text).xpath("//*[@id='memo-date-error']")[0].text_content()
    refused = c.post("/p/gulf-asia/n/AE/offer", data={**CSRF, "expect": "5", "date": "31/12/2026"})
    assert refused.status_code == 422
    said["offer"] = _tree(refused.text).xpath("//*[@id='offer-date-error']")[0].text_content()
    assert said["memo"] == said["offer"] == "expected YYYY-MM-DD or today, got '31/12/2026'"
    # `today` in the memo's address (as `room --date today`) is shown as the date it is
    today = c.get("/p/gulf-asia/room/memo?date=today").text
    shown = _date_input(today, "memo")["value"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", shown), shown


def test_keep_fixed_is_a_group_of_boxes_sending_what_the_list_sent(
    client: tuple[TestClient, Path],
) -> None:
    """ "Keep fixed" was a multiple select whose keys (Ctrl+arrows, Ctrl+Space) had to be
    learned. It is a fieldset of boxes under its legend, one per term, sending the same
    `fix` values; a refusal marks, focuses and links to the group."""
    c, deals = client
    page = c.get("/p/gulf-asia/n/AE").text
    tree = _tree(page)
    assert not tree.xpath("//select[@name='fix']")
    group = tree.xpath("//fieldset[@id='offer-fix']")[0]
    assert " ".join(group.xpath("./legend")[0].text_content().split()) == (
        "Keep fixed (of our last offer)"
    )
    boxes = group.xpath(".//input[@type='checkbox'][@name='fix']")
    values = [b.get("value") for b in boxes]
    assert values[:2] == ["compute", "security"] and len(values) > 2, values
    for box in boxes:  # each box named by its label
        assert box.getparent().tag == "label" and box.get("value") in box.getparent().text_content()
    sent = c.post(
        "/p/gulf-asia/n/AE/offer",
        data={**CSRF, "expect": "5", "fix": ["compute", "security"], "strategy": "linear"},
    )
    assert sent.status_code == 200, words(sent.text)[-800:]
    assert "Kept fixed: compute, security." in words(sent.text)
    recorded = yaml.safe_load((deals / "rounds/gulf-asia/AE/005-us.yaml").read_text())
    assert "fix" in str(recorded) and "security" in str(recorded)
    refused = c.post(
        "/p/gulf-asia/n/AE/offer", data={**CSRF, "expect": "6", "fix": ["compute", "nothing"]}
    )
    assert refused.status_code == 422
    tree = _tree(refused.text)
    group = tree.xpath("//fieldset[@id='offer-fix']")[0]
    assert group.get("aria-invalid") == "true" and "autofocus" in group.attrib
    assert "offer-fix-error" in group.get("aria-describedby").split()
    assert tree.xpath("//*[@id='offer-problems']//a[@href='#offer-fix']")
    kept = tree.xpath("//fieldset[@id='offer-fix']//input[@checked]/@value")
    assert kept == ["compute"]


def test_a_portfolio_rows_name_opens_its_negotiation(client: tuple[TestClient, Path]) -> None:
    """The partner table's last column held "Negotiation", past the screen's edge at a
    phone's width. The row's name (its first cell, the row header) is the link."""
    c, _ = client
    tree = _tree(c.get("/p/gulf-asia").text)
    rows = tree.xpath("//table[@id='partners-table']/tbody/tr")
    assert len(rows) > 3
    for row in rows:
        link = row.xpath("./th[@scope='row']/a")
        assert link, row.text_content()
        code = re.search(r"\((\w+)\)$", link[0].text_content().strip())
        assert code is not None and link[0].get("href") == f"/p/gulf-asia/n/{code[1]}"


def _tabs_to(driver: Any, wanted: str, limit: int = 120) -> int:
    """How many Tabs from where the focus is until the element `wanted` (a CSS selector)
    has it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    target = driver.find_element(By.CSS_SELECTOR, wanted)
    for count in range(1, limit + 1):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element == target:
            return count
    raise AssertionError(f"Tab never reached {wanted}")


def _active(driver: Any) -> str:
    active = driver.switch_to.active_element
    return f"{active.tag_name}#{active.get_attribute('id')}"


@pytest.mark.browser
def test_in_a_browser_a_negotiators_day_at_a_phones_width_without_long_ways(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px, keys only: the portfolio row's name (on the screen) opens QA's
    negotiation; its "Propose the next offer" is a few Tabs from the top (45 to the offer's
    Strategy before), its other frames and closing forms folded; the offer sent, the new
    page's heading has the focus and "Back to the negotiation" is the next Tab (8 before);
    AE's "Keep fixed" is a group of boxes. At 1280 px nothing is folded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, deals = server
    driver = browser
    home = url.split("?")[0]
    driver.set_window_size(390, 844)
    try:
        driver.get(url)
        driver.get(home + "p/gulf-asia")
        link = driver.find_element(By.CSS_SELECTOR, '#partners-table a[href="/p/gulf-asia/n/QA"]')
        right, window = driver.execute_script(
            "return [arguments[0].getBoundingClientRect().right,"
            " document.documentElement.clientWidth]",
            link,
        )
        assert right <= window, f"QA's negotiation link ends at {right} px in {window}"
        _tabs_to(driver, '#partners-table a[href="/p/gulf-asia/n/QA"]')
        link.send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA"), driver)
        e2e.wait_for(
            lambda d: d.find_element(By.ID, "frontier").get_attribute("data-loaded"), driver
        )
        e2e.shot(driver, "qa36w2-negotiation-390")
        folds = driver.execute_script(
            "return [...document.querySelectorAll('details.fold')].map(d => d.id + ':' + d.open)"
        )  # and the chart's "How to read the chart" (qa37-web)
        assert folds == ["frontier-reading:false", "other-frontiers:false", "close-forms:false"]
        tabs = _tabs_to(driver, '#on-this-page a[href="#offer-h"]')
        assert tabs <= 12, tabs  # the header's 7, then the contents' fourth link
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        e2e.wait_for(lambda d: _active(d) == "h2#offer-h", driver, 10)
        assert _tabs_to(driver, "#offer-strategy") == 1
        _tabs_to(driver, "#propose", 20)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver)
        e2e.wait_for(lambda d: _active(d) == "h1#done-h", driver, 10)
        assert driver.switch_to.active_element.text.startswith("Round 1 recorded")
        assert (deals / "rounds/gulf-asia/QA/001-us.yaml").exists()
        e2e.shot(driver, "qa36w2-recorded-390")
        assert _tabs_to(driver, 'main a[href="/p/gulf-asia/n/QA"]') == 1

        driver.get(home + "p/gulf-asia/n/AE")
        group = driver.find_element(By.ID, "offer-fix")
        assert group.aria_role == "group"
        assert group.accessible_name == "Keep fixed (of our last offer)"
        box = driver.find_element(By.ID, "offer-fix-security")
        assert box.aria_role == "checkbox" and box.accessible_name == "security"
        _tabs_to(driver, "#offer-fix-security")
        driver.switch_to.active_element.send_keys(Keys.SPACE)  # no keys to learn
        assert box.is_selected()

        driver.set_window_size(1280, 800)
        driver.get(home + "p/gulf-asia/n/QA")
        e2e.wait_for(
            lambda d: d.find_element(By.ID, "frontier").get_attribute("data-loaded"), driver
        )
        folds = driver.execute_script(
            "return [...document.querySelectorAll('details.fold')].map(d => d.open)"
        )
        assert folds == [True, True, True], folds
    finally:
        driver.set_window_size(1280, 800)
