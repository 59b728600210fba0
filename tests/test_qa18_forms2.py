"""Every web form answers a bad field in place (qa18-forms2): the sweep, risk, improve,
history, diff, memo, documents and validate forms re-shown holding what was typed, the field
at fault marked and described beside it, as the solve and round forms; each test failed
before its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import phone_screen, words
from test_qa18_webforms import _Form, _marked, post, rounds

browser = e2e.browser

#: A counter from SG under baseline asking more than tier 2's cap there (50,000 H100e).
OVER_CAP = "partner: SG\nsecurity: baseline\ncompute: {2026: 80_000}\n"


# --- the conclude form's Agreed round ----------------------------------------------------------


def test_a_conclusion_on_a_round_breaking_a_limit_marks_the_agreed_round(
    client: Any, deals: Path
) -> None:
    """The library's error names the round's file; it was said in the summary only."""
    counter = {"file": ("c.yaml", OVER_CAP.encode())}
    assert post(client, "/p/solo/n/SG/counter", files=counter, expect="1").status_code == 200
    sent = post(
        client, "/p/solo/n/SG/conclude", expect="2", round="1", note="agreed in Doha", confirm="yes"
    )
    assert sent.status_code == 422
    page = _Form(sent.text, "conclude-form")
    _marked(page, "round", "conclude-round-error", "no deal can be concluded on round 1's package")
    assert "001-partner.yaml" in page.texts["conclude-problems"]
    assert page.chosen["round"] == ["1"]
    assert page.controls["note"]["value"] == "agreed in Doha"
    assert rounds(deals) == ["001-partner.yaml"]


def test_a_conclusion_on_a_round_that_does_not_exist_marks_the_agreed_round(
    client: Any, deals: Path
) -> None:
    assert post(client, "/p/solo/n/SG/offer", expect="1").status_code == 200
    sent = post(client, "/p/solo/n/SG/conclude", expect="2", round="9", confirm="yes")
    assert sent.status_code == 422
    page = _Form(sent.text, "conclude-form")
    _marked(page, "round", "conclude-round-error", "round 9 does not exist")
    assert rounds(deals) == ["001-us.yaml"]


# --- the analysis forms: sweep, risk -----------------------------------------------------------


def test_a_bad_sweep_field_is_marked_and_said_beside_it_the_form_as_typed(client: Any) -> None:
    """It was a 400 with the message in a box above both forms, the field described by it."""
    sent = post(
        client, "/p/gulf-asia/sweep", kind="param", param="policy.risk_penalty_per_h100e",
        **{"from": "50k", "to": "400k"}, steps="0", refine="3", sets="partners.AE.batna=3bn",
    )  # fmt: skip
    assert sent.status_code == 422
    page = _Form(sent.text, "sweep-param")
    _marked(page, "steps", "sweep-param-steps-error", "expected at least 1 value, got 0")
    assert page.controls["from"]["value"] == "50k" and page.controls["to"]["value"] == "400k"
    assert page.controls["refine"]["value"] == "3"
    assert page.controls["sets"]["value"] == "partners.AE.batna=3bn"
    assert "Nothing was started" in page.texts["sweep-param-problems"]
    other = _Form(sent.text, "sweep-scenarios")  # the other form keeps its defaults
    assert not [c for c in other.controls.values() if "aria-invalid" in c]
    assert other.controls["sets"]["value"] == ""


def test_a_scenarios_file_that_does_not_load_marks_the_scenarios_field(client: Any) -> None:
    sent = post(client, "/p/gulf-asia/sweep", kind="scenarios", scenarios="packages/ae-offer.yaml")
    assert sent.status_code == 422
    page = _Form(sent.text, "sweep-scenarios")
    _marked(page, "scenarios", "sweep-scenarios-scenarios-error", "packages/ae-offer.yaml")
    assert page.chosen["scenarios"] == ["packages/ae-offer.yaml"]  # what was asked, shown


def test_a_sweep_of_no_kind_is_a_malformed_request_in_the_page(client: Any) -> None:
    sent = post(client, "/p/gulf-asia/sweep", kind="nothing")
    assert sent.status_code == 400
    assert "kind: expected a scenarios file or a parameter" in words(sent.text)
    assert "<title>Not done: Sweeps" in sent.text


def test_a_bad_risk_field_is_marked_and_said_beside_it(client: Any) -> None:
    sent = post(client, "/p/gulf-asia/risk", package="packages/ae-offer.yaml", samples="many")
    assert sent.status_code == 422
    page = _Form(sent.text, "risk-form")
    _marked(page, "samples", "risk-samples-error", "expected a whole number, got 'many'")
    assert page.controls["package"]["value"] == "packages/ae-offer.yaml"


# --- the pickers: improve, history, diff, memo, documents, validate ----------------------------


def test_a_bad_top_is_marked_and_said_beside_the_improve_field(client: Any) -> None:
    sent = client.get("/p/gulf-asia/improve?package=packages/ae-offer.yaml&top=0&all_variants=yes")
    assert sent.status_code == 422
    page = _Form(sent.text, "improve-form")
    _marked(page, "top", "improve-top-error", "expected a whole number at least 1, got '0'")
    assert page.chosen["package"] == ["packages/ae-offer.yaml"]
    assert "checked" in page.controls["all_variants"]


def test_bad_frontier_points_are_marked_and_said_beside_the_history_field(client: Any) -> None:
    sent = client.get("/p/gulf-asia/n/AE/history?points=1")
    assert sent.status_code == 422
    page = _Form(sent.text, "history-form")
    _marked(page, "points", "history-points-error", "expected a number 2-1000 or 'all'")
    assert "history-points-hint" in page.controls["points"]["aria-describedby"].split()
    assert page.controls["points"]["value"] == "1"


def test_a_missing_result_is_marked_and_said_beside_its_diff_field(client: Any) -> None:
    sent = client.get("/diff?a=out/none/result.json&b=jobs/99")
    assert sent.status_code == 422
    page = _Form(sent.text, "diff-form")
    _marked(page, "a", "diff-a-error", "out/none/result.json")
    assert page.chosen["a"] == ["out/none/result.json"] and page.chosen["b"] == ["jobs/99"]
    assert str(Path.cwd()) not in sent.text


def test_a_refused_pickers_file_is_named_from_the_deals_folder(client: Any, deals: Path) -> None:
    """As the picker shows it: the words beside it and the summary named the whole path."""
    sent = client.get("/p/gulf-asia/improve?package=packages/missing.yaml")
    page = _Form(sent.text, "improve-form")
    said = " ".join(page.texts["improve-package-error"].split())
    assert said == "packages/missing.yaml: file not found"
    assert str(deals) not in sent.text


def test_a_bad_memo_date_is_marked_and_said_beside_the_field(client: Any) -> None:
    sent = client.get("/p/gulf-asia/room/memo?date=31/12/2026")
    assert sent.status_code == 422
    page = _Form(sent.text, "memo-form")
    _marked(page, "date", "memo-date-error", "expected YYYY-MM-DD or today, got '31/12/2026'")


def test_a_redline_pickers_bad_choice_is_marked_and_said_beside_it(client: Any) -> None:
    sent = client.get(
        "/p/gulf-asia/documents?package=packages/ae-counter.yaml&against=packages/gone.yaml"
    )
    assert sent.status_code == 422
    page = _Form(sent.text, "documents")
    _marked(page, "against", "documents-against-error", "packages/gone.yaml")
    assert page.chosen["package"] == ["packages/ae-counter.yaml"]
    assert page.chosen["against"] == ["packages/gone.yaml"]  # what was asked, shown
    audience = _Form(client.get("/p/gulf-asia/documents?audience=all").text, "documents")
    _marked(audience, "audience", "documents-audience-error", "expected external or internal")


def test_a_portfolio_that_does_not_load_marks_the_validate_field(client: Any, deals: Path) -> None:
    (deals / "portfolios" / "broken.yaml").write_text("id: broken\ntitle: [\n")
    sent = client.get("/validate?portfolio=broken")
    assert sent.status_code == 422
    page = _Form(sent.text, "validate-form")
    _marked(page, "portfolio", "validate-portfolio-error", "portfolios/broken.yaml")
    assert str(deals) not in page.texts["validate-portfolio-error"]
    unknown = _Form(client.get("/validate?portfolio=nowhere").text, "validate-form")
    _marked(unknown, "portfolio", "validate-portfolio-error", "no portfolio 'nowhere'")


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_mistyped_sweep_keeps_everything_typed_and_focuses_the_bad_field(
    server: tuple[str, Path], browser: object
) -> None:
    """Typed into the sweep form (a path, from, to, steps 0, an override) and sent: it was a
    box of words above both forms, the steps field described by it, nothing focused."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia/sweep")
    typed = {
        "param": "policy.risk_penalty_per_h100e",
        "from": "50k",
        "to": "400k",
        "sets": "partners.AE.batna=3bn",
    }
    for field, text in typed.items():
        driver.find_element(By.ID, f"sweep-param-{field}").send_keys(text)
    steps = driver.find_element(By.ID, "sweep-param-steps")
    steps.clear()
    steps.send_keys("0")
    driver.find_element(By.ID, "run-param").click()
    e2e.wait_for(lambda d: d.find_elements(By.ID, "sweep-param-problems"), driver)
    e2e.shot(driver, "qa18-forms2-sweep-refused")
    for field, text in typed.items():
        assert driver.find_element(By.ID, f"sweep-param-{field}").get_attribute("value") == text
    steps = driver.find_element(By.ID, "sweep-param-steps")
    assert steps.get_attribute("aria-invalid") == "true"
    said = driver.find_element(By.ID, "sweep-param-steps-error")
    assert said.is_displayed() and "expected at least 1 value, got 0" in said.text
    e2e.wait_for(e2e.focused("sweep-param-steps"), driver)
    # At a phone's width the page, its words beside the field, is no wider than the window.
    with phone_screen(driver, 375, 800):
        width, inner = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        e2e.shot(driver, "qa18-forms2-sweep-refused-375")
    assert width <= inner == 375, (width, inner)
