"""The workbench in a browser, whole tasks as a negotiator does them (qa43-web).

Each test failed before its fix.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from dealbench import load_portfolio, record_offer
from dealbench.cli.errors import CHOOSES as CLI_CHOOSES
from dealbench.errors import InfeasibleError, user_lines
from dealbench.web.pages import CHOOSES as WEB_CHOOSES
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import DATA, REPO, WEB_TOKEN, invoke, recorded, words

PORTFOLIO = "portfolios/gulf-asia.yaml"
#: Our own opening to Bahrain, typed in the package editor (BH has no round in the shipped
#: data): veu, 15,000 H100e a year, no concession.
BH_FIELDS = {
    "partner": "BH",
    "security": "veu",
    "compute.2026": "15000",
    "compute.2027": "15000",
    "compute.2028": "15000",
}
SAID = {"date": "2026-04-01", "author": "US delegation (Manama)", "note": "Our own opening"}


def _editor_form(client: Any, partner: str) -> dict[str, str]:
    """The hidden fields of the editor's package form for `partner`, as the page has them."""
    page = client.get(f"/p/gulf-asia/editor?partner={partner}").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    return {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1]}


def _offer_from_editor(client: Any, fields: dict[str, str]) -> Any:
    """The editor's "Record as our offer to BH" pressed on `fields` (its button's address)."""
    data = {**_editor_form(client, "BH"), **fields}
    return client.post("/p/gulf-asia/n/BH/offer?partner=BH", data=data)


def test_an_offer_of_ones_own_is_recorded_from_the_editor_as_offer_package_records_it(
    client: Any, deals: Path, tmp_path: Path
) -> None:
    """A negotiator who drafted our offer could not record it on the web: `dealbench offer
    --package FILE` records a package of one's own, the web had only "Propose the next
    offer" (a strategy's package) and the editor only "Record as BH's counter", while its
    refusals advised "offer a package of your own". The editor now records its fields as
    our offer; the round file is the CLI's byte for byte, and the page says the package,
    both utilities and whether the partner accepts, as `offer --package` prints them."""
    negotiation = client.get("/p/gulf-asia/n/BH").text
    assert "Record as our offer to BH" in words(negotiation)
    assert 'id="offer-editor"' in negotiation
    editor = client.get("/p/gulf-asia/editor?partner=BH").text
    assert 'id="record-as-offer"' in editor and 'name="allow_retreat"' in editor

    answer = _offer_from_editor(client, {**BH_FIELDS, **SAID})
    assert answer.status_code == 200, words(answer.text)
    said = words(answer.text)
    assert "Round 1 recorded: US offer with BH" in said
    assert "The package as built in the package editor" in said
    assert "US utility of the deal $187.2m" in said and "Partner utility $1.20bn" in said
    assert "Partner accepts yes" in said
    web_round = deals / "rounds/gulf-asia/BH/001-us.yaml"

    cli = Path(shutil.copytree(REPO / "deals", tmp_path / "cli"))
    package = tmp_path / "bh.yaml"
    package.write_text(
        "partner: BH\nsecurity: veu\ncompute: {2026: 15000, 2027: 15000, 2028: 15000}\n"
    )
    run = invoke(
        [
            "offer", cli / PORTFOLIO, "-p", "BH", "--package", package, "--no-documents",
            "--date", SAID["date"], "--author", SAID["author"], "--note", SAID["note"],
        ]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    cli_round = cli / "rounds/gulf-asia/BH/001-us.yaml"
    assert recorded(web_round.read_text()) == recorded(cli_round.read_text())
    assert "US utility                       │  $187.2m" in run.stdout


def test_a_retreat_from_the_editor_is_refused_beside_its_checkbox_with_the_fields_kept(
    client: Any, deals: Path
) -> None:
    """Our second offer to BH, typed in the editor, gives BH less than the first: refused
    as `offer --package` refuses it without `--allow-retreat`, in the editor again (not an
    error page), its words beside "Allow a retreat", every field as typed, nothing written;
    ticked, it is recorded and the page says what it takes back."""
    assert _offer_from_editor(client, BH_FIELDS).status_code == 200
    less = {**BH_FIELDS, "compute.2026": "10000", "note": "Less, on second thought"}
    refused = _offer_from_editor(client, less)
    assert refused.status_code == 422
    page = refused.text
    beside = re.search(r'(?s)id="problems-allow_retreat">(.*?)</div>', page)
    assert beside is not None and "less than our offer of round 1 did" in beside[1]
    assert re.search(r'<input type="checkbox" name="allow_retreat"[^>]*aria-invalid="true"', page)
    assert 'name="compute.2026" id="f-compute-2026" inputmode="numeric" value="10000"' in page
    assert "Less, on second thought</textarea>" in page
    assert not (deals / "rounds/gulf-asia/BH/002-us.yaml").exists()

    allowed = _offer_from_editor(client, {**less, "allow_retreat": "yes"})
    assert allowed.status_code == 200, words(allowed.text)
    assert "This offer takes back part of what round 1 offered BH" in words(allowed.text)
    assert "retreat:" in (deals / "rounds/gulf-asia/BH/002-us.yaml").read_text()


def test_the_advice_to_offer_ones_own_package_names_how_each_shell_does_it(
    client: Any, tmp_path: Path
) -> None:
    """ "Offer a package of your own" is said in each shell's words: the web names its
    editor's button (it said the CLI's "(--package)", or nothing of how), the CLI
    `--package`, a library caller `record_offer(..., package=...)`. Both refusals that
    advise it: a retreat not allowed, and terms to fix that no package keeps."""
    assert _offer_from_editor(client, BH_FIELDS).status_code == 200
    less = _offer_from_editor(client, {**BH_FIELDS, "compute.2026": "10000"})
    said = words(less.text)
    assert (
        "otherwise offer a package of your own that gives BH no less (in the package "
        "editor, “Record as our offer”)" in said
    )
    assert "--package" not in said

    pair = load_portfolio(DATA / "qa9neg/pair.yaml")
    rounds = tmp_path / "rounds"
    record_offer(pair, rounds, "XA", package=DATA / "qa9neg/xa-300bn.yaml")
    with pytest.raises(InfeasibleError) as fixed:
        record_offer(pair, rounds, "XA", fix=["invest"])
    ends = "fix fewer terms, or offer a package of your own ({})"
    assert str(fixed.value).endswith(ends.format("`record_offer(..., package=...)`"))
    (web,) = user_lines(fixed.value, chooses=WEB_CHOOSES)
    assert web.endswith(ends.format("in the package editor, “Record as our offer”")), web
    (cli,) = user_lines(fixed.value, chooses=CLI_CHOOSES)
    assert cli.endswith(ends.format("--package")), cli
