"""A trade negotiator's pass through the web workbench (qa31-web): upload names the server
cannot take, the offer form's deadline, the joint frontier's axis and gap, and what a new
user met on the way through the negotiation in a browser.

Each test failed before its fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import QA_COUNTER, WEB_TOKEN, recorded, send_qa_counter, words

browser = e2e.browser


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _multipart(fields: dict[str, str], filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A form's body with one file sent under `filename`, byte for byte as a client may send
    it (a test client's own encoding would change a NUL or a slash); body and content type."""
    boundary = b"qa31-boundary"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, key.encode(), value.encode())
        for key, value in fields.items()
    ]
    parts.append(
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: application/x-yaml\r\n\r\n%s\r\n" % (boundary, filename, content)
    )
    body = b"".join(parts) + b"--%s--\r\n" % boundary
    return body, f"multipart/form-data; boundary={boundary.decode()}"


# --- upload names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename",
    [b"..", b".", b"/", b"a/b.yaml", b"..\\x.yaml", b"a\x00b.yaml", b"x" * 300 + b".yaml", b" "],
)
@pytest.mark.parametrize("route", ["/p/gulf-asia/upload", "/p/gulf-asia/n/AE/counter"])
def test_an_upload_under_a_name_no_file_has_is_refused_in_its_field(
    client: Any, deals: Path, route: str, filename: bytes
) -> None:
    """A package uploaded under the name ".." or "." (or "/", or one 300 characters long)
    answered 500 Internal Server Error, in the editor's upload and in the negotiation's
    counter form alike: the server wrote the upload to a private file named as the upload,
    and ".." is a folder. A name with a slash or a NUL was taken (its last part), or failed
    likewise. Every such name is now refused in the upload's field, saying the name and
    what to do, before the file is read; nothing is written."""
    before = _tree(deals)
    content = (deals / "packages/ae-offer.yaml").read_bytes()
    body, kind = _multipart({CSRF_FIELD: csrf_for(WEB_TOKEN)}, filename, content)
    answer = client.post(route, content=body, headers={"content-type": kind})
    assert answer.status_code == 422, answer.text[-2000:]
    said = words(answer.text)
    assert "which is not a file's name" in said
    assert "choose a package file saved under a plain name" in said
    if route.endswith("/counter"):
        assert "Package file: the file was sent under the name" in said
        assert 'aria-invalid="true"' in re.search(r'<input type="file"[^>]*>', answer.text)[0]
    else:
        upload_form = re.search(r'(?s)<div id="upload">.*?</div>\n</div>', answer.text)
        assert upload_form is not None and "which is not a file" in words(upload_form[0])
    assert _tree(deals) == before


# --- the offer form's deadline -----------------------------------------------------------------


def _offer(client: Any, fields: dict[str, str], code: str = "AE") -> Any:
    """The negotiation page's offer form sent for `code` in gulf-asia, with `fields`."""
    page = client.get(f"/p/gulf-asia/n/{code}").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], **fields}
    return client.post(f"/p/gulf-asia/n/{code}/offer", data=form)


