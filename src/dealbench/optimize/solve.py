"""Solve a portfolio: the method, the solver call, extraction, and the independent check.

Two exact methods find the same optimum (within the requested gap):
`decompose` (the default with HiGHS; see the `decomposition` package) and `plain`, DESIGN.md's
model through PuLP (`formulate`), which CBC always uses. The figures a result
carries are recomputed by `check` from the extracted packages, so what a user
reads is what the independent checker vouches for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from dealbench.arguments import one_of, partner_codes, positive_seconds, relative_gap
from dealbench.errors import ArgumentError
from dealbench.model.schema import Portfolio
from dealbench.optimize.decomposition.solve import solve_decomposed
from dealbench.optimize.finish import binding_limits, result_from_check
from dealbench.optimize.formulate import MODES, Mode
from dealbench.optimize.plain import extract_packages, solve_plain
from dealbench.optimize.reserve import needs_reserve, with_reserve
from dealbench.optimize.result import SolveResult

if TYPE_CHECKING:
    from dealbench.optimize.decomposition.warm import WarmStart

Method = Literal["auto", "decompose", "plain"]
METHODS: tuple[Method, ...] = ("auto", "decompose", "plain")

__all__ = ["METHODS", "Method", "binding_limits", "extract_packages", "result_from_check", "solve"]


def solve(
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
    """The best packages for `portfolio` under `mode`, checked; see `SolveResult.status`.

    `method`: "decompose" (column generation and a provably sufficient restricted
    MIP, HiGHS only), "plain" (DESIGN.md's model as one MIP) or "auto" (decompose
    with HiGHS, plain with CBC). `warm_start`: a previous result (or its
    `WarmStart`) of a similar portfolio, whose prices, columns and packages
    seed the search; the answer is exact either way. `require`: partner codes that
    must have a deal (solved with the plain model). `gap`: relative, 0 <= gap < 1;
    `time_limit`: seconds, > 0 (None: no limit).

    Raises `dealbench.errors.ArgumentError` (an InputError and a ValueError) for an
    unknown mode, method or partner code, or a gap or time limit out of range.
    """
    if not isinstance(portfolio, Portfolio):  # a path, say: not an AttributeError deep inside
        raise ArgumentError(
            "portfolio",
            f"expected a Portfolio (load_portfolio(path) reads one), got {portfolio!r}",
        )
    mode = one_of(mode, MODES, "mode", "mode")
    method = one_of(method, METHODS, "method", "method")
    gap = relative_gap(gap)
    time_limit = positive_seconds(time_limit)
    require = partner_codes(portfolio, require, "require")
    if v_floor is not None and mode != "partner-best":  # it would be ignored: say so
        raise ArgumentError(
            "v_floor",
            f"a floor on US utility is for the partner-best mode; the {mode} mode does not use it",
        )
    if mode in ("nash", "kalai"):
        # Bargaining objectives are solved on the plain model (see `bargain`).
        from dealbench.optimize.bargain import solve_bargaining

        return solve_bargaining(
            portfolio, mode, solver=solver, time_limit=time_limit, gap=gap, threads=threads
        )

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
        result = with_reserve(portfolio, result, run, v_floor)
    return result
