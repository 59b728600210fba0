"""The CLI's side of explanations: an infeasible solve and partners left without a deal.

Whatever the status, `solve --json` prints one JSON object on stdout; an infeasible
solve carries its explanation there and on stderr, and exits 3 (`errors.handled`, which
every --json command runs in, says a "no" on stdout as a status object).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from dealbench.errors import InputError, Issue
from dealbench.list_words import each_once

if TYPE_CHECKING:
    from pathlib import Path

    from dealbench.model import Portfolio
    from dealbench.optimize import SolveResult
    from dealbench.optimize.explain.data import NoDeal


def check_required(pf: Portfolio, require: Sequence[str]) -> list[str]:
    """--require-deal codes, each a partner of the portfolio; read upper case, as every
    --partner option reads its code (`ae` is AE). Repeated or comma-separated alike, as
    --fix takes its parts: `--require-deal MY,KZ` was "partner 'MY,KZ' is not in portfolio
    gulf-asia", where --regimes and --format take a comma list."""
    codes = [p.code for p in pf.partners]
    given = [c.strip().upper() for item in require for c in item.split(",")]
    for code in given:  # before twice: `--require-deal ,` names nothing, not '' twice
        if code not in codes:
            raise InputError(Issue("--require-deal", None, "", pf.unknown_partner(code)))
    return each_once(given, "--require-deal", "partner")


def raise_for_status(
    pf: Portfolio,
    result: SolveResult,
    *,
    mode: str,
    v_floor: float | None,
    require: Sequence[str],
) -> None:
    """Explain a result without packages (exit 3 when infeasible); with --json, the
    command's `handled(json_out)` says it on stdout as one status object too."""
    from dealbench.optimize.explain.infeasible import raise_explained

    raise_explained(pf, result, mode=mode, v_floor=v_floor, require=require)  # type: ignore[arg-type]


def frontier_pointer(
    portfolio: Path | None,
    code: str,
    *,
    rounds: Path | None = None,
    scenario: Sequence[str] = (),
) -> str:
    """The CLI's pointer to the frontier a reason speaks of (`NoDeal.frontier`): " (dealbench
    frontier PORTFOLIO --partner CODE --rounds DIR draws it)", the arguments as given."""
    import shlex

    given = "PORTFOLIO" if portfolio is None else shlex.quote(str(portfolio))
    held = "" if rounds is None else f" --rounds {shlex.quote(str(rounds))}"
    held += "".join(f" {shlex.quote(w)}" for w in scenario)
    return f" (dealbench frontier {given} --partner {code}{held} draws it)"


def print_reasons(
    reasons: Sequence[NoDeal],
    portfolio: Path | None = None,
    *,
    rounds: Path | None = None,
    scenario: Sequence[str] = (),
    required: Sequence[str] = (),
) -> None:
    """One paragraph per partner, wrapped to the terminal; the partners the solve did not
    explain in one, after the others, naming each. `portfolio`: the file as given, which
    the command a reason points to takes. `rounds`: the folder of a re-plan from the rounds
    (`solve --rounds DIR`), whose deals held are the concluded ones and the re-planned rest:
    the frontier a reason speaks of is `dealbench frontier --rounds DIR`'s (the plain
    `frontier` draws another: qa46-negotiate, "ZOPA: yes" of AM where the re-plan's reason
    said "no zone of agreement"). `scenario`: the solve's --policy and --set, as given, which the
    frontier named is drawn under too (without them it drew the shipped portfolio's: "ZOPA:
    yes" of SA where the reason, under --set portfolio.supply.2026=600_000, said none).
    `required`: the deals the solve had to make (--require-deal): no command draws the
    frontier beside them (`frontier` holds the deals of a solve that requires none), so
    none is named (it named `frontier`, which drew "ZOPA: yes" of SA where the reason of
    `solve --require-deal MY` said none: qa48-explain)."""
    from dealbench.cli import output
    from dealbench.list_words import and_list

    for reason in reasons:
        if reason.explained:
            see = (
                frontier_pointer(portfolio, reason.partner, rounds=rounds, scenario=scenario)
                if reason.frontier and not required
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