def test_the_offer_form_takes_a_deadline_as_offer_deadline_does(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """`dealbench offer --deadline 3` sets how many US offers a time-dependent strategy
    takes to reach the reservation value; the page's offer form had no such field, so a web
    user could only ever run on the recorded deadline (else 6). The form now has it: the
    round the page records is the file the CLI records with the same options."""
    import shutil

    from helpers import invoke

    cli_deals = Path(shutil.copytree(deals, tmp_path / "cli-deals"))
    answer = _offer(client, {"strategy": "linear", "deadline": "3", "date": "2026-12-05"})
    assert answer.status_code == 200, words(answer.text)[-1500:]
    web_round = (deals / "rounds/gulf-asia/AE/005-us.yaml").read_text("utf-8")
    assert "deadline: 3" in web_round
    run = invoke(
        ["offer", cli_deals / "portfolios/gulf-asia.yaml", "--partner", "AE", "--strategy",
         "linear", "--deadline", "3", "--date", "2026-12-05", "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert recorded((cli_deals / "rounds/gulf-asia/AE/005-us.yaml").read_text("utf-8")) == recorded(
        web_round
    )
    assert "of a deadline of 3" in words(answer.text)


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"deadline": "0"}, "deadline",
         "Deadline: expected a whole number of US offers, at least 1; got 0"),
        ({"deadline": "-2"}, "deadline",
         "Deadline: expected a whole number of US offers, at least 1; got -2"),
        ({"deadline": "2.5"}, "deadline",
         "Deadline: expected a whole number of US offers, at least 1; got '2.5'"),
        ({"deadline": "three"}, "deadline",
         "Deadline: expected a whole number of US offers, at least 1; got 'three'"),
        ({"strategy": "nash", "deadline": "3"}, "strategy",
         "a point of the frontier is not chosen by a time-dependent strategy, so a deadline "
         "would be ignored; give either a mode or a strategy with its deadline and exponent, "
         "not both"),
    ],
)  # fmt: skip
def test_a_deadline_the_cli_refuses_is_refused_in_its_field(
    client: Any, deals: Path, fields: dict[str, str], field: str, said: str
) -> None:
    """The CLI refuses `--deadline 0` ("expected a whole number of US offers, at least 1")
    and `--mode nash --deadline 3` (the deadline would be ignored); the page refuses them in
    the same words, the field at fault marked, the form holding what was typed, and
    records nothing."""
    before = _tree(deals)
    answer = _offer(client, fields)
    assert answer.status_code == 422, words(answer.text)[-1500:]
    assert said in words(answer.text)
    box = re.search(rf'<(?:input|select)[^>]*id="offer-{field}"[^>]*>', answer.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    typed = re.search(r'<input[^>]*id="offer-deadline"[^>]*>', answer.text)
    assert typed is not None and f'value="{fields["deadline"]}"' in typed[0]
    assert _tree(deals) == before


# --- the joint frontier's axis and gap ---------------------------------------------------------


def _table_rows(html: str) -> list[list[str]]:
    """The rows of the joint frontier page's table of points, cell by cell."""
    body = re.search(r'(?s)<table[^>]*id="frontier-points".*?<tbody>(.*?)</tbody>', html)
    assert body is not None
    return [
        [words(c).strip() for c in re.findall(r"(?s)<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"(?s)<tr>(.*?)</tr>", body[1])
    ]


def test_the_joint_frontier_form_takes_the_clis_axis_and_gap(client: Any, deals: Path) -> None:
    """`frontier --jointly` takes `--axis risk` (V against risk) and `--gap`; the page's form
    took points only, so a web user could not draw the joint frontier against risk, nor
    loosen its gap. The form now takes both: KZ's joint frontier against risk is the CLI's,
    row for row (a gap given as a percentage, 0.0001%: at a loose gap two runs may stop at
    different points within it), its page says the CLI's command, and its chart is drawn
    against the portfolio's risk; at 1% its page says the gap it ran at."""
    from helpers import invoke, job_done

    negotiation = client.get("/p/gulf-asia/n/KZ").text
    assert '<select id="joint-axis" name="axis">' in negotiation
    assert '<input id="joint-gap" name="gap" value="1e-6"' in negotiation
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "points": "6", "axis": "risk", "gap": "0.0001%"}
    sent = client.post("/p/gulf-asia/n/KZ/frontier/jointly", data=form, follow_redirects=False)
    assert sent.status_code == 303, words(sent.text)
    html = client.get(job_done(client, sent)).text
    cli = invoke(
        ["frontier", deals / "portfolios/gulf-asia.yaml", "--partner", "KZ", "--jointly",
         "--axis", "risk", "--points", "6", "--gap", "0.0001%"]
    ).stdout  # fmt: skip
    rows = [
        [c.strip() for c in line.strip("│").split("│")]
        for line in cli.splitlines()
        if line.startswith("│")
    ]
    assert len(rows) == 6
    assert _table_rows(html) == rows
    said = words(html)
    assert "V against risk (others re-optimized)" in said
    assert "dealbench frontier --partner KZ --jointly --points 6 --axis risk ·" in said
    note = next(x for x in cli.split("Note: ")[1:] if "risk axis" in x)
    assert " ".join(note.split()) in said
    assert "Risk of the portfolio (risk-weighted H100e)" in said  # the chart's x axis
    assert "The deal's frontier between risk and the US utility" in said
    form["gap"] = "1%"
    sent = client.post("/p/gulf-asia/n/KZ/frontier/jointly", data=form, follow_redirects=False)
    said = words(client.get(job_done(client, sent)).text)
    assert "--jointly --points 6 --axis risk --gap 0.01 ·" in said
    assert re.search(r"Method: epsilon-constraint, 6 points, [0-9.]+ s \(gap 0\.01\)", said)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"axis": "utility"}, "Axis: unknown axis 'utility'; expected one of: partner, risk"),
        ({"gap": "2"},
         "Gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got 2"),
        ({"gap": "-1%"},
         "Gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got -1%"),
        ({"gap": "tight"},
         "Gap: expected a number such as 0.05, or a percentage such as 5%, got 'tight'"),
        ({"gap": "nan"},
         "Gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got nan"),
    ],
)  # fmt: skip
def test_an_axis_or_gap_the_cli_refuses_is_refused_before_the_job(
    client: Any, fields: dict[str, str], said: str
) -> None:
    """An axis or a gap `frontier` refuses is refused by the form in the CLI's words (the
    library's checks, which the CLI now calls too), in the negotiation page, the field
    marked and holding what was typed, before any job starts."""
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "points": "6", **fields}
    answer = client.post("/p/gulf-asia/n/KZ/frontier/jointly", data=form, follow_redirects=False)
    assert answer.status_code == 422
    assert said in words(answer.text)
    (field, typed), *_ = fields.items()
    box = re.search(rf'<(?:input|select)[^>]*id="joint-{field}"[^>]*>', answer.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    if field == "gap":
        assert f'value="{typed}"' in box[0]
    assert client.app.state.jobs.for_portfolio("gulf-asia", "frontier") == []


def test_the_joint_frontier_form_says_every_fault_at_once_in_its_page(client: Any) -> None:
    """The joint frontier's form answered a refusal with a separate error page, saying its
    first fault only ("points: expected a number 2-1000 ...", not the gap's) and leaving
    what was typed behind it. It is now refused in the negotiation page: every field at
    fault marked and said, the summary linking to each, the fields as typed."""
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "points": "1", "axis": "risk", "gap": "5"}
    answer = client.post("/p/gulf-asia/n/KZ/frontier/jointly", data=form)
    assert answer.status_code == 422
    assert "Negotiation with Kazakhstan (KZ)" in words(answer.text)
    summary = re.search(r'(?s)<div class="error"[^>]*id="joint-problems".*?</div>', answer.text)
    assert summary is not None
    said = words(summary[0])
    assert "Points: expected a number 2-1000 or 'all', not '1'" in said
    assert "Gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got 5" in said
    assert "Nothing was started; the form holds what was typed." in said
    assert 'href="#joint-points"' in summary[0] and 'href="#joint-gap"' in summary[0]
    joint = re.search(r'(?s)<form[^>]*id="joint-frontier">.*?</form>', answer.text)
    assert joint is not None
    assert re.search(r'id="joint-points" name="points" value="1"[^>]*aria-invalid="true"', joint[0])
    assert re.search(r'id="joint-gap" name="gap" value="5"[^>]*aria-invalid="true"', joint[0])
    assert '<option value="risk" selected>' in joint[0]
    assert client.app.state.jobs.for_portfolio("gulf-asia", "frontier") == []


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_in_a_browser_the_offer_takes_a_deadline_and_the_joint_frontier_risk_and_a_gap(
    server: tuple[str, Path], browser: object
) -> None:
    """A negotiator on QA's page (no round yet) types a deadline of 3 with the linear
    strategy and proposes: the offer is recorded on that deadline, as `offer --deadline 3`
    records it. On KZ's page, the joint frontier against risk at a gap of 1%: its page
    follows the job and shows the points against risk, with the CLI's command."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    driver: Any = browser
    url, deals = server
    base = url.split("/?")[0]
    driver.get(url)  # the token's cookie
    driver.get(f"{base}/p/gulf-asia/n/QA")
    Select(driver.find_element(By.ID, "offer-strategy")).select_by_visible_text("linear")
    driver.find_element(By.ID, "offer-deadline").send_keys("3")
    driver.find_element(By.ID, "propose").click()
    e2e.wait_for(e2e.at("/p/gulf-asia/n/QA/recorded/1"), driver, 120)
    e2e.shot(driver, "qa31-web-offer-deadline")
    assert "US offer 1 of a deadline of 3" in driver.find_element(By.TAG_NAME, "main").text
    assert "deadline: 3" in (deals / "rounds/gulf-asia/QA/001-us.yaml").read_text("utf-8")

    driver.get(f"{base}/p/gulf-asia/n/KZ")
    points = driver.find_element(By.ID, "joint-points")
    points.clear()
    points.send_keys("6")
    Select(driver.find_element(By.ID, "joint-axis")).select_by_value("risk")
    gap = driver.find_element(By.ID, "joint-gap")
    gap.clear()
    gap.send_keys("1%")
    driver.find_element(By.CSS_SELECTOR, "#joint-frontier button").click()
    e2e.wait_for(ec.presence_of_element_located((By.ID, "status")), driver, 120)
    e2e.shot(driver, "qa31-web-joint-frontier-risk")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "--jointly --points 6 --axis risk --gap 0.01" in main
    assert "V against risk (others re-optimized)" in main
    assert len(driver.find_elements(By.CSS_SELECTOR, "#frontier-points tbody tr")) == 6
    assert "Risk of the portfolio (risk-weighted H100e)" in main


# --- the counter's verdict: its strategy and deadline ------------------------------------------


@pytest.mark.parametrize(("strategy", "deadline"), [("", ""), ("linear", "1"), ("boulware", "")])
def test_the_counter_form_weighs_the_verdict_as_counter_strategy_deadline_does(
    client: Any, deals: Path, tmp_path: Path, strategy: str, deadline: str
) -> None:
    """`dealbench counter --strategy linear --deadline 1` weighs the counter against the next
    offer of that strategy and deadline: after a linear offer on a deadline of 3, QA's
    counter is "counter" as recorded, "accept" against a deadline of 1. The page's counter
    form had neither option, so its verdict was always the recorded one's. It now has
    both, and its verdict is the CLI's."""
    import shutil

    from helpers import invoke

    opening = _offer(client, {"strategy": "linear", "deadline": "3"}, "QA")
    assert opening.status_code == 200
    cli_deals = Path(shutil.copytree(deals, tmp_path / "cli-deals"))
    answer = send_qa_counter(client, {"strategy": strategy, "deadline": deadline})
    assert answer.status_code == 200, words(answer.text)[-1500:]
    said = re.search(r'(?s)<p id="recommendation"[^>]*>(.*?)</p>', answer.text)
    assert said is not None
    counter_file = tmp_path / "qa-counter.yaml"
    counter_file.write_bytes(QA_COUNTER)
    options = [o for o, v in (("--strategy", strategy), ("--deadline", deadline)) if v]
    values = [v for v in (strategy, deadline) if v]
    args = [a for pair in zip(options, values, strict=True) for a in pair]
    run = invoke(
        ["counter", cli_deals / "portfolios/gulf-asia.yaml", counter_file, *args, "--date",
         "2026-12-05", "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    cli = " ".join(run.stdout.split())
    page = " ".join(words(said[1]).split())
    recommendation, _, reason = page.removeprefix("Recommendation: ").partition(" — ")
    assert f"Recommendation: {recommendation.upper()} — {reason}" in cli
    expected = "accept" if deadline == "1" else "counter"
    assert recommendation == expected


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"deadline": "0"}, "deadline",
         "Deadline: expected a whole number of US offers, at least 1; got 0"),
        ({"strategy": "nash"}, "strategy",
         "Weighed against: unknown strategy 'nash'; expected one of: boulware, linear, conceder, "
         "zeuthen"),
    ],
)  # fmt: skip
def test_a_counter_weighed_against_what_the_cli_refuses_records_nothing(
    client: Any, deals: Path, fields: dict[str, str], field: str, said: str
) -> None:
    """A deadline or a strategy `counter` refuses is refused by the page's counter form in
    the same words, the field marked, before the counter is written."""
    before = _tree(deals)
    answer = send_qa_counter(client, fields)
    assert answer.status_code == 422, words(answer.text)[-1500:]
    assert said in words(answer.text)
    box = re.search(rf'<(?:input|select)[^>]*id="counter-{field}"[^>]*>', answer.text)
    assert box is not None and 'aria-invalid="true"' in box[0]
    assert _tree(deals) == before


