"""A sixth pass on the web workbench (qa7-web): faults a new user met in a real browser,
each with the test that failed before its fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, job_done, words

CSRF = csrf_for(WEB_TOKEN)


def post(client: TestClient, url: str, **fields: str) -> object:
    return client.post(url, data={CSRF_FIELD: CSRF, **fields}, follow_redirects=False)


def evaluated(client: TestClient, url: str, **fields: str) -> Any:
    """The page Evaluate without scripts leads to: its POST redirected (303, qa45-web)."""
    sent: Any = post(client, url, **fields)
    assert sent.status_code == 303, sent.text[:500]
    return client.get(sent.headers["location"])


def field(html: str, name: str) -> str:
    """The value an input named `name` shows."""
    found = re.search(rf'<input name="{re.escape(name)}"[^>]*\svalue="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def test_the_editor_shows_a_packages_compute_as_written_not_rounded(
    client: TestClient, deals: Path
) -> None:
    """A package of 10,500.4 H100e (a continuous portfolio's solve writes such) opened at
    "10500" beside a verdict on 10,500.4; the next edit or save wrote 10,500."""
    (deals / "packages/frac.yaml").write_text(
        "partner: BH\nsecurity: veu\ncompute: {2026: 10500.4, 2027: 10600, 2028: 0.5}\n"
        "concessions: {us-cloud-only: true}\n"
    )
    page = client.get("/p/gulf-asia/editor?package=packages/frac.yaml").text
    assert field(page, "compute.2026") == "10500.4"
    assert field(page, "compute.2027") == "10600"
    assert field(page, "compute.2028") == "0.5"
    assert re.search(r'<option value="yes" selected>yes</option>', page)  # us-cloud-only
    assert 'value="veu" selected' in page


def test_evaluate_without_scripts_answers_with_the_editor_holding_the_fields_as_typed(
    client: TestClient,
) -> None:
    """The Evaluate button is how a page without scripts re-evaluates; it answered with the
    bare verdict fragment (no layout, no editor), and everything typed was gone from view.
    The page's script asks for the fragment by a header and still gets it alone."""
    typed = {
        "partner": "AE",
        "security": "veu",
        "compute.2026": "12O,000",  # a letter O: invalid
        "compute.2027": "600000",
        "concession.invest-us": "1400bn",
        "title": "Draft of Tuesday",
        "filename": "ae-tuesday",
    }
    page = evaluated(client, "/p/gulf-asia/evaluate", **typed).text
    assert page.startswith("<!doctype html>") and 'id="package"' in page
    assert "the package form: compute.2026: expected a number, got '12O,000'" in words(page)
    for name in ("compute.2026", "compute.2027", "title", "filename"):
        assert field(page, name) == typed[name], name
    assert '<option value="1400bn" selected>' in page and 'value="veu" selected' in page

    typed["compute.2026"] = "600000"
    page = evaluated(client, "/p/gulf-asia/evaluate", **typed).text
    assert 'id="package"' in page and 'id="us-value"' in page
    assert field(page, "compute.2026") == "600000"

    fragment = client.post(
        "/p/gulf-asia/evaluate",
        data={CSRF_FIELD: CSRF, **typed},
        headers={"X-Dealbench-Fragment": "1"},
    ).text
    assert fragment.startswith('<h2 id="verdict-h">') and 'id="package"' not in fragment


def test_the_frontier_link_without_scripts_opens_a_whole_page(client: TestClient) -> None:
    """Without scripts the negotiation page offers "Draw the frontier", a link to the chart;
    it opened the bare fragment the script swaps in: no styles (the chart's lines filled
    black), no navigation and no way back. The script still gets the fragment alone."""
    page = client.get("/p/gulf-asia/n/AE/frontier").text
    assert page.startswith("<!doctype html>") and '<link rel="stylesheet"' in page
    assert "Frontier of the negotiation with the United Arab Emirates (AE)" in words(page)
    assert 'href="/p/gulf-asia/n/AE">Back to the negotiation' in page
    assert "Nash" in page and 'class="curve"' in page
    fragment = client.get("/p/gulf-asia/n/AE/frontier", headers={"X-Dealbench-Fragment": "1"})
    assert fragment.text.startswith('<figure class="frontier">')


def test_pages_of_an_uncertain_portfolio_say_they_use_the_means(client: TestClient) -> None:
    """DESIGN.md: deterministic commands use a distribution's mean "and say so"; `solve`,
    `evaluate`, `frontier`, `compare` and `room` say it, but no page of the workbench did,
    so a negotiator read AE's figures on gulf-asia-uncertain as if they were known."""
    said = "AE batna is uncertain (uniform 6bn to 10bn); deterministic results use its mean, 8bn"
    pages = [
        "/p/gulf-asia-uncertain",
        "/p/gulf-asia-uncertain/editor?partner=AE",
        "/p/gulf-asia-uncertain/n/AE",
        "/p/gulf-asia-uncertain/room",
    ]
    for url in pages:
        assert said in words(client.get(url).text), url
    job = job_done(
        client, post(client, "/p/gulf-asia-uncertain/solve", mode="us-best", solver="highs")
    )
    assert said in words(client.get(job).text)
    typed = {"partner": "AE", "security": "veu", "compute.2026": "1000"}
    assert said in words(evaluated(client, "/p/gulf-asia-uncertain/evaluate", **typed).text)
    assert 'id="uncertain"' not in client.get("/p/gulf-asia").text


def test_a_solve_stopped_by_its_time_limit_says_how_far_from_the_best(
    client: TestClient,
) -> None:
    """`solve` warns "the time limit stopped the solver with the packages within X% of the
    best" (or with no useful bound); the page printed the status "time-limit" alone, so a
    negotiator could not tell a near-optimal plan from one found in the first instant."""
    job = job_done(client, post(client, "/p/gulf-asia/solve", time_limit="0.000001"))
    said = words(client.get(job).text)
    assert "Status time-limit" in said
    assert (
        "The time limit stopped the solver with the packages with no useful bound on the "
        "distance to the best (a relative gap above 100%)." in said
    )
