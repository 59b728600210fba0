"""Tagged, accessible PDFs (issue 12, item 8): PDF/UA-1 with language and title."""

from __future__ import annotations

import io

import pytest

from dealbench.render.documents import documents_for, render_document
from golden.support import DATE, demo_source

pypdf = pytest.importorskip("pypdf")


@pytest.mark.parametrize(
    ("kind", "audience"), [("term-sheet", "external"), ("portfolio-memo", None)]
)
def test_pdfs_are_tagged_with_language_and_title(kind: str, audience: str | None) -> None:
    source = demo_source()
    doc = documents_for(source, kind, audience=audience, partners=None, date=DATE)[0]  # type: ignore[arg-type]
    [pdf] = render_document(doc, ["pdf"])
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == doc.context["doc"]["title"]
    # the structure tree has real content: headings and paragraphs, not one blob
    tree = root["/StructTreeRoot"].get_object()
    kinds = set()

    def walk(node: object, depth: int = 0) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                kinds.add(str(node["/S"]))
            if depth < 6 and "/K" in node:
                walk(node["/K"], depth + 1)
        elif isinstance(node, list):
            for child in node:
                walk(child, depth + 1)

    walk(tree)
    assert {"/H1", "/P"} <= kinds
