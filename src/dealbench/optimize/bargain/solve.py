"""solve --mode nash | kalai: bargaining solutions over the whole portfolio, per partner.

Gains are each side's utility over its walk-away value: the US's V[p] -
us_batna[p], the partner's U[p] - batna[p]. A partner's ideal gains are the
most each side can have in a deal with it alone (the portfolio's limits, no
other deal): the US-best deal, and the partner-best deal that leaves the US no
worse than without it. Partners whose ideals are not both positive have no
zone of agreement and get no deal.

nash maximises sum_p log(US gain) + log(partner gain). The concave log is
bounded from above by tangent cuts (`cuts` points per gain, geometric from
the ideal gain down to 1e-3 of it), so the MIP's bound B is an upper bound of
the best log-product. After each solve the gains of the packages found give
the true log-product L; the stated error bound is B - L: the packages' Nash
product is at least exp(-(B - L)) times the best possible. While the bound
is above `tolerance`, a cut is added at the gains found and the MIP is solved
again (at most `rounds` times): `dealbench.optimize.bargain.nash`.

kalai maximises tau with each side's gain at least tau x its ideal gain, then
(for a Pareto-optimal answer) the sum of the shares with tau held: exact,
within the solver's gap.

kalai's max tau is found partner by partner when the portfolio's supply is not used up
(`dealbench.optimize.bargain.kalai`, which solves both stages), else as one MIP.

kalai solves DESIGN.md's plain model with compute in the portfolio's declared step
(`formulate.add_whole_steps`), and its ideals in the same step (`ideal_gains`), so its tau
is the best in whole steps, each share measured against the most the same grid allows; nash (whose MIP in
whole steps can run for minutes), and kalai when no point in steps is found, put the
continuous point on the grid as solved (`schedule`); nash's is then climbed over the grid
while its Nash product rises (`steps.climb`), and what whole steps still cost it is stated
beside the tangent cuts' bound (`words.bound_note`).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.backends import Backend, make_backend, run_pulp
from dealbench.optimize.bargain.kalai import SPLIT_SHARE, kalai_point
from dealbench.optimize.bargain.nash import (
    Solve,
    found_gains,
    log_product,
    nash_point,
    nash_with_gains,
)
from dealbench.optimize.bargain.steps import climb
from dealbench.optimize.bargain.words import gainless_in, note
from dealbench.optimize.best import solve_best
from dealbench.optimize.finish import empty_result, finish
from dealbench.optimize.formulation import MONEY, Formulation, Mode
from dealbench.optimize.objectives import Ideals
from dealbench.optimize.plain import extract_packages, outcome_status, solve_plain
from dealbench.optimize.result import SolveResult, SolverInfo, Status

__all__ = ["GAIN_TOL", "ideal_gains", "solve_bargaining"]

#: A gain is more than this (USD) over a walk-away value: the one threshold of the
#: bargaining modes' ideals, the frontier's bargaining points and the zone of agreement
#: (`negotiate`), so that a partner with a zone is bargained over whatever the deals'
#: magnitude (qa29-verify: gains of USD 8,280 had a zone but "no zone" in kalai).
GAIN_TOL = 1e3
#: The same in model units (USD bn).
TOL = GAIN_TOL / MONEY
CUTS = 24
#: HiGHS options for the bargaining MIPs (measured in bench/README.md, "Bargaining
#: points"). nash's tangent-cut MIPs close at the root in a few nodes; HiGHS spent 85% of
#: their time in restarts and in its RINS and RENS sub-MIPs (global's four rounds: 6.8 s
#: of CPU with its defaults, 0.9 s without them, the same optima). Feasibility jump off,
#: as `highs.new_highs` has it.
NASH_HIGHS: dict[str, object] = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
}
#: kalai's rows to 1e-9 (USD 1 in the model's USD bn), not HiGHS's default 1e-6: its second
#: stage, the sum of shares with tau held, took a side's share row USD 829 under its bound,
#: and the tau reported (the least share of the packages) 4.5e-6 below the best
#: (tests/data/qa31verify/kalaitol).
KALAI_HIGHS: dict[str, object] = {"mip_feasibility_tolerance": 1e-9}
HIGHS_OPTIONS: dict[str, dict[str, object]] = {"nash": NASH_HIGHS, "kalai": KALAI_HIGHS}
#: Seconds a MIP is given at least when the time limit is (nearly) used up: enough to
#: return the start it was given, never a second stage's full run.
LEAST_SECONDS = 0.5


def ideal_gains(
    portfolio: Portfolio, gap: float = 1e-6, solver: str = "highs", step: float | None = None
) -> Ideals:
    """Each partner's ideal (US gain, partner gain) in a deal alone; only partners with a
    zone of agreement (both positive).

    `step` None: each ideal is the deal `solve` gives the partner alone (its compute put on
    the grid by `schedule`, which may refine the step). A step (H100e, 0: continuous): the
    ideals are the optima with compute in whole multiples of it, as kalai's point is solved,
    so a share of an ideal compares packages of one grid (kalai at tau 1 gives both sides
    the most the grid allows; docs/decisions.md, "Ties for the partner, kalai's yardstick
    (qa26-ties)")."""
    out: Ideals = {}
    for p in portfolio.partners:
        alone = portfolio.model_copy(update={"partners": [p]})
        if step is None:
            best = solve_best(alone, "us-best", gap=gap, solver=solver).deal(p.code)
            top = solve_best(alone, "partner-best", gap=gap, solver=solver, v_floor=p.us_batna)
        else:
            best = solve_plain(
                alone, "us-best", gap=gap, solver=solver, step=step, on_grid=False
            ).deal(p.code)
            top = solve_plain(
                alone,
                "partner-best",
                gap=gap,
                solver=solver,
                v_floor=p.us_batna,
                step=step,
                on_grid=False,
            )
        most = top.deal(p.code)
        if best is None or most is None:
            continue
        vi = (best.us_value - p.us_batna) / MONEY
        ui = (most.partner_utility - p.batna) / MONEY
        if vi > TOL and ui > TOL:
            out[p.code] = (vi, ui)
    return out


def solve_bargaining(
    portfolio: Portfolio,
    mode: Mode,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-6,
    threads: int | None = None,
    cuts: int = CUTS,
    rounds: int = 4,
    tolerance: float = 1e-4,
    require: Sequence[str] = (),
) -> SolveResult:
    """nash or kalai over `portfolio`; `require`: partners that must have a deal (one
    without a zone of agreement then has one outside the bargaining objective)."""
    # kalai's ideals are in the step its point is solved in (`ideal_gains`); nash's point
    # is continuous, its ideals only place its tangent cuts.
    step = portfolio.granularity.h100e if mode == "kalai" else 0.0
    start = time.perf_counter()
    ideals = ideal_gains(portfolio, gap, solver, step=step)
    timings = {"ideals": time.perf_counter() - start}
    options = HIGHS_OPTIONS[mode]
    backend = make_backend(
        solver, time_limit=time_limit, gap=gap, threads=threads, highs_options=options
    )
    details: dict[str, float] = {"partners_with_zopa": float(len(ideals))}
    # The time limit is the whole solve's: each MIP gets what is left of it (kalai's two
    # stages and nash's rounds each took the full limit, so `--time-limit 120` ran 240 s).
    deadline = None if time_limit is None else start + time_limit

    run = _runner(solver, gap, threads, options, backend, deadline, timings)

    bargained = ideals  # nash: the partners whose gains it multiplies

    def point(step: float) -> tuple[Formulation, Status, float | None, float]:
        """The bargaining point with compute in whole steps of `step` (0: continuous)."""
        nonlocal bargained
        if mode == "kalai":
            until = None  # the split's share of what is left of the time limit
            if deadline is not None:
                now = time.perf_counter()
                until = now + SPLIT_SHARE * max(deadline - now, 0.0)
            found = kalai_point(
                portfolio, require, ideals, step, run, details, backend, gap, split_until=until
            )
            return (*found, math.inf)
        form, status, proven, top, bargained = nash_with_gains(
            bargained,
            lambda kept: nash_point(
                portfolio, require, kept, run, details, cuts, rounds, tolerance, step=step
            ),
        )
        return form, status, proven, top

    # kalai is solved in the declared step: a point solved continuously and rounded
    # afterwards can lose what the grid allows (tests/data/qa10opt/ranges.yaml: tau 0.3824
    # in steps of 1,000 H100e where 0.4583 exists). When no point in steps is found (a
    # limit off the grid that a required deal needs), it is solved continuously and put on
    # the grid as solved. nash stays continuous: its tangent-cut MIP in whole steps ran for
    # minutes on a four-partner portfolio it solves in 0.4 s continuously.
    form, status, proven, top = point(step)
    if step > 0 and status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        start = time.perf_counter()  # continuous: the ideals too, so tau has one yardstick
        ideals = bargained = ideal_gains(portfolio, gap, solver, step=0.0)
        timings["ideals"] += time.perf_counter() - start
        form, status, proven, top = point(0.0)
    info = SolverInfo(
        name=backend.name,
        version=backend.version,
        seconds=sum(timings.values()),
        gap=proven,
        timings=timings,
        method="plain",
        details=details,
    )
    solved_in = step if status in (Status.OPTIMAL, Status.TIME_LIMIT) else 0.0
    result = _answer(
        portfolio, mode, status, info, form, ideals, bargained, require, top, solved_in
    )
    grain = portfolio.granularity.h100e
    why = _not_in_steps(portfolio, result, bargained, grain) if mode == "nash" else None
    if why is not None:
        # The continuous point put on the grid and climbed is a local answer: it can leave a
        # partner it bargained with no gain where whole steps still give every one a gain
        # (qa44-bargain, s5: a deal at its cap held at the partner's BATNA, the gain
        # reachable only by moving four amounts at once), or find no schedule in the
        # declared step and refine it (s9: steps of 1,000 H100e for a declared 10,000) where
        # the declared step has a Nash point of its own. Then solve the tangent-cut MIP in
        # whole steps (slower, so only here), as kalai is: its bound B bounds the best in
        # whole steps directly.
        # Every partner with a zone bargains again: those the continuous point left out
        # may be the ones whole steps give a gain (qa47-verify: the continuous point kept PA
        # alone, whose gain needs 31,000 H100e of 2026's supply, off the step of 5,000; in
        # whole steps PA gained nothing, and the MIP over PA alone gave no deal at all
        # where PC alone has a Nash point).
        start = time.perf_counter()
        bargained = ideals
        form, status, proven, top = point(grain)
        timings["whole steps"] = time.perf_counter() - start
        if status in (Status.OPTIMAL, Status.TIME_LIMIT):
            # SolverInfo holds a copy of `details` (pydantic copies a dict it validates), so
            # what this solve adds to it is given again: until qa45-verify the result said
            # "Solved in whole steps" without the `whole_steps_mip` docs/frontier.md names.
            details["whole_steps_mip"] = 1.0
            update = {"gap": proven, "seconds": sum(timings.values())}
            info = info.model_copy(update={**update, "details": {**info.details, **details}})
            again = _answer(
                portfolio, mode, status, info, form, ideals, bargained, require, top, grain
            )
            if again.us_value is not None:
                said = f" Solved in whole steps of {grain:,.0f} H100e: {why}."
                result = again.model_copy(update={"message": (again.message or "") + said})
    return result


def _not_in_steps(
    portfolio: Portfolio, result: SolveResult, bargained: Ideals, grain: float
) -> str | None:
    """Why nash's continuous point, put on the grid of `grain` H100e and climbed, is no
    answer in whole steps (None when it is one): a partner it bargained with (each gained at
    the continuous point) ends with no gain, a log-product of -inf; or no schedule in the
    declared step was found, so the step was refined."""
    if grain <= 0 or result.us_value is None or not bargained:
        return None
    gainless = [code for code in bargained if gainless_in(portfolio, result, code)]
    if gainless:
        return (
            f"the continuous point, put in those steps, left {', '.join(gainless)} without a gain"
        )
    used = float(result.solver.details.get("granularity_h100e", grain))
    if used < grain * (1 - 1e-9):
        return f"the continuous point could not be put in them (steps of {used:,.0f} H100e)"
    return None


def _runner(
    solver: str,
    gap: float,
    threads: int | None,
    options: dict[str, object],
    backend: Backend,
    deadline: float | None,
    timings: dict[str, float],
) -> Solve:
    """`run(form, exact=False, until=None)`: solve `form` with `backend`, or, under a time
    limit (or `exact`, or `until`), with one made for what is left of it; each run's seconds
    added to `timings["solve"]`."""

    def run(
        form: Formulation, exact: bool = False, until: float | None = None
    ) -> tuple[Status, float | None, float | None]:
        """Solve `form` within what is left of the time limit (`exact`: to a gap of 0;
        `until`: a `time.perf_counter()` it must end by, earlier than the limit's, past
        which the MIP is not started and its status is TIME_LIMIT)."""
        clock = time.perf_counter()
        now = backend
        if until is not None and clock >= until:
            return Status.TIME_LIMIT, None, None
        if deadline is not None or exact or until is not None:
            left = None if deadline is None else max(deadline - clock, LEAST_SECONDS)
            if until is not None:
                left = until - clock if left is None else min(left, until - clock)
            now = make_backend(
                solver,
                time_limit=left,
                gap=0.0 if exact else gap,
                threads=threads,
                highs_options=options,
            )
        outcome = run_pulp(form.problem, now)
        timings["solve"] = timings.get("solve", 0.0) + time.perf_counter() - clock
        form.offset = 0.0
        return outcome_status(form, outcome)

    return run


def _answer(
    portfolio: Portfolio,
    mode: Mode,
    status: Status,
    info: SolverInfo,
    form: Formulation,
    ideals: Ideals,
    bargained: Ideals,
    require: Sequence[str],
    top: float,
    step: float = 0.0,
) -> SolveResult:
    """The bargaining point's packages, finished, with the note on what it reached and,
    for nash, the tangent cuts' bound; `step`: the H100e it was solved in whole steps of."""
    if status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        return empty_result(portfolio, mode, status, info)
    unrounded = _score(mode, found_gains(form, bargained), bargained)
    # nash's continuous point, put on the grid as solved, is then climbed over the grid to
    # the best Nash product among its neighbours (`steps.climb`); kalai's is in steps already.
    refine = None
    if mode == "nash":
        refine = functools.partial(climb, portfolio, list(bargained))
    result = finish(portfolio, mode, status, info, extract_packages(form), refine=refine)
    # What the note states is about the packages returned, in whole steps when rounded:
    # rounding moves tau and the log-product a little, never the bound.
    value = (
        bargaining_objective(portfolio, result, mode, bargained)
        if result.us_value is not None
        else unrounded
    )
    message = note(portfolio, mode, result, ideals, bargained, require, value, unrounded, top, step)
    if result.us_value is None:
        return result.model_copy(update={"message": message})
    # nash's bound is B, the tangent cuts' bound on the log-product; kalai's second stage
    # bounds the sum of shares, not tau: no bound on tau is stated. A product of 0 (a
    # partner bargained with ends gainless) has none: B then holds the MIP's stand-in logs
    # for partners left out (`objectives.NASH_LEFT_LOG`), no figure of the product.
    bound = top if mode == "nash" and math.isfinite(top) and math.isfinite(value) else None
    stats = result.solver.model_copy(deep=True, update={"bound": bound})
    stats.details["unrounded_objective"] = unrounded
    return result.model_copy(update={"message": message, "objective": value, "solver": stats})


def bargaining_objective(
    portfolio: Portfolio, result: SolveResult, mode: Mode, ideals: Ideals
) -> float:
    """What nash or kalai maximised, from the checked packages of `result`: the log Nash
    product (sum of log(gain / USD 1bn) over both sides of every partner with a zone of
    agreement; -inf when one of them gains nothing), or tau, the least share of an ideal
    gain (1 when no partner has a zone of agreement)."""
    gains: list[tuple[float, float]] = []  # (gain, ideal gain), USD bn
    for code, (vi, ui) in ideals.items():
        p = portfolio.partner(code)
        assert p is not None
        deal = result.deal(code)
        v, u = (deal.us_value, deal.partner_utility) if deal else (p.us_batna, p.batna)
        gains += [((v - p.us_batna) / MONEY, vi), ((u - p.batna) / MONEY, ui)]
    if mode == "kalai":
        return min((g / ideal for g, ideal in gains), default=1.0)
    return log_product(g for g, _ in gains)


def _score(mode: Mode, found: dict[str, tuple[float, float]], ideals: Ideals) -> float:
    """tau (kalai) or the log Nash product (nash) of gains in model units."""
    if mode == "kalai":
        shares = [
            g / i for code, pair in found.items() for g, i in zip(pair, ideals[code], strict=True)
        ]
        return min(shares, default=1.0)
    return log_product(g for pair in found.values() for g in pair)
