"""The web workbench as a user on a phone and with a keyboard meets it (qa37-web).

The frontier's caption and the "Two frames" sentence were ~650 px of text under the chart at
390 px: how to read the chart and the frames are folds there (open on a desktop). The
package editor's date had its own markup; it is the round forms' one field. Every page at
390 px on the shipped data: no page wider than the phone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, phone_screen, web_client, words

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as c:
        yield c


def _date_markup(page: str, form: str) -> str:
    """The date field of `form` and its words, as markup with the form's name taken out."""
    tree = lxml_html.fromstring(page)
    field = tree.xpath(f"//input[@id='{form}-date']")
    assert len(field) == 1, f"no single #{form}-date"
    label = field[0].getparent()
    assert label.tag == "label"
    said = label.getnext()
    parts = [lxml_html.tostring(label, encoding="unicode", with_tail=False)]
    if said is not None and said.get("id") == f"{form}-date-error":
        parts.append(lxml_html.tostring(said, encoding="unicode", with_tail=False))
    return "".join(parts).replace(f"{form}-date", "FORM-date")


def test_the_editors_date_is_the_round_forms_date_field(client: TestClient) -> None:
    """The editor's "Record as counter" date had its own markup: described by a
    `problems-date` slot always there (empty or not), focused by the editor's own rule. It is
    the round forms' `date_field`: the same label and picker, and when refused the same
    words beside it, tied by aria-describedby, and the one field focused."""
    editor = client.get("/p/gulf-asia/editor?partner=AE").text
    negotiation = client.get("/p/gulf-asia/n/AE").text
    assert _date_markup(editor, "counter") == _date_markup(negotiation, "offer")
    assert "problems-date" not in editor
    bad = {**CSRF, "expect": "5", "date": "31/12/2026"}
    offer = client.post("/p/gulf-asia/n/AE/offer", data=bad)
    from_editor = client.post(
        "/p/gulf-asia/n/AE/counter", data={**bad, "partner": "AE", "security": "veu"}
    )
    assert offer.status_code == from_editor.status_code == 422
    shown = _date_markup(from_editor.text, "counter")
    assert shown == _date_markup(offer.text, "offer")
    assert 'aria-invalid="true" aria-describedby="FORM-date-error" autofocus' in shown
    assert "expected YYYY-MM-DD or today, got '31/12/2026'" in words(shown)
    focused = lxml_html.fromstring(from_editor.text).xpath("//*[@autofocus]")
    assert [e.get("id") for e in focused] == ["counter-date"]
    # a refused author is still marked and focused by the editor's own fields
    long = client.post(
        "/p/gulf-asia/n/AE/counter",
        data={**CSRF, "expect": "5", "partner": "AE", "security": "veu", "author": "A\x1bB"},
    )
    assert long.status_code == 422, words(long.text)[-800:]
    focused = lxml_html.fromstring(long.text).xpath("//*[@autofocus]")
    assert [e.get("id") for e in focused] == ["f-author"], words(long.text)[-800:]


MEASURE = """
const svg = document.querySelector(arguments[0]);
const main = document.querySelector('main');
const next = document.querySelector(arguments[1]);
const box = svg.closest('.scroll').getBoundingClientRect();
return [svg.getBoundingClientRect().top - main.getBoundingClientRect().top,
        next.getBoundingClientRect().top - box.bottom,
        document.documentElement.scrollWidth, document.documentElement.clientWidth];
"""


def _visible_text(driver: Any, selector: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, selector).text)


