"""Documents a principal signs, read for layout and consistency across documents and
formats (qa33-docs)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from dealbench.figures import thousands
from dealbench.render.pdf import html_to_pdf
from dealbench.render.word import html_to_docx
from helpers import REPO, Runner

STYLE = (REPO / "templates" / "_style.css.j2").read_text()


def _memo(filler: int) -> str:
    """A memo's print HTML, with the shared style sheet: `filler` lines of prose, then a
    heading, its one-line introduction and a table of thirty rows."""
    prose = "".join(
        f"<p>Line {i} of the memo, long enough to read as a sentence of its prose.</p>"
        for i in range(filler)
    )
    rows = "".join(
        f"<tr><th scope='row'>Partner {i}</th><td class='num'>{i * 1000:,}</td></tr>"
        for i in range(30)
    )
    return (
        f'<!doctype html><html lang="en-GB"><head><title>Memo</title><style>{STYLE}</style>'
        f"</head><body>{prose}<h2>Each partner under each option</h2>"
        "<p>H100e over the horizon; below, the limit that decides it.</p>"
        "<table><thead><tr><th scope='col'>Partner</th><th scope='col' class='num'>tiered</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></body></html>"
    )


def _page_of(pages: list[str], text: str) -> int:
    return next(i for i, page in enumerate(pages) if text in page)


@pytest.mark.parametrize("filler", [35, 36])
def test_a_heading_and_its_introduction_are_printed_on_the_page_of_their_table(
    filler: int, tmp_path: Path
) -> None:
    """The options memo's PDF left "Each partner under each option" and its line "H100e
    over the horizon ..." at the foot of a page, the table on the next: the style sheet
    kept a heading with the paragraph after it, not that paragraph with what it
    introduces. With 35 or 36 lines of prose above, the heading fell at a page's foot."""
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(html_to_pdf(_memo(filler), None))
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True)
    pages = text.stdout.split("\f")
    heading = _page_of(pages, "Each partner under each option")
    assert _page_of(pages, "below, the limit that decides it") == heading
    assert _page_of(pages, "Partner 0") == heading


def test_a_headings_introduction_is_kept_with_what_it_introduces_in_word() -> None:
    """The DOCX of the same memo: Word keeps a heading with its next paragraph, and that
    paragraph (the table's introduction) now with the table, as the PDF does; other
    paragraphs flow as before."""
    import docx

    body = _memo(3).split("<body>")[1].replace("</body></html>", "")
    html = f'<!doctype html><html lang="en-GB"><head><title>Memo</title></head><body>{body}'
    document = docx.Document(io.BytesIO(html_to_docx(html, None)))
    paragraphs = {p.text: p for p in document.paragraphs}
    intro = paragraphs["H100e over the horizon; below, the limit that decides it."]
    assert intro.paragraph_format.keep_with_next is True
    prose = paragraphs["Line 1 of the memo, long enough to read as a sentence of its prose."]
    assert not prose.paragraph_format.keep_with_next


def test_quantities_printed_in_thousands_side_by_side_read_alike() -> None:
    """`compare` printed "74.16k veu" beside "134k veu" (synth M) and "31.7k veu" beside
    "1,685k veu" (gulf-asia): each figure in thousands took its own decimals."""
    assert thousands([74_160, 134_000]) == ["74,160", "134,000"]  # no shorter in thousands
    assert thousands([1_141_300, 793_067]) == ["1,141,300", "793,067"]
    assert thousands([1_685_000, 31_700, 0]) == ["1,685.0k", "31.7k", "0"]
    assert thousands([479_000, 45_000]) == ["479k", "45k"]
    assert thousands([]) == []


