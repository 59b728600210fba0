"""A result.json as `dealbench solve --out` writes it: read and refused field by field,
its documents' date, the portfolio file it names, and telling it from a package file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.errors import InputError, Issue

if TYPE_CHECKING:
    from dealbench.optimize.result import SolveResult


def read_result(path: Path) -> SolveResult:
    """A result.json written by `dealbench solve --out`."""
    from pydantic import ValidationError

    from dealbench.optimize.result import load_result, not_a_result

    result = load_result(path)
    for i, deal in enumerate(result.deals):  # a hand-edited package: refused, field named
        try:
            deal.package()
        except ValidationError as exc:
            text = path.read_bytes().decode("utf-8-sig")  # as load_result read it
            raise not_a_result(str(path), text, exc, ("deals", i)) from None
    return result


def result_date(path: Path) -> dt.date | None:
    """The documents' date a result.json keeps (`solve --date`), if any; a date that is not
    YYYY-MM-DD (a hand edit) is refused rather than dropped."""
    import json

    try:
        value = json.loads(path.read_bytes()).get("date")
    except (OSError, ValueError, AttributeError):
        return None
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _bad_date(path, value)
    except ValueError:
        return _bad_date(path, value)


def _bad_date(path: Path, value: object) -> dt.date:
    raise InputError(Issue(str(path), None, "date", f"expected YYYY-MM-DD, got {value!r}"))


def is_result_file(path: Path) -> bool:
    """A JSON file (a result) rather than a YAML package."""
    if path.suffix.lower() == ".json":
        return True
    if not path.is_file():  # a FIFO or a device: no result, and not read here (blocking)
        return False
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def result_portfolio_path(path: Path, result: SolveResult) -> Path | None:
    """The portfolio file a result names, resolved against the result's folder."""
    if not result.portfolio_file:
        return None
    ref = Path(result.portfolio_file)
    return ref if ref.is_absolute() else path.parent / ref
