"""Session 42 (qa42b-web): the web workbench as a new user meets it: every form over the
size limit refused in its own page, the improve page's hold list without the package's own
partner, the editor's "Find improvements" holding what `improve FILE` holds, and a concluded
row of the deal room saying how it ended on a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import csrf, phone_screen, words

browser = e2e.browser

BIG = "x" * (300 * 1024)
LIMIT = "larger than the 256 KiB allowed; nothing of it was read"
UNREAD = "the form was too large to read, so it holds nothing of what was typed."


@pytest.mark.parametrize(
    ("route", "heading", "nothing"),
    [
        ("/p/gulf-asia/solve", "Gulf and Asia, 2026–2028", "Nothing was started"),
        ("/p/gulf-asia/sweep", "Sweeps · Gulf and Asia", "Nothing was started"),
        ("/p/gulf-asia/n/AE/offer", "Negotiation with the United Arab Emirates (AE)", None),
        ("/p/gulf-asia/n/AE/conclude", "Negotiation with the United Arab Emirates (AE)", None),
        (
            "/p/gulf-asia/n/AE/frontier/jointly",
            "Negotiation with the United",
            "Nothing was started",
        ),
    ],
)
def test_a_form_over_the_limit_is_refused_in_its_own_page(
    client: Any, route: str, heading: str, nothing: str | None
) -> None:
    """A form whose body is over the limit (scripts off: a long text pasted) was an error
    page, "That did not work: error: upload: larger than the 256 KiB allowed (a package file
    is a few KB)", the page and its form gone; the counter's and the editor's upload came
    back in their page. Every form does, through the same refusal: its page again (413),
    the limit said at the form's top, and that nothing typed is kept."""
    refused = client.post(route, data={**csrf(), "note": BIG, "sets": BIG, "kind": "param"})
    assert refused.status_code == 413, refused.text[:2000]
    said = words(refused.text)
    assert heading in said
    assert f"error: form: {LIMIT}" in said
    assert f"{nothing or 'Nothing was recorded'}; {UNREAD}" in said
    assert "That did not work" not in said and "upload:" not in said
    assert "the form holds what was typed" not in said


@pytest.mark.parametrize("button", ["save", "evaluate", "improve", "risk", "n/QA/counter"])
def test_the_editors_forms_over_the_limit_are_refused_in_the_editor(
    client: Any, button: str
) -> None:
    """The package editor's buttons (Save, Evaluate, Find improvements, Sample acceptance,
    Record as counter) over the limit: the editor again, of the partner their address names
    (the form's hidden partner is unread), the limit in its verdict, 413."""
    editor = client.get("/p/gulf-asia/editor?partner=QA").text
    action = f"/p/gulf-asia/{button}?partner=QA"
    assert f'action="{action}"' in editor or f'formaction="{action}"' in editor
    refused = client.post(action, data={**csrf(), "partner": "QA", "note": BIG})
    assert refused.status_code == 413, refused.text[:2000]
    said = words(refused.text)
    assert "Package for Qatar (QA)" in said
    assert f"error: form: {LIMIT}" in said
    assert "That did not work" not in said


def test_a_button_without_fields_over_the_limit_is_said_as_such(client: Any) -> None:
    """A form with no field to show again (a job's Cancel) sent over the limit by hand: the
    error page, with the status of a body too large (it was 400)."""
    refused = client.post("/jobs/none/cancel", data={**csrf(), "x": BIG})
    assert refused.status_code == 413
    assert f"error: form: {LIMIT}" in words(refused.text)


def test_the_hold_list_offers_only_other_partners_packages(client: Any) -> None:
    """Improving AE's offer, "Hold other partners' packages" offered AE's own files
    (packages/ae-counter.yaml, rounds/gulf-asia/AE/...), each refused when chosen ("AE is
    the package's own partner"). It offers the other partners' alone; one typed in the
    address is still refused beside the field, kept chosen."""
    page = client.get("/p/gulf-asia/improve", params={"package": "packages/ae-offer.yaml"})
    hold = re.search(r'(?s)<select name="hold".*?</select>', page.text)
    assert hold is not None
    offered = re.findall(r"<option[^>]*>([^<]+)</option>", hold.group(0))
    assert "packages/sa-counter.yaml" in offered and "rounds/gulf-asia/SA/004-partner.yaml" in (
        offered
    )
    assert not [f for f in offered if "ae-" in f or "/AE/" in f], offered
    # From the editor's fields, the same: the partner is the fields'.
    improved = client.post(
        "/p/gulf-asia/improve?partner=AE", data={**csrf(), "partner": "AE", "security": "kyc"}
    )
    hold = re.search(r'(?s)<select name="hold".*?</select>', improved.text)
    assert hold is not None and "/AE/" not in hold.group(0) and "/SA/" in hold.group(0)
    refused = client.get(
        "/p/gulf-asia/improve",
        params={"package": "packages/ae-offer.yaml", "hold": "packages/ae-counter.yaml"},
    )
    assert refused.status_code == 422
    assert "AE is the package's own partner" in words(refused.text).replace("&#39;", "'")
    assert re.search(r'aria-invalid="true"[^>]*>.*?<option selected>packages/ae-counter', (
        refused.text
    ), re.S)  # fmt: skip


