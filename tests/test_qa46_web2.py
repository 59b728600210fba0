"""Session 46 (qa46-web2): every fault of a form said at once, beside its field; the solve
page's partner columns as `solve` and the portfolio memo say them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from helpers import WEB_TOKEN, csrf, invoke, job_done, web_client, words

BAD_FILE = b"partner: [SG\n"


def _alert(html: str, form: str) -> list[str]:
    """The lines of `form`'s refusal at the page's top, each with the field it links to."""
    box = re.search(rf'<div class="error"[^>]*id="{form}-problems".*?</div>', html, re.S)
    assert box is not None, html
    return re.findall(r'<p><a href="#([\w-]+)">', box[0])


def _marked(html: str, field_id: str) -> bool:
    """Whether the field `field_id` is marked invalid and its words stand beside it."""
    tag = re.search(rf'<[^>]*id="{field_id}"[^>]*>', html)
    assert tag is not None, field_id
    return 'aria-invalid="true"' in tag[0] and f'id="{field_id}-error"' in html


def test_a_counter_with_a_bad_file_deadline_and_date_says_all_three_at_once(
    client: Any, deals: Path
) -> None:
    """It said the file alone; the deadline on the next send, then the date on the third."""
    form = {**csrf(), "expect": "1", "deadline": "abc", "date": "2026-13-01"}
    files = {"file": ("sg.yaml", BAD_FILE, "application/x-yaml")}
    sent = client.post("/p/solo/n/SG/counter", data=form, files=files)
    assert sent.status_code == 422
    assert _alert(sent.text, "counter") == ["counter-file", "counter-deadline", "counter-date"]
    for field in ("counter-file", "counter-deadline", "counter-date"):
        assert _marked(sent.text, field), field
    # the file's own words name its line; the first field at fault is focused
    assert "sg.yaml:2: invalid YAML" in words(sent.text)
    assert re.search(r'id="counter-file"[^>]*autofocus', sent.text)
    assert not re.search(r'id="counter-deadline"[^>]*autofocus', sent.text)
    assert not (deals / "rounds" / "solo" / "SG").exists()


def test_a_date_past_the_horizon_is_said_with_the_other_faults_of_the_form(client: Any) -> None:
    """The library's check of a round's date (more than 10 years after the horizon) came
    once every other field was good: a third send to learn of it."""
    form = {**csrf(), "expect": "1", "deadline": "0", "beta": "x", "date": "2099-05-01"}
    sent = client.post("/p/solo/n/SG/offer", data=form)
    assert sent.status_code == 422
    assert _alert(sent.text, "offer") == ["offer-deadline", "offer-beta", "offer-date"]
    assert "more than 10 years after the portfolio's horizon" in words(sent.text)


def test_the_closing_forms_say_every_fault_at_once(client: Any) -> None:
    sent = client.post(
        "/p/solo/n/SG/walk-away", data={**csrf(), "expect": "1", "by": "them", "date": "x"}
    )
    assert _alert(sent.text, "walk-away") == ["walk-away-by", "walk-away-confirm", "walk-away-date"]
    sent = client.post(
        "/p/solo/n/SG/conclude", data={**csrf(), "expect": "1", "round": "x", "date": "x"}
    )
    assert _alert(sent.text, "conclude") == ["conclude-round", "conclude-confirm", "conclude-date"]


def test_the_risk_page_says_a_bad_package_file_and_bad_sampling_at_once(
    client: Any, deals: Path
) -> None:
    (deals / "packages" / "broken.yaml").write_bytes(BAD_FILE)
    sent = client.get("/p/solo/risk?package=packages/broken.yaml&samples=0&seed=x")
    assert sent.status_code == 422
    assert _alert(sent.text, "risk") == ["risk-package", "risk-samples", "risk-seed"]


def test_the_solve_forms_robust_share_and_its_samples_are_said_at_once(client: Any) -> None:
    """`solve_analysis` refused its first fault: samples and seed without a robust share
    were said one a send."""
    form = {**csrf(), "mode": "us-best", "samples": "5", "seed": "3", "prices": ""}
    sent = client.post("/p/solo/solve", data=form)
    assert sent.status_code == 422
    assert _alert(sent.text, "solve") == ["solve-samples", "solve-seed"]


def test_improve_says_a_bad_top_and_a_bad_held_file_at_once(client: Any, deals: Path) -> None:
    (deals / "packages" / "broken.yaml").write_bytes(BAD_FILE)
    sent = client.get(
        "/p/gulf-asia/improve?package=packages/ae-offer.yaml&hold=packages/broken.yaml&top=0"
    )
    assert sent.status_code == 422
    assert _alert(sent.text, "improve") == ["improve-top", "improve-hold"]


def test_the_solve_pages_partner_columns_are_solves_utility_and_the_memos_margin(
    tmp_path: Path, deals: Path
) -> None:
    """The deals table's "Partner margin" stood where `solve` prints "Partner utility", a
    different figure under the same place: both are shown now, each named as its source
    names it, the margin signed as the memo signs it."""
    cli = json.loads(invoke(["solve", deals / "portfolios" / "solo.yaml", "--json"]).stdout)
    (deal,) = cli["deals"]
    with web_client(deals, WEB_TOKEN) as c:
        sent = c.post("/p/solo/solve", data={**csrf(), "mode": "us-best"}, follow_redirects=False)
        html = c.get(job_done(c, sent)).text
    heads = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert heads[heads.index("US utility") :][:3] == [
        "US utility",
        "Partner utility",
        "Partner margin",
    ]
    shown = re.search(r'data-partner-utility="([^"]+)">([^<]+)<', html)
    assert shown is not None
    assert float(shown[1]) == deal["partner_utility"]
    from dealbench.render.filters import money

    assert shown[2] == money(deal["partner_utility"])
    assert money(deal["partner_margin"], signed=True) in html
    assert "Partner utility is the figure `solve` prints" in words(html)
