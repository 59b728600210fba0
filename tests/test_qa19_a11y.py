"""Documents a US federal office can publish: Section 508 / WCAG 2.1 AA, PDF/UA (qa19-a11y).

Every kind of document, in HTML, PDF and DOCX, read as an accessibility checker reads
it: the HTML parsed (lxml), the PDF's structure tree (pypdf), the DOCX's XML
(python-docx). What a reader who cannot see the page missed is asserted here.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import html as lxml_html

from dealbench.figures import h100e, usd
from dealbench.render.chart_words import describe
from dealbench.render.charts import PALETTE, Chart, svg
from dealbench.render.documents import Document, print_html, render_document
from dealbench.web.security import CSRF_FIELD, csrf_for
from golden.support import all_documents, demo_source
from helpers import DATA, REPO, WEB_TOKEN, Runner, job_done

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
MIXED = DATA / "qa9docs" / "portfolios" / "mixed.yaml"
SVG = "{http://www.w3.org/2000/svg}"


@cache
def _demo() -> dict[str, Document]:
    return {d.path: d for d in all_documents(demo_source())}


@cache
def _options() -> Document:
    from dealbench.analyze import compare
    from dealbench.analyze.memo import options_memo_document
    from dealbench.model import load_portfolio

    c, solved = compare(load_portfolio(MIXED), ["tiered", "monopoly", "repeal", "bilateral"])
    return options_memo_document(c, solved)  # type: ignore[no-any-return]


def _file(doc: Document, ext: str) -> bytes:
    return next(f.data for f in render_document(doc, [ext]) if f.path.endswith(f".{ext}"))


def _html(doc: Document) -> Any:
    return lxml_html.fromstring(_file(doc, "html").decode())


def _documents() -> list[Document]:
    return [*_demo().values(), _options()]


# --- tables -----------------------------------------------------------------------------


def _assert_headers_scoped(tree: Any, label: str) -> None:
    for table in tree.iter("table"):
        for th in table.iter("th"):
            text = th.text_content().strip()
            assert th.get("scope") in ("col", "row"), f"{label}: <th>{text}</th> has no scope"
            assert text, f"{label}: an empty header cell in table {table.get('class')}"


def test_every_table_header_says_whether_it_heads_a_column_or_a_row(
    run: Runner, tmp_path: Path
) -> None:
    """Every column header of every document was a bare `<th>` (only the `meta` table's
    row headers had `scope`), and the options memo's and the redline's totals table had
    an empty header cell in the corner: a checker flags both (WCAG 1.3.1), and a screen
    reader reads a cell of "The options side by side" with no header to say what it is."""
    for doc in _documents():
        _assert_headers_scoped(_html(doc), doc.path)
    r = run("room", GULF, "--render", "html", "--out", tmp_path, "--date", "2026-03-31")
    assert r.exit_code == 0, r.output
    memo = (tmp_path / "memos" / "negotiation-gulf-asia.html").read_text()
    _assert_headers_scoped(lxml_html.fromstring(memo), "negotiation memo")


def test_the_corner_of_a_table_of_options_names_its_rows_in_every_format() -> None:
    doc = _options()
    assert '<th scope="col">Measure</th>' in _file(doc, "html").decode()
    assert re.search(r"^\| Measure \| tiered \|", _file(doc, "md").decode(), flags=re.M)


# --- charts -------------------------------------------------------------------------------


def _allocation_words(chart: Chart) -> list[str]:
    """What a reader of the allocation chart sees: each partner's H100e in each period,
    and the supply, as the chart's own data holds them."""
    words = []
    for i, period in enumerate(chart.data["periods"]):
        words.append(f"{period}:")
        words += [f"{s['label']} {h100e(s['amounts'][i])}" for s in chart.data["series"]]
        words.append(f"supply of {h100e(chart.data['supply'][i])}")
    return words


def test_every_chart_says_what_it_shows_in_words_in_every_format() -> None:
    """A chart's only text was its caption ("Allocation of compute by partner and
    period (H100e), against supply."): the inline SVG had no role, title or label, the
    PDF's Figure /Alt and the PNG's `alt` repeated the caption, the DOCX pictures had no
    alternative text at all (`wp:docPr` without `descr`), and the Markdown image's text
    was the caption. A reader who cannot see the bars learnt nothing of them. Each chart
    now carries its numbers in words (`render.chart_words`), everywhere."""
    doc = _demo()["memos/portfolio-gulf-asia"]
    allocation = next(c for c in doc.charts if c.id == "allocation")
    words = _allocation_words(allocation)
    assert all(w in allocation.description for w in words), allocation.description
    assert allocation.description != allocation.caption

    tree = _html(doc)
    drawn = [s for s in tree.iter(f"{SVG}svg", "svg") if s.get("id", "").startswith("chart-")]
    assert len(drawn) == len(doc.charts) == 2
    for chart, element in zip(doc.charts, drawn, strict=True):
        assert element.get("role") == "img"
        [title] = [t for t in element if t.tag in (f"{SVG}title", "title")]
        assert element.get("aria-labelledby") == title.get("id")
        assert title.text == chart.description

    printed = lxml_html.fromstring(print_html(doc, "portfolio_memo"))
    assert [img.get("alt") for img in printed.iter("img")] == [c.description for c in doc.charts]

    word = docx.Document(io.BytesIO(_file(doc, "docx")))
    pictures = word.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    )
    assert [p.get("descr") for p in pictures] == [c.description for c in doc.charts]

    md = _file(doc, "md").decode()
    assert "![Stacked bar chart of H100e by partner and period. 2026: AE 485,200" in md


