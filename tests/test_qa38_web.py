"""The web workbench on a phone (390 px) and on paper, and its forms' wrong choices (qa38-web).

qa37-web's Left: a solve's deals table scrolled with no sign of it; the frontier chart
scrolled in its box, Kalai–Smorodinsky's label cut; a fold closed at a phone's width printed
closed. qa37-words' Left: a form's wrong choice said "expected one of" without the value.
"""

from __future__ import annotations

import io
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, Runner, phone_screen, web_client, words

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}
GULF = "deals/portfolios/gulf-asia.yaml"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as c:
        yield c


def _cli_says(run: Runner, *args: str) -> str:
    """What the CLI says of a wrong option, without its "error: --option: "."""
    done = run(*args)
    assert done.exit_code == 2, done.output
    return done.stderr.strip().split(": ", 2)[2]


def test_a_wrong_choice_in_a_form_is_named_as_the_cli_names_it(
    client: TestClient, run: Runner, tmp_path: Path
) -> None:
    """The solve form sent with mode `nsh`, solver `hihgs`, regime `bilaterall` said
    "mode: expected one of: us-best, partner-best, nash, kalai": not what was given, nor the
    one meant. Each says it as `solve --mode nsh` does ("unknown mode 'nsh'; expected one
    of: ...; did you mean 'nash'?"), beside its field and at the top; the offer's strategy,
    a sweep's regime and a redline's audience likewise."""
    sent = {**CSRF, "mode": "nsh", "solver": "hihgs", "policy": "bilaterall"}
    page = words(client.post("/p/gulf-asia/solve", data=sent).text)
    out = str(tmp_path / "out")
    for field, option, value in (
        ("mode", "--mode", "nsh"),
        ("solver", "--solver", "hihgs"),
    ):
        said = _cli_says(run, "solve", GULF, option, value, "--out", out)
        assert said.startswith(f"unknown {field} '{value}'; expected one of: ")
        assert f"error: {field.capitalize()}: {said}" in page
        assert page.count(said) == 2, said  # at the top and beside the field
    regime = (
        "unknown regime 'bilaterall'; expected one of: tiered, monopoly, repeal, bilateral; "
        "did you mean 'bilateral'?"
    )
    assert f"error: Regime: {regime}" in page  # its label (qa44-web)
    sweep = client.post(
        "/p/gulf-asia/sweep", data={**CSRF, "kind": "param", "policy": "bilaterall"}
    )
    assert f"error: Regime: {regime}" in words(sweep.text)
    offer = client.post(
        "/p/gulf-asia/n/AE/offer", data={**CSRF, "expect": "5", "strategy": "bulware"}
    )
    assert offer.status_code == 422
    assert (
        "error: Strategy: unknown strategy 'bulware'; expected one of: boulware, conceder, "
        "linear, zeuthen, us-best, nash, kalai; did you mean 'boulware'?"
    ) in words(offer.text)
    redline = client.get("/p/gulf-asia/documents?package=x.yaml&audience=externl")
    assert "expected external or internal, got 'externl'; did you mean 'external'?" in words(
        redline.text
    )


#: The shade at each edge of a box that scrolls: the median brightness (0-255) of its
#: outermost 4 px columns, most of them the box's background between the table's lines.
def _edges(box: Any) -> tuple[float, float]:
    from PIL import Image

    shot = Image.open(io.BytesIO(box.screenshot_as_png)).convert("L")
    w, h = shot.size

    def median(x0: int) -> float:
        return statistics.median(shot.getpixel((x, y)) for x in range(x0, x0 + 4) for y in range(h))

    return median(0), median(w - 4)


