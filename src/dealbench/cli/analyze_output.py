"""Terminal output and files of `compare`, `sweep` and `diff` (fits 80 columns)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dealbench.cli import output
from dealbench.cli.output import print_table, say
from dealbench.figures import h100e_total_head, quantity, thousands

if TYPE_CHECKING:
    from dealbench.analyze.compare import Comparison
    from dealbench.analyze.diff import ResultDiff
    from dealbench.analyze.sweep import SweepResult
    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.render.documents import Format


#: The files `compare --out` and `sweep --out` write on every run.
COMPARISON_FILE = "comparison.json"
SWEEP_FILE = "sweep.json"
#: What an earlier `compare --out` wrote that a new one replaces (`OutputDir`'s `replace`):
#: a regime not compared now goes with its result and memo; other commands' files stay.
COMPARE_FILES = (COMPARISON_FILE, "*/result.json", "charts/regimes-*", "memos/*")


def to_json(data: Any) -> str:
    """As every command's JSON: figures to 12 significant digits, null when not finite."""
    return output.to_json(data)


def _console() -> Console:
    return output.console()  # no console markup: titles and names are printed as written


def money(amount: float | None) -> str:
    from dealbench.figures import usd

    return usd(amount)


def h100e(amount: float | None) -> str:
    return "n/a" if amount is None else f"{quantity(amount)}"


def print_comparison(c: Comparison) -> None:
    out = _console()
    table = Table(title=f"{c.title}: regimes compared", title_justify="left")
    table.add_column("")
    for r in c.regimes:
        star = " *" if r.regime == c.best or r.regime in c.tied else ""
        table.add_column(r.regime + star, justify="right")

    def row(label: str, values: Sequence[str]) -> None:
        table.add_row(label, *values)

    # Each regime's compute and risk as every page prints them: the exact figures, rounded,
    # so no export reads above a supply used in full (figures.exact_total).
    regimes = c.regimes
    row(
        "Partners with a deal",
        [str(r.deals) if r.us_value is not None else r.status for r in regimes],
    )
    for t in c.periods:
        row(f"H100e exported {t}", [h100e(r.compute.get(t)) for r in regimes])
    row("US utility", [money(r.us_value) for r in c.regimes])
    row("  concessions", [money(r.concessions) for r in c.regimes])
    row("  export value", [money(r.export_value) for r in c.regimes])
    row("  risk penalty", [money(None if r.risk_cost is None else -r.risk_cost) for r in regimes])
    row("  no-deal losses", [money(r.no_deal_losses) for r in c.regimes])
    row("Partner surplus", [money(r.partner_surplus) for r in c.regimes])
    row("Risk (weighted H100e)", [h100e(r.risk_total) for r in regimes])
    print_table(out, table)

    print_who_gets_what(out, c)
    if c.best:
        tied = "".join(f", tied with {r} {_aside(c.row(r).title)}" for r in c.tied)
        say(out, f"* Highest US utility: {c.best} {_aside(c.row(c.best).title)}{tied}.")
    if c.overrides:
        out.print("With: " + ", ".join(f"{k}={v}" for k, v in c.overrides.items()))
    for note in c.notes:
        say(out, f"Note: {note}")
    for r in c.regimes:
        if r.us_value is None:
            say(out, f"{r.regime}: {r.status}: {r.message}")


def _aside(text: str) -> str:
    """`text` in parentheses, its own in square brackets: "repeal (Rule repealed [no caps;
    risk penalty only])", where a policy's title in parentheses put parentheses in
    parentheses ("(Rule repealed (no caps; risk penalty only))")."""
    return "(" + text.replace("(", "[").replace(")", "]") + ")"


def print_who_gets_what(out: Console, c: Comparison) -> None:
    """Each partner under each regime, ending in each regime's total, with the options
    memo's figures (`analyze.memo.who_gets_what`) and its note where the rows as printed
    add up to another figure."""
    from dealbench.analyze.memo import who_gets_what

    who = who_gets_what(c)
    partners = Table(title="Who gets what, and the limit that decides it", title_justify="left")
    partners.add_column("Partner")
    for r in c.regimes:
        partners.add_column(r.regime, justify="right")
    # one form for every figure of the table (`thousands`): 31.7k above 1,685.0k; a
    # thousand form of one decimal at most is the figure whole, so the note holds for it
    cells = [cell for p in who["partners"] for cell in p["cells"] if cell["deal"]]
    totals = [t for t in who["totals"] if t is not None]
    shown = iter(thousands([cell["compute"] for cell in cells] + totals))
    for p in who["partners"]:
        row = []
        for cell in p["cells"]:
            head = f"{next(shown)} {cell['security']}" if cell["deal"] else "no deal"
            row.append(Text.assemble(head, "\n", (cell["decided_by"], "dim")))
        partners.add_row(f"{p['code']} (tier {p['tier']})", *row)
    partners.add_section()
    partners.add_row(
        Text("Total", style="bold"),
        *(Text(next(shown), style="bold") if t is not None else "-" for t in who["totals"]),
    )
    print_table(out, partners)
    for said in (who["legend"], who["note"]):
        if said:
            say(out, said)


