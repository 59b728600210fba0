"""Column widths for Word tables, set from their text as a browser's automatic layout sets them.

python-docx gives every column of a table the same width, and Word and LibreOffice
keep it: an eight-column table broke seven-digit figures over two lines beside a
column of three letters, and a column of sentences ran over five pages. Here each
column gets at least its longest piece that must not break (a figure whole, as
`td.num { white-space: nowrap }` keeps it in the HTML; else its longest word) and the
room left goes to the columns whose text is longest (CSS 2.1's automatic table
layout, section 17.5.2.2). Text is measured with the advance widths of DejaVu Serif,
the widest of the fonts a DOCX meets (Word's Cambria, LibreOffice's substitute for it,
a house Arial), so a width that holds here holds there. A cell's own width in its
`style` (`width: 8.5em`, a limit's name beside a paragraph of what lifting it
changes) is its column's width, as a browser's automatic layout gives it, unless
its text needs more. Text only a screen reader hears (`sr-only`, a redline's
"Deleted: ") and the space between a deletion and an insertion (`sep`), which Word
does not write (`word._Writer.inline`), are not measured. All arithmetic is on fixed
tables: the same cells give the same widths on every machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Word's default cell margins (Table Grid: 108 twips, 5.4 pt, left and right).
CELL_MARGINS_PT = 10.8
#: A table's text size relative to the body's: 9.5 pt and 8.5 pt by an 11 pt body, as in the PDF.
TABLE_SCALE = 0.9
CLASS_SCALE = {"deals": 0.8}
#: A row of up to this many lines is kept on one page (a taller one may break:
#: Word cuts off a row taller than a page that is not allowed to break).
MAX_UNSPLIT_LINES = 20
BOLD = 1.09
#: Advance widths in em (DejaVu Serif, rounded up by class); any other character 0.64.
_WIDTHS = (
    (" .,:;'’!|/\\-ijl\u00ad", 0.34),
    ('frtIJ()[]"“”*`_', 0.48),
    ("–", 0.5),
    ("ABCDEFGHKLNOPQRSTUVXYZ?{}", 0.88),
    ("+=<>×≥≤~#^&", 0.9),
    ("mwMW%@—", 1.03),
)
_EM = {ch: em for chars, em in _WIDTHS for ch in chars}
#: Where a line may break inside a word: after a hyphen, an en dash (Word breaks
#: "2026Q1–2028Q4" there, as a span of periods in a heading is written) or a soft hyphen.
_BREAK = re.compile(r"(?<=[-\u2013\u00ad])")
#: A cell's width in its inline style, and points per unit (em: of the table's text).
_STYLE_WIDTH = re.compile(
    r"(?:^|;)\s*width\s*:\s*([0-9]*\.?[0-9]+)\s*(em|pt|in|cm|mm|px|%)\s*(?:;|$)"
)
_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75}
#: Spans Word does not write (`word._Writer.inline`): not measured.
_UNWRITTEN = {"sep", "sr-only"}


@dataclass(frozen=True)
class CellText:
    """A cell's text, one string per line (`<br>` ends a line), and how it is set."""

    lines: tuple[str, ...]
    bold: bool = False
    nowrap: bool = False
    span: int = 1
    #: The width its `style` asks (`width: 8.5em`), in ems of the table's text or, with
    #: `points`, in points, or with `share` (`width: 50%`), a share of the table's width;
    #: None: as wide as its text needs.
    width: float | None = None
    points: bool = False
    share: bool = False


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of `text` set at `size` points."""
    em = sum(_EM.get(ch, 0.64) for ch in text if ch != "\u00ad")
    return em * size * (BOLD if bold else 1.0)


def _pieces(line: str) -> list[str]:
    return [piece for word in line.split() for piece in _BREAK.split(word) if piece]


def cell_range(
    cell: CellText, size: float, whole: bool = True, available: float = 0.0
) -> tuple[float, float]:
    """The narrowest width the cell's text can take, and the width it takes unwrapped.

    A figure's cell (`nowrap`) keeps its text on one line; unless not `whole`, when
    it may break at its spaces ("$77.98bn / $14.05bn"), never inside a figure.
    A cell whose style asks a width takes it, or its narrowest if wider (CSS 2.1,
    17.5.2.2: its minimum and its maximum width); a share (`width: 50%`) is of the
    `available` width, margins included, as a browser gives a percentage of the table's.
    """
    widest = max((text_width(line, size, cell.bold) for line in cell.lines), default=0.0)
    if cell.nowrap and whole:
        narrowest = widest
    else:
        split = str.split if cell.nowrap else _pieces
        pieces = [p for line in cell.lines for p in split(line)]
        narrowest = max((text_width(p, size, cell.bold) for p in pieces), default=0.0)
    if cell.share and cell.width is not None:
        asked = cell.width / 100 * available - CELL_MARGINS_PT
        narrowest = widest = max(narrowest, asked)
    elif cell.width is not None:
        asked = cell.width if cell.points else cell.width * size
        narrowest = widest = max(narrowest, asked)
    return narrowest + CELL_MARGINS_PT, widest + CELL_MARGINS_PT


def column_widths(
    rows: Sequence[Sequence[CellText]], columns: int, size: float, available: float, stretch: bool
) -> list[float]:
    """Widths in points of `columns` columns that share `available` points.

    Each column gets at least its narrowest cell text, the rest in proportion to how
    much more its text would take unwrapped; with `stretch` (an HTML table of width
    100%) a table narrower than `available` is widened to it, else it keeps its width.
    Where figures whole leave no room, a figures' cell may break at its spaces; where
    even that does not fit, the widest words break (as Word breaks a word wider than its
    cell), the shorter ones stay whole, and the figures keep their width
    (`_widest_words_broken`) ("2,459,994" and "$58.16bn" broke over two
    lines beside a partner's name with one long word). Where the figures alone do not
    fit, every column shrinks alike. Cells spanning columns are left out of the measure.
    """
    low, high = _ranges(rows, columns, size, whole=True, available=available)
    if sum(low) > available:
        low, high = _ranges(rows, columns, size, whole=False, available=available)
    if sum(low) >= available:  # no room even for the narrowest words
        floor = _figures_floor(rows, columns, size)
        extra = [lo - f for lo, f in zip(low, floor, strict=True)]
        if sum(floor) >= available or sum(extra) <= 0:  # not even the figures: all alike
            return [w * available / sum(low) for w in low]
        return _widest_words_broken(low, floor, available)
    if sum(high) <= available:
        if not stretch:
            return high
        return [h * available / sum(high) for h in high]
    share = (available - sum(low)) / (sum(high) - sum(low))
    return [lo + (h - lo) * share for lo, h in zip(low, high, strict=True)]


def _widest_words_broken(low: list[float], floor: list[float], available: float) -> list[float]:
    """Widths where the narrowest texts `low` do not fit `available`: the widest words
    break first, each column's word room capped at one width, the cap found so the
    columns fill `available`; no column below its figures (`floor`). Shrinking every
    column alike (as before) broke "Security" and "veu" beside a 70-character name."""

    def filled(cap: float) -> float:
        return sum(max(f, min(lo, cap)) for lo, f in zip(low, floor, strict=True))

    below, above = 0.0, max(low)
    for _ in range(60):  # bisection: the same steps, the same widths on every machine
        middle = (below + above) / 2
        below, above = (middle, above) if filled(middle) < available else (below, middle)
    return [max(f, min(lo, below)) for lo, f in zip(low, floor, strict=True)]


def _figures_floor(rows: Sequence[Sequence[CellText]], columns: int, size: float) -> list[float]:
    """The width each column's figures need, each piece between spaces whole (a figures'
    cell, `nowrap`, at its widest piece); a column without figures its margins alone."""
    floor = [CELL_MARGINS_PT] * columns
    for row in rows:
        col = 0
        for cell in row:
            if cell.span == 1 and col < columns and cell.nowrap:
                floor[col] = max(floor[col], cell_range(cell, size, whole=False)[0])
            col += cell.span
    return floor


def _ranges(
    rows: Sequence[Sequence[CellText]], columns: int, size: float, whole: bool, available: float
) -> tuple[list[float], list[float]]:
    low = [CELL_MARGINS_PT] * columns
    high = [CELL_MARGINS_PT] * columns
    for row in rows:
        col = 0
        for cell in row:
            if cell.span == 1 and col < columns:
                narrowest, widest = cell_range(cell, size, whole, available)
                low[col], high[col] = max(low[col], narrowest), max(high[col], widest)
            col += cell.span
    return low, [max(h, lo) for h, lo in zip(high, low, strict=True)]


def lines_in(cell: CellText, width: float, size: float) -> int:
    """How many lines the cell's text takes in a column `width` points wide (an estimate)."""
    room = max(width - CELL_MARGINS_PT, 1.0)
    return sum(max(1, math.ceil(text_width(line, size, cell.bold) / room)) for line in cell.lines)


