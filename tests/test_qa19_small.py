"""Faults earlier passes noticed and left, reproduced as a user meets them (qa19-small)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import REPO, invoke

import test_web_browser as e2e
from test_qa18_webforms import _Form, post, rounds

# --- a quarterly portfolio's caps say how the policy writes them -------------------------


def _quarterly(folder: Path) -> Path:
    """The shipped AE under the shipped bilateral policy (tier 2: 600,000 H100e a year
    under veu, 100,000 under kyc), in a portfolio of two quarters: 150,000 a quarter."""
    text = (REPO / "deals/partners/ae.yaml").read_text(encoding="utf-8")
    text = re.sub(r"ask:.*?\n(?:  20.*\n)+", "ask: {2026Q1: 400_000, 2026Q2: 400_000}\n", text)
    (folder / "ae.yaml").write_text(text, encoding="utf-8")
    policy = REPO / "deals/policy/bilateral.yaml"
    portfolio = folder / "quarters.yaml"
    portfolio.write_text(
        f"id: quarters\ntitle: AE by the quarter\npolicy: {policy}\n"
        "periods: [2026Q1, 2026Q2]\nsupply: {2026Q1: 1_000_000, 2026Q2: 1_000_000}\n"
        "partners: [ae.yaml]\n",
        encoding="utf-8",
    )
    return portfolio


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_quarterly_cap_broken_says_it_is_a_quarter_of_the_policys_annual_cap(
    tmp_path: Path,
) -> None:
    """`evaluate` of a package over the cap read "exceeds the tier 2 cap under veu of
    150,000 H100e" beside a policy file saying 600,000: it now says why."""
    portfolio = _quarterly(tmp_path)
    package = tmp_path / "package.yaml"
    package.write_text(
        "partner: AE\nsecurity: veu\ncompute: {2026Q1: 400_000, 2026Q2: 400_000}\n",
        encoding="utf-8",
    )
    run = invoke(["evaluate", package, "--portfolio", portfolio])
    assert run.exit_code == 3, run.output
    assert (
        "AE: compute of 400,000 H100e in each of 2026Q1 and 2026Q2 exceeds the tier 2 cap "
        "under veu of 150,000 H100e (a quarter of the policy's 600,000 H100e a year)"
    ) in _flat(run.output)


def test_a_quarterly_cap_reached_and_one_to_raise_say_the_policys_annual_cap(
    tmp_path: Path,
) -> None:
    """`solve`'s binding line and an explanation's cap to raise name the policy's figure."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio])
    assert run.exit_code == 0, run.output
    assert (
        "Binding: AE receives the tier 2 cap under veu (150,000 H100e, a quarter of the "
        "policy's 600,000 H100e a year) in 2026Q1 and 2026Q2, less than its ask."
    ) in _flat(run.output)
    run = invoke(["solve", portfolio, "--require-deal", "AE", "--set", "partners.AE.batna=12bn"])
    assert run.exit_code == 3, run.output
    assert (
        "raise the tier 2 cap under kyc (a quarter of the policy's 100,000 H100e a year) "
        "from 25,000 to"
    ) in _flat(run.output)


def test_an_annual_cap_and_a_partners_own_cap_are_said_as_before(tmp_path: Path) -> None:
    """Where nothing was pro-rated (a year's portfolio, a portfolio's own cap per quarter)
    the cap is its figure alone."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio, "--set", "portfolio.caps.AE.veu=130_000"])
    assert run.exit_code == 0, run.output
    assert "AE receives its own cap under veu (130,000 H100e) in 2026Q1 and 2026Q2" in _flat(
        run.output
    )
    run = invoke(["solve", REPO / "deals/portfolios/gulf-asia.yaml", "--time-limit", "60"])
    assert "a quarter of" not in run.output
    assert "the tier 2 cap under veu (600,000 H100e) in" in _flat(run.output)


# --- the words of an Agreed round that cannot be concluded -------------------------------

#: A counter from SG under baseline asking more than tier 2's cap there (25,000 H100e).
OVER_CAP = "partner: SG\nsecurity: baseline\ncompute: {2026: 80_000}\n"


