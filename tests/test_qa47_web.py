"""Session 47 (qa47-web): the negotiator's path in Chromium, at 390 px and by keyboard: every
box that scrolls sideways is a named tab stop, the strategy selects read whole on a phone,
the counter form asks for its file again only when one was sent, and a refused editor says
its faults at its top. Each test failed before its fix."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import CHOSEN_CUT, csrf, phone_screen, words

browser = e2e.browser

#: Pages holding a box that scrolls (a wide table, a chart), as a negotiator meets them.
PAGES = [
    "/",
    "/p/gulf-asia",
    "/p/gulf-asia/room",
    "/p/gulf-asia/n/AE",
    "/p/gulf-asia/n/AE/history",
    "/p/gulf-asia/n/AE/frontier",
    "/p/gulf-asia/n/AE/rounds/3",
    "/p/gulf-asia/editor?package=packages/ae-counter.yaml",
    "/p/gulf-asia/compare",
]


class _Boxes(HTMLParser):
    """The attributes of every element of class `scroll`, and the ids of the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.boxes: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.ids.add(found.get("id", ""))
        if "scroll" in found.get("class", "").split():
            self.boxes.append(found)


def test_every_box_that_scrolls_sideways_is_a_named_tab_stop(client: Any) -> None:
    """At 390 px the rounds table (745 px in its 342 px box) scrolled from the keyboard only
    as Tab reached the term-sheet links of its last column: a box is scrolled by the keys
    when it has the focus, and no box could have it. Now each is a region, a tab stop,
    named (by its table's heading or label, a chart's caption)."""
    seen = 0
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        parsed = _Boxes(page.text)
        for box in parsed.boxes:
            assert box.get("tabindex") == "0" and box.get("role") == "region", (path, box)
            named = box.get("aria-label") or box.get("aria-labelledby") in parsed.ids
            assert named, (path, box)
        seen += len(parsed.boxes)
    assert seen >= len(PAGES)


@pytest.mark.browser
def test_in_chromium_the_rounds_table_is_scrolled_by_the_keyboard_at_390_px(
    server: tuple[str, Path], browser: object
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    driver.get(url)
    with phone_screen(driver):
        driver.get(url.split("/?")[0] + "/p/gulf-asia/n/AE")
        driver.execute_script("document.getElementById('rounds-h').focus()")
        ActionChains(driver).send_keys(Keys.TAB).perform()
        box = driver.switch_to.active_element
        assert box.get_attribute("role") == "region"
        assert box.accessible_name == "Rounds"
        wide, room = driver.execute_script(
            "return [arguments[0].scrollWidth, arguments[0].clientWidth]", box
        )
        assert wide > room  # it scrolls at this width
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT * 3).perform()
        e2e.wait_for(lambda d: d.execute_script("return arguments[0].scrollLeft", box) > 0, driver)


@pytest.mark.browser
def test_in_chromium_a_strategy_selects_options_read_whole_at_390_px(
    server: tuple[str, Path], browser: object
) -> None:
    """The editor's "Weighed against" showed "(our recorded strategy, else the defau" at
    390 px, the select as wide as the page let it be. Its empty option (and the round forms'
    strategies) says what it stands for in fewer words: "(as recorded, else boulware)"."""
    driver: Any = browser
    url, _ = server
    base = url.split("/?")[0]
    driver.get(url)
    with phone_screen(driver):
        for path in ("/p/gulf-asia/editor?partner=AE", "/p/gulf-asia/n/AE"):
            driver.get(base + path)
            assert driver.execute_script(CHOSEN_CUT, "select[name=strategy]") == [], path


def _counter(client: Any, file: tuple[str, bytes]) -> str:
    """The negotiation page answering AE's counter form sent with `file` and a bad deadline."""
    sent = client.post(
        "/p/gulf-asia/n/AE/counter",
        data={**csrf(), "expect": "5", "deadline": "soon"},
        files={"file": file},
    )
    assert sent.status_code == 422
    return str(sent.text)


def test_the_counter_form_asks_for_its_file_again_only_when_one_was_sent(client: Any) -> None:
    """The words "Choose the file again: a page cannot keep a chosen file" stood beside the file
    field of every refused counter form, one sent without a file too (`Typed` kept no file)."""
    from helpers import QA_COUNTER

    none = _counter(client, ("", b""))  # a file field left empty, as a browser sends it
    assert "counter-file-again" not in none and "Choose the file again" not in none
    chosen = _counter(client, ("ae-reply.yaml", QA_COUNTER))
    hint = re.search(r'<span class="muted" id="counter-file-again">([^<]*)</span>', chosen)
    assert hint is not None
    assert words(hint[1]).startswith("Choose the file again (ae-reply.yaml)")
    assert 'aria-describedby="counter-file-again' in chosen


def test_a_refused_editor_send_says_each_field_at_fault_at_its_top(client: Any) -> None:
    """Save with four fields at fault said each beside its field and all in the verdict,
    under the form (at 390 px, 2,000 px down): the top of the page said nothing. Now a
    summary under the heading links to each, in the page's order; the first field at fault
    keeps the focus (`packages.at_fault`, as the round forms' summaries do)."""
    fields = {
        "partner": "AE",
        "security": "veu",
        "compute.2026": "abc",
        "compute.2027": "-5",
        "compute.2028": "100",
        "concession.invest-us": "zz",
        "filename": "a/b",
    }
    sent = client.post("/p/gulf-asia/save?partner=AE", data={**csrf(), **fields})
    assert sent.status_code == 422
    html = sent.text
    summary = re.search(r'<div class="error" id="editor-problems"[^>]*>(.*?)</div>', html, re.S)
    assert summary is not None
    assert html.index("editor-problems") < html.index('id="package"')  # above the form
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary[1])
    assert [target for target, _ in links] == [
        "f-compute-2026",
        "f-compute-2027",
        "f-concession-invest-us",
        "f-filename",
    ]
    assert words(links[0][1]) == "Compute 2026: expected a number, got 'abc'"
    assert words(links[3][1]).startswith("File name: use letters, digits")
    assert "4 fields at fault" in words(summary[1])
    assert re.search(r'<input[^>]*id="f-compute-2026"[^>]*autofocus', html)
    assert "autofocus" not in summary[0]


def test_a_refused_round_with_no_field_at_fault_says_why_at_the_editors_top(
    client: Any,
) -> None:
    """A counter from the editor refused for a page out of date named no field: its words
    stood in the verdict alone, under the form, and nothing had the focus."""
    fields = {"partner": "AE", "security": "veu", "compute.2026": "100", "expect": "3"}
    sent = client.post("/p/gulf-asia/n/AE/counter?partner=AE", data={**csrf(), **fields})
    assert sent.status_code == 422
    summary = re.search(
        r'<div class="error" id="editor-problems"([^>]*)>(.*?)</div>', sent.text, re.S
    )
    assert summary is not None
    assert "autofocus" in summary[1]
    assert "recorded after the page was loaded" in words(summary[2])
