"""How every solve method ends: the packages scheduled, checked, and a result built from the check.

Both methods (`plain` and the decomposition) hand their packages here. Their
compute is decided again in whole steps of the portfolio's granularity, with
every other choice kept (`schedule`), so what a result carries, and what every
document prints, is the package `check` recomputed from the model alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from dealbench.checker import DealFigures, PortfolioCheck, check
from dealbench.checker.tolerance import at_limit
from dealbench.checker.used_up import risk_used_up_line, supply_wanted, unknown_why, used_up
from dealbench.figures import quantity, usd
from dealbench.limit import Limit, no_supply_line
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.regimes import caps_notes
from dealbench.optimize.result import SolveResult, SolverInfo, Status
from dealbench.optimize.schedule.signable import schedule
from dealbench.optimize.schedule.smooth import ScheduleStart

__all__ = [
    "acceptance_limits",
    "binding_limits",
    "empty_result",
    "finish",
    "floor_of",
    "result_from_check",
]


def finish(
    portfolio: Portfolio,
    mode: str,
    status: Status,
    info: SolverInfo,
    packages: list[Package],
    *,
    gap: float = 1e-6,
    v_floor: float | None = None,
    threads: int | None = None,
    on_grid: bool = True,
    refine: Callable[[list[Package], float], list[Package]] | None = None,
    prior: ScheduleStart | None = None,
    keep: ScheduleStart | None = None,
) -> SolveResult:
    """Check the solver's packages, put their compute on the portfolio's grid (`schedule`),
    check again; a result carries the checker's figures of what is printed, or says what failed.
    `on_grid=False`: the solver's amounts as they are (`reserve` puts them on the grid
    itself, with the reserve as room). `refine(packages, step)`: the scheduled packages
    (compute in whole steps of `step` H100e) moved over the same grid by the caller's
    objective (nash's Nash product: `bargain.steps.climb`), before the check. `prior`,
    `keep`: the schedule's start from a close solve's, and where its own is kept.

    `info.details` gains the step used (`granularity_h100e`) and the unrounded
    optimum (`unrounded_objective`, the mode's objective; `unrounded_us_value`, V;
    `unrounded_partner_total`); `info.timings`
    the time of the schedule (`schedule`, and its stages: `schedule value`, ...,
    `schedule rounding`) and of both checks (`check`).
    """
    start = time.perf_counter()
    raw = check(portfolio, packages)
    info.timings["check"] = time.perf_counter() - start
    if not raw.ok:
        problems = "; ".join(raw.problems())
        return empty_result(
            portfolio,
            mode,
            Status.ERROR,
            info,
            f"the solver's answer fails the independent check ({problems}); "
            "try the highs solver, a longer time limit or a smaller gap",
        )
    unrounded = {
        "unrounded_objective": raw.partner_total if mode == "partner-best" else raw.objective,
        "unrounded_us_value": raw.objective,
        "unrounded_partner_total": raw.partner_total,
    }
    if not on_grid:
        info.details.update(granularity_h100e=0.0, within_tolerance=0.0, **unrounded)
        return result_from_check(
            portfolio, mode, status, info, raw, v_floor=v_floor, unrounded_v=raw.objective
        )
    start = time.perf_counter()
    # A bargaining point is rounded as solved, not smoothed: smoothing ranks schedules
    # by V or by the partners' total, either of which would move it off its balance.
    scheduled = schedule(
        portfolio,
        "partner-best" if mode == "partner-best" else "us-best",
        packages,
        gap=gap,
        v_floor=v_floor,
        threads=threads,
        keep_shape=mode in ("nash", "kalai"),
        prior=prior,
        keep=keep,
    )
    info.timings["schedule"] = time.perf_counter() - start
    info.timings.update(scheduled.timings)  # its stages: "schedule value", ... "rounding"
    if refine is not None and scheduled.step > 0 and not scheduled.within_tolerance:
        start = time.perf_counter()
        scheduled.packages = refine(scheduled.packages, scheduled.step)
        info.timings["schedule refine"] = time.perf_counter() - start
    start = time.perf_counter()
    checked = check(portfolio, scheduled.packages)
    info.timings["check"] += time.perf_counter() - start
    note = scheduled.note
    if not checked.ok:  # a bug of the schedule: say so (what it broke), and show what passes
        note = (
            "The schedule in whole steps failed the independent check "
            f"({'; '.join(checked.problems())}): the optimizer's unrounded amounts are shown."
        )
        checked = raw
        scheduled.step = 0.0
    info.details.update(
        granularity_h100e=scheduled.step,
        within_tolerance=float(scheduled.within_tolerance),
        **unrounded,
    )
    result = result_from_check(
        portfolio, mode, status, info, checked, v_floor=v_floor, unrounded_v=raw.objective
    )
    return result.model_copy(update={"message": note}) if note else result


def floor_of(portfolio: Portfolio, v_floor: float | None) -> float:
    """partner-best's least V: `v_floor`, or by default V with no deal (every us_batna)."""
    return sum(p.us_batna for p in portfolio.partners) if v_floor is None else v_floor


def result_from_check(
    portfolio: Portfolio,
    mode: str,
    status: Status,
    info: SolverInfo,
    checked: PortfolioCheck,
    *,
    v_floor: float | None = None,
    unrounded_v: float | None = None,
) -> SolveResult:
    """The result of `checked`'s packages. `objective` is what `mode` maximised: V
    (us-best), the partners' total (partner-best); nash and kalai (`bargain`) replace
    it with theirs. partner-best's floor (`v_floor`, default no deal) is among the
    binding limits when V sits on it."""
    floor = floor_of(portfolio, v_floor) if mode == "partner-best" else None
    return SolveResult(
        **_heading(portfolio, mode, status, info),
        objective=checked.partner_total if mode == "partner-best" else checked.objective,
        us_value=checked.objective,
        partner_total=checked.partner_total,
        v_floor=floor,
        deals=checked.deals,
        no_deal=checked.no_deal,
        supply=checked.supply,
        supply_used=checked.supply_used,
        risk_total=checked.risk_total,
        risk_budget=checked.risk_budget,
        binding=binding_limits(
            portfolio,
            checked,
            v_floor=floor,
            unrounded_v=unrounded_v,
            step=info.details.get("granularity_h100e"),
        ),
    )


def binding_limits(
    portfolio: Portfolio,
    checked: PortfolioCheck,
    *,
    v_floor: float | None = None,
    unrounded_v: float | None = None,
    step: float | None = None,
) -> list[Limit]:
    """The shared and per-deal limits the packages sit on, each with its sentence.
    `step`: the step the compute is in, where not the portfolio's (`used_up.used_up`).

    "Held to their walk-away value" is one sentence for several partners: one
    `acceptance` limit per partner, all with that message (`messages(...,
    unique=True)` gives each sentence once).

    `v_floor` (partner-best's least V, USD) is binding when V, or the optimizer's V
    before its compute was put in whole steps (`unrounded_v`), is within USD 1m (or
    1e-6 of it) of it: a `v-floor` limit.
    """
    return [
        *_v_floor_limit(checked, v_floor, unrounded_v),
        *_shared_limits(portfolio, checked, step),
        *_cap_limits(portfolio, checked),
        *acceptance_limits(checked.deals),
    ]


def _v_floor_limit(
    checked: PortfolioCheck, v_floor: float | None, unrounded_v: float | None
) -> list[Limit]:
    """partner-best's least V, when V sits on it (see `binding_limits`)."""
    v = checked.objective if unrounded_v is None else min(checked.objective, unrounded_v)
    if v_floor is not None and v <= v_floor + max(1e6, 1e-6 * abs(v_floor)):
        message = f"The US utility V is held at its floor ({usd(v_floor)})."
        return [Limit(kind="v-floor", limit=v_floor, amount=checked.objective, message=message)]
    return []


def _shared_limits(
    portfolio: Portfolio, checked: PortfolioCheck, step: float | None
) -> list[Limit]:
    """Each period's supply and the risk budget, where used up."""
    out = []
    full, risk_used_up = used_up(portfolio, checked, step)
    for t in full:
        supply = portfolio.supply[t]
        used = checked.supply_used[t]
        if supply >= 0.5 and not supply_wanted(
            portfolio, checked.deals, checked.no_deal, t, unknown_why
        ):
            continue  # every deal's full ask takes it: it holds no one (`explained` reads
            # why a partner has no deal, which may not want it either)
        message = f"Supply in {t} is fully allocated ({quantity(supply)} H100e)."
        grid = portfolio.granularity
        if supply < 0.5:  # none at all, where a deal asks for some
            message = no_supply_line(t)
        elif grid.h100e > 0 and supply - used >= 0.5:  # used up: less than a step is left
            message = (
                f"Supply in {t} is used up ({quantity(supply)} H100e), with less than one step "
                f"({grid.one_step()}) left."
            )
        out.append(Limit(kind="supply", period=t, limit=supply, amount=used, message=message))
    budget = portfolio.risk_budget
    if budget is not None and risk_used_up:
        message = risk_used_up_line(budget, checked.risk_total)
        out.append(
            Limit(kind="risk-budget", limit=budget, amount=checked.risk_total, message=message)
        )
    return out


def _cap_limits(portfolio: Portfolio, checked: PortfolioCheck) -> list[Limit]:
    """Each deal's compute held at its security level's cap, below its ask."""
    out = []
    for deal in checked.deals:
        partner = portfolio.partner(deal.partner)
        assert partner is not None
        for t, x in deal.compute.items():
            cap = portfolio.level_cap(partner, deal.security)
            if (
                cap is not None
                and cap > 0
                and at_limit(portfolio, x, cap)
                and not at_limit(portfolio, x, portfolio.ask(partner, t))
            ):
                basis = portfolio.cap_basis(partner, deal.security)
                message = (
                    f"{deal.partner} in {t} receives "
                    f"{portfolio.cap_name(partner, deal.security, its=True)} ({quantity(cap)} H100e"
                    f"{f', {basis}' if basis else ''}), less than its ask."
                )
                out.append(
                    Limit(
                        kind="cap",
                        partner=deal.partner,
                        period=t,
                        level=deal.security,
                        limit=cap,
                        amount=x,
                        message=message,
                    )
                )
    return out


def acceptance_limits(
    deals: Sequence[DealFigures], walk_away: str = "their walk-away value"
) -> list[Limit]:
    """The partners of `deals` held to `walk_away` (within USD 1m of it plus the required
    margin): one sentence for them all. A robust solve names the walk-away value it raised."""
    out = []
    held = [d for d in deals if abs(d.partner_margin) <= 1e6]
    message = f"Held to {walk_away} plus the required margin: {', '.join(d.partner for d in held)}."
    for deal in held:  # one object per partner; one sentence for them all
        out.append(
            Limit(
                kind="acceptance",
                partner=deal.partner,
                limit=deal.acceptance_threshold,
                amount=deal.partner_utility,
                message=message,
            )
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
    """What every result says of itself: status, mode, portfolio, solver, fingerprint, and
    the overrides applied to the files (`--set`), so a later `render` applies them again."""
    return {
        "status": status,
        "mode": mode,
        "portfolio": portfolio.id,
        "portfolio_title": portfolio.title,
        "policy": portfolio.policy.id,
        "periods": list(portfolio.periods),
        "solver": info,
        "fingerprint": portfolio.fingerprint(),
        "overrides": [f"{path}={text}" for path, text in portfolio.overrides.items()],
        "notes": caps_notes(portfolio),
    }