def write_comparison(
    out: Path,
    comparison: Comparison,
    solved: dict[str, tuple[Portfolio, SolveResult]],
    formats: Sequence[Format] | None,
    *,
    force: bool,
    date: dt.date | None,
    executor: Any = None,
    portfolio_path: Path | None = None,
) -> list[Path]:
    """comparison.json, REGIME/result.json for each regime (naming `portfolio_path`, as
    `solve --out` does, so `render` finds it) and, with `formats`, the options memo and a
    portfolio memo for principals under each regime."""
    from dealbench.analyze.compare import explained
    from dealbench.cli.documents import write_documents
    from dealbench.cli.result_files import portfolio_ref
    from dealbench.io import OutputDir

    # a regime not compared now goes, and no other command's files
    folder = OutputDir(out, force=force, replace=COMPARE_FILES)
    solved = explained(solved)  # the result files and memos say why, as `solve` does
    extra = {COMPARISON_FILE: (to_json(comparison.model_dump(mode="json")) + "\n").encode()}
    for regime, (_pf, result) in solved.items():
        if portfolio_path is not None:
            ref = portfolio_ref(portfolio_path, out / regime)
            result = result.model_copy(update={"portfolio_file": ref})
        data = result.model_dump(mode="json")
        if date is not None:  # the documents' date, as `solve --out` keeps it: `render` reads it
            data["date"] = date.isoformat()
        extra[f"{regime}/result.json"] = (to_json(data) + "\n").encode()
    from dealbench.analyze.memo import options_facts
    from dealbench.render import charts as chart_lib
    from dealbench.render.options_memo import charts

    docs = []
    if formats is not None:
        from dealbench.analyze.memo import options_memo_document, principals_memo_documents

        docs.append(options_memo_document(comparison, solved, date=date, executor=executor))
        docs += principals_memo_documents(solved, executor=executor, date=date)
    # The options memo's charts are these: drawn once, here, for both (the worker
    # rendering the memo drew them a second time, the same bytes).
    wanted = set(formats or [])
    printed = bool({"docx", "pdf"} & wanted)  # its PNGs drawn with the SVGs, each chart once
    memo = docs[0].with_svgs(png=printed) if docs and {"md", "html"} & wanted else None
    for chart in charts(options_facts(comparison)):
        svg = memo.svg(chart) if memo is not None and chart in memo.charts else chart_lib.svg(chart)
        extra[f"charts/regimes-{chart.id}.svg"] = (svg + "\n").encode()
    if memo is not None:
        docs[0] = memo
    write_documents(folder, docs, formats or [], None, extra, _local_jobs(executor))
    return folder.written


def _local_jobs(executor: Any) -> int | None:
    """The processes `--jobs` allows this machine (None: not said; a dask cluster's workers
    solve, and documents are rendered here as without it)."""
    from dealbench.analyze.parallel import Executor

    if isinstance(executor, Executor) and executor.kind != "dask":
        return executor.workers
    return None


#: The least width of a sweep's changes column: narrower, its text is listed under the table.
CHANGES_WIDTH = 30


def print_sweep(s: SweepResult) -> None:
    """A sweep's table, and what changes from row to row: in its last column where the
    terminal leaves that column `CHANGES_WIDTH` characters (or all its text needs), else
    listed under the table, a row's changes one partner a line. At 80 columns the scenarios'
    "Against the base" had 15 characters: SA's grants and compute read a word a line, one
    scenario 40 lines tall."""
    from rich.measure import Measurement

    from dealbench.analyze.sweep_words import change_sentences, row_labels

    out = _console()
    labels = row_labels(s)
    heading = "Package changes" if s.param else "Against the base"
    changes = ["; ".join(r.changes) or "-" for r in s.rows]
    # Room for the last column: the terminal less the other columns and its own padding
    # and border (3 characters).
    room = out.width - Measurement.get(out, out.options, _sweep_table(s, labels)).maximum - 3
    inline = room >= min(36, CHANGES_WIDTH, max(map(cell_len, [heading, *changes])))
    table = _sweep_table(s, labels, (heading, changes) if inline else None)
    # The title on a line of its own, wrapped to the terminal: as the table's title it
    # wrapped to the table, narrower once its changes are listed under it.
    regime = f" ({s.policy} regime)" if s.policy else ""
    say(out, f"{s.title}{regime}: " + (f"sweep of {s.param}" if s.param else "scenarios"))
    print_table(out, table)
    if not inline:
        _changes_under(out, s, labels)
    for line in change_sentences(s):
        say(out, line)
    for note in s.notes:  # as `solve --policy` says it (`output.print_notes`)
        say(out, f"Note: {note}")