# --- the joint frontier's files ----------------------------------------------------------------


def test_a_joint_frontier_downloads_the_files_frontier_out_writes(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """`frontier --jointly --out DIR` writes frontier-KZ-risk.json, .svg and .png; the joint
    frontier's page offered none of them, so a web user could not keep the frontier they
    had waited for. Its page now links each, as the CLI writes it (the file's fields, the
    chart's axes), of the frontier the page shows (its table's rows), saved under a name
    that says the portfolio and the frontier's number. (At a gap of 1% two runs may stop at
    different points within the gap: the files are compared with the page, not the bytes.)"""
    import json

    from helpers import invoke, job_done

    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "points": "6", "axis": "risk", "gap": "1%"}
    sent = client.post("/p/gulf-asia/n/KZ/frontier/jointly", data=form, follow_redirects=False)
    page = job_done(client, sent)
    number = page.rsplit("/", 1)[1]
    html = client.get(page).text
    out = tmp_path / "out"
    run = invoke(
        ["frontier", deals / "portfolios/gulf-asia.yaml", "--partner", "KZ", "--jointly",
         "--axis", "risk", "--points", "6", "--gap", "1%", "--out", out]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    for ext in ("json", "svg", "png"):
        saved = f"frontier-KZ-risk-gulf-asia-{number}.{ext}"
        link = f'<a href="{page}/frontier-KZ-risk.{ext}" download="{saved}">{saved}</a>'
        assert link in html
        answer = client.get(f"{page}/frontier-KZ-risk.{ext}")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == f'attachment; filename="{saved}"'
        cli = (out / f"frontier-KZ-risk.{ext}").read_bytes()
        if ext == "json":  # the frontier the page shows, in the CLI's file's fields
            web_json, cli_json = json.loads(answer.content), json.loads(cli)
            assert web_json.keys() == cli_json.keys()
            shown = [(row[1], row[3]) for row in _table_rows(html)]
            assert [
                (f"{p['us_utility'] / 1e9:.2f}", f"{round(p['portfolio_risk']):,}")
                for p in web_json["points"]
            ] == shown
        elif ext == "svg":
            for said in (b"gulf-asia: frontier for KZ (others re-optimized)", b"Risk of portfolio"):
                assert said in answer.content and said in cli
        else:
            assert answer.content.startswith(b"\x89PNG")
    assert client.get(f"{page}/frontier-KZ.json").status_code == 404
