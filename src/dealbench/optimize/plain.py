"""The plain path: DESIGN.md's model as written (`formulate`), solved through PuLP.

Used with `method="plain"`, with CBC, and when the decomposition declines an
input (an entangled concession menu, an infeasible US floor, whose explanation
belongs to this model).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pulp

from dealbench.model.concession import GRANTED
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.backends import Outcome, make_backend, run_pulp
from dealbench.optimize.finish import empty_result, finish
from dealbench.optimize.formulate import formulate
from dealbench.optimize.formulation import COMPUTE, MONEY, Formulation, Mode
from dealbench.optimize.result import SolveResult, SolverInfo, Status


def solve_plain(
    portfolio: Portfolio,
    mode: Mode = "us-best",
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
    require: Sequence[str] = (),
    step: float = 0.0,
    on_grid: bool = True,
) -> SolveResult:
    """Formulate with PuLP, solve, extract, check. `step` > 0: compute in whole steps
    inside the model (see `formulate.add_whole_steps`); `on_grid`: see `finish`."""

    timings: dict[str, float] = {}
    start = time.perf_counter()
    form = formulate(portfolio, mode, v_floor, require, step=step)
    timings["build"] = time.perf_counter() - start

    backend = make_backend(solver, time_limit=time_limit, gap=gap, threads=threads)
    start = time.perf_counter()
    outcome = run_pulp(form.problem, backend)
    timings["solve"] = time.perf_counter() - start

    status, proven_gap, bound = outcome_status(form, outcome)
    info = SolverInfo(
        name=backend.name,
        version=backend.version,
        seconds=timings["solve"],
        gap=proven_gap,
        bound=bound,
        timings=timings,
        method="plain",
    )
    if status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        return empty_result(portfolio, mode, status, info)
    start = time.perf_counter()
    packages = extract_packages(form)
    info.timings["extract"] = time.perf_counter() - start
    return finish(
        portfolio,
        mode,
        status,
        info,
        packages,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        on_grid=on_grid,
    )


def extract_packages(form: Formulation) -> list[Package]:
    """One package per concluded deal, read from the solver's values."""
    pf = form.portfolio
    packages = []
    for p in pf.partners:
        if _value(form.z[p.code]) < 0.5:
            continue
        levels = pf.levels_for(p)
        security = max(levels, key=lambda k: _value(form.s[p.code, k]))
        compute = {}
        for t in pf.periods:
            amount = _value(form.x[p.code, t]) * COMPUTE
            limit = pf.cap(p, security, t)
            compute[t] = round(min(max(amount, 0.0), limit), 6)
        concessions: dict[str, str | bool] = {}
        for c in p.concessions:
            for o in c.choices:
                if _value(form.g[p.code, c.id, o.id]) > 0.5:
                    concessions[c.id] = True if o.id == GRANTED else o.id
        packages.append(
            Package(partner=p.code, security=security, compute=compute, concessions=concessions)
        )
    return packages


def outcome_status(
    form: Formulation, outcome: Outcome
) -> tuple[Status, float | None, float | None]:
    """The solver's outcome in dealbench's terms; the bound in USD."""
    bound = None if outcome.bound is None else outcome.bound * MONEY + form.offset
    if outcome.state == "infeasible":
        return Status.INFEASIBLE, None, None
    if outcome.state in ("unbounded", "error"):
        return Status.ERROR, None, None
    if not outcome.has_solution:
        return Status.NO_SOLUTION, None, bound
    if outcome.state == "optimal":
        return Status.OPTIMAL, outcome.gap if outcome.gap is not None else 0.0, bound
    return Status.TIME_LIMIT, outcome.gap, bound


def _value(var: pulp.LpVariable) -> float:
    return float(var.varValue or 0.0)
