"""The browser workbench: earlier sessions' Left items, then a negotiator's day (qa36-web).

Row headers a screen reader announces, a frontier point said once, every partner without a
deal explained from the browser as `solve --explain-all` explains them (and `compare
--explain-all`), then a day's work in headless Chromium at a phone's width, by keyboard.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

import test_web_browser as e2e
from test_qa35_a11y import pages  # noqa: F401  (the fixture: every page family's HTML)

server = e2e.server  # `dealbench serve` on a copy of deals/, and headless Chromium
browser = e2e.browser


def _unnamed_rows(page: str) -> list[str]:
    """The data tables' body rows whose first cell is not a row header: a screen reader
    moving across such a row's cells does not say whose they are."""
    tree = lxml_html.fromstring(page)
    faults = []
    for table in tree.iter("table"):
        rows = table.xpath("./tbody/tr")
        if not table.xpath("./thead") or len(rows) < 2:  # no columns, or a single row
            continue
        for row in rows:
            first = row.xpath("./th|./td")[0]
            if first.get("colspan") is None and (first.tag != "th" or first.get("scope") != "row"):
                name = table.get("id") or table.get("aria-label") or table.get("class")
                faults.append(f"{name}: {' '.join(row.text_content().split())[:50]}")
    return faults


def test_every_data_tables_rows_are_named_by_their_first_cell(pages: dict[str, str]) -> None:  # noqa: F811
    """Data tables' first column (the partner, the round, the rank, a frontier point's
    number) was a plain `td`: moving across a row, a screen reader said "$88.98bn" with no
    word of whose. Every data table's row name is now a row header (`th scope="row"`)."""
    faults = {name: f for name, page in pages.items() if (f := _unnamed_rows(page))}
    assert not faults, faults
    # the tables the fix was for are among those read
    assert 'id="partners-table"' in pages["portfolio"] and 'id="deals"' in pages["solve"]
    assert 'id="rounds"' in pages["negotiation"] and 'id="room"' in pages["room"]
    assert 'id="frontier-points"' in pages["frontier, others held"]


def test_a_focused_frontier_point_is_said_once(pages: dict[str, str]) -> None:  # noqa: F811
    """A focused point of the frontier chart was read twice: its name (its `<title>`, the
    package), then the same words again from #point-detail, a live region the focus
    rewrote. The point is said by its name; the line below the chart shows it, not live."""
    for name in ("frontier, others held", "negotiation", "frontier"):
        tree = lxml_html.fromstring(pages[name])
        points = tree.xpath("//svg//*[@tabindex='0']")
        if not points:
            continue
        for point in points:  # each point's name is its package
            titles = [t for t in point if t.tag == "title"]
            assert titles and titles[0].text == point.get("data-detail"), name
        detail = tree.xpath("//*[@id='point-detail']")[0]
        live = [
            e
            for e in (detail, *detail.iterancestors())
            if e.get("aria-live") not in (None, "off") or e.get("role") in ("status", "alert")
        ]
        assert not live, f"{name}: #point-detail is inside a live region"
        return
    raise AssertionError("no page drew a frontier chart")


@pytest.mark.browser
def test_in_a_browser_row_headers_read_as_cells_and_a_focused_point_is_said_once(
    server: tuple[str, Path], browser: Any
) -> None:
    """The row headers look as the cells they were (the same weight), and in Chromium's
    accessibility tree the focused frontier point is named by its package while no live
    region repeats it."""
    from selenium.webdriver.common.by import By

    url, _ = server
    driver = browser
    driver.set_window_size(1280, 800)
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia")
    weights = driver.execute_script(
        "const r = document.querySelector('#partners-table tbody tr');"
        "return [getComputedStyle(r.querySelector('th')).fontWeight,"
        " getComputedStyle(r.querySelector('td')).fontWeight];"
    )
    assert weights[0] == weights[1], weights
    e2e.open_frontier(driver, url)
    point = driver.find_element(By.CSS_SELECTOR, "g.named.nash")
    driver.execute_script("arguments[0].focus()", point)
    detail = point.get_attribute("data-detail")
    tree = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    focused = [
        n
        for n in tree
        if any(p["name"] == "focused" and p["value"]["value"] for p in n.get("properties", []))
        and n["role"]["value"] != "RootWebArea"
    ]
    assert focused and focused[0]["name"]["value"] == detail
    live = [
        n
        for n in tree
        if any(
            p["name"] == "live" and p["value"]["value"] != "off" for p in n.get("properties", [])
        )
    ]
    ids = [n["backendDOMNodeId"] for n in live if "backendDOMNodeId" in n]
    texts = [driver.execute_cdp_cmd("DOM.resolveNode", {"backendNodeId": i}) for i in ids]
    said = [
        driver.execute_cdp_cmd(
            "Runtime.callFunctionOn",
            {
                "objectId": t["object"]["objectId"],
                "functionDeclaration": "function(){return this.textContent}",
                "returnByValue": True,
            },
        )["result"]["value"]
        for t in texts
    ]
    assert not [s for s in said if detail in (s or "")], said
    assert re.search(r"Nash", driver.find_element(By.ID, "point-detail").text)
