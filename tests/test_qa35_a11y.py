"""The web workbench used with a keyboard and a screen reader (qa35-a11y).

Every page family rendered through the ASGI client and read as a screen reader reads it
(each control's name, the headings' outline, landmarks, tables' names and header scopes,
the charts' text alternatives), and two checks in a real browser (the focus ring's
contrast, the skip links, a counter's number on the frontier chart).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, job_done, solo_deals, web_client

browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}
COUNTER = (REPO / "deals" / "packages" / "ae-counter.yaml").read_bytes()

#: Each page family, as a user reaches it (GET, or a form sent).
GETS = {
    "portfolios": "/",
    "validate": "/validate?portfolio=gulf-asia",
    "portfolio": "/p/gulf-asia",
    "compare": "/p/gulf-asia/compare",
    "room": "/p/gulf-asia/room",
    "room memo": "/p/gulf-asia/room/memo",
    "negotiation": "/p/gulf-asia/n/AE",
    "frontier": "/p/gulf-asia/n/AE/frontier",
    "frontier, others held": "/p/gulf-asia/n/AE/frontier?frame=held",
    "history": "/p/gulf-asia/n/AE/history",
    "round": "/p/gulf-asia/n/AE/rounds/4",
    "editor": "/p/gulf-asia/editor?package=packages/ae-counter.yaml",
    "documents": "/p/gulf-asia/documents?package=packages/ae-counter.yaml",
    "improve": "/p/gulf-asia/improve?package=packages/ae-counter.yaml",
    "sweep form": "/p/gulf-asia/sweep",
}
SENT = [
    "solve refused",
    "verdict",
    "risk",
    "solve",
    "diff",
    "sweep",
    "offer recorded",
    "counter recorded",
    "concluded",
    "walked away",
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every page family's HTML, on a copy of the shipped deals/ (and `solo`)."""
    deals = solo_deals(tmp_path_factory.mktemp("a11y") / "deals")
    with web_client(deals, WEB_TOKEN) as c:
        got = {name: c.get(url).text for name, url in GETS.items()}

        def sent(url: str, **fields: str) -> Any:
            return c.post(url, data={**CSRF, **fields}, follow_redirects=False)

        got["solve refused"] = sent(
            "/p/gulf-asia/solve", mode="us-best", solver="highs", gap="tight"
        ).text
        verdict = sent(
            "/p/gulf-asia/evaluate", partner="AE", security="kyc", **{"compute.2026": "900000"}
        )
        got["verdict"] = c.get(verdict.headers["location"]).text  # qa45-web: redirected
        risk = sent("/p/gulf-asia/risk", package="packages/ae-counter.yaml")
        got["risk"] = c.get(risk.headers["location"]).text  # qa44-web3: redirected
        solves = [
            job_done(c, sent("/p/gulf-asia/solve", mode="us-best", solver="highs", gap=gap))
            for gap in ("1e-6", "1e-4")
        ]
        got["solve"] = c.get(solves[0]).text
        got["diff"] = c.get(f"/diff?a={solves[0][6:]}&b={solves[1][6:]}").text
        scenarios = sent(
            "/p/gulf-asia/sweep", kind="scenarios", scenarios="scenarios/gulf-asia.yaml"
        )
        got["sweep"] = c.get(job_done(c, scenarios)).text

        def shown(answer: Any) -> str:  # a round recorded: the page it redirects to
            assert answer.status_code == 303, answer.text
            return str(c.get(answer.headers["location"]).text)

        got["offer recorded"] = shown(sent("/p/gulf-asia/n/QA/offer", expect="1"))
        counter = c.post(
            "/p/gulf-asia/n/AE/counter",
            data={**CSRF, "expect": "5"},
            files={"file": ("ae-counter.yaml", COUNTER)},
        )
        got["counter recorded"] = counter.text
        got["concluded"] = shown(
            sent("/p/gulf-asia/n/QA/conclude", expect="2", round="1", confirm="yes")
        )
        got["walked away"] = shown(
            sent("/p/gulf-asia/n/BH/walk-away", expect="1", by="us", confirm="yes")
        )
        yield got


def _named(control: Any, tree: Any) -> bool:
    if control.get("aria-label") or control.get("aria-labelledby"):
        return True
    if control.get("id") and tree.xpath("//label[@for=$i]", i=control.get("id")):
        return True
    return any(a.tag == "label" for a in control.iterancestors())


