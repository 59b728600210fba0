"""The browser workbench: earlier sessions' Left items, then a negotiator's day (qa36-web).

Row headers a screen reader announces, a frontier point said once, every partner without a
deal explained from the browser as `solve --explain-all` explains them (and `compare
--explain-all`), then a day's work in headless Chromium at a phone's width, by keyboard.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html

import test_web_browser as e2e
from dealbench.result_words import EXPLAIN_ALL_HELP
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, invoke, job_done, web_client, words
from test_qa35_a11y import pages  # noqa: F401  (the fixture: every page family's HTML)
from test_qa35_left import _many_without_a_deal

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}


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


def _reasons(page: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    return {
        li.get("data-partner"): " ".join(li.text_content().split())
        for li in tree.xpath("//ul[@id='no-deal']/li")
    }


def test_the_browser_explains_every_partner_without_a_deal_as_solve_explain_all(
    tmp_path: Path,
) -> None:
    """With 30 partners without a deal, the solve's page said why for 25 and of the others
    "`dealbench solve --explain-all` says why for every one": the browser had no way to ask.
    The solve form has the box (`--explain-all`'s help, one wording), and a solve's page
    that left partners unexplained has one button for the same solve with every one
    explained; both say each partner's reason in `solve --explain-all`'s words."""
    portfolio = _many_without_a_deal(tmp_path, 30)
    every = invoke(["solve", portfolio, "--explain-all", "--json"])
    assert every.exit_code == 0, every.stderr + every.traceback
    cli = {r["partner"]: r["message"] for r in json.loads(every.stdout)["no_deal_reasons"]}
    assert len(cli) == 30
    help_text = " ".join(invoke(["solve", "--help"]).stdout.split())
    assert EXPLAIN_ALL_HELP in help_text

    with web_client(portfolio.parents[1], WEB_TOKEN) as c:
        form = c.get("/p/many").text
        assert EXPLAIN_ALL_HELP in words(form) and 'name="explain_all"' in form

        def sent(url: str, **fields: str) -> Any:
            return c.post(url, data={**CSRF, **fields}, follow_redirects=False)

        first = job_done(c, sent("/p/many/solve", mode="us-best", solver="highs", gap="1e-6"))
        page = c.get(first).text
        said = _reasons(page)
        assert "not explained" in said["RBD"] and 'id="explain-all"' in page
        again = job_done(c, sent(f"{first}/explain-all"))
        assert again != first
        page = c.get(again).text
        assert 'id="explain-all"' not in page and "every partner without a deal explained" in page
        ticked = job_done(
            c,
            sent("/p/many/solve", mode="us-best", solver="highs", gap="1e-6", explain_all="yes"),
        )
        for url in (again, ticked):
            said = _reasons(c.get(url).text)
            assert set(said) == set(cli)
            for code, message in cli.items():
                assert said[code] == f"Partner {code} ({code}): {' '.join(message.split())}"


def test_compare_explain_all_says_why_for_every_partner_as_solve_does(tmp_path: Path) -> None:
    """`solve` has `--explain-all`; `compare` had not: a regime with 30 partners without a
    deal wrote 5 reasons "not explained ... `dealbench solve --explain-all` says why", a
    command that solves one regime, not the comparison. `compare --explain-all` (it needs
    --out, whose files carry the reasons) explains every one, each regime's result.json
    carrying them in `solve --explain-all --json`'s shape and words; without it, the
    reason names `compare --explain-all`."""
    portfolio = _many_without_a_deal(tmp_path, 30)
    solved = invoke(["solve", portfolio, "--explain-all", "--json"])
    assert solved.exit_code == 0, solved.stderr + solved.traceback
    cli = json.loads(solved.stdout)["no_deal_reasons"]

    run = invoke(["compare", portfolio, "--regimes", "bilateral", "--out", tmp_path / "a"])
    assert run.exit_code == 0, run.stderr + run.traceback
    result = json.loads((tmp_path / "a" / "bilateral" / "result.json").read_text())
    rbd = {r["partner"]: r for r in result["no_deal_reasons"]}["RBD"]
    assert rbd["reason"] == "not-explained", rbd
    # The file's reason names no command (session 42); the terminal says how to ask.
    assert "--" not in rbd["message"]
    assert "`dealbench compare --explain-all` says why for every one" in run.stderr

    out = tmp_path / "b"
    run = invoke(["compare", portfolio, "--regimes", "bilateral", "--out", out, "--explain-all"])
    assert run.exit_code == 0, run.stderr + run.traceback
    result = json.loads((out / "bilateral" / "result.json").read_text())
    assert result["no_deal_reasons"] == cli

    refused = invoke(["compare", portfolio, "--explain-all"])
    assert refused.exit_code == 2 and not refused.traceback
    assert "--explain-all: needs --out" in refused.stderr
    assert EXPLAIN_ALL_HELP in " ".join(invoke(["compare", "--help"]).stdout.split())


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


def test_the_counter_is_built_in_the_editor_from_the_last_rounds_package(tmp_path: Path) -> None:
    """After our offer to QA, the negotiation page's "Or build it in the package editor"
    opened a new package (baseline, no compute, no concession): a negotiator recording
    QA's counter, which answers our offer, retyped its security, its three periods of
    compute and five concessions. The link opens the last round's package."""
    import shutil

    from helpers import REPO

    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as c:
        page = c.get("/p/gulf-asia/n/QA").text
        link = re.search(r'<a href="([^"]*)" id="counter-editor">', page)
        assert link is not None and link[1] == "/p/gulf-asia/editor?partner=QA"  # no round yet
        sent = c.post("/p/gulf-asia/n/QA/offer", data={**CSRF, "expect": "1"})
        assert sent.status_code == 200, sent.text
        page = c.get("/p/gulf-asia/n/QA").text
        link = re.search(r'<a href="([^"]*)" id="counter-editor">', page)
        assert link is not None, words(page)
        assert "starting from round 1's package (US offer)" in words(page)
        editor = c.get(link[1].replace("&amp;", "&")).text
        offer = yaml.safe_load((deals / "rounds/gulf-asia/QA/001-us.yaml").read_text())
        compute = dict(re.findall(r'id="f-compute-(\d+)"[^>]*value="([^"]*)"', editor))
        assert compute == {t: str(x) for t, x in offer["package"]["compute"].items()}
        assert re.search(r'<option[^>]*value="veu"[^>]*selected', editor), "security"
        assert "Record as QA's counter" in editor


def _tab_to(driver: Any, wanted: str, limit: int = 200) -> Any:
    """Press Tab until the element `wanted` (a CSS selector) has the focus; that element."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    target = driver.find_element(By.CSS_SELECTOR, wanted)
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element == target:
            return target
    raise AssertionError(f"Tab never reached {wanted}")


def _fits(driver: Any) -> None:
    wide, window = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= window, f"{driver.current_url} is {wide} px wide in {window}"


@pytest.mark.browser
def test_in_a_browser_a_negotiators_day_by_keyboard_at_a_phones_width(
    server: tuple[str, Path], browser: Any
) -> None:
    """At 390 px, keys only: QA's negotiation from the portfolio, an offer proposed, QA's
    counter built in the editor from that offer (the link opens round 1's package) and
    recorded, its verdict read; AE's "Keep fixed" boxes ticked by keyboard."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    url, deals = server
    driver = browser
    driver.set_window_size(390, 844)
    home = url.split("?")[0]
    try:
        driver.get(url)
        driver.get(home + "p/gulf-asia")
        _fits(driver)
        _tab_to(driver, 'a[href="/p/gulf-asia/n/QA"]').send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA"), driver)
        _fits(driver)
        _tab_to(driver, "#propose").send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver)
        assert (deals / "rounds/gulf-asia/QA/001-us.yaml").exists()
        driver.get(home + "p/gulf-asia/n/QA")
        _tab_to(driver, "#counter-editor").send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/editor"), driver)
        _fits(driver)
        compute = driver.find_element(By.ID, "f-compute-2028")
        assert compute.get_attribute("value") == "150000"  # the offer's, not an empty package
        _tab_to(driver, "#record-as-counter").send_keys(Keys.ENTER)
        e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/2"), driver)
        _fits(driver)
        main = e2e.wait_for(ec.presence_of_element_located((By.TAG_NAME, "main")), driver)
        assert "Round 2 recorded" in main.text and "Recommendation:" in main.text
        e2e.shot(driver, "qa36-counter-verdict-390")

        driver.get(home + "p/gulf-asia/n/AE")
        _tab_to(driver, "#offer-fix-compute").send_keys(Keys.SPACE)  # boxes (qa36-web2)
        ActionChains(driver).send_keys(Keys.TAB, Keys.SPACE).perform()
        chosen = [
            box.get_attribute("value")
            for box in driver.find_elements(By.CSS_SELECTOR, "#offer-fix input:checked")
        ]
        assert chosen == ["compute", "security"], chosen
    finally:
        driver.set_window_size(1280, 800)


def test_a_solves_partners_open_their_negotiations(pages: dict[str, str]) -> None:  # noqa: F811
    """A solve's page named each partner (its deal, or why it has none) without a link: to
    negotiate with AE after a solve, a negotiator went back to the portfolio and found AE's
    "Negotiation" in its table (off the screen's edge at a phone's width). Each partner's
    name on the solve's page opens its negotiation, as the room's names do."""
    tree = lxml_html.fromstring(pages["solve"])
    rows = tree.xpath("//table[@id='deals']/tbody/tr")
    missing = tree.xpath("//ul[@id='no-deal']/li")
    assert rows and missing
    for item in [*rows, *missing]:
        code = item.get("data-partner")
        assert item.xpath(".//a/@href")[0] == f"/p/gulf-asia/n/{code}", code
