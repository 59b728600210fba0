"""Items earlier passes noticed and left, fixed where they arise (qa24-left)."""

from __future__ import annotations

import html
import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from dealbench.render.documents import Document, render_document
from golden.support import all_documents, demo_source
from helpers import DATA, REPO, Runner, invoke
from test_qa19_small import _flat, _quarterly

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
MIXED = DATA / "qa9docs" / "portfolios" / "mixed.yaml"


@cache
def _demo() -> dict[str, Document]:
    return {d.path: d for d in all_documents(demo_source())}


@cache
def _compared() -> list[Document]:
    """The options memo and the memos for principals of a four-regime comparison."""
    from dealbench.analyze import compare
    from dealbench.analyze.memo import options_memo_document, principals_memo_documents
    from dealbench.model import load_portfolio

    c, solved = compare(load_portfolio(MIXED), ["tiered", "monopoly", "repeal", "bilateral"])
    return [options_memo_document(c, solved), *principals_memo_documents(solved)]


def _file(doc: Document, ext: str) -> bytes:
    return next(f.data for f in render_document(doc, [ext]) if f.path.endswith(f".{ext}"))


# --- 1. a data table's first cell names its row ------------------------------------------


def _assert_rows_headed(tree: Any, label: str) -> int:
    """Each body row of a data table begins with a row header; returns how many rows."""
    rows = 0
    for table in tree.iter("table"):
        if table.get("class") == "signatures":  # "Name:" under each party: a form to sign
            continue
        for tr in table.iterfind("tbody/tr"):
            cells = [c for c in tr if c.tag in ("th", "td")]
            if len(cells) == 1 and cells[0].get("colspan"):  # "No limit binds."
                continue
            first = cells[0]
            text = " ".join(first.text_content().split())
            assert first.tag == "th" and first.get("scope") == "row", (
                f"{label}: table {table.get('class')}: the row {text!r} has no row header"
            )
            rows += 1
    return rows


def test_the_first_cell_of_each_row_of_a_data_table_is_its_row_header(
    run: Runner, tmp_path: Path
) -> None:
    """A data table's first column (a period, a partner, a measure, a limit, a clause)
    was a `<td>`: a screen reader read a cell of Annex A as "600,000" with no period to
    say which row it was in, and the PDF's structure tree had no TH for the rows (WCAG
    1.3.1). Each such cell is now `<th scope="row">`; the signature block is a form."""
    docs = [*_demo().values(), *_compared()]
    counted = {
        doc.path: _assert_rows_headed(lxml_html.fromstring(_file(doc, "html")), doc.path)
        for doc in docs
    }
    assert all(counted.values()), counted
    r = run("room", GULF, "--render", "html", "--out", tmp_path, "--date", "2026-03-31")
    assert r.exit_code == 0, r.output
    memo = (tmp_path / "memos" / "negotiation-gulf-asia.html").read_text()
    assert _assert_rows_headed(lxml_html.fromstring(memo), "negotiation memo")


def test_a_row_header_looks_as_the_cells_did() -> None:
    """Only the reader's tools see the change: a row header is not bold (a browser's and
    WeasyPrint's default for `th`), except in a total's row, as its cells are."""
    css = _file(_demo()["memos/AE"], "html").decode()
    assert re.search(r"^tbody th \{ font-weight: normal; \}", css, flags=re.M)
    assert re.search(r"^tr\.total td, tr\.total th \{ font-weight: bold; \}", css, flags=re.M)


# --- 2. a redline's hidden words are apart from the figure before them --------------------

REDLINE = "redlines/redline-AE-offer-001-to-counter-002-internal"


def test_a_hidden_word_after_a_deleted_figure_is_read_apart_from_it() -> None:
    """In the PDF's tag order (what a screen reader reads) Annex A's 2026 row read
    "500,000Inserted: 600,000": the space between a deletion and the insertion after it
    is for the eye only (`span.sep`, whitespace WeasyPrint draws no glyph for), and the
    hidden word began with no space. The hidden word after a deletion now begins with
    one, kept in the PDF; the page shows what it showed (the word is clipped)."""
    import pypdf

    from test_qa19_a11y import _read_aloud

    doc = _demo()[REDLINE]
    read = _read_aloud(pypdf.PdfReader(io.BytesIO(_file(doc, "pdf"))))
    assert re.search(r"Deleted:\s+500,000\s+Inserted:\s+600,000", read), read
    html = _file(doc, "html").decode()
    shown = re.sub(r'<span class="sr-only">[^<]*</span>', "", html)
    assert '<del>500,000</del><span class="sep"> </span><ins>600,000</ins>' in shown


