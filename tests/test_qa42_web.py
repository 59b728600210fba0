"""Session 42 (qa42-web): the web workbench as a new user meets it: the improve page holds
what the CLI holds, the deal room says why in the web's words and shows its next move on a
phone, and the editor's upload over the size limit is refused beside its field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import REPO, phone_screen, words

browser = e2e.browser

IMPROVE = "/p/gulf-asia/improve"


def test_a_round_file_is_improved_on_the_web_beside_the_deals_its_folder_concluded(
    client: Any, run: Any, deals: Path
) -> None:
    """`dealbench improve deals/rounds/gulf-asia/AE/003-us.yaml` holds SA's concluded deal
    (its supply and risk budget taken) and says so; the web's improve page, given the same
    round file, held nothing and said nothing. It holds what the CLI holds, through the same
    call (`logroll.held_beside`), says it, and finds what the CLI finds."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    cli = run("improve", deals / "rounds/gulf-asia/AE/003-us.yaml", "--portfolio", portfolio)
    assert cli.exit_code == 0, cli.stderr
    assert "Held: the deal concluded with SA (round 4) in" in words(cli.stdout)
    as_json = run(
        "improve", deals / "rounds/gulf-asia/AE/003-us.yaml", "--portfolio", portfolio, "--json"
    )
    found = json.loads(as_json.stdout)
    assert found["held"] == ["SA"]

    page = client.get(IMPROVE, params={"package": "rounds/gulf-asia/AE/003-us.yaml"})
    assert page.status_code == 200, page.text[:2000]
    said = words(page.text)
    assert (
        "Held: the deal concluded with SA (round 4) in rounds/gulf-asia, its supply and risk "
        "budget taken." in said
    )
    assert "No other partner's package is held" not in said.replace("&#39;", "'")
    ranks = re.findall(
        r'<tr data-rank="(\d+)"><th[^>]*>\d+</th><td class="num">([^<]+)<', page.text
    )
    assert [joint for _, joint in ranks] == [
        f"${i['joint_gain'] / 1e9:.2f}bn" for i in found["improvements"]
    ]

    # A counter with nothing to gain: "no change ... , the other packages held", as the CLI.
    none = client.get(IMPROVE, params={"package": "rounds/gulf-asia/AE/004-partner.yaml"})
    assert "better off within every limit, the other packages held." in words(none.text)


def test_the_improve_page_says_nothing_is_held_in_its_own_words(client: Any, run: Any) -> None:
    """A package file with no other package held: the CLI warns that a change may use the
    other deals' supply ("--hold FILE holds one"); the web said nothing. It says it, naming
    its own field, not the CLI's option."""
    page = client.get(IMPROVE, params={"package": "packages/ae-offer.yaml"})
    said = words(page.text).replace("&#39;", "'")
    assert (
        "No other partner's package is held (“Hold other partners' packages” holds one): a "
        "change may use supply and risk budget the portfolio's other deals take." in said
    )
    assert "--hold" not in said
    held = client.get(
        IMPROVE, params={"package": "packages/ae-offer.yaml", "hold": "packages/sa-counter.yaml"}
    )
    assert "No other partner" not in words(held.text)
    cli = run(
        "improve", REPO / "deals/packages/ae-offer.yaml", "--portfolio",
        REPO / "deals/portfolios/gulf-asia.yaml",
    )  # fmt: skip
    assert "No other partner's package is held (--hold FILE holds one)" in words(cli.stdout)


def test_the_room_page_says_why_in_the_webs_words(client: Any, run: Any, deals: Path) -> None:
    """The room page said "the plan gives this partner no deal (room --why says why)", an
    option of the CLI, above its own link that says why. It names the link; the CLI keeps
    its option, in its table and its JSON."""
    page = client.get("/p/gulf-asia/room")
    said = words(page.text)
    assert "the plan gives this partner no deal (the link below the table says why)" in said
    assert "room --why says why" not in said
    assert 'id="why-link"' in page.text and 'href="?why=1"' in page.text
    portfolio = deals / "portfolios/gulf-asia.yaml"
    cli = run("room", portfolio)
    assert "MY: no offer — the plan gives this partner no deal (room --why says why)" in (
        words(cli.stdout)
    )
    rows = json.loads(run("room", portfolio, "--json").stdout)["rows"]
    my = next(r for r in rows if r["partner"] == "MY")
    assert my["reason"] == "the plan gives this partner no deal (room --why says why)"
    assert "reason_chosen" not in my


def test_the_editors_upload_over_the_limit_is_refused_beside_its_field(client: Any) -> None:
    """A package file over the upload limit sent from the editor, scripts off, gave an error
    page, "error: upload: larger than the 256 KiB allowed ...", the editor gone; the
    negotiation page's counter upload is refused beside its field (413). So is the editor's,
    through the same words, over the partner the form's address names."""
    big = {"file": ("huge.yaml", b"#" * (300 * 1024))}
    refused = client.post("/p/gulf-asia/upload?partner=SA", data={"partner": "SA"}, files=big)
    assert refused.status_code == 413, refused.text[:2000]
    said = words(refused.text)
    assert "Package for Saudi Arabia (SA)" in said
    assert (
        "the file chosen is larger than the 256 KiB allowed (a package file is a few KB); "
        "nothing of the form was read" in said
    )
    assert "That did not work" not in said
    field = re.search(r'<input type="file"[^>]*id="f-file"[^>]*>', refused.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
    editor = client.get("/p/gulf-asia/editor?partner=SA").text
    assert 'action="/p/gulf-asia/upload?partner=SA"' in editor


@pytest.mark.browser
def test_the_rooms_next_move_is_seen_on_a_phone_without_scrolling(
    server: tuple[str, Path], browser: object
) -> None:
    """At 390 px the room's "Next move" was the last column of a table scrolled sideways,
    700 px off the screen: a negotiator on a phone never saw the recommendation. Each
    partner is a card there, its move under its name; at a desk's width, the table."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)  # the token's cookie
    room = f"{url.split('/?')[0]}/p/gulf-asia/room"
    with phone_screen(driver):
        driver.get(room)
        e2e.shot(driver, "qa42-web-room-phone")
        move = driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="AE"] td.move')
        name = driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="AE"] th')
        left, right, top = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.top]",
            move,
        )
        assert left >= 0 and right <= 390, (left, right)
        assert top < 844  # on the first screen
        assert name.rect["y"] < move.rect["y"]  # under the partner's name
        assert move.text.startswith("accept")
        stage = driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="AE"] td[data-label]')
        assert (
            driver.execute_script(
                "return getComputedStyle(arguments[0], '::before').content", stage
            )
            == '"Stage: "'
        )
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    driver.set_window_size(1280, 900)
    driver.get(room)
    cells = driver.find_elements(By.CSS_SELECTOR, 'tr[data-partner="AE"] > *')
    move = driver.find_element(By.CSS_SELECTOR, 'tr[data-partner="AE"] td.move')
    assert cells[-1] == move and move.rect["y"] == cells[0].rect["y"]  # a table's row
