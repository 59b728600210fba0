"""`dealbench demo`: the shipped example portfolio solved, every document written, and
the example data copied beside them."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from dealbench.cli.base import DEMO_PORTFOLIO, Force, app, folder_option
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.cli.result_files import RESULT_FILE, write_outputs
from dealbench.cli.shipped_examples import example_files, shipped_file


@app.command(epilog=examples("dealbench demo", "dealbench demo --out /tmp/demo-out"))
def demo(
    out: Annotated[
        Path,
        folder_option("--out", "Folder for the result and the documents."),
    ] = Path("out"),
    force: Force = False,
) -> None:
    """Solve the shipped example portfolio and write every document in every format.

    Term sheets (external and internal) and deal memos for each deal, the
    portfolio memo, a redline of the shipped UAE offer against its counter,
    and the memo of that counter (the partner's proposal against our offer),
    each in Markdown, HTML, DOCX, PDF and JSON; and a copy of the example data in
    OUT/deals, on which every command's examples run (from OUT).
    """
    from dealbench.cli import output
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve as run_solve
    from dealbench.optimize.explain import no_deal_reasons
    from dealbench.render.documents import FORMATS

    with handled():
        from dealbench.io import OutputDir

        path = shipped_file(DEMO_PORTFOLIO)
        example_data = example_files(path.parent.parent)  # read before the solve
        # refused before the solve and the rendering, not after: an edited copy of the data
        OutputDir(out, force=force).check([RESULT_FILE, *example_data])
        pf = load_portfolio(path)
        result = run_solve(pf).raise_for_status()
        result = result.explained(no_deal_reasons(pf, result), pf)  # as `solve` says them
        output.print_result(result)
        typer.echo(f"Rendering documents ({', '.join(FORMATS)}) ...", err=True)
        written = write_outputs(
            pf,
            result,
            out,
            force=force,
            date=None,
            portfolio_path=out / "deals" / DEMO_PORTFOLIO,  # result.json names the copy
            formats=FORMATS,
            everything=True,
            copies=example_data,
        )
        documents = [p for p in written if p.relative_to(out).parts[0] != "deals"]
        typer.echo(f"Wrote {len(documents)} files to {out}/:")
        for path in documents:
            typer.echo(f"  {path}")
        typer.echo(
            f"Wrote the example data ({len(example_data)} files) to {out / 'deals'}/: every "
            f"command's --help examples run on it in {out}/ (cd {shlex.quote(str(out))})."
        )
