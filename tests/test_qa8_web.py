"""A new user's pass over the web-parity pages (qa8-web): each test failed before its fix."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, Runner, phone_screen


def test_diff_totals_are_diffs_line_and_never_read_the_same_when_they_differ(
    client: Any, deals: Path, run: Runner
) -> None:
    # Two results whose US values differ by $1m: `money` printed both as $x.xxbn, and
    # the page's totals line was its own (an arrow the CLI does not print).
    done = run("solve", deals / "portfolios/gulf-asia.yaml", "--out", deals / "out/a")
    assert done.exit_code == 0, done.stderr
    data = json.loads((deals / "out/a/result.json").read_text())
    data["us_value"] += 1e6
    (deals / "out/b").mkdir(parents=True)
    (deals / "out/b/result.json").write_text(json.dumps(data))
    cli = run("diff", deals / "out/a/result.json", deals / "out/b/result.json")
    assert cli.exit_code == 0, cli.stderr
    said = " ".join(cli.stdout.split())  # as one line, wherever the terminal wrapped it
    line = said[said.index("US utility:") : said.index(" H100e", said.index("US utility:")) + 6]
    a, b = line.split(";")[0].removeprefix("US utility: ").split(" -> ")
    assert a != b
    page = client.get("/diff?a=out/a/result.json&b=out/b/result.json")
    assert page.status_code == 200
    assert f'<p id="diff-totals">{html.escape(line)}</p>' in page.text


# In a real browser ---------------------------------------------------------------------

browser = e2e.browser

RISK = "p/gulf-asia-uncertain/risk?package=packages/ae-offer.yaml"


@pytest.mark.browser
def test_the_risk_page_runs_the_workbench_script_without_an_error(
    server: tuple[str, Path], browser: object
) -> None:
    """app.js took the risk page's `<p id="package">` for the editor's form and threw."""
    driver = browser
    url, _ = server
    driver.get(url)  # type: ignore[attr-defined]
    driver.get_log("browser")  # type: ignore[attr-defined]  # start from an empty log
    driver.get(url.split("?")[0] + RISK)  # type: ignore[attr-defined]
    e2e.wait_for(lambda d: d.execute_script("return document.readyState") == "complete", driver)
    time.sleep(0.5)
    errors = [
        entry["message"]
        for entry in driver.get_log("browser")  # type: ignore[attr-defined]
        if entry["level"] == "SEVERE" and entry.get("source") == "javascript"
    ]
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.parametrize("path", [RISK, "p/gulf-asia/n/AE/history", "diff"])
def test_the_new_pages_fit_a_390px_window(
    server: tuple[str, Path], browser: object, path: str
) -> None:
    """The risk page's quantiles, the history chart and the diff pickers (a result's long
    path) were wider than a phone's window: the page scrolled sideways."""
    driver = browser
    url, deals = server
    long = deals / "results" / "a-rather-long-folder-name-for-this-particular-solve"
    long.mkdir(parents=True, exist_ok=True)
    (long / "result.json").write_text("{}")
    driver.get(url)  # type: ignore[attr-defined]
    with phone_screen(driver, mobile=False):
        driver.get(url.split("?")[0] + path)  # type: ignore[attr-defined]
        e2e.wait_for(
            lambda d: d.execute_script("return [...document.images].every((i) => i.complete)"),
            driver,
        )
        width, inner = driver.execute_script(  # type: ignore[attr-defined]
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        e2e.shot(driver, "qa8-narrow-" + path.split("?")[0].replace("/", "-"))
        assert width <= inner, f"/{path} is {width} px wide in a {inner} px window"


def test_a_robust_solves_page_shows_the_stage_its_state_reports(client: Any) -> None:
    """/jobs/N/state said "Robust solve (rounds): 3/12" (the CLI's bar); the page said only
    "Solving… 8.6 s", and the script had no slot to put the stage in."""
    started = client.post(
        "/p/gulf-asia-uncertain/solve",
        data={
            CSRF_FIELD: csrf_for(WEB_TOKEN),
            **{"mode": "us-best", "solver": "highs", "robust": "0.97"},
            **{"samples": "200000", "seed": "1", "prices": "yes"},
        },
        follow_redirects=False,
    )
    url = str(started.headers["location"]).removeprefix("http://testserver")
    try:
        for _ in range(200):
            state = client.get(f"{url}/state?wait=1").json()
            if state["state"] != "running" or state.get("progress"):
                break
        assert state["state"] == "running" and state["progress"]["total"] > 1, state
        page = client.get(url).text
        shown = re.search(r'<span id="job-progress"[^>]*>([^<]*)</span>', page)
        assert shown is not None
        assert re.fullmatch(
            r"(Robust solve \(rounds\)|Shadow prices \(re-solves\)): \d+/\d+", shown[1]
        )
        assert re.search(r'<progress aria-label="Solving" value="\d+" max="\d+">', page)
    finally:
        client.post(f"{url}/cancel", data={CSRF_FIELD: csrf_for(WEB_TOKEN)})


def test_a_refused_risk_page_has_no_empty_part_in_its_title(client: Any) -> None:
    """A package that does not load left the partner out of the title: "Risk ·  · dealbench"."""
    page = client.get("/p/gulf-asia/risk?package=packages/none.yaml")
    assert page.status_code == 400
    assert "<title>Not done: Risk · gulf-asia · dealbench</title>" in page.text
    page = client.get("/p/gulf-asia/risk?package=packages/ae-offer.yaml")
    assert "<title>Risk · AE · gulf-asia · dealbench</title>" in page.text


def test_holding_the_packages_own_partner_is_refused_naming_the_hold_field(
    client: Any, deals: Path, run: Runner
) -> None:
    """The form's field and the CLI's option are `hold`; the refusal said "others:"."""
    page = client.get(
        "/p/gulf-asia/improve?package=packages/ae-offer.yaml&hold=packages/ae-counter.yaml"
    )
    assert page.status_code == 422
    assert (
        "error: Hold other partners&#39; packages: AE is the package&#39;s own partner; hold other deals"
        in page.text
    )
    done = run(
        "improve",
        deals / "packages/ae-offer.yaml",
        "--portfolio",
        deals / "portfolios/gulf-asia.yaml",
        "--hold",
        deals / "packages/ae-counter.yaml",
    )
    assert done.exit_code == 2
    assert "hold: AE is the package's own partner" in done.stderr


def test_a_package_files_risk_page_is_linked_from_its_documents(client: Any) -> None:
    """/p/NAME/risk?package=F answered, but no page linked to it: only the editor's button
    (the fields as typed) reached the risk page."""
    page = client.get("/p/gulf-asia-uncertain/documents?package=packages/ae-offer.yaml").text
    link = re.search(r'<a href="([^"]+)" id="risk-link">', page)
    assert link is not None
    risk = client.get(html.unescape(link[1]))
    assert risk.status_code == 200
    assert "AE under veu, 10,000 samples (seed 0)" in risk.text
    assert "/editor?package=packages/ae-offer.yaml" in risk.text  # and back


def test_diff_partner_table_never_shows_a_change_as_the_same_figure(
    client: Any, deals: Path, run: Runner
) -> None:
    """QA's partner utility $2.050bn -> $2.053bn read "$2.05bn | $2.05bn" in the table."""
    done = run("solve", deals / "portfolios/gulf-asia.yaml", "--out", deals / "out/a")
    assert done.exit_code == 0, done.stderr
    data = json.loads((deals / "out/a/result.json").read_text())
    deal = data["deals"][0]
    deal["partner_utility"] += 3e6
    (deals / "out/b").mkdir(parents=True)
    (deals / "out/b/result.json").write_text(json.dumps(data))
    page = client.get("/diff?a=out/a/result.json&b=out/b/result.json").text
    row = re.search(rf'<tr data-partner="{deal["partner"]}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row[1])
    assert cells[2] != cells[3], cells  # partner utility A, B
