"""The DOCX documents as a word processor lays them out (qa18-office).

Each demo document was opened in LibreOffice (DOCX to PDF, pages looked at) beside its
HTML and WeasyPrint PDF. What a principal saw wrong is asserted here on the Word XML
itself, with python-docx: the required tests need no word processor. One optional
test converts a memo with LibreOffice when `soffice` is installed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from dealbench.render.documents import render_document
from dealbench.render.word import html_to_docx
from dealbench.render.word_tables import text_width
from golden.support import all_documents, demo_source
from helpers import REPO, Runner

#: Width of a figure in Word's body font (Cambria's digits are 0.55 em), and Word's
#: default cell margins (5.4 pt each side): a column narrower breaks the figure.
FIGURE_EM = 0.55
CELL_MARGINS_PT = 10.8
FIGURE = re.compile(r"^[-+]?\$?[\d,.]+(bn|tn|m|k)?$")
DOCS = (
    "memos/portfolio-gulf-asia",
    "term-sheets/AE-internal",
    "term-sheets/AE",
    "memos/SA",
    "redlines/redline-AE-offer-001-to-counter-002-internal",
)


@cache
def _rendered() -> dict[str, bytes]:
    docs = {d.path: d for d in all_documents(demo_source())}
    return {path: render_document(docs[path], ["docx"])[0].data for path in DOCS}


def _docx(path: str) -> Any:
    return docx.Document(io.BytesIO(_rendered()[path]))


def _text_width_twips(document: Any) -> int:
    section = document.sections[0]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)


def _size_pt(cell: Any, document: Any) -> float:
    for run in cell.paragraphs[0].runs:
        if run.font.size is not None:
            return float(run.font.size.pt)
    size = document.styles["Normal"].font.size
    return float(size.pt) if size is not None else 11.0


def _assert_tables_fit_with_figures_whole(document: Any, label: str) -> None:
    page = _text_width_twips(document)
    for table in document.tables:
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iterchildren()]
        assert sum(grid) <= page, f"{label}: a table of {sum(grid)} twips on a {page} page"
        for row in table.rows:
            for cell in row.cells:
                para = cell.paragraphs[0]
                if para.alignment != WD_ALIGN_PARAGRAPH.RIGHT:
                    continue
                scale = _size_pt(cell, document) * (1.1 if any(r.bold for r in para.runs) else 1)
                for figure in filter(FIGURE.match, cell.text.split()):
                    need = len(figure) * FIGURE_EM * scale + CELL_MARGINS_PT
                    assert cell.width.pt >= need, f"{label}: {figure!r} in {cell.width.pt:.0f} pt"


@pytest.mark.parametrize("path", DOCS)
def test_every_table_fits_the_page_and_holds_each_figure_on_one_line(path: str) -> None:
    """The portfolio memo's packages table gave its eight columns 2.1 cm each:
    "1,685,000" and "$88.98bn" broke over two lines, "Securit/y", "Emirate/s"."""
    _assert_tables_fit_with_figures_whole(_docx(path), path)


def test_a_pair_of_figures_breaks_between_them_not_inside_one() -> None:
    """The negotiation memo's table, whose "$77.98bn / $14.05bn" cells cannot fit on one
    line each: its gap broke as "$726.2" / "m", its stages as "conclude" / "d"."""
    head = "".join(
        f'<th class="num">{h}</th>' if i in (2, 3, 4, 5, 6) else f"<th>{h}</th>"
        for i, h in enumerate(
            ["Partner", "Stage", "Rounds", "Our last offer: US / partner",
             "Their last counter: US / partner", "Gap (US)", "US gain on the frontier",
             "Next move"]
        )
    )  # fmt: skip
    row = (
        "<tr><td>United Arab Emirates (AE)</td><td>concluded</td><td class='num'>4</td>"
        "<td class='num'>$77.98bn / $14.05bn</td><td class='num'>$78.25bn / $17.50bn</td>"
        "<td class='num'>-$726.2m</td><td class='num'>$0</td><td>await counter</td></tr>"
    )
    html = (
        '<html lang="en-GB"><head><title>T</title></head><body><table class="deals">'
        f"<thead><tr>{head}</tr></thead><tbody>{row * 3}</tbody></table></body></html>"
    )
    document = docx.Document(io.BytesIO(html_to_docx(html, None)))
    _assert_tables_fit_with_figures_whole(document, "negotiations")
    widths = [cell.width.pt for cell in document.tables[0].rows[1].cells]
    stage = text_width("concluded", 8.5) + CELL_MARGINS_PT  # as the layout measures it
    assert widths[1] >= stage - 0.1, f"'concluded' in {widths[1]:.0f} pt"  # 0.1: whole twips


def test_a_column_of_sentences_gets_the_room_and_a_spanning_cell_spans() -> None:
    """The memo for principals' "What each limit costs": four short columns and one of
    sentences, all 3.4 cm wide; the sentences ran over five pages, a word a line. Its
    "No limit binds." row (colspan 5) sat in the first column only."""
    sentence = "United Arab Emirates (AE): adds National champion capped at 20% of compute. "
    html = (
        '<html lang="en-GB"><head><title>T</title></head><body><table><thead><tr>'
        '<th>Limit</th><th class="num">Now</th><th class="num">Worth one more unit</th>'
        '<th class="num">Cost of the whole limit</th><th>What lifting it changes</th></tr>'
        '</thead><tbody><tr><td>Supply in 2026</td><td class="num">1,000,000 H100e</td>'
        f'<td class="num">$4,160 per H100e</td><td class="num">$21.57bn</td><td>{sentence * 8}'
        '</td></tr><tr><td colspan="5">No limit binds.</td></tr></tbody></table></body></html>'
    )
    document = docx.Document(io.BytesIO(html_to_docx(html, dt.date(2026, 3, 1))))
    [table] = document.tables
    grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iterchildren()]
    assert grid[4] > max(grid[:4]) and grid[4] > sum(grid) / 3
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert table.rows[2]._tr.tc_lst[0].grid_span == 5


@pytest.mark.parametrize("path", DOCS)
def test_a_table_row_is_kept_on_one_page(path: str) -> None:
    """The options memo's row "H100e exported in 2026" began on one page and ended on the
    next; the memo for principals' total ("3,600,0" / "00") too."""
    for table in _docx(path).tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_a_term_of_the_glossary_is_a_line_above_its_definition() -> None:
    """The glossary ran together as one paragraph: "H100eH100-equivalents: ... US
    utilityWhat a deal is worth ..."."""
    paragraphs = _docx("memos/portfolio-gulf-asia").paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "H100e")
    term, definition = paragraphs[at], paragraphs[at + 1]
    assert all(run.bold for run in term.runs) and term.paragraph_format.keep_with_next
    assert definition.text.startswith("H100-equivalents: compute counted")
    assert definition.paragraph_format.left_indent and definition.paragraph_format.left_indent > 0
    assert any(p.text == "US utility" for p in paragraphs)


