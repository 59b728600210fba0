"""Session 45 (qa45-speed): the slow user paths made faster without changing a byte.

Each test asserts that the faster way gives what the slower way gave (the same chart
bytes, the same table cells, the same figures), never how long anything takes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dealbench.render import charts as chart_lib
from dealbench.render.charts import Chart

ALLOCATION = Chart(
    "allocation",
    "allocation",
    "Compute by partner and period.",
    {
        "periods": ["2026", "2027", "2028"],
        "series": [
            {"label": "AE", "amounts": [159630.0, 159630.0, 159630.0]},
            {"label": "SA", "amounts": [145630.0, 145640.0, 145640.0]},
            {"label": "JP", "amounts": [300000.0, 300000.0, 300000.0]},
            {"label": "11 others", "amounts": [471470.0, 471460.0, 471470.0]},
        ],
        "supply": [2500000.0, 2500000.0, 2500000.0],
    },
)
VALUE_RISK = Chart(
    "value-risk",
    "value-risk",
    "US utility against risk, by option.",
    {
        "ylabel": "US utility",
        "points": [
            {"label": "tiered", "risk": 279651.13, "value_bn": 174.2492244, "h100e": 5163420.0},
            {"label": "monopoly", "risk": 61100.0, "value_bn": 71.504, "h100e": 2267000.0},
            {"label": "repeal", "risk": 306084.072, "value_bn": 314.76991136, "h100e": 7.5e6},
            {"label": "bilateral", "risk": 249999.2, "value_bn": 290.427296, "h100e": 6453400.0},
        ],
    },
)
REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("chart", [ALLOCATION, VALUE_RISK], ids=lambda c: c.kind)
def test_a_chart_drawn_once_for_both_formats_has_the_bytes_of_each_drawn_alone(
    chart: Chart,
) -> None:
    """A document in HTML and PDF drew each chart twice (SVG, then PNG); it is drawn once
    now. Saving a figure changes its state (a PNG saved after the SVG had other bytes for
    the allocation chart), so the two must be exactly what each format drawn alone gives."""
    svg, png = chart_lib.svg_and_png(chart)
    assert svg == chart_lib.svg(chart)
    assert png == chart_lib.png(chart)


def _rendered(doc: Any, formats: list[str]) -> dict[str, bytes]:
    from dealbench.render.documents import render_document

    return {f.path: f.data for f in render_document(doc, formats)}  # type: ignore[arg-type]


def _memo_with_charts() -> Any:
    """The demo's portfolio memo (a pinned result: no solve), with its two charts."""
    from dealbench.render.documents import documents_for
    from golden.support import demo_source

    (doc,) = documents_for(demo_source(), "portfolio-memo")
    return doc


def test_a_document_with_charts_drawn_beforehand_renders_the_bytes_of_one_drawn_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`compare --render md,pdf` draws the options memo's charts once in the command (for
    charts/regimes-*.svg too), SVG and PNG, and hands them to the process rendering the
    memo: its files are those the memo gives drawn afresh, and nothing is drawn again."""
    doc = _memo_with_charts()
    drawn = doc.with_svgs(png=True)
    assert set(drawn.svgs) == set(drawn.pngs) == {c.id for c in doc.charts}
    assert len(doc.charts) == 2
    fresh = _rendered(doc, ["md", "html"])
    from dealbench.render import documents

    def refused(chart: Chart) -> Any:
        raise AssertionError(f"chart {chart.id} drawn again")

    monkeypatch.setattr(documents.chart_lib, "svg", refused)
    monkeypatch.setattr(documents.chart_lib, "png", refused)
    monkeypatch.setattr(documents.chart_lib, "svg_and_png", refused)
    assert _rendered(drawn, ["md", "html"]) == fresh
    printed = documents.print_html(drawn, "portfolio_memo")
    monkeypatch.undo()
    assert printed == documents.print_html(doc, "portfolio_memo")


def test_a_docx_table_with_merged_cells_puts_each_cell_in_its_column() -> None:
    """A DOCX table is filled a row at a time from the row's cells (reading every cell of
    the table for each one cost the square of its cells: seven of a comparison memo's ten
    DOCX seconds). A cell spanning columns still spans them, and each cell after it lands
    in its own column."""
    from docx import Document as Word

    from dealbench.render.word import html_to_docx

    html = (
        "<html><body><table><thead><tr><th>Limit</th><th>Now</th><th>Lifted</th></tr></thead>"
        '<tbody><tr><td colspan="2">Supply in 2026, both years</td><td>1</td></tr>'
        '<tr><td>A</td><td colspan="2">spans two</td></tr>'
        "<tr><td>x</td><td>y</td><td>z</td></tr></tbody></table></body></html>"
    )
    data = html_to_docx(html, None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "word/document.xml" in archive.namelist()
    (table,) = Word(io.BytesIO(data)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Limit", "Now", "Lifted"],
        ["Supply in 2026, both years", "Supply in 2026, both years", "1"],
        ["A", "spans two", "spans two"],
        ["x", "y", "z"],
    ]
    spans = [len(row._tr.tc_lst) for row in table.rows]
    assert spans == [3, 2, 2, 3]


@pytest.mark.parametrize(("given", "expected"), [(["-j", "1"], 1), (["-j", "2"], 2), ([], None)])
def test_compare_renders_its_memos_in_the_processes_jobs_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str], expected: int | None
) -> None:
    """`compare --jobs 1 --render docx,pdf` solved in one process, then rendered its memos
    in as many more as the machine has cores (`--jobs` was for the solves alone): on a
    shared machine, the one process asked for was three. Documents now take no more
    processes than `--jobs` allows (without it, as many as they are worth)."""
    from dealbench.render import documents
    from helpers import invoke

    asked: list[int] = []
    real = documents.render_documents

    def render(docs: Any, formats: Any, templates: Any = None, jobs: int = 1) -> Any:
        asked.append(jobs)
        return real(docs, formats, templates, 1)

    monkeypatch.setattr(documents, "auto_jobs", lambda docs, formats: 2)  # any machine
    monkeypatch.setattr(documents, "render_documents", render)
    tiny = REPO / "tests/data/tiny/portfolio.yaml"
    other = tmp_path / "p2.yaml"
    other.write_text((tiny.parent / "policy.yaml").read_text().replace("id: tiny", "id: tiny2"))
    regimes = f"{tiny.parent / 'policy.yaml'},{other}"
    out = tmp_path / "o"
    done = invoke(["compare", tiny, "--regimes", regimes, *given, "--out", out, "--render", "md"])
    assert done.exit_code == 0, done.output
    from dealbench.analyze.parallel import default_jobs

    assert asked == [expected or min(2, default_jobs())]  # without --jobs: every core
