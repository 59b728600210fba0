"""Session 48 (qa48-web): the workbench in Chromium at 390 and 1280 px as a negotiator walks
it. A chosen option of a long select reads whole, and the frontier re-planned from the rounds
offers the files `frontier --rounds --out` writes, as the held frontier does. Each test
failed before its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import CHOSEN_CUT, frontier_files_are_the_clis, invoke, phone_screen, words

browser = e2e.browser


# --- the re-plan from the rounds: its files ----------------------------------------------------


def test_the_frontier_replanned_from_the_rounds_downloads_what_frontier_out_writes(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """The frontier in the portfolio re-planned from the rounds (SA concluded, so AE's deal
    is weighed with SA's held at its agreed terms) offered no file, where the frontier with
    the others held offers the JSON and the charts `frontier --out` writes. It now links
    each, saved under a name of its own, and each is what `dealbench frontier --partner AE
    --points 15 --rounds DIR --out DIR` writes."""
    html = client.get("/p/gulf-asia/n/AE/frontier?frame=rounds").text
    out = tmp_path / "out"
    run = invoke(
        ["frontier", deals / "portfolios/gulf-asia.yaml", "--partner", "AE", "--points", "15",
         "--rounds", deals / "rounds/gulf-asia", "--out", out]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "as dealbench frontier --partner AE --points 15 --rounds DIR --out DIR" in words(html)
    base = "/p/gulf-asia/n/AE/frontier/rounds"
    held = client.get("/p/gulf-asia/n/AE/frontier?frame=held").text
    for ext in ("json", "svg", "png"):
        saved = f"frontier-AE-gulf-asia-rounds.{ext}"
        assert f'download="{saved}"' not in held  # two downloads, two names
    frontier_files_are_the_clis(client, html, base, "frontier-AE-gulf-asia-rounds", out)
    # a frame that is none of the two says which are
    other = client.get("/p/gulf-asia/n/AE/frontier/jointly/frontier-AE.json")
    assert other.status_code == 404
    assert "its frames are held and rounds" in words(other.text)


# --- a long chosen option -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_in_chromium_a_long_chosen_security_level_or_concession_reads_whole(
    server: tuple[str, Path], browser: object, width: int
) -> None:
    """At 390 px the editor's security select showed "veu: Validated-end-user data centres w"
    (its option chosen), and at a desk's width the kyc level's 96 characters were cut too; a
    concession's "USD 1.4tn over ten years under the US–UAE investment framework" was cut at
    390 px. Chosen, each option now reads whole: the select wraps its words; its list of
    options (as wide as its longest, past a phone's edge) wraps within the screen."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    base = url.split("/?")[0]
    driver.get(url)
    with phone_screen(driver, width, mobile=width < 500):
        driver.get(base + "/p/gulf-asia/editor?package=packages/ae-counter.yaml")
        chosen = "#f-security, select[id^='f-concession-']"
        assert len(driver.find_elements("css selector", chosen)) > 3
        assert driver.execute_script(CHOSEN_CUT, chosen) == []
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        # its list, opened by the keyboard, wraps within the screen too; Enter chooses
        security = driver.find_element("id", "f-security")
        driver.execute_script("arguments[0].focus()", security)
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        e2e.wait_for(
            lambda d: d.execute_script("return arguments[0].matches(':open')", security), driver
        )
        shown = driver.execute_script(
            "return [...arguments[0].options].map(o => [o.getBoundingClientRect().right,"
            " o.scrollWidth - o.clientWidth])",
            security,
        )
        assert all(right <= width and wider <= 0 for right, wider in shown), shown
        ActionChains(driver).send_keys(Keys.HOME, Keys.ENTER).perform()
        assert security.get_attribute("value") == "baseline"
        assert driver.switch_to.active_element == security