def _faults(page: str) -> list[str]:
    """What a screen reader's user misses on `page`, as an accessibility checker says it."""
    tree = lxml_html.fromstring(page)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    faults = []
    for control in tree.iter("input", "select", "textarea"):
        if control.get("type") != "hidden" and not _named(control, tree):
            faults.append(f"a {control.tag} named {control.get('name')!r} has no label")
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    if levels.count(1) != 1:
        faults.append(f"{levels.count(1)} h1")
    for before, after in zip([0, *levels], levels, strict=False):
        if after > before + 1:
            faults.append(f"a heading skips from h{before} to h{after}")
    if not (tree.xpath("//main[@id='main']") and tree.xpath("//nav")):
        faults.append("no main or no nav landmark")
    if not tree.xpath("//a[@href='#main']"):
        faults.append("no skip link to the content")
    for table in tree.iter("table"):
        label = table.get("aria-labelledby")
        named = table.xpath("./caption") or table.get("aria-label")
        if label:
            named = all(
                tree.xpath("//*[@id=$i]", i=i)[0].text_content().strip()
                for i in label.split()
                if i in ids
            )
        if not named:
            faults.append(f"table {table.get('id') or table.get('class')!r} has no name")
        faults += [
            f"<th>{th.text_content()}</th> has no scope"
            for th in table.iter("th")
            if th.get("scope") not in ("col", "row")
        ]
    faults += [
        f"an image has no words: {img.get('src')}" for img in tree.iter("img") if not img.get("alt")
    ]
    for svg in tree.iter("svg"):
        if svg.get("role") != "img" or not (svg.get("aria-label") or svg.get("aria-labelledby")):
            faults.append("a chart (svg) is not an image with a name")
    for e in tree.xpath("//*[@aria-describedby or @aria-labelledby]"):
        for i in f"{e.get('aria-describedby', '')} {e.get('aria-labelledby', '')}".split():
            if i not in ids:
                faults.append(
                    f"{e.tag}#{e.get('id')} is described by #{i}, which is not on the page"
                )
    return faults


@pytest.mark.parametrize("page", [*GETS, *SENT])
def test_every_page_names_its_tables_and_labels_its_controls_for_a_screen_reader(
    pages: dict[str, str], page: str
) -> None:
    """A screen reader announces a table by its name before its rows ("Deals, table, 7
    rows"), and lists a page's tables by name: every table of the workbench was nameless
    (no caption, no aria-label), so the solve's page read as "table, table" and the
    negotiation's rounds as "table". Each is now named by its heading or in words. The
    rest (labels, the headings' outline, landmarks, header scopes, images' words) held
    and is kept here."""
    assert _faults(pages[page]) == []


def test_the_frontier_chart_says_each_of_its_points_in_words(pages: dict[str, str]) -> None:
    """The frontier chart (an inline SVG, `role="img"`) was named by its caption alone,
    which says how to read a chart ("squares mark no deal, US-best, ..."), not what this
    one shows: a screen reader read no figure unless each point was tabbed to in turn.
    Its description now gives every point, the named points and the rounds, figure by
    figure."""
    for name in ("frontier", "frontier, others held"):
        tree = lxml_html.fromstring(pages[name])
        [svg] = tree.iter("svg")
        [described] = svg.get("aria-describedby", "").split() or [""]
        [desc] = tree.xpath("//*[@id=$i]", i=described) if described else [None]
        assert desc is not None, f"{name}: the chart has no description"
        said = desc.text_content()
        points = [c.xpath("./title")[0].text for c in svg.xpath(".//circle[@class='pt']")]
        assert said.startswith(f"{len(points)} points of the frontier: "), said[:80]
        for title in points:
            us, partner = re.search(r"US utility (\S+), partner utility (\S+);", title).groups()  # type: ignore[union-attr]
            assert f"partner {partner}, US {us}" in said, (title, said)
        assert "Nash at partner " in said and "Kalai–Smorodinsky at partner " in said
    rounds = lxml_html.fromstring(pages["frontier"]).xpath("//*[@id='frontier-words']")[0]
    assert "Rounds: 1, US offer: partner $" in rounds.text_content()
    assert "; 4, Counter: partner $" in rounds.text_content()


def test_a_counter_on_the_frontier_is_told_from_an_offer_by_its_shape(
    pages: dict[str, str],
) -> None:
    """The rounds on the frontier were all numbered circles, blue for our offers and orange
    for the partner's counters: a reader who does not tell the two colours apart could not
    tell whose round each was without hovering it (WCAG 1.4.1). A counter is a diamond."""
    tree = lxml_html.fromstring(pages["frontier"])
    counters = tree.xpath("//*[contains(@class, 'round partner')]")
    offers = tree.xpath("//*[contains(@class, 'round us')]")
    assert len(counters) == 2 and len(offers) == 2
    assert all(g.xpath("./polygon") and not g.xpath("./circle") for g in counters)
    assert all(g.xpath("./circle") and not g.xpath("./polygon") for g in offers)
    caption = tree.xpath("//figcaption[@id='frontier-caption']")[0].text_content()
    assert "numbered diamonds the partner's counters" in " ".join(caption.split())


