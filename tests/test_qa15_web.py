"""The web workbench tried again by a new user (qa15-web): each test failed before its fix."""

from __future__ import annotations

import re
from typing import Any

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, job_done

CSRF = csrf_for(WEB_TOKEN)
MEANS = "every figure on this page uses their means"


def solve(client: Any, name: str, **fields: str) -> str:
    """Start a solve of portfolio `name` from its form and wait for it; the job's URL."""
    form = {CSRF_FIELD: CSRF, "mode": "us-best", "solver": "highs", **fields}
    response = client.post(f"/p/{name}/solve", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return job_done(client, response)


def test_the_risk_page_does_not_say_its_figures_use_the_means(client: Any) -> None:
    # The layout's note "every figure on this page uses their means" was on the risk page,
    # whose figures are the samples' (`dealbench risk` prints no such note).
    page = client.get("/p/gulf-asia-uncertain/risk?package=packages/ae-offer.yaml")
    assert page.status_code == 200
    assert "Accept probability" in page.text
    assert MEANS not in page.text
    # A deterministic page of the same portfolio still says it.
    assert MEANS in client.get("/p/gulf-asia-uncertain").text


def test_a_robust_solves_page_does_not_say_its_figures_use_the_means(client: Any) -> None:
    # `solve --robust` does not print the means note (its packages are chosen over the
    # samples); the page said every figure on it used the means.
    robust = client.get(solve(client, "gulf-asia-uncertain", robust="0.9", samples="200"))
    assert "Robust to 90%" in robust.text
    assert MEANS not in robust.text
    plain = client.get(solve(client, "gulf-asia-uncertain"))
    assert MEANS in plain.text


def test_a_solves_documents_lead_back_to_the_solve(client: Any) -> None:
    # The documents of a solve linked the portfolio, the room and the editor, but not the
    # solve they are of: the way back was the browser's Back button.
    job = solve(client, "solo")
    page = client.get(f"{job}/documents")
    assert page.status_code == 200
    assert re.search(rf'<a href="{job}"[^>]*>Back to solve \d+</a>', page.text), page.text[:3000]


def test_a_rounds_documents_lead_back_to_the_negotiation(client: Any) -> None:
    page = client.get("/p/gulf-asia/n/AE/rounds/3")
    assert page.status_code == 200
    assert '<a href="/p/gulf-asia/n/AE"' in page.text
    assert "Back to the negotiation" in page.text


def test_the_diff_pickers_list_this_sessions_solves_newest_first(client: Any) -> None:
    # The form said "newest first" but listed the solves by portfolio file, then newest:
    # solve 1 of gulf-asia before solve 2 of solo.
    first = solve(client, "gulf-asia").rsplit("/", 1)[1]
    second = solve(client, "solo").rsplit("/", 1)[1]
    page = client.get("/diff").text
    order = re.findall(r'<option value="jobs/(\d+)"', page)
    assert order[: len(order) // 2] == [second, first]


def test_a_partners_term_sheet_and_deal_memo_download_under_different_names(client: Any) -> None:
    # Both downloaded as "SG.md" (the file name without its folder, term-sheets/ or memos/):
    # the browser saved the second as "SG (1).md".
    job = solve(client, "solo")
    page = client.get(f"{job}/documents").text
    links = re.findall(r'href="([^"]+\?download=1)"', page)
    names = {}
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200
        found = re.search(r'filename="([^"]+)"', response.headers["content-disposition"])
        assert found
        names[link] = found.group(1)
    assert len(set(names.values())) == len(links), sorted(names.values())
    # Each led by the solve since (qa30-web): solo-solve-N-term-sheets-SG.md.
    solved = f"solo-solve-{job.rsplit('/', 1)[1]}"
    assert names[f"{job}/documents/term-sheets/SG.md?download=1"] == f"{solved}-term-sheets-SG.md"
    assert names[f"{job}/documents/memos/SG.pdf?download=1"] == f"{solved}-memos-SG.pdf"


def test_two_solves_of_one_portfolio_read_apart_by_their_overrides(client: Any) -> None:
    # The diff pickers and the portfolio's list of solves named a solve by number,
    # portfolio and mode: a solve with partners.AE.batna=12bn read as the plain one
    # (qa15-web, left; session 20).
    plain = solve(client, "solo").rsplit("/", 1)[1]
    changed = solve(client, "solo", sets="partners.SG.batna=12bn").rsplit("/", 1)[1]
    page = client.get("/diff").text
    assert f"solve {plain} of this session (solo, us-best)<" in page
    assert f"solve {changed} of this session (solo, us-best, partners.SG.batna=12bn)<" in page
    listed = re.sub(r"<[^>]+>", "", client.get("/p/solo").text)
    assert f"Solve {changed} · us-best, partners.SG.batna=12bn · done" in listed
