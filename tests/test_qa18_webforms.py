"""Web forms that answer a bad field in place (qa18-webforms): the solve and round forms
re-shown holding what was typed, the field at fault marked; each test failed before its fix."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, phone_screen, words

CSRF = csrf_for(WEB_TOKEN)

browser = e2e.browser


_VOID = {"input", "br", "meta", "link", "img", "hr", "source", "col", "wbr", "area"}


class _Form(HTMLParser):
    """The controls of the page's form `form_id` (name -> attributes, values, chosen), the
    page's alert and the text of every element with an id."""

    def __init__(self, html: str, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.controls: dict[str, dict[str, str]] = {}
        self.chosen: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}
        self.alerts: list[dict[str, str]] = []
        self.links: list[str] = []
        self._inside = False
        self._select = ""
        self._option: dict[str, str] | None = None
        self._textarea = ""
        self._open: list[tuple[str, str]] = []  # the elements open: tag, id ("" for none)
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v if v is not None else "" for k, v in attrs}
        if found.get("role") == "alert":
            self.alerts.append(found)
        if tag == "a" and "href" in found:
            self.links.append(found["href"])
        if "id" in found:
            self.texts.setdefault(found["id"], "")
        if tag not in _VOID:
            self._open.append((tag, found.get("id", "")))
        if tag == "form":
            self._inside = found.get("id") == self.form_id
        if not self._inside:
            return
        if tag in ("input", "select", "textarea") and "name" in found:
            self.controls[found["name"]] = found
            if tag == "select":
                self._select = found["name"]
                self.chosen[found["name"]] = []
            if tag == "textarea":
                self._textarea = found["name"]
                found["value"] = ""
        if tag == "option" and self._select:
            self._option = found
            found["text"] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass
        if tag == "form":
            self._inside = False
        if tag == "select":
            self._select = ""
        if tag == "textarea":
            self._textarea = ""
        if tag == "option" and self._option is not None:
            if "selected" in self._option:
                value = self._option.get("value", self._option["text"])
                self.chosen[self._select].append(value)
            self._option = None

    def handle_data(self, data: str) -> None:
        for _, key in self._open:
            if key:
                self.texts[key] += data
        if self._option is not None:
            self._option["text"] += data
        if self._textarea:
            self.controls[self._textarea]["value"] += data


def post(client: Any, url: str, files: object = None, **fields: str) -> Any:
    return client.post(url, data={CSRF_FIELD: CSRF, **fields}, files=files)


def rounds(deals: Path, code: str = "SG", name: str = "solo") -> list[str]:
    folder = deals / "rounds" / name / code
    return sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _marked(page: _Form, field: str, words_id: str, said: str) -> None:
    """`field` is invalid, described by `words_id` (beside it, saying `said`), focused first,
    and the page's alert links to it."""
    control = page.controls[field]
    assert control.get("aria-invalid") == "true", control
    assert words_id in control.get("aria-describedby", "").split(), control
    assert said in " ".join(page.texts[words_id].split())
    assert "autofocus" in control
    assert page.alerts, "no role=alert summary"
    assert f"#{control['id']}" in page.links


# --- the round forms -------------------------------------------------------------------------


def test_a_bad_date_in_the_offer_form_reshows_the_page_holding_every_typed_value(
    client: Any, deals: Path
) -> None:
    """A separate error page with Back: the negotiator lost the strategy and note typed."""
    sent = post(
        client, "/p/solo/n/SG/offer", expect="1", strategy="boulware", date="2099-05-01",
        note="after the Abu Dhabi session",
    )  # fmt: skip
    assert sent.status_code == 422
    page = _Form(sent.text, "offer")
    assert "Negotiation with Singapore" in page.texts["main"]
    assert page.chosen["strategy"] == ["boulware"]
    assert page.controls["note"]["value"] == "after the Abu Dhabi session"
    assert page.controls["date"]["value"] == "2099-05-01"
    _marked(page, "date", "offer-date-error", "more than 10 years after the portfolio's horizon")
    assert "Nothing was recorded" in words(sent.text)
    assert rounds(deals) == []
    # The other forms of the page are as they were: nothing of this one's typing.
    walk = _Form(sent.text, "walk-away-form")
    assert walk.controls["note"]["value"] == "" and "aria-invalid" not in walk.controls["date"]


