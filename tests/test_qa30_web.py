"""The workbench in a browser, as a new user (qa30-web): every page of `dealbench serve` on
the shipped deals/ (and a broken copy), in headless Chromium and beside the CLI.

Each test failed before its fix.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, job_done, web_client, words

browser = e2e.browser


def _open_editor(server: tuple[str, Path], driver: Any, partner: str = "AE") -> str:
    """The package editor of `partner` in gulf-asia, its verdict drawn once; the base URL."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    url, _ = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/editor?partner={partner}")
    e2e.wait_for(ec.presence_of_element_located((By.ID, "f-filename")), driver)
    return base


# --- Enter in the package editor ------------------------------------------------------------


@pytest.mark.browser
def test_enter_in_the_samples_field_samples_acceptance_and_saves_no_file(
    server: tuple[str, Path], browser: object
) -> None:
    """The editor's form has six buttons; Enter sends the first, Save. A negotiator who
    typed 2000 in "Samples" and pressed Enter (a file name typed for later) had the package
    written to packages/ and read "Saved", never the acceptance they asked for; with no file
    name, the browser jumped to the File name field asking to fill it in. Enter now sends
    the button of the field's own fieldset: "Sample acceptance" there."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    _, deals = server
    _open_editor(server, driver)
    driver.find_element(By.ID, "f-filename").send_keys("qa30-enter")
    samples = driver.find_element(By.NAME, "samples")
    samples.clear()
    samples.send_keys("2000", Keys.ENTER)
    e2e.wait_for(e2e.at("/p/gulf-asia/risk"), driver)
    e2e.shot(driver, "qa30-web-enter-in-samples")
    assert "2,000 samples" in driver.find_element(By.ID, "risk-h").text
    assert not (deals / "packages/qa30-enter.yaml").exists()


@pytest.mark.browser
def test_enter_in_a_compute_field_evaluates_in_place_and_saves_no_file(
    server: tuple[str, Path], browser: object
) -> None:
    """Enter in a compute field (a file name typed) saved the package and left the editor;
    it now re-evaluates the package where it stands, and writes nothing. Enter in the file
    name still saves: that fieldset's button is Save."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    _, deals = server
    _open_editor(server, driver)
    verdict = driver.find_element(By.ID, "verdict")
    driver.find_element(By.ID, "f-filename").send_keys("qa30-compute")
    before = int(verdict.get_attribute("data-evaluations") or 0)
    field = driver.find_element(By.ID, "f-compute-2026")
    field.clear()
    field.send_keys("100000", Keys.ENTER)
    e2e.wait_for(lambda d: int(verdict.get_attribute("data-evaluations") or 0) > before, driver)
    assert driver.current_url.endswith("/p/gulf-asia/editor?partner=AE")
    assert not (deals / "packages/qa30-compute.yaml").exists()
    driver.find_element(By.ID, "f-filename").send_keys(Keys.ENTER)
    e2e.wait_for(e2e.at("/p/gulf-asia/saved"), driver)  # Save redirects there (qa44-web3)
    assert (deals / "packages/qa30-compute.yaml").exists()


def test_without_a_script_enter_in_the_editor_evaluates_rather_than_saves(client: Any) -> None:
    """Without the page's script the browser sends the form's first submit button on Enter:
    it is one that evaluates (writes nothing), not Save."""
    html = client.get("/p/gulf-asia/editor?partner=AE").text
    form = re.search(r'(?s)<form id="package".*?</form>', html)
    assert form is not None
    # The form's buttons in the page's order: those in it, and those of it outside it
    # (`form="package"`: the upload's, before it, qa45-web2).
    inside = re.findall(r"<button[^>]*>", form.group(0))
    ours = [b for b in re.findall(r"<button[^>]*>", html) if b in inside or 'form="package"' in b]
    first = re.search(r"<button[^>]*>", ours[0])
    assert first is not None
    assert 'formaction="/p/gulf-asia/evaluate?partner=AE"' in first.group(0)
    assert " hidden" in first.group(0)


# --- the risk page's own address --------------------------------------------------------------


def test_the_risk_pages_address_opened_again_offers_the_package_files(client: Any) -> None:
    """ "Sample acceptance" leaves the browser at /p/gulf-asia/risk; that address opened again
    (a new tab, a bookmark, a link sent to a colleague) answered 422 "the package form:
    security: expected an id of letters, digits, ... got ''", about a field the page has
    not, with nothing to do but Back. It now offers the package files to sample (as the
    improve page does) and the way from the editor."""
    answer = client.get("/p/gulf-asia/risk")
    assert answer.status_code == 200
    said = words(answer.text)
    assert "expected an id" not in said
    assert '<select name="package" id="risk-package" required>' in answer.text
    assert "<option>packages/ae-offer.yaml</option>" in answer.text
    assert 'href="/p/gulf-asia/editor"' in answer.text
    chosen = client.get("/p/gulf-asia/risk?package=packages/ae-offer.yaml&samples=500&seed=3")
    assert chosen.status_code == 200
    assert "AE under veu, 500 samples (seed 3)" in words(chosen.text)


