"""Issue 13, item 5: data in documents is data — nothing in a partner file forges structure.

A partner whose name, commitment titles and clause texts hold raw HTML, Markdown
emphasis, strike-through, a heading marker, a table bar and a link is rendered
in every document kind (term sheets, memos, redlines) as Markdown, HTML and
DOCX. The loaders refuse `**`, `~~` and line breaks in names already; these
values are put in behind the loader's back, as a library user or a future
loader could, to show the documents themselves hold.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest

from dealbench.model import load_package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.render import Document, documents_for, redline_document, source_from_result
from dealbench.render.documents import render_documents
from dealbench.render.filters import md_escape
from golden.support import COUNTER, DATE, OFFER, PINNED, demo_source

HOSTILE = "<script>alert(1)</script> **X** ~~y~~ | [z](javascript:0) _w_ `v` \\ & co"
HEADING = "# Forged heading"
#: Commitment titles (also the title of a yes/no concession's one level, re-validated).
TITLE = "<script>alert(1)</script> | [z](javascript:0) <i>"
#: A clause written by the data owner: its own text is data too, with its variables.
CLAUSE = "# Forged\n\n**{{ partner.name }}** ~~struck~~ <b>bold</b> | - item"


def hostile_portfolio(pf: Portfolio) -> Portfolio:
    partners = []
    for partner in pf.partners:
        if partner.code == "AE":
            concessions = [
                c.model_copy(update={"title": f"{TITLE} {c.title}", "clause": CLAUSE})
                for c in partner.concessions
            ]
            partner = partner.model_copy(
                update={"name": f"{HOSTILE}\n{HEADING}", "concessions": concessions}
            )
        partners.append(partner)
    return pf.model_copy(update={"partners": partners, "title": f"{HEADING} {HOSTILE}"})


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    pf = hostile_portfolio(demo_source().portfolio)
    source = source_from_result(pf, SolveResult.model_validate_json(PINNED.read_bytes()))
    docs = documents_for(source, "term-sheet", partners=["AE"], date=DATE)
    docs += documents_for(source, "deal-memo", partners=["AE"], date=DATE)
    docs += documents_for(source, "portfolio-memo", date=DATE)
    old, new = load_package(OFFER, pf), load_package(COUNTER, pf)
    for audience in ("external", "internal"):
        docs.append(
            redline_document(
                pf,
                old,
                new,
                labels=(f"{HOSTILE} old", f"{HEADING} new"),
                path=f"redlines/hostile-{audience}",
                audience=audience,
                date=DATE,
            )
        )
    return docs


@pytest.fixture(scope="module")
def rendered(documents: list[Document]) -> dict[str, bytes]:
    return {f.path: f.data for f in render_documents(documents, ["md", "html", "docx"], jobs=1)}


def texts(rendered: dict[str, bytes], suffix: str) -> dict[str, str]:
    found = {p: d.decode() for p, d in rendered.items() if p.endswith(suffix)}
    assert len(found) >= 5, sorted(rendered)
    return found


def test_markdown_holds_no_raw_html(rendered: dict[str, bytes]) -> None:
    for path, text in texts(rendered, ".md").items():
        assert "<script" not in text, path
        assert "<b>" not in text, path
        assert "&lt;script>alert(1)&lt;/script>" in text, path


def test_markdown_holds_no_forged_emphasis_or_strike_through(rendered: dict[str, bytes]) -> None:
    for path, text in texts(rendered, ".md").items():
        # The data's marks are all escaped: `\*\*X\*\*`, never `**X**`.
        assert "**X**" not in text and "~~y~~" not in text and "~~struck~~" not in text, path
        assert "\\*\\*X\\*\\*" in text and "\\~\\~y\\~\\~" in text, path
        assert "[z](javascript" not in text, path


def test_markdown_holds_no_forged_heading_or_table_row(rendered: dict[str, bytes]) -> None:
    for path, text in texts(rendered, ".md").items():
        assert not re.search(r"^\s*#+ Forged", text, re.M), path
        # Every bar of the data is escaped: each row of a table has the bars of its header.
        for table in re.findall(r"(?:^\|.*\n)+", text, re.M):
            rows = table.splitlines()
            bars = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(bars) == 1, (path, rows)
        assert not re.search(r"(?<!\\)\[z\]", text), path


def test_clause_text_of_the_data_owner_is_data(rendered: dict[str, bytes]) -> None:
    sheets = {p: t for p, t in texts(rendered, ".md").items() if p.startswith("term-sheets/")}
    assert sheets
    for path, text in sheets.items():
        assert "\\# Forged" in text and "\\~\\~struck\\~\\~" in text, path
        assert "&lt;b>bold&lt;/b>" in text, path


def test_html_stays_escaped(rendered: dict[str, bytes]) -> None:
    for path, text in texts(rendered, ".html").items():
        assert "<script>alert" not in text and "<b>bold" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
        # HTML does not read Markdown: no backslashes are added there.
        assert "\\*\\*X" not in text, path


def test_docx_holds_the_text_as_written(rendered: dict[str, bytes]) -> None:
    docx = {p: d for p, d in rendered.items() if p.endswith(".docx")}
    assert docx
    for path, data in docx.items():
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; **X** ~~y~~" in xml, path
        assert "<script" not in xml, path


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("**X**", "\\*\\*X\\*\\*"),
        ("~~y~~", "\\~\\~y\\~\\~"),
        ("# Heading", "\\# Heading"),
        ("- item", "\\- item"),
        ("a | b", "a \\| b"),
        ("line\nbreak", "line break"),
        ("_w_ but no_prc", "\\_w\\_ but no_prc"),
        ("[a](b)", "\\[a\\](b)"),
        ("AT&T", "AT&T"),
        ("&amp; &#38;", "&amp;amp; &amp;#38;"),
        ("a < b, <!-- c --> <?d <http://e>", "a < b, &lt;!-- c --> &lt;?d &lt;http://e>"),
        ("> quote, a -> b", "\\> quote, a -> b"),
        ("Côte d'Ivoire, 5. Security, -$1.2bn", "Côte d'Ivoire, 5. Security, -$1.2bn"),
    ],
)
def test_md_escape(value: Any, escaped: str) -> None:
    assert str(md_escape(value)) == escaped