def test_the_walk_away_form_keeps_its_choices_and_marks_the_missing_confirmation(
    client: Any, deals: Path
) -> None:
    sent = post(client, "/p/solo/n/SG/walk-away", expect="1", by="partner", note="PRC stack")
    assert sent.status_code == 422
    page = _Form(sent.text, "walk-away-form")
    assert page.chosen["by"] == ["partner"] and page.controls["note"]["value"] == "PRC stack"
    _marked(page, "confirm", "walk-away-confirm-error", "not ticked; tick it to record a walk-away")
    assert "checked" not in page.controls["confirm"]
    assert rounds(deals) == []


def test_a_counter_file_that_does_not_load_marks_the_file_field_and_keeps_date_and_note(
    client: Any, deals: Path
) -> None:
    bad = "partner: SG\nsecurity: veu\ncompute: {2026: lots}\n"
    sent = post(
        client, "/p/solo/n/SG/counter", files={"file": ("c.yaml", bad.encode())}, expect="1",
        date="2026-03-14", note="their first counter",
    )  # fmt: skip
    assert sent.status_code == 422
    page = _Form(sent.text, "counter")
    assert page.controls["date"]["value"] == "2026-03-14"
    assert page.controls["note"]["value"] == "their first counter"
    _marked(page, "file", "counter-file-error", "c.yaml:3: compute.2026")
    assert "Choose the file again" in page.texts["counter-file-again"]
    assert rounds(deals) == []


def test_a_conclusion_keeps_the_round_chosen_when_another_field_is_refused(
    client: Any, deals: Path
) -> None:
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200
    sent = post(
        client, "/p/solo/n/SG/conclude", expect="2", round="1", date="01/05/2026", confirm="yes"
    )
    assert sent.status_code == 422
    page = _Form(sent.text, "conclude-form")
    assert page.chosen["round"] == ["1"]
    _marked(page, "date", "conclude-date-error", "expected YYYY-MM-DD or today")
    assert rounds(deals) == ["001-us.yaml"]


def test_a_round_recorded_meanwhile_is_said_on_the_page_which_shows_it(
    client: Any, deals: Path
) -> None:
    """Not about a field: the summary says it (and takes the focus), the table shows the round."""
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200
    again = post(client, "/p/solo/n/SG/offer", expect="1", note="sent twice")
    assert again.status_code == 422
    page = _Form(again.text, "offer")
    assert "round 1 (001-us.yaml) was recorded after the page was loaded" in words(again.text)
    assert page.alerts and "autofocus" in page.alerts[0]
    assert not [c for c in page.controls.values() if "aria-invalid" in c]
    assert page.controls["note"]["value"] == "sent twice"
    assert page.controls["expect"]["value"] == "2"  # the page as it now stands
    assert '<tr data-round="1">' in again.text
    assert rounds(deals) == ["001-us.yaml"]


def test_a_malformed_round_form_is_a_400_in_the_page(client: Any, deals: Path) -> None:
    sent = post(client, "/p/solo/n/SG/offer", expect="one", note="kept")
    assert sent.status_code == 400
    assert "expect: expected a round number, got 'one'" in words(sent.text)
    assert _Form(sent.text, "offer").controls["note"]["value"] == "kept"
    assert rounds(deals) == []


def test_the_editors_counter_refused_shows_the_editor_again_as_typed(client: Any) -> None:
    fields = {"partner": "SG", "security": "veu", "compute.2026": "lots", "expect": "1"}
    sent = post(client, "/p/solo/n/SG/counter", **fields, filename="sg-draft")
    assert sent.status_code == 422
    page = _Form(sent.text, "package")
    assert page.controls["compute.2026"]["value"] == "lots"
    assert page.controls["filename"]["value"] == "sg-draft"
    assert "compute.2026: expected a number, got 'lots'" in words(sent.text)
    # The field at fault marked, its words beside it (they were in the verdict only).
    field = page.controls["compute.2026"]
    assert field.get("aria-invalid") == "true" and "autofocus" in field
    assert "problems-compute.2026" in field["aria-describedby"].split()
    assert "expected a number, got 'lots'" in page.texts["problems-compute.2026"]


