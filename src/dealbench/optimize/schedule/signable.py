"""Schedules a negotiator can sign: compute in whole steps, smooth among equal values.

The optimizer's packages fix every discrete choice: which deals, their security
levels and concessions. With those fixed, each deal's compute is decided again:

1. `smooth`: the smooth schedule, four lexicographic linear programs (the best
   objective; then the least change between periods; then the least deviation
   from equal amounts; then a fixed tie-break). It depends only on the choices,
   never on the solver's path.
2. `grid`: those amounts in whole steps of the portfolio's granularity, V
   within one step's value, by largest remainders (with steps given back by
   deals that accept without them) or, failing that, the closest grid schedule
   (a small MIP, at the declared step and a tenth of it). The rounding reads the
   smooth amounts without the linear programs' noise (`settle`); in single units,
   one-unit dips are filled by exchanges between deals (`dips.fill_dips`). In
   us-best, a deal the smooth schedule holds at or above no deal for the US is not
   left below it where a closest grid schedule keeps it (`keep_gains`).
3. When the step does not fit: finer steps by tens; then single units that
   overrun a shared limit inside the checker's tolerance; then unrounded
   amounts. Each is said in the result (see also `reserve`, which `solve`
   tries on small portfolios before the last two).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from dealbench.figures import usd as money
from dealbench.list_words import periods_said
from dealbench.model.granularity import Granularity
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import Mode
from dealbench.optimize.schedule.closest import closest
from dealbench.optimize.schedule.dips import fill_dips
from dealbench.optimize.schedule.grid import (
    FLOOR_TOL,
    Deal,
    Vector,
    clean,
    deal_of,
    objective,
    step_value,
)
from dealbench.optimize.schedule.remainder import largest_remainder, largest_remainders
from dealbench.optimize.schedule.smooth import ScheduleStart, smooth_schedule

__all__ = ["Scheduled", "finer", "packages_of", "schedule", "steps"]


@dataclass
class Scheduled:
    """The packages with their compute decided on the grid, and how that went."""

    packages: list[Package]
    #: The step used, H100e (0: continuous amounts).
    step: float
    #: What a reader must know: a refined step, or amounts left unrounded.
    note: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    #: Single units that overrun a shared limit within the checker's tolerance.
    within_tolerance: bool = False


def schedule(
    portfolio: Portfolio,
    mode: Mode,
    packages: list[Package],
    *,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
    room: Portfolio | None = None,
    tolerance: bool = True,
    keep_shape: bool = False,
    prior: ScheduleStart | None = None,
    keep: ScheduleStart | None = None,
) -> Scheduled:
    """The packages with compute in whole steps, smooth among equal values (see module).

    `room`: the same portfolio with wider shared limits for the rounding alone (see
    `dealbench.optimize.reserve`); the smooth schedule keeps `portfolio`'s.
    `tolerance`: as a last resort, single units may overrun a shared limit inside the
    checker's tolerance (`TOLERANCE`).
    `keep_shape`: round the packages' own amounts, without smoothing (a bargaining
    point: both smoothing objectives would move it off its balance; rounding moves
    each amount by less than a step, and V by at most one step's value).
    `prior`, `keep`: where a close portfolio's smooth schedule ended, and where to keep
    where this one's ends (`smooth.ScheduleStart`)."""
    grid = portfolio.granularity
    if not packages:  # nothing to round; the step is still said in its unit
        return Scheduled([], grid.h100e, _in_chips(grid))
    deals = [deal_of(portfolio, p, grid) for p in packages]
    timings: dict[str, float] = {}
    if keep_shape:
        given: Vector = np.array(
            [[p.compute.get(t, 0.0) for t in portfolio.periods] for p in packages]
        )
        if grid.h100e > 0 and _on_grid(deals, given, grid.h100e):
            # Already in whole steps (kalai solved in the declared step): nothing to round.
            # Rounding them again read an amount at its limit in whole chips (2,826.427489
            # H100e) as 2,826.427 (`settle`), a hair under it, and took it down a step.
            return Scheduled(packages_of(portfolio, deals, given), grid.h100e, _in_chips(grid))
        smooth: Vector | None = given
    else:
        smooth = smooth_schedule(
            portfolio, mode, deals, gap, v_floor, threads, timings, prior=prior, keep=keep
        )
    if smooth is None:  # the LP failed: nothing better than the optimizer's amounts
        return Scheduled(list(packages), 0.0, _unsmoothed(grid), timings)
    base = _reference(portfolio, mode, deals, smooth, gap)
    target = settle(smooth)
    # What a schedule in the declared step could give up, from the objective before
    # rounding: the notes below name it (a schedule a little further below exists).
    # A bargaining point may lose a step's value per amount, as moving each amount by less
    # than a step does: held to one step's value in all, its rounding moved compute to the
    # deals worth most to the US (a deal of 0 / 506 / 20,000 H100e went to nothing, and
    # with it its partner's gain and the Nash product; tests/data/qa10opt/lumpy.yaml).
    per = smooth.size if keep_shape else 1
    allowed = objective(portfolio, mode, deals, smooth) - base
    allowed += step_value(mode, deals, grid.h100e) * per
    for step in steps(grid):
        amounts: Vector | None = smooth
        if step != 0:
            least = base - step_value(mode, deals, step) * per
            where = room or portfolio
            amounts = _in_steps(
                where, mode, deals, target, step, least, v_floor, grid, threads, keep_shape, timings
            )
        if amounts is not None:
            if step == grid.unit and not keep_shape:
                amounts = fill_dips(portfolio, mode, deals, amounts, step)
            if step != 0 and mode == "us-best" and not keep_shape:
                where = room or portfolio
                amounts = keep_gains(where, deals, smooth, target, amounts, step, least, threads)
            note = (
                _refined(grid, step, mode, allowed, per) if step != grid.h100e else _in_chips(grid)
            )
            note = " ".join(filter(None, [note, _at_limits(portfolio, grid, deals, amounts)]))
            return Scheduled(packages_of(portfolio, deals, amounts), step, note, timings)
    if grid.h100e > 0 and tolerance:
        least = base - step_value(mode, deals, grid.unit) * per
        found = _in_single_units(
            portfolio, room, mode, deals, target, least, v_floor, keep_shape, timings
        )
        if found is not None:
            amounts, overshoot = found
            note = _refined(grid, grid.unit, mode, allowed, per) + overshoot
            packages = packages_of(portfolio, deals, amounts)
            return Scheduled(packages, grid.unit, note, timings, within_tolerance=True)
    note = (
        f"Compute is unrounded: with the deals' terms as chosen, no schedule in whole units "
        f"({grid.describe()} down to single units) was found that keeps every partner "
        f"accepting within the shared limits and {_within(mode, allowed, per)}."
    )
    return Scheduled(packages_of(portfolio, deals, smooth), 0.0, note, timings)


