"""The example data dealbench ships, as the demo reads it: found (in ./deals, else the
installed copy), copied file by file, and its UAE offer and counter made into a redline
and a memo."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.cli.base import DEMO_PORTFOLIO, SHIPPED

if TYPE_CHECKING:
    from dealbench.model import Portfolio
    from dealbench.render.documents import Document


def shipped_redline(pf: Portfolio, date: dt.date | None) -> list[Document]:
    """The demo's redline: the shipped UAE offer against the UAE's counter, internal."""
    from dealbench.model import load_package
    from dealbench.render.documents import in_redlines, package_redline

    old, new = shipped_file("packages/ae-offer.yaml"), shipped_file("packages/ae-counter.yaml")
    a, b = load_package(old, pf), load_package(new, pf)
    doc = package_redline(
        pf,
        a,
        b,
        files=(str(old), str(new)),
        audience="internal",
        date=date,
        fallbacks=("US offer", "UAE counter"),
    )
    return [in_redlines(doc)]


def shipped_counter_memo(date: dt.date | None) -> list[Document]:
    """The demo's memo of the UAE counter: the partner's proposal against our offer."""
    from dealbench.cli.documents import _against
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import load_source

    portfolio = shipped_file(DEMO_PORTFOLIO)
    source = load_source(shipped_file("packages/ae-counter.yaml"), portfolio)
    against = _against(shipped_file("packages/ae-offer.yaml"), source)
    return documents_for(source, "deal-memo", partners=["AE"], date=date, against=against)


def example_files(root: Path) -> dict[str, bytes]:
    """Every file of the example data at `root` as `deals/<its path>` (hidden names left
    out, as every folder dealbench lists leaves them), each read as a data file is: a FIFO
    or a device there is refused by name, not waited on."""
    from dealbench.model.yamlio import display_path, read_regular_file

    files = {}
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                path = Path(folder) / name
                files[f"deals/{path.relative_to(root).as_posix()}"] = read_regular_file(
                    path, display_path(path), _MAX_EXAMPLE_BYTES, "a file of the example data"
                )
    return files


#: The largest file of the example data the demo copies (a house reference.docx included).
_MAX_EXAMPLE_BYTES = 64 * 1024 * 1024


def shipped_file(relative: str) -> Path:
    for root in (Path.cwd() / "deals", SHIPPED):
        if (root / relative).exists():
            return root / relative
    from dealbench.errors import InputError, Issue

    raise InputError(Issue(f"deals/{relative}", None, "", "the shipped example data was not found"))
