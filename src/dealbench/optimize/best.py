"""The best packages under a linear objective (us-best, partner-best): the method, the
solver call and, when the optimum has no schedule in whole steps, the reserve.

Two exact methods find the same optimum (within the requested gap):
`decompose` (the default with HiGHS; see the `decomposition` package) and `plain`, DESIGN.md's
model through PuLP (`formulate`), which CBC always uses. The figures a result
carries are recomputed by `check` from the extracted packages, so what a user
reads is what the independent checker vouches for.

Its arguments are taken as checked (`solve.solve` checks them); the bargaining modes
(`bargain`) call it for each partner's ideal deal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from dealbench.checker import DealFigures, check
from dealbench.figures import quantity, usd
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.decomposition.solve import solve_decomposed
from dealbench.optimize.finish import finish, result_from_check
from dealbench.optimize.formulation import Mode
from dealbench.optimize.plain import solve_plain
from dealbench.optimize.prefer import SAME_U, SAME_V, Side, at_walk_away, preferred
from dealbench.optimize.reserve import needs_reserve, with_reserve
from dealbench.optimize.result import SolveResult, Status
from dealbench.optimize.schedule.grid import FLOOR_TOL

if TYPE_CHECKING:
    from dealbench.optimize.decomposition.warm import WarmStart

Method = Literal["auto", "decompose", "plain"]
METHODS: tuple[Method, ...] = ("auto", "decompose", "plain")

__all__ = ["METHODS", "Method", "solve_best", "with_ties_broken", "without_losing_deals"]


def solve_best(
    portfolio: Portfolio,
    mode: Mode = "us-best",
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
    method: Method = "auto",
    warm_start: SolveResult | WarmStart | None = None,
    require: Sequence[str] = (),
    on_grid: bool = True,
) -> SolveResult:
    """`solve` for us-best and partner-best, its arguments already checked. `on_grid=False`:
    the solver's amounts as they are, never put in whole steps (nor re-solved with the
    reserve), for callers that ask only which partners deal."""

    def plain(pf: Portfolio, *, on_grid: bool, step: float = 0.0) -> SolveResult:
        return solve_plain(
            pf,
            mode,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            v_floor=v_floor,
            threads=threads,
            require=require,
            step=step,
            on_grid=on_grid,
        )

    def run(
        pf: Portfolio, warm: SolveResult | WarmStart | None, on_grid: bool = True
    ) -> SolveResult:
        if method == "plain" or solver != "highs":
            return plain(pf, on_grid=on_grid)
        return solve_decomposed(
            pf,
            mode,
            time_limit=time_limit,
            gap=gap,
            v_floor=v_floor,
            threads=threads,
            warm_start=warm,
            require=require,
            on_grid=on_grid,
        )

    def in_steps(step: float) -> SolveResult:
        """The plain model with compute in whole steps of `step` (see `reserve`)."""
        return plain(portfolio, on_grid=False, step=step)

    result = run(portfolio, warm_start, on_grid)
    # No whole steps with these terms: see `reserve`.
    if on_grid and needs_reserve(portfolio, result):
        result = with_reserve(portfolio, result, run, v_floor, threads, in_steps)
    if mode == "us-best" and on_grid:  # no deal the US values below no deal (rounding)
        result = without_losing_deals(portfolio, result, require, gap=gap, threads=threads)
    if mode in ("us-best", "partner-best"):  # of the packages one side values alike,
        result = with_ties_broken(portfolio, result)  # the other side's preferred
    return result


def with_ties_broken(portfolio: Portfolio, result: SolveResult) -> SolveResult:
    """`result` with each deal's ties broken (`prefer`), checked: us-best's for the partner,
    at the same V; partner-best's for the US, at the same partner utility. The result as it
    was when no package changes, or the changed ones fail the check or lower what the mode
    maximised (by more than float noise).

    partner-best's floor stays the one solved for; V rises by what the US gains, and so
    does its value before compute was put in whole steps (`unrounded_us_value`), so the
    floor is binding only when the packages shown still sit on it."""
    start = time.perf_counter()
    side: Side = "partner" if result.mode == "us-best" else "us"
    # A change of level keeps the compute in the step the schedule put it in.
    step = float(result.solver.details.get("granularity_h100e", 0.0))
    packages = preferred(portfolio, result.deals, side, step)
    added = at_walk_away(portfolio, result.no_deal) if side == "us" else []
    if added:
        packages = [*(packages or [d.package() for d in result.deals]), *added]
    checked = check(portfolio, packages) if packages is not None else None
    result.solver.timings["ties"] = time.perf_counter() - start
    if checked is None or not checked.ok or result.us_value is None:
        return result
    if checked.objective < result.us_value - SAME_V:
        return result
    slack = SAME_U * len(checked.deals)
    if side == "us" and checked.partner_total < (result.partner_total or 0.0) - slack:
        return result
    details = dict(result.solver.details)
    if side == "us" and "unrounded_us_value" in details:  # the US's gain, before rounding too
        details["unrounded_us_value"] += checked.objective - result.us_value
    solver = result.solver.model_copy(update={"details": details})
    rebuilt = result_from_check(
        portfolio,
        result.mode,
        result.status,
        solver,
        checked,
        v_floor=result.v_floor,
        unrounded_v=details.get("unrounded_us_value"),
    )
    fields = ("objective", "us_value", "partner_total", "deals", "no_deal", "supply_used")
    update = {name: getattr(rebuilt, name) for name in (*fields, "risk_total", "binding")}
    return result.model_copy(update={**update, "solver": solver})


def without_losing_deals(
    portfolio: Portfolio,
    result: SolveResult,
    require: Sequence[str] = (),
    *,
    gap: float = 1e-6,
    threads: int | None = None,
) -> SolveResult:
    """us-best's `result` without the deals the US values below no deal (its partner's
    us_batna, to `FLOOR_TOL`), a required partner's excepted: no negotiator signs a deal
    that loses the US money against walking away, and leaving it out only frees supply and
    risk budget. The schedule keeps each deal's gain where a grid schedule in the step
    does (`schedule.signable.keep_gains`); where none does, the deal goes, and the others
    are scheduled again in what it leaves (`finish`), or kept as they were when that gives
    V no more or moves them off the step. The optimizer's V before rounding
    (`unrounded_us_value`) stays what the result is measured from; `message` says which
    deal went and why. `result` itself when no deal loses."""
    if result.status not in (Status.OPTIMAL, Status.TIME_LIMIT) or result.us_value is None:
        return result
    first = result
    gone: list[DealFigures] = []  # each as it was when left out
    for _ in range(len(result.deals)):  # each pass leaves out at least one deal
        losing = [
            d
            for d in result.deals
            if d.us_value < d.us_batna - FLOOR_TOL and d.partner not in require
        ]
        if not losing:
            break
        codes = {d.partner for d in losing}
        kept = [d.package() for d in result.deals if d.partner not in codes]
        fewer = _better_without(portfolio, result, kept, gap, threads)
        if fewer is None:
            break
        gone += losing
        result = fewer
    if not gone:
        return first
    details = dict(result.solver.details)
    for key in ("unrounded_objective", "unrounded_us_value", "unrounded_partner_total"):
        if key in first.solver.details:
            details[key] = first.solver.details[key]
    solver = result.solver.model_copy(update={"details": details})
    return result.model_copy(
        update={"solver": solver, "message": _left_out_note(first, result, gone)}
    )


def _better_without(
    portfolio: Portfolio,
    result: SolveResult,
    kept: list[Package],
    gap: float,
    threads: int | None,
) -> SolveResult | None:
    """The packages `kept` as they are, or scheduled again in the room the others left,
    whichever gives V more (in the same step); None if they fail the check (fewer deals
    of a checked portfolio never should)."""
    step = result.solver.details.get("granularity_h100e", 0.0)
    checked = check(portfolio, kept)
    if not checked.ok:
        return None
    as_is = result_from_check(
        portfolio,
        result.mode,
        result.status,
        result.solver.model_copy(deep=True),
        checked,
        unrounded_v=result.solver.details.get("unrounded_us_value"),
    )
    as_is = as_is.model_copy(update={"message": result.message})
    info = result.solver.model_copy(deep=True)
    again = finish(portfolio, "us-best", result.status, info, kept, gap=gap, threads=threads)
    if (
        again.us_value is not None
        and as_is.us_value is not None
        and again.solver.details.get("granularity_h100e") == step
        and again.us_value > as_is.us_value + FLOOR_TOL
    ):
        return again
    return as_is


def _left_out_note(first: SolveResult, result: SolveResult, gone: list[DealFigures]) -> str:
    """The schedule's sentence, and each deal left out with what it was worth to the US
    (in whole steps, where rounded) against no deal."""
    step = result.solver.details.get("granularity_h100e", 0.0)
    where = result.message or (
        f"Compute is in steps of {quantity(step)} H100e." if step else "Compute is unrounded."
    )
    rounded = first.solver.details.get("granularity_h100e", 0.0)
    said = [
        f"{d.partner}'s deal is left out: {'in whole steps ' if rounded else ''}it was worth "
        f"{usd(d.us_value)} to the US against {usd(d.us_batna)} without a deal."
        for d in gone
    ]
    return " ".join([where, *said])
