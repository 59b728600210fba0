"""Session 41 (qa41-web): the web workbench used as a new user uses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import csrf, invoke, words

browser = e2e.browser

PORTFOLIO = "portfolios/gulf-asia.yaml"


def test_a_round_refused_after_a_close_says_what_the_web_offers(client: Any, deals: Path) -> None:
    """A counter sent to SA's negotiation, concluded in round 4, was refused on the web with
    "record the new talks in a copy of this rounds folder without its SA folder (the
    commands' --rounds)", an option the web has no field for. The web reads the rounds
    under the deals folder it serves: its refusal says to serve a copy; the CLI's keeps
    its --rounds."""
    form = {**csrf(), "strategy": "boulware", "date": "2026-04-01"}
    said = _offer_refused(client, "SA", form)
    assert (
        "rounds/gulf-asia/SA/004-partner.yaml:19: status: the negotiation with SA was concluded "
        "in this round; no round may follow it (nothing written). Rounds are never taken back: to negotiate with SA "
        "again, record the new talks in a copy of this rounds folder without its SA folder "
        "(in a copy of the deals folder, served by `dealbench serve COPY`); this folder "
        "keeps the record of how they ended"
    ) in said
    assert not (deals / "rounds/gulf-asia/SA/005-us.yaml").exists()
    cli = invoke(["offer", deals / PORTFOLIO, "-p", "SA", "--no-documents"])
    assert cli.exit_code == 2, cli.output
    assert "without its SA folder (the commands' --rounds)" in words(cli.stderr)


def _offer_refused(client: Any, code: str, form: dict[str, str]) -> str:
    """The web's refusal of an offer to `code` in gulf-asia, in the page's words; it never
    speaks of the commands' `--rounds`, an option the web has no field for (the page's
    frames may name `dealbench frontier --rounds`, the command a frame is drawn as)."""
    refused = client.post(f"/p/gulf-asia/n/{code}/offer", data=form)
    assert refused.status_code == 422, refused.text[:2000]
    said = words(refused.text)
    assert "the commands' --rounds" not in said
    return said


def test_a_round_refused_in_the_shipped_examples_says_what_the_web_offers(
    client: Any, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealbench serve` in the repository serves the shipped deals/: an offer recorded
    there is refused, and the refusal said "record in a copy of this folder, named as the
    rounds folder (the commands' --rounds)" on the web too."""
    import dealbench.shipped

    monkeypatch.setattr(dealbench.shipped, "DEALS", deals)  # `deals` stands for the shipped
    form = {**csrf(), "expect": "5", "strategy": "boulware", "date": "2026-04-01"}
    said = _offer_refused(client, "AE", form)
    assert (
        "rounds/gulf-asia: the example rounds dealbench ships, which its README, tests and "
        "demo read as they are; nothing recorded. Record in a copy: `dealbench demo` writes "
        "one to out/deals (cd out, then the same command), or record in a copy of this "
        "folder (in a copy of the deals folder, served by `dealbench serve COPY`)"
    ) in said
    assert not (deals / "rounds/gulf-asia/AE/005-us.yaml").exists()


def test_a_round_refused_after_a_close_does_not_speak_of_a_form(client: Any) -> None:
    """The refusal's page is the closed negotiation's, which shows no round form: it said
    "Nothing was recorded; the form holds what was typed."."""
    form = {**csrf(), "strategy": "boulware", "note": "typed"}
    said = words(client.post("/p/gulf-asia/n/SA/offer", data=form).text)
    assert "Nothing was recorded." in said
    assert "the form holds what was typed" not in said


