"""The web workbench used with the keyboard alone, and reloaded or gone Back to after every
form that posts (qa44-web3): a date field's calendar button shows the focus ring, the
editor's Save, "Sample acceptance" and "Find improvements" redirect to a page a reload
shows again without sending anything (Save wrote the file again), and a guard walks every
page with Tab in Chromium.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import test_web_browser as e2e
from helpers import csrf, words

browser = e2e.browser

#: The editor's fields for AE's counter (gulf-asia), with fields of the editor's own.
AE_FIELDS = {
    "partner": "AE",
    "security": "kyc",
    "compute.2026": "100000",
    "compute.2027": "0",
    "compute.2028": "0",
    "title": "Draft",
    "filename": "ae-draft",
    "note": "for the Tuesday session",
    "samples": "500",
    "seed": "1",
}


def _sent(client: Any, url: str, **fields: str) -> Any:
    return client.post(url, data={**csrf(), **fields}, follow_redirects=False)


# --- 1. Save: Post/Redirect/Get, a reload writes nothing ----------------------------------


def test_save_redirects_to_the_saved_files_page_which_a_reload_never_saves_again(
    client: Any, deals: Path
) -> None:
    """`/save` answered the POST with its "Saved" page: reloading it sent the save again,
    writing the file again without a word with 'replace' ticked (over any change made to
    it since). Now it redirects (303) to a page of the file, a GET."""
    saved = _sent(client, "/p/gulf-asia/save?partner=AE", **AE_FIELDS, replace="yes")
    assert saved.status_code == 303
    assert saved.headers["location"] == "/p/gulf-asia/saved?package=packages/ae-draft.yaml"
    target = deals / "packages/ae-draft.yaml"
    assert "kyc" in target.read_text()
    target.write_text(target.read_text().replace("Draft", "Edited since"))  # another's edit
    edited = target.read_bytes()
    for _ in range(2):  # the page, and the page reloaded
        shown = client.get(saved.headers["location"])
        assert shown.status_code == 200
        assert "The package is saved as packages/ae-draft.yaml ." in words(shown.text)
        assert 'href="/p/gulf-asia/editor?package=packages/ae-draft.yaml"' in shown.text
    assert target.read_bytes() == edited
    for wrong in ("packages/none.yaml", "portfolios/gulf-asia.yaml", ""):
        assert client.get("/p/gulf-asia/saved", params={"package": wrong}).status_code == 404
    assert client.get("/p/gulf-asia/saved?package=../../etc/passwd").status_code == 400


def test_in_chromium_reloading_the_saved_page_writes_nothing_and_back_shows_the_editor(
    server: tuple[str, Path], browser: object
) -> None:
    """In Chromium: Save with 'replace' ticked, the file edited by another hand, then the
    browser's Reload: the edit stays (the reload sent the save again and wrote over it).
    Back shows the editor."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)
    driver.get(f"{base}/p/gulf-asia/editor?package=packages/ae-counter.yaml")
    driver.find_element(By.ID, "f-filename").send_keys("qa44w3-saved")
    driver.find_element(By.NAME, "replace").click()
    driver.find_element(By.ID, "save").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/saved"), driver)
    target = deals / "packages/qa44w3-saved.yaml"
    target.write_text(target.read_text() + "# edited by hand\n")
    edited = target.read_bytes()
    driver.refresh()
    e2e.wait_for(lambda d: d.find_elements(By.ID, "saved-path"), driver)
    assert driver.find_element(By.ID, "saved-path").text == "packages/qa44w3-saved.yaml"
    assert target.read_bytes() == edited
    driver.back()
    e2e.wait_for(e2e.at("/p/gulf-asia/editor"), driver)
    assert target.read_bytes() == edited


# --- 2. Sample acceptance, Find improvements: the page's address holds the package -------


def test_sample_acceptance_redirects_to_an_address_holding_the_package_it_samples(
    client: Any,
) -> None:
    """The editor's "Sample acceptance" answered its POST in place: reloading the page sent
    the form again (the browser asking to resend it), and the page's own "Sample" form
    posted too. Now the POST redirects to the risk page's address holding the package's
    fields (not the file name nor a round's note), which shows what the POST showed; the
    page's own form is a GET."""
    sent = _sent(client, "/p/gulf-asia/risk?partner=AE", **AE_FIELDS)
    assert sent.status_code == 303
    address = urlsplit(sent.headers["location"])
    assert address.path == "/p/gulf-asia/risk"
    held = dict(parse_qsl(address.query))
    assert held == {k: v for k, v in AE_FIELDS.items() if k not in ("filename", "note")}
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200
    said = words(shown.text)
    assert "AE under kyc, compute 2026 100,000 H100e" in said
    assert "AE under kyc, 500 samples (seed 1)" in said
    assert re.search(r'<form method="get" action="/p/gulf-asia/risk" id="risk-form"', shown.text)
    again = client.get("/p/gulf-asia/risk", params={**held, "seed": "2"})  # "Sample" again
    assert "AE under kyc, 500 samples (seed 2)" in words(again.text)


def test_find_improvements_redirects_to_an_address_holding_the_package_it_improves(
    client: Any,
) -> None:
    """The editor's "Find improvements" answered its POST in place, as "Sample acceptance"
    did. Now it redirects to the improve page's address holding the fields, whose page
    improves the package they make, as the POST's did."""
    sent = _sent(client, "/p/gulf-asia/improve?partner=AE", **AE_FIELDS)
    assert sent.status_code == 303
    address = urlsplit(sent.headers["location"])
    assert address.path == "/p/gulf-asia/improve"
    assert "filename" not in dict(parse_qsl(address.query))
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200
    # what the page finds for the fields is what it finds for them saved as a file
    assert _sent(client, "/p/gulf-asia/save?partner=AE", **AE_FIELDS).status_code == 303
    as_file = client.get("/p/gulf-asia/improve?package=packages/ae-draft.yaml")
    found = [words(p.text).partition("Concessions of AE, by US value")[2] for p in (shown, as_file)]
    assert found[0] and found[0] == found[1]


