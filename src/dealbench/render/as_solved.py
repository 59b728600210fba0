"""A portfolio as a result solved it: under the result's regime and with its `--set`
overrides applied again, an override the files no longer take refused at its line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.model.portfolio import Portfolio

if TYPE_CHECKING:
    from dealbench.optimize.result import SolveResult


def as_solved(portfolio: Portfolio, result: SolveResult, path: Path, pf_path: Path) -> Portfolio:
    """`portfolio` as `result` solved it: under its regime, with its overrides.

    A result solved with `--set policy.id=X` records the regime as X, an id no file has:
    the regime is then the one (the portfolio's own, or one found beside it) that gives the
    result's inputs once the overrides are applied; the portfolio's own when none does
    (the fingerprint's warning follows)."""
    renamed = any(item.partition("=")[0].strip() == "policy.id" for item in result.overrides)
    if not renamed or result.policy == portfolio.policy.id:
        portfolio = _under_its_regime(portfolio, result, path, pf_path)
        return _with_its_overrides(portfolio, result, path)
    own = _with_its_overrides(portfolio, result, path)
    if own.fingerprint() == result.fingerprint:
        return own
    from dealbench.model.regimes import REGIMES, find_regime, under_regime

    for name in REGIMES:
        try:
            policy = find_regime(name, pf_path)
        except ArgumentError:
            continue
        if policy is not None and policy.id != portfolio.policy.id:
            moved = _with_its_overrides(under_regime(portfolio, policy), result, path)
            if moved.fingerprint() == result.fingerprint:
                return moved
    return own


def _under_its_regime(
    portfolio: Portfolio, result: SolveResult, path: Path, pf_path: Path
) -> Portfolio:
    """`portfolio` under the regime `result` was solved under (`solve --policy`, each of
    `compare`'s results), found by its id (`regime_with_id`)."""
    from dealbench.model.regimes import regime_with_id, under_regime

    if result.policy == portfolio.policy.id:
        return portfolio
    policy = regime_with_id(result.policy, pf_path)
    if policy is None:
        raise InputError(
            Issue(
                str(path),
                None,
                "policy",
                f"solved under the regime {result.policy!r}, which is not {pf_path}'s "
                f"({portfolio.policy.id!r}) nor a regime found beside it; render the "
                "documents with the solve (`solve --policy FILE --out DIR --render md`)",
            )
        )
    return under_regime(portfolio, policy)


def _with_its_overrides(portfolio: Portfolio, result: SolveResult, path: Path) -> Portfolio:
    """`portfolio` with the overrides `result` was solved under (`solve --set`, each of
    `compare --set`'s results) applied again, in order, by the solve's own
    `apply_overrides`: the same figures, the same input fingerprint, and documents that
    name them as the solve's own do. One the files no longer take (a partner removed
    since, a hand edit) is refused at its line of the result."""
    from dealbench.model.override_values import parse_set
    from dealbench.model.overrides import apply_overrides

    if not result.overrides:
        return portfolio
    for i, item in enumerate(result.overrides):  # each item alone: its index names it
        try:
            parse_set([item])
        except ArgumentError as exc:
            raise _override_error(path, result, i, exc) from None
    try:
        return apply_overrides(portfolio, parse_set(result.overrides))
    except ArgumentError as exc:
        paths = [item.partition("=")[0].strip() for item in result.overrides]
        at = exc.issues[0].field
        i = max((k for k, p in enumerate(paths) if p == at), default=len(paths) - 1)
        raise _override_error(path, result, i, exc) from None


def _override_error(path: Path, result: SolveResult, i: int, exc: ArgumentError) -> InputError:
    import json

    line = _override_line(path, json.dumps(result.overrides[i], ensure_ascii=False), i)
    return InputError(
        [
            Issue(
                str(path),
                line,
                f"overrides[{i}]",
                f"{issue.field}: {issue.message}" if issue.field else issue.message,
            )
            for issue in exc.issues
        ]
    )


def _override_line(path: Path, item: str, i: int) -> int | None:
    """The line of the `i`th override in result.json (one a line, as `solve --out` writes
    it); else the line of the `overrides` key; else None."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return None
    key = next((n for n, text in enumerate(lines) if text.lstrip().startswith('"overrides"')), None)
    if key is None:
        return None
    at = key + 1 + i
    if at < len(lines) and lines[at].strip().rstrip(",") == item:
        return at + 1
    return key + 1