# --- the solve form --------------------------------------------------------------------------


def test_a_bad_solve_field_reshows_the_form_holding_every_typed_value(client: Any) -> None:
    sent = post(
        client, "/p/solo/solve", mode="us-best", solver="cbc", gap="0.01", time_limit="soon",
        policy="repeal", sets="partners.SG.batna=2.2bn\nportfolio.supply.2026=500_000",
        prices="yes", robust="0.9", samples="500", seed="7",
    )  # fmt: skip
    assert sent.status_code == 422
    page = _Form(sent.text, "solve-form")
    assert page.chosen["mode"] == ["us-best"] and page.chosen["solver"] == ["cbc"]
    assert page.chosen["policy"] == ["repeal"]
    assert page.controls["gap"]["value"] == "0.01"
    assert (
        page.controls["sets"]["value"] == "partners.SG.batna=2.2bn\nportfolio.supply.2026=500_000"
    )
    assert "checked" in page.controls["prices"]
    values = {f: page.controls[f]["value"] for f in ("robust", "samples", "seed")}
    assert values == {"robust": "0.9", "samples": "500", "seed": "7"}
    _marked(page, "time_limit", "solve-time_limit-error", "expected a number, got 'soon'")
    assert "Nothing was started" in words(sent.text)
    assert client.app.state.jobs.for_portfolio("solo") == []


def test_a_bad_override_marks_the_overrides_field(client: Any) -> None:
    sent = post(client, "/p/solo/solve", sets="partners.XX.batna=3bn")
    assert sent.status_code == 422
    page = _Form(sent.text, "solve-form")
    _marked(page, "sets", "solve-sets-error", "partners.XX.batna: no partner 'XX'")


# --- in the real browser ---------------------------------------------------------------------


@pytest.mark.browser
def test_a_mistyped_offer_keeps_everything_typed_and_focuses_the_bad_field(
    server: tuple[str, Path], browser: object
) -> None:
    """Typed into the offer form (a strategy, two terms kept, a note, a date in 2099 instead
    of 2026) and sent: the page again, every value there, the date marked and focused."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver: Any = browser
    url, deals = server
    before = rounds(deals, "AE", "gulf-asia")
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia/n/AE")
    Select(driver.find_element(By.ID, "offer-strategy")).select_by_visible_text("zeuthen")
    driver.find_element(By.ID, "offer-fix-security").click()
    driver.find_element(By.ID, "offer-fix-compute").click()
    driver.find_element(By.ID, "offer-note").send_keys("Second offer, after the call")
    date = driver.find_element(By.ID, "offer-date")
    driver.execute_script("arguments[0].focus()", date)
    date.send_keys("05012099")  # mm dd yyyy, as an en-US date field takes it
    assert date.get_attribute("value") == "2099-05-01"
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(lambda d: d.find_elements(By.ID, "offer-problems"), driver)
    e2e.shot(driver, "qa18-offer-refused")
    strategy = Select(driver.find_element(By.ID, "offer-strategy"))
    assert strategy.first_selected_option.text == "zeuthen"
    kept = sorted(
        box.get_attribute("value")
        for box in driver.find_elements(By.CSS_SELECTOR, "#offer-fix input:checked")
    )
    assert kept == ["compute", "security"]
    assert driver.find_element(By.ID, "offer-note").get_attribute("value") == (
        "Second offer, after the call"
    )
    date = driver.find_element(By.ID, "offer-date")
    assert date.get_attribute("value") == "2099-05-01"
    assert date.get_attribute("aria-invalid") == "true"
    assert "more than 10 years" in driver.find_element(By.ID, "offer-date-error").text
    e2e.wait_for(e2e.focused("offer-date"), driver)
    assert rounds(deals, "AE", "gulf-asia") == before


# --- Back after a round is recorded ------------------------------------------------------------


def test_the_negotiation_page_is_never_kept_in_the_browsers_cache(client: Any) -> None:
    """Back after a round form showed the page as it was, without the round in its table."""
    assert client.get("/p/solo/n/SG").headers["cache-control"] == "no-store"
    refused = post(client, "/p/solo/n/SG/offer", expect="1", date="1 May")
    assert refused.headers["cache-control"] == "no-store"


def test_the_frontier_is_drawn_once_for_the_files_as_they_stand(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Back reloads the page, which asks for its frontier (half a second on gulf-asia's
    AE, a second on global's): drawn again only when a round (or a file) has changed."""
    from dealbench.web.views import frontier_pages

    calls: list[str] = []
    real = frontier_pages.frontier

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(frontier_pages, "frontier", counted)
    fragment = {"X-Dealbench-Fragment": "1"}
    first = client.get("/p/solo/n/SG/frontier", headers=fragment).text
    assert client.get("/p/solo/n/SG/frontier", headers=fragment).text == first
    assert calls == ["SG"]
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200
    again = client.get("/p/solo/n/SG/frontier", headers=fragment).text
    assert calls == ["SG", "SG"] and again != first  # the round is on the chart


