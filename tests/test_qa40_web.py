"""The web workbench used as a new user uses it (qa40-web): the documents' pickers, the
counter form, the deal room. Each test failed before its fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}


def test_the_pickers_offer_the_rounds_the_negotiation_loader_reads(
    client: TestClient, deals: Path
) -> None:
    """A folder of KR's rounds copied into gulf-asia's rounds (KR is no partner of it): the
    documents page offered its round file, and choosing it was refused ("KR is not a
    partner"), as gulf-asia's pickers once offered KR's counter of packages/. The pickers
    now list the rounds the negotiation loader reads: a round that records a package, of a
    partner of the portfolio; a negotiation that does not load keeps its files offered,
    each refused with its fault when chosen."""
    rounds = deals / "rounds" / "gulf-asia"
    shutil.copytree(rounds / "AE", rounds / "KR")
    shown = client.get("/p/gulf-asia/documents").text
    assert "rounds/gulf-asia/KR/001-us.yaml" not in shown
    assert "rounds/gulf-asia/AE/004-partner.yaml" in shown
    (rounds / "SA" / "003-us.yaml").write_text("round: [\n", encoding="utf-8")
    shown = client.get("/p/gulf-asia/documents").text
    assert "rounds/gulf-asia/SA/003-us.yaml" in shown


def test_a_round_file_uploaded_as_a_counter_is_not_dated_as_that_round(
    client: TestClient, deals: Path
) -> None:
    """AE comes back to its counter of round 2, whose file is uploaded in the counter form:
    the round took round 2's date (2026-02-16, before round 4's) and was refused in the
    file field, where `counter` of the same file records it undated (a round file gives its
    package, not the date that round was said on; session 39). The form follows the CLI's
    rule: recorded undated, or dated by the form's date."""
    again = deals / "rounds/gulf-asia/AE/002-partner.yaml"
    upload = {"file": ("002-partner.yaml", again.read_bytes(), "application/yaml")}
    answer = client.post("/p/gulf-asia/n/AE/counter", data={**CSRF, "expect": "5"}, files=upload)
    assert answer.status_code == 200, words(answer.text)[:2000]
    recorded = (deals / "rounds/gulf-asia/AE/005-partner.yaml").read_text(encoding="utf-8")
    assert "\ndate:" not in recorded and "invest-us: 200bn" in recorded


def test_the_deal_room_says_when_our_next_offer_would_be_refused_as_a_retreat(
    client: TestClient, tmp_path: Path
) -> None:
    """After our linear offer of round 5 to AE and AE's counter of round 6 (asking a little
    less, more compute in 2026), the verdict notes that our next offer takes back part of
    what round 5 gave AE, and `offer` refuses it unless the retreat is allowed; the deal
    room, where the next move is shown, said nothing of it. It says it now, from the room's
    data (`next_offer_retreat`), which `room --json` carries too."""
    offer = client.post("/p/gulf-asia/n/AE/offer", data={**CSRF, "expect": "5"})
    assert offer.status_code == 200, words(offer.text)[:2000]
    counter = (
        b"partner: AE\nsecurity: veu\ncompute: {2026: 550_000, 2027: 600_000, 2028: 600_000}\n"
        b"concessions: {invest-us: 1400bn, align-controls: true}\n"
    )
    upload = {"file": ("ae-counter.yaml", counter, "application/yaml")}
    answer = client.post("/p/gulf-asia/n/AE/counter", data={**CSRF, "expect": "6"}, files=upload)
    assert answer.status_code == 200, words(answer.text)[:2000]
    said = (
        r"our next offer gives AE \$\d+\.\d\dbn, less than our offer of round 5 did "
        r"\(\$\d+\.\d\dbn\): it takes back part of what that offer gave, and is recorded "
        "only with the retreat allowed"
    )
    assert re.search(said, words(answer.text)), words(answer.text)  # the verdict's note
    room = client.get("/p/gulf-asia/room").text
    row = room[room.index('data-partner="AE">') :]
    shown = words(row[: row.index("</tr>")])
    assert re.search(f"Note: {said}", shown), shown
    assert words(room).count("Note: our next offer") == 1


def test_the_recorded_counter_says_the_round_its_file_names_as_counter_does(
    client: TestClient, deals: Path
) -> None:
    """The shipped ae-counter.yaml says `round: 2`; uploaded in the counter form it is
    recorded as round 5, and the page said "Written to 005-partner.yaml." where `counter`
    says "Recorded round 5: ... (the file says round 2)" (session 39, `file_round`)."""
    counter = (deals / "packages/ae-counter.yaml").read_bytes()
    upload = {"file": ("ae-counter.yaml", counter, "application/yaml")}
    answer = client.post("/p/gulf-asia/n/AE/counter", data={**CSRF, "expect": "5"}, files=upload)
    assert answer.status_code == 200, words(answer.text)[:2000]
    assert "Written to 005-partner.yaml (the file says round 2)." in words(answer.text)


def test_files_are_named_from_the_served_folder_when_it_lies_in_the_working_folder(
    client: TestClient, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served as `dealbench serve deals` (the default folder, under the working folder), a
    partner file broken at line 7 was "deals/partners/ae.yaml:7: ..." in the portfolio list
    and on the portfolio's page, and a missing package "deals/packages/nope.yaml: file not
    found" beside the pickers' "packages/...": messages name a file from the working folder
    when it lies under it, and the pages took out the server's whole path only (each page
    with its own `replace`, the validate page too). They are named from the served folder
    now, as the pickers name them, through one helper (`pages.served`)."""
    monkeypatch.chdir(deals.parent)
    missing = words(client.get("/p/gulf-asia/documents?package=packages/nope.yaml").text)
    assert "error: packages/nope.yaml: file not found" in missing
    assert "deals/packages" not in missing
    partner = deals / "partners" / "ae.yaml"
    text = partner.read_text(encoding="utf-8")
    partner.write_text(text.replace("diversion_risk: 0.47", "diversion_risk: 1.47"), "utf-8")
    for path in ("/", "/p/gulf-asia", "/validate"):
        said = words(client.get(path).text)
        assert "partners/ae.yaml:7: diversion_risk: must be at most 1" in said
        assert "deals/partners" not in said