def test_the_agreed_round_refused_reads_as_a_sentence_beside_it(client: Any, deals: Path) -> None:
    """Beside the conclude form's Agreed round the words began "package: a deal cannot be
    concluded on this round: ..." (the round file's field path); they now say which round's
    package cannot be concluded, and why, as a negotiator would."""
    counter = {"file": ("c.yaml", OVER_CAP.encode())}
    assert post(client, "/p/solo/n/SG/counter", files=counter, expect="1").status_code == 200
    sent = post(client, "/p/solo/n/SG/conclude", expect="2", round="1", confirm="yes")
    assert sent.status_code == 422
    said = _flat(_Form(sent.text, "conclude-form").texts["conclude-round-error"])
    assert said == (
        "no deal can be concluded on round 1's package: SG: 2026 compute 80,000 H100e exceeds "
        "the tier 2 cap under baseline of 25,000 H100e. No round with SG can be concluded as "
        "it stands: record an offer"  # what to do instead (qa46-negotiate)
    )
    assert rounds(deals) == ["001-partner.yaml"]


def test_the_cli_names_the_round_file_then_says_the_same_sentence(deals: Path) -> None:
    portfolio = deals / "portfolios/solo.yaml"
    counter = deals / "c.yaml"
    counter.write_text(OVER_CAP, encoding="utf-8")
    out = ["--out", deals / "out"]
    assert invoke(["counter", portfolio, counter, "--date", "2026-03-01", *out]).exit_code == 0
    run = invoke(["conclude", portfolio, "-p", "SG", "--round", "1", "--date", "2026-03-02"])
    assert run.exit_code == 2, run.output
    assert _flat(run.stderr) == (
        f"error: {deals}/rounds/solo/SG/001-partner.yaml:{_line_of_2026(deals)}: no deal can "
        "be concluded on round 1's "
        "package: SG: 2026 compute 80,000 H100e exceeds the tier 2 cap under baseline of "
        "25,000 H100e. No round with SG can be concluded as it stands: record an offer"
    )


def _line_of_2026(deals: Path) -> int:
    """The line of the round's 2026 compute: the refusal is said at it (qa41b-negotiate)."""
    text = (deals / "rounds/solo/SG/001-partner.yaml").read_text("utf-8")
    lines = [line.strip() for line in text.splitlines()]
    return next(n for n, line in enumerate(lines, 1) if line.startswith(("'2026':", "2026:")))


# --- the marking of a DOCX: once on every page, the external redline's too ---------------

MARKINGS = {
    "external": "SENSITIVE: FOR DISCUSSION BETWEEN THE PARTICIPANTS ONLY",
    "internal": "INTERNAL: NOT FOR RELEASE TO THE PARTNER",
}


def _kinds() -> dict[str, Any]:
    """One document of each kind and audience the demo writes (the counter memo too)."""
    from golden.support import all_documents, demo_source, redlines

    source = demo_source()
    docs = {d.path: d for d in all_documents(source) + redlines(source, ("external",))}
    wanted = (
        "term-sheets/AE",
        "term-sheets/AE-internal",
        "memos/AE",
        "memos/portfolio-gulf-asia",
        "redlines/redline-AE-offer-001-to-counter-002",
        "redlines/redline-AE-offer-001-to-counter-002-internal",
    )
    return {path: docs[path] for path in wanted}


@pytest.mark.parametrize("path", list(_kinds()))
def test_a_docx_carries_its_marking_once_on_each_page_in_the_header(path: str) -> None:
    """Page 1 of every DOCX showed the marking twice (the header and a body banner), and
    the external redline had none in any format; now the header of every page carries it,
    as the PDF's pages do, and the body does not repeat it."""
    import docx

    from dealbench.render.documents import render_document

    doc = _kinds()[path]
    marking = MARKINGS[doc.context["doc"]["audience"]]
    [rendered] = render_document(doc, ["docx"])
    document = docx.Document(io.BytesIO(rendered.data))
    section = document.sections[0]
    assert not section.different_first_page_header_footer  # the same header on page 1
    assert [p.text for p in section.header.paragraphs if p.text] == [marking]
    said = {" ".join(words.upper().split()) for words in MARKINGS.values()}
    assert [p.text for p in document.paragraphs if p.text.upper() in said] == []