@pytest.mark.browser
def test_back_after_a_round_is_recorded_shows_the_round(
    server: tuple[str, Path], browser: object
) -> None:
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, deals = server
    driver.get(url)
    page = url.split("?")[0] + "p/gulf-asia/n/QA"
    driver.get(page)
    assert not driver.find_elements(By.CSS_SELECTOR, "#rounds tr[data-round]")
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(lambda d: "recorded" in d.title.lower(), driver)
    driver.back()
    e2e.wait_for(lambda d: d.current_url == page, driver)
    e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, '#rounds tr[data-round="1"]'), driver)
    assert rounds(deals, "QA", "gulf-asia") == ["001-us.yaml"]


# --- the improve page's package field ----------------------------------------------------------


def test_a_missing_package_file_marks_the_improve_pages_package_field(client: Any) -> None:
    """The error named the file's path, and no field said it was at fault."""
    sent = client.get("/p/gulf-asia/improve?package=packages/missing.yaml")
    assert sent.status_code == 422
    page = _Form(sent.text, "improve-form")
    control = page.controls["package"]
    assert control.get("aria-invalid") == "true"
    assert control.get("aria-describedby") == "improve-package-error"
    assert "packages/missing.yaml: file not found" in words(page.texts["improve-package-error"])
    assert "packages/missing.yaml: file not found" in words(page.texts["improve-problems"])
    assert page.chosen["package"] == ["packages/missing.yaml"]  # what was asked, shown
    held = client.get("/p/gulf-asia/improve?package=packages/ae-offer.yaml&hold=packages/gone.yaml")
    page = _Form(held.text, "improve-form")
    assert page.controls["hold"].get("aria-invalid") == "true"
    assert "aria-invalid" not in page.controls["package"]


# --- the history page's chart downloads -------------------------------------------------------


def test_history_charts_download_under_their_portfolios_name(client: Any) -> None:
    """gulf-asia's and global's AE charts were both saved as "AE-rounds.svg"."""
    import html
    import re

    page = client.get("/p/gulf-asia/n/AE/history").text
    links = dict(re.findall(r'href="([^"]+download=1)" download="([^"]+)"', page))
    assert sorted(links.values()) == ["gulf-asia-AE-rounds.png", "gulf-asia-AE-rounds.svg"]
    for link, saved in links.items():
        response = client.get(html.unescape(link))
        assert response.headers["content-disposition"] == f'attachment; filename="{saved}"'
    assert ">gulf-asia-AE-rounds.svg</a>" in page


# --- past the frontier chart from the keyboard -------------------------------------------------