def row_lines(texts: Sequence[CellText], widths: Sequence[float], size: float) -> int:
    """The lines the row's tallest cell takes (an estimate, for keeping a row on a page)."""
    most, col = 0, 0
    for text in texts:
        width = sum(widths[col : col + text.span])
        most = max(most, lines_in(text, width, size))
        col += text.span
    return most


def table_size(body: float, classes: str) -> float:
    """The text size of a table of these HTML classes, in half points as Word keeps it."""
    scale = next((CLASS_SCALE[c] for c in classes.split() if c in CLASS_SCALE), TABLE_SCALE)
    return math.floor(body * scale * 2) / 2


def row_cells(tr: Any) -> list[tuple[Any, CellText]]:
    """A row's cells, each with its text as the layout measures it."""
    header = tr.getparent().tag == "thead" or "total" in tr.get("class", "")
    out = []
    for cell in tr:
        if cell.tag not in ("th", "td"):
            continue
        span = cell.get("colspan", "1")
        width, unit = _asked_width(cell.get("style", ""))
        text = CellText(
            lines=_lines(cell),
            bold=header,
            nowrap=cell.tag == "td" and "num" in cell.get("class", "").split(),
            span=max(1, int(span)) if span.isdigit() else 1,
            width=width,
            points=unit == "pt",
            share=unit == "%",
        )
        out.append((cell, text))
    return out