def test_the_external_redline_is_marked_as_the_external_term_sheet_is() -> None:
    """In Markdown and HTML (the PDF's banner on page 1 and its running header after)."""
    from dealbench.render.documents import render_document

    doc = _kinds()["redlines/redline-AE-offer-001-to-counter-002"]
    md, html = render_document(doc, ["md", "html"])
    # the first line, as the term sheet's (qa33-docs)
    assert md.data.decode().startswith(
        "**Sensitive: for discussion between the Participants only**\n"
    )
    assert (
        '<p class="banner">Sensitive: for discussion between the Participants only</p>'
        in html.data.decode()
    )


browser = e2e.browser

# --- the package editor's own pickers --------------------------------------------------------

SG_FIELDS = {"partner": "SG", "security": "veu", "concession.pax-silica": "yes"}


def _editor(response: Any) -> _Form:
    """The editor's package form in `response`, which must be the editor page."""
    assert "<h1>Package for Singapore (SG)" in response.text, response.text[:300]
    return _Form(response.text, "package")


def test_a_save_refused_shows_the_editor_again_as_typed_its_file_name_marked(
    client: Any, deals: Path
) -> None:
    """A name taken (or none) was an error page: the package typed was gone."""
    fields = {**SG_FIELDS, "compute.2026": "40000", "title": "Draft"}
    assert post(client, "/p/solo/save", **fields, filename="sg-draft").status_code == 200
    before = (deals / "packages/sg-draft.yaml").read_bytes()
    sent = post(client, "/p/solo/save", **{**fields, "compute.2026": "5"}, filename="sg-draft")
    assert sent.status_code == 422
    page = _editor(sent)
    assert page.controls["compute.2026"]["value"] == "5"
    assert page.chosen["security"] == ["veu"] and page.chosen["concession.pax-silica"] == ["yes"]
    assert page.controls["title"]["value"] == "Draft"
    field = page.controls["filename"]
    assert field["value"] == "sg-draft" and field.get("aria-invalid") == "true"
    assert "autofocus" in field and "problems-filename" in field["aria-describedby"].split()
    assert _flat(page.texts["problems-filename"]) == (
        "packages/sg-draft.yaml exists; tick 'replace' to overwrite it"
    )
    assert (deals / "packages/sg-draft.yaml").read_bytes() == before
    sent = post(client, "/p/solo/save", **fields, filename="")
    assert sent.status_code == 422
    assert _flat(_editor(sent).texts["problems-filename"]) == "name the file to save the package in"


@pytest.mark.parametrize("button", ["save", "improve", "risk"])
def test_a_button_of_the_editor_on_fields_that_do_not_read_shows_the_editor_as_typed(
    client: Any, button: str
) -> None:
    """Save was an error page; Find improvements and Sample acceptance went to their page
    with the error in its summary: the package typed was gone each time."""
    fields = {**SG_FIELDS, "compute.2026": "lots", "title": "Kept", "filename": "sg-x"}
    sent = post(client, f"/p/solo/{button}", **fields)
    assert sent.status_code == 422
    page = _editor(sent)
    field = page.controls["compute.2026"]
    assert field["value"] == "lots" and field.get("aria-invalid") == "true"
    assert "expected a number, got 'lots'" in page.texts["problems-compute.2026"]
    assert page.chosen["concession.pax-silica"] == ["yes"]
    assert page.controls["filename"]["value"] == "sg-x"


def test_the_package_file_picker_offers_what_opens_and_refuses_the_rest_beside_it(
    client: Any,
) -> None:
    """gulf-asia's editor offered KR's counter (KR is in global only) and showed the first
    file as chosen beside a new package; opening a file that did not load was an error page."""
    new = client.get("/p/gulf-asia/editor?partner=SA")
    picker = _Form(new.text, "open-file")
    assert picker.chosen["package"] == [""]  # "choose a file", not a file shown as open
    offered = re.findall(r"<option>(packages/[^<]+)</option>", new.text)
    assert "packages/kr-counter.yaml" not in offered and "packages/sa-counter.yaml" in offered
    sent = client.get("/p/gulf-asia/editor?partner=SA&package=packages/kr-counter.yaml")
    assert sent.status_code == 422
    picker = _Form(sent.text, "open-file")
    control = picker.controls["package"]
    assert control.get("aria-invalid") == "true" and "autofocus" in control
    assert _flat(picker.texts["package-error"]) == (
        "packages/kr-counter.yaml:4: partner: partner 'KR' is not in portfolio gulf-asia; "
        "expected one of: AE, SA, QA, BH, IN, SG, MY, KZ, AM; KR is in global.yaml, not in "
        "gulf-asia.yaml"
    )
    assert "<h1>Package for Saudi Arabia (SA)" in sent.text  # the partner's editor, kept