def test_the_pdf_reads_each_chart_in_words() -> None:
    pypdf = pytest.importorskip("pypdf")
    doc = _demo()["memos/AE"]
    reader = pypdf.PdfReader(io.BytesIO(_file(doc, "pdf")))
    alts: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt")))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert alts == [c.description for c in doc.charts]
    schedule = doc.charts[0].data
    for period, offered in zip(schedule["periods"], schedule["offered"], strict=True):
        assert f"{period}: {h100e(offered)} in the package" in alts[0]


def test_a_standalone_chart_file_is_an_image_with_its_words() -> None:
    """The SVG files written beside a Markdown memo (and by `sweep --chart`) are read by
    themselves: their `<title>` is the chart in words."""
    chart = Chart(
        id="sweep",
        kind="scenarios",
        caption="US utility under each scenario.",
        data={"rows": [{"label": "base", "value_bn": 12.5}, {"label": "shock", "value_bn": -1}]},
    )
    text = svg(chart)
    assert text.startswith("<svg") and ' role="img" aria-labelledby="chart-sweep-title"' in text
    assert (
        '<title id="chart-sweep-title">Bar chart of US utility under each: base $12.50bn and '
        "shock -$1.00bn.</title>"
    ) in text


def test_each_stacked_segment_has_a_dark_edge_where_its_colour_is_faint_on_white() -> None:
    """WCAG 1.4.11: the allocation chart's yellow (1.3:1 on white), sky blue and orange
    (about 2:1) segments had no edge, so their bounds were hard to see; each segment now
    has a dark one (session 23)."""
    series = [{"label": f"P{i}", "amounts": [1000.0 * (i + 1)]} for i in range(8)]
    text = svg(
        Chart(
            id="allocation",
            kind="allocation",
            caption="Compute by partner.",
            data={"periods": ["2026"], "series": series, "supply": [50_000.0]},
        )
    )
    fills = re.findall(r"fill: ?(#[0-9a-f]{6}); ?stroke: ?(#[0-9a-f]{6})", text)
    segments = [(fill, stroke) for fill, stroke in fills if fill.upper() in PALETTE]
    assert {fill.upper() for fill, _ in segments} == set(PALETTE)
    assert {stroke for _, stroke in segments} == {"#333333"}


def test_each_kind_of_chart_is_described_from_its_own_numbers() -> None:
    schedule = describe(
        "schedule",
        {"periods": ["2026", "2027"], "offered": [120_000, 0], "ask": [200_000, 300_000],
         "cap": 500_000},
        "caption",
    )  # fmt: skip
    assert schedule == (
        "Bar chart of H100e by period, against the ask and a cap of 500,000 a year. "
        "2026: 120,000 in the package of 200,000 asked; 2027: 0 in the package of 300,000 asked."
    )
    build = describe(
        "value-build",
        {"rows": [{"label": "Exports", "value_bn": 2.0}, {"label": "Risk penalty",
                                                           "value_bn": -0.5}]},
        "caption",
    )  # fmt: skip
    assert build == (
        "Bar chart of the deal's US utility and its parts: Exports $2.00bn and Risk "
        "penalty -$500.0m."
    )
    risk = describe(
        "value-risk",
        {"ylabel": "US utility",
         "points": [{"label": "repeal", "risk": 1234.4, "value_bn": 3.0, "h100e": 50_000}]},
        "caption",
    )  # fmt: skip
    assert "repeal: $3.00bn at a risk of 1,234, 50,000 H100e" in risk
    many = describe(
        "sweep",
        {"x": [float(x) for x in range(20)], "value_bn": [float(x % 7) for x in range(20)],
         "changes": [6.5], "xlabel": "partners.AE.batna"},
        "caption",
    )  # fmt: skip
    assert many == (
        "Line chart of US utility as partners.AE.batna moves: 20 points from 0 ($0) to 19 "
        f"({usd(5e9)}); highest {usd(6e9)} at 6, lowest $0 at 0. The package changes near 6.5."
    )
    assert describe("unknown-kind", {}, "Its caption.") == "Its caption."


