"""End to end in a real browser: the distribution's headless Chromium, driven by Selenium,
against `dealbench serve` started as a user starts it. A screenshot of every step is kept
in build/e2e/ (or $DEALBENCH_ARTIFACTS).

`make test` installs Chromium and chromedriver when they are missing (see the Makefile);
run without them, these tests fail with that instruction rather than skip.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("DEALBENCH_ARTIFACTS", REPO / "build" / "e2e"))

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def serving(source: Path, deals: Path) -> Iterator[tuple[str, Path]]:
    """`dealbench serve DEALS --port 0` on a copy of `source` at `deals`, in its own
    process; its printed URL and folder."""
    shutil.copytree(source, deals)
    process = subprocess.Popen(
        [sys.executable, "-m", "dealbench.cli", "serve", str(deals), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = ""
    deadline = time.monotonic() + 60
    while not url and time.monotonic() < deadline:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
        url = found.group(0) if found else ""
    assert url, "dealbench serve printed no URL"
    try:
        yield url, deals
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not (CHROMIUM and DRIVER):
        pytest.fail(
            "the browser tests need Chromium and chromedriver: run `make browser` "
            "(apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    yield driver
    driver.quit()


def shot(driver: object, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{step}.png"))  # type: ignore[attr-defined]


def wait_for(condition: object, driver: object, seconds: float = 60) -> object:
    """Wait until `condition` holds; an element read as its page is replaced (stale) is
    looked for again rather than failing the test."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    waiting = WebDriverWait(  # type: ignore[type-var]
        driver, seconds, ignored_exceptions=(StaleElementReferenceException,)
    )
    return waiting.until(condition)  # type: ignore[arg-type]


def at(path: str) -> object:
    """A wait condition: the browser shows the page at `path` (its address's path), the
    answer to the form sent or the link followed. A click's navigation may still be under
    way when the click returns (CI, once): an element of the page clicked on that went
    (`staleness_of`) is no sign of it, as the editor redraws its verdict when a field it
    reads loses the focus to the button clicked."""
    from urllib.parse import urlsplit

    def check(driver: object) -> bool:
        return urlsplit(driver.current_url).path == path  # type: ignore[attr-defined]

    return check


def uploaded(partner: str) -> object:
    """A wait condition: the browser shows the editor an upload of a package of `partner`
    leads to, the package's fields in its address (qa45-web: the upload's POST redirects
    there, 303; the page it answered was at /upload)."""
    from urllib.parse import parse_qs, urlsplit

    def check(driver: object) -> bool:
        address = urlsplit(driver.current_url)  # type: ignore[attr-defined]
        query = parse_qs(address.query)
        return (
            address.path.endswith("/editor")
            and query.get("partner") == [partner]
            and ("security" in query)
        )

    return check


def open_frontier(driver: object, url: str, mark: str = "g.named.nash") -> None:
    """The access address (its token set), then AE's negotiation page of gulf-asia once its
    frontier is drawn (`mark` on the chart)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    page: Any = driver
    page.get(url)
    page.get(url.split("?")[0] + "p/gulf-asia/n/AE")
    wait_for(ec.presence_of_element_located((By.CSS_SELECTOR, mark)), driver)


def focused(element_id: str) -> object:
    """A wait condition: the element `element_id` has the focus. A field marked
    `autofocus` is focused at the browser's next drawing of the page, which may come after
    the page has loaded."""

    def check(driver: object) -> bool:
        active = driver.switch_to.active_element  # type: ignore[attr-defined]
        return bool(active.get_attribute("id") == element_id)

    return check


def downloaded(folder: Path, name: str, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = folder / name
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded; have {sorted(os.listdir(folder))}")


def download_term_sheet(driver: object, stem: str, saved_as: str) -> None:
    """Click the term sheet's link in every format; check each downloaded file, saved as
    `saved_as` (what the documents are of: gulf-asia-solve-1, gulf-asia) and its path."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    for fmt in ("md", "html", "docx", "pdf"):
        link = (By.CSS_SELECTOR, f'a[data-format="{fmt}"][href*="term-sheets/{stem}."]')
        wait_for(ec.presence_of_element_located(link), driver).click()  # type: ignore[attr-defined]
        name = f"{saved_as}-term-sheets-{stem}.{fmt}"
        data = downloaded(driver.downloads, name).read_bytes()  # type: ignore[attr-defined]
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
        elif fmt == "docx":
            assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        else:
            assert "United Arab Emirates" in data.decode()


