"""DOCX styled from an agency's reference Word document (issue 12, item 5), as pandoc does."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.shared import Pt

from dealbench.render.documents import documents_for, render_document
from dealbench.render.sources import load_source
from golden.support import COUNTER, DEMO_PORTFOLIO


def house_reference(folder: Path) -> None:
    """A reference document: a letterhead, Arial 12 pt, and body text that must not leak."""
    ref = docx.Document()
    ref.styles["Normal"].font.name = "Arial"
    ref.styles["Normal"].font.size = Pt(12)
    ref.sections[0].header.paragraphs[0].text = "MINISTRY OF EXAMPLE AFFAIRS"
    ref.add_paragraph("Sample body text of the reference document.")
    ref.save(str(folder / "reference.docx"))


def test_docx_takes_letterhead_and_fonts_from_the_reference(tmp_path: Path) -> None:
    house_reference(tmp_path)
    [doc] = documents_for(load_source(COUNTER, DEMO_PORTFOLIO), "term-sheet", partners=["AE"])
    [plain] = render_document(doc, ["docx"])
    [styled] = render_document(doc, ["docx"], str(tmp_path))
    document = docx.Document(io.BytesIO(styled.data))
    header = " ".join(p.text for p in document.sections[0].header.paragraphs)
    assert "MINISTRY OF EXAMPLE AFFAIRS" in header
    assert "SENSITIVE" in header.upper()  # the handling marking stays
    assert document.styles["Normal"].font.name == "Arial"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Sample body text" not in text
    assert "1. Participants" in text and "Annex A: Compute schedule" in text
    footer = " ".join(p.text for p in document.sections[0].footer.paragraphs)
    assert doc.context["doc"]["id"] in footer
    assert docx.Document(io.BytesIO(plain.data)).styles["Normal"].font.name != "Arial"


def test_a_reference_without_word_table_styles_still_works(tmp_path: Path) -> None:
    house_reference(tmp_path)
    ref = docx.Document(str(tmp_path / "reference.docx"))
    styles = ref.styles.element
    for style in list(styles):
        if style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId") in (
            "TableGrid",
            "ListNumber",
        ):
            styles.remove(style)
    ref.save(str(tmp_path / "reference.docx"))
    [doc] = documents_for(load_source(COUNTER, DEMO_PORTFOLIO), "term-sheet", partners=["AE"])
    [styled] = render_document(doc, ["docx"], str(tmp_path))
    assert len(docx.Document(io.BytesIO(styled.data)).tables) >= 2
