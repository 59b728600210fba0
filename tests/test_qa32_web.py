"""A negotiator who only uses the web app (qa32-web): every page in headless Chromium
beside the CLI's output for the same thing.

Each test failed before its fix.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import (
    QA_COUNTER,
    REPO,
    WEB_TOKEN,
    invoke,
    job_done,
    phone_screen,
    recorded,
    send_qa_counter,
    web_client,
    words,
)

browser = e2e.browser


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/, as `make serve` serves it."""
    return Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))


@pytest.fixture
def served(shipped_copy: Path) -> Iterator[Any]:
    """A web test client serving `shipped_copy`."""
    with web_client(shipped_copy, WEB_TOKEN) as c:
        yield c


# --- the solve page's rows note ------------------------------------------------------------------


def _cells(table: str, column: int) -> list[str]:
    """The text of column `column` of each body row of `table` (HTML)."""
    rows = re.findall(r"(?s)<tr data-partner=.*?</tr>", table)
    return [words(re.findall(r"(?s)<t[dh][^>]*>(.*?)</t[dh]>", row)[column]) for row in rows]


def test_the_solve_pages_rows_note_speaks_of_rows_the_page_shows(
    served: Any, run: Any, shipped_copy: Path
) -> None:
    """A solve of gulf-asia in the browser said "Each total is the exact sum, rounded; each
    row is rounded on its own, and as printed the rows add up to 161,302 risk-weighted
    H100e." above a deals table with no risk column: a reader had no rows to add up, and
    nowhere to read a deal's risk, which `solve`'s table prints. The page's table now has
    `solve`'s risk column, each deal's figure as `solve` prints it, and the note follows
    the table whose rows it speaks of."""
    said = run("solve", shipped_copy / "portfolios" / "gulf-asia.yaml").stdout
    cli_risk = {
        m[1]: m[2] for m in re.finditer(r"(?m)^ ([A-Z]{2}) +\w+ .* ([\d,]+) ?$", said)
    }  # the last column of `solve`'s table, by partner
    assert len(cli_risk) == 7, said
    answer = served.post(
        "/p/gulf-asia/solve",
        data={CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = served.get(job_done(served, answer)).text
    table = re.search(r'(?s)<table class="grid" id="deals"[^>]*>.*?</table>', page)
    assert table is not None
    head = [words(h) for h in re.findall(r"(?s)<th scope=\"col\"[^>]*>(.*?)</th>", table[0])]
    assert head[-1] == "Risk (risk-weighted H100e)", head
    codes = re.findall(r'<tr data-partner="(\w+)"', table[0])
    page_risk = dict(zip(codes, _cells(table[0], len(head) - 1), strict=True))
    assert page_risk == cli_risk
    printed = sum(int(x.replace(",", "")) for x in page_risk.values())
    note = re.search(r'(?s)<p id="rows-note"[^>]*>(.*?)</p>', page)
    assert note is not None
    assert f"as printed the rows add up to {printed:,} risk-weighted H100e" in words(note[1])
    assert page.index('id="rows-note"') > table.end(), "the note comes after the rows"


# --- a counter's verdict -------------------------------------------------------------------------


def test_a_counters_verdict_says_what_counter_says_of_the_frontier_and_the_supply(
    served: Any, shipped_copy: Path, tmp_path: Path
) -> None:
    """QA's counter recorded from the negotiation page showed the US utility the frontier
    gives at the counter's partner utility, but never the package that gives it (`counter`:
    "... under veu with invest-us=100bn, ..., compute 2026 150,000, ..."), nor what accepting
    takes ("Takes: H100e 2026 100,000, ...; risk ...") and leaves the other open
    negotiations ("Supply left for the other open negotiations if accepted (H100e): ..."):
    a web user could not see what a yes would cost the rest of the portfolio. The page now
    says the three as `counter` says them (`Verdict.frontier_words`, `taken_words`,
    `supply_left_words`, which `counter` prints)."""
    cli_deals = Path(shutil.copytree(shipped_copy, tmp_path / "cli"))
    answer = send_qa_counter(served, {})
    assert answer.status_code == 200, words(answer.text)[-1500:]
    counter = tmp_path / "qa-counter.yaml"
    counter.write_bytes(QA_COUNTER)
    run = invoke(
        ["counter", cli_deals / "portfolios/gulf-asia.yaml", counter, "--date", "2026-12-05",
         "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    page = {
        key: words(m[1])
        for key in ("frontier-words", "taken", "supply-left")
        if (m := re.search(rf'(?s)<li id="{key}">(.*?)</li>', answer.text))
    }
    assert set(page) == {"frontier-words", "taken", "supply-left"}, words(answer.text)
    for key, line in page.items():
        assert line.rstrip(".") in said, (key, line, said)
    assert "under veu with invest-us=100bn" in page["frontier-words"]
    assert page["supply-left"].startswith(
        "Supply left for the other open negotiations if accepted (H100e): 2026 "
    )


# --- concluding takes a tick, as walking away does ----------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_concluding_without_the_tick_records_nothing_and_says_so_in_its_field(
    served: Any, shipped_copy: Path
) -> None:
    """After QA's counter (the verdict: counter it), a negotiator typed a note in the
    Conclude form's Note field and pressed Enter: the browser sent the form, and the deal
    was concluded for good on the counter's package (003-us.yaml, "fixed whenever the
    portfolio is re-planned"). Walking away asks for a tick first; concluding, as final,
    asked for nothing. The form now has its box ("Agree with Qatar on the chosen round's
    package"), required by the browser and by the server, which refuses the form without it
    in the box's field and writes nothing."""
    assert send_qa_counter(served, {}).status_code == 200
    page = served.get("/p/gulf-asia/n/QA").text
    form = re.search(r'(?s)<form[^>]*id="conclude-form".*?</form>', page)
    assert form is not None
    box = re.search(
        r'<input type="checkbox" name="confirm"[^>]*id="conclude-confirm"[^>]*>', form[0]
    )
    assert box is not None and "required" in box[0]
    expect = re.search(r'name="expect" value="(\d+)"', form[0])
    assert expect is not None
    before = _tree(shipped_copy)
    fields = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "round": "1"}
    refused = served.post("/p/gulf-asia/n/QA/conclude", data={**fields, "note": "Doha"})
    assert refused.status_code == 422, words(refused.text)[-1500:]
    said = words(refused.text)
    assert "Agree: not ticked; tick it to conclude the deal, which fixes the deal's package" in said
    box = re.search(r'<input type="checkbox"[^>]*id="conclude-confirm"[^>]*>', refused.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    assert re.search(r'id="conclude-note"[^>]*>Doha</textarea>', refused.text)  # as typed
    assert _tree(shipped_copy) == before
    done = served.post(
        "/p/gulf-asia/n/QA/conclude", data={**fields, "note": "Doha", "confirm": "yes"}
    )
    assert done.status_code == 200, words(done.text)[-1500:]
    assert "Deal concluded with QA in round 2" in words(done.text)


# --- in a browser: a note of several lines; Enter in a closing form -----------------------------


#: Minutes of a session: lines, and an address longer than a phone's width.
NOTE = (
    "Doha session:\n1. compute in 2027\n2. the investment clause\n"
    "https://example.gov/negotiations/qatar/2026/session-three/minutes-and-annexes-"
    + "x" * 200
    + ".pdf"
)


@pytest.mark.browser
def test_in_a_browser_a_note_of_several_lines_is_recorded_and_enter_concludes_nothing(
    server: tuple[str, Path], browser: object, tmp_path: Path
) -> None:
    """The round forms' Note was a one-line field 30 characters wide: a negotiator's
    minutes of several lines could not be typed (Enter sent the form: in the offer form it
    proposed and recorded an offer with the first line alone; in the conclude form it
    concluded the deal), a long note could not be read back before sending, and a note of
    several lines recorded by `offer --note` showed its lines run together; a long address
    in a note made the negotiation and history pages 1,936 px wide on a 390 px phone. The
    note is now a box of several lines: Enter starts a new line, the round file holds the
    lines as `offer --note` records them, the negotiation page shows them on their own
    lines, and at 390 px the address wraps within the window."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    cli_deals = Path(shutil.copytree(deals, tmp_path / "cli"))
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/n/QA")
    note = driver.find_element(By.ID, "offer-note")
    note.send_keys(NOTE.replace("\n", Keys.ENTER))
    assert urlsplit(driver.current_url).path == "/p/gulf-asia/n/QA", "Enter sent the form"
    assert not (deals / "rounds/gulf-asia/QA").exists()
    driver.execute_script(
        "arguments[0].value = '2026-12-05'", driver.find_element(By.ID, "offer-date")
    )
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver, 120)
    e2e.shot(driver, "qa32-web-offer-note-lines")
    web_round = (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")
    run = invoke(
        ["offer", cli_deals / "portfolios/gulf-asia.yaml", "--partner", "QA", "--note", NOTE,
         "--date", "2026-12-05", "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert recorded((cli_deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")) == recorded(
        web_round
    )

    driver.get(f"{base}/p/gulf-asia/n/QA")
    shown = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "li.round-note")]
    assert shown == [f"Round 1, note: {NOTE}"]
    closing = driver.find_element(By.ID, "conclude-note")
    closing.send_keys("Agreed in Doha" + Keys.ENTER)
    driver.find_element(By.ID, "conclude-date").send_keys(Keys.ENTER)
    assert urlsplit(driver.current_url).path == "/p/gulf-asia/n/QA", "Enter concluded"
    assert sorted(p.name for p in (deals / "rounds/gulf-asia/QA").glob("*.yaml")) == ["001-us.yaml"]

    with phone_screen(driver):
        for path in ("/p/gulf-asia/n/QA", "/p/gulf-asia/n/QA/history"):
            driver.get(f"{base}{path}")
            e2e.shot(driver, f"qa32-web-note-390{path.replace('/', '-')}")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, path


# --- the held frontier's page says what `frontier` prints ---------------------------------------


def test_the_held_frontiers_page_shows_the_table_and_marked_points_frontier_prints(
    served: Any, run: Any, shipped_copy: Path
) -> None:
    """The frontier with the other deals held (`/p/gulf-asia/n/QA/frontier?frame=held`,
    "as dealbench frontier draws it") showed the chart alone: its points could be read only
    by hovering over each, and the US-best, Nash and Kalai–Smorodinsky points, the method
    and the step note `frontier --partner QA --points 15` prints were nowhere (the joint
    frontier's page shows them). The page now shows them from the same source
    (`negotiate.frontier_words`): every row and marked line is the CLI's."""
    said = run(
        "frontier", shipped_copy / "portfolios/gulf-asia.yaml", "--partner", "QA", "--points", "15"
    ).stdout
    cli_rows = [
        [c.strip() for c in line.strip("│ ").split("│")]
        for line in said.splitlines()
        if re.match(r"│ +\d+ │", line)
    ]
    assert len(cli_rows) > 5, said
    page = served.get("/p/gulf-asia/n/QA/frontier?frame=held").text
    table = re.search(r'(?s)<table class="grid" id="frontier-points">.*?</table>', page)
    assert table is not None, words(page)[-1500:]
    rows = [
        [words(c) for c in re.findall(r"(?s)<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"(?s)<tr>(.*?)</tr>", table[0].split("<tbody>")[1])
    ]
    assert rows == cli_rows
    flat = " ".join(said.split())
    marked = re.search(r'(?s)<dl id="marked">(.*?)</dl>', page)
    assert marked is not None
    for label, where in re.findall(r"(?s)<dt>(.*?)</dt><dd>(.*?)</dd>", marked[1]):
        assert f"{words(label)}" in flat and words(where) in flat, (label, where)
    method = re.search(r'<p id="method">(.*?)</p>', page)
    assert method is not None

    def timeless(text: str) -> str:
        return re.sub(r", [\d.]+ s", "", text)

    assert timeless(words(method[1])) in timeless(flat)