def keep_gains(
    pf: Portfolio,
    deals: list[Deal],
    smooth: Vector,
    target: Vector,
    amounts: Vector,
    step: float,
    least: float,
    threads: int | None,
) -> Vector:
    """us-best: `amounts`, or, where they leave a deal worth less to the US than no deal
    (its partner's us_batna) while the smooth schedule gave it at least that, the closest
    grid schedule in `step` in which no such deal does (`closest`, each deal's
    `us_least`), V still at `least` or above. Rounding held to one step's value of V put
    a deal worth USD 37.9m over no deal before rounding at -USD 3.7m (12,000 / 45,000
    H100e in steps of 5,000), where 10,000 / 45,000 keeps USD 29.0m (qa45-rounding).
    When there is none, `amounts` stand and `best.without_losing_deals` leaves the deal
    out (a required one stays)."""
    floors = [
        d.partner.us_batna if d.us_value(smooth[i]) >= d.partner.us_batna - FLOOR_TOL else None
        for i, d in enumerate(deals)
    ]
    if all(
        f is None or d.us_value(amounts[i]) >= f - FLOOR_TOL
        for i, (d, f) in enumerate(zip(deals, floors, strict=True))
    ):
        return amounts
    for d, f in zip(deals, floors, strict=True):
        d.us_least = -math.inf if f is None else f
    try:
        found = closest(pf, "us-best", deals, target, step, least, None, threads=threads)
    finally:
        for d in deals:
            d.us_least = -math.inf
    return amounts if found is None else found


