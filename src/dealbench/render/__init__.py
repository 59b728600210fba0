"""Documents: results rendered through Jinja2 templates, in Markdown, HTML, DOCX, PDF and JSON.

from dealbench.io import OutputDir
from dealbench.render import documents_for, load_source, render_document

source = load_source(Path("out/result.json"))          # or a package + its portfolio
files = {}
for doc in documents_for(source, "term-sheet", audience="external"):
    files |= {f.path: f.data for f in render_document(doc, ["md", "html"])}
OutputDir("out").publish(files)    # dealbench.io: all the files or none, never half
"""

from dealbench.render.documents import (
    FORMATS,
    Document,
    RenderedFile,
    documents_for,
    redline_document,
    render_document,
)
from dealbench.render.environment import render_clause, render_template
from dealbench.render.filters import money
from dealbench.render.sources import Source, load_source, source_from_packages, source_from_result
from dealbench.render.termsheet import render_term_sheet, term_sheet_context

__all__ = [
    "FORMATS",
    "Document",
    "RenderedFile",
    "Source",
    "documents_for",
    "load_source",
    "money",
    "redline_document",
    "render_clause",
    "render_document",
    "render_template",
    "render_term_sheet",
    "source_from_packages",
    "source_from_result",
    "term_sheet_context",
]
