"""The web workbench used as a negotiator uses it: closing a negotiation (conclude, walk
away), a form sent twice, a page that rounds have overtaken, errors in words, and what
the pages look like at a narrow and a wide window (in the real browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.chart import Mark, merge_close
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words

CSRF = csrf_for(WEB_TOKEN)


def post(client: TestClient, url: str, files: object = None, **fields: str) -> object:
    return client.post(url, data={CSRF_FIELD: CSRF, **fields}, files=files)  # type: ignore[arg-type]


def rounds(deals: Path, code: str = "SG") -> list[str]:
    folder = deals / "rounds" / "solo" / code
    return sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []


def expect_of(client: TestClient, url: str) -> str:
    found = re.search(r'name="expect" value="(\d+)"', client.get(url).text)
    assert found, f"no expect field on {url}"
    return found.group(1)


def test_a_deal_is_concluded_from_the_negotiation_page_and_then_takes_no_round(
    client: TestClient, deals: Path
) -> None:
    page = client.get("/p/solo/n/SG").text
    assert 'id="walk-away"' in page and 'id="conclude"' not in page  # nothing to agree on yet
    offer = post(client, "/p/solo/n/SG/offer", expect="1", strategy="boulware")
    assert offer.status_code == 200  # type: ignore[attr-defined]
    page = client.get("/p/solo/n/SG").text
    assert 'id="conclude"' in page and '<option value="1">1: US offer' in page

    done = post(
        client, "/p/solo/n/SG/conclude", expect="2", round="1", date="2026-05-01", confirm="yes"
    )
    assert done.status_code == 200, words(done.text)  # type: ignore[attr-defined]
    assert "Deal concluded with SG in round 2" in done.text  # type: ignore[attr-defined]
    assert rounds(deals) == ["001-us.yaml", "002-partner.yaml"]
    written = (deals / "rounds/solo/SG/002-partner.yaml").read_text()
    assert "status: concluded" in written and "date: 2026-05-01" in written
    assert "basis: 001-us.yaml" in written

    page = client.get("/p/solo/n/SG").text
    assert 'id="closed"' in page and "concluded in round 2" in page
    assert 'id="propose"' not in page and 'id="walk-away"' not in page
    room = words(client.get("/p/solo/room").text)
    assert "concluded: SG" in room
    # A round after the conclusion, from a page opened before it: refused, nothing written.
    again = post(client, "/p/solo/n/SG/offer", expect="2")
    assert again.status_code == 422  # type: ignore[attr-defined]
    assert "nothing written" in words(again.text)  # type: ignore[attr-defined]
    assert rounds(deals) == ["001-us.yaml", "002-partner.yaml"]


def test_walking_away_is_recorded_by_either_side_and_the_room_says_so(
    client: TestClient, deals: Path
) -> None:
    unconfirmed = post(client, "/p/gulf-asia/n/QA/walk-away", expect="1", by="partner")
    assert unconfirmed.status_code == 422  # type: ignore[attr-defined]
    assert "End the talks: not ticked; tick it" in words(unconfirmed.text)  # type: ignore[attr-defined]
    assert not (deals / "rounds/gulf-asia/QA").exists()
    done = post(
        client, "/p/gulf-asia/n/QA/walk-away", expect="1", by="partner", note="PRC stack",
        confirm="yes",
    )  # fmt: skip
    assert done.status_code == 200, words(done.text)  # type: ignore[attr-defined]
    assert "Qatar" in done.text or "QA walked away" in words(done.text)  # type: ignore[attr-defined]
    written = (deals / "rounds/gulf-asia/QA/001-partner.yaml").read_text()
    assert "status: walked-away" in written and "note: PRC stack" in written
    assert "walked away: QA" in words(client.get("/p/gulf-asia/room").text)
    bad = post(client, "/p/gulf-asia/n/BH/walk-away", by="nobody", confirm="yes")
    assert bad.status_code == 422 and "expected us or partner" in words(bad.text)  # type: ignore[attr-defined]
    assert not (deals / "rounds/gulf-asia/BH").exists()


def test_a_conclusion_on_a_package_that_breaks_a_limit_is_refused_in_words(
    client: TestClient, deals: Path
) -> None:
    counter = "partner: SG\nsecurity: baseline\ncompute: {2026: 80_000}\n"
    sent = post(
        client, "/p/solo/n/SG/counter", files={"file": ("c.yaml", counter.encode())}, expect="1"
    )
    assert sent.status_code == 200  # type: ignore[attr-defined]
    refused = post(client, "/p/solo/n/SG/conclude", expect="2", round="1", confirm="yes")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "no deal can be concluded on round 1's package" in words(refused.text)  # type: ignore[attr-defined]
    assert rounds(deals) == ["001-partner.yaml"]


@pytest.mark.parametrize("action", ["offer", "counter", "walk-away"])
def test_a_form_sent_twice_records_one_round(client: TestClient, deals: Path, action: str) -> None:
    """A double click, or reloading the page that answered the POST, sends the form again:
    the second must not record a round its sender never saw."""
    expect = expect_of(client, "/p/solo/n/SG")
    files = None
    extra = {"confirm": "yes"} if action == "walk-away" else {}
    if action == "counter":
        package = "partner: SG\nsecurity: veu\ncompute: {2026: 60_000}\n"
        files = {"file": ("c.yaml", package.encode())}
    first = post(client, f"/p/solo/n/SG/{action}", files=files, expect=expect, **extra)
    assert first.status_code == 200, words(first.text)  # type: ignore[attr-defined]
    if files is not None:
        files = {"file": ("c.yaml", package.encode())}
    second = post(client, f"/p/solo/n/SG/{action}", files=files, expect=expect, **extra)
    assert second.status_code == 422  # type: ignore[attr-defined]
    said = words(second.text)  # type: ignore[attr-defined]
    assert "recorded after the page was loaded" in said and "nothing written" in said
    assert len(rounds(deals)) == 1


def test_the_editors_record_as_counter_is_refused_when_rounds_moved_on_meanwhile(
    client: TestClient, deals: Path
) -> None:
    expect = expect_of(client, "/p/solo/editor?partner=SG")
    assert expect == "1"
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200  # type: ignore[attr-defined]
    fields = {"partner": "SG", "security": "veu", "compute.2026": "50000", "expect": expect}
    stale = post(client, "/p/solo/n/SG/counter", **fields)
    assert stale.status_code == 422  # type: ignore[attr-defined]
    assert "round 1 (001-us.yaml) was recorded after the page was loaded" in words(stale.text)  # type: ignore[attr-defined]
    fields["expect"] = expect_of(client, "/p/solo/editor?partner=SG")
    assert fields["expect"] == "2"
    assert post(client, "/p/solo/n/SG/counter", **fields).status_code == 200  # type: ignore[attr-defined]
    assert rounds(deals) == ["001-us.yaml", "002-partner.yaml"]


def test_a_bad_date_in_a_round_form_is_refused_before_anything_is_written(
    client: TestClient, deals: Path
) -> None:
    refused = post(client, "/p/solo/n/SG/offer", expect="1", date="1 May")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "expected YYYY-MM-DD or today, got '1 May'" in words(refused.text)  # type: ignore[attr-defined]
    assert rounds(deals) == []


def test_an_error_in_the_editors_fields_names_the_field_not_a_line_of_a_hidden_file(
    client: TestClient,
) -> None:
    fields = {"partner": "SG", "security": "veu", "compute.2026": "lots"}
    said = words(post(client, "/p/solo/evaluate", **fields).text)  # type: ignore[attr-defined]
    assert "the package form: compute.2026: expected a number, got 'lots'" in said
    assert not re.search(r"the package form:\d", said)


def test_named_points_that_coincide_are_drawn_as_one_labelled_square() -> None:
    same = "US utility $4.16bn, partner utility $2.55bn; veu"
    marks = [
        Mark(100.0, 50.0, "US-best", f"US-best: {same}", "us-best"),
        Mark(103.0, 52.0, "Nash", f"Nash: {same}", "nash"),
        Mark(300.0, 200.0, "Partner-best", "Partner-best: elsewhere", "partner-best"),
    ]
    merged = merge_close(marks)
    assert [m.label for m in merged] == ["US-best, Nash", "Partner-best"]
    assert merged[0].detail == f"US-best, Nash: {same}" and merged[0].kind == "us-best nash"


# --- in the real browser -------------------------------------------------------------------

browser = e2e.browser


@pytest.mark.browser
def test_the_editors_fields_never_cover_its_verdict(
    server: tuple[str, Path],
    browser: object,
) -> None:
    """The security levels' long titles once widened the editor's fieldset over the verdict."""
    from selenium.webdriver.common.by import By

    driver = browser
    url, _ = server
    driver.get(url)  # type: ignore[attr-defined]
    driver.set_window_size(1280, 900)  # type: ignore[attr-defined]
    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=AE")  # type: ignore[attr-defined]
    select = driver.find_element(By.ID, "f-security").rect  # type: ignore[attr-defined]
    verdict = driver.find_element(By.ID, "verdict").rect  # type: ignore[attr-defined]
    assert select["x"] + select["width"] <= verdict["x"]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "p/gulf-asia", "p/gulf-asia/room", "p/gulf-asia/n/AE"])
def test_no_page_is_wider_than_a_narrow_window(
    server: tuple[str, Path],
    browser: object,
    path: str,
) -> None:
    """At 420 px, wide tables scroll inside the page instead of cutting off its columns."""
    driver = browser
    url, _ = server
    driver.get(url)  # type: ignore[attr-defined]
    driver.set_window_size(420, 900)  # type: ignore[attr-defined]
    try:
        driver.get(url.split("?")[0] + path)  # type: ignore[attr-defined]
        width, inner = driver.execute_script(  # type: ignore[attr-defined]
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width <= inner, f"/{path} is {width} px wide in a {inner} px window"
    finally:
        driver.set_window_size(1280, 800)  # type: ignore[attr-defined]


def test_a_round_drawn_cut_to_fit_says_so_on_the_chart() -> None:
    """Its point is not at the rounds table's figures: the chart must not pass it off as them."""
    from dealbench.negotiate.frontier import Frontier, FrontierPoint
    from dealbench.web.chart import FITTED, frontier_chart

    def point(v: float, u: float) -> FrontierPoint:
        return FrontierPoint(us_utility=v, partner_utility=u, risk=0.0, package=None)

    points = [point(4e9, 2e9), point(1e9, 4e9)]
    curve = Frontier(
        portfolio="solo",
        partner="ZZ",
        axis="partner",
        jointly=False,
        points=points,
        us_best=points[0],
        partner_best=points[1],
        no_deal=point(0.0, 1e9),
    )
    rounds = [
        {"round": 1, "side": "us", "us": 4e9, "partner": 2e9, "fitted": False},
        {"round": 2, "side": "partner", "us": 1e9, "partner": 3e9, "fitted": True},
    ]
    marks = frontier_chart(curve, rounds)["rounds"]
    assert FITTED not in marks[0].detail and marks[0].kind == "us"
    assert marks[1].detail.endswith(FITTED) and marks[1].kind == "partner fitted"