def test_a_negotiator_solves_edits_uploads_a_counter_and_downloads_term_sheets(
    server: tuple[str, Path], browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    driver = browser
    url, deals = server
    driver.get(url)  # type: ignore[attr-defined]
    assert "Portfolios" in driver.title  # type: ignore[attr-defined]
    shot(driver, "01-portfolios")

    driver.find_element(By.LINK_TEXT, "Gulf and Asia, 2026–2028").click()  # type: ignore[attr-defined]
    solve = wait_for(ec.presence_of_element_located((By.ID, "solve")), driver)
    shot(driver, "02-portfolio")
    solve.click()  # type: ignore[attr-defined]
    status = wait_for(ec.presence_of_element_located((By.ID, "status")), driver)
    assert "optimal" in status.text  # type: ignore[attr-defined]
    rows = driver.find_elements(By.CSS_SELECTOR, "#deals tbody tr")  # type: ignore[attr-defined]
    assert {r.get_attribute("data-partner") for r in rows} >= {"AE", "SA"}
    charts = driver.find_elements(By.CSS_SELECTOR, "figure.chart img")  # type: ignore[attr-defined]
    assert len(charts) == 2
    wait_for(  # drawn by the server when the page asks for them
        lambda d: all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", c)
            for c in charts
        ),
        driver,
    )
    shot(driver, "03-solved")

    driver.find_element(By.ID, "documents").click()  # type: ignore[attr-defined]
    shot(driver, "04-documents")
    job = re.search(r"/jobs/(\d+)/documents", driver.current_url)  # type: ignore[attr-defined]
    assert job, driver.current_url  # type: ignore[attr-defined]
    download_term_sheet(driver, "AE", f"gulf-asia-solve-{job.group(1)}")

    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=AE")  # type: ignore[attr-defined]
    field = driver.find_element(By.ID, "f-compute-2026")  # type: ignore[attr-defined]
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("900000")
    wait_for(
        lambda d: "exceeds" in d.find_element(By.CSS_SELECTOR, '[data-field="compute.2026"]').text,
        driver,
    )
    assert "Breaks" in driver.find_element(By.ID, "accepts").text  # type: ignore[attr-defined]
    shot(driver, "05-editor-violation")

    upload = driver.find_element(By.CSS_SELECTOR, 'input[type="file"]')  # type: ignore[attr-defined]
    upload.send_keys(str(deals / "packages" / "ae-counter.yaml"))
    driver.find_element(By.ID, "upload-file").click()  # type: ignore[attr-defined]  # its Upload
    # The editor's own verdict has the same id: wait for the upload's page first (the test
    # once read the old element as the new page replaced it, in CI).
    wait_for(uploaded("AE"), driver)
    verdict = wait_for(ec.presence_of_element_located((By.ID, "accepts")), driver)
    assert verdict.text  # type: ignore[attr-defined]
    shot(driver, "06-counter-verdict")

    name = driver.find_element(By.NAME, "filename")  # type: ignore[attr-defined]
    name.send_keys("ae-counter-copy")
    driver.find_element(By.ID, "save").click()  # type: ignore[attr-defined]
    saved = wait_for(ec.presence_of_element_located((By.ID, "saved-path")), driver)
    assert saved.text == "packages/ae-counter-copy.yaml"  # type: ignore[attr-defined]
    assert (deals / "packages" / "ae-counter-copy.yaml").is_file()
    shot(driver, "07-saved")


def test_a_negotiator_records_a_counter_reads_the_verdict_and_sends_the_next_offer(
    server: tuple[str, Path], browser: object
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    driver = browser
    url, deals = server
    driver.get(url)  # type: ignore[attr-defined]
    driver.find_element(By.LINK_TEXT, "Gulf and Asia, 2026–2028").click()  # type: ignore[attr-defined]
    wait_for(ec.presence_of_element_located((By.ID, "room-link")), driver).click()  # type: ignore[attr-defined]
    wait_for(ec.presence_of_element_located((By.ID, "room")), driver)
    shot(driver, "11-room")
    driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="AE"] a').click()  # type: ignore[attr-defined]
    wait_for(lambda d: d.find_element(By.ID, "frontier").get_attribute("data-loaded"), driver)
    nash = driver.find_element(By.CSS_SELECTOR, "g.named.nash")  # type: ignore[attr-defined]
    ActionChains(driver).move_to_element(nash).perform()  # type: ignore[arg-type]
    assert "Nash" in driver.find_element(By.ID, "point-detail").text  # type: ignore[attr-defined]
    shot(driver, "12-negotiation-frontier")

    driver.find_element(By.ID, "counter-file").send_keys(  # type: ignore[attr-defined]
        str(deals / "packages" / "ae-counter.yaml")
    )
    driver.find_element(By.ID, "record-counter").click()  # type: ignore[attr-defined]
    recommendation = wait_for(ec.presence_of_element_located((By.ID, "recommendation")), driver)
    assert "Recommendation:" in recommendation.text  # type: ignore[attr-defined]
    counter_file = driver.find_element(By.ID, "round-file").text  # type: ignore[attr-defined]
    assert counter_file.endswith("-partner.yaml")
    assert (deals / "rounds" / "gulf-asia" / "AE" / counter_file).is_file()
    shot(driver, "13-counter-verdict")

    driver.find_element(By.LINK_TEXT, "Back to the negotiation").click()  # type: ignore[attr-defined]
    strategy = wait_for(ec.presence_of_element_located((By.ID, "offer-strategy")), driver)
    Select(strategy).select_by_visible_text("boulware")  # type: ignore[arg-type]
    # after round 3's linear offer, Boulware's gives AE less: a retreat, allowed here
    driver.find_element(By.ID, "offer-allow-retreat").click()  # type: ignore[attr-defined]
    driver.find_element(By.ID, "propose").click()  # type: ignore[attr-defined]
    proposal = wait_for(ec.presence_of_element_located((By.ID, "proposal")), driver)
    assert "boulware" in proposal.text  # type: ignore[attr-defined]
    offer_file = driver.find_element(By.ID, "round-file").text  # type: ignore[attr-defined]
    number = int(offer_file[:3])
    shot(driver, "14-next-offer")

    driver.find_element(By.ID, "round-documents").click()  # type: ignore[attr-defined]
    shot(driver, "15-offer-documents")
    download_term_sheet(driver, f"AE-offer-{number:03d}", "gulf-asia")
