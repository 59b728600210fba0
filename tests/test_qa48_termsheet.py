"""Session 48 (qa48-termsheet): term sheets and redlines read as a lawyer drafting an MOU
reads them: a redline shows the total of Annex A (section 4's figure) as the term sheets
print it."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile

import pytest

from dealbench.model import load_package
from dealbench.render import render_document
from dealbench.render.documents import redline_document, term_sheet_document
from dealbench.render.source import source_from_packages
from golden.support import COUNTER, DATE, OFFER, demo_source

FORMATS = ["md", "html", "docx", "pdf"]


def _redline(old: object, new: object, audience: str = "external") -> dict[str, bytes]:
    doc = redline_document(
        demo_source().portfolio,
        old,  # type: ignore[arg-type]
        new,  # type: ignore[arg-type]
        labels=("US offer, round 1", "The Partner's counter, round 2"),
        path="redline",
        audience=audience,  # type: ignore[arg-type]
        date=DATE,
    )
    return {f.path.rsplit(".", 1)[1]: f.data for f in render_document(doc, FORMATS)}


def _text(fmt: str, data: bytes) -> str:
    """The document's words as a reader of the format reads them, deletions marked
    `~~...~~` and insertions `**...**` (the PDF: its text alone)."""
    if fmt == "md":
        return data.decode()
    if fmt == "html":
        text = re.sub(r'<span class="sr-only">[^<]*</span>', "", data.decode())
        text = re.sub(r"</?del>", "~~", re.sub(r"</?ins>", "**", text))
        return " ".join(re.sub(r"<[^>]+>", " ", text).split())
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml").decode()
        xml = re.sub(r"<w:del\b.*?</w:del>", lambda m: f" ~~{_words(m.group(0))}~~ ", xml)
        xml = re.sub(r"<w:ins\b.*?</w:ins>", lambda m: f" **{_words(m.group(0))}** ", xml)
        return " ".join(_words(xml.replace("</w:tc>", " ")).split())
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True)
    text = " ".join(re.sub(r"(Deleted|Inserted):", "", out.stdout).split())
    # Each page's foot and head (the document id, the page, the marking) between its words.
    return re.sub(r" DB-\S+ Page \d+ of \d+ [A-Z:, ]+(?= [a-z0-9])", "", text)


def _words(xml: str) -> str:
    xml = re.sub(r"<w:(?:t|delText)\b[^>]*>(.*?)</w:(?:t|delText)>", r"\1", xml)
    return re.sub(r"<[^>]+>", "", xml)


# --- 1. a redline's Annex A has the total the term sheets print (section 4's figure) ---------


@pytest.mark.parametrize("audience", ["external", "internal"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_redline_shows_the_total_of_annex_a_as_the_term_sheets_print_it(
    audience: str, fmt: str
) -> None:
    """`redline ae-offer.yaml ae-counter.yaml`: the counter raises 2026 from 500,000 to
    600,000 H100e, so section 4's "up to 1,700,000 H100e" and Annex A's total become
    1,800,000 in its term sheet; the redline showed the three tranches and no total, so a
    changed figure of the memorandum went unmarked. Its Annex A ends as the term sheets'
    does, with the total, old struck and new inserted."""
    pf = demo_source().portfolio
    text = _text(fmt, _redline(load_package(OFFER, pf), load_package(COUNTER, pf), audience)[fmt])
    if fmt == "pdf":
        assert re.search(r"Total 1,700,000 1,800,000 changed", text)
    elif fmt == "md":
        assert re.search(
            r"\| \*\*Total\*\* \| ~~1,700,000~~ \*\*1,800,000\*\* \| +\| changed \|", text
        )
    else:
        assert "Total ~~1,700,000~~ **1,800,000** changed" in text
    # One total, not counted as a term of its own: the tranche it follows from is.
    assert "2 terms changed, 1 replaced" in text


def test_a_redline_total_says_what_its_rounded_rows_add_up_to() -> None:
    """Tranches of fractions of an H100e (a counter of 24,999.6 and 25,000.4 H100e) print
    25,000 each: the term sheet's total is the exact sum, rounded, with a note where its
    rows as printed add up to another figure. The redline's total is the term sheets', and
    says the same where its rows do not add up to it."""
    pf = demo_source().portfolio
    old = load_package(OFFER, pf)
    new = old.model_copy(
        update={"compute": {"2026": 500_000.4, "2027": 600_000.4, "2028": 600_000.4}}
    )
    md = _redline(old, new)["md"].decode()
    assert re.search(r"\| \*\*Total\*\* \| ~~1,700,000~~ \*\*1,700,001\*\* \| +\| changed \|", md)
    assert (
        "Each total is the exact sum, rounded; each row is rounded on its own, and as "
        "printed the rows add up to 1,700,000 H100e after the change."
    ) in md
    same = _redline(old, old)["md"].decode()
    assert re.search(r"\| \*\*Total\*\* \| 1,700,000 \| +\| same \|", same)
    assert "Each total is the exact sum" not in same


# --- 2. a tranche of a fraction of an H100e: its TPP is not the printed H100e × 15,832 -------


ROUNDED = (
    "A tranche that is not a whole number of H100e has its H100e rounded to the nearest whole "
    "one and its TPP from the exact amount."
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_term_sheet_says_its_tpp_is_from_a_tranches_exact_amount(fmt: str) -> None:
    """A counter of 24,999.5 H100e in a quarter (or any continuous solve, `granularity: 0`)
    printed Annex A's row "25,000 | 395,792,084" under the definition "1 H100e is 15,832
    TPP", which makes 25,000 H100e 395,800,000 TPP: two figures of one tranche that
    disagree by the memorandum's own definition, said of tranches in chips ("derived from
    the number and model of chips") but of nothing else. The note under Annex A says it of
    a tranche that is not a whole number of H100e; of whole tranches it says nothing."""
    pf = demo_source().portfolio
    offer = load_package(OFFER, pf)
    part = offer.model_copy(update={"compute": {**offer.compute, "2026": 499_999.5}})
    texts = {}
    for name, package in (("part", part), ("whole", offer)):
        source = source_from_packages(pf, [package], origin="package")
        doc = term_sheet_document(source, "AE", "external", DATE)
        data = {f.path.rsplit(".", 1)[1]: f.data for f in render_document(doc, [fmt])}
        texts[name] = _text(fmt, data[fmt])
    if fmt == "md":
        assert "| 2026 | 500,000 | 7,915,992,084 |" in texts["part"]
    assert ROUNDED in " ".join(texts["part"].split())
    assert "whole number of H100e" not in texts["whole"]
