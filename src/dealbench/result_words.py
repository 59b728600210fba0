"""A solve's result in the sentences every shell prints of it: what step its compute is
in and what rounding to it cost (`solve`'s line, the web's solve page). One source of the
wording, so that the terminal and the browser say the same."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dealbench.figures import quantity, rows_note, usd
from dealbench.list_words import and_list, periods_said

if TYPE_CHECKING:
    from dealbench.optimize.result import SolveResult

#: `optimize.result.NO_SOLVER`, not imported: that would load the solvers with the CLI.
_NO_SOLVER = "none"


#: At most this many partners without a deal are explained by default: each takes one
#: small solve or more, and one the shared limits keep out re-solves the portfolio (2.3 s
#: each at synthetic M). The others are said not to be explained (`NOT_EXPLAINED`).
MAX_EXPLAINED = 25

#: What `--explain-all` does, in one wording for `solve --help`, `compare --help` and the
#: web's solve form.
EXPLAIN_ALL_HELP = (
    f"Say why for every partner left without a deal (by default the first {MAX_EXPLAINED}, "
    "each one solve or more; the others are named as not explained)."
)


def explain_all_command(command: str = "solve") -> str:
    """The CLI's way to have every partner explained, with `command` (`solve`,
    `compare`): the command the result came from, which takes `--explain-all`. Said by
    the CLI only: a saved reason names no command (`optimize.explain.no_deal_reasons`)."""
    return f"`dealbench {command} --explain-all`"


def explain_all_words(command: str = "solve") -> str:
    """`explain_all_command` in a sentence: "... says why for every one"."""
    return f"{explain_all_command(command)} says why for every one"


def schedule_line(result: SolveResult) -> str:
    """The step the amounts are in, what rounding cost, and any note about it."""
    details = result.solver.details
    step = details.get("granularity_h100e")
    if result.solver.name == _NO_SOLVER:  # the agreed packages, as recorded: it says so
        return result.message or "Compute: as agreed"
    if step is None or result.us_value is None:
        return "Compute: as the solver left it"
    unrounded = _before(details.get("unrounded_us_value", result.us_value), result.us_value)
    if result.mode in ("nash", "kalai"):  # its message (the bound, the step) is said after
        if not step:
            return "A bargaining point keeps the optimizer's amounts (unrounded)."
        return (
            "A bargaining point keeps the optimizer's amounts, each put on the grid as solved "
            f"(not smoothed). V before rounding: {unrounded}."
        )
    where = result.message or (
        f"Compute is in steps of {quantity(step)} H100e." if step else "Compute is unrounded."
    )
    return f"{where} V before rounding: {unrounded}."


#: Why a floor binds with V above it (by a step of compute or a concession's level).
_NEXT = "and every package the partners prefer would take V below it"


def walk_away_words(result: SolveResult) -> str:
    """What the partners' total (partner-best's objective; the web's solve page says it in
    every mode) counts beside the deals: the partners without one, at their walk-away
    values (' (the deals' $6.88bn and ET's walk-away value, $0.60bn)'); '' when every
    partner has a deal. The total beside rows adding to less read as a sum gone wrong
    (qa31-neg); the web's "partners' utility $24.35bn" of a us-best solve of gulf-asia
    counted MY's and KZ's $3.50bn unsaid (qa41-web)."""
    if not result.no_deal or result.partner_total is None:
        return ""
    deals = sum(d.partner_utility for d in result.deals)
    rest = result.partner_total - deals
    if abs(rest) < 0.5:  # walk-away values of nothing: the rows are the total
        return ""
    codes = list(result.no_deal)
    whose = (
        f"{and_list(codes)}'s walk-away value"
        if len(codes) == 1
        else (f"the walk-away values of {and_list(codes)}")
    )
    return f" (the deals' {usd(deals)} and {whose}, {usd(rest)})"


def floor_words(result: SolveResult) -> str:
    """partner-best's floor on V, as `solve`'s "Maximised:" line says it (after the
    partners' total): its amount, whether it is the default (V with no deal) and whether
    it binds; '' for another mode or an older result.json."""
    details, floor = result.solver.details, result.v_floor
    if (
        result.mode != "partner-best" or floor is None or "v_floor_binds" not in details
    ):  # an older result.json
        return ""
    whose = " (V with no deal, the default)" if details.get("v_floor_default") else ""
    binds = "which does not bind"
    if details["v_floor_binds"]:
        on = any(b.kind == "v-floor" for b in result.binding)
        above = usd((result.us_value or floor) - floor)
        binds = "which binds" if on else f"which binds: V is {above} above it, {_NEXT}"
    return f", keeping the US utility V at or above its floor, {usd(floor)}{whose}, {binds}"


def floor_sentence(result: SolveResult) -> str:
    """partner-best's objective and floor in a sentence of their own (the web's solve page,
    which has no "Maximised:" line); '' for another mode."""
    words = floor_words(result)
    if not words or result.objective is None:
        return ""
    return f"Maximised: the partners' total utility, {usd(result.objective)}{words}."


def message_after(result: SolveResult) -> str:
    """What a shell says of the result after `schedule_line`: a bargaining point's message
    (its bound, its step), which that line does not carry; nothing for another mode."""
    return result.message if result.mode in ("nash", "kalai") else ""


def _before(unrounded: float, us_value: float) -> str:
    """V before rounding, and how far it is from V when the two read apart at their
    precision ($4.50bn above $4.49bn for a difference of $226: "$4.50bn ($226 more)")."""
    text, now = usd(unrounded), usd(us_value)
    if text == now:
        return text
    side = "more" if unrounded > us_value else "less"
    return f"{text} ({usd(abs(unrounded - us_value))} {side})"


def concessions_text(concessions: dict[str, str | bool]) -> str:
    """Concessions as `solve` and a counter's verdict list them: "invest-us=100bn,
    pax-silica" (a yes/no term by its id alone); "-" for none."""
    return (
        ", ".join(cid if level is True else f"{cid}={level}" for cid, level in concessions.items())
        or "-"
    )


