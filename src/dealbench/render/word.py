"""DOCX from the print HTML, with real Word styles and revision marks, byte for byte stable.

The HTML of a document (a small, known subset: headings, paragraphs, lists,
tables, figures, definition lists, strong/em/code, del/ins) maps onto Word's built-in
styles: h1 Title, h2 Heading 1, h3 Heading 2, tables in Table Grid with a repeated
header row, rows kept on one page and columns as wide as their text needs
(`word_tables`), `ol.clauses` as Word-numbered clauses ("5.1.", "5.2." ...), a glossary's
terms as bold lines above their indented definitions, a figure kept on the page of its
caption, each annex on a new page as the print style sheet starts it, and
`<del>`/`<ins>` as tracked changes (`w:del`/`w:ins`, by a fixed author, dated with the
document date). The page, the properties, the language of the text (`<html lang>`)
and the zip with fixed entry dates: `word_package`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from typing import Any

from dealbench.render import word_tables as layout
from dealbench.render.word_package import (
    AUTHOR,
    app_properties,
    body_size,
    core_properties,
    page_setup,
    set_language,
    settings,
    stable_zip,
)
from dealbench.render.word_package import style_or_normal as _style

HEADINGS = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
PARAGRAPH_STYLES = {
    "status": "Subtitle",
    "recommendation": "Quote",
    "verdict": "Quote",
}
CONTAINERS = {"section", "div", "header", "footer", "main", "article", "body", "thead", "tbody"}
SKIP = {"style", "script", "title", "meta", "head", "hr"}
#: Sections the print style sheet starts on a new page (`break-before: page`).
PAGE_BREAK_BEFORE = {"annex", "annex-data"}
#: A definition's indent under its term (the style sheet's `dd` margin, 1.2rem).
DEFINITION_INDENT_CM = 0.85
_SPACE = re.compile(r"\s+")
_MINUS_AMOUNT = re.compile(r"(?<![\w$])-(?=\$\d)")


@dataclass(frozen=True)
class Fmt:
    """Inline formatting in force: bold, italic, monospace, and a tracked change."""

    bold: bool = False
    italic: bool = False
    mono: bool = False
    strike: bool = False
    underline: bool = False
    change: str | None = None  # "ins" or "del"
    size: float | None = None  # points; None: the paragraph style's


class _Writer:
    """Walks the HTML body and writes Word paragraphs, tables and pictures."""

    def __init__(self, document: Any, date: dt.date | None) -> None:
        self.doc = document
        self.date = None if date is None else f"{date.isoformat()}T00:00:00Z"
        self.change_id = 0
        self.at_start = True
        self.page_break = False  # the next paragraph starts a page
        self.after_heading = False  # the last block written was a heading
        self.body_size = body_size(document)
        section = document.sections[0]
        emu = section.page_width - section.left_margin - section.right_margin
        self.text_width = emu / 12700  # points

    # --- blocks --------------------------------------------------------------------------

    def blocks(self, parent: Any) -> None:
        for el in parent:
            if not isinstance(el.tag, str) or el.tag in SKIP:
                continue
            self.block(el)

    def block(self, el: Any) -> None:
        tag, cls = el.tag, el.get("class", "")
        after_heading = self.after_heading
        if tag not in CONTAINERS:  # a section's first paragraph follows the heading above it
            self.after_heading = tag in HEADINGS
        if tag in HEADINGS:
            self.paragraph(el, HEADINGS[tag])
        elif tag == "p":
            para = self.paragraph(el, PARAGRAPH_STYLES.get(cls.split(" ")[0], "Normal"))
            # a heading's first line stays with what it introduces, as the style sheet's
            # `h2 + p { break-after: avoid }` keeps it (Word keeps a heading with its next)
            para.paragraph_format.keep_with_next = after_heading or None
        elif tag == "ol" and ("clauses" in cls or "parties" in cls):
            self.numbered(el, el.get("data-prefix", ""))
        elif tag == "ol":
            self.numbered(el, "")
        elif tag == "ul":
            items = el.findall("li")
            for i, li in enumerate(items):
                para = self.paragraph(li, "List Bullet")
                if i == len(items) - 2:  # the last item not alone at a page's head (as the PDF)
                    para.paragraph_format.keep_with_next = True
        elif tag == "dl":
            self.definitions(el)
        elif tag == "table":
            self.table(el)
        elif tag == "figure":
            self.figure(el)
        elif tag in CONTAINERS:
            self.page_break = self.page_break or bool(PAGE_BREAK_BEFORE & set(cls.split()))
            self.blocks(el)
        else:
            self.paragraph(el, "Normal")

    def new_paragraph(self, style: str) -> Any:
        para = self.doc.add_paragraph(style=_style(self.doc, style))
        if self.page_break:
            para.paragraph_format.page_break_before = True
            self.page_break = False
        return para

    def paragraph(self, el: Any, style: str, fmt: Fmt = Fmt()) -> Any:
        para = self.new_paragraph(style)
        self.fill(para, el, fmt)
        return para

    def definitions(self, el: Any) -> None:
        """A glossary: each term a bold line kept with its definition, indented below."""
        from docx.shared import Cm

        children = list(el)
        terms = [i for i, child in enumerate(children) if child.tag == "dt"]
        for i, child in enumerate(children):
            if child.tag == "dt":
                term = self.paragraph(child, "Normal", Fmt(bold=True))
                term.paragraph_format.keep_with_next = True
                term.paragraph_format.space_after = 0
            elif child.tag == "dd":
                definition = self.paragraph(child, "Normal")
                definition.paragraph_format.left_indent = Cm(DEFINITION_INDENT_CM)
                # The last entry kept with the one before it, not alone on the last page
                # (as the PDF: the portfolio memo's "Security levels").
                if len(terms) > 1 and i + 1 == terms[-1]:
                    definition.paragraph_format.keep_with_next = True

    def fill(self, para: Any, el: Any, fmt: Fmt) -> None:
        self.at_start = True
        self.inline(para, el, fmt, skip_numbers=False)

    def numbered(self, el: Any, prefix: str) -> None:
        num_id = _numbering(self.doc, prefix)
        for li in el.iterfind("li"):
            para = self.new_paragraph("List Number")
            _set_num(para, num_id)
            self.at_start = True
            self.inline(para, li, Fmt(), skip_numbers=True)

    def table(self, el: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        rows = [tr for tr in el.iter("tr")]
        cells = [layout.row_cells(tr) for tr in rows]
        width = max((sum(c.span for _, c in row) for row in cells), default=0)
        if not rows or not width:
            return
        if self.page_break:  # a table that starts a page: a paragraph carries the break
            self.new_paragraph("Normal")
        size = layout.table_size(self.body_size, el.get("class", ""))
        texts = [[text for _, text in row] for row in cells]
        stretch = "meta" not in el.get("class", "").split()  # the style sheet's width: auto
        widths = layout.column_widths(texts, width, size, self.text_width, stretch)
        table = self.doc.add_table(rows=len(rows), cols=width)
        body = [r for r, tr in enumerate(rows) if tr.getparent().tag == "tbody"]
        # as the print style sheet's tbody; a table of sentences' rows break as text does
        sentences = "sentences" in el.get("class", "").split()
        edges = {body[0], body[-1] - 1} if body and not sentences else set()
        table.style = _style(self.doc, "Table Grid")
        for r, tr in enumerate(rows):
            header = tr.getparent().tag == "thead"
            if header:
                _repeat_header(table.rows[r])
            bold = header or "total" in tr.get("class", "")
            # The row's cells, one per column, read once before its merges: `table.cell`
            # reads every cell of the table each call, and a table's rows cost the square
            # of its cells (7 of a DOCX's 10 s in a comparison's memos). A merge removes
            # the cells it swallows and keeps the others, so each index names the cell
            # `table.cell(r, col)` would.
            row_cells = table.rows[r].cells
            col = 0
            for cell_el, text in cells[r]:
                cell = row_cells[col]
                if text.span > 1:
                    cell = cell.merge(row_cells[min(col + text.span, width) - 1])
                para = cell.paragraphs[0]
                self.fill(para, cell_el, Fmt(bold=bold, size=size))
                if "num" in cell_el.get("class", ""):
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                col += text.span
            if layout.row_lines(texts[r], widths, size) <= layout.MAX_UNSPLIT_LINES:
                _cant_split(table.rows[r])
            whole = "valuation" in el.get("class", "").split()  # `break-inside: avoid`
            if r + 1 < len(rows) and (
                whole or "part" in rows[r + 1].get("class", "").split() or r in edges
            ):
                # the next row is a part of this one ("of which"), or of the same sum (what
                # each side gets), or this is the body's first row or the one before its
                # last (no row alone at the foot or head of a page): on the same page
                for cell in table.rows[r].cells:
                    for para in cell.paragraphs:
                        para.paragraph_format.keep_with_next = True
        _set_widths(table, widths)
        _alt_text(table, *layout.alt_text(el))
        self.doc.add_paragraph(style="Normal")

    def figure(self, el: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        for img in el.iter("img"):
            src = img.get("src", "")
            if not src.startswith("data:image/png;base64,"):
                continue
            data = base64.b64decode(src.split(",", 1)[1])
            shape = self.doc.add_picture(io.BytesIO(data), width=Cm(16))
            # the chart in words (the image's alt): Word's alternative text, read aloud
            shape._inline.docPr.set("descr", _SPACE.sub(" ", img.get("alt", "")).strip())
            picture = self.doc.paragraphs[-1]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # on the page of its caption, as `figure { break-inside: avoid }` keeps it
            picture.paragraph_format.keep_with_next = el.find(".//figcaption") is not None
        for caption in el.iter("figcaption"):
            self.paragraph(caption, "Caption")

    # --- inline content ------------------------------------------------------------------

    def inline(self, para: Any, el: Any, fmt: Fmt, *, skip_numbers: bool) -> None:
        self.text(para, el.text, fmt)
        for child in el:
            if not isinstance(child.tag, str):
                self.text(para, child.tail, fmt)
                continue
            classes = child.get("class", "").split()
            if child.tag == "span" and (
                {"sep", "sr-only"} & set(classes) or (skip_numbers and "n" in classes)
            ):
                # A clause number Word numbers itself, a space only for the eye between a
                # deletion and an insertion (Word shows tracked changes side by side), or
                # a redline's "Deleted: " for a screen reader (Word's revisions say it).
                self.text(para, child.tail, fmt)
                continue
            if child.tag == "br":
                para.add_run().add_break()
            else:
                child_fmt = _child_fmt(child.tag, "legend" in classes, fmt)
                self.inline(para, child, child_fmt, skip_numbers=skip_numbers)
            self.text(para, child.tail, fmt)

    def text(self, para: Any, text: str | None, fmt: Fmt) -> None:
        from docx.oxml import OxmlElement
        from docx.shared import Pt

        if not text:
            return
        text = _SPACE.sub(" ", text)
        if self.at_start:
            text = text.lstrip()
        if not text:
            return
        self.at_start = False
        run = para.add_run()
        for i, piece in enumerate(text.split("\u00ad")):  # a soft hyphen: Word's own mark
            if i:
                run._r.append(OxmlElement("w:softHyphen"))
            # A minus before a dollar amount is Word's non-breaking hyphen: "-" at a line's
            # end and "$2.00bn" on the next read as a dash (`filters.SIGNED_AMOUNT`).
            for j, part in enumerate(_MINUS_AMOUNT.split(piece)):
                if j:
                    run._r.append(OxmlElement("w:noBreakHyphen"))
                if part:
                    run._r.add_t(part)
        run.bold = fmt.bold or None
        if fmt.size:
            run.font.size = Pt(fmt.size)
        run.italic = fmt.italic or None
        if fmt.mono:
            run.font.name = "Consolas"
        run.font.strike = fmt.strike or None
        run.underline = fmt.underline or None
        if fmt.change:
            self.track(run, fmt.change)

    def track(self, run: Any, change: str) -> None:
        """Wrap a run in a Word revision mark: `w:ins`, or `w:del` with `w:delText`."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.change_id += 1
        mark = OxmlElement(f"w:{change}")
        mark.set(qn("w:id"), str(self.change_id))
        mark.set(qn("w:author"), AUTHOR)
        if self.date:
            mark.set(qn("w:date"), self.date)
        run._r.addprevious(mark)
        mark.append(run._r)
        if change == "del":
            for t in run._r.iter(qn("w:t")):
                t.tag = qn("w:delText")