# --- 3. the web history's rounds chart says its figures -----------------------------------


def test_the_web_historys_rounds_chart_says_each_rounds_figures_as_its_drawing_does(
    client: Any,
) -> None:
    """The history page's chart had a fixed `alt` ("The rounds with United Arab Emirates
    drawn on the frontier of the deal: ..."): a reader who cannot see it learnt no
    round's figures. Its `alt` is now the chart's words (`describe_rounds`, as the
    negotiation memo's chart and the SVG's title), from the rounds' recorded figures."""
    page = client.get("/p/gulf-asia/n/AE/history")
    assert page.status_code == 200, page.text
    [img] = lxml_html.fromstring(page.text).iter("img")
    alt = img.get("alt")
    assert alt.startswith("Chart of the US utility against the partner's"), alt
    assert "No deal: US -$8.00bn, partner $8.00bn; round 1, US offer: US $88.98bn" in alt
    assert "round 4, counter: US $78.25bn, partner $17.50bn." in alt
    svg = client.get(img.get("src"))
    assert svg.status_code == 200
    title = re.search(r"<title[^>]*>(.*?)</title>", svg.text, flags=re.S)
    assert title is not None
    assert " ".join(html.unescape(title.group(1)).split()) == alt


# --- 4. the DOCX meta table, with no header row, is named for Word ------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_a_word_table_without_a_header_row_has_a_title_and_says_what_its_rows_are() -> None:
    """The meta table (document, date, ...) is a table of row headers, which Word does not
    have: its accessibility checker asked for the header row it lacked, and a reader
    heard five rows of two cells with nothing to say what they were. Each such table now
    carries Word's alternative text (Table Properties, Alt Text: `w:tblCaption`,
    `w:tblDescription`), its HTML name and its rows' names; every other table keeps its
    repeated header row."""
    import docx

    for doc in [_demo()["memos/AE"], _demo()[REDLINE], _demo()["term-sheets/AE"]]:
        word = docx.Document(io.BytesIO(_file(doc, "docx")))
        for table in word.tables:
            props = table._tbl.tblPr
            header = table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader")
            caption = props.find(f"{W}tblCaption")
            if header is not None:
                continue
            assert caption is not None, f"{doc.path}: {table.cell(0, 0).text!r}: no header row"
            assert caption.get(f"{W}val") == "About this document"
            about = props.find(f"{W}tblDescription").get(f"{W}val")
            assert about.startswith("About this document: one row each (Document, Date")
            assert props[-2:] == [caption, props.find(f"{W}tblDescription")]  # schema order
        first = word.tables[0]
        assert (
            first.cell(0, 0).text == "Document"
            and first._tbl.tblPr.find(f"{W}tblCaption") is not None
        )
    internal = docx.Document(io.BytesIO(_file(_demo()["memos/AE"], "docx")))
    about = internal.tables[0]._tbl.tblPr.find(f"{W}tblDescription").get(f"{W}val")
    assert about == (
        "About this document: one row each (Document, Date, Regime, Source, Input "
        "fingerprint), its first cell naming the value beside it."
    )


# --- 5. a quarterly deal memo's cap says it is the quarter's share of the policy's --------