def _in_steps(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    target: Vector,
    step: float,
    least: float,
    v_floor: float | None,
    grid: Granularity,
    threads: int | None,
    keep_shape: bool,
    timings: dict[str, float],
) -> Vector | None:
    """The amounts in whole steps of `step`, V at least `least`, or None: by largest
    remainders, then (at the declared step and a tenth of it, or to shape what steps
    given back found) the closest grid schedule. `pf`: the portfolio with the room the
    rounding may use; `grid`: the portfolio's granularity."""
    start = time.perf_counter()
    args = (pf, mode, deals, target, step, least, v_floor)
    # Without donors and with them: one run gives both (`largest_remainders`).
    amounts, donated = largest_remainders(*args)
    repaired = amounts is None and step < grid.h100e / 10 - 1e-9
    if repaired:  # steps given back: a schedule exists, the closest is its shape
        amounts = donated
        # ... except in single units: a dip of one H100e is noise, and the
        # search over single units runs into its time limit (2 s on global).
        repaired = step > grid.unit
    timings["schedule rounding"] = timings.get("schedule rounding", 0.0) + (
        time.perf_counter() - start
    )
    searched = step >= grid.h100e / 10 - 1e-9  # the declared step and a tenth
    if (amounts is None and searched) or (amounts is not None and repaired):
        # The exact search: at the declared step and the first finer one when
        # the greedy fails, and at finer steps only to shape a schedule the
        # greedy found by giving steps back (it exists, so the search is short).
        # Searching every finer step in vain cost ten times the greedy.
        start = time.perf_counter()
        found = closest(*args, threads=threads, steady=not keep_shape)
        amounts = found if found is not None else amounts
        timings["schedule closest"] = timings.get("schedule closest", 0.0) + (
            time.perf_counter() - start
        )
    if amounts is None and searched:
        amounts = donated
    return amounts


def _in_single_units(
    portfolio: Portfolio,
    room: Portfolio | None,
    mode: Mode,
    deals: list[Deal],
    target: Vector,
    least: float,
    v_floor: float | None,
    keep_shape: bool,
    timings: dict[str, float],
) -> tuple[Vector, str] | None:
    """The last resort: single units that overrun a shared limit within the checker's
    tolerance, and the sentence saying by how much; or None."""
    grid = portfolio.granularity
    start = time.perf_counter()
    amounts = _within_tolerance(room or portfolio, mode, deals, target, grid, least, v_floor)
    timings["schedule tolerance"] = time.perf_counter() - start
    if amounts is None:
        return None
    if not keep_shape:
        amounts = fill_dips(portfolio, mode, deals, amounts, grid.unit)
    return amounts, _overshoot(room or portfolio, deals, amounts)


#: What the rounding reads of the smooth amounts, H100e: the linear programs' answers carry
#: noise of 1e-7 H100e and less (their tolerances), which decided which of three equal
#: amounts took a remainder, and moved with every change of the LPs' path.
SETTLE = 1e-3


def settle(smooth: Vector) -> Vector:
    """The smooth amounts without the LPs' noise: each to `SETTLE`, and amounts of one deal
    within two `SETTLE` of each other made equal (the least of them), so a remainder goes
    where the rounding's tie-break sends it (the later period), not where noise does."""
    out: Vector = np.round(smooth, 3)
    for row in out:
        order = np.argsort(row, kind="stable")
        first = row[order[0]] if len(order) else 0.0
        for k in order:
            if row[k] - first > 2 * SETTLE + 1e-9:
                first = row[k]
            row[k] = first
    return out