def _child_fmt(tag: str, legend: bool, fmt: Fmt) -> Fmt:
    if tag in ("strong", "b", "th"):
        return replace(fmt, bold=True)
    if tag in ("em", "i"):
        return replace(fmt, italic=True)
    if tag == "code":
        return replace(fmt, mono=True)
    if tag in ("ins", "del") and legend:  # explains the marks: shown, not a tracked change
        return replace(fmt, strike=tag == "del", underline=tag == "ins")
    if tag in ("ins", "del"):
        return replace(fmt, change=tag)
    return fmt


def _cant_split(row: Any) -> None:
    """Keep the row on one page (`tr { break-inside: avoid }` in the print style sheet)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _set_widths(table: Any, widths: list[float]) -> None:
    """Fixed column widths (points): the grid, each cell and the table's own width."""
    from docx.oxml.ns import qn

    twips = [int(w * 20) for w in widths]
    table.autofit = False  # a fixed layout: Word keeps these widths
    tbl = table._tbl
    for grid_col, w in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), twips, strict=True):
        grid_col.set(qn("w:w"), str(w))
    table_width = tbl.tblPr.find(qn("w:tblW"))
    if table_width is not None:
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(sum(twips)))
    for tr in tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            tc.width = sum(twips[col : col + tc.grid_span]) * 635  # EMU
            col += tc.grid_span


