"""Session 41 (qa41b-web): the web's refusals and records in the web's words, at a phone's
width too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import REPO, WEB_TOKEN, words

browser = e2e.browser


def _csrf() -> dict[str, str]:
    from dealbench.web.security import CSRF_FIELD, csrf_for

    return {CSRF_FIELD: csrf_for(WEB_TOKEN)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`dealbench serve` on a copy of the shipped data; its printed URL and folder."""
    with e2e.serving(REPO / "deals", tmp_path_factory.mktemp("qa41bweb") / "deals") as served:
        yield served


def test_a_counter_file_over_the_limit_is_refused_beside_its_field(client: Any) -> None:
    """A counter file over the upload limit (256 KiB) was refused by an error page, "error:
    upload: larger than the 256 KiB allowed", the counter form gone. The request is refused
    by its size before a byte is read, so its fields are not known: the negotiation page
    again, the file field marked with the limit, the form said to hold nothing typed."""
    form = {**_csrf(), "expect": "5", "note": "typed note", "author": "AE delegation"}
    big = {"file": ("huge.yaml", b"#" * (300 * 1024))}
    refused = client.post("/p/gulf-asia/n/AE/counter", data=form, files=big)
    assert refused.status_code == 413, refused.text[:2000]
    said = words(refused.text)
    assert (
        "error: file: the file chosen is larger than the 256 KiB allowed (a package file is a "
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
