"""The files a solve writes into its folder (`solve --out`, `demo`): result.json, a package
file per deal, and the result's documents."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.cli.shipped_examples import shipped_counter_memo, shipped_redline

#: The file `solve --out` and `demo` write on every run.
RESULT_FILE = "result.json"
#: What an earlier solve wrote that a new one replaces (`OutputDir`'s `replace`): a deal
#: no longer made loses its term sheet; other commands' files in the folder stay.
SOLVE_FILES = (RESULT_FILE, "packages/*", "term-sheets/*", "memos/*")
#: The demo's own besides: the shipped redline and the copy of the example data.
DEMO_FILES = (*SOLVE_FILES, "redlines/*", "deals/*")

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.render.documents import Format


def write_outputs(
    pf: Portfolio,
    result: SolveResult,
    out: Path,
    *,
    force: bool,
    date: dt.date | None,
    portfolio_path: Path | None = None,
    formats: Sequence[Format] | None = None,
    templates: Path | None = None,
    everything: bool = False,
    copies: dict[str, bytes] | None = None,
) -> list[Path]:
    """result.json, and the documents of the result.

    Without `formats`: one Markdown term sheet per deal. With `formats`: every
    deal's term sheet and the portfolio memo in each format. `everything` adds
    internal term sheets, deal memos and the shipped redline (the demo);
    `copies` more files, by their path in `out` (the demo's example data).
    """
    from dealbench.cli import output
    from dealbench.cli.documents import write_documents
    from dealbench.io import OutputDir
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import source_from_result

    # stale documents go, and no other command's
    folder = OutputDir(out, force=force, replace=DEMO_FILES if everything else SOLVE_FILES)
    if portfolio_path is not None:
        result = result.model_copy(update={"portfolio_file": portfolio_ref(portfolio_path, out)})
    data = output.result_json(result)
    if date is not None:
        data["date"] = date.isoformat()  # the documents' date: a later render keeps it
    result_json = output.to_json(data) + "\n"
    source = source_from_result(pf, result)
    docs = documents_for(source, "term-sheet", audience="external", date=date)
    if formats is not None:
        if everything:
            docs += documents_for(source, "term-sheet", audience="internal", date=date)
            docs += documents_for(source, "deal-memo", date=date)
        docs += documents_for(source, "portfolio-memo", date=date)
        if everything:
            docs += shipped_redline(pf, date) + shipped_counter_memo(date)
    extra = {RESULT_FILE: result_json.encode(), **package_files(pf, result), **(copies or {})}
    write_documents(folder, docs, formats or ["md"], templates, extra)
    return folder.written


def package_files(pf: Portfolio, result: SolveResult) -> dict[str, bytes]:
    """packages/<CODE>.yaml for every deal: package files `evaluate`, `redline` and `counter` read."""
    from dealbench.negotiate.rounds.write import package_yaml

    header = (
        f"'s package from the {result.mode} solve of portfolio {pf.id} "
        f"({pf.policy.id} regime), input fingerprint {result.fingerprint}."
    )
    if result.overrides:  # its figures hold under them: say how to evaluate it as solved
        sets = " ".join(f"--set {shlex.quote(item)}" for item in result.overrides)
        header += f"\nSolved with {sets}: evaluate it with the same."
    return {
        f"packages/{d.partner}.yaml": package_yaml(
            d.package().in_steps_of(pf.granularity), d.partner + header
        ).encode()
        for d in result.deals
    }


def portfolio_ref(portfolio: Path, out: Path) -> str:
    """The portfolio as result.json names it: relative to out/ when they share a folder."""
    target, base = portfolio.resolve(), out.resolve()
    if os.path.commonpath([target, base]) == target.anchor:
        return target.as_posix()
    return Path(os.path.relpath(target, base)).as_posix()