def _alt_text(table: Any, title: str, description: str) -> None:
    """Word's alternative text of a table (Table Properties, Alt Text): its title and
    description, last in `w:tblPr` as the schema orders them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tag, text in (("w:tblCaption", title), ("w:tblDescription", description)):
        if text:
            prop = OxmlElement(tag)
            prop.set(qn("w:val"), text)
            table._tbl.tblPr.append(prop)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _numbering(document: Any, prefix: str) -> int:
    """A new Word list numbered `{prefix}1.`, `{prefix}2.` ...; returns its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.iterfind(qn("w:abstractNum"))]
    abstract_id = max(ids, default=0) + 1
    indent = 720 if not prefix else 900
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{prefix}%1."/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="{indent}"/></w:pPr></w:lvl>'
        "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return int(numbering.add_num(abstract_id).numId)


def _set_num(para: Any, num_id: int) -> None:
    p_pr = para._p.get_or_add_pPr()
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def html_to_docx(html: str, date: dt.date | None, reference: bytes | None = None) -> bytes:
    """A Word document from a dealbench HTML document.

    `reference` is a house Word document, used as pandoc uses its reference
    document: its styles (fonts, headings, numbering, table style), page setup,
    header (letterhead) and footer; its body text is dropped.
    """
    import docx
    from lxml import html as lxml_html  # type: ignore[import-untyped]

    tree = lxml_html.document_fromstring(html)
    meta = {m.get("name"): m.get("content", "") for m in tree.iter("meta") if m.get("name")}
    meta["title"] = tree.findtext(".//title") or ""
    meta["lang"] = tree.get("lang", "")
    document = docx.Document(io.BytesIO(reference) if reference else None)
    if reference:
        _clear_body(document)
    body = tree.find("body")
    banner = body.find("p[@class='banner']") if body is not None else None
    # The marking goes in the header of every page, page 1's too: not also in the body,
    # where page 1 showed it twice (the PDF, which has no header on page 1, keeps both).
    if banner is not None:
        banner.drop_tree()
    page_setup(document, meta.get("dcterms.identifier", ""), _text(banner), bool(reference))
    settings(document, house=bool(reference))
    writer = _Writer(document, date)
    if body is not None:
        writer.blocks(body)
    if meta["lang"]:
        set_language(document, meta["lang"])
    core_properties(document, meta, date)
    app_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def _clear_body(document: Any) -> None:
    """Drop a reference document's own text, keeping its section properties (page, header)."""
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _text(el: Any) -> str | None:
    return None if el is None else " ".join(el.text_content().split())