def supply_line(result: SolveResult) -> str:
    """Each period's supply used against the supply, as `solve` and the web's solve page
    say it: the exact figures, rounded (`figures.exact_total`: the rows as printed read
    "2027 272,866 of 272,865" for a supply used to the unit)."""
    used = "; ".join(
        f"{t} {quantity(result.supply_used.get(t, 0.0))} of {quantity(result.supply[t])}"
        for t in result.periods
    )
    return f"Supply used (H100e): {used}"


def supply_unbound_words(result: SolveResult) -> str:
    """The periods whose supply the deals use in full though it binds no one, where another
    period's supply binds: "Binding: Supply is fully allocated in 2026Q1." alone read as
    if 2026Q2 and 2026Q3, full too, had some left. More supply there would go unused
    (`checker.used_up.supply_wanted`; `--prices` gives it $0), so it is not a binding
    limit, and is said apart. Empty where no period's supply binds (nothing to misread)
    or every full one does."""
    from dealbench.checker.tolerance import COMPUTE_TOL, in_full

    bound = {b.period for b in result.binding if b.kind == "supply"}
    if not bound:
        return ""
    full = [
        t
        for t in result.periods
        if t not in bound
        and result.supply.get(t, 0.0) > COMPUTE_TOL
        and in_full(result.supply[t], result.supply_used.get(t, 0.0))
    ]
    if not full:
        return ""
    return (
        f"Supply is used in full in {periods_said(result.periods, full)} too, but binds no "
        "one there: every deal gets all its ask and cap allow, so more would go unused."
    )


def rows_words(result: SolveResult) -> str:
    """What `solve`'s table's columns add up to as printed, where that is not the total its
    supply and risk lines print (each the exact figure, rounded: `figures.exact_total`):
    ridge's 2027 column, deals of 136,432.5, 68,216.3, 45,477.5 and 22,738.8 H100e, prints
    136,433, 68,216, 45,478 and 22,739 (272,866) beside "2027 272,865 of 272,865"."""
    columns = [
        (
            f"H100e in {t}",
            [d.compute.get(t, 0.0) for d in result.deals],
            result.supply_used.get(t, 0.0),
        )
        for t in result.periods
    ]
    columns.append(("risk-weighted H100e", [d.risk for d in result.deals], result.risk_total))
    return rows_note(columns) if result.deals else ""


#: A log-product lost in whole steps that nash's note names (below: float noise).
STEPS_SAID = 1e-6


def product_loss(loss: float) -> str:
    """A loss of log-product as a share of the product, two figures ("4.4%", "0.0067%")."""
    return f"{-math.expm1(-loss) * 100:.2g}%"


def nash_bound_words(error: float, cuts: float | None, steps: float) -> str:
    """ "within a factor F of the best (log error bound ...)": nash's bound B - L (`error`),
    and, where whole steps cost the point solved more than `STEPS_SAID`, its two parts: the
    tangent cuts' (`cuts`) and whole steps' (`steps`, with the product's loss in percent).
    One wording for `solve` (`optimize.bargain.words`) and the documents (`render.source`)."""
    text = f"within a factor {math.exp(-error):.6f} of the best"
    if cuts is None or steps <= STEPS_SAID:
        return f"{text} (log error bound {error:.2e}, tangent cuts on log)"
    return (
        f"{text} (log error bound {error:.2e}: {cuts:.2e} from the tangent cuts on log, "
        f"{whole_steps_words(steps)})"
    )


def whole_steps_words(steps: float) -> str:
    """What whole steps cost nash's point, as its bound's second part (`solve` and the
    frontier's "Nash bound" line): "1.18e-03 from whole steps, where the product is 0.12%
    below the continuous point solved"."""
    return (
        f"{steps:.2e} from whole steps, where the product is {product_loss(steps)} below the "
        "continuous point solved"
    )