def _asked_width(style: str) -> tuple[float | None, str]:
    """The width a cell's inline style asks, and its unit: ems ("em", `width: 8.5em`),
    points ("pt", any length converted) or a percentage of the table's width ("%")."""
    found = _STYLE_WIDTH.search(style.strip().lower())
    if found is None:
        return None, ""
    number, unit = float(found.group(1)), found.group(2)
    return (number, unit) if unit in ("em", "%") else (number * _POINTS[unit], "pt")


def _lines(el: Any) -> tuple[str, ...]:
    """The element's text as Word shows it, a string per line (`<br>` ends one), spaces
    collapsed: without the spans Word does not write (`_UNWRITTEN`)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                if child.tag == "br":
                    parts.append("\n")
                elif not (child.tag == "span" and _UNWRITTEN & set(child.get("class", "").split())):
                    walk(child)
            parts.append(child.tail or "")

    walk(el)
    return tuple(" ".join(line.split()) for line in "".join(parts).split("\n"))


def alt_text(table: Any) -> tuple[str, str]:
    """A table's title and description for Word (`w:tblCaption`, `w:tblDescription`): its
    `aria-label`, and, for a table with no header row (a table of row headers, which Word
    does not have), what its rows are, named by their first cells; ("", "") unnamed."""
    title = " ".join(table.get("aria-label", "").split())
    if not title or table.find(".//thead") is not None:
        return title, ""
    labels = [" ".join(th.text_content().split()) for th in table.iterfind(".//tr/th")]
    rows = ", ".join(label for label in labels if label)
    return title, f"{title}: one row each ({rows}), its first cell naming the value beside it."