def test_the_rounds_chart_is_described_round_by_round() -> None:
    from dealbench.negotiate.documents import rounds_chart

    chart = rounds_chart(
        {
            "partner": "AE",
            "name": "United Arab Emirates",
            "frontier": [(80e9, 20e9)],
            "no_deal": (-5e9, 2e9),
            "rounds": [
                {"round": 1, "side": "us", "us": 80e9, "partner": 21e9},
                {"round": 2, "side": "partner", "us": 70e9, "partner": 30e9},
                {"round": 3, "side": "us", "us": 75e9, "partner": 25e9, "status": "concluded"},
            ],
        }
    )
    assert chart.description == (
        "Chart of the US utility against the partner's, with the frontier of the deal. "
        "No deal: US -$5.00bn, partner $2.00bn; round 1, US offer: US $80.00bn, partner "
        "$21.00bn; round 2, counter: US $70.00bn, partner $30.00bn; round 3, agreed: US "
        "$75.00bn, partner $25.00bn."
    )


def _read_aloud(reader: Any) -> str:
    """The first page's text in the order of the PDF's structure tree, as a screen reader
    reads it (not the order the text is drawn in)."""
    page = reader.pages[0]
    said: dict[int, str] = {}
    open_mcid: list[int | None] = [None]

    def before(op: bytes, args: Any, *_: Any) -> None:
        if op == b"BDC" and isinstance(args[1], dict) and "/MCID" in args[1]:
            open_mcid[0] = int(args[1]["/MCID"])
        elif op == b"EMC":
            open_mcid[0] = None

    def text(words: str, *_: Any) -> None:
        if open_mcid[0] is not None:
            said[open_mcid[0]] = said.get(open_mcid[0], "") + words

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    order: list[int] = []

    def walk(node: Any, on_page: bool) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Pg" in node:
                on_page = node["/Pg"].get_object() == page.get_object()
            if "/K" in node:
                walk(node["/K"], on_page)
        elif isinstance(node, list):
            for child in node:
                walk(child, on_page)
        elif isinstance(node, int) and on_page:
            order.append(node)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], False)
    return "".join(said.get(mcid, "") for mcid in order)


# --- redlines -------------------------------------------------------------------------------

REDLINE = "redlines/redline-AE-offer-001-to-counter-002-internal"


def test_a_redline_says_deleted_and_inserted_in_words_where_the_page_shows_marks() -> None:
    """A redline's changes were told apart by strike-through and underline (and colour)
    alone: the PDF's tags hold `<del>` and `<ins>` as plain text, so a screen reader read
    Annex A's 2026 row as "500,000 600,000 Stargate UAE, Abu Dhabi ..." with nothing to
    say which figure is old and which new (WCAG 1.3.1). Each change now begins with
    words that are not shown ("Deleted: ", "Inserted: "); Word's revision marks say it
    in the DOCX, which does not repeat them."""
    pypdf = pytest.importorskip("pypdf")
    doc = _demo()[REDLINE]
    tree = _html(doc)
    marks = [m for m in tree.iter("del", "ins") if "legend" not in m.get("class", "")]
    assert marks
    for mark in marks:
        [said] = mark.find_class("sr-only")
        # after a deletion, an insertion's word begins with the space the eye sees (qa24-left)
        assert said.text.lstrip() == {"del": "Deleted: ", "ins": "Inserted: "}[mark.tag]
        assert mark[0] is said and not (mark.text or "").strip()
    css = _file(doc, "html").decode()
    assert re.search(
        r"\.sr-only \{ position: absolute; width: 1px; height: 1px;.*overflow: hidden", css
    )

    read = _read_aloud(pypdf.PdfReader(io.BytesIO(_file(doc, "pdf"))))
    assert re.search(
        r"2026\s*Deleted:\s+500,000\s*Inserted:\s+600,000\s*Deleted:\s+Stargate", read
    ), read

    word = docx.Document(io.BytesIO(_file(doc, "docx")))
    body = word.element.body.xml
    assert "Deleted: " not in body and "Inserted: " not in body
    assert "<w:del " in body and "<w:ins " in body


# --- the web workbench shows the same charts ------------------------------------------------


def _started(client: Any, url: str, **fields: str) -> str:
    data = {CSRF_FIELD: csrf_for(WEB_TOKEN), **fields}
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return job_done(client, response)


def test_the_web_pages_charts_say_what_they_show(client: Any) -> None:
    """The solve's page and a sweep's page showed each chart as an `<img>` whose `alt`
    was its caption, below which the same caption was printed: a screen reader read the
    caption twice and never the figures. The `alt` is now the chart in words."""
    page = client.get(_started(client, "/p/gulf-asia/solve", mode="us-best", solver="highs"))
    alts = [img.get("alt") for img in lxml_html.fromstring(page.text).iter("img")]
    assert [a.split(". ")[0] for a in alts] == [
        "Stacked bar chart of H100e by partner and period",
        "Scatter chart of US utility against risk (risk-weighted H100e), one marker each, "
        "its area the compute",
    ]
    assert re.search(r"2026: AE [\d,]+, SA [\d,]+", alts[0]), alts[0]

    url = _started(
        client, "/p/gulf-asia/sweep", kind="scenarios", scenarios="scenarios/gulf-asia.yaml"
    )
    [alt] = [img.get("alt") for img in lxml_html.fromstring(client.get(url).text).iter("img")]
    assert alt.startswith("Bar chart of US utility under each: ") and "$" in alt, alt