@pytest.mark.parametrize("path", ["memos/portfolio-gulf-asia", "memos/SA"])
def test_a_chart_is_kept_on_the_page_of_its_caption(path: str) -> None:
    """The counter's deal memo had its chart at the foot of page 2 and "Figure 1. ..."
    at the top of page 3."""
    paragraphs = _docx(path).paragraphs
    pictures = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//w:drawing")]
    assert pictures
    for i in pictures:
        assert paragraphs[i].paragraph_format.keep_with_next
        assert paragraphs[i + 1].style.name == "Caption"


def test_each_annex_starts_a_page_as_in_the_pdf() -> None:
    paragraphs = _docx("term-sheets/AE-internal").paragraphs
    starts = {p.text for p in paragraphs if p.paragraph_format.page_break_before}
    assert starts == {"Annex A: Compute schedule", "Annex (internal): valuation"}


@pytest.mark.parametrize("path", DOCS)
def test_the_spelling_is_checked_in_british_english(path: str) -> None:
    """The documents write "authorises", "licence", "unauthorised"; Word checked them as
    US English and underlined them."""
    document = _docx(path)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"
    assert document.core_properties.language == "en-GB"


def test_a_house_reference_without_a_language_gets_one_where_word_expects_it() -> None:
    """Word refuses run properties out of the schema's order ("unreadable content"):
    a house document whose defaults have no `w:lang` but an `w:eastAsianLayout`
    gets the language before it."""
    ref = docx.Document()
    defaults = ref.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    defaults.remove(defaults.find(qn("w:lang")))
    defaults.append(OxmlElement("w:eastAsianLayout"))
    buffer = io.BytesIO()
    ref.save(buffer)
    html = '<html lang="en-GB"><head><title>T</title></head><body><p>Text.</p></body></html>'
    document = docx.Document(io.BytesIO(html_to_docx(html, None, buffer.getvalue())))
    rpr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    tags = [child.tag for child in rpr]
    assert tags.index(qn("w:lang")) == tags.index(qn("w:eastAsianLayout")) - 1
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"