@pytest.mark.browser
def test_the_keyboard_can_skip_the_frontiers_points(
    server: tuple[str, Path], browser: object
) -> None:
    """Each point of the chart is a tab stop: 20-odd of them stood before the forms below."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    e2e.open_frontier(driver, url)
    stops = driver.find_elements(By.CSS_SELECTOR, "#frontier [tabindex='0']")
    assert len(stops) > 10
    history = driver.find_element(By.ID, "history-link")
    history.send_keys(Keys.TAB)  # the next stop after the page's links above the chart
    skip = driver.switch_to.active_element
    assert skip.get_attribute("id") == "skip-chart" and skip.text == "Skip the chart"
    box = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", skip)
    assert box["left"] >= 0 and box["width"] > 0, box  # seen when focused
    e2e.shot(driver, "qa18-skip-chart")
    skip.send_keys(Keys.ENTER)
    driver.switch_to.active_element.send_keys(Keys.TAB)
    now = driver.switch_to.active_element
    inside = driver.execute_script(
        "return document.getElementById('frontier').contains(arguments[0])", now
    )
    after = driver.execute_script(
        "return Boolean(document.getElementById('frontier')"
        ".compareDocumentPosition(arguments[0]) & Node.DOCUMENT_POSITION_FOLLOWING)",
        now,
    )
    assert not inside and after, now.get_attribute("outerHTML")[:200]


@pytest.mark.browser
def test_the_frontier_drawn_above_a_refused_field_leaves_it_in_the_window(
    server: tuple[str, Path], browser: object
) -> None:
    """On a short page (no round yet) the field was in the window when focused, then the chart
    arrived above it and pushed it 600 px down, out of sight."""

    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.set_window_size(1280, 1000)  # the whole form in the window: the page not scrolled
    try:
        _refused_below_the_chart(driver, url)
    finally:
        driver.set_window_size(1280, 800)


def _refused_below_the_chart(driver: Any, url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url.split("?")[0] + "p/gulf-asia/n/BH")
    driver.find_element(By.ID, "offer-note").send_keys("First offer")
    date = driver.find_element(By.ID, "offer-date")
    driver.execute_script("arguments[0].focus()", date)
    date.send_keys("05012099")
    slow = {"offline": False, "latency": 600, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", slow)
    try:
        driver.find_element(By.ID, "propose").click()
        e2e.wait_for(lambda d: d.find_elements(By.ID, "offer-problems"), driver)
        e2e.wait_for(
            lambda d: d.find_element(By.ID, "frontier").get_attribute("data-loaded"), driver
        )
    finally:
        driver.execute_cdp_cmd("Network.disable", {})
    e2e.wait_for(e2e.focused("offer-date"), driver)
    top, bottom, height = driver.execute_script(
        "const r = document.getElementById('offer-date').getBoundingClientRect();"
        "return [r.top, r.bottom, window.innerHeight]"
    )
    assert top >= 0 and bottom <= height, (top, bottom, height)


@pytest.mark.browser
def test_a_missing_files_path_does_not_widen_a_phones_page(
    server: tuple[str, Path], browser: object
) -> None:
    """The improve page's error names the file by its whole path, one unbroken word: at 375 px
    the page scrolled sideways (559 px wide)."""
    driver: Any = browser
    url, _ = server
    driver.get(url)
    with phone_screen(driver, 375, 800):
        driver.get(
            url.split("?")[0]
            + "p/gulf-asia/improve?package=packages/ae_offer_after_the_abu_dhabi_session.yaml"
        )
        width, inner = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    assert width <= inner == 375, (width, inner)


@pytest.mark.browser
def test_a_field_the_editor_cannot_read_is_marked_as_it_is_typed(
    server: tuple[str, Path], browser: object
) -> None:
    """ "lots" in a compute field was said in the verdict only, the field not marked."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=SA")
    field = driver.find_element(By.ID, "f-compute-2027")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("lots")
    e2e.wait_for(lambda d: field.get_attribute("aria-invalid") == "true", driver)
    slot = driver.find_element(By.ID, "problems-compute.2027")
    assert "compute.2027: expected a number, got 'lots'" in slot.text
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("1000")
    e2e.wait_for(lambda d: field.get_attribute("aria-invalid") is None, driver)