def test_compares_table_of_partners_prints_every_quantity_to_the_same_decimals(
    run: Runner,
) -> None:
    """gulf-asia: QA's 244,300 H100e under repeal printed "244.3k veu" in the column where
    AE's 1,685,000 printed "1,685k veu"."""
    result = run("compare", REPO / "deals/portfolios/gulf-asia.yaml", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    table = result.stdout.split("Who gets what")[1]
    figures = re.findall(r"([\d,]+(?:\.(\d+))?)k (?:veu|kyc|baseline)", table)
    assert "244.3k veu" in table and "1,685.0k veu" in table
    assert {len(places) for _, places in figures} == {1}


def test_the_options_memo_calls_the_risk_penalty_by_its_glossarys_name(
    run: Runner, tmp_path: Path
) -> None:
    """The options memo's table said "of which risk cost" and AE's tiered cell "risk cost"
    above a glossary defining "Risk penalty" (the deal memo's "Less: risk penalty"): one
    quantity, two names. `compare`'s table says it as the memo does."""
    result = run(
        "compare", REPO / "deals/portfolios/gulf-asia.yaml", "--jobs", "1",
        "--out", tmp_path, "--render", "md",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    memo = (tmp_path / "memos" / "options-gulf-asia.md").read_text()
    named = re.compile(r"risk cost\b")  # "bilateral's risk costs $216.0m more" is a verb
    assert not named.search(memo) and not named.search(result.stdout)
    assert "| of which risk penalty | -$19.14bn |" in memo
    assert "479,000 veu: acceptance (2026), cap under veu (2027–2028)" in memo  # qa36-true
    assert "- **Risk penalty**: " in memo


def test_the_deal_memos_value_chart_says_us_utility_as_its_table_does(
    run: Runner, tmp_path: Path
) -> None:
    """The deal memo's Figure 2 was "US value of the deal against the cost of its risk",
    its last bar "US utility", beside a table and a glossary for which the deal's worth to
    the United States is its US utility and "US value" that of its concessions."""
    result = run(
        "render", REPO / "deals/packages/ae-offer.yaml",
        "--portfolio", REPO / "deals/portfolios/gulf-asia.yaml",
        "--doc", "deal-memo", "--format", "md", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    memo = next(tmp_path.rglob("*.md")).read_text()
    assert "US value of the deal" not in memo
    assert (
        "*Figure 2. The deal's US utility and its parts: the US value of concessions and the "
        "export value, less the risk penalty.*" in memo
    )
    assert "![Bar chart of the deal's US utility and its parts: US value of concessions $" in memo


def test_every_markdown_document_opens_with_its_handling_marking_as_its_html_does(
    run: Runner, tmp_path: Path
) -> None:
    """The term sheet's Markdown opened with "**Internal: not for release to the
    Partner**", as every HTML, PDF and DOCX opens with its banner; the memos' and the
    redline's put it under the title, the memos with a full stop of their own."""
    gulf = REPO / "deals/portfolios/gulf-asia.yaml"
    result = run(
        "redline", REPO / "deals/packages/ae-offer.yaml", REPO / "deals/packages/ae-counter.yaml",
        "--portfolio", gulf, "--audience", "internal", "--out", tmp_path / "redline.md",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = run(
        "render", REPO / "deals/packages/ae-offer.yaml", "--portfolio", gulf,
        "--doc", "deal-memo", "--format", "md,html", "--out", tmp_path / "memo",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = run(
        "render", REPO / "deals/packages/ae-offer.yaml", "--portfolio", gulf,
        "--audience", "internal", "--format", "md", "--out", tmp_path / "sheet",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    documents = [tmp_path / "redline.md", *tmp_path.glob("memo/**/*.md")]
    documents += tmp_path.glob("sheet/**/*-internal.md")
    assert len(documents) == 3
    for md in documents:
        head = md.read_text().split("\n")[:3]
        assert head[:2] == ["**Internal: not for release to the Partner**", ""], md
        assert head[2].startswith("# "), md
    html = next(tmp_path.glob("memo/**/*.html")).read_text()
    assert html.index('class="banner">Internal: not for release to the Partner<') < html.index(
        "<h1"
    )


def test_a_redlines_compute_schedule_has_its_term_sheets_column_names(
    run: Runner, tmp_path: Path
) -> None:
    """The term sheet's Annex A reads "Period (tranche)" and "H100e" (the terms its
    section 3 defines); its redline's Annex A read "Period" and "H100-equivalents"."""
    gulf = REPO / "deals/portfolios/gulf-asia.yaml"
    old, new = REPO / "deals/packages/ae-offer.yaml", REPO / "deals/packages/ae-counter.yaml"
    result = run("redline", old, new, "--portfolio", gulf, "--out", tmp_path / "r.md")
    assert result.exit_code == 0, result.stderr
    result = run("render", old, "--portfolio", gulf, "--format", "md", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    sheet = next(tmp_path.glob("term-sheets/*.md")).read_text()
    redline = (tmp_path / "r.md").read_text()
    assert "| Period (tranche) | H100e | TPP |" in sheet
    assert "| Period (tranche) | H100e | Site and operator | Status |" in redline
    assert "H100-equivalents" not in redline
