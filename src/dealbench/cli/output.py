"""Terminal output: Rich tables for people, JSON for machines."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.table import Column, Table
from rich.text import Text

from dealbench.figures import chips_of
from dealbench.jsontext import JSON_DIGITS as JSON_DIGITS
from dealbench.jsontext import finite as finite
from dealbench.jsontext import to_json as to_json

# One rounding of figures for every JSON dealbench writes (re-exported for the commands).
from dealbench.result_words import (
    concessions_text,
    floor_words,
    rows_words,
    schedule_line,
    supply_line,
    supply_unbound_words,
    walk_away_words,
)

if TYPE_CHECKING:
    from dealbench.checker import DealFigures
    from dealbench.model.package import Package
    from dealbench.optimize.result import SolveResult


def console() -> Console:
    """The terminal as it is (80 columns when it cannot tell), never wider than needed.

    It reads no console markup: what it prints is data (a partner's name, a title, a note,
    a path), printed as written. With markup read, square brackets were a style: "Gulf [and]
    Asia" printed "Gulf  Asia", "Rule repealed [no caps]" lost its "[no caps]", and "[/]"
    with nothing open stopped the command in a MarkupError traceback. What dealbench styles
    itself (a bold total, a dim line) it styles as `rich.text.Text` with a style.

    It writes its lines without trailing spaces (`_Trimmed`): Rich pads every line of a
    table to the table's width, its title and the last column too, and a piped table's
    lines ended in spaces (a `diff` of two runs, a file kept, an editor's whitespace)."""
    trimmed = cast("IO[str]", _Trimmed())  # a stream as Rich reads one (`__getattr__`)
    return Console(file=trimmed, highlight=False, soft_wrap=False, markup=False)


#: Spaces that end a line.
_TRAILING = re.compile(r" +(?=\n)")


class _Trimmed:
    """The standard output as it is when written to (a test's captured stream, `streams`'
    guard), each line written without its trailing spaces; anything else is the stream's
    own (its encoding, `isatty`, `flush`), as Rich reads them of the stream it writes to."""

    def write(self, text: str) -> int:
        return sys.stdout.write(_TRAILING.sub("", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(sys.stdout, name)


#: Text keeps words up to this long whole in a narrow terminal ("concessions" with its
#: indent); a longer one (an identifier such as "entity-list-enforcement") may break, after
#: a hyphen, '=' or '/' where it has one ("humain-us-campus=" / "5bn").
WHOLE_WORD = 14
#: A word as a column wraps it: a line's first word with its indent ("  concessions").
_WORD = re.compile(r"(?m)^[ \t]*\S+|\S+")
#: Where a word may break across lines: after a hyphen, '=' or '/' between two other signs.
_BREAK = re.compile(r"(?<=[^\s=/-][=/-])(?=[^\s=/-])")


def print_table(out: Console, table: Table) -> None:
    """`table` on `out` with nothing cut short: a terminal narrower than the table once cut
    cells to fit ("$88.98…" for $88.98bn, "1,721,…" for 1,721,000). Figures (the columns
    set to the right) and columns that do not wrap are held at their longest word (line).
    Text wraps at spaces and keeps every word whole where the table fits so; where it does
    not, words of up to `WHOLE_WORD` stay whole and a longer one breaks after a hyphen, '='
    or '/' ("compliance-" / "monitoring"; only one with none breaks anywhere). Within those
    widths the columns are narrowed as `_widths` says: the table in the fewest lines, short
    labels ("not started") kept whole before long text. Rich's own narrowing ignores a
    column's least width and then restores it, printing the table wider than the terminal
    ("compliance-monitori" / "ng" at 80 columns, or KR's ranking at 84). A table that
    cannot fit so is printed whole, wider than the terminal."""
    from rich.measure import Measurement

    wide = out.options.update_width(10_000)
    columns = table.columns
    most, whole, part, text = [], [], [], []
    for column in columns:
        cells = [column.header, *column.cells]
        texts = [_plain(out, cell) for cell in cells]
        width = max((Measurement.get(out, wide, cell).maximum for cell in cells), default=0)
        most.append(min(width, column.max_width or width))
        words = [w for t in texts for w in (t.splitlines() if column.no_wrap else _WORD.findall(t))]
        longest = max(map(cell_len, words), default=0)
        text.append(column.justify != "right" and not column.no_wrap)
        whole.append(min(longest, most[-1]))
        part.append(
            min(max((_least(w) for w in words), default=0), most[-1]) if text[-1] else whole[-1]
        )
        column.min_width = None
        if text[-1] and column.overflow == "ellipsis":
            column.overflow = "fold"
    frame = Measurement.get(out, wide, table).maximum - sum(most)  # borders and padding
    room = out.width - frame
    least = whole if sum(whole) <= room else part
    widths = _widths(out, table, text, most, least, room)
    for column, width, wraps in zip(columns, widths, text, strict=True):
        column.width = width
        if wraps:
            column._cells = [_broken(out, cell, width) for cell in column._cells]
    # Wider than the terminal: printed at its own width, lest Rich cut every column evenly
    # (`print(width=)` cannot widen the console).
    terminal = out.width
    out.width = max(terminal, sum(widths) + frame)
    try:
        out.print(table, crop=False)
    finally:
        out.width = terminal


#: How many layouts `_widths` weighs at most before it takes the best one found (a table
#: of many wrapping columns; those dealbench prints take a few hundred).
LAYOUTS = 20_000


def _widths(
    out: Console, table: Table, text: list[bool], most: list[int], least: list[int], room: int
) -> list[int]:
    """The columns' widths, each between `least` and `most`, in `room` where they fit: of
    the layouts, the one that breaks the fewest short labels (a line of a cell up to
    `WHOLE_WORD` long: "not started", "AE (tier 2)"; a head may wrap, as "US" / "value"
    where the table is written so); then the one printing the table in the fewest lines;
    then the one that wraps the shortest column least, then the next shortest... (long
    text wraps first). Narrowing the widest column first broke every
    "not started" of the deal room onto two lines at 80 columns, where "await counter"
    could wrap in a row of two lines anyway. Room left over goes back to the columns
    narrowed least first, as far as their lines do not grow."""
    if sum(most) <= room or sum(least) >= room:
        return list(most) if sum(most) <= room else list(least)
    spare = room - sum(least)
    full: list[list[int]] = []  # per column: the lines of each row at its full width
    shapes: list[dict[int, tuple[int, ...]]] = []  # per column: width -> lines of each row
    labels: list[list[int]] = []  # per column: the lengths of its short labels
    for j, column in enumerate(table.columns):
        cells = [column.header, *column.cells] if table.show_header else list(column.cells)
        cells = [out.render_str(c) if isinstance(c, str) else c for c in cells]
        seen: dict[tuple[str, int], int] = {}  # cells of the same text wrap alike
        top = min(most[j], least[j] + spare)
        full.append([_lines(out, column, c, most[j], text[j], seen) for c in cells])
        shapes.append(
            {
                w: tuple(_lines(out, column, c, w, text[j], seen) for c in cells)
                for w in range(least[j], top + 1)
            }
        )
        said = [line.strip() for c in column.cells for line in _plain(out, c).splitlines()]
        labels.append([cell_len(x) for x in said if " " in x and cell_len(x) <= WHOLE_WORD])
    broken = [
        {w: sum(n > w for n in ns) for w in shape} for shape, ns in zip(shapes, labels, strict=True)
    ]
    extra = [
        {w: sum(shape[w]) - sum(lines) for w in shape}
        for shape, lines in zip(shapes, full, strict=True)
    ]
    # The widths worth weighing: the least that prints a column in given lines.
    choices = [
        sorted((w for w, s in shape.items() if shape.get(w - 1) != s), reverse=True)
        for shape in shapes
    ]
    short = sorted(range(len(most)), key=lambda j: (most[j], j))
    order = sorted(range(len(most)), key=lambda j: (len(choices[j]), j))
    after = [sum(least[j] for j in order[k:]) for k in range(len(order) + 1)]
    best: tuple[tuple[int, int, tuple[int, ...]], list[int]] | None = None
    tried = 0
    chosen = list(least)

    def visit(k: int, used: int, breaks: int, tall: tuple[int, ...]) -> None:
        nonlocal best, tried
        if k == len(order):
            tried += 1
            key = (breaks, sum(tall), tuple(extra[j][chosen[j]] for j in short))
            if best is None or key < best[0]:
                best = (key, list(chosen))
            return
        j = order[k]
        for w in choices[j]:
            if tried >= LAYOUTS or used + w + after[k + 1] > room:
                continue
            taller = tuple(map(max, tall, shapes[j][w]))
            more = breaks + broken[j][w]
            if best is not None and (more, sum(taller)) > best[0][:2]:
                continue
            chosen[j] = w
            visit(k + 1, used + w, more, taller)

    visit(0, 0, 0, tuple(map(max, *full)) if len(full) > 1 else tuple(full[0]))
    assert best is not None  # the least widths fit
    widths = best[1]
    for j in sorted(range(len(most)), key=lambda j: (most[j] - widths[j], j)):
        slack = room - sum(widths)
        widths[j] = max(
            w
            for w in range(widths[j], widths[j] + slack + 1)
            if w in shapes[j]
            and all(a <= b for a, b in zip(shapes[j][w], shapes[j][widths[j]], strict=True))
        )
    return widths


def _lines(
    out: Console,
    column: Column,
    cell: RenderableType,
    width: int,
    wraps: bool,
    seen: dict[tuple[str, int], int],
) -> int:
    """How many lines `cell` takes in `column` at `width`, as `print_table` prints it
    (`seen`: the lines of a text at a width already measured)."""
    if not isinstance(cell, Text):
        options = out.options.update(
            width=width, no_wrap=column.no_wrap, overflow=column.overflow, height=None
        )
        return len(out.render_lines(cell, options, pad=False))
    key = (cell.plain, width)
    if key not in seen:
        shown = _broken(out, cell, width) if wraps else cell
        assert isinstance(shown, Text)
        seen[key] = len(shown.wrap(out, width, overflow=column.overflow, no_wrap=column.no_wrap))
    return seen[key]


def _least(word: str) -> int:
    """The least width `word` takes in a column: whole up to `WHOLE_WORD`, else its longest
    piece between break points (at most `WHOLE_WORD`: a longer piece folds)."""
    if cell_len(word) <= WHOLE_WORD:
        return cell_len(word)
    pieces = _BREAK.split(word)
    return min(WHOLE_WORD, max(cell_len(p.strip()) for p in pieces))


def _broken(out: Console, cell: RenderableType, width: int) -> RenderableType:
    """`cell` with each word longer than `width` broken onto lines after its break points,
    as many pieces on a line as fit (Rich breaks only at spaces, else mid-word)."""
    if isinstance(cell, str):
        cell = out.render_str(cell)
    if not isinstance(cell, Text):
        return cell
    plain = cell.plain
    cuts: list[int] = []
    for word in re.finditer(r"\S+", plain):
        if cell_len(word.group()) <= width:
            continue
        start = last = word.start()
        ends = [word.start() + b.start() for b in _BREAK.finditer(word.group())]
        for end in [*ends, word.end()]:
            if cell_len(plain[start:end]) > width and last > start:
                cuts.append(last)
                start = last
            last = end
    return Text("\n").join(cell.divide(cuts)) if cuts else cell


def _as_written(amount: Mapping[str, Any] | None) -> str:
    """`\n(9,000 GB200 chips)` or `\n(400,000,000 TPP)`: compute as its file wrote it."""
    if amount is None:
        return ""
    if "chips" in amount:
        return f"\n({chips_of(amount['chips'], amount['model'])})"
    return f"\n({amount['tpp']:,} TPP)"


def _plain(out: Console, cell: object) -> str:
    if isinstance(cell, str):
        return out.render_str(cell).plain
    return str(getattr(cell, "plain", ""))


def fits(out: Console, table: Table) -> bool:
    """Whether `table` prints on `out` with no cell cut short (its widest cells whole)."""
    from rich.measure import Measurement

    return Measurement.get(out, out.options.update_width(10_000), table).maximum <= out.width


def money(amount: float | None) -> str:
    from dealbench.figures import usd

    return usd(amount)


def h100e(amount: float | None) -> str:
    from dealbench.render.filters import h100e as fmt

    return fmt(amount)


def result_json(result: SolveResult) -> dict[str, Any]:
    return result.model_dump(mode="json")


#: `optimize.result.NO_SOLVER`, not imported: that would load the solvers with the CLI.
_NO_SOLVER = "none"


def print_result(result: SolveResult) -> None:
    from dealbench.limit import grouped_messages, messages

    out = console()
    out.print(f"{result.portfolio_title}: {result.policy} regime, {result.mode}")
    if result.deals:
        table = result_table(result, compact=False)
        print_table(out, table if fits(out, table) else result_table(result, compact=True))
        out.print("Concessions granted:")
        for deal in result.deals:
            say(out, f"  {deal.partner}: {concessions_text(deal.concessions)}", indent=6)
    elif result.solver.name == _NO_SOLVER:  # every negotiation closed: the reasons say how
        out.print("No deal is concluded.")
    elif result.status.value != "optimal":  # stopped: nothing is proven of the packages
        say(
            out,
            "No deal is concluded in what the solver found before it stopped; packages "
            "better than no deal may exist.",
        )
    else:
        out.print(
            "No deal is concluded: no package is acceptable to a partner and better for "
            "the United States than its walk-away value."
        )
    out.print(f"Status: {result.status.value}   US utility: {money(result.us_value)}")
    if result.mode != "us-best" and result.objective is not None:
        say(out, objective_line(result))
    say(out, schedule_line(result))
    if result.deals:
        say(out, f"No deal: {', '.join(result.no_deal) or 'none'}")
    say(out, supply_line(result))
    budget = "no budget" if result.risk_budget is None else f"budget {h100e(result.risk_budget)}"
    out.print(f"Risk (risk-weighted H100e): {h100e(result.risk_total)} ({budget})")
    if rows := rows_words(result):  # the table's columns, as printed, add up otherwise
        say(out, rows)
    for line in grouped_messages(messages(result.binding, unique=True)):
        say(out, f"Binding: {line}")
    if unbound := supply_unbound_words(result):  # full too, but holding no one
        say(out, unbound)
    s = result.solver
    if s.name == _NO_SOLVER:  # "Solver: none 0.1.0, 0.00 s, gap 0" named dealbench's version
        out.print("Solver: none (every negotiation is closed: nothing was re-planned)")
        return
    gap = "n/a" if s.gap is None else f"{s.gap:.2g}"
    if s.gap is not None and s.gap > 1:  # relative to a value near 0: "gap 2.2e+11" says nothing
        gap = "above 100% (no useful bound)"
    if result.mode == "nash" and s.gap is not None:
        # The gap is the linearised model's; the Nash product's own bound follows it.
        gap += " on the linearised model"
    out.print(f"Solver: {s.name} {s.version}, {s.seconds:.2f} s, gap {gap}")


def objective_line(result: SolveResult) -> str:
    """What a mode other than us-best maximised, with V beside it (us-best maximises V)."""
    beside = f"US utility V beside it: {money(result.us_value)}"
    value = result.objective
    if result.mode == "partner-best":
        total = f"{money(value)}{walk_away_words(result)}{floor_words(result)}"
        return f"Maximised: the partners' total utility, {total}; {beside}."
    if result.mode == "nash":
        left = result.solver.details.get("partners_left_without_gain")
        but = " but those named below" if left else ""
        return (
            f"Maximised: the log Nash product, {value:.4f} (the sum of log(gain / USD 1bn) "
            f"over both sides of every partner with a zone of agreement{but}); {beside}."
        )
    if result.mode == "kalai":
        return (
            f"Maximised: the Kalai-Smorodinsky share tau, {value:.4f} (every side's gain "
            f"is at least tau times its ideal gain); {beside}."
        )
    return f"Maximised: {result.objective_name}, {value}; {beside}."


#: Paragraphs stop at this width on a wider terminal: lines of prose stay readable.
MAX_TEXT_WIDTH = 100


def paragraph(text: str, *, first: str = "", rest: str = "  ") -> str:
    """`text` wrapped to the terminal (80 columns when it cannot tell, at most
    MAX_TEXT_WIDTH), its first line led by `first` and the others by `rest`. A word longer
    than a line (a path in a command to run) is left whole on a line of its own: cut, it
    could not be copied (qa48-room: `room --why`'s `dealbench frontier /tmp/.../gulf-asia.yaml`)."""
    import shutil
    import textwrap

    width = min(max(shutil.get_terminal_size((80, 24)).columns, 40), MAX_TEXT_WIDTH)
    return textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def with_notes(data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """A command's --json object with `notes` (`regimes.caps_notes`) after the notes it has
    of its own (a frontier's, a verdict's), in its `notes` field."""
    return {**data, "notes": [*data.get("notes", []), *notes]}


def print_notes(notes: list[str]) -> None:
    """What reading the figures needs (a portfolio's own caps another regime replaced:
    `regimes.caps_notes`), one "Note:" paragraph each, as `compare` prints its own."""
    for note in notes:
        say(console(), f"Note: {note}")


def say(out: Console, text: str, indent: int = 2) -> None:
    """One line of text, wrapped to the terminal with its continuation lines indented."""
    out.print(paragraph(text, rest=" " * indent), soft_wrap=True)


def result_table(result: SolveResult, *, compact: bool) -> Table:
    """The deals: one row each; compact (total compute only) where the periods do not fit."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0), collapse_padding=True)
    table.add_column("Partner", no_wrap=True)
    table.add_column("Security", no_wrap=True)
    periods = [] if compact else list(result.periods)
    for t in periods:
        table.add_column(f"{t}\nH100e", justify="right", no_wrap=True)
    if compact:
        table.add_column("Total\nH100e", justify="right", no_wrap=True)
    table.add_column("US\nutility", justify="right", no_wrap=True)
    table.add_column("Partner\nutility", justify="right", no_wrap=True)
    table.add_column("Risk, rw\nH100e", justify="right", no_wrap=True)
    for deal in result.deals:
        amounts = [h100e(deal.compute.get(t, 0.0)) for t in periods]
        if compact:
            amounts = [h100e(sum(deal.compute.values()))]
        table.add_row(
            deal.partner,
            deal.security,
            *amounts,
            money(deal.us_value),
            money(deal.partner_utility),
            h100e(deal.risk),
        )
    return table


def print_evaluation(deal: DealFigures, periods: list[str], package: Package | None = None) -> None:
    """A package's figures; each period written in chips or TPP in `package` shows them
    beside its H100e, as the round and package files and the term sheets write them."""
    from dealbench.limit import broken_messages

    out = console()
    written = package.written() if package is not None else {}
    table = Table(
        title=f"Package for {deal.partner_in_text()} ({deal.partner}) under {deal.security}",
        title_justify="left",
        show_header=False,
    )
    table.add_column("")
    table.add_column("", justify="right")
    for t in periods:
        table.add_row(
            f"Compute {t} (H100e)", h100e(deal.compute.get(t, 0.0)) + _as_written(written.get(t))
        )
    table.add_row("Concessions", concessions_text(deal.concessions).replace(", ", "\n"))
    table.add_row("US value of concessions", money(deal.us_concession_value))
    table.add_row("Export value", money(deal.export_value))
    table.add_row("Risk (risk-weighted H100e)", h100e(deal.risk))
    table.add_row("Risk penalty", money(deal.risk_penalty))
    table.add_row("US utility", money(deal.us_value))
    table.add_row("US walk-away value", money(deal.us_batna))
    table.add_row("Partner utility", money(deal.partner_utility))
    table.add_row("Partner walk-away value + margin", money(deal.acceptance_threshold))
    print_table(out, table)
    if deal.accepts:
        out.print("Partner accepts: yes")
    else:
        # Its figures can print alike ($2.10bn and $2.10bn, $20,000 short): say by how much.
        short = money(deal.acceptance_threshold - deal.partner_utility)
        say(
            out,
            f"Partner accepts: no (its utility falls {short} short of its walk-away value "
            "plus the required margin)",
            indent=2,
        )
    if deal.violations:
        out.print("Violations:")
        for line in broken_messages(deal.violations):
            say(out, f"  - {line}", indent=4)
    else:
        out.print("Violations: none")
