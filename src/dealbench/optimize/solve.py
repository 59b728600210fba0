"""Solve a portfolio: formulate, call the solver, extract packages, check them.

The figures a result carries are recomputed by `check` from the extracted
packages, so what a user reads is what the independent checker vouches for.
"""

from __future__ import annotations

import time

import pulp

from dealbench.checker import PortfolioCheck, check
from dealbench.model.schema import GRANTED, Package, Portfolio
from dealbench.optimize.backends import make_backend
from dealbench.optimize.formulate import COMPUTE, MONEY, Formulation, Mode, formulate
from dealbench.optimize.result import SolveResult, SolverInfo, Status


def solve(
    portfolio: Portfolio,
    mode: Mode = "us-best",
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
) -> SolveResult:
    """The best packages for `portfolio` under `mode`, checked; see `SolveResult.status`."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    form = formulate(portfolio, mode, v_floor)
    timings["build"] = time.perf_counter() - start

    backend = make_backend(solver, time_limit=time_limit, gap=gap, threads=threads)
    start = time.perf_counter()
    form.problem.solve(backend.solver)
    timings["solve"] = time.perf_counter() - start

    status, proven_gap, bound = _status(form, backend.name, gap)
    info = SolverInfo(
        name=backend.name,
        version=backend.version,
        seconds=timings["solve"],
        gap=proven_gap,
        bound=bound,
        timings=timings,
    )
    if status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        return _empty(portfolio, mode, status, info)

    start = time.perf_counter()
    packages = extract_packages(form)
    timings["extract"] = time.perf_counter() - start
    start = time.perf_counter()
    checked = check(portfolio, packages)
    timings["check"] = time.perf_counter() - start
    if not checked.ok:
        problems = "; ".join(checked.problems())
        return _empty(
            portfolio,
            mode,
            Status.ERROR,
            info,
            f"the solver's answer fails the independent check ({problems}); "
            "try --solver highs, a longer --time-limit or a smaller --gap",
        )
    return result_from_check(portfolio, mode, status, info, checked)


def result_from_check(
    portfolio: Portfolio, mode: str, status: Status, info: SolverInfo, checked: PortfolioCheck
) -> SolveResult:
    return SolveResult(
        status=status,
        mode=mode,
        portfolio=portfolio.id,
        portfolio_title=portfolio.title,
        policy=portfolio.policy.id,
        periods=list(portfolio.periods),
        objective=checked.objective,
        partner_total=checked.partner_total,
        deals=checked.deals,
        no_deal=checked.no_deal,
        supply=checked.supply,
        supply_used=checked.supply_used,
        risk_total=checked.risk_total,
        risk_budget=checked.risk_budget,
        binding=binding_limits(portfolio, checked),
        solver=info,
        fingerprint=portfolio.fingerprint(),
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
            for o in c.options:
                if _value(form.g[p.code, c.id, o.id]) > 0.5:
                    concessions[c.id] = True if o.id == GRANTED else o.id
        packages.append(
            Package(partner=p.code, security=security, compute=compute, concessions=concessions)
        )
    return packages


def binding_limits(portfolio: Portfolio, checked: PortfolioCheck) -> list[str]:
    """The shared and per-deal limits the packages sit on, in plain words."""
    out = []
    for t in portfolio.periods:
        supply = portfolio.supply[t]
        if supply > 0 and checked.supply_used[t] >= supply * (1 - 1e-6) - 0.5:
            out.append(f"Supply in {t} is fully allocated ({supply:,.0f} H100e).")
    budget = portfolio.risk_budget
    if budget is not None and budget > 0 and checked.risk_total >= budget * (1 - 1e-6) - 0.5:
        out.append(f"The risk budget is used up ({budget:,.0f} risk-weighted H100e).")
    for deal in checked.deals:
        partner = portfolio.partner(deal.partner)
        assert partner is not None
        for t, x in deal.compute.items():
            cap = portfolio.policy.caps.cap(partner.tier, deal.security)
            if (
                cap is not None
                and cap > 0
                and x >= cap - 0.5
                and x < portfolio.ask(partner, t) - 0.5
            ):
                out.append(
                    f"{deal.partner} in {t} receives the tier {partner.tier} cap under "
                    f"{deal.security} ({cap:,.0f} H100e), less than its ask."
                )
        if abs(deal.partner_margin) <= 1e6:
            out.append(
                f"{deal.partner} is held to its walk-away value: it gains nothing over its BATNA."
            )
    return out


def _status(
    form: Formulation, solver: str, gap: float
) -> tuple[Status, float | None, float | None]:
    prob = form.problem
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
        return Status.INFEASIBLE, None, None
    if prob.status == pulp.LpStatusUnbounded:
        return Status.ERROR, None, None
    proven, bound = (0.0 if prob.sol_status == pulp.LpSolutionOptimal else None), None
    model = getattr(prob, "solverModel", None)
    if solver == "highs" and model is not None:
        info = model.getInfo()
        if info.mip_node_count >= 0:  # a MIP: HiGHS reports the gap and bound
            proven = max(float(info.mip_gap), 0.0) if has_solution else None
            bound = -float(info.mip_dual_bound) * MONEY + form.offset
    if not has_solution:
        # PuLP reports Undefined for a MIP with no feasible point found in time.
        return Status.NO_SOLUTION, None, bound
    if prob.sol_status == pulp.LpSolutionOptimal:
        return Status.OPTIMAL, proven if proven is not None else 0.0, bound
    return Status.TIME_LIMIT, proven, bound


def _value(var: pulp.LpVariable) -> float:
    return float(var.varValue or 0.0)


def _empty(
    portfolio: Portfolio, mode: str, status: Status, info: SolverInfo, message: str = ""
) -> SolveResult:
    if not message:
        message = {
            Status.INFEASIBLE: "no set of packages satisfies every limit",
            Status.NO_SOLUTION: "the solver stopped at its time limit before finding any package",
        }.get(status, "the solver failed")
    return SolveResult(
        status=status,
        mode=mode,
        portfolio=portfolio.id,
        portfolio_title=portfolio.title,
        policy=portfolio.policy.id,
        periods=list(portfolio.periods),
        objective=None,
        solver=info,
        fingerprint=portfolio.fingerprint(),
        message=message,
    )
