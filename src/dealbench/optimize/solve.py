"""Solve a portfolio: the method, the solver call, extraction, and the independent check.

Two exact methods find the same optimum (within the requested gap):
`decompose` (the default with HiGHS; see `decompose.py`) and `plain`, DESIGN.md's
model through PuLP (`formulate`), which CBC always uses. The figures a result
carries are recomputed by `check` from the extracted packages, so what a user
reads is what the independent checker vouches for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from dealbench.checker import PortfolioCheck, check
from dealbench.model.schema import Package, Portfolio
from dealbench.optimize.formulate import Mode
from dealbench.optimize.plain import extract_packages, solve_plain
from dealbench.optimize.result import SolveResult, SolverInfo, Status

if TYPE_CHECKING:
    from dealbench.optimize.warm import WarmStart

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
) -> SolveResult:
    """The best packages for `portfolio` under `mode`, checked; see `SolveResult.status`.

    `method`: "decompose" (column generation and a provably sufficient restricted
    MIP, HiGHS only), "plain" (DESIGN.md's model as one MIP) or "auto" (decompose
    with HiGHS, plain with CBC). `warm_start`: a previous result (or its
    `WarmStart`) of a similar portfolio, whose prices, columns and packages
    seed the search; the answer is exact either way.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of: {', '.join(METHODS)}")
    if method == "plain" or solver != "highs":
        return solve_plain(
            portfolio,
            mode,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            v_floor=v_floor,
            threads=threads,
        )
    from dealbench.optimize.fast import solve_decomposed

    return solve_decomposed(
        portfolio,
        mode,
        time_limit=time_limit,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        warm_start=warm_start,
    )


def finish(
    portfolio: Portfolio, mode: str, status: Status, info: SolverInfo, packages: list[Package]
) -> SolveResult:
    """Check the packages; a result carries the checker's figures or says what failed."""
    import time

    start = time.perf_counter()
    checked = check(portfolio, packages)
    info.timings["check"] = time.perf_counter() - start
    if not checked.ok:
        problems = "; ".join(checked.problems())
        return empty_result(
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
        **_heading(portfolio, mode, status, info),
        objective=checked.objective,
        partner_total=checked.partner_total,
        deals=checked.deals,
        no_deal=checked.no_deal,
        supply=checked.supply,
        supply_used=checked.supply_used,
        risk_total=checked.risk_total,
        risk_budget=checked.risk_budget,
        binding=binding_limits(portfolio, checked),
    )


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
    held = [d.partner for d in checked.deals if abs(d.partner_margin) <= 1e6]
    if held:
        out.append(
            f"Held to their walk-away value (BATNA plus the acceptance margin): {', '.join(held)}."
        )
    return out


def empty_result(
    portfolio: Portfolio, mode: str, status: Status, info: SolverInfo, message: str = ""
) -> SolveResult:
    if not message:
        message = {
            Status.INFEASIBLE: "no set of packages satisfies every limit",
            Status.NO_SOLUTION: "the solver stopped at its time limit before finding any package",
        }.get(status, "the solver failed")
    return SolveResult(**_heading(portfolio, mode, status, info), objective=None, message=message)


def _heading(portfolio: Portfolio, mode: str, status: Status, info: SolverInfo) -> dict[str, Any]:
    """What every result says of itself: status, mode, portfolio, solver, fingerprint."""
    return {
        "status": status,
        "mode": mode,
        "portfolio": portfolio.id,
        "portfolio_title": portfolio.title,
        "policy": portfolio.policy.id,
        "periods": list(portfolio.periods),
        "solver": info,
        "fingerprint": portfolio.fingerprint(),
    }