#: Rounding may give up, besides one step's value, this share of the solve's relative gap
#: (as much as the smoothing LPs may trade: `smooth.SMOOTH_SHARE`).
GAP_SHARE = 0.05


def _reference(pf: Portfolio, mode: Mode, deals: list[Deal], smooth: Vector, gap: float) -> float:
    """What rounding measures its loss from: the smooth schedule's objective less a
    twentieth of the gap (`GAP_SHARE`; smoothing gives up at most as much, so the two
    together stay within a tenth of the gap and one step's value of the optimum). One
    step's value alone is far below the optimizer's own precision at M (one H100e is
    USD 7,155 there against 1e-6 of USD 1.45tn)."""
    base = objective(pf, mode, deals, smooth)
    return base - GAP_SHARE * max(gap, 0.0) * abs(base)


#: The last rung: single units may overrun a shared limit by this much, inside the
#: checker's tolerance (`tolerance.COMPUTE_TOL`, 0.5 H100e or risk-weighted H100e).
TOLERANCE = 0.45


def _within_tolerance(
    pf: Portfolio,
    mode: Mode,
    deals: list[Deal],
    smooth: Vector,
    grid: Granularity,
    least: float,
    v_floor: float | None,
) -> Vector | None:
    """Single units by largest remainders, shared limits widened by `TOLERANCE`, the
    objective at `least` or above."""
    budget = None if pf.risk_budget is None else pf.risk_budget + TOLERANCE
    wide = pf.model_copy(
        update={
            "supply": {t: s + TOLERANCE for t, s in pf.supply.items()},
            "risk_budget": budget,
        }
    )
    return largest_remainder(wide, mode, deals, smooth, grid.unit, least, v_floor)


def _overshoot(pf: Portfolio, deals: list[Deal], x: Vector) -> str:
    """What a single-unit schedule overruns, in words ("" when nothing)."""
    out = []
    for j, t in enumerate(pf.periods):
        over = float(x[:, j].sum()) - pf.supply[t]
        if over > 1e-9:
            out.append(f"supply in {t} by {over:.2f} H100e")
    if pf.risk_budget is not None:
        over = sum(d.risk * float(x[i].sum()) for i, d in enumerate(deals)) - pf.risk_budget
        if over > 1e-9:
            out.append(f"the risk budget by {over:.2f} risk-weighted H100e")
    if not out:
        return ""
    return (
        f" In single units it exceeds {' and '.join(out)}, within the independent "
        "check's tolerance of 0.5."
    )


def steps(grid: Granularity) -> list[float]:
    """The step, then finer ones by tens down to one unit (H100e or chip)."""
    if grid.h100e == 0:
        return [0.0]
    units, out = grid.units, []
    while units >= 1:
        out.append(units)
        units = units // 10 if units >= 10 else 0
    if out[-1] != 1:
        out.append(1)
    return [grid.h100e if u == grid.units else u * grid.unit for u in out]


def _unsmoothed(grid: Granularity) -> str:
    """Why the optimizer's own amounts are shown. The smoothing's linear programs hold
    each deal within its ask and cap in whole units (one H100e, or one chip), so a
    partner whose acceptance needs its full ask to the fraction of a unit (an ask of
    50,000 H100e in B200 chips is met at 49,998.7) has no schedule there: the amounts
    shown are then off the grid, and the note says so (it said only "could not be
    smoothed"; qa26-verify)."""
    if grid.h100e == 0:
        return "The schedule could not be smoothed: the optimizer's amounts are shown."
    unit = "H100e" if grid.model is None else f"{grid.model} chip"
    return (
        "Compute is unrounded, not in the declared "
        f"{grid.describe()}: with the deals' terms as chosen, no schedule within each "
        f"deal's ask and cap in whole units (one {unit}) was found that keeps every "
        "partner accepting within the shared limits, so the optimizer's amounts are shown."
    )


