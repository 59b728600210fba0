"""Every format of the demo's documents: DOCX and PDF parse, nothing internal leaks, same bytes.

Renders the demo's documents (tests/golden/demo-result.json) in Markdown, HTML,
DOCX and PDF once per session; PDF and DOCX work is spread over processes.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from dealbench.checker import DealFigures, evaluate
from dealbench.model import load_package
from dealbench.render import Document, documents_for
from dealbench.render.charts import png, svg
from dealbench.render.documents import auto_jobs, render_documents
from dealbench.render.filters import h100e, money
from dealbench.render.sources import Source
from golden.support import DATE, demo_source, external_documents, redlines

FORMATS = ["md", "html", "docx", "pdf"]


@pytest.fixture(scope="module")
def source() -> Source:
    return demo_source()


@pytest.fixture(scope="module")
def external(source: Source) -> dict[str, bytes]:
    """Every external document of the demo, in every format."""
    docs = external_documents(source)
    return {f.path: f.data for f in render_documents(docs, FORMATS, jobs=auto_jobs(docs, FORMATS))}


@pytest.fixture(scope="module")
def sample(source: Source) -> list[Document]:
    """One document of each kind, internal where it has figures."""
    return (
        documents_for(source, "term-sheet", audience="internal", partners=["AE"], date=DATE)
        + documents_for(source, "deal-memo", partners=["AE"], date=DATE)
        + documents_for(source, "portfolio-memo", date=DATE)
        + redlines(source, ("internal",))
    )


@pytest.fixture(scope="module")
def internal(sample: list[Document]) -> dict[str, bytes]:
    return {f.path: f.data for f in render_documents(sample, FORMATS, jobs=1)}


def text_of(path: str, data: bytes) -> str:
    """What a reader (or a copy-paste) gets out of a file, plus its raw markup where text."""
    if path.endswith(".docx"):
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        parts += [
            p.text for s in document.sections for p in s.footer.paragraphs + s.header.paragraphs
        ]
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts += [
                z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
            ]
        return "\n".join(parts)
    if path.endswith(".pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
    return data.decode("utf-8")


def internal_figures(deal: DealFigures) -> set[str]:
    """Every internal figure of a deal, as the documents format them."""
    amounts = (
        deal.us_value,
        deal.partner_utility,
        deal.batna,
        deal.us_batna,
        deal.us_margin,
        deal.partner_margin,
        deal.acceptance_threshold,
        deal.compute_value,
        deal.concession_cost,
        deal.security_cost,
        deal.export_value,
        deal.risk_penalty,
        deal.us_concession_value,
    )
    figures = {money(a) for a in amounts} | {money(a, signed=True) for a in amounts}
    return figures | {f"{h100e(deal.risk)} risk-weighted", h100e(deal.risk)}


def deals_of(path: str, source: Source) -> list[DealFigures]:
    if path.startswith("redlines/"):
        from golden.support import COUNTER, OFFER

        pf = source.portfolio
        return [evaluate(pf, load_package(p, pf)) for p in (OFFER, COUNTER)]
    code = Path(path).stem.split("-")[0]
    return [source.deal(code)]


# --- nothing internal in an external document -------------------------------------------------


def test_external_documents_carry_no_internal_figure(
    external: dict[str, bytes], source: Source
) -> None:
    assert {Path(p).suffix for p in external} == {".md", ".html", ".docx", ".pdf"}
    leaks = []
    for path, data in sorted(external.items()):
        text = text_of(path, data)
        for deal in deals_of(path, source):
            leaks += [(path, f) for f in sorted(internal_figures(deal)) if f in text]
        leaks += [(path, w) for w in ("BATNA", "walk-away", "risk-weighted", "Moves:") if w in text]
    assert not leaks


def test_the_leak_check_does_see_figures_in_internal_documents(
    internal: dict[str, bytes], source: Source
) -> None:
    deal = source.deal("AE")
    for ext in FORMATS:
        text = text_of(f"x.{ext}", internal[f"term-sheets/AE-internal.{ext}"])
        assert money(deal.us_value) in text and money(deal.batna) in text, ext


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_uses_word_styles_tables_and_numbered_clauses(external: dict[str, bytes]) -> None:
    import docx

    data = external["term-sheets/AE.docx"]
    document = docx.Document(io.BytesIO(data))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "List Number"} <= styles
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == [
        "1. Participants",
        "2. Purpose and status",
        "3. Definitions",
        "4. Compute schedule",
    ]
    clauses = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert clauses and all(p._p.pPr.numPr is not None for p in clauses)
    assert not any(re.match(r"\d+\.\d+\.", p.text) for p in clauses)  # Word numbers them
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        numbering = z.read("word/numbering.xml").decode()
        assert 'w:lvlText w:val="6.%1."' in numbering
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    assert [t.style.name for t in document.tables][:2] == ["Table Grid", "Table Grid"]
    assert document.core_properties.created.date() == DATE
    assert document.core_properties.author == "dealbench"
    assert document.core_properties.subject.startswith("DB-TS-GULF-ASIA-AE-")


def test_docx_redline_uses_word_revision_marks(internal: dict[str, bytes]) -> None:
    data = internal["redlines/redline-AE-offer-001-to-counter-002-internal.docx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
    inserted = re.findall(r"<w:ins ([^>]*)>", xml)
    deleted = re.findall(r"<w:del ([^>]*)>", xml)
    assert len(inserted) >= 3 and len(deleted) >= 3
    for attrs in inserted + deleted:
        assert 'w:author="dealbench"' in attrs and 'w:date="2026-03-01T00:00:00Z"' in attrs
    assert "USD 1.4tn over ten years" in xml.split("<w:delText>", 2)[2]  # the clause, whole
    assert "struck through" in xml and "<w:delText>struck through" not in xml  # the legend


def test_docx_memo_embeds_png_charts(internal: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(internal["memos/portfolio-gulf-asia.docx"])) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(images) == 2 and all(n.endswith(".png") for n in images)


# --- PDF ------------------------------------------------------------------------------------------


def _fonts(reader: object) -> list[object]:
    out = []
    for page in reader.pages:  # type: ignore[attr-defined]
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                out.append(desc.get_object()["/FontDescriptor"].get_object())
    return out


@pytest.mark.parametrize(
    "path", ["term-sheets/AE.pdf", "redlines/redline-AE-offer-001-to-counter-002.pdf"]
)
def test_pdf_parses_with_sane_pages_embedded_fonts_and_fixed_metadata(
    external: dict[str, bytes], path: str
) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(external[path]))
    assert 1 <= len(reader.pages) <= 4
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "United Arab Emirates" in text and "DB-" in text and "Page 1 of" in text
    fonts = _fonts(reader)
    assert fonts
    for descriptor in fonts:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor
    assert reader.metadata["/CreationDate"].startswith("D:20260301")
    assert reader.metadata["/ModDate"].startswith("D:20260301")


def test_pdf_memo_has_its_charts_as_images(internal: dict[str, bytes]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(internal["memos/portfolio-gulf-asia.pdf"]))
    assert 2 <= len(reader.pages) <= 8
    images = {img.name for page in reader.pages for img in page.images}  # resources are shared
    assert len(images) == 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_pdf_term_sheet_page_renders_as_a_printed_page(
    external: dict[str, bytes], tmp_path: Path
) -> None:
    from PIL import Image

    pdf = tmp_path / "AE.pdf"
    pdf.write_bytes(external["term-sheets/AE.pdf"])
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
    pixels = image.tobytes()  # one byte per pixel in mode L
    ink = sum(1 for v in pixels if v < 128) / len(pixels)
    assert 0.01 < ink < 0.25  # text on the page, but not a black page
    top = image.crop((0, 0, width, height // 8))
    assert min(top.tobytes()) < 64  # the title is at the top
    margin = image.crop((0, 0, width // 20, height))
    assert min(margin.tobytes()) > 200  # nothing bleeds into the left margin


# --- the same inputs give the same bytes --------------------------------------------------------


def test_every_format_renders_byte_identical_across_processes(
    sample: list[Document], internal: dict[str, bytes]
) -> None:
    again = {f.path: f.data for f in render_documents(sample, FORMATS, jobs=2)}
    assert again.keys() == internal.keys()
    different = [p for p in sorted(internal) if internal[p] != again[p]]
    assert not different


def test_charts_are_deterministic_and_carry_no_date(sample: list[Document]) -> None:
    chart = sample[-2].charts[0]  # the portfolio memo's allocation chart
    assert svg(chart) == svg(chart) and png(chart) == png(chart)
    text = svg(chart)
    assert text.startswith("<svg") and "dc:date" not in text and "Matplotlib v" not in text
    assert png(chart)[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_is_self_contained_and_printable(
    external: dict[str, bytes], internal: dict[str, bytes]
) -> None:
    for html in (external["term-sheets/AE.html"], internal["memos/portfolio-gulf-asia.html"]):
        text = html.decode()
        assert "<style>" in text and "@media print" in text and "@page" in text
        assert not re.search(r"""(src|href)=["'](?!data:|#)""", text)  # nothing to fetch
        assert '<meta charset="utf-8">' in text
    assert internal["memos/portfolio-gulf-asia.html"].decode().count("<svg") == 2


def test_a_pipe_or_line_break_in_the_data_never_breaks_a_markdown_table() -> None:
    """Names and titles come from data files; in a table cell `|` would split the
    row and a line break would end the table."""
    from dealbench.model import load_portfolio
    from dealbench.optimize import SolveResult
    from dealbench.render import render_document
    from dealbench.render.sources import source_from_result
    from golden.support import DEMO_PORTFOLIO, PINNED

    pf = load_portfolio(DEMO_PORTFOLIO)
    first = pf.partners[0]
    odd = first.model_copy(update={"name": "Alpha | Beta\nGamma"})
    pf = pf.model_copy(update={"partners": [odd, *pf.partners[1:]]})
    result = SolveResult.model_validate_json(PINNED.read_bytes())
    source = source_from_result(pf, result)
    (memo,) = documents_for(source, "portfolio-memo", date=DATE)
    text = render_document(memo, ["md"])[0].data.decode()
    (row,) = [line for line in text.splitlines() if "Alpha" in line]
    assert "Alpha \\| Beta Gamma" in row
    header = next(line for line in text.splitlines() if line.startswith("| Partner"))
    unescaped = re.compile(r"(?<!\\)\|")
    assert len(unescaped.findall(row)) == len(unescaped.findall(header))