def test_a_running_solve_announces_its_progress_not_each_tenth_of_a_second(client: Any) -> None:
    """A running job's page (a solve's, a sweep's, a joint frontier's) was one live region
    (`role="status"`) holding the elapsed time, which the page's script rewrites every
    tenth of a second: a screen reader, which reads out each change in a live region, read
    "0.1", "0.2", "0.3", ... until the job ended. The time ticks outside it; the region
    says the stage and how far it is."""
    started = client.post(
        "/p/global/solve",
        data={**CSRF, "mode": "us-best", "solver": "cbc", "gap": "0"},
        follow_redirects=False,
    )
    url = started.headers["location"].removeprefix("http://testserver")
    page = client.get(url).text
    client.post(f"{url}/cancel", data=CSRF)
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//*[@id='elapsed']"), "the solve ended before its page was read"
    live = tree.xpath("//*[@role='status' or @role='alert' or @aria-live]")
    assert [e.get("id") for e in live] == ["job-progress"]
    assert not live[0].xpath(".//*[@id='elapsed']")


def _shapes(ax: Any) -> dict[str, list[list[float]]]:
    """Each labelled marker series of a matplotlib chart: its marker's outline."""
    return {
        str(c.get_label()): c.get_paths()[0].vertices.round(3).tolist()
        for c in ax.collections
        if not str(c.get_label()).startswith("_")
    }


def test_the_rounds_charts_tell_a_counter_from_an_offer_by_its_shape() -> None:
    """The history page's rounds chart (and `history --out`'s files) drew our offers and
    the partner's counters as circles of two colours (a counter smaller), the frontier
    files of `frontier --out` as circles of two colours alike: a reader who does not tell
    the colours apart could not say whose round was whose. A counter is a diamond (a
    pentagon when cut to fit), an offer a circle (a square), in both charts' legends."""
    from matplotlib.figure import Figure

    from dealbench.negotiate.chart import _rounds
    from dealbench.negotiate.documents import draw_rounds
    from dealbench.negotiate.round_points import ChartRound

    def at(n: int, side: str, fitted: bool) -> dict[str, Any]:
        return {"round": n, "side": side, "fitted": fitted, "us": 9e9 - n, "partner": 1e9 + n}

    drawn = [at(1, "us", False), at(2, "partner", False), at(3, "us", True), at(4, "partner", True)]
    ax = Figure().add_subplot()
    draw_rounds(ax, {"frontier": [], "no_deal": (-8e9, 8e9), "rounds": drawn})
    history = _shapes(ax)
    offers = [history["US offer"], history["US offer, cut to fit"]]
    counters = [history["Counter"], history["Counter, cut to fit"]]
    ax = Figure().add_subplot()
    _rounds(
        ax, [ChartRound(r["round"], r["side"], r["us"], r["partner"], r["fitted"]) for r in drawn]
    )
    frontier = _shapes(ax)
    assert frontier["US rounds"] == offers[0] and frontier["Partner rounds"] == counters[0]
    assert frontier["Partner rounds, cut to fit the held deals"] == counters[1]
    shapes = [*offers, *counters]
    assert all(shapes.count(shape) == 1 for shape in shapes)  # four shapes, none alike


def test_a_chart_or_a_verdict_arriving_is_not_read_out_whole(pages: dict[str, str]) -> None:
    """The negotiation page's frontier slot and the editor's verdict were live regions
    (`aria-live="polite"`): when the chart arrived a screen reader read out every tick
    label and mark of it ("$97.26bn, $69.69bn, ..., US-best, Nash, 1, 2, ..."), and each
    edit's verdict its whole table again. Neither is live now; a status line says in one
    line that the chart is drawn, or the verdict's first line (app.js fills it)."""
    for page, slot, said in (
        ("negotiation", "frontier", "frontier-said"),
        ("editor", "verdict", "verdict-said"),
    ):
        tree = lxml_html.fromstring(pages[page])
        [element] = tree.xpath("//*[@id=$i]", i=slot)
        assert element.get("aria-live") is None and element.get("role") is None, page
        [status] = tree.xpath("//*[@id=$i]", i=said)
        assert status.get("role") == "status" and "sr-only" in status.get("class"), page


# --- in a real browser --------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", colour)[:3])


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        c = [v / 255 for v in _rgb(colour)]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


