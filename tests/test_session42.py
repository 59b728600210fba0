"""What session 42 fixed as a user met it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, Runner, words


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--beta", "2"], "a concession exponent (beta) would be ignored; give it only with"),
        (
            ["--deadline", "3", "--beta", "2"],
            "a deadline and a concession exponent (beta) would be ignored; give them only with",
        ),
    ],
)
def test_zeuthen_refuses_a_path_s_options_naming_each_as_one_or_two(
    run: Runner, deals: Path, tmp_path: Path, given: list[str], said: str
) -> None:
    """`offer --strategy zeuthen --beta 2` spoke of one option as "them" and told the CLI
    user to "leave them empty", the web form's words; nothing is recorded."""
    rounds = tmp_path / "rounds"
    args = ["offer", deals / "portfolios/gulf-asia.yaml", "-p", "AE", "--rounds", rounds]
    refused = run(*args, "--strategy", "zeuthen", *given, "--no-documents")
    assert refused.exit_code == 2, refused.output
    words = " ".join(refused.stderr.split())
    assert said in words
    assert "boulware, linear or conceder" in words and "empty" not in words
    assert not list(rounds.rglob("*.yaml"))


def test_improve_on_a_concluded_round_says_the_talks_ended_in_both_shells(
    run: Runner, client: Any, deals: Path
) -> None:
    """`improve` on SA's round 3, the package SA concluded on, says each change would
    reopen the terms agreed (qa42-cli); the web's improve page listed the same changes
    without a word of it. Both say it through `logroll.held_beside`."""
    concluded = "The negotiation with SA was concluded in round 4 (004-partner.yaml)"
    portfolio = deals / "portfolios/gulf-asia.yaml"
    cli = run("improve", deals / "rounds/gulf-asia/SA/003-us.yaml", "--portfolio", portfolio)
    assert cli.exit_code == 0, cli.stderr
    assert concluded in " ".join(cli.stdout.split())
    page = client.get("/p/gulf-asia/improve", params={"package": "rounds/gulf-asia/SA/003-us.yaml"})
    assert page.status_code == 200, page.text[:2000]
    assert concluded in words(page.text)
    open_round = client.get(
        "/p/gulf-asia/improve", params={"package": "rounds/gulf-asia/AE/003-us.yaml"}
    )
    assert "was concluded in round" not in words(open_round.text)


def test_annex_a_says_which_tranches_name_no_site(run: Runner, deals: Path, tmp_path: Path) -> None:
    """ae-offer names the site of its 2026 tranche only: the term sheet's Annex A left the
    2027 and 2028 cells blank, read as a term left out by mistake; they say "Not named", in
    every format. A package naming no site has no such column."""
    from docx import Document

    gulf = deals / "portfolios/gulf-asia.yaml"
    for fmt in ("md", "docx"):
        out = tmp_path / f"ae.{fmt}"
        made = run("render", deals / "packages/ae-offer.yaml", "--portfolio", gulf, "--out", out)
        assert made.exit_code == 0, made.output
    rows = [
        line
        for line in (tmp_path / "ae.md").read_text().splitlines()
        if line[:6] in ("| 2026", "| 2027", "| 2028")
    ]
    assert [("Stargate UAE" in r, "| Not named |" in r) for r in rows] == [
        (True, False),
        (False, True),
        (False, True),
    ]
    cells = [
        [c.text for c in row.cells]
        for table in Document(str(tmp_path / "ae.docx")).tables
        for row in table.rows
    ]
    assert [r[3] for r in cells if r[0] in ("2027", "2028")] == ["Not named", "Not named"]
    plain = tmp_path / "plain.md"
    made = run("render", deals / "packages/sa-counter.yaml", "--portfolio", gulf, "--out", plain)
    assert made.exit_code == 0, made.output
    assert "Site and operator" not in plain.read_text()


def test_the_frontiers_saved_words_name_no_cli_option(run: Runner, deals: Path) -> None:
    """The frontier's JSON (which the web's frontier page and the status memo read) said
    "solve --mode nash on the partner alone" of its Nash point and "--jointly re-plans the
    other deals" in its no-zone note: words of one shell, saved for all."""
    held = run("frontier", deals / "portfolios/global.yaml", "-p", "MY", "--points", "3", "--json")
    assert held.exit_code == 0, held.output
    notes = json.loads(held.stdout)["notes"]
    assert any("the joint frontier re-plans the other deals at each point" in n for n in notes)
    ae = run("frontier", deals / "portfolios/gulf-asia.yaml", "-p", "AE", "--points", "3", "--json")
    assert ae.exit_code == 0, ae.output
    nash = json.loads(ae.stdout)["nash"]
    # exact on the partner's curves since qa48-frontier (a nash solve before)
    assert nash["method"] == "exact over every deal of the partner, others held"
    assert not [w for w in [*notes, nash["method"]] if "--" in w]


@pytest.mark.parametrize("button", ["save", "improve"])
def test_a_refused_editor_button_says_not_done_in_its_tab(client: Any, button: str) -> None:
    """A refused round form's tab says "Not done: ..."; the editor's refused Save or Find
    improvements kept the editor's plain title (qa42b-web's Left), as if it had been done."""
    editor = client.get("/p/gulf-asia/editor?partner=QA")
    assert "<title>Not done" not in editor.text
    action = f"/p/gulf-asia/{button}?partner=QA"
    assert action in editor.text
    sent = {CSRF_FIELD: csrf_for(WEB_TOKEN), "partner": "QA", "note": "x" * (300 * 1024)}
    refused = client.post(action, data=sent)
    assert refused.status_code == 413, refused.text[:2000]
    assert "<title>Not done: " in refused.text
