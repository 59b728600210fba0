"""Session 47 (qa47-documents): the documents a negotiator signs and principals read, read
as they would read them (pages of the PDF, the DOCX's text and tables)."""

from __future__ import annotations

import subprocess
import tempfile

from dealbench.render.documents import render_document


def _pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, as pdftotext reads it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return text.split("\f")[:-1]


def _limit_row(label: str, partners: int) -> dict[str, object]:
    """A row of "What each limit costs" as a supply limit of the shipped portfolios has it:
    what lifting it changes runs to a long paragraph (a deal for each of `partners`)."""
    changes = [
        f"Partner {n} (P{n}) gains a deal: Validated-end-user data centres with US-approved "
        "security; Enforcement of the Entity List and the SDN List"
        for n in range(partners)
    ]
    return {"label": label, "limit": 1e6, "unit": "H100e", "usd_per_unit": 4160.0,
            "cost": 21.57e9, "changes_in_titles": changes, "compute_moves": True,
            "price_warnings": []}  # fmt: skip


def test_a_limits_long_row_never_lands_on_a_page_without_the_tables_header() -> None:
    """`compare gulf-asia --out --render pdf`: the bilateral memo for principals began its
    "What each limit costs" on page 6, its first row without the header row (the figures
    "1,000,000 H100e  $4,160 per H100e  $21.57bn" under no column's name), after two pages
    holding only the heading and its paragraph's two halves; under repeal two pages had no
    header. Each row of what lifting a limit changes runs most of a page, so the print
    style's "no row alone at the foot or head of a page" and "a row on one page" could not
    hold, and WeasyPrint dropped the header. Such a table's rows break as text does."""
    from dealbench.render.principals_memo import principals_memo_document
    from golden.support import demo_source

    rows = [_limit_row(f"Supply in {year}", 9) for year in (2026, 2027, 2028)]
    rows.append(_limit_row("AE: the tier 2 cap under veu", 0))
    doc = principals_memo_document(demo_source(), rows, prices_note=None)
    [pdf] = render_document(doc, ["pdf"])
    pages = _pages(pdf.data)
    table = [i for i, page in enumerate(pages) if "Partner 1 (P1)" in page or "$21.57bn" in page]
    assert table
    for i in table:
        assert "What lifting it changes" in pages[i], f"page {i + 1} has rows without a header"
    heading = next(i for i, page in enumerate(pages) if "What each limit costs" in page)
    # the table begins under its heading and paragraph, not pages after them
    assert table[0] == heading
    assert len(table) <= 3  # four rows, not a page and more each


def test_the_docx_lets_a_limits_long_row_leave_the_next_row_for_the_next_page() -> None:
    """The DOCX as the PDF: the rows of "What each limit costs" are not kept with the row
    after them (two rows of most of a page each cannot share one), and a row that runs
    past a page may break."""
    import io

    import docx
    from docx.oxml.ns import qn

    from dealbench.render.principals_memo import principals_memo_document
    from golden.support import demo_source

    rows = [_limit_row(f"Supply in {year}", 9) for year in (2026, 2027, 2028)]
    doc = principals_memo_document(demo_source(), rows, prices_note=None)
    [word] = render_document(doc, ["docx"])
    document = docx.Document(io.BytesIO(word.data))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Limit")
    for row in table.rows[1:]:
        assert not any(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
        assert row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None
    # a table of figures keeps its first body row with the next, as before
    allocation = next(t for t in document.tables if t.rows[0].cells[0].text == "H100e")
    assert allocation.rows[1].cells[0].paragraphs[0].paragraph_format.keep_with_next