RING = """const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 30),
        outline: s.outlineStyle === 'none' ? '' : s.outlineColor, shadow: s.boxShadow,
        left: r.left, width: r.width};"""


def _ring_contrast(focus: dict[str, Any]) -> float:
    """The best contrast against the white page of the focused element's ring (its outline
    and the colour of its box shadow)."""
    colours = [focus["outline"]] if focus["outline"] else []
    colours += re.findall(r"rgba?\([^)]*\)", focus["shadow"] or "")
    return max((_contrast(c, "rgb(255, 255, 255)") for c in colours), default=1.0)


@pytest.mark.browser
def test_in_a_browser_the_keyboard_skips_to_the_content_and_sees_where_it_is(
    server: tuple[str, Path], browser: object
) -> None:
    """The focus ring was a pale yellow outline alone, 1.6:1 on the white page (WCAG
    1.4.11 asks 3:1 of what shows a control's state): a keyboard user with low vision lost
    the focus between the fields. The ring is the yellow round a dark edge (16:1)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = driver.execute_script(RING)
    assert skip["text"] == "Skip to content" and skip["left"] >= 0 and skip["width"] > 0, skip
    stops = [skip]
    while stops[-1]["id"] != "solve" and len(stops) < 40:  # to the solve form's button
        ActionChains(driver).send_keys(Keys.TAB).perform()
        stops.append(driver.execute_script(RING))
    e2e.shot(driver, "qa35-focus-ring")
    faint = [
        (s["tag"], s["id"] or s["text"], round(_ring_contrast(s), 2))
        for s in stops
        if _ring_contrast(s) < 3
    ]
    assert faint == [], faint
    assert {s["tag"] for s in stops} == {"A", "SELECT", "INPUT", "TEXTAREA", "BUTTON"}
    driver.get(url.split("?")[0] + "p/gulf-asia")
    ActionChains(driver).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
    assert driver.switch_to.active_element.get_attribute("id") == "main"


@pytest.mark.browser
def test_in_a_browser_skipping_the_frontier_lands_after_it_and_a_counters_number_is_legible(
    server: tuple[str, Path], browser: object
) -> None:
    """ "Skip the chart" went to the Rounds heading, past the link to the frontier with the
    other deals held and the joint frontier's form, which the keyboard then reached only
    backwards; it lands after the chart. A counter's number was white on orange, 2.3:1
    (WCAG 1.4.3 asks 4.5:1); it is dark on the orange. A focused mark is boxed in dark."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    e2e.open_frontier(driver, url, "g.round.partner")
    driver.find_element(By.ID, "history-link").send_keys(Keys.TAB)
    skip = driver.switch_to.active_element
    assert skip.get_attribute("id") == "skip-chart"
    skip.send_keys(Keys.ENTER)
    driver.switch_to.active_element.send_keys(Keys.TAB)
    # the fold holding the other frames (open at this width: qa36-web2), then its first link
    summary = driver.switch_to.active_element
    assert summary.tag_name == "summary", summary.get_attribute("outerHTML")[:120]
    summary.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "held-frontier"
    for mark in driver.find_elements(By.CSS_SELECTOR, "g.round"):
        number, shape = driver.execute_script(
            "const g = arguments[0], shape = g.querySelector('circle, polygon');"
            "return [getComputedStyle(g.querySelector('text')).fill, getComputedStyle(shape).fill];",
            mark,
        )
        assert _contrast(number, shape) >= 4.5, (mark.get_attribute("class"), number, shape)
    counter = driver.find_element(By.CSS_SELECTOR, "g.round.partner")
    driver.execute_script("arguments[0].focus()", counter)
    assert _ring_contrast(driver.execute_script(RING)) >= 3
    e2e.shot(driver, "qa35-frontier-counter-focused")


@pytest.mark.browser
def test_in_a_browser_a_drawn_frontier_and_an_edits_verdict_are_said_in_one_line(
    server: tuple[str, Path], browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, _ = server
    e2e.open_frontier(driver, url, "g.round.partner")
    said = driver.find_element(By.ID, "frontier-said")
    e2e.wait_for(lambda d: said.get_attribute("textContent"), driver)
    assert said.get_attribute("textContent") == "The frontier is drawn: 13 points, 4 rounds."
    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=AE")
    field = driver.find_element(By.ID, "f-compute-2026")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("900000")
    e2e.wait_for(lambda d: field.get_attribute("aria-invalid") == "true", driver)
    said = driver.find_element(By.ID, "verdict-said").get_attribute("textContent")
    assert said == driver.find_element(By.ID, "accepts").text and said.startswith("Breaks "), said