def test_the_round_that_concludes_is_not_called_a_counter(client: TestClient) -> None:
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200  # type: ignore[attr-defined]
    assert post(client, "/p/solo/n/SG/conclude", expect="2", confirm="yes").status_code == 200  # type: ignore[attr-defined]
    row = re.search(r'<tr data-round="2">(.*?)</tr>', client.get("/p/solo/n/SG").text, re.S)
    assert row and "Partner accepts" in row.group(1) and "Counter" not in row.group(1)


def test_a_us_utility_floor_without_partner_best_is_refused_in_the_form_before_a_solve(
    client: TestClient,
) -> None:
    sent = post(client, "/p/solo/solve", mode="us-best", solver="highs", v_floor="900bn")
    assert sent.status_code == 422  # type: ignore[attr-defined]
    said = words(sent.text)  # type: ignore[attr-defined]
    assert "US utility floor: a US utility floor is for mode partner-best" in said
    assert "--mode" not in said
    assert client.app.state.jobs.for_portfolio("solo") == []  # type: ignore[attr-defined]


def test_saving_over_a_folder_or_into_an_unwritable_one_is_said_in_words(
    client: TestClient, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = {"partner": "SG", "security": "veu", "compute.2026": "1000", "replace": "yes"}
    (deals / "packages" / "taken.yaml").mkdir()
    refused = post(client, "/p/solo/save", filename="taken", **fields)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "packages/taken.yaml is a folder, not a file" in words(refused.text)  # type: ignore[attr-defined]

    def read_only(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("dealbench.web.views.packages.write_atomic", read_only)
    refused = post(client, "/p/solo/save", filename="new-one", **fields)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    said = words(refused.text)  # type: ignore[attr-defined]
    assert (
        "cannot save packages/new-one.yaml: permission denied (read-only?); nothing written" in said
    )


def test_the_documents_of_a_solve_with_a_regime_and_overrides_are_of_that_problem(
    client: TestClient, deals: Path
) -> None:
    """Its term sheet once carried the file's figures (walk-away value 2bn), not the solve's (2.2bn)."""
    import time

    sent = client.post(
        "/p/solo/solve",
        data={CSRF_FIELD: CSRF, "policy": "repeal", "sets": "partners.SG.batna=2.2bn"},
        follow_redirects=False,
    )
    url = sent.headers["location"].removeprefix("http://testserver")
    while client.get(f"{url}/state").json()["state"] == "running":
        time.sleep(0.1)
    sheet = client.get(f"{url}/documents/term-sheets/SG-internal.md").text
    assert "| Partner walk-away value | $2.20bn |" in sheet
    # The file changed after the solve: the documents stay those of what was solved.
    path = deals / "partners" / "sg.yaml"
    path.write_text(path.read_text().replace("batna: 2bn", "batna: 1bn"))
    assert client.get(f"{url}/documents/term-sheets/SG-internal.md").text == sheet


@pytest.mark.parametrize(
    ("method", "url", "status", "said"),
    [
        (
            "get",
            "/p/solo/n/SG/offer",
            405,
            "/p/solo/n/SG/offer only takes a form sent from its page",
        ),
        ("get", "/nowhere", 404, "There is no page at /nowhere."),
        ("post", "/p/solo/n/SG/offer", 403, "The form is stale or came from another site"),
    ],
)
def test_http_errors_are_pages_in_words(
    client: TestClient, method: str, url: str, status: int, said: str
) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert said in words(response.text) and 'href="/"' in response.text


@pytest.mark.browser
def test_a_refused_re_evaluation_shows_its_words_in_the_verdict_not_a_page_in_the_page(
    server: tuple[str, Path], browser: object
) -> None:
    """A stale page (the server restarted: another CSRF token) once had a whole error page,
    header and menu, drawn inside the editor's verdict."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    url, _ = server
    driver.get(url)  # type: ignore[attr-defined]
    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=AE")  # type: ignore[attr-defined]
    driver.execute_script(  # type: ignore[attr-defined]
        "document.querySelector('meta[name=csrf-token]').content = 'stale';"
        "document.querySelector('#package [name=csrf_token]').value = 'stale';"
    )
    field = driver.find_element(By.ID, "f-compute-2026")  # type: ignore[attr-defined]
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("1000")
    e2e.wait_for(
        lambda d: "stale" in d.find_element(By.CSS_SELECTOR, "#verdict .error").text, driver
    )
    verdict = driver.find_element(By.ID, "verdict")  # type: ignore[attr-defined]
    assert not verdict.find_elements(By.CSS_SELECTOR, "header, nav, main")
    assert verdict.find_element(By.TAG_NAME, "h2").text == "Verdict"


def test_a_saved_package_is_written_as_dealbench_writes_package_files(
    client: TestClient, deals: Path
) -> None:
    """Whole H100e as integers and a title as typed (it was '1000.0' and '\\xFC' escapes)."""
    fields = {"partner": "SG", "security": "veu", "compute.2026": "1000", "title": "Für Zürich"}
    assert post(client, "/p/solo/save", filename="sg-offer", **fields).status_code == 200  # type: ignore[attr-defined]
    text = (deals / "packages" / "sg-offer.yaml").read_text("utf-8")
    assert "'2026': 1000\n" in text and "title: Für Zürich" in text
    reloaded = client.get("/p/solo/editor?package=packages/sg-offer.yaml").text
    assert 'value="1000"' in reloaded and "Für Zürich" in reloaded


def test_the_rounds_table_says_which_limit_a_round_breaks_and_its_note(
    client: TestClient,
) -> None:
    """It said 'breaks 1' and nothing more; `dealbench history` names the limit."""
    counter = "partner: SG\nsecurity: baseline\ncompute: {2026: 80_000}\n"
    files = {"file": ("c.yaml", counter.encode())}
    sent = post(client, "/p/solo/n/SG/counter", files=files, expect="1", note="After the call")
    assert sent.status_code == 200  # type: ignore[attr-defined]
    said = words(client.get("/p/solo/n/SG").text)
    assert "Round 1, note: After the call" in said
    assert re.search(r"Round 1 breaks: SG: 2026 compute 80,000 H100e exceeds the tier 2 cap", said)


def test_a_portfolio_file_named_with_spaces_hash_or_question_mark_opens_from_every_link(
    client: TestClient, deals: Path
) -> None:
    """Its links were written unescaped: '#' and '?' cut the address, so it never opened."""
    (deals / "portfolios" / "solo.yaml").rename(deals / "portfolios" / "my deals #1?.yaml")
    seen: set[str] = set()
    todo = ["/"]
    while todo:
        url = todo.pop()
        response = client.get(url)
        assert response.status_code == 200, url
        for link in re.findall(r'(?:href|data-src)="(/p/[^"]*)"', response.text):
            link = link.replace("&amp;", "&")
            if link not in seen and ("/n/" not in url or "/frontier" in link):
                seen.add(link)
                todo.append(link)
    assert "/p/my%20deals%20%231%3F/n/SG/frontier" in seen
    assert "/p/my%20deals%20%231%3F/room" in seen
    editor = client.get("/p/my%20deals%20%231%3F/editor").text
    assert 'data-evaluate="/p/my%20deals%20%231%3F/evaluate?partner=SG"' in editor


def test_the_negotiation_page_names_the_stage_as_the_room_does(client: TestClient) -> None:
    """It showed the last round's status ('open') where the room says 'countered'."""
    page = client.get("/p/gulf-asia/room").text  # the row's cells labelled (qa42-web)
    room = re.search(r'<tr[^>]* data-partner="AE">.*?</tr>', page, re.S)
    assert room and 'data-label="Stage">countered</td>' in room.group(0)
    assert '<strong id="stage">countered</strong>' in client.get("/p/gulf-asia/n/AE").text
    assert '<strong id="stage">not started</strong>' in client.get("/p/gulf-asia/n/QA").text


def test_the_room_says_what_was_agreed_and_what_is_left_of_what_as_the_cli_does(
    client: TestClient,
) -> None:
    said = words(client.get("/p/gulf-asia/room").text)
    assert (
        "concluded in round 4 on our offer of round 3 (003-us.yaml); agreed: US $54.25bn, "
        "partner $8.85bn" in said
    )
    assert "2026 646,641 of 1,000,000" in said
    assert "risk budget left 189,340 of 250,000 risk-weighted H100e" in said


def test_the_proposed_offers_sentences_are_spaced_and_ended(client: TestClient) -> None:
    sent = post(client, "/p/gulf-asia/n/AE/offer", expect="5", fix="invest-us")
    said = words(sent.text)  # type: ignore[attr-defined]
    assert re.search(r"reservation \$[\d.]+bn\)\. Kept fixed: invest-us\. US offer 3 ", said)
    # AE's counter of round 4 keeps its limits and gives the US more than the linear
    # target, so the reason goes on to say the offer is floored at it (docs/negotiation.md)
    # (qa27-neg: the reason names amounts, "$72.43bn", whose points end no sentence)
    assert re.search(
        r"with exponent 1/1; the partner's counter of round 4 (?:[^.]|\.\d)+\. Security", said
    )


def test_keep_fixed_is_offered_only_once_there_is_an_offer_to_keep_terms_of(
    client: TestClient,
) -> None:
    """Choosing it before any US offer could only be refused ('--fix: there is no earlier ...')."""
    assert 'name="fix"' not in client.get("/p/gulf-asia/n/KZ").text
    assert 'name="fix"' in client.get("/p/gulf-asia/n/AE").text


def test_a_solve_ending_while_its_page_is_drawn_does_not_break_the_page(
    client: TestClient,
) -> None:
    """The page read the job's state twice: 'running' in the view, 'done' in the template,
    and drew a finished job without its result (a 500, seen in the browser)."""
    from dealbench.web.jobs import Job

    class EndsWhileDrawn(Job):
        reads = 0

        @property  # type: ignore[override]
        def state(self) -> str:
            self.reads += 1
            return "running" if self.reads == 1 else "done"

        @state.setter
        def state(self, value: str) -> None:
            pass

    options = {"mode": "us-best", "solver": "highs", "gap": 1e-6, "time_limit": None}
    job = EndsWhileDrawn("77", "solo", {**options, "v_floor": None, "policy": "", "sets": []})
    client.app.state.jobs._jobs["77"] = job  # type: ignore[attr-defined]
    response = client.get("/jobs/77")
    assert response.status_code == 200
    assert "Solving…" in response.text


def test_the_package_documents_page_does_not_pretend_a_package_is_chosen(
    client: TestClient,
) -> None:
    page = client.get("/p/gulf-asia/documents").text
    assert '<option value="">(choose a package file)</option>' in page
    assert "Choose a package file" in words(page) and "No documents yet" not in page


def test_the_editor_offers_no_record_as_counter_once_the_negotiation_is_closed(
    client: TestClient,
) -> None:
    assert 'id="record-as-counter"' in client.get("/p/gulf-asia/editor?partner=AE").text
    page = client.get("/p/gulf-asia/editor?partner=SA").text  # concluded in the shipped rounds
    assert (
        'id="record-as-counter"' not in page
        and "The negotiation with SA was concluded: no counter can be recorded." in page
    )


def test_recording_from_the_editor_is_not_blocked_by_the_save_file_name(
    client: TestClient,
) -> None:
    """The file name's pattern is for Save: a name typed and not used must not stop the
    browser from recording the counter."""
    page = client.get("/p/solo/editor?partner=SG").text
    button = re.search(r'<button[^>]*id="record-as-counter"[^>]*>', page)
    assert button and "formnovalidate" in button.group(0)