def print_why_lost(
    s: SweepResult, portfolio: Path, given: Sequence[str], scenarios: dict[str, dict[str, Any]]
) -> None:
    """Where a scenario or a value loses a deal, the solve that says why, as a command to
    run: the first such row's (a sweep says who loses a deal, not why; each reason takes a
    solve or more). `given`: the sweep's --policy and --set as typed; `scenarios`: each
    scenario's values by id."""
    import shlex

    from dealbench.analyze.sweep_words import first_lost

    row = first_lost(s)
    if row is None:
        return
    if s.param is not None and row.value is not None:
        sets, which = {s.param: f"{row.value:.15g}"}, f"at {s.param}={row.value:,.15g}"
    else:
        sets, which = scenarios.get(row.id, {}), f"{row.id}'s values"
    words = [*given, *(w for path, v in sets.items() for w in ("--set", f"{path}={v}"))]
    command = " ".join(["dealbench solve", shlex.quote(str(portfolio)), *map(shlex.quote, words)])
    say(
        _console(),
        f"Why a partner loses its deal: {command} ({which}) says why, as a solve with "
        "another row's values does for that row.",
    )


def _sweep_table(
    s: SweepResult, labels: Sequence[str], changes: tuple[str, Sequence[str]] | None = None
) -> Table:
    """A sweep's table: its rows' figures, and `changes` (a heading, a cell a row) last."""
    from dealbench.analyze.sweep_words import utility_labels

    table = Table()
    table.add_column("Value" if s.param else "Scenario")
    table.add_column("US utility", justify="right")
    table.add_column("Deals", justify="right")
    # The total's heading wraps to its figures' width: a wider column left the scenarios'
    # table 82 columns wide in a terminal of 80.
    head, totals = h100e_total_head(s.periods), [h100e(r.compute_total) for r in s.rows]
    narrow = max(map(cell_len, [*head.split(), *totals]))
    table.add_column(head, justify="right", max_width=narrow)
    table.add_column("Risk", justify="right")
    if changes is not None:
        table.add_column(changes[0], max_width=36)
    cells = zip(s.rows, labels, utility_labels(s), totals, strict=True)
    for i, (r, label, utility, total) in enumerate(cells):
        more = [] if changes is None else [changes[1][i]]
        table.add_row(label, utility, str(len(r.deals)), total, h100e(r.risk_total), *more)
    return table


def _changes_under(out: Console, s: SweepResult, labels: Sequence[str]) -> None:
    """A sweep's changes from row to row, under its table: each row that changes, then its
    partners' changes one a line."""
    changed = [(label, r.changes) for r, label in zip(s.rows, labels, strict=True) if r.changes]
    against = "each value against the one before" if s.param else "each scenario against the base"
    if not changed:
        say(out, f"Package changes ({against}): none.")
        return
    say(out, f"Package changes ({against}):")
    for label, lines in changed:
        say(out, f"  {label}:", indent=4)
        for line in lines:
            say(out, f"    - {line}", indent=6)


def print_diff(d: ResultDiff) -> None:
    out = _console()
    out.print(f"A: {d.a}")
    out.print(f"B: {d.b}")
    for note in d.notes:
        say(out, f"Note: {note}")
    say(out, d.totals)
    changed = d.changed
    if not changed:
        out.print("No partner's package changed.")
    for p in changed:
        out.print(f"{p.partner}:")
        for line in p.changes:  # a long one continues under its text, not at column 0
            say(out, f"  - {line}", indent=4)
    same = [p.partner for p in d.partners if p.change == "same"]
    if same:
        say(out, f"Unchanged: {', '.join(same)}")


def write_sweep(out: Path, result: SweepResult, *, force: bool) -> list[Path]:
    """sweep.json and the sweep's chart, as SVG and PNG."""
    from dealbench.io import OutputDir
    from dealbench.render import charts as chart_lib
    from dealbench.render.sweep_chart import sweep_chart

    folder = OutputDir(out, force=force)
    data = result.model_dump(mode="json")
    svg, png = chart_lib.svg_and_png(sweep_chart(data))  # drawn once for both
    files = {
        SWEEP_FILE: result.file_bytes(),
        "charts/sweep.svg": (svg + "\n").encode(),
        "charts/sweep.png": png,
    }
    folder.publish(files)  # one transaction: all three files, or none
    return folder.written
