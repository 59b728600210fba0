"""Every document as a principal sees it: on a phone, on a page, in Word, from awkward
inputs (a 70-character name, twelve quarters), and where its files go (docs-layout)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import DATA, Runner, invoke, phone_screen

browser = e2e.browser

AWKWARD = DATA / "docslayout" / "quarters.yaml"


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The awkward portfolio solved, every document in every format: XL's name is 70
    characters without a space, its concession id 64, a clause carries a URL; twelve
    quarters."""
    out = tmp_path_factory.mktemp("awkward")
    done = invoke(["solve", AWKWARD, "--out", out, "--render", "md,html,docx,pdf"])
    assert done.exit_code == 0, done.stderr
    return out


@pytest.mark.parametrize("name", ["x.md/", "y.pdf/"])
def test_an_out_ending_in_a_slash_is_a_folder_whatever_its_name(
    name: str, tmp_path: Path, run: Runner, solved: Path
) -> None:
    """`render --out x.md/ --format md,html` was refused as "x.md is a .md file but
    --format is md,html", and `solve --out x.md/` as naming a file: the trailing slash,
    which says a folder to the shell and every other tool, was dropped with the path's."""
    out = tmp_path / name
    done = run(
        "render",
        solved / "result.json",
        "--partner",
        "XL",
        "--format",
        "md,html",
        "--out",
        f"{out}/",
    )
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in (out / "term-sheets").iterdir()) == ["XL.html", "XL.md"]
    one = run("render", solved / "result.json", "--partner", "XL", "--out", tmp_path / "z.md")
    assert one.exit_code == 0, one.stderr
    assert (tmp_path / "z.md").is_file()  # without the slash, still the one file
    solve = run("solve", DATA / "tiny" / "portfolio.yaml", "--out", f"{tmp_path / 'solve'}.{name}")
    assert solve.exit_code == 0, solve.stderr
    assert (tmp_path / f"solve.{name}" / "result.json").is_file()


def _outside_the_page(pdf: Path) -> list[str]:
    """The words of `pdf` printed outside its A4 page's text area (20 mm either side)."""
    text = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True)
    margin, outside = 20 / 25.4 * 72, []
    for page in re.finditer(r'<page width="([\d.]+)".*?</page>', text.stdout, re.S):
        right = float(page[1]) - margin
        for word in re.finditer(r'xMin="([\d.]+)" [^>]+ xMax="([\d.]+)" [^>]+>([^<]*)<', page[0]):
            if float(word[1]) < margin - 1 or float(word[2]) > right + 1:
                outside.append(word[3])
    return outside


def test_a_long_name_id_or_url_stays_inside_the_pdf_page(solved: Path) -> None:
    """XL's 70-character name ran off the PDF page in the term sheet's heading and the
    portfolio memo's table of packages, pushing its last columns (US utility, margins,
    risk) past the page's edge, cut off: a table cell did not break a word without a
    space. Every PDF of the awkward portfolio keeps every word on its page."""
    pdfs = sorted(solved.rglob("*.pdf"))
    assert {p.name for p in pdfs} >= {"XL.pdf", "portfolio-quarters.pdf"}
    for pdf in pdfs:
        assert _outside_the_page(pdf) == [], pdf.name
    # breaking long words in cells does not break short ones: "veu", not "ve" over "u"
    memo = solved / "memos" / "portfolio-quarters.pdf"
    text = subprocess.run(["pdftotext", "-layout", memo, "-"], capture_output=True, text=True)
    assert len(re.findall(r"\bveu\b", text.stdout)) >= 2


def _demo_html() -> dict[str, str]:
    from dealbench.render.documents import render_document
    from golden.support import all_documents, demo_source

    return {
        file.path: file.data.decode()
        for doc in all_documents(demo_source())
        for file in render_document(doc, ["html"])
    }


@pytest.mark.browser
def test_every_document_fits_a_phones_screen_its_wide_tables_scroll_inside_them(
    browser: Any, solved: Path, tmp_path: Path
) -> None:
    """On a 390 px phone the term sheet was 408 px wide (SA's 432, the portfolio memo
    671): Annex A's figures do not wrap, and the table widened the page, which then
    scrolled sideways as a whole. Every document of the demo and of the awkward
    portfolio now fits the screen; a table too wide for it scrolls inside its own box."""
    for path, html in _demo_html().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(html)
    pages = [*sorted(tmp_path.rglob("*.html")), *sorted(solved.rglob("*.html"))]
    assert len(pages) > 20
    with phone_screen(browser):
        for page in pages:
            browser.get(page.as_uri())
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, page.name
        browser.get((solved / "memos" / "portfolio-quarters.html").as_uri())
        boxes = browser.execute_script(
            "return [...document.querySelectorAll('div.scroll')]"
            ".map(d => [d.clientWidth, d.scrollWidth])"
        )
        assert any(inner > outer for outer, inner in boxes)  # twelve quarters: it scrolls


def test_a_quarterly_term_sheet_names_its_term_as_the_other_documents_do(solved: Path) -> None:
    """The term sheet alone said "the period from 2026Q1 to 2028Q4 inclusive", where the
    memos (and `solve`) write a span of periods "2026Q1–2028Q4", and no document said what
    "2028Q4" is. The definitions clause now writes the term in the memos' form and says it
    in words; years read as before, in the same form."""
    sheet = (solved / "term-sheets" / "XL.md").read_text()
    memo = (solved / "memos" / "portfolio-quarters.md").read_text()
    assert (
        '"The term" is the period 2026Q1–2028Q4 inclusive (the first quarter of 2026 to the '
        "fourth quarter of 2028), over which compute is delivered" in sheet
    )
    assert "2026Q1–2028Q4" in memo
    from dealbench.list_words import period_words

    assert (period_words("2026H2"), period_words("2027"), period_words("2026H3")) == (
        "the second half of 2026",
        None,
        None,
    )


def test_a_long_name_in_word_breaks_itself_not_the_short_words_beside_it(solved: Path) -> None:
    """The portfolio memo's DOCX gave the packages table's Security column 10 mm beside
    XL's 70-character name: with no room for every column's longest word, every column
    shrank alike, and Word broke "Security" and "veu" mid-word. The widest words break
    first now; a column of short words keeps them whole."""
    import docx

    from dealbench.render.word_tables import CELL_MARGINS_PT, CLASS_SCALE, TABLE_SCALE, text_width

    document = docx.Document(str(solved / "memos" / "portfolio-quarters.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Partner")
    heads = [cell.text for cell in table.rows[0].cells]
    size = 11 * TABLE_SCALE * CLASS_SCALE["deals"]
    for head, column in zip(heads, table.columns, strict=True):
        if head == "Security" or head.startswith("H100e"):  # "H100e, 2026Q1–2028Q4 total"
            words = re.split(r"\s+|(?<=–)", head)  # Word breaks a line after an en dash
            need = max(text_width(w, size, bold=True) for w in words) + CELL_MARGINS_PT
            assert column.width is not None and column.width / 12700 >= need - 0.5, head
    section = document.sections[0]
    room = section.page_width - section.left_margin - section.right_margin
    assert sum(c.width or 0 for c in table.columns) <= room + 12700
