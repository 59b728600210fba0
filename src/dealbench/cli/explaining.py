"""The CLI's side of explanations: an infeasible solve and partners left without a deal.

Whatever the status, `solve --json` prints one JSON object on stdout; an infeasible
solve carries its explanation there and on stderr, and exits 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

from dealbench.errors import InfeasibleError, InputError, Issue

if TYPE_CHECKING:
    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.optimize.explain import NoDeal

#: At most this many partners without a deal are explained (one small solve each).
MAX_EXPLAINED = 25


def check_required(pf: Portfolio, require: Sequence[str]) -> list[str]:
    """--require-deal codes, each a partner of the portfolio."""
    codes = [p.code for p in pf.partners]
    for code in require:
        if code not in codes:
            raise InputError(
                Issue(
                    "--require-deal",
                    None,
                    "",
                    f"partner {code!r} is not in portfolio {pf.id}; expected one of: "
                    + ", ".join(codes),
                )
            )
    return list(require)


def raise_for_status(
    pf: Portfolio,
    result: SolveResult,
    *,
    mode: str,
    v_floor: float | None,
    require: Sequence[str],
    json_out: bool,
) -> None:
    """Explain an infeasible result (exit 3); with --json, print the status object first."""
    from dealbench.cli import output
    from dealbench.optimize import Status
    from dealbench.optimize.explain import explain_infeasible

    if result.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        return
    payload: dict[str, Any] = {"status": result.status.value, "message": result.message}
    if result.status == Status.INFEASIBLE:
        explanation = explain_infeasible(pf, mode, v_floor, require)  # type: ignore[arg-type]
        payload["message"] = explanation.message
        payload["explanation"] = explanation.as_dict()
        if json_out:
            typer.echo(output.to_json(payload))
        raise InfeasibleError(explanation.message, explanation.lines(), explanation.as_dict())
    if json_out:
        typer.echo(output.to_json(payload))
    result.raise_for_status()


def no_deal_reasons(pf: Portfolio, result: SolveResult) -> list[NoDeal]:
    """Why each partner without a deal has none (the first MAX_EXPLAINED of them)."""
    from dealbench.optimize.explain import why_no_deal

    if not result.no_deal:
        return []
    shown = result.model_copy(update={"no_deal": result.no_deal[:MAX_EXPLAINED]})
    return why_no_deal(pf, shown)


def print_reasons(reasons: Sequence[NoDeal]) -> None:
    """One paragraph per partner, wrapped to the terminal."""
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size((100, 24)).columns, 60)
    for reason in reasons:
        text = f"Why no deal with {reason.partner}: {reason.message}"
        typer.echo(textwrap.fill(text, width=width, subsequent_indent="  "))