@pytest.mark.browser
def test_in_a_browser_a_phone_sees_that_a_solves_deals_table_goes_on(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px a solve's deals table showed 3 of its 10 columns, and a phone's scrollbar,
    shown only while scrolling, said nothing of the others. The edge with columns beyond it
    is shaded: the right one first, the left one scrolled to the end, neither where the
    table fits (1280 px)."""
    from selenium.webdriver.common.by import By

    url, _ = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)
    with phone_screen(driver):
        driver.get(home + "p/gulf-asia")
        driver.find_element(By.ID, "solve").click()
        e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "table#deals"), driver, 120)
        job = driver.current_url
        box = driver.find_element(By.CSS_SELECTOR, "div.scroll:has(> table#deals)")
        wide, shown = driver.execute_script(
            "return [arguments[0].scrollWidth, arguments[0].clientWidth]", box
        )
        assert wide > shown + 300, (wide, shown)
        left, right = _edges(box)
        e2e.shot(driver, "qa38w-deals-390")
        assert right < 235 and left > 250, (left, right)
        driver.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", box)
        left, right = _edges(box)
        assert left < 235 and right > 250, (left, right)
    driver.set_window_size(1280, 800)
    driver.get(job)
    box = driver.find_element(By.CSS_SELECTOR, "div.scroll:has(> table#deals)")
    assert min(_edges(box)) > 250


#: Every label and mark of a chart not inside its box (as drawn, in px), the smallest
#: lettering drawn and the axes' (px), and the page's and the chart box's widths beside
#: their windows.
CHART = """
const svg = document.querySelector(arguments[0]);
const r = svg.getBoundingClientRect();
const out = [];
for (const el of svg.querySelectorAll('text, .pt, .mark')) {
  const q = el.getBoundingClientRect();
  if (q.left < r.left - .5 || q.right > r.right + .5 || q.top < r.top - .5 || q.bottom > r.bottom + .5)
    out.push((el.textContent || el.tagName) + ' ' + [q.left, q.right, q.top, q.bottom].map(Math.round));
}
const drawn = (texts) => Math.min(...[...texts].map(
  (t) => parseFloat(getComputedStyle(t).fontSize) * r.width / svg.viewBox.baseVal.width));
const box = svg.closest('.scroll');
return [out, drawn(svg.querySelectorAll('text')), drawn(svg.querySelectorAll('.axes text')),
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth, box.scrollWidth, box.clientWidth];
"""


@pytest.mark.browser
def test_in_a_browser_a_phone_sees_the_whole_frontier_chart(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px the chart kept a width of 560 px and scrolled in its box, "Kalai–
    Smorodinsky" cut at the screen's edge. It is drawn to the screen's width, each label
    and mark inside it, its lettering still 8 px or more (its ticks near 10 px), as at 1280."""
    from selenium.webdriver.common.by import By

    url, _ = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)
    pages = (
        ("p/gulf-asia/n/AE/frontier", "figure.frontier svg"),
        ("p/gulf-asia/n/AE/frontier?frame=held", "figure.frontier svg"),
        ("p/gulf-asia/n/QA", "#frontier svg"),
    )

    def look(width: int) -> None:
        for path, chart in pages:
            driver.get(home + path)
            e2e.wait_for(lambda d, c=chart: d.find_elements(By.CSS_SELECTOR, c), driver)
            out, smallest, ticks, wide, window, box, shown = driver.execute_script(CHART, chart)
            assert out == [], f"{path} at {width}: outside the chart: {out}"
            assert wide <= window and box <= shown, (path, width, wide, window, box, shown)
            assert smallest >= 8, (path, width, smallest)
            assert ticks >= 9.5, (path, width, ticks)

    with phone_screen(driver):
        look(390)
        e2e.shot(driver, "qa38w-frontier-390")
    driver.set_window_size(1280, 800)
    look(1280)


@pytest.mark.browser
def test_in_a_browser_a_fold_closed_on_a_phone_prints_open(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px the frontier's "How to read the chart" and "Two frames" folds start closed;
    printed (print hides a fold's summary, the control that opens it), a closed fold left
    nothing of itself on paper. Printed, each fold's words are on the page."""
    from selenium.webdriver.common.by import By

    from dealbench.negotiate.frontier_words import frames_sentence

    url, _ = server
    driver = browser
    home = url.split("?")[0]
    driver.get(url)
    with phone_screen(driver):
        driver.get(home + "p/gulf-asia/n/AE/frontier")
        e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "figure.frontier svg"), driver)
        folds = driver.find_elements(By.CSS_SELECTOR, "details.fold")
        assert [f.get_attribute("open") for f in folds] == [None, None]
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            printed = [" ".join(f.get_property("innerText").split()) for f in folds]
        finally:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        assert printed[0].endswith("Hover or focus a point to see its package."), printed
        assert frames_sentence() in printed[1], printed