def test_the_solve_page_says_what_the_partners_utility_counts_besides_the_deals(
    client: Any,
) -> None:
    """A us-best solve of gulf-asia (shipped, from the web) leaves MY and KZ without a deal;
    its page said "partners' utility $24.35bn", which counts their walk-away values
    ($3.50bn) beside the deals' $20.85bn, unsaid. It says them, as partner-best's line
    does (in the `deals` fixture, SG asking for 2026 alone, SG and MY are left out)."""
    from helpers import job_done

    form = {**csrf(), "mode": "us-best", "solver": "highs"}
    started = client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)
    assert started.status_code == 303, started.text
    said = words(client.get(job_done(client, started)).text)
    assert (
        "partners' utility $24.41bn (the deals' $19.41bn and the walk-away values of SG and "
        "MY, $5.00bn) ·"
    ) in said


def test_a_broken_result_chosen_for_diff_is_named_at_its_line(client: Any, deals: Path) -> None:
    """A result.json cut short, chosen as the diff page's result A, was refused "res/
    result.json: not a dealbench result.json: invalid JSON (Expecting property name
    enclosed in double quotes, column 1)": column 1 of no line, where `diff` says line 15."""
    (deals / "res").mkdir()
    text = '{\n  "mode": "us-best",\n  "status": "optimal",\n'
    (deals / "res/result.json").write_text(text)
    refused = client.get("/diff", params={"a": "res/result.json", "b": "res/result.json"})
    assert refused.status_code == 422, refused.text[:2000]
    said = words(refused.text)
    assert "error: Result A: res/result.json:4: not a dealbench result.json: invalid JSON" in said
    cli = invoke(["diff", deals / "res/result.json", deals / "res/result.json"])
    assert f"{deals}/res/result.json:4: not a dealbench result.json: invalid JSON" in cli.stderr


@pytest.mark.browser
def test_a_broken_package_chosen_on_the_risk_page_is_refused_beside_its_picker(
    server: tuple[str, Path], browser: object
) -> None:
    """A package file that does not open, chosen in the risk page's picker, was refused over
    a form of Samples and Seed alone, the file carried hidden (a "malformed request", 400):
    no picker to choose another but the browser's Back. The picker is shown again, the file
    chosen, marked and focused; another is chosen there and sampled."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    driver: Any = browser
    url, deals = server
    text = (deals / "packages/ae-offer.yaml").read_text().replace("2027: 600_000", "2027: lots")
    (deals / "packages/ae-broken.yaml").write_text(text)
    driver.get(url)  # the token's cookie
    driver.get(f"{url.split('/?')[0]}/p/gulf-asia/risk")
    Select(driver.find_element(By.ID, "risk-package")).select_by_visible_text(
        "packages/ae-broken.yaml"
    )
    samples = driver.find_element(By.ID, "risk-samples")
    samples.clear()
    samples.send_keys("500")
    driver.find_element(By.ID, "sample").click()
    e2e.wait_for(ec.presence_of_element_located((By.ID, "risk-problems")), driver)
    e2e.shot(driver, "qa41-web-risk-broken-package")
    assert (
        "packages/ae-broken.yaml:11: compute.2027:"
        in driver.find_element(By.ID, "risk-problems").text
    )
    picker = driver.find_element(By.ID, "risk-package")
    assert Select(picker).first_selected_option.text == "packages/ae-broken.yaml"
    assert picker.get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element.get_attribute("id") == "risk-package"
    assert driver.find_element(By.ID, "risk-samples").get_attribute("value") == "500"
    Select(picker).select_by_visible_text("packages/ae-offer.yaml")
    driver.find_element(By.ID, "sample").click()
    e2e.wait_for(ec.presence_of_element_located((By.ID, "risk-h")), driver)
    assert "500 samples" in driver.find_element(By.ID, "risk-h").text


def test_the_validate_page_says_how_the_web_chooses_a_portfolio(client: Any) -> None:
    """The validate page's note on packages checked for shape only said "a portfolio
    (validate --portfolio FILE) checks the partner, ...", an option of the CLI, above the
    page's own "Check packages against" list; `validate` keeps its option."""
    said = words(client.get("/validate").text)
    assert (
        "checked for shape only; a portfolio (chosen in “Check packages against”) checks the "
        "partner, periods, security level, concessions and overrides named there"
    ) in said
    assert "--portfolio" not in said
