"""The verdict on a counter as the terminal says it (`counter`, `evaluate --against`)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dealbench.cli.rounds_base import echo_wrapped

if TYPE_CHECKING:
    from dealbench.negotiate.verdict import Verdict


def print_verdict(v: Verdict, periods: list[str]) -> None:
    """The verdict as a person reads it: figures, limits, the frontier, the portfolio, the move."""
    from dealbench.cli import output
    from dealbench.limit import broken_messages

    m = output.money

    def echo(text: str) -> None:
        body = text.lstrip(" ")
        echo_wrapped(body, indent=" " * (len(text) - len(body)))

    title = f"round {v.round}" if v.round is not None else "the package"
    echo(f"Verdict on {title} from {v.partner}:")
    changes = v.changes()
    if changes is None:
        echo(f"  Utilities: US {m(v.us_utility)}, partner {m(v.partner_utility)}")
    else:  # the change the difference of the two as printed, both printed
        (us_was, us, us_change), (p_was, partner, p_change) = changes["us"], changes["partner"]
        echo(f"  Utilities: US {us}, partner {partner}")
        # A line of its own: the package compared with is named with its file in
        # parentheses ("round 3 (003-us.yaml)"), which a parenthesis would hold nested.
        echo(
            f"  Change from {v.compared_with}, which gave US {us_was}, partner {p_was}: "
            f"US {us_change}, partner {p_change}"
        )
    if v.violations:
        lines = broken_messages(v.violations)
        echo(f"  Limits broken ({len(lines)}):")
        for line in lines:
            echo(f"    - {line}")
    else:
        echo("  Limits broken: none")
    for note in v.notes:
        echo(f"  Note: {note}")
    echo(f"  Frontier: {v.frontier_words(periods)}")
    echo(f"  Takes: {v.taken_words()}")
    echo(f"  {v.supply_left_words()}")
    said = v.portfolio_texts()
    # "n/a if accepted" for a counter that cannot be accepted; the web page says it so.
    accepted = (
        f"{said['accepted']} if accepted{v.rest_words()}"
        if v.portfolio_if_accepted is not None
        else "not feasible if accepted"
    )
    echo(
        f"  Portfolio V: {accepted}, {said['plan']} in the current plan, "
        f"{said['walk_away']} if the US walks away"
    )
    print_beside_next(v)
    echo(f"Recommendation: {v.recommendation.upper()} — {v.reason}.")


def next_command(
    v: Verdict, portfolio: Path, rounds: Path | None, strategy: str | None, deadline: int | None
) -> str:
    """The command that makes the move a recorded counter's verdict recommends: conclude
    on the counter, offer (by the strategy the verdict's next offer was found by), or walk
    away. The verdict said ACCEPT, COUNTER or WALK AWAY, and left the negotiator to find
    the command (qa48-negotiate). An offer the verdict's note calls a retreat
    (`Verdict.next_offer_retreat`) is one `offer` records only with --allow-retreat: the
    command named without it was refused, exit 2 (qa48-explain)."""
    said = move_command(
        v.recommendation,
        v.partner,
        portfolio,
        rounds,
        counter=v.round,
        strategy=strategy,
        deadline=deadline,
        retreat=v.next_offer_retreat is not None,
    )
    assert said is not None  # a verdict recommends accept, counter or walk away
    return said


def move_command(
    move: str,
    partner: str,
    portfolio: Path | None,
    rounds: Path | None,
    *,
    counter: int | None = None,
    strategy: str | None = None,
    deadline: int | None = None,
    retreat: bool = False,
) -> str | None:
    """The command that makes `move` (a verdict's recommendation, or the room's next move)
    with `partner`: "accept" concludes on the partner's counter of round `counter`, "offer"
    and "counter" record our next offer (with `strategy`, `deadline`, and --allow-retreat
    when it takes something back), "walk away" walks away; None for a move no command makes
    ("await counter", "no offer"). `portfolio` None: PORTFOLIO."""
    if move == "accept" and counter is not None:
        words = ["conclude", "--round", str(counter)]
    elif move == "walk away":
        words = ["walk-away"]
    elif move in ("offer", "counter"):
        words = ["offer", *(["--strategy", strategy] if strategy else [])]
        words += ["--deadline", str(deadline)] if deadline is not None else []
        words += ["--allow-retreat"] if retreat else []
    else:
        return None
    where = ["--rounds", str(rounds)] if rounds is not None else []
    cmd, *rest = words
    given = "PORTFOLIO" if portfolio is None else str(portfolio)
    return shlex.join(["dealbench", cmd, given, "--partner", partner, *rest, *where])


#: The columns of the counter beside our next offer, as the status memo heads them.
BESIDE_HEADS = ("Their counter", "Our next offer", "Next offer less counter")


def print_beside_next(v: Verdict) -> None:
    """The counter beside our next offer (the package `offer` would record now), each
    side's utility in a row, as the status memo's table (`Verdict.beside_next`)."""
    said = v.beside_next()
    if said is None:
        return
    rows = [("", *BESIDE_HEADS), ("US utility", *said["us"]), ("Partner utility", *said["partner"])]
    first = max(len(r[0]) for r in rows)
    widths = [max(len(r[i]) for r in rows) for i in (1, 2, 3)]
    typer.echo("  Beside our next offer (as `offer` would record it now):")
    for row in rows:
        cells = "  ".join(c.rjust(w) for c, w in zip(row[1:], widths, strict=True))
        typer.echo(f"    {row[0].ljust(first)}  {cells}".rstrip())
