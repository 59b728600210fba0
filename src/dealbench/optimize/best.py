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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from dealbench.model.schema import Portfolio
from dealbench.optimize.decomposition.solve import solve_decomposed
from dealbench.optimize.formulate import Mode
from dealbench.optimize.plain import solve_plain
from dealbench.optimize.reserve import needs_reserve, with_reserve
from dealbench.optimize.result import SolveResult

if TYPE_CHECKING:
    from dealbench.optimize.decomposition.warm import WarmStart

Method = Literal["auto", "decompose", "plain"]
METHODS: tuple[Method, ...] = ("auto", "decompose", "plain")

__all__ = ["METHODS", "Method", "solve_best"]


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
    return result
