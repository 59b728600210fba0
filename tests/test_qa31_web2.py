"""What the web pass left, as a user meets it (qa31-web2): the held frontier's files, a
note's control characters, the offer form's concession exponent, the negotiation's two
frames in one sentence, and what a staff analyst met on the analysis pages.

Each test failed before its fix.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import (
    QA_COUNTER,
    WEB_TOKEN,
    frontier_files_are_the_clis,
    invoke,
    recorded,
    send_qa_counter,
    words,
)

browser = e2e.browser


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _form(client: Any, code: str, form: str, fields: dict[str, str]) -> Any:
    """The negotiation page's round form `form` (offer, conclude, walk-away) sent for
    `code` in gulf-asia with `fields`, the page's `expect` and a date."""
    page = client.get(f"/p/gulf-asia/n/{code}").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    data = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "date": "2026-12-05", **fields}
    return client.post(f"/p/gulf-asia/n/{code}/{form}", data=data)


# --- the held frontier's files -----------------------------------------------------------------


def test_the_held_frontier_downloads_the_files_frontier_out_writes(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """`dealbench frontier --partner AE --points 15 --out DIR` writes frontier-AE.json, .svg
    and .png; the frontier page with the other deals held (the same frontier: 15 points,
    AE's rounds drawn on it) offered none of them, while the joint frontier's page did.
    It now links each, saved under the portfolio's name, and each is the CLI's file: the
    JSON's points, the chart's bytes (the rounds drawn on it as the CLI draws them)."""
    html = client.get("/p/gulf-asia/n/AE/frontier?frame=held").text
    out = tmp_path / "out"
    run = invoke(
        ["frontier", deals / "portfolios/gulf-asia.yaml", "--partner", "AE", "--points", "15",
         "--out", out]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    said = words(html)
    assert "as dealbench frontier --partner AE --points 15 --out DIR writes them" in said
    base = "/p/gulf-asia/n/AE/frontier/held"
    frontier_files_are_the_clis(client, html, base, "frontier-AE-gulf-asia", out)
    missing = client.get(f"{base}/frontier-AE-risk.json")
    assert missing.status_code == 404
    assert "its files are frontier-AE.json, frontier-AE.svg, frontier-AE.png" in words(missing.text)
    # the negotiation's own frame is not what `frontier --out` writes: no files there
    assert 'id="frontier-files"' not in client.get("/p/gulf-asia/n/AE/frontier").text


# --- a note's control characters ---------------------------------------------------------------

ESC_NOTE = "Doha\x1b[31m session"
REFUSED = (
    "character 5 is the control character escape (U+001B), not text; a round's note holds "
    "text, line breaks and tabs: remove that character and record it again"
)


@pytest.mark.parametrize("command", ["offer", "counter", "conclude", "walk-away"])
def test_a_note_with_a_control_character_is_refused_by_the_cli(
    deals: Path, tmp_path: Path, command: str
) -> None:
    """`dealbench offer --note $'Doha\\e[31m session'` recorded the escape sequence in the
    round file (written as "\\e" in YAML, shown raw in documents and pages). A note is
    text: a control character other than a line break or a tab is refused, naming the
    option and the character, and nothing is written (the rounds and the documents)."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    if command in ("conclude", "counter"):  # a US offer to answer or to conclude on
        assert invoke(["offer", portfolio, "--partner", "QA", "--no-documents"]).exit_code == 0
    before = _tree(deals)
    counter = tmp_path / "qa-counter.yaml"
    counter.write_bytes(QA_COUNTER)
    args = {
        "offer": ["offer", portfolio, "--partner", "QA"],
        "counter": ["counter", portfolio, counter],
        "conclude": ["conclude", portfolio, "--partner", "QA"],
        "walk-away": ["walk-away", portfolio, "--partner", "QA"],
    }[command]
    docs = ["--out", tmp_path / "docs"] if command in ("offer", "counter") else []
    run = invoke([*args, "--note", ESC_NOTE, *docs])
    assert run.exit_code == 2, run.output
    assert run.stderr.splitlines()[-1] == f"error: --note: {REFUSED}"
    assert not run.traceback
    assert _tree(deals) == before
    assert not (tmp_path / "docs").exists()


@pytest.mark.parametrize("form", ["offer", "counter", "conclude", "walk-away"])
def test_a_note_with_a_control_character_is_refused_in_its_field(
    client: Any, deals: Path, form: str
) -> None:
    """The page's round forms recorded a note's control characters as typed, as the CLI
    did. Each form now refuses them in the CLI's words (one library check), the note
    field marked and holding what was typed, and records nothing."""
    if form in ("conclude", "counter"):
        assert _form(client, "QA", "offer", {}).status_code == 200
    before = _tree(deals)
    if form == "counter":
        answer = send_qa_counter(client, {"note": ESC_NOTE})
    else:
        extra = {"confirm": "yes"} if form in ("walk-away", "conclude") else {}
        answer = _form(client, "QA", form, {"note": ESC_NOTE, **extra})
    assert answer.status_code == 422, words(answer.text)[-1500:]
    assert f"Note: {REFUSED}" in words(answer.text)
    field = {"walk-away": "walk-away", "conclude": "conclude"}.get(form, form)
    box = re.search(rf'<textarea[^>]*id="{field}-note"[^>]*>[^<]*', answer.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    assert "Doha\x1b" in box[0]  # as typed (escaped where it must be)
    assert _tree(deals) == before


def test_a_note_keeps_its_line_breaks_and_tabs_in_both_shells(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """A note's line breaks and tabs are text and are kept; a line break sent as CR LF (as
    a web form sends every one) is recorded as a line break; the page's round file is the
    CLI's, byte for byte."""
    cli_deals = Path(shutil.copytree(deals, tmp_path / "cli-deals"))
    note = "First session.\r\nSecond:\tDoha"
    answer = _form(client, "QA", "walk-away", {"note": note, "confirm": "yes"})
    assert answer.status_code == 200, words(answer.text)[-1500:]
    run = invoke(
        ["walk-away", cli_deals / "portfolios/gulf-asia.yaml", "--partner", "QA", "--note",
         note, "--date", "2026-12-05"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    web = (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")
    assert recorded((cli_deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")) == recorded(
        web
    )
    import yaml

    assert yaml.safe_load(web)["note"] == "First session.\nSecond:\tDoha"


# --- the offer form's concession exponent ------------------------------------------------------


def test_the_offer_form_takes_a_concession_exponent_as_offer_beta_does(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """`dealbench offer --strategy linear --beta 2` moves the target with exponent 1/2; the
    page's offer form had no such field, so a web user ran every strategy on its own
    exponent. The form now has it: the round the page records is the CLI's, byte for byte."""
    cli_deals = Path(shutil.copytree(deals, tmp_path / "cli-deals"))
    page = client.get("/p/gulf-asia/n/QA").text
    assert re.search(r'<input name="beta" id="offer-beta"', page)
    assert "boulware 0.2, linear 1, conceder 5" in words(page)
    answer = _form(client, "QA", "offer", {"strategy": "linear", "deadline": "3", "beta": "2"})
    assert answer.status_code == 200, words(answer.text)[-1500:]
    assert "with exponent 1/2" in words(answer.text)
    run = invoke(
        ["offer", cli_deals / "portfolios/gulf-asia.yaml", "--partner", "QA", "--strategy",
         "linear", "--deadline", "3", "--beta", "2", "--date", "2026-12-05", "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    web = (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")
    assert "beta: 2" in web
    assert recorded((cli_deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")) == recorded(
        web
    )


BETA_WORDS = (
    "the concession exponent must be a positive number (boulware 0.2, linear 1, conceder 5); got"
)
ZEUTHEN = (
    "zeuthen concedes by weighing the partner's last counter, not along a path to a deadline, "
    "so a concession exponent (beta) would be ignored; give it only with boulware, linear "
    "or conceder"
)


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"beta": "0"}, "beta", f"Concession exponent: {BETA_WORDS} 0"),
        ({"beta": "-1"}, "beta", f"Concession exponent: {BETA_WORDS} -1"),
        ({"beta": "nan"}, "beta", f"Concession exponent: {BETA_WORDS} nan"),
        ({"beta": "steep"}, "beta", f"Concession exponent: {BETA_WORDS} 'steep'"),
        ({"strategy": "nash", "beta": "2"}, "strategy",
         "a point of the frontier is not chosen by a time-dependent strategy, so a concession "
         "exponent (beta) would be ignored"),
        ({"strategy": "zeuthen", "beta": "2"}, "beta", f"Concession exponent: {ZEUTHEN}"),
    ],
)  # fmt: skip
def test_an_exponent_the_cli_refuses_is_refused_in_its_field(
    client: Any, deals: Path, fields: dict[str, str], field: str, said: str
) -> None:
    """An exponent `offer --beta` refuses (0, negative, not a number; beside a point of the
    frontier) is refused by the form in the CLI's words, the field marked and holding what
    was typed, nothing recorded."""
    before = _tree(deals)
    answer = _form(client, "QA", "offer", fields)
    assert answer.status_code == 422, words(answer.text)[-1500:]
    assert said in words(answer.text)
    box = re.search(rf'<(?:input|select)[^>]*id="offer-{field}"[^>]*>', answer.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    typed = re.search(r'<input[^>]*id="offer-beta"[^>]*>', answer.text)
    assert typed is not None and f'value="{fields["beta"]}"' in typed[0]
    assert _tree(deals) == before


def test_an_exponent_zeuthen_would_ignore_is_refused_by_the_cli(deals: Path) -> None:
    """`offer --strategy zeuthen --beta 2` recorded a Zeuthen offer and dropped the exponent
    without a word (Zeuthen concedes by the partner's counters, not along a path); it is
    refused now, as a point of the frontier with an exponent is, and nothing is written."""
    before = _tree(deals)
    run = invoke(
        ["offer", deals / "portfolios/gulf-asia.yaml", "--partner", "QA", "--strategy",
         "zeuthen", "--beta", "2", "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 2, run.output
    assert run.stderr.splitlines()[-1] == f"error: --beta: {ZEUTHEN}"
    assert _tree(deals) == before


# --- the negotiation's two frames ---------------------------------------------------------------


def test_the_negotiation_says_which_frame_its_frontier_and_its_offers_are_in(
    client: Any,
) -> None:
    """QA's negotiation page drew the deal's own frontier (US-best at a partner utility of
    $9.25bn) beside the plan's offers (the first at $2.05bn): both right in their frames,
    but a new user read the offer as far off the frontier. The page, and the frontier's
    own page, now say in one sentence which frame each is in, in the words the frontier's
    caption uses (`negotiate.frontier_words`, the one source)."""
    from dealbench.negotiate.frontier_words import FRAMES, frames_sentence

    assert _form(client, "QA", "offer", {}).status_code == 200
    sentence = frames_sentence()
    assert FRAMES["deal"] in sentence
    assert "our offers are chosen with the other open negotiations held as the plan" in sentence
    page = client.get("/p/gulf-asia/n/QA").text
    shown = re.search(r'(?s)<p id="frames"[^>]*>(.*?)</p>', page)
    assert shown is not None and words(shown[1]).strip() == sentence
    alone = client.get("/p/gulf-asia/n/QA/frontier").text
    assert words(sentence) in words(alone)
    caption = re.search(r'(?s)<figcaption id="frontier-caption">(.*?)</figcaption>', alone)
    assert caption is not None and FRAMES["deal"] in words(caption[1])
    held = client.get("/p/gulf-asia/n/QA/frontier?frame=held").text
    assert 'id="frames"' not in held
    assert FRAMES["held"] in words(held)


# --- the analyst's pass: the solve form's shares ----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"gap": "tight"},
         "Gap: expected a number such as 0.05, or a percentage such as 5%, got 'tight'"),
        ({"robust": "most"},
         "Robust to a share of samples: expected a number such as 0.05, or a percentage such as 5%, got 'most'"),
    ],
)  # fmt: skip
def test_the_solve_form_refuses_a_share_in_the_clis_words(
    client: Any, deals: Path, fields: dict[str, str], said: str
) -> None:
    """`solve --gap tight` and `--robust most` are refused in the library's words (a number
    or a percentage); the solve form said its own ("expected a number", "such as 0.9"):
    it now reads both fields by the same call, and says the same."""
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", **fields}
    answer = client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)
    assert answer.status_code == 422
    assert said in words(answer.text)
    (field, _), *_ = fields.items()
    cli = invoke(["solve", deals / "portfolios/gulf-asia.yaml", f"--{field}", fields[field]])
    assert said.partition(": ")[2] in cli.stderr


def test_the_solve_form_takes_a_gap_as_a_percentage_as_solve_gap_does(
    client: Any, deals: Path
) -> None:
    """`dealbench solve --gap 1%` (its help: "0.0001, or 0.01%") solves at a gap of 0.01;
    the page's solve form refused "1%" ("gap: expected a number, got '1%'"). It now takes
    it, and the solve's page says the gap it ran at, as `solve` prints it."""
    from helpers import job_done

    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", "gap": "1%"}
    sent = client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)
    assert sent.status_code == 303, words(sent.text)[-800:]
    job = client.app.state.jobs.get(sent.headers["location"].rsplit("/", 1)[1])
    assert job.options["gap"] == 0.01
    job_done(client, sent)
    run = invoke(["solve", deals / "portfolios/gulf-asia.yaml", "--gap", "1%"])
    assert run.exit_code == 0, run.output
    utility = re.search(r"US utility: (\$[0-9.]+bn)", run.stdout)
    assert utility is not None
    assert utility[1] in words(client.get(sent.headers["location"]).text)


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_in_a_browser_an_offer_takes_beta_the_page_says_its_frames_and_the_held_frontier_its_files(
    server: tuple[str, Path], browser: object
) -> None:
    """A negotiator on QA's page reads, under the frontier, which frame it and our offers
    are in; proposes a linear offer with a concession exponent of 2, which is recorded with
    it; a note with an escape is refused in its field. The frontier with the other deals
    held offers its three files."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from dealbench.negotiate.frontier_words import frames_sentence

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/n/QA")
    assert driver.find_element(By.ID, "frames").text == frames_sentence()
    Select(driver.find_element(By.ID, "offer-strategy")).select_by_visible_text("linear")
    driver.find_element(By.ID, "offer-beta").send_keys("2")
    # pasted, as a terminal's colours come with copied text (a key press of Esc types none)
    note = driver.find_element(By.ID, "offer-note")
    driver.execute_script("arguments[0].value = arguments[1]", note, "Doha\x1b session")
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/offer"), driver, 120)
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Note: character 5 is the control character escape (U+001B)" in main
    assert not (deals / "rounds/gulf-asia/QA").exists()
    assert driver.find_element(By.ID, "offer-beta").get_attribute("value") == "2"  # as typed
    note = driver.find_element(By.ID, "offer-note")
    note.clear()
    note.send_keys("Doha session")
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(lambda d: "recorded" in d.title, driver, 120)
    e2e.shot(driver, "qa31-web2-offer-beta")
    assert "with exponent 1/2" in driver.find_element(By.TAG_NAME, "main").text
    assert "beta: 2" in (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")
    driver.get(f"{base}/p/gulf-asia/n/QA/frontier?frame=held")
    links = driver.find_elements(By.CSS_SELECTOR, "#frontier-files a")
    assert [a.get_attribute("download") for a in links] == [
        f"frontier-QA-gulf-asia.{ext}" for ext in ("json", "svg", "png")
    ]
    e2e.shot(driver, "qa31-web2-held-frontier-files")
    links[1].click()  # the chart as SVG, saved under its name
    saved = driver.downloads / "frontier-QA-gulf-asia.svg"
    e2e.wait_for(lambda _: saved.is_file() and saved.stat().st_size > 0, driver, 60)
    assert b"gulf-asia: frontier for QA" in saved.read_bytes()
