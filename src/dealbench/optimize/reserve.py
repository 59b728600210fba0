"""When the optimizer's choices leave no schedule in whole steps: solve again with a reserve.

The continuous optimum often holds every partner exactly at its walk-away
value while supply or the risk budget is used to the last H100e. With those
choices fixed no amounts in whole steps exist (a partner rounded down refuses,
one rounded up breaks a shared limit), and `schedule` falls back to unrounded
amounts. Then the portfolio is solved once more with part of each shared
limit held back: one step per deal of each period's supply, and one step of
each deal's risk-weighted compute from the risk budget. Rounding a deal's
amounts up adds less than a step to any period and to its total, so the
largest-remainder rounding then fits. The answer is checked against the real
limits, and the result says what the reserve cost; if it still finds no
schedule in whole steps, the unrounded answer stands.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dealbench.checker import check
from dealbench.model.schema import Portfolio
from dealbench.optimize.finish import result_from_check
from dealbench.optimize.formulate import Mode
from dealbench.optimize.result import SolveResult, Status
from dealbench.optimize.schedule import schedule

__all__ = ["needs_reserve", "with_reserve"]

#: The second solve runs on portfolios of at most this many (partner, period) pairs
#: (the shipped global portfolio has 20 x 3). On the synthetic sizes it costs more
#: than the first solve (S: 37 s after 2 s; M: 14 s after 12 s), far beyond the fifth
#: of the solve time the schedule may take; a size rule, so every run answers alike.
RESERVE_MAX_PAIRS = 60


def needs_reserve(portfolio: Portfolio, result: SolveResult) -> bool:
    """The declared step is whole, the result has deals, and they are unrounded or in single
    units that overrun a shared limit within the checker's tolerance."""
    return (
        len(portfolio.partners) * len(portfolio.periods) <= RESERVE_MAX_PAIRS
        and portfolio.granularity.h100e > 0
        and bool(result.deals)
        and result.status in (Status.OPTIMAL, Status.TIME_LIMIT)
        and (
            result.solver.details.get("granularity_h100e") == 0
            or result.solver.details.get("within_tolerance", 0.0) > 0
        )
    )


def with_reserve(
    portfolio: Portfolio,
    result: SolveResult,
    resolve: Callable[[Portfolio, SolveResult, bool], SolveResult],
    v_floor: float | None = None,
) -> SolveResult:
    """`result`, or the solve of `portfolio` with a reserve when that one is in whole steps.
    `resolve(portfolio, warm_start, on_grid)` solves; the second solve's amounts are put on
    the grid here, once, with the reserve as room (on its own grid they were scheduled in
    vain: at global under bilateral, a quarter of the solve)."""
    start = time.perf_counter()
    step = portfolio.granularity.h100e
    n = len(result.deals)
    supply = {t: max(s - n * step, 0.0) for t, s in portfolio.supply.items()}
    risk = sum(d.risk / d.total_compute * step for d in result.deals if d.total_compute > 0)
    budget = None if portfolio.risk_budget is None else max(portfolio.risk_budget - risk, 0.0)
    held = portfolio.model_copy(update={"supply": supply, "risk_budget": budget})
    again = resolve(held, result, False)
    packages = [d.package() for d in again.deals]
    scheduled = None
    if again.deals and again.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        # The smooth amounts keep the reserve; rounding may use it.
        mode: Mode = "partner-best" if result.mode == "partner-best" else "us-best"
        scheduled = schedule(held, mode, packages, v_floor=v_floor, room=portfolio, tolerance=False)
    seconds = time.perf_counter() - start
    if scheduled is None or scheduled.step == 0:
        result.solver.timings["reserve"] = seconds
        return result
    checked = check(portfolio, scheduled.packages)
    if not checked.ok:
        result.solver.timings["reserve"] = seconds
        return result
    info = again.solver.model_copy(deep=True)
    info.timings["reserve"] = seconds
    info.timings["schedule"] = result.solver.timings.get("schedule", 0.0) + seconds
    info.timings["solve"] = result.solver.timings.get("solve", result.solver.seconds)
    for key in ("unrounded_objective", "unrounded_us_value", "unrounded_partner_total"):
        info.details[key] = result.solver.details[key]
    info.details["granularity_h100e"] = scheduled.step
    info.details["within_tolerance"] = 0.0
    unrounded = result.solver.details["unrounded_us_value"]
    out = result_from_check(
        portfolio, result.mode, again.status, info, checked, v_floor=v_floor, unrounded_v=unrounded
    )
    cost = unrounded - checked.objective
    reserve = f"{n * step:,.0f} H100e of each period's supply"
    if budget is not None:
        reserve += f" and {risk:,.0f} of the risk budget"
    note = (
        f"Compute is in {portfolio.granularity.describe()}: with the first optimum's terms no "
        f"such schedule exists, so {reserve} were held in reserve for rounding; "
        f"that costs the United States ${cost / 1e6:,.1f}m of V."
    )
    if scheduled.note:
        note = f"{scheduled.note} {note}"
    return out.model_copy(update={"message": note})