def test_an_upload_that_does_not_load_is_refused_beside_the_upload_field(client: Any) -> None:
    bad = {"file": ("mine.yaml", b"partner: SG\nsecurity: veu\ncompute: {2026: lots}\n")}
    sent = post(client, "/p/solo/upload", files=bad, partner="SG")
    assert sent.status_code == 422
    # the upload's field and button are the package form's (`form="package"`), beside it
    upload = _Form(sent.text, "package")
    field = re.search(r'<input type="file"[^>]*id="f-file"[^>]*>', sent.text)
    assert field is not None and 'aria-invalid="true"' in field[0]
    assert _flat(upload.texts["file-error"]) == (
        "mine.yaml:3: compute.2026: expected a number, got 'lots'"
    )
    assert "<h1>Package for Singapore (SG)" in sent.text


@pytest.mark.browser
def test_the_file_name_pattern_is_one_chromium_applies(
    server: tuple[str, Path], browser: object
) -> None:
    """`[a-z0-9_-]+` is no expression under the v flag Chromium reads a pattern with: it
    was ignored, and any name went to the server, which refused it on an error page."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)
    driver.get(url.split("?")[0] + "p/gulf-asia/editor?partner=SA")
    field = driver.find_element(By.NAME, "filename")
    check = "const e = arguments[0]; e.value = arguments[1]; return e.validity.patternMismatch;"
    assert driver.execute_script(check, field, "Bad Name!") is True
    assert driver.execute_script(check, field, "SA-Draft_2.yaml") is False
    assert not [e for e in driver.get_log("browser") if "Pattern attribute" in e["message"]]


# --- --solver on the commands that solve with HiGHS only -------------------------------------

HIGHS_ONLY = (
    "solves with HiGHS only (its frontier points and re-plans are solved by the "
    "decomposition, which runs on HiGHS alone); --solver cbc is for solve, compare and sweep"
)


@pytest.mark.parametrize("command", ["frontier", "offer", "counter", "room"])
def test_solver_cbc_on_a_highs_only_command_is_refused_saying_why(
    deals: Path, command: str
) -> None:
    """It was Click's "No such option: --solver (Possible options: --scheduler, --set)"."""
    portfolio = deals / "portfolios/solo.yaml"
    counter = deals / "c.yaml"
    counter.write_text(OVER_CAP, encoding="utf-8")
    args: list[str | Path] = {
        "frontier": ["frontier", portfolio, "-p", "SG"],
        "offer": ["offer", portfolio, "-p", "SG"],
        "counter": ["counter", portfolio, counter],
        "room": ["room", portfolio],
    }[command]
    run = invoke([*args, "--solver", "cbc"])
    assert run.exit_code == 2 and not run.traceback, run.output
    assert _flat(run.stderr) == f"error: --solver: {command} {HIGHS_ONLY}"
    assert rounds(deals) == []  # refused before anything was recorded
    run = invoke([*args, "--solver", "glpk"])
    assert run.exit_code == 2
    assert _flat(run.stderr).startswith("error: --solver: unknown solver 'glpk'; ")
    assert "--solver" in invoke([command, "--help"]).output
    assert "highs only" in _flat(invoke([command, "--help"]).output)


def test_solver_highs_is_taken_where_it_is_the_only_solver(deals: Path) -> None:
    portfolio = deals / "portfolios/solo.yaml"
    run = invoke(["frontier", portfolio, "-p", "SG", "--points", "3", "--solver", "highs"])
    assert run.exit_code == 0, run.output
    run = invoke(["offer", portfolio, "-p", "SG", "--solver", "highs", "--no-documents"])
    assert run.exit_code == 0, run.output
    assert rounds(deals) == ["001-us.yaml"]