def test_fields_that_make_no_package_are_still_refused_in_the_editor_as_typed(
    client: Any,
) -> None:
    """Refused fields are shown in the editor with everything typed, the file name and the
    round's note too: the redirect is only for a package that reads."""
    for button in ("risk", "improve"):
        sent = _sent(
            client, f"/p/gulf-asia/{button}?partner=AE", **{**AE_FIELDS, "compute.2026": "lots"}
        )
        assert sent.status_code == 422, button
        assert 'value="ae-draft"' in sent.text and "for the Tuesday session" in sent.text


# --- 3. The keyboard alone, in Chromium -----------------------------------------------------


#: The focused element as a test reads it: its tag, id, whether a ring shows (an outline
#: or a box shadow), and its box.
FOCUSED = """
const e = document.activeElement; const s = getComputedStyle(e); const r = e.getBoundingClientRect();
const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
return [e.tagName.toLowerCase(), e.id, ring, r.width * r.height > 0];
"""


def _tab(driver: Any) -> list[Any]:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(Keys.TAB).perform()
    tag, ident, ring, seen = driver.execute_script(FOCUSED)
    name = driver.switch_to.active_element.accessible_name if tag != "body" else ""
    return [tag, ident, ring, seen, name]


def test_in_chromium_a_date_fields_calendar_button_shows_the_focus_ring(
    server: tuple[str, Path], browser: object
) -> None:
    """Tab goes through a date field's month, day and year, then its calendar button: the
    focus is then inside the field (`:focus-within`, not `:focus`) and the field showed
    only Chromium's faint ring round the icon, the workbench's ring gone (a keyboard user
    lost the focus in every round form's date). Now the ring is the field's."""
    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.get(url.split("/?")[0] + "/p/gulf-asia/n/AE")
    driver.execute_script("document.getElementById('counter-deadline').focus()")
    stops = [_tab(driver) for _ in range(5)]
    assert [s[1] for s in stops] == ["counter-date"] * 4 + ["counter-author"]
    assert [s[2] for s in stops] == [True] * 5


#: Every page family a keyboard user reaches (the solve's and the sweep's pages are found
#: by the test), and the disclosure each has.
PAGES = [
    "/",
    "/p/gulf-asia",
    "/p/gulf-asia/n/AE",
    "/p/gulf-asia/n/AE/frontier",
    "/p/gulf-asia/n/AE/history",
    "/p/gulf-asia/editor?package=packages/ae-counter.yaml",
    "/p/gulf-asia/room",
    "/p/gulf-asia/compare",
    "/p/gulf-asia/sweep",
    "/p/gulf-asia/risk?package=packages/ae-counter.yaml",
    "/validate?portfolio=gulf-asia",
    "/p/gulf-asia/documents?package=packages/ae-counter.yaml",
]


def test_in_chromium_every_page_is_walked_with_tab_each_stop_named_and_ringed(
    server: tuple[str, Path], browser: object
) -> None:
    """A guard, each page in Chromium with the keyboard alone: the first Tab reaches "Skip to
    content", whose Enter puts the focus in the page's main region; Tab then goes through
    every control and comes out at the end (no trap), each stop named and drawn with the
    ring; a disclosure (details) opens and closes with Enter and Space."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    base = url.split("/?")[0]
    driver.get(url)
    driver.get(f"{base}/p/gulf-asia")
    driver.find_element(By.ID, "solve").click()
    e2e.wait_for(lambda d: "/jobs/" in d.current_url, driver)
    job = urlsplit(driver.current_url).path
    e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "table"), driver, 120)
    faults: list[str] = []
    for path in [*PAGES, job]:
        driver.get(base + path)
        time.sleep(0.3)
        # the first Tab of a page that focuses no heading of its own (a solve's does)
        if driver.execute_script("return document.activeElement === document.body"):
            assert _tab(driver)[4] == "Skip to content", path
        skip = driver.find_element(By.CSS_SELECTOR, "a.skip")
        driver.execute_script("arguments[0].focus()", skip)
        skip.send_keys(Keys.ENTER)
        assert driver.execute_script("return document.activeElement.id") == "main", path
        driver.execute_script("arguments[0].focus()", skip)  # every stop after it
        for count in range(400):
            tag, ident, ring, seen, name = _tab(driver)
            if tag == "body":
                break
            where = f"{path}: stop {count} {tag}#{ident} {name!r}"
            if not ring:
                faults.append(f"{where} shows no focus ring")
            if not name.strip():
                faults.append(f"{where} has no name")
            if not seen:
                faults.append(f"{where} is not drawn")
        else:
            faults.append(f"{path}: Tab never left the page (a trap)")
        for summary in driver.find_elements(By.CSS_SELECTOR, "main details > summary")[:1]:
            driver.execute_script("arguments[0].focus()", summary)
            details = summary.find_element(By.XPATH, "..")
            was = details.get_attribute("open") is not None
            for key in (Keys.ENTER, Keys.SPACE):
                summary.send_keys(key)
                now = details.get_attribute("open") is not None
                if now == was:
                    faults.append(f"{path}: {key!r} did not toggle {summary.text!r}")
                was = now
    assert faults == []
