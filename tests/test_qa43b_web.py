"""The web workbench's round forms and words, as a negotiator meets them (qa43b-web).

Each test failed before its fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words
from test_qa43_web import BH_FIELDS  # our own opening to Bahrain, typed in the editor

browser = e2e.browser


def _expect(client: Any, url: str) -> dict[str, str]:
    """The hidden fields of a round form as the page at `url` has them."""
    found = re.search(r'name="expect" value="(\d+)"', client.get(url).text)
    assert found is not None
    return {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": found[1]}


def _offer_from_editor(client: Any, fields: dict[str, str], **options: Any) -> Any:
    """The editor's "Record as our offer to BH" pressed on `fields` (its button's address)."""
    data = {**_expect(client, "/p/gulf-asia/editor?partner=BH"), **fields}
    return client.post("/p/gulf-asia/n/BH/offer?partner=BH", data=data, **options)


# --- 1. Post/Redirect/Get: a recorded round's page is a GET, reloading it sends nothing ----


def test_a_recorded_offer_redirects_to_its_page_which_reloads_without_sending_again(
    client: Any, deals: Path
) -> None:
    """ "Propose and record" answered the POST in place: reloading that page sent the form
    again, refused as "round 2 was recorded after the page was loaded; nothing written"
    right after the success. Now the POST redirects (303) to the round's page, which
    reloads as often as wished and says the same, the proposal included."""
    form = {**_expect(client, "/p/gulf-asia/n/QA"), "strategy": "linear"}
    sent = client.post("/p/gulf-asia/n/QA/offer", data=form, follow_redirects=False)
    assert sent.status_code == 303, words(sent.text)
    assert sent.headers["location"] == "/p/gulf-asia/n/QA/recorded/1"
    first = client.get(sent.headers["location"])
    again = client.get(sent.headers["location"])  # a reload
    assert first.status_code == again.status_code == 200
    assert first.text == again.text
    said = words(first.text)
    assert "Round 1 recorded: US offer with QA" in said and "Strategy linear" in said
    assert "was recorded after the page was loaded" not in said
    assert sorted(p.name for p in (deals / "rounds/gulf-asia/QA").glob("*.yaml")) == ["001-us.yaml"]


def test_every_round_form_redirects_and_a_refusal_still_answers_in_place(
    client: Any, deals: Path
) -> None:
    """Counter (the editor's), our own offer, conclude and walk-away each redirect to the
    round's page; a form sent again from the old page is still refused in place (`expect`),
    every field kept, and a refused form answers in place with its reason by its field."""
    counter = {**_expect(client, "/p/gulf-asia/editor?partner=BH"), **BH_FIELDS}
    sent = client.post("/p/gulf-asia/n/BH/counter?partner=BH", data=counter)
    assert sent.history[0].status_code == 303 and sent.status_code == 200
    assert str(sent.url).endswith("/p/gulf-asia/n/BH/recorded/1")
    assert "Round 1 recorded: counter with BH" in words(sent.text)
    assert "Recommendation:" in words(sent.text)  # the verdict, worked out at the write

    # the same form again (Back, then send): refused in place, nothing written
    twice = client.post("/p/gulf-asia/n/BH/counter?partner=BH", data=counter)
    assert twice.status_code == 422 and not twice.history
    assert "was recorded after the page was loaded; nothing written" in words(twice.text)

    own = _offer_from_editor(client, {**BH_FIELDS, "note": "Ours"})
    assert str(own.url).endswith("/p/gulf-asia/n/BH/recorded/2"), words(own.text)
    assert "The package as built in the package editor" in words(own.text)

    refused = client.post(
        "/p/gulf-asia/n/BH/conclude", data={**_expect(client, "/p/gulf-asia/n/BH"), "round": "2"}
    )
    assert refused.status_code == 422 and not refused.history
    assert re.search(r'id="conclude-confirm"[^>]*aria-invalid="true"', refused.text)
    concluded = client.post(
        "/p/gulf-asia/n/BH/conclude",
        data={**_expect(client, "/p/gulf-asia/n/BH"), "round": "2", "confirm": "yes"},
    )
    assert str(concluded.url).endswith("/p/gulf-asia/n/BH/recorded/3")
    assert "Deal concluded with BH in round 3" in words(concluded.text)

    walked = client.post(
        "/p/gulf-asia/n/QA/walk-away",
        data={**_expect(client, "/p/gulf-asia/n/QA"), "by": "us", "confirm": "yes"},
    )
    assert str(walked.url).endswith("/p/gulf-asia/n/QA/recorded/1")
    assert "Talks with QA ended in round 1" in words(walked.text)
    assert len(list((deals / "rounds/gulf-asia/BH").glob("*.yaml"))) == 3


def test_a_round_recorded_before_the_server_started_has_a_page_from_its_file(
    client: Any,
) -> None:
    """A recorded round's address kept (a bookmark, the server restarted) still answers:
    the round from its file, saying where the rest is; a round that does not exist is a
    404."""
    page = client.get("/p/gulf-asia/n/AE/recorded/2")
    assert page.status_code == 200
    said = words(page.text)
    assert "Round 2: counter with AE" in said and "002-partner.yaml" in said
    assert "the negotiation's history shows every round's figures" in said
    assert client.get("/p/gulf-asia/n/AE/recorded/99").status_code == 404


# --- 2. A refusal's summary says the field as the page labels it ---------------------------


def test_a_refused_retreat_is_summarised_under_the_checkboxs_label(client: Any) -> None:
    """The summary at the top of a retreat refused said "error: allow_retreat: ...", the
    library's parameter, above the box labelled "Allow a retreat"; the editor's and the
    negotiation page's forms alike."""
    assert _offer_from_editor(client, BH_FIELDS).status_code == 200
    less = {**BH_FIELDS, "compute.2026": "10000"}
    refused = _offer_from_editor(client, less)
    assert refused.status_code == 422
    said = words(refused.text)
    assert "allow_retreat" not in said
    assert "error: Allow a retreat: " in said

    # the negotiation page's form: our next offer keeping everything of round 1 but the
    # compute, by a strategy that concedes nothing, cannot retreat; a strategy does, and
    # the summary is the same
    form = {**_expect(client, "/p/gulf-asia/n/BH"), "strategy": "us-best"}
    page = client.post("/p/gulf-asia/n/BH/offer", data=form)
    if page.status_code == 422:
        assert "allow_retreat" not in words(page.text)


# --- 3. Enter in the editor's round fields records nothing ----------------------------------


@pytest.mark.browser
def test_enter_in_allow_a_retreat_or_the_round_date_evaluates_and_records_nothing(
    server: tuple[str, Path], browser: object
) -> None:
    """Enter in the editor's "Allow a retreat" box sent "Record as our offer to BH" (its
    fieldset's button), and Enter in the round's date "Record as BH's counter": a round
    recorded by a key press, never taken back. Enter there now evaluates the package in
    place; the buttons still record."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/editor?partner=BH")
    verdict = e2e.wait_for(lambda d: d.find_element(By.ID, "verdict"), driver)
    driver.find_element(By.ID, "f-security").send_keys("veu")
    for field in ("f-allow_retreat", "counter-date"):
        before = int(verdict.get_attribute("data-evaluations") or 0)
        driver.find_element(By.ID, field).send_keys(Keys.ENTER)
        e2e.wait_for(
            lambda d, n=before: int(verdict.get_attribute("data-evaluations") or 0) > n, driver
        )
        assert driver.current_url.endswith("/p/gulf-asia/editor?partner=BH"), field
    assert not list((deals / "rounds/gulf-asia").glob("BH/*.yaml"))
    driver.find_element(By.ID, "record-as-offer").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/n/BH/recorded/1"), driver, 120)
    assert "Round 1 recorded: US offer with BH" in driver.find_element(By.TAG_NAME, "h1").text


# --- 4. The web's own words, not the CLI's ---------------------------------------------------


def test_a_sweep_without_a_path_is_refused_in_the_forms_words(client: Any) -> None:
    """The sweep form sent without a path said "give the --set path to sweep": an option
    of no command (the CLI's is `--param`), beside a field labelled "Path"."""
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "kind": "param", "from": "0", "to": "1"}
    page = client.post("/p/gulf-asia/sweep", data=form)
    assert page.status_code == 422
    said = words(page.text)
    assert "give the --set path" not in said
    assert "give the path of the figure to sweep, such as policy.risk_penalty_per_h100e" in said


# --- 5. One rule for "Not done:" in a tab ----------------------------------------------------


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html)
    assert found is not None
    return found[1]


