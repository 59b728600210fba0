"""What a document is rendered from, loaded from a file: a result.json (`result_file`)
with its portfolio as solved (`as_solved`), or a package file, checked against its
portfolio (`source`).

Figures are never taken from a result file as written: its packages are checked again
against the portfolio, so a document shows what the independent checker vouches for
today.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.model.yamlio import not_found
from dealbench.render.as_solved import as_solved
from dealbench.render.result_file import (
    is_result_file,
    read_result,
    result_date,
    result_portfolio_path,
)
from dealbench.render.source import (
    Source,
    checked_alone,
    maximised_text,
    source_from_packages,
    source_from_result,
    with_shared,
)

__all__ = [
    "Source",
    "checked_alone",
    "is_result_file",
    "load_source",
    "maximised_text",
    "read_result",
    "result_date",
    "result_portfolio_path",
    "source_from_packages",
    "source_from_result",
    "with_shared",
]


def load_source(
    path: str | os.PathLike[str], portfolio_path: str | os.PathLike[str] | None = None
) -> Source:
    """A result.json or a package YAML file, checked against its portfolio (required for a
    package; a result.json names its own). Either path may be a str or any os.PathLike (a
    str was an AttributeError)."""
    from dealbench.model import detect_kind, load_package, load_portfolio
    from dealbench.model.file_kind import not_a_result
    from dealbench.model.yamlio import read_yaml

    path = Path(path)
    portfolio_path = None if portfolio_path is None else Path(portfolio_path)
    if path.is_dir():
        raise InputError(
            Issue(str(path), None, "", "is a folder; expected a result.json or a package file")
        )
    if is_result_file(path):
        result = read_result(path)
        pf_path = portfolio_path or result_portfolio_path(path, result)
        if pf_path is None:
            raise ArgumentError(
                "portfolio_path", f"{path} names no portfolio file; give the portfolio it is for"
            )
        if portfolio_path is None and not pf_path.exists():  # moved, or the result copied
            raise InputError(
                Issue(
                    str(path),
                    None,
                    "portfolio_file",
                    f"{result.portfolio_file}: {not_found(pf_path, str(result.portfolio_file))}"
                    " (the portfolio it was solved for: give it with --portfolio)",
                )
            )
        portfolio = as_solved(load_portfolio(pf_path), result, path, pf_path)
        source = source_from_result(portfolio, result, str(path))
        warnings: tuple[str, ...] = ()
        # A re-plan from rounds (`solve --rounds`) has a fingerprint over the round files
        # too; its data files' own digest is recorded beside it.
        solved = result.rounds.inputs if result.rounds and result.rounds.inputs else None
        if result.rounds is not None and solved is None:
            # Written by a dealbench before 2026-12-03: the data files' digest was not
            # recorded, and the fingerprint covers the round files as they were then.
            warnings = (
                f"{path} was re-planned from rounds by an earlier dealbench, which did not "
                f"record the digest of the data files alone: whether {pf_path} or the files it "
                "names changed since cannot be told; the documents check its packages against "
                "the files as they are (`solve --rounds DIR --out` records it)",
            )
        elif portfolio.fingerprint() != (solved or result.fingerprint):
            warnings = (
                f"{path} was solved from other inputs than {pf_path} as it is now (a data "
                "file edited since, or --set overrides it does not name: a result written "
                "before results recorded them): the documents check its packages against the "
                "files as they are; `solve --out --render` writes the documents of the solve "
                "itself",
            )
        return replace(source, date=result_date(path), warnings=warnings)
    given = not_a_result(read_yaml(path))
    try:
        kind = detect_kind(given)
    except InputError:  # unclear: loading it says what is wrong
        kind = "package"
    if kind not in ("round", "package"):  # a round file is read as the package it records
        said = f"this is a {kind} file, expected a solve's result.json or a package file here"
        if kind == "portfolio":  # `render PORTFOLIO`: what gives its documents
            said += (
                "; a portfolio's documents are its solve's: `dealbench solve PORTFOLIO --out "
                "DIR --render md` writes them, and `render DIR/result.json` renders them again"
            )
        raise InputError(given.issue((), said))
    if portfolio_path is None:
        raise ArgumentError("portfolio_path", f"{path} is a package; give the portfolio it is for")
    portfolio = load_portfolio(portfolio_path)
    package = load_package(path, portfolio)
    origin = package.title or f"package {path.name}"
    source = source_from_packages(
        portfolio, [package], origin=origin, date=package.date, stem=path.stem
    )
    return source