def test_a_quarterly_deal_memos_cap_says_it_is_a_quarter_of_the_policys_annual_cap(
    tmp_path: Path,
) -> None:
    """The deal memo's compute table showed "Cap under veu (H100e)" 150,000 a quarter
    beside a policy file saying 600,000, with nothing to say why, where `solve` and
    `evaluate` say it. A note under the table now says it in the same words
    (`Portfolio.cap_basis`); a year's portfolio has no note."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio, "--out", tmp_path / "out"])
    assert run.exit_code == 0, run.output
    result = tmp_path / "out" / "result.json"
    run = invoke(
        ["render", result, "--doc", "deal-memo", "-f", "md,html", "--out", tmp_path / "out"]
    )
    assert run.exit_code == 0, run.output
    said = "The cap under veu, 150,000 H100e, is a quarter of the policy's 600,000 H100e a year."
    md = (tmp_path / "out" / "memos" / "AE.md").read_text()
    assert "| 2026Q1 | 150,000 | 400,000 | 150,000 |\n" in md
    assert f"| **Total** | **300,000** | | |\n\n{said}\n" in md
    page = (tmp_path / "out" / "memos" / "AE.html").read_text()
    assert f"</table></div>\n<p>{said}</p>" in html.unescape(page)
    assert "a quarter of the policy" not in _file(_demo()["memos/AE"], "md").decode()


# --- 6. a pro-rated cap's shadow price says so ----------------------------------------------


def test_a_pro_rated_caps_shadow_price_says_it_is_a_quarter_of_the_policys(
    tmp_path: Path,
) -> None:
    """The principals memo listed the limit "AE: the tier 2 cap under veu", now 150,000
    H100e, worth "$4,720 per H100e" (one more in each of two quarters), and `solve
    --prices` "Raising AE's 2026Q1 cap under veu by one H100e ...", beside a policy file
    saying 600,000. Both now say how the cap is pro-rated, in `Portfolio.cap_basis`'s
    words, and the memo's unit is an H100e a quarter."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio, "--prices"])
    assert run.exit_code == 0, run.output
    assert (
        "Raising AE's 2026Q1 cap under veu (a quarter of the policy's 600,000 H100e a year) "
        "by one H100e is worth $2,360 to the US"
    ) in _flat(run.output)
    run = invoke(["compare", portfolio, "--render", "md", "--out", tmp_path / "out"])
    assert run.exit_code == 0, run.output
    memo = (tmp_path / "out" / "memos" / "principals-quarters-bilateral.md").read_text()
    assert (
        "| AE: the tier 2 cap under veu (a quarter of the policy's 600,000 H100e a year) "
        "| 150,000 H100e a quarter | $4,720 per H100e a quarter |"
    ) in memo


def test_an_annual_caps_shadow_price_is_said_as_before() -> None:
    """A cap as the policy writes it (the shipped portfolio's years) is named as before."""
    run = invoke(["solve", GULF, "--prices"])
    assert run.exit_code == 0, run.output
    assert "Raising AE's 2028 cap under veu by one H100e is worth" in _flat(run.output)
    assert "of the policy's" not in run.output


# --- 7. evaluate --against and history take --solver as the other HiGHS-only commands ---

HIGHS_ONLY = (
    "solves with HiGHS only (its frontier points and re-plans are solved by the "
    "decomposition, which runs on HiGHS alone); --solver cbc is for solve, compare and sweep"
)


@pytest.mark.parametrize("command", ["evaluate", "history"])
def test_solver_on_evaluate_and_history_is_refused_or_taken_as_on_offer(
    deals: Path, command: str, tmp_path: Path
) -> None:
    """`evaluate --against` (a counter's verdict, re-plans) and `history --out` (the
    frontier of the deal) solve with HiGHS, but `--solver cbc` was Click's "No such
    option: --solver"; they now refuse it saying why, as `offer` does, and take highs."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    package = deals / "packages/ae-counter.yaml"
    args: list[str | Path] = {
        "evaluate": ["evaluate", package, "--portfolio", portfolio, "--against", "1"],
        "history": ["history", portfolio, "-p", "AE", "--out", tmp_path / "out"],
    }[command]
    run = invoke([*args, "--solver", "cbc"])
    assert run.exit_code == 2 and not run.traceback, run.output
    assert _flat(run.stderr) == f"error: --solver: {command} {HIGHS_ONLY}"
    assert not (tmp_path / "out").exists()  # refused before the work
    run = invoke([*args, "--solver", "glpk"])
    assert run.exit_code == 2
    assert _flat(run.stderr).startswith("error: --solver: unknown solver 'glpk'; ")
    assert "highs only" in _flat(invoke([command, "--help"]).output)
    run = invoke([*args, "--solver", "highs"])
    assert run.exit_code == 0, run.output
    if command == "evaluate":
        assert "Recommendation: COUNTER" in run.output
    else:
        assert (tmp_path / "out" / "charts" / "AE-rounds.svg").is_file()
