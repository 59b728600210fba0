"""Session 42 (qa42b-docs): the documents a principal reads, the same in every format."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import pytest

from dealbench.render.documents import render_document
from helpers import Runner, compare_two_regimes

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"


def _docx(data: bytes) -> Any:
    import docx

    return docx.Document(io.BytesIO(data))


def _grid(table: Any) -> list[float]:
    """A Word table's column widths in points."""
    return [int(col.get(_W)) / 20 for col in table._tbl.tblGrid.iterchildren()]


def _limit_row(label: str) -> dict[str, object]:
    changes = [
        "United Arab Emirates (AE): adds National champion capped at 20% of delivered compute",
        "Saudi Arabia (SA): adds DataVolt investment of USD 20bn in US data centres and energy",
        "Malaysia (MY) gains a deal: Validated-end-user data centres with US-approved security",
    ]
    return {"label": label, "limit": 1e6, "unit": "H100e", "usd_per_unit": 4160.0,
            "cost": 21.57e9, "changes_in_titles": changes, "compute_moves": True,
            "price_warnings": []}  # fmt: skip


def test_the_docx_gives_a_limits_name_the_width_the_document_asks() -> None:
    """The DOCX principals memo's "What each limit costs" gave the limit's name 0.7 in,
    "AE: / the / tier 2 / cap / under / veu" a word a line, beside what lifting it changes:
    Word's widths ignored the 8.5em the HTML asks for the column (and the PDF gives it).
    A cell's width in its style is now its column's width in Word too."""
    from dealbench.render import word_tables
    from dealbench.render.principals_memo import principals_memo_document
    from golden.support import demo_source

    rows = [_limit_row("Supply in 2026"), _limit_row("AE: the tier 2 cap under veu")]
    doc = principals_memo_document(demo_source(), rows, prices_note=None)
    [docx_file] = render_document(doc, ["docx"])
    table = next(t for t in _docx(docx_file.data).tables if t.rows[0].cells[0].text == "Limit")
    size = 8.5  # the table's text (class "deals": 0.85 of the 10 pt print body, as the PDF)
    first = _grid(table)[0]
    assert first >= 8.5 * size + word_tables.CELL_MARGINS_PT - 0.1
    for label in ("Supply in 2026", "AE: the tier 2 cap under veu"):
        lines = word_tables.lines_in(word_tables.CellText((label,)), first, size)
        assert lines <= 2, (label, first)


def test_a_cells_asked_width_in_any_unit_is_its_columns_width() -> None:
    from lxml import html as lxml_html  # type: ignore[import-untyped]

    from dealbench.render.word_tables import CELL_MARGINS_PT, CellText, column_widths, row_cells

    long = "word " * 200
    for style, points in (("width: 8.5em", 8.5 * 9), ("WIDTH:1in", 72.0), ("min-width: 9em", None)):
        tr = lxml_html.fragment_fromstring(
            f'<table><tr><th style="{style}">A short name</th><td>{long}</td></tr></table>'
        ).find(".//tr")
        texts = [text for _, text in row_cells(tr)]
        [name, _] = column_widths([texts], 2, 9.0, 450.0, stretch=True)
        if points is None:  # only `width` asks a width: "min-width" is not read as one
            assert name < 8 * 9
        else:
            assert abs(name - (points + CELL_MARGINS_PT)) < 0.01, style
    assert CellText(("x",)).width is None


def test_a_redlines_figures_column_is_as_wide_as_the_figures_word_shows() -> None:
    """The DOCX redline's compute schedule gave "H100e" 2.65 in (the PDF about 1 in) and
    squeezed "What it moves" to six lines: Word's widths measured "Deleted: 500,000
    Inserted: 600,000", words for a screen reader that Word does not write (qa48-termsheet:
    the total under the tranches, "1,700,000 1,800,000" in bold, is the widest now)."""
    from golden.support import demo_source, redlines

    for doc in redlines(demo_source()):
        [docx_file] = render_document(doc, ["docx"])
        table = next(
            t for t in _docx(docx_file.data).tables if t.rows[0].cells[0].text == "Period (tranche)"
        )
        header = [cell.text for cell in table.rows[0].cells]
        h100e = _grid(table)[header.index("H100e")]
        # The widest figures are the total's, "1,700,000 1,800,000" in bold (1.63 in);
        # with the screen reader's words measured the column was 2.65 in.
        assert h100e < 1.75 * 72, (doc.context["doc"]["audience"], h100e)