def _fields_of(editor: str) -> dict[str, str]:
    """The package form's fields as the editor shows them (its hidden ones too)."""
    form = re.search(r'(?s)<form id="package".*?</form>', editor)
    assert form is not None
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(0)))
    for name, body in re.findall(r'(?s)<select name="([^"]+)"[^>]*>(.*?)</select>', form.group(0)):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    return {k: v for k, v in fields.items() if k not in ("samples", "seed", "replace")}


def test_find_improvements_in_the_editor_holds_what_improve_the_file_holds(
    client: Any, run: Any, deals: Path
) -> None:
    """The editor opened on AE's round 3 (rounds/gulf-asia/AE/003-us.yaml), "Find
    improvements" held nothing (SA's concluded deal's supply free to take) and said so;
    `dealbench improve` of the same file holds SA's deal. The editor carries the file it
    opened: its fields are improved beside the same deals, said as the improve page says
    it, with the CLI's gains."""
    source = "rounds/gulf-asia/AE/003-us.yaml"
    editor = client.get("/p/gulf-asia/editor", params={"package": source}).text
    fields = _fields_of(editor)
    assert fields["source"] == source and fields["partner"] == "AE"
    page = client.post("/p/gulf-asia/improve?partner=AE", data=fields)
    assert page.status_code == 200, page.text[:2000]
    said = words(page.text).replace("&#39;", "'")
    assert (
        "Held: the deal concluded with SA (round 4) in rounds/gulf-asia, its supply and risk "
        "budget taken." in said
    )
    assert "No other partner's package is held" not in said
    cli = run(
        "improve", deals / source, "--portfolio", deals / "portfolios/gulf-asia.yaml", "--json"
    )
    found = json.loads(cli.stdout)
    assert found["held"] == ["SA"]
    joint = re.findall(r'<tr data-rank="\d+"><th[^>]*>\d+</th><td class="num">([^<]+)<', page.text)
    assert joint == [f"${i['joint_gain'] / 1e9:.2f}bn" for i in found["improvements"]]
    # A new package (no file): nothing held but what is chosen, and said so.
    new = client.post(
        "/p/gulf-asia/improve?partner=AE", data={**fields, "source": ""}
    )  # fmt: skip
    assert "No other partner's package is held" in words(new.text).replace("&#39;", "'")


def test_a_concluded_rows_next_move_says_how_it_ended(client: Any) -> None:
    """The room's row of SA, concluded, showed its next move as a bold "-" (the CLI's empty
    cell), a line of its own on a phone. It says how the talks ended in its place."""
    page = client.get("/p/gulf-asia/room").text
    row = re.search(r'(?s)<tr role="row" data-partner="SA">.*?</tr>', page)
    assert row is not None
    move = re.search(r'(?s)<td[^>]*class="words move"[^>]*>(.*?)</td>', row.group(0))
    assert move is not None
    assert "<strong>-</strong>" not in move.group(1)
    assert (
        words(move.group(1))
        .strip()
        .startswith("concluded in round 4 on our offer of round 3 (003-us.yaml); agreed: US")
    )


@pytest.mark.browser
def test_a_concluded_row_on_a_phone_shows_no_bare_dash(
    server: tuple[str, Path], browser: object
) -> None:
    """At 390 px, SA's card: under its name, how its talks ended, not a bold "-"."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)  # the token's cookie
    with phone_screen(driver):
        driver.get(f"{url.split('/?')[0]}/p/gulf-asia/room")
        e2e.shot(driver, "qa42b-web-room-phone")
        move = driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="SA"] td.move')
        first = move.text.splitlines()[0]
        assert first.startswith("concluded in round 4"), move.text
        assert not move.find_elements(By.TAG_NAME, "strong")