# --- downloads named by what they are of ------------------------------------------------------


def _saved_as(client: Any, link: str) -> str:
    answer = client.get(link)
    assert answer.status_code == 200
    found = re.search(r'filename="([^"]+)"', answer.headers["content-disposition"])
    assert found
    return found.group(1)


def test_a_term_sheet_of_each_solve_and_round_downloads_under_its_own_name(client: Any) -> None:
    """An analyst solved gulf-asia, then again with partners.AE.batna=12bn, and downloaded
    AE's term sheet of each: both came as term-sheets-AE.md (and global's AE too), saved
    as "term-sheets-AE (1).md", told apart only by opening them. A round's term sheet of
    gulf-asia and of global (AE-offer-005 in both) likewise. Each is now led by what it is
    of: the solve (portfolio and number) or the portfolio."""
    solves = []
    for sets in ("", "partners.AE.batna=12bn"):
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", "sets": sets}
        sent = client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)
        solves.append(job_done(client, sent))
    names = [_saved_as(client, f"{job}/documents/term-sheets/AE.md?download=1") for job in solves]
    numbers = [job.rsplit("/", 1)[1] for job in solves]
    assert names == [f"gulf-asia-solve-{n}-term-sheets-AE.md" for n in numbers]
    docx = _saved_as(client, f"{solves[0]}/documents/memos/AE.docx")
    assert docx == f"gulf-asia-solve-{numbers[0]}-memos-AE.docx"
    round_sheet = "/p/gulf-asia/n/AE/rounds/3/term-sheets/AE-offer-003.md?download=1"
    assert _saved_as(client, round_sheet) == "gulf-asia-term-sheets-AE-offer-003.md"
    package = "/p/gulf-asia/documents/term-sheets/AE-offer-001.md?package=packages/ae-offer.yaml&download=1"
    assert _saved_as(client, package) == "gulf-asia-term-sheets-AE-offer-001.md"


# --- the frontier as `dealbench frontier` draws it ----------------------------------------------


@pytest.fixture
def shipped_client(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A web client on a plain copy of the shipped deals/ (the `deals` fixture changes SG's
    ask, and with it gulf-asia's plan), and that copy."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        yield client, deals


def test_the_frontier_with_the_other_deals_held_is_the_clis(
    shipped_client: tuple[Any, Path],
) -> None:
    """The web drew a partner's frontier in the negotiation's frame only (the other open
    negotiations left out): KZ's in gulf-asia had a zone of agreement worth $4.02bn, where
    `dealbench frontier --partner KZ` (the other deals held) says there is none and why; a
    web user could not see that frontier at all. The negotiation page now links it, drawn
    by the same library call, its zone and notes the CLI's."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate import frontier

    client, deals = shipped_client
    negotiation = client.get("/p/gulf-asia/n/KZ").text
    assert 'href="/p/gulf-asia/n/KZ/frontier?frame=held"' in negotiation
    held = client.get("/p/gulf-asia/n/KZ/frontier?frame=held")
    assert held.status_code == 200
    said = words(held.text)
    curve = frontier(load_portfolio(deals / "portfolios/gulf-asia.yaml"), "KZ", points=15)
    assert not curve.zopa["exists"]
    assert "ZOPA: none" in said  # in `frontier`'s words, as its table and marked points (qa32-web)
    assert curve.notes and all(words(note) in said for note in curve.notes)
    assert "No zone of agreement with the other deals held" in said
    assert "US utility V, whole portfolio" in held.text
    own = words(client.get("/p/gulf-asia/n/KZ/frontier").text)
    assert "Zone of possible agreement: yes" in own  # the negotiation's frame: the two differ
    refused = client.get("/p/gulf-asia/n/KZ/frontier?frame=sideways")
    assert refused.status_code == 400
    assert "frame: expected held, rounds, or nothing; got 'sideways'" in words(refused.text)


# --- pickers that offer what they refuse ---------------------------------------------------------


def test_the_package_pickers_offer_only_the_portfolios_partners_packages(client: Any) -> None:
    """gulf-asia's improve, risk and documents pickers offered packages/kr-counter.yaml (KR
    is not in gulf-asia); chosen, it was refused: "partner 'KR' is not in portfolio
    gulf-asia". The editor's picker had left it out since qa19; these now do too. global,
    which has KR, still offers it."""
    for page in ("improve", "risk", "documents"):
        offered = client.get(f"/p/gulf-asia/{page}").text
        assert "<option>packages/ae-offer.yaml</option>" in offered, page
        assert "packages/kr-counter.yaml" not in offered, page
    assert "<option>packages/kr-counter.yaml</option>" in client.get("/p/global/improve").text
