"""The web workbench as a negotiator uses it in a meeting, at a desk and on a phone
(qa44-web): Enter in a round form records nothing with or without script, rounds and
named points drawn on one spot at a phone's width share one label, and a refused form
names its fields by their labels. Each test failed before its fix.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import test_web_browser as e2e
from helpers import csrf, words

browser = e2e.browser


def _expect(client: Any, url: str) -> dict[str, str]:
    """The hidden fields of a round form as the page at `url` has them."""
    found = re.search(r'name="expect" value="(\d+)"', client.get(url).text)
    assert found is not None
    return {**csrf(), "expect": found[1]}


# --- 1. Enter in a round form's field records nothing, with script or without -------------


def test_each_round_forms_first_button_is_the_hidden_one_enter_presses(client: Any) -> None:
    """Without script Enter in a field presses a form's first submit button: each round
    form's was the one that records. Now it is a hidden button that records nothing."""
    page = client.get("/p/gulf-asia/n/AE").text
    for form in ("counter", "offer", "conclude-form", "walk-away-form"):
        found = re.search(rf'(?s)<form [^>]*id="{form}">.*?</form>', page)
        assert found is not None, form
        first = re.search(r'<button type="submit"[^>]*>', found[0])
        assert first is not None
        assert 'name="enter"' in first[0] and " hidden" in first[0], form
        assert "data-records" not in first[0]


def test_what_enter_sends_records_nothing_and_keeps_what_was_typed(
    client: Any, deals: Path
) -> None:
    """The hidden button's answer: the negotiation page, the form as typed, saying which
    button records; nothing written. Pressing the button itself still records."""
    form = {**_expect(client, "/p/gulf-asia/n/QA"), "author": "Ms Enter", "enter": "yes"}
    sent = client.post("/p/gulf-asia/n/QA/offer", data=form, follow_redirects=False)
    assert sent.status_code == 422
    said = words(sent.text)
    assert "Enter in a field records nothing: press “Propose and record” to record the offer." in (
        said
    )
    assert "Nothing was recorded; the form holds what was typed." in said
    assert 'value="Ms Enter"' in sent.text
    assert not list((deals / "rounds/gulf-asia").glob("QA/*.yaml"))
    form = {**_expect(client, "/p/gulf-asia/n/QA"), "by": "partner", "confirm": "yes"}
    walked = client.post("/p/gulf-asia/n/QA/walk-away", data={**form, "enter": "yes"})
    assert "press “Walk away” to record the end of the talks" in words(walked.text)
    assert not list((deals / "rounds/gulf-asia").glob("QA/*.yaml"))
    pressed = client.post("/p/gulf-asia/n/QA/walk-away", data=form, follow_redirects=False)
    assert pressed.status_code == 303
    assert [p.name for p in (deals / "rounds/gulf-asia/QA").glob("*.yaml")] == ["001-partner.yaml"]