def test_a_layout_that_names_no_language_gets_none_invented() -> None:
    """A house `_layout.html.j2` without `<html lang>`: the DOCX says no language rather
    than an empty one."""
    html = "<html><head><title>T</title></head><body><p>Text.</p></body></html>"
    data = html_to_docx(html, None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert "language" not in core


def test_the_properties_name_dealbench_and_carry_no_counts_of_a_blank_page() -> None:
    """File > Properties said "Microsoft Macintosh Word", 1 page, 0 words."""
    with zipfile.ZipFile(io.BytesIO(_rendered()["memos/portfolio-gulf-asia"])) as archive:
        app = archive.read("docProps/app.xml").decode()
    assert "<Application>dealbench</Application>" in app
    assert "<Pages>" not in app and "<Words>" not in app and "Macintosh" not in app


def test_a_soft_hyphen_is_words_own_mark() -> None:
    """ "Commit&shy;ments" went into Word as a character, not a hyphenation point."""
    document = _docx("memos/portfolio-gulf-asia")
    body = document.element.body
    assert not [t for t in body.iter(qn("w:t")) if "\u00ad" in (t.text or "")]
    assert body.find(f".//{qn('w:softHyphen')}") is not None


@pytest.mark.parametrize("path", ["term-sheets/AE", "memos/portfolio-gulf-asia"])
def test_the_footer_says_page_n_of_m_at_the_right_margin_as_the_pdf_does(path: str) -> None:
    """The DOCX footer read "DB-TS-...    Page 3", the PDF's "Page 3 of 4": a reader
    could not tell a page was missing."""
    document = _docx(path)
    [footer] = [p for p in document.sections[0].footer.paragraphs if p.text.strip()]
    fields = [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert footer.text.endswith("\tPage  of ")  # the fields' text is Word's to fill in
    stops = footer.paragraph_format.tab_stops
    [right] = [t for t in stops if t.alignment == WD_TAB_ALIGNMENT.RIGHT]
    assert right.position == _text_width_twips(document) * 635
    assert all(t.alignment == WD_TAB_ALIGNMENT.CLEAR for t in stops if t.position != right.position)


def test_word_opens_it_as_a_current_document_not_yet_proofread() -> None:
    """Word 2013 and later opened every DOCX in "Compatibility Mode" (python-docx's
    template says Word 2010, `compatibilityMode` 14), and the settings said its spelling
    and grammar had been checked and found clean, so Word had no reason to check them."""
    settings = _docx("term-sheets/AE").settings.element
    modes = [
        s.get(qn("w:val"))
        for s in settings.iter(qn("w:compatSetting"))
        if s.get(qn("w:name")) == "compatibilityMode"
    ]
    assert modes == ["15"]
    assert settings.find(qn("w:proofState")) is None


def test_the_negotiation_memos_table_fits_the_pdf_page(run: Runner, tmp_path: Path) -> None:
    """Compared with its DOCX, the negotiation memo's PDF ran "The negotiations" 8 mm into
    the right margin: each offer and counter cell held "$77.98bn / $14.05bn" on one
    line (figures do not wrap). The pair now takes two lines, in every format but md."""
    import weasyprint

    gulf = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    r = run("room", gulf, "--render", "html", "--out", tmp_path, "--date", "2026-03-31")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "memos" / "negotiation-gulf-asia.html").read_text()
    page = weasyprint.HTML(string=html).render().pages[0]
    box = page._page_box
    cells = [b for b in box.descendants() if type(b).__name__ == "TableCellBox"]
    assert len(cells) > 40
    edge = max(b.position_x + b.margin_width() for b in cells)
    assert edge <= page.width - box.margin_right + 0.5, (edge, page.width)


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and pdftotext are not installed",
)
def test_libreoffice_lays_the_portfolio_memo_out_with_whole_figures(tmp_path: Path) -> None:
    source = tmp_path / "memo.docx"
    source.write_bytes(_rendered()["memos/portfolio-gulf-asia"])
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "memo.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for figure in ("1,685,000", "$88.98bn", "+$96.98bn", "3,600,000", "$174.04bn", "161,303"):
        assert figure in text
    assert "H100e\n" in text and "H100-equivalents: compute counted" in text
