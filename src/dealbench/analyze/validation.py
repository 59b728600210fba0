"""`dealbench validate`: every data file checked, every problem of every file reported.

Here, above `model`, `render` and the scenarios, because a file is checked by all three:
its shape and references (`model.load_file`), its clauses (`render.clause_check`), and a
scenarios file's overrides against a portfolio (`analyze.scenarios`). Both shells call
`validate_files`: the CLI prints `ok:` lines and exits 2 on any issue, the web workbench
lists the same (`/validate`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dealbench.errors import InputError, Issue
from dealbench.io import unhidden
from dealbench.model import Portfolio, load_file

__all__ = ["Validation", "data_files", "validate_files"]


@dataclass
class Validation:
    """What `validate_files` found: each file that passed with its kind, and every issue
    of the others (a file may have several)."""

    ok: list[tuple[Path, str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: What passes but does not do what it says (the file stays valid).
    notes: list[Issue] = field(default_factory=list)


def data_files(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """The files named, a folder standing for the YAML files under it, in order (an
    InputError for a folder without any)."""
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [p for p in unhidden(path, "*") if p.suffix in (".yaml", ".yml")]
            if not found:
                raise InputError(Issue(str(path), None, "", "a folder without YAML files"))
            out += found
        else:
            out.append(path)
    return out


def validate_files(
    paths: list[str | os.PathLike[str]], portfolio: Portfolio | None = None
) -> Validation:
    """Check every file under `paths`: shape, units, references, its clauses, and, with
    `portfolio`, packages and scenarios against it. Never stops at the first bad file."""
    from dealbench.analyze.scenarios import load_scenarios
    from dealbench.render.clause_check import check_clauses

    found = Validation()
    for path in data_files(paths):
        try:
            kind, loaded = load_file(path, portfolio)
            if kind == "scenarios" and portfolio is not None:
                load_scenarios(path, portfolio)
            check_clauses(path, kind, loaded)
        except InputError as exc:
            # A partner file's fault is met again in every portfolio that lists it: said once.
            found.issues += [i for i in exc.issues if i not in found.issues]
            continue
        found.ok.append((path, kind))
        found.notes += _notes(path, loaded)
    if portfolio is None:
        found.notes += _unchecked(found.ok)
    return found


def _unchecked(ok: list[tuple[Path, str]]) -> list[Issue]:
    """Packages and scenarios passed without a portfolio were checked for their shape
    only: an "ok" for a package naming a concession, a period or a security level no
    portfolio has would otherwise read as a package that can be evaluated."""
    files = [path for path, kind in ok if kind in ("package", "scenarios")]
    if not files:
        return []
    which = str(files[0]) if len(files) == 1 else f"{len(files)} package and scenarios files"
    message = (
        "checked for shape only; a portfolio (validate --portfolio FILE) checks the "
        "partner, periods, security level, concessions and overrides named there"
    )
    return [Issue(which, None, "", message)]


def _notes(path: Path, loaded: object) -> list[Issue]:
    """A policy's cap for tier 3 other than 0: tier 3 receives nothing whatever it says
    (DESIGN.md), so a writer who meant to let it in is told."""
    from dealbench.model import Policy
    from dealbench.model.yamlio import read_yaml

    if not isinstance(loaded, Policy) or loaded.caps.tier3 == 0:
        return []
    message = (
        "tier 3 (arms-embargoed) receives nothing under any deal, whatever this cap says; "
        "write 0 or leave it out"
    )
    return [read_yaml(path).issue(("caps", "tier3"), message)]
