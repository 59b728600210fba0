"""The CLI's side of explanations: an infeasible solve and partners left without a deal.

Whatever the status, `solve --json` prints one JSON object on stdout; an infeasible
solve carries its explanation there and on stderr, and exits 3. So does `offer --json`
when no package can be offered (`no_in_json`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from dealbench.errors import InfeasibleError, InputError, Issue
from dealbench.list_words import each_once

if TYPE_CHECKING:
    from pathlib import Path

    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.optimize.explain.data import NoDeal


def check_required(pf: Portfolio, require: Sequence[str]) -> list[str]:
    """--require-deal codes, each a partner of the portfolio; read upper case, as every
    --partner option reads its code (`ae` is AE)."""
    codes = [p.code for p in pf.partners]
    require = each_once([code.upper() for code in require], "--require-deal", "partner")
    for code in require:
        if code not in codes:
            raise InputError(Issue("--require-deal", None, "", pf.unknown_partner(code)))
    return require


def raise_for_status(
    pf: Portfolio,
    result: SolveResult,
    *,
    mode: str,
    v_floor: float | None,
    require: Sequence[str],
    json_out: bool,
) -> None:
    """Explain a result without packages (exit 3 when infeasible); with --json, print the
    status object first, so stdout holds one JSON object whatever the status."""
    from dealbench.cli import output
    from dealbench.errors import DealbenchError
    from dealbench.optimize.explain.infeasible import raise_explained

    try:
        raise_explained(pf, result, mode=mode, v_floor=v_floor, require=require)  # type: ignore[arg-type]
    except DealbenchError as exc:
        if json_out:
            payload: dict[str, Any] = {"status": result.status.value, "message": result.message}
            if isinstance(exc, InfeasibleError):
                payload = no_json(exc)
            typer.echo(output.to_json(payload))
        raise


def no_json(exc: InfeasibleError) -> dict[str, Any]:
    """A "no" (exit 3) as `--json` says it on stdout: `{"status": "infeasible", "message":
    ..., "explanation": {...}}`, the explanation where the refusal carries one (solve's
    limits to relax)."""
    payload: dict[str, Any] = {"status": "infeasible", "message": str(exc)}
    if exc.details:
        payload["explanation"] = exc.details
    return payload


@contextmanager
def no_in_json(json_out: bool) -> Iterator[None]:
    """With --json, a "no" raised in the block (`InfeasibleError`, exit 3) is said on stdout
    as one JSON object (`no_json`) before it is said on stderr, as `solve --json` says its
    own: `offer --json` printed nothing on stdout when it could offer nothing, and a script
    reading its answer met an empty stream."""
    from dealbench.cli import output

    try:
        yield
    except InfeasibleError as exc:
        if json_out:
            typer.echo(output.to_json(no_json(exc)))
        raise


def print_reasons(reasons: Sequence[NoDeal], portfolio: Path | None = None) -> None:
    """One paragraph per partner, wrapped to the terminal; the partners the solve did not
    explain in one, after the others, naming each. `portfolio`: the file as given, which
    the command a reason points to takes."""
    import shlex

    from dealbench.cli import output
    from dealbench.list_words import and_list

    given = "PORTFOLIO" if portfolio is None else shlex.quote(str(portfolio))

    for reason in reasons:
        if reason.explained:
            # The CLI's pointer to the frontier the reason speaks of (`NoDeal.frontier`).
            see = (
                f" (dealbench frontier {given} --partner {reason.partner} draws it)"
                if reason.frontier
                else ""
            )
            typer.echo(
                output.paragraph(f"Why no deal with {reason.partner}: {reason.message}{see}")
            )
    left = [r for r in reasons if not r.explained]
    if left:
        from dealbench.result_words import explain_all_command

        codes = and_list([r.partner for r in left])
        said = f"{left[0].message} ({explain_all_command('solve')})"  # the CLI's way to ask
        typer.echo(output.paragraph(f"Why no deal with {codes}: {said}"))
