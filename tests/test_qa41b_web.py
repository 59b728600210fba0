"""Session 41 (qa41b-web): the web's refusals and records in the web's words, at a phone's
width too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import test_web_browser as e2e
from helpers import REPO, WEB_TOKEN, csrf, phone_screen, web_client, words

browser = e2e.browser


def test_a_counter_file_over_the_limit_is_refused_beside_its_field(client: Any) -> None:
    """A counter file over the upload limit (256 KiB) was refused by an error page, "error:
    upload: larger than the 256 KiB allowed", the counter form gone. The request is refused
    by its size before a byte is read, so its fields are not known: the negotiation page
    again, the file field marked with the limit, the form said to hold nothing typed."""
    form = {**csrf(), "expect": "5", "note": "typed note", "author": "AE delegation"}
    big = {"file": ("huge.yaml", b"#" * (300 * 1024))}
    refused = client.post("/p/gulf-asia/n/AE/counter", data=form, files=big)
    assert refused.status_code == 413, refused.text[:2000]
    said = words(refused.text)
    assert (
        "error: Package file: the file chosen is larger than the 256 KiB allowed (a package file is a "
        "few KB); nothing of the form was read Nothing was recorded; the form was too large "
        "to read, so it holds nothing of what was typed."
    ) in said
    field = re.search(r'<input type="file"[^>]*id="counter-file"[^>]*>', refused.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
    assert 'data-max-bytes="262144"' in field.group(0)
    assert "the form holds what was typed" not in said


@pytest.mark.browser
def test_a_counter_file_over_the_limit_is_refused_before_the_form_is_sent(
    server: tuple[str, Path], browser: object, tmp_path: Path
) -> None:
    """In the browser, a file over the limit is refused as it is chosen: the form is not
    sent (the server would refuse it unread), the field names the file and the limit, and
    the note typed stays."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, deals = server
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (300 * 1024))
    e2e.open_frontier(driver, url)
    driver.find_element(By.ID, "counter-note").send_keys("typed note")
    driver.find_element(By.ID, "counter-file").send_keys(str(huge))
    driver.find_element(By.ID, "record-counter").click()
    e2e.shot(driver, "qa41b-web-counter-too-large")
    field = driver.find_element(By.ID, "counter-file")
    assert driver.execute_script("return arguments[0].validationMessage", field) == (
        "huge.yaml is larger than the 256 KiB allowed (a package file is a few KB): "
        "choose another file"
    )
    assert field.get_attribute("aria-invalid") == "true"
    assert driver.current_url.endswith("/p/gulf-asia/n/AE")  # not sent, its button usable
    assert driver.find_element(By.ID, "record-counter").is_enabled()
    assert driver.find_element(By.ID, "counter-note").get_attribute("value") == "typed note"
    assert not (deals / "rounds/gulf-asia/AE/005-partner.yaml").exists()


def _counter(client: Any, deals: Path, code: str, file: Path) -> Any:
    """`file` sent as `code`'s counter from the negotiation page's form."""
    sent = {"file": (file.name, file.read_bytes())}
    return client.post(f"/p/gulf-asia/n/{code}/counter", data=csrf(), files=sent)


def test_a_round_recorded_from_the_web_says_so_in_its_file(client: Any, deals: Path) -> None:
    """A round recorded from the web began "# Recorded by `dealbench offer` for portfolio
    gulf-asia.", a command never run; the CLI's rounds keep their command."""
    done = _counter(client, deals, "AE", deals / "packages/ae-counter.yaml")
    assert done.status_code == 200, done.text[:2000]
    web = (deals / "rounds/gulf-asia/AE/005-partner.yaml").read_text().splitlines()
    assert web[1] == "# Recorded by the web workbench (`dealbench serve`) for portfolio gulf-asia."
    shipped = (REPO / "deals/rounds/gulf-asia/AE/004-partner.yaml").read_text()
    assert "# Recorded by `dealbench counter` for portfolio gulf-asia." in shipped


def test_a_counter_sent_twice_is_refused_in_the_webs_words(client: Any, deals: Path) -> None:
    """The same counter sent again from a fresh page was refused "... nothing written (answer
    it with `dealbench offer`, ...)": on the web, its form "Propose the next offer"."""
    assert _counter(client, deals, "AE", deals / "packages/ae-counter.yaml").status_code == 200
    again = _counter(client, deals, "AE", deals / "packages/ae-counter.yaml")
    assert again.status_code == 422, again.text[:2000]
    said = words(again.text)
    assert (
        "rounds/gulf-asia/AE/005-partner.yaml: round 5 is already this counter from AE (the "
        "same terms), with no US offer since; nothing written (answer it with “Propose the "
        "next offer”, or record the partner's next counter when its terms change)"
    ) in said
    assert "dealbench offer" not in said