def test_a_deal_memo_names_its_source_in_the_table_about_it_in_every_format() -> None:
    """The deal memo's Markdown wrote "Source: package ae-counter.yaml." as a line under its
    head table, while its HTML, PDF and DOCX put "Source" in that table, as a row: the
    Markdown now has the row too, between the regime and the input fingerprint."""
    from dealbench.render import documents_for
    from golden.support import DATE, demo_source

    doc = documents_for(demo_source(), "deal-memo", date=DATE)[0]
    files = {
        f.path.rsplit(".", 1)[1]: f.data.decode() for f in render_document(doc, ["md", "html"])
    }
    md, html = files["md"], files["html"]
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    labels = [row.split("|")[1].strip() for row in rows[:6]]
    assert labels == ["", "Document", "Date", "Regime", "Source", "Input fingerprint"]
    assert "| Source | optimisation for the greatest US utility under the bilateral regime |" in md
    assert "Source:" not in md
    source = "optimisation for the greatest US utility under the bilateral regime"
    assert f'<th scope="row">Source</th><td>{source}</td>' in html


def test_compare_draws_the_options_memos_charts_once_for_the_memo_and_its_folder(
    run: Runner, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compare --render` drew the options memo's two charts for charts/regimes-*.svg and
    again in the process rendering the memo, the same bytes (about a second): each is drawn
    once now, and the memo's chart files are still the same bytes as the folder's."""
    from dealbench.render import charts as chart_lib

    drawn: list[str] = []
    draw = chart_lib.svg

    def counted(chart: chart_lib.Chart) -> str:
        drawn.append(f"{chart.kind} {chart.caption} {sorted(chart.data.items())}")
        return draw(chart)

    monkeypatch.setattr(chart_lib, "svg", counted)
    out = compare_two_regimes(run, tiny, tmp_path)
    options = [d for d in drawn if "under each option" in d]  # not the principals memos'
    assert len(options) == 2, drawn
    for name in ("value", "value-risk"):
        memo = out / "memos" / "charts" / f"options-tiny-{name}.svg"
        assert memo.read_bytes() == (out / "charts" / f"regimes-{name}.svg").read_bytes()


def _tick_labels_apart(chart: Any) -> list[str]:
    """The chart's horizontal axis labels as drawn, checked not to touch one another."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dealbench.render import charts as chart_lib

    with chart_lib.style(chart.id):
        fig = chart_lib._draw(chart)
        FigureCanvasAgg(fig).draw()
        ax = fig.axes[0]
        low, high = sorted(ax.get_xlim())
        shown = [t for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        boxes = [t.get_window_extent() for t in shown]
    for left, right in itertools.pairwise(boxes):
        assert right.x0 - left.x1 >= 4, [t.get_text() for t in shown]  # 4 px apart at least
    return [t.get_text() for t in shown]


def test_a_money_axis_across_the_page_keeps_its_labels_apart() -> None:
    """The deal memo's chart of the US utility and its parts ticked every $5bn from -$10bn
    to $30bn, "-$10.00bn-$5.00bn" and "$10.00bn$15.00bn$20.00bn" run together in the PDF;
    the options memo's "$125.00bn $150.00bn $175.00bn" touched. A horizontal money axis
    now has at most six ticks, each label apart."""
    from dealbench.render.charts import Chart

    parts = [("US value of concessions", 26.0), ("Export value", 14.4), ("Risk penalty", -10.15),
             ("US utility", 30.25)]  # fmt: skip
    value = Chart("value", "value-build", "The deal's US utility and its parts.",
                  {"rows": [{"label": k, "value_bn": v} for k, v in parts]})  # fmt: skip
    assert _tick_labels_apart(value) == ["-$10.00bn", "$0", "$10.00bn", "$20.00bn", "$30.00bn"]
    options = [("tiered", 74.44), ("monopoly", -19.0), ("repeal", 174.04), ("bilateral", 174.04)]
    regimes = Chart("value", "scenarios", "US utility under each option (USD).",
                    {"rows": [{"label": k, "value_bn": v} for k, v in options]})  # fmt: skip
    assert len(_tick_labels_apart(regimes)) <= 6
