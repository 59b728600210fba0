"""The Word package around a document's body: page, header and footer, properties, zip.

A4 with 20 mm margins, the handling marking in the header of every page (page 1's too:
the body does not repeat it) and the document id and page number in the footer (or a
house reference document's own page, letterhead and footer); the core properties (title, subject, language, dates) and the extended ones
(the application that wrote it, no counts of another document); the language of the
text for spelling; and the zip written with fixed entry dates, so that equal content
gives equal bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

AUTHOR = "dealbench"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def style_or_normal(document: Any, name: str) -> str | None:
    """`name` if the document (or its reference document) has that style, else Normal's."""
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def page_setup(document: Any, doc_id: str, banner: str | None, house: bool = False) -> None:
    """A4 with 20 mm margins; the document id and "Page N of M" in the footer, as the PDF
    has them (the id at the left margin, the page at the right).

    With a house reference document (`house`), its page size, margins, header
    (letterhead) and footer stay as they are; the document id and page number
    are added below its footer, and the marking above its header.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, RGBColor

    section = document.sections[0]
    if not house:
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
    footer = section.footer.paragraphs[0] if not house else section.footer.add_paragraph()
    footer.style = style_or_normal(document, "Footer")
    tabs = footer.paragraph_format.tab_stops
    for stop in footer.style.paragraph_format.tab_stops:  # the style's centre tab, if any
        tabs.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
    width = section.page_width - section.left_margin - section.right_margin
    tabs.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _footer_run(footer, f"{doc_id}\tPage ")
    _footer_field(footer, "PAGE")
    _footer_run(footer, " of ")
    _footer_field(footer, "NUMPAGES")
    if banner:
        header = section.header.paragraphs[0]
        if house:
            header = header.insert_paragraph_before()
        header.style = style_or_normal(document, "Header")
        # As the PDF's running header and the HTML's banner: centred, in the marking's red.
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(banner.upper())
        run.bold = True
        run.font.color.rgb = RGBColor(0xAA, 0x00, 0x00)


def _footer_run(footer: Any, text: str) -> None:
    from docx.shared import Pt

    footer.add_run(text).font.size = Pt(8)


def _footer_field(footer: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in as it lays the pages out."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    footer._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:rPr>'
            '<w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )


def settings(document: Any, house: bool = False) -> None:
    """Word's settings for a new document: not "Compatibility Mode", not proofread.

    python-docx's template says it was saved by Word 2010 (`compatibilityMode` 14), so
    Word 2013 and later open it in Compatibility Mode, and that its spelling and
    grammar were checked and found clean (`proofState`), which they were not: this
    text is new. A house reference document keeps its own compatibility mode.
    """
    from docx.oxml.ns import qn

    element = document.settings.element
    for state in element.findall(qn("w:proofState")):
        element.remove(state)
    if house:
        return
    for setting in element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def body_size(document: Any) -> float:
    """The body text's size in points: Normal's, else the document default, else Word's 10."""
    from docx.oxml.ns import qn

    size = document.styles["Normal"].font.size
    if size is not None:
        return float(size.pt)
    default = document.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:sz')}")
    return int(default.get(qn("w:val"))) / 2 if default is not None else 10.0


def set_language(document: Any, lang: str) -> None:
    """The text's language, for Word's spelling and grammar: the default of every run."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_default = defaults.find(qn("w:rPrDefault"))
    if run_default is None:
        run_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_default)
    run_props = run_default.find(qn("w:rPr"))
    if run_props is None:
        run_props = OxmlElement("w:rPr")
        run_default.append(run_props)
    mark = run_props.find(qn("w:lang"))
    if mark is None:  # in its place in the schema's order: only these three come after it
        mark = OxmlElement("w:lang")
        later = [run_props.find(qn(f"w:{t}")) for t in ("eastAsianLayout", "specVanish", "oMath")]
        following = next((e for e in later if e is not None), None)
        if following is not None:
            following.addprevious(mark)
        else:
            run_props.append(mark)
    mark.set(qn("w:val"), lang)


#: What docProps/app.xml may keep: Word's counts of a blank page, and the name of the
#: program that saved the template, are not this document's.
_APP_STALE = {"TotalTime", "Pages", "Words", "Characters", "Lines", "Paragraphs"}
_APP_STALE |= {"CharactersWithSpaces", "HeadingPairs", "TitlesOfParts", "AppVersion"}


def app_properties(document: Any) -> None:
    """The extended properties name dealbench as the application, with no stale counts."""
    from lxml import etree  # type: ignore[import-untyped]

    for part in document.part.package.iter_parts():
        if str(part.partname) != "/docProps/app.xml":
            continue
        root = etree.fromstring(part.blob)
        for child in list(root):
            name = etree.QName(child).localname
            if name in _APP_STALE:
                root.remove(child)
            elif name == "Application":
                child.text = AUTHOR
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def core_properties(document: Any, meta: dict[str, str], date: dt.date | None) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    props = document.core_properties
    props.title = meta.get("title", "")
    props.subject = meta.get("dcterms.identifier", "")
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.comments = meta.get("description", "")
    props.keywords = ""
    if meta.get("lang"):  # a house layout without `<html lang>` leaves it unsaid
        props.language = meta["lang"]
    props.revision = 1
    if date is not None:
        props.created = props.modified = dt.datetime(date.year, date.month, date.day)
    else:  # an undated draft: no dates rather than invented ones
        element = props._element
        for tag in ("dcterms:created", "dcterms:modified"):
            for node in element.findall(qn(tag)):
                element.remove(node)
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview of a blank page
            del package.rels[rid]


def stable_zip(data: bytes) -> bytes:
    """The same zip with fixed entry dates and attributes, so equal content gives equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