def test_an_offer_meeting_the_counter_says_to_conclude_on_the_counters_round(
    tmp_path: Path,
) -> None:
    """SG answers our Zeuthen offer with its very terms (IN walked away): the next offer's
    reason said "accept it (dealbench conclude)" on the web's recorded page, a command the
    web has not, and which (no --round) would conclude on the offer just recorded, not on
    the counter. It names the counter's round, as the web's Conclude form and the CLI's
    `conclude --round` take it (test_qa33_neg's case, from the web)."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))  # SG's ask as shipped
    with web_client(deals, WEB_TOKEN) as client:
        zeuthen = {**csrf(), "strategy": "zeuthen"}
        assert client.post("/p/gulf-asia/n/SG/offer", data=zeuthen).is_success
        away = {**csrf(), "by": "us", "confirm": "yes"}
        assert client.post("/p/gulf-asia/n/IN/walk-away", data=away).is_success
        ours = yaml.safe_load((deals / "rounds/gulf-asia/SG/001-us.yaml").read_text())
        (tmp_path / "sg-counter.yaml").write_text(yaml.safe_dump(ours["package"]))
        assert _counter(client, deals, "SG", tmp_path / "sg-counter.yaml").is_success
        offer = client.post("/p/gulf-asia/n/SG/offer", data=csrf())
    assert offer.status_code == 200, offer.text[:2000]
    said = words(offer.text)
    assert "the process ends; accept it (conclude the deal on round 2)" in said
    assert "dealbench conclude" not in said


@pytest.mark.browser
def test_the_memo_page_says_its_date_field_is_empty_when_it_cannot_show_the_date(
    server: tuple[str, Path], browser: object
) -> None:
    """`?date=2026-13-01` typed in the memo page's address was refused with "the field holds
    what was typed", beside a date field that shows no such date: empty. A date it shows,
    refused (before the last round), is still said to be held."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)  # the token's cookie
    memo = f"{url.split('/?')[0]}/p/gulf-asia/room/memo"
    driver.get(f"{memo}?date=2026-13-01")
    e2e.shot(driver, "qa41b-web-memo-bad-date")
    assert driver.find_element(By.ID, "memo-date").get_attribute("value") == ""
    said = driver.find_element(By.ID, "memo-problems").text
    assert "the date field cannot show “2026-13-01”, so it is empty: choose the date" in said
    assert "holds what was typed" not in said
    driver.get(f"{memo}?date=2026-01-01")
    assert driver.find_element(By.ID, "memo-date").get_attribute("value") == "2026-01-01"
    said = driver.find_element(By.ID, "memo-problems").text
    assert "No memo was drawn; the field holds what was typed." in said


@pytest.mark.browser
def test_the_history_chart_on_a_phone_keeps_readable_labels_and_scrolls_inside_its_figure(
    server: tuple[str, Path], browser: object
) -> None:
    """AE's history page on a 390 px phone shrank its chart of the rounds (672 px drawn) to
    342 px, its labels to about 5 px; the memos' charts stop at 30rem and scroll inside
    their figure (test_qa34_lead's), the web's did not."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver: Any = browser
    url, _ = server
    driver.get(url)  # the token's cookie
    with phone_screen(driver):
        driver.get(f"{url.split('/?')[0]}/p/gulf-asia/n/AE/history")
        e2e.wait_for(ec.presence_of_element_located((By.CSS_SELECTOR, "figure.chart img")), driver)
        e2e.wait_for(
            lambda d: d.execute_script(
                "return document.querySelector('figure.chart img').complete"
            ),
            driver,
        )
        e2e.shot(driver, "qa41b-web-history-phone")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        width, shown, whole = driver.execute_script(
            # the figure's scroll box (qa47-web: a tab stop, as every box that scrolls)
            "const c = document.querySelector('figure.chart img'), f = c.closest('.scroll');"
            "return [c.getBoundingClientRect().width, f.clientWidth, f.scrollWidth]"
        )
    assert width >= 0.65 * 672, width  # labels at least ~8 px
    assert whole > shown  # the figure scrolls, not the page