def _on_grid(deals: list[Deal], amounts: Vector, step: float) -> bool:
    """Whether every amount is a whole number of `step`s or its deal's limit in whole units
    (to a millionth: the packages' own rounding)."""
    for i, d in enumerate(deals):
        for k, x in enumerate(amounts[i]):
            top = d.top[k]
            if abs(x - top) <= 1e-6 * max(top, 1.0):
                continue
            if x > top or abs(x / step - round(x / step)) > 1e-6:
                return False
    return True


def _in_chips(grid: Granularity) -> str:
    """Where the declared step is in chips, what it is in H100e (else nothing to say)."""
    if grid.model is None:
        return ""
    return f"Compute is in {grid.describe()} ({grid.h100e:,.1f} H100e each)."


#: Amounts at their limit in whole chips named in the note, at most (then how many more).
AT_LIMIT_SAID = 3


def _at_limits(portfolio: Portfolio, grid: Granularity, deals: list[Deal], amounts: Vector) -> str:
    """Where an amount is its deal's ask or cap in whole chips, a unit or more below that
    limit as written in H100e, which the note says: MX's full ask of 30,000 H100e read
    29,999 in a portfolio of B200 chips, and a new user took it for a rounding slip
    (qa35-newuser). '' when no amount is."""
    if grid.model is None:
        return ""
    periods: dict[tuple[str, float, float], list[str]] = {}
    for i, d in enumerate(deals):
        for k, x in enumerate(amounts[i]):
            top, limit = d.top[k], d.limit[k]
            if x > 0 and abs(x - top) <= 1e-6 * max(top, 1.0) and limit - top >= 0.5:
                periods.setdefault((d.partner.code, top, limit), []).append(portfolio.periods[k])
    if not periods:
        return ""
    said = [
        f"{code} in {periods_said(portfolio.periods, ts)}, {round(top / grid.unit):,} chips: "
        f"{round(top):,} of {limit:,.0f} H100e"
        for (code, top, limit), ts in periods.items()
    ]
    more = len(said) - AT_LIMIT_SAID
    listed = "; ".join(said[:AT_LIMIT_SAID]) + (f"; and {more} more" if more > 0 else "")
    return (
        f"An amount at its partner's ask or cap is that limit in whole {grid.model} chips, "
        f"a little under it in H100e ({listed})."
    )


def finer(grid: Granularity, step: float) -> Granularity:
    """`grid` at another step of its own unit (H100e, or the same chips)."""
    return Granularity(
        h100e=step,
        chips=None if grid.model is None else round(step / grid.unit),
        model=grid.model,
    )


def _refined(grid: Granularity, step: float, mode: Mode, allowed: float, per: int = 1) -> str:
    return (
        f"Compute is in {finer(grid, step).describe()}, not the declared {grid.describe()}: with the "
        "deals' terms as chosen, no schedule in those was found that keeps every partner "
        f"accepting within the shared limits and {_within(mode, allowed, per)}."
    )


def _within(mode: Mode, allowed: float, per: int = 1) -> str:
    """What the rounding keeps, in words. A schedule in the declared step that gives up
    more can exist (qa6-journey: 1,000-steps at $10.4m below, where one step is worth
    $8.4m), so the notes never say that none keeps the limits."""
    what = "one step's value" if per == 1 else "a step's value per amount"
    if mode == "us-best":
        return f"V within {money(allowed)} ({what}) of V before rounding"
    return f"the partners' total within {money(allowed)} ({what}) of it before rounding"


def packages_of(pf: Portfolio, deals: list[Deal], amounts: Vector) -> list[Package]:
    """The deals' packages with `amounts` as their compute (whole H100e kept whole)."""
    return [
        d.package.model_copy(
            update={
                "compute": {
                    t: clean(round(float(amounts[i, j]), 6)) for j, t in enumerate(pf.periods)
                }
            }
        )
        for i, d in enumerate(deals)
    ]