def test_without_script_enter_in_a_round_forms_field_records_nothing(
    server: tuple[str, Path], browser: object
) -> None:
    """In Chromium without script, Enter in the offer's author or date, the counter's date
    or the walk-away's ticked box sent the form's only button: a round recorded by a key
    press, never taken back. Now each answers the page again, saying which button records."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        for field, button in (
            ("offer-author", "Propose and record"),
            ("offer-date", "Propose and record"),
            ("counter-date", "Record counter"),
            ("walk-away-confirm", "Walk away"),
        ):
            driver.get(f"{base}/p/gulf-asia/n/QA")
            element = driver.find_element(By.ID, field)
            if field.endswith("confirm"):
                element.click()
                element.send_keys(Keys.ENTER)
            else:
                element.send_keys("1", Keys.ENTER)
            e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "div.error"), driver)
            assert f"press “{button}”" in driver.find_element(By.CSS_SELECTOR, "div.error").text
            assert not list((deals / "rounds/gulf-asia").glob("QA/*.yaml")), field
        driver.get(f"{base}/p/gulf-asia/n/QA")
        driver.find_element(By.ID, "propose").click()
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver, 120)
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    # with script, Enter in a date field sends nothing at all
    driver.get(f"{base}/p/gulf-asia/n/QA")
    driver.find_element(By.ID, "offer-date").send_keys("1", Keys.ENTER)
    time.sleep(1.5)  # what a sent form would take to leave the page
    assert driver.current_url.endswith("/p/gulf-asia/n/QA")
    assert [p.name for p in (deals / "rounds/gulf-asia/QA").glob("*.yaml")] == ["001-us.yaml"]


# --- 2. Rounds drawn on one spot at a phone's width share one label ------------------------


def test_rounds_apart_at_a_desk_but_on_one_spot_on_a_phone_share_a_label_there_only() -> None:
    """Rounds 20 units apart read "3" and "4" at a desk; on a phone, marks drawn 1.75 times
    larger, the diamond covers the circle's "3". The rule used a desk's distance at every
    width: each kept its number there. Now "3, 4" is written for a phone alone (`at k2`),
    and each number for the wider screens."""
    from dealbench.web.chart import Mark, share_labels

    marks = share_labels(
        [
            Mark(200.0, 80.0, "3", "Round 3 (US offer)", "us"),
            Mark(220.0, 80.0, "4", "Round 4 (Counter)", "partner"),
            Mark(500.0, 200.0, "2", "Round 2 (Counter)", "partner"),
        ]
    )
    said = [[(lbl.text, lbl.beside, lbl.classes) for lbl in m.extra["labels"]] for m in marks]
    assert said == [
        [("3", False, "at k0 k1"), ("3, 4", True, "at k2")],
        [("4", False, "at k0 k1")],
        [("2", False, "")],
    ]
    assert [m.label for m in marks] == ["3", "4", "2"]  # a desk's, as before
    # rounds touching at a desk keep their numbers (AE's 3 and 4 in the deal's frame, 31
    # units apart, read on a phone): only a mark over another's number shares
    apart = share_labels([Mark(218.7, 79.5, "3", "", "us"), Mark(250.0, 78.6, "4", "", "partner")])
    assert [[lbl.text for lbl in m.extra["labels"]] for m in apart] == [["3"], ["4"]]


def test_a_label_written_for_some_widths_is_shown_at_those_alone(
    server: tuple[str, Path], browser: object
) -> None:
    """app.css shows a round's label written for a width ("at k0 k1", "at k2") at that
    width alone, in Chromium at 1280 px, 600 px and a phone's 390 px."""
    from selenium.webdriver.common.by import By

    from helpers import phone_screen

    driver: Any = browser
    url, _ = server
    driver.get(url)
    svg = (
        '<svg class="frontier-svg" id="qa44" viewBox="0 0 720 420"><g class="round us">'
        '<text id="wide" class="at k0 k1" x="100" y="100">3</text>'
        '<text id="narrow" class="beside at k2" x="100" y="100">3, 4</text>'
        '<text id="all" x="200" y="200">2</text></g></svg>'
    )

    def shown() -> list[str]:
        driver.execute_script(
            "document.getElementById('qa44')?.remove();"
            "document.querySelector('main').insertAdjacentHTML('afterbegin', arguments[0]);",
            svg,
        )
        texts = driver.find_elements(By.CSS_SELECTOR, "#qa44 text")
        return [t.get_attribute("id") for t in texts if t.is_displayed()]

    assert shown() == ["wide", "all"]
    with phone_screen(driver, 600):
        assert shown() == ["wide", "all"]
    with phone_screen(driver):
        assert shown() == ["narrow", "all"]


# --- 3. A refused form names its fields by their labels, in the CLI's words ----------------


def test_a_refused_solve_names_each_field_by_its_label_with_the_clis_words(
    client: Any, run: Any, deals: Path
) -> None:
    """The solve form's summary said "error: time_limit: ...", "error: v_floor: expected an
    amount of money: expected an amount of USD ...", "error: policy: ..." and "error: sets:
    ..." above fields labelled "Time limit (s)", "US utility floor", "Regime" and
    "Overrides": the form's names, a user's never. Now the labels, and the floor's words
    are the CLI's, once."""
    form = {**csrf(), "mode": "us-best", "solver": "highs", "gap": "1e-6"}
    bad = {"time_limit": "-1", "v_floor": "x", "policy": "bilaterall"}
    said = words(client.post("/p/gulf-asia/solve", data={**form, **bad}).text)
    cli = run("solve", deals / "portfolios/gulf-asia.yaml", "--v-floor", "x")
    floor = cli.output.strip().splitlines()[-1].removeprefix("error: --v-floor: ")
    assert floor == "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got 'x'"
    assert f"error: US utility floor: {floor}" in said
    assert "error: Time limit: expected a positive number of seconds" in said
    assert "error: Regime: unknown regime 'bilaterall'" in said
    assert not re.search(r"error: (time_limit|v_floor|policy):", said)
    sets = client.post("/p/gulf-asia/solve", data={**form, "sets": "partners.AE.batn=3bn"})
    assert "error: Overrides: partners.AE.batn: partners.AE has no field 'batn'" in words(sets.text)
    assert 'value="-1"' not in sets.text  # each answer holds what its own form held
    swept = client.post(
        "/p/gulf-asia/sweep", data={**csrf(), "kind": "param", "param": "x.y", "refine": "-1"}
    )
    assert "error: Bisections per change: expected 0 or more bisections, got -1" in words(
        swept.text
    )
    top = client.get("/p/gulf-asia/improve?package=packages/ae-offer.yaml&top=0")
    assert "error: Show at most: expected a whole number at least 1, got '0'" in words(top.text)
