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

from dealbench.checker import check
from dealbench.model.schema import Portfolio
from dealbench.optimize.decomposition.solve import solve_decomposed
from dealbench.optimize.finish import result_from_check
from dealbench.optimize.formulate import Mode
from dealbench.optimize.plain import solve_plain
from dealbench.optimize.prefer import SAME_V, partner_preferred
from dealbench.optimize.reserve import needs_reserve, with_reserve
from dealbench.optimize.result import SolveResult

if TYPE_CHECKING:
    from dealbench.optimize.decomposition.warm import WarmStart

Method = Literal["auto", "decompose", "plain"]
METHODS: tuple[Method, ...] = ("auto", "decompose", "plain")

__all__ = ["METHODS", "Method", "solve_best", "with_ties_for_partners"]


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
) -> SolveResult:
    """`solve` for us-best and partner-best, its arguments already checked."""

    def run(
        pf: Portfolio, warm: SolveResult | WarmStart | None, on_grid: bool = True
    ) -> SolveResult:
        if method == "plain" or solver != "highs":
            return solve_plain(
                pf,
                mode,
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                v_floor=v_floor,
                threads=threads,
                require=require,
                on_grid=on_grid,
            )
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

    result = run(portfolio, warm_start)
    if needs_reserve(portfolio, result):  # no whole steps with these terms: see `reserve`
        result = with_reserve(portfolio, result, run, v_floor, threads)
    if mode == "us-best":  # of the packages the US values alike, the partners' preferred
        result = with_ties_for_partners(portfolio, result)
    return result


def with_ties_for_partners(portfolio: Portfolio, result: SolveResult) -> SolveResult:
    """`result` with each deal's ties broken for its partner (`prefer`), checked; the
    result as it was when no package changes or the changed ones fail the check."""
    start = time.perf_counter()
    packages = partner_preferred(portfolio, result.deals)
    checked = check(portfolio, packages) if packages is not None else None
    result.solver.timings["ties"] = time.perf_counter() - start
    if checked is None or not checked.ok or checked.objective < (result.us_value or 0.0) - SAME_V:
        return result
    rebuilt = result_from_check(
        portfolio,
        result.mode,
        result.status,
        result.solver,
        checked,
        unrounded_v=result.solver.details.get("unrounded_us_value"),
    )
    fields = ("objective", "us_value", "partner_total", "deals", "no_deal", "supply_used")
    update = {name: getattr(rebuilt, name) for name in (*fields, "risk_total", "binding")}
    return result.model_copy(update=update)
