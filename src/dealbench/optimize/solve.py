"""Solve a portfolio: the arguments checked, then the objective's solver.

us-best and partner-best are linear objectives (`best`: the exact decomposition or
DESIGN.md's model through PuLP, and the rounding reserve); nash and kalai are bargaining
objectives (`bargain`), which call `best` for each partner's ideal deal. Imports run one
way: `solve` -> `bargain` -> `best`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dealbench.arguments import (
    amount_of_usd,
    at_least_one,
    given_briefly,
    one_of,
    positive_seconds,
    relative_gap,
)
from dealbench.errors import ArgumentError
from dealbench.model.arguments import a_portfolio, partner_codes
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.backends import SOLVERS
from dealbench.optimize.bargain.solve import solve_bargaining
from dealbench.optimize.best import METHODS, Method, solve_best
from dealbench.optimize.finish import binding_limits, result_from_check
from dealbench.optimize.formulation import MODES, Mode
from dealbench.optimize.plain import extract_packages
from dealbench.optimize.result import SolveResult
from dealbench.units import MAX_MONEY

if TYPE_CHECKING:
    from dealbench.optimize.decomposition.warm import WarmStart

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
    must have a deal (when one cannot, the plain model says why). `gap`: relative, 0 <= gap < 1;
    `time_limit`: seconds, > 0 (None: no limit).

    Raises `dealbench.errors.ArgumentError` (an InputError and a ValueError) for an
    unknown mode, method, solver or partner code, or a gap, time limit or thread count out
    of range; `dealbench.errors.SolverError` for a solver that is not installed.
    """
    portfolio = a_portfolio(portfolio)  # a path, say: not an AttributeError deep inside
    mode = one_of(mode, MODES, "mode", "mode")
    method = one_of(method, METHODS, "method", "method")
    solver = one_of(solver, SOLVERS, "solver", "solver")  # as SolveOptions' (a SolverError)
    gap = relative_gap(gap)
    time_limit = positive_seconds(time_limit)
    require = partner_codes(portfolio, require, "require")
    if threads is not None:  # -1 was given to HiGHS as it stood
        at_least_one(threads, "threads", "thread")
    _a_warm_start(warm_start)
    if v_floor is not None and mode != "partner-best":  # it would be ignored: say so
        raise ArgumentError(
            "v_floor",
            f"a floor on US utility is for the partner-best mode; the {mode} mode does not use it",
        )
    if v_floor is not None:  # nan was the decomposition's "could not solve the master LP"
        v_floor = amount_of_usd(v_floor, "v_floor")
    if mode in ("nash", "kalai"):  # solved on the plain model (see `bargain`)
        bargained = solve_bargaining(
            portfolio,
            mode,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            require=require,
        )
        return with_required(bargained, require)
    result = solve_best(
        portfolio,
        mode,
        solver=solver,
        time_limit=time_limit,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        method=method,
        warm_start=warm_start,
        require=require,
    )
    if mode == "partner-best":
        result = with_floor_said(
            portfolio,
            result,
            v_floor,
            require,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
        )
    return with_required(result, require)


def with_required(result: SolveResult, require: Sequence[str]) -> SolveResult:
    """`result` recording the deals it was required to make (`SolveResult.required`), which
    every document names beside its packages: a memo of `solve --require-deal MY` said
    "Packages from the optimisation for the greatest US utility" of packages worth $6.48bn
    less to the US than the unrequired best (qa48-explain). The copy keeps the warm start
    the no-deal reasons re-solve from."""
    from dealbench.optimize.decomposition.warm import remember, warm_from

    if not require:
        return result
    said = result.model_copy(update={"required": list(require)})
    kept = warm_from(result)
    if kept is not None:
        remember(said, kept)
    return said


def with_floor_said(
    portfolio: Portfolio,
    result: SolveResult,
    v_floor: float | None,
    require: Sequence[str],
    *,
    solver: str,
    time_limit: float | None,
    gap: float,
    threads: int | None,
) -> SolveResult:
    """partner-best's `result` saying of its floor on V whether it is the default (V with
    no deal: `solver.details.v_floor_default`) and whether it binds (`v_floor_binds`).

    The floor binds when it holds the partners back: without it their total would be
    higher (beyond the gap). V may sit above a floor that binds by as much as a step of
    compute or a concession's level is worth ($3.2m over the corridor's -$200.0m), where
    the `binding` limits list the floor only when V sits on it; a second solve, without
    the floor, tells.
    """
    floor, partners = result.v_floor, result.partner_total
    if result.status.value != "optimal" or floor is None or partners is None:
        return result
    binds = any(b.kind == "v-floor" for b in result.binding)
    if not binds:
        free = solve_best(
            portfolio,
            "partner-best",
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            v_floor=-MAX_MONEY,
            threads=threads,
            require=require,
        )
        top = free.partner_total
        binds = top is not None and top > partners + max(1e3, gap * abs(top))
    details = {
        **result.solver.details,
        "v_floor_default": float(v_floor is None),
        "v_floor_binds": float(binds),
    }
    return result.model_copy(
        update={"solver": result.solver.model_copy(update={"details": details})}
    )


def _a_warm_start(value: object, name: str = "warm_start") -> None:
    """None, a SolveResult or its WarmStart; else an ArgumentError (a result.json's path
    was an AttributeError deep inside the decomposition)."""
    if value is None or isinstance(value, SolveResult):
        return
    from dealbench.optimize.decomposition.warm import WarmStart

    if not isinstance(value, WarmStart):
        raise ArgumentError(
            name,
            "expected a SolveResult (a previous solve's; load_result(path) reads a result.json) "
            f"or its WarmStart, got {given_briefly(value)}",
        )
