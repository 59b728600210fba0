"""MOU-grade term sheets (issue 12, item 5): sections, clause templates, annexes, chips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dealbench.render.documents import documents_for, render_document
from dealbench.render.sources import load_source
from golden.support import COUNTER, DEMO_PORTFOLIO, REPO, demo_source

CHIPS = """\
partner: AE
side: counter
round: 3
security: veu
compute:
  2026: {chips: 50_000, model: B200}
  2027: 600_000
concessions: {invest-us: 200bn, align-controls: true}
sites: {2026: "Stargate UAE, Abu Dhabi | operated by OpenAI and Oracle"}
"""


def files(doc: object, templates: str | None = None) -> dict[str, str]:
    out = render_document(doc, ["md", "html"], templates)  # type: ignore[arg-type]
    return {f.path.rsplit(".", 1)[1]: f.data.decode() for f in out if not f.path.endswith(".svg")}


def test_the_external_term_sheet_is_a_memorandum_of_understanding() -> None:
    [doc] = documents_for(demo_source(), "term-sheet", partners=["AE"])
    md = files(doc)["md"]
    assert md.startswith("**Sensitive: for discussion between the Participants only**")
    assert "*Non-binding. Draft for discussion. Proposal of the United States.*" in md
    for words in (
        '"H100e"', '"TPP"', '"Delivered compute"', '"D:5"', '"The term"', '"A tranche"',
        "Export Administration Regulations", "ninety days", "amend", "confidential",
        "not referred to a court",
    ):  # fmt: skip
        assert words in md, words
    numbers = re.findall(r"^## (\d+)\. ", md, re.MULTILINE)
    assert numbers == [str(n) for n in range(1, 13)]
    for annex in ("A: Compute schedule", "B: Security conditions", "C: Commitments"):
        assert f"## Annex {annex}" in md
    # every section or annex a clause cites exists
    for cited in re.findall(r"section (\d+)", md):
        assert f"## {cited}. " in md
    for cited in re.findall(r"Annex ([A-Z])\b", md):
        assert f"## Annex {cited}:" in md


def test_no_shipped_clause_cites_an_annex_that_does_not_exist() -> None:
    for path in (REPO / "deals").rglob("*.yaml"):
        assert "annex listed" not in path.read_text(), path
        assert "listed in the annex" not in path.read_text(), path


def test_each_clause_is_a_template_a_house_may_replace(tmp_path: Path) -> None:
    clauses = tmp_path / "clauses"
    clauses.mkdir()
    (clauses / "confidentiality.txt.j2").write_text(
        "Our house rule for {{ partner.name }}: nothing is confidential.\n\nSecond <b>paragraph</b>."
    )
    [doc] = documents_for(demo_source(), "term-sheet", partners=["AE"])
    out = files(doc, str(tmp_path))
    assert "Our house rule for United Arab Emirates: nothing is confidential." in out["md"]
    assert "<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>" in out["html"]  # escaped in HTML
    assert "ninety days" in out["md"]  # the other clauses are the shipped ones


def test_a_package_written_in_chips_shows_the_chips_and_its_sites(tmp_path: Path) -> None:
    package = tmp_path / "ae-chips.yaml"
    package.write_text(CHIPS)
    source = load_source(package, DEMO_PORTFOLIO)
    [sheet] = documents_for(source, "term-sheet", partners=["AE"])
    [memo] = documents_for(source, "deal-memo", partners=["AE"])
    sheet_md, memo_md = files(sheet)["md"], files(memo)["md"]
    assert (
        "| 2026 | 113,694 | 1,800,000,000 | 50,000 B200 | Stargate UAE, Abu Dhabi \\| operated "
        "by OpenAI and Oracle |"
    ) in sheet_md
    # no chips in 2027, and a site named for 2026 alone: "Not named" (session 42)
    assert "| 2027 | 600,000 | 9,499,200,000 |  | Not named |" in sheet_md
    assert "agreed in chips" not in sheet_md  # a tranche in H100e may show chips too (qa35)
    assert (
        "Where Annex A gives a tranche in chips, its H100e and TPP figures are derived" in sheet_md
    )
    assert "| 2026 | 113,694 (50,000 B200) |" in memo_md
    assert "50,000 B200" in files(sheet)["html"]


@pytest.mark.parametrize("audience", ["external", "internal"])
def test_a_counter_says_whose_proposal_it_is(audience: str) -> None:
    source = load_source(COUNTER, DEMO_PORTFOLIO)
    [doc] = documents_for(source, "term-sheet", audience=audience, partners=["AE"])  # type: ignore[arg-type]
    assert "Proposal of the Partner." in files(doc)["md"]


def test_a_level_without_a_clause_of_its_own_is_named_once_in_annex_b(tmp_path: Path) -> None:
    """A policy level without a `clause` gets the default one, which restates its title:
    Annex B read "Security level: Know-your-customer screening. All delivered compute is
    subject to: Know-your-customer screening." A level's own clause still follows its name."""
    from dealbench import load_portfolio, solve

    portfolio = REPO / "tests/data/qa6j/three.yaml"
    result = solve(load_portfolio(portfolio))
    (tmp_path / "result.json").write_text(result.model_dump_json())
    source = load_source(tmp_path / "result.json", portfolio)
    levels = {d.partner: d.security for d in result.deals}
    assert levels["NR"] == "kyc" and levels["BV"] == "veu"  # kyc has no clause, veu has one
    for code, annex in (
        ("NR", "Security level: Know-your-customer screening. Its conditions apply to all "
         "delivered compute."),
        ("BV", "Security level: VEU-grade data centres. All delivered compute is installed in "
         "VEU-grade data centres."),
    ):  # fmt: skip
        [doc] = documents_for(source, "term-sheet", partners=[code])
        md = files(doc)["md"]
        assert annex in md, code
        assert md.count("Know-your-customer screening.") <= 2, md  # section 5 and Annex B