@pytest.mark.browser
def test_in_a_browser_a_phone_sees_the_frontier_then_what_follows_it(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390x844 the chart's top is on the first screen, and the caption and "Two frames"
    sentence under it (~650 px of text before the Rounds at 390 px) are folds: "How to read
    the chart" and "Two frames ...", so the next section is under 400 px below the chart.
    At 1280 px the folds are open, every word of the caption and the sentence shown."""
    from selenium.webdriver.common.by import By

    from dealbench.negotiate.frontier_words import frames_sentence

    url, _ = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)  # the token's cookie
    pages = (
        ("p/gulf-asia/n/AE", "#frontier svg", "#rounds-h"),
        ("p/gulf-asia/n/AE/frontier", "figure.frontier svg", "#joint-frontier"),
    )
    with phone_screen(driver):
        for path, chart, after in pages:
            driver.get(home + path)
            e2e.wait_for(lambda d, c=chart: d.find_elements(By.CSS_SELECTOR, c), driver)
            top, gap, wide, window = driver.execute_script(MEASURE, chart, after)
            e2e.shot(driver, "qa37w-" + path.replace("/", "-") + "-390")
            assert top < 844, f"{path}: the chart starts {top} px below the main's top"
            assert gap < 400, f"{path}: {gap} px between the chart and {after}"
            assert wide <= window, f"{path}: {wide} px wide in {window}"
            reading = driver.find_element(By.ID, "frontier-reading")
            assert reading.get_attribute("open") is None
            assert "The deal's frontier between" in _visible_text(driver, "#frontier-caption")
    driver.set_window_size(1280, 800)
    for path, chart, _after in pages:
        driver.get(home + path)
        e2e.wait_for(lambda d, c=chart: d.find_elements(By.CSS_SELECTOR, c), driver)
        caption = " ".join(_visible_text(driver, "#frontier-caption").split())
        assert "numbered diamonds the partner's counters (orange)" in caption
        assert caption.endswith("Hover or focus a point to see its package.")
        assert _visible_text(driver, "#frames") == frames_sentence()
    svg = driver.find_element(By.CSS_SELECTOR, "figure.frontier svg")
    assert svg.accessible_name.startswith("The deal's frontier between the partner's utility")


@pytest.mark.browser
def test_in_a_browser_a_bad_date_in_the_editor_focuses_the_date(
    server: tuple[str, Path], browser: Any
) -> None:
    """A counter built in the editor, dated before AE's last round: the editor again, its
    date field focused, described by its words, as the round forms do."""
    from selenium.webdriver.common.by import By

    url, deals = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)
    with phone_screen(driver):
        driver.get(home + "p/gulf-asia/editor?partner=AE")
        driver.find_element(By.ID, "f-security").send_keys("veu")
        driver.find_element(By.ID, "counter-date").send_keys("01012026")
        driver.find_element(By.ID, "record-as-counter").click()
        e2e.wait_for(e2e.at("/p/gulf-asia/n/AE/counter"), driver)
        e2e.wait_for(e2e.focused("counter-date"), driver, 10)
        field = driver.switch_to.active_element
        assert field.get_attribute("aria-invalid") == "true"
        said = driver.find_element(By.ID, field.get_attribute("aria-describedby"))
        assert "dated 2026-01-01, before round 4" in said.text
        assert not (deals / "rounds/gulf-asia/AE/005-partner.yaml").exists()
        e2e.shot(driver, "qa37w-editor-bad-date-390")


#: The cells of a page's data tables laid out a word or two to a line: narrower than 200 px
#: and their text taller than six lines. In a table that scrolls, a column took its longest
#: word's width (the table as narrow as it can be), each row hundreds of px tall.
SQUEEZED = """
const out = [];
for (const cell of document.querySelectorAll('main table td, main table th')) {
  if (!cell.textContent.trim()) continue;
  const line = parseFloat(getComputedStyle(cell).lineHeight) || 20;
  const text = document.createRange();
  text.selectNodeContents(cell);
  const width = cell.getBoundingClientRect().width;
  if (text.getBoundingClientRect().height > 6 * line && width < 200)
    out.push(Math.round(width) + ' px: ' + cell.textContent.trim().slice(0, 50));
}
return out;
"""


@pytest.mark.browser
def test_in_a_browser_a_phones_tables_keep_a_reading_width(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px the portfolio list (the first page) wrapped "Gulf and Asia, 2026–2028, with
    uncertain AE and SA figures" a word to a line in a 92 px column, its partners' codes
    likewise; a sweep's scenarios and "Against the base" were columns of 112 and 135 px
    (one row 800 px tall). Their cells keep a reading width (`.name`, `.phrase`, `.words`);
    the table scrolls beside them, and no page is wider than the phone."""
    from selenium.webdriver.common.by import By

    url, _ = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)
    with phone_screen(driver):
        driver.get(home)
        assert driver.execute_script(SQUEEZED) == []
        driver.get(home + "p/gulf-asia/sweep")
        driver.find_element(By.CSS_SELECTOR, "form[action$='/sweep'] button[type=submit]").click()
        e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "table#sweep"), driver, 120)
        e2e.shot(driver, "qa37w-sweep-390")
        assert driver.execute_script(SQUEEZED) == []
        for path in ("", "p/gulf-asia", "p/gulf-asia/compare", "p/gulf-asia/room"):
            driver.get(home + path)
            wide, window = driver.execute_script(
                "return [document.documentElement.scrollWidth,"
                " document.documentElement.clientWidth]"
            )
            assert wide <= window, f"/{path}: {wide} px in {window}"
            assert driver.execute_script(SQUEEZED) == [], path
