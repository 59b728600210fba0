"""The documents a principal receives, session 39 (qa39-docs). Each test failed before its
fix (docs/decisions.md, "Session 39 (qa39-docs)")."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from dealbench.analyze.compare import compare
from dealbench.analyze.memo import options_facts
from dealbench.model import load_portfolio
from dealbench.model.regimes import REGIMES, find_regime
from dealbench.render import render_document
from dealbench.render.options_memo import options_memo_document
from helpers import REPO, invoke

pypdf = pytest.importorskip("pypdf")

GULF = REPO / "deals/portfolios/gulf-asia.yaml"

#: The shipped demo's package for Qatar (`dealbench demo`'s out/packages/QA.yaml).
QA_PACKAGE = """partner: QA
security: veu
compute: {2026: 47_100, 2027: 47_200, 2028: 150_000}
concessions: {invest-us: 100bn, qia-us-ai-stakes: 5bn, pax-silica: true, us-operated: true,
  no-prc-hardware: true}
"""


def _deal_memo(deals: Path, package: str, name: str = "qa.yaml") -> str:
    path = deals / "packages" / name
    path.write_text(package)
    out = deals.parent / "memo"
    r = invoke(
        [
            "render",
            path,
            "--portfolio",
            deals / "portfolios/gulf-asia.yaml",
            "--doc",
            "deal-memo",
            "--format",
            "md,html",
            "--out",
            out,
        ]
    )
    assert r.exit_code == 0, r.output
    return (out / "memos" / f"QA{name.removeprefix('qa').removesuffix('.yaml')}.md").read_text()


def _sides(md: str) -> list[tuple[dict[str, str], str]]:
    """Each table of "What each side gets" (its rows: label to figure, bold marks dropped)
    with the paragraph under it ('' when the next table follows)."""
    text = md.split("## What each side gets\n", 1)[1].split("![", 1)[0]
    out = []
    for block in re.split(r"\n(?=\| (?:United States|Partner) \| Value \|)", text.strip()):
        lines = block.strip().splitlines()
        rows = [ln for ln in lines if ln.startswith("|")][2:]
        table = {}
        for row in rows:
            label, figure = (c.strip().strip("*") for c in row.strip("|").split("|"))
            table[label] = figure
        out.append((table, " ".join(ln for ln in lines if not ln.startswith("|")).strip()))
    return out


def test_a_valuation_table_says_what_its_rows_add_up_to_as_printed(deals: Path) -> None:
    """`dealbench demo`, memos/QA.md (and term-sheets/QA-internal.md): "What each side
    gets" printed US value of concessions $10.25bn, export value $1.95bn, less a risk
    penalty of $1.03bn, over a US utility of $11.18bn: as printed they make $11.17bn, and
    nothing said why (IN: $7.14bn over $7.13bn; global's JP $37.92bn over $37.93bn). A
    hand-made Qatar (walk-away value 1.234bn) printed a partner utility of $1.55bn, a
    walk-away value plus margin of $1.28bn and a partner margin of +$263.4m, not the
    $270.0m they make. Every other money total that its rows miss says so (the portfolio
    memo's `us_value_note`); each table of what each side gets now does too, in every
    format (`termsheet.sides_notes`)."""
    (us, us_note), (partner, partner_note) = _sides(_deal_memo(deals, QA_PACKAGE))
    assert us["US value of concessions"] == "$10.25bn"
    assert us["US utility"] == "$11.18bn"
    assert us_note == (
        "Each total is the exact figure, rounded; each row is rounded on its own, and as "
        "printed the rows above the US utility add up to $11.17bn."
    )
    # $8.55bn - $5.60bn - $900.0m: $2.05bn, where $2.0505bn is printed to tell it from
    # the $2.05bn it must clear; the margin ($2.0505bn - $2.05bn) adds up.
    assert partner["Partner utility"] == "$2.0505bn"
    assert partner_note.endswith("the rows above the partner utility add up to $2.05bn.")

    qa = deals / "partners/qa.yaml"
    text = qa.read_text().replace("\nbatna: 2bn ", "\nbatna: 1.234bn ")
    qa.write_text(text.replace("\nvalue_per_h100e: 35k", "\nvalue_per_h100e: 33.3k"))
    small = (
        "partner: QA\nsecurity: veu\ncompute: {2026: 37_000, 2027: 41_000, 2028: 0}\n"
        "concessions: {qia-us-ai-stakes: 1bn, pax-silica: true}\n"
    )
    (us, us_note), (partner, partner_note) = _sides(_deal_memo(deals, small, "qa-small.yaml"))
    assert (partner["Partner utility"], partner["Partner margin"]) == ("$1.55bn", "+$263.4m")
    assert partner["Partner walk-away value plus required margin"] == "$1.28bn"
    assert partner_note.endswith(
        "the partner utility less its walk-away value plus the required margin is +$270.0m."
    )
    assert us_note == ""  # $1.15bn + $624.0m - $327.6m is the $1.45bn printed
    html = (deals.parent / "memo/memos/QA-small.html").read_text()
    assert "<p>Each total is the exact figure, rounded;" in html


def test_the_options_memos_us_utility_keeps_its_parts_on_its_page() -> None:
    """`compare deals/portfolios/gulf-asia.yaml --render pdf,docx`: the PDF's side-by-side
    table ended page 1 on "US utility" and began page 2 with "of which concessions", a
    total apart from its parts (left by qa38-docs). Each "of which" row now stays with the
    row above it: `tr.part { break-before: avoid }` in print, Word's "keep with next" on
    the rows above one in the DOCX."""
    pf = load_portfolio(GULF)
    comparison, _ = compare(pf, [find_regime(r, GULF) for r in REGIMES])
    doc = options_memo_document(options_facts(comparison), pf, digest=comparison.fingerprint)
    files = {f.path.rsplit(".", 1)[1]: f.data for f in render_document(doc, ["pdf", "docx"])}
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages]
    where = [i for i, text in enumerate(pages) if re.search(r"^US utility ", text, re.M)]
    parts = [i for i, text in enumerate(pages) if "of which no-deal losses" in text]
    assert len(where) == 1 and where == parts, (where, parts)
    assert "of which concessions" in pages[where[0]]

    table = next(
        t for t in docx.Document(io.BytesIO(files["docx"])).tables if t.cell(0, 0).text == "Measure"
    )
    keeps = {
        row.cells[0].text: all(p.paragraph_format.keep_with_next for p in row.cells[0].paragraphs)
        for row in table.rows
    }
    assert keeps["US utility"] and keeps["of which risk penalty"]
    assert not keeps["of which no-deal losses"] and not keeps["H100e exported in 2027"]