def test_a_tab_says_not_done_by_the_pages_status_and_an_error_page_by_its_title(
    client: Any,
) -> None:
    """ "Not done: " was given two ways (a `refused` in most pages, `status >= 400` in the
    editor's); it is now the page's status in every page, the error pages keeping their own
    titles (a 404 is "Not found", as it was). A refused documents form, a refused editor
    button, a refused round form say it; a recorded round's page does not."""
    documents = client.get("/p/gulf-asia/documents?package=packages/none.yaml")
    assert documents.status_code >= 400
    assert _title(documents.text).startswith("Not done: ")
    editor = client.post(
        "/p/gulf-asia/save?partner=BH",
        data={CSRF_FIELD: csrf_for(WEB_TOKEN), **BH_FIELDS, "filename": "bad name!"},
    )
    assert editor.status_code == 422 and _title(editor.text).startswith("Not done: ")
    conclude = client.post("/p/gulf-asia/n/AE/conclude", data=_expect(client, "/p/gulf-asia/n/AE"))
    assert conclude.status_code == 422 and _title(conclude.text).startswith("Not done: ")
    missing = client.get("/p/gulf-asia/n/AE/recorded/99")
    assert missing.status_code == 404
    assert _title(missing.text) == "Not found · gulf-asia · dealbench"
    assert not _title(client.get("/p/gulf-asia/n/AE/recorded/2").text).startswith("Not done")
