"""When the optimizer's choices leave no schedule in whole steps: solve again with a reserve.

The continuous optimum often holds every partner exactly at its walk-away
value while supply or the risk budget is used to the last H100e. With those
choices fixed no amounts in whole steps exist (a partner rounded down refuses,
one rounded up breaks a shared limit), and `schedule` falls back to unrounded
amounts. Two portfolios in whole steps are then weighed, and the better kept:

- the first optimum's terms with the best schedule in whole steps that exists
  (`first_terms_in_steps`): `schedule` looks only for one within one step's
  value of the optimum, and a shared limit can make that impossible while one
  a little further below exists (a partner at its walk-away value rounded up
  by 449 H100e of risk weight 0.5 takes 225 of a risk budget that a deal of
  weight 0.01 would have used for 22,450 H100e);
- the portfolio solved once more with part of each shared limit held back:
  one step per deal of each period's supply, and one step of each deal's
  risk-weighted compute from the risk budget. Rounding a deal's amounts up
  adds less than a step to any period and to its total, so the
  largest-remainder rounding then fits. The answer is checked against the
  real limits;
- where a period's supply is not a whole number of declared steps, the portfolio
  solved once more with each supply taken down to a whole step
  (`_on_whole_supply`): compute in whole steps never uses the rest, and the
  reserve can cost far more than it (gulf-asia with 999,742 H100e of 2026 supply:
  $901.1m against $182.3m), so more supply never gives less V than the step below.

The result says what the one kept costs. The reserve's terms are put in steps on the
real limits too (`first_terms_in_steps`), as its own rounding leaves the reserve unused.
When both lose more than one declared step's value against the first terms in a finer
step by tens (the rule `schedule` follows for its own rounding), that finer schedule is
kept instead, and the result says what each way costs.

If neither exists, the unrounded answer stands.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from dealbench.checker import PortfolioCheck, check
from dealbench.figures import quantity, usd
from dealbench.list_words import and_list
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.finish import result_from_check
from dealbench.optimize.formulation import Mode
from dealbench.optimize.result import SolveResult, Status
from dealbench.optimize.schedule.closest import closest
from dealbench.optimize.schedule.grid import deal_of, objective, step_value
from dealbench.optimize.schedule.remainder import largest_remainders
from dealbench.optimize.schedule.signable import finer as schedule_finer
from dealbench.optimize.schedule.signable import packages_of, schedule, settle, steps

__all__ = ["first_terms_in_steps", "needs_reserve", "with_reserve"]

#: The second solve runs on portfolios of at most this many (partner, period) pairs
#: (the shipped global portfolio has 20 x 3). On the synthetic sizes it costs more
#: than the first solve (S: 37 s after 2 s; M: 14 s after 12 s), far beyond the fifth
#: of the solve time the schedule may take; a size rule, so every run answers alike.
RESERVE_MAX_PAIRS = 60
#: On portfolios of at most this many (partner, period) pairs the plain model is also
#: solved with compute in whole declared steps (`formulate.add_whole_steps`, every term
#: free): the best portfolio in steps, where the first terms have no schedule in them and
#: the reserve can cost far more (qa29-verify, tests/data/qa29verify/steps: the reserve
#: lost $2.3bn of $9.2bn, the best in steps $1.1bn; 0.03 s). Larger ones skip it: on
#: gulf-asia (27 pairs) it takes 0.6 s beside a 0.2 s solve, on global (60) 1.3 s.
EXACT_MAX_PAIRS = 12


def needs_reserve(portfolio: Portfolio, result: SolveResult) -> bool:
    """The declared step is whole, the result has deals, and they are unrounded or in single
    units that overrun a shared limit within the checker's tolerance."""
    return (
        len(portfolio.partners) * len(portfolio.periods) <= RESERVE_MAX_PAIRS
        and portfolio.granularity.h100e > 0
        and bool(result.deals)
        and result.status in (Status.OPTIMAL, Status.TIME_LIMIT)
        and (
            result.solver.details.get("granularity_h100e") == 0
            or result.solver.details.get("within_tolerance", 0.0) > 0
        )
    )


def with_reserve(
    portfolio: Portfolio,
    result: SolveResult,
    resolve: Callable[[Portfolio, SolveResult, bool], SolveResult],
    v_floor: float | None = None,
    threads: int | None = None,
    in_steps: Callable[[float], SolveResult] | None = None,
) -> SolveResult:
    """`result`, or the best portfolio in whole steps of two: the first optimum's terms on
    the grid (`first_terms_in_steps`) and the solve of `portfolio` with a reserve; on small
    portfolios (`EXACT_MAX_PAIRS`) of three, with `in_steps(step)`, the plain model solved
    with compute in whole steps of `step`.
    `resolve(portfolio, warm_start, on_grid)` solves; the second solve's amounts are put on
    the grid here, once, with the reserve as room (on its own grid they were scheduled in
    vain: at global under bilateral, a quarter of the solve). `threads`: HiGHS's threads for
    the rounding's MIPs and linear programs, as for the solves."""
    start = time.perf_counter()
    mode: Mode = "partner-best" if result.mode == "partner-best" else "us-best"
    own = first_terms_in_steps(portfolio, mode, result, v_floor, threads=threads)
    exact = _exact_in_steps(portfolio, in_steps)
    held, reserve = _held_back(portfolio, result)
    again = resolve(held, result, False)
    checked, said = _in_steps_with_reserve(portfolio, held, mode, again, v_floor, threads)
    level = _on_whole_supply(portfolio, result, resolve)
    other = [c for c in (exact and exact[1], level and level[1]) if c is not None]
    best_other = max(other, key=lambda c: _worth(mode, c), default=None)
    finer = _finer_terms(portfolio, mode, result, v_floor, own, checked, threads, best_other)
    seconds = time.perf_counter() - start
    result.solver.timings["reserve"] = seconds
    unrounded = result.solver.details["unrounded_us_value"]
    if finer is not None:
        step_found, in_finer = finer
        note = _finer_note(portfolio, own, checked, unrounded, step_found, in_finer)
        return _in_steps(portfolio, result, result, in_finer, note, v_floor, seconds, step_found)
    if exact is not None and all(
        c is None or _worth(mode, exact[1]) > _worth(mode, c) + SAME for c in (own, checked)
    ):
        solved, found = exact
        note = _exact_note(portfolio, own, checked, unrounded, found)
        return _in_steps(portfolio, result, solved, found, note, v_floor, seconds)
    if level is not None and all(
        c is None or _worth(mode, level[1]) > _worth(mode, c) + SAME
        for c in (own, checked, exact and exact[1])
    ):
        solved, found = level
        note = _whole_supply_note(portfolio, own, checked, unrounded, found)
        return _in_steps(portfolio, result, solved, found, note, v_floor, seconds)
    if own is not None and (checked is None or _worth(mode, own) >= _worth(mode, checked)):
        note = _own_note(portfolio, unrounded, own)
        return _in_steps(portfolio, result, result, own, note, v_floor, seconds)
    if checked is None:
        return result
    note = _reserve_note(portfolio, own, checked, unrounded, reserve, said)
    return _in_steps(portfolio, result, again, checked, note, v_floor, seconds)


def _held_back(portfolio: Portfolio, result: SolveResult) -> tuple[Portfolio, str]:
    """`portfolio` with one step per deal of each period's supply, and of the risk budget
    that step of each deal's compute takes, held in reserve for rounding; and what is
    held, in words."""
    step = portfolio.granularity.h100e
    n = len(result.deals)
    supply = {t: max(s - n * step, 0.0) for t, s in portfolio.supply.items()}
    risk = sum(d.risk / d.total_compute * step for d in result.deals if d.total_compute > 0)
    budget = None if portfolio.risk_budget is None else max(portfolio.risk_budget - risk, 0.0)
    held = portfolio.model_copy(update={"supply": supply, "risk_budget": budget})
    reserve = f"{quantity(n * step)} H100e of each period's supply"
    if budget is not None:
        reserve += f" and {quantity(risk)} of the risk budget"
    return held, reserve


def _whole_supply(portfolio: Portfolio) -> dict[str, float]:
    """Each period's supply taken down to a whole declared step: compute in whole steps
    never uses the rest, as every deal's amount in a period is a whole number of steps."""
    step = portfolio.granularity.h100e
    return {t: math.floor(s / step + 1e-9) * step for t, s in portfolio.supply.items()}


def _on_whole_supply(
    portfolio: Portfolio,
    result: SolveResult,
    resolve: Callable[[Portfolio, SolveResult, bool], SolveResult],
) -> tuple[SolveResult, PortfolioCheck] | None:
    """The portfolio solved again with each period's supply taken down to a whole step
    (`_whole_supply`), when one is not, and put in whole declared steps, checked against
    `portfolio`; None when every supply is whole or that solve has no schedule in steps.
    The reserve holds back a step per deal and can cost far more than the part of a step
    no schedule in steps can use: gulf-asia with 999,742 H100e of 2026 supply lost $901.1m
    of V to it, where 999,000 lost $183.4m (qa45-prices): more supply, less V."""
    supply = _whole_supply(portfolio)
    if supply == dict(portfolio.supply):
        return None
    solved = resolve(portfolio.model_copy(update={"supply": supply}), result, True)
    details = solved.solver.details
    in_steps = details.get("granularity_h100e") == portfolio.granularity.h100e and not details.get(
        "within_tolerance", 0.0
    )
    if not (solved.deals and in_steps and solved.status in (Status.OPTIMAL, Status.TIME_LIMIT)):
        return None
    found = check(portfolio, [d.package() for d in solved.deals])
    return (solved, found) if found.ok else None


def _whole_supply_note(
    portfolio: Portfolio,
    own: PortfolioCheck | None,
    checked: PortfolioCheck | None,
    unrounded: float,
    found: PortfolioCheck,
) -> str:
    """What the solve on whole steps of supply says: what it left unused and cost."""
    whole = _whole_supply(portfolio)
    left = [
        f"{quantity(whole[t])} of {quantity(s)} H100e in {t}"
        for t, s in portfolio.supply.items()
        if whole[t] != s
    ]
    return (
        f"Compute is in {portfolio.granularity.describe()}: {_neither(own, checked, unrounded)}; "
        f"solved again with each period's supply taken down to a whole step "
        f"({and_list(left)}), the portfolio costs the United States "
        f"{usd(unrounded - found.objective)} of V."
    )


def _in_steps_with_reserve(
    portfolio: Portfolio,
    held: Portfolio,
    mode: Mode,
    again: SolveResult,
    v_floor: float | None,
    threads: int | None,
) -> tuple[PortfolioCheck | None, str]:
    """The best in whole steps of the solve with a reserve (`again`, of `held`), checked
    against `portfolio`, and its schedule's note; (None, "") when none is found."""
    packages = [d.package() for d in again.deals]
    checked, said = None, ""
    if again.deals and again.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        # The smooth amounts keep the reserve; rounding may use it.
        scheduled = schedule(
            held,
            mode,
            packages,
            v_floor=v_floor,
            threads=threads,
            room=portfolio,
            tolerance=False,
        )
        if scheduled.step != 0:
            checked = check(portfolio, scheduled.packages)
            checked, said = (checked, scheduled.note) if checked.ok else (None, "")
        # The smooth amounts leave the reserve unused where rounding did not need it: the
        # second solve's terms on the real limits may have a better schedule in steps
        # (qa7an, risk budget 7,400: $6.43bn against $6.39bn).
        best = first_terms_in_steps(portfolio, mode, again, v_floor, threads=threads)
        if best is not None and (checked is None or _worth(mode, best) > _worth(mode, checked)):
            checked, said = best, ""
    return checked, said


def _reserve_note(
    portfolio: Portfolio,
    own: PortfolioCheck | None,
    checked: PortfolioCheck,
    unrounded: float,
    reserve: str,
    said: str,
) -> str:
    """What the reserve's answer says: what it cost, after its schedule's note."""
    cost = unrounded - checked.objective
    note = (
        f"Compute is in {portfolio.granularity.describe()}: with the first optimum's terms "
        f"{_own_words(own, unrounded)}, so {reserve} were held in reserve for rounding; "
        f"that costs the United States {usd(cost)} of V."
    )
    return f"{said} {note}" if said else note


def _finer_note(
    portfolio: Portfolio,
    own: PortfolioCheck | None,
    checked: PortfolioCheck | None,
    unrounded: float,
    step_found: float,
    in_finer: PortfolioCheck,
) -> str:
    """What the first optimum's terms in a finer step say: why not the declared step."""
    return (
        f"Compute is in {schedule_finer(portfolio.granularity, step_found).describe()}, "
        f"not the declared {portfolio.granularity.describe()}: "
        f"{_neither(own, checked, unrounded)}; in the finer steps those terms cost "
        f"{usd(unrounded - in_finer.objective)}."
    )


def _exact_note(
    portfolio: Portfolio,
    own: PortfolioCheck | None,
    checked: PortfolioCheck | None,
    unrounded: float,
    found: PortfolioCheck,
) -> str:
    """What the plain model solved in whole steps says: what its other terms cost."""
    cost = unrounded - found.objective
    return (
        f"Compute is in {portfolio.granularity.describe()}: {_neither(own, checked, unrounded)}; "
        f"solved again with compute in whole steps, with other terms, the portfolio costs "
        f"the United States {usd(cost)} of V."
    )


def _own_note(portfolio: Portfolio, unrounded: float, own: PortfolioCheck) -> str:
    """What the first optimum's terms in the declared step say: what they cost."""
    cost = unrounded - own.objective
    return (
        f"Compute is in {portfolio.granularity.describe()}: with the first optimum's terms "
        "no such schedule is within one step's value of it; the best one costs the United "
        f"States {usd(cost)} of V."
    )


def first_terms_in_steps(
    portfolio: Portfolio,
    mode: Mode,
    result: SolveResult,
    v_floor: float | None,
    step: float | None = None,
    *,
    threads: int | None = None,
) -> PortfolioCheck | None:
    """`result`'s terms (deals, security levels, concessions) with compute in whole steps of
    the declared granularity (or `step`): the best such schedule (an exact small MIP,
    `schedule.closest`), then the one closest to `result`'s amounts among those as good; None
    when none exists.
    `schedule` keeps its rounding within one step's value of the optimum, which a shared
    limit can make impossible (a partner at its walk-away value rounded up uses budget
    another deal loses many times over), while a schedule a little further below exists."""
    grid = portfolio.granularity
    packages = [d.package() for d in result.deals]
    deals = [deal_of(portfolio, p, grid) for p in packages]
    amounts = np.array([[p.compute.get(t, 0.0) for t in portfolio.periods] for p in packages])
    step = grid.h100e if step is None else step
    found = closest(
        portfolio, mode, deals, amounts, step, -np.inf, v_floor, threads=threads, best=True
    )
    if found is None:
        return None
    least = objective(portfolio, mode, deals, found)
    # Shaped as `schedule` shapes: the rounding by largest remainders, steps given back by
    # deals that accept without them (fast, and the same on every machine); the closest-
    # schedule MIP, which may stop at its time limit on a busy machine with a ragged
    # answer, only when that rounding gives less.
    _, shaped = largest_remainders(
        portfolio, mode, deals, settle(amounts), step, least - 1e3, v_floor
    )
    if shaped is None:
        shaped = closest(
            portfolio, mode, deals, amounts, step, least - 1e3, v_floor, threads=threads
        )
    x = shaped if shaped is not None else found
    checked = check(portfolio, packages_of(portfolio, deals, x))
    return checked if checked.ok else None


def _worth(mode: Mode, checked: PortfolioCheck) -> float:
    return checked.partner_total if mode == "partner-best" else checked.objective


#: What the best portfolio in whole steps must beat the other answers by to be kept (USD):
#: float noise between two solves of the same terms.
SAME = 1.0


def _exact_in_steps(
    portfolio: Portfolio, in_steps: Callable[[float], SolveResult] | None
) -> tuple[SolveResult, PortfolioCheck] | None:
    """The plain model with compute in whole declared steps, checked, on portfolios of at
    most `EXACT_MAX_PAIRS` (partner, period) pairs; None elsewhere or when it finds none."""
    if in_steps is None or len(portfolio.partners) * len(portfolio.periods) > EXACT_MAX_PAIRS:
        return None
    solved = in_steps(portfolio.granularity.h100e)
    if solved.status not in (Status.OPTIMAL, Status.TIME_LIMIT) or not solved.deals:
        return None
    found = check(portfolio, [d.package() for d in solved.deals])
    return (solved, found) if found.ok else None


def _finer_terms(
    portfolio: Portfolio,
    mode: Mode,
    result: SolveResult,
    v_floor: float | None,
    own: PortfolioCheck | None,
    reserved: PortfolioCheck | None,
    threads: int | None = None,
    exact: PortfolioCheck | None = None,
) -> tuple[float, PortfolioCheck] | None:
    """The first optimum's terms in the coarsest finer step (by tens, as `schedule` tries
    them) whose best schedule beats both answers in the declared step by more than one
    declared step's value; None when no finer step does. `schedule` asks a finer step to
    stay within one of its own steps' value of the optimum, which a shared limit used to
    the last H100e can deny by a hair while the reserve costs hundreds of times as much
    (gulf-asia with 996,875 H100e of 2027 supply: $690.4m held back against $0.4m in
    steps of 100 H100e; 1,562.5 H100e less supply gave $636m more V)."""
    grid = portfolio.granularity
    packages = [d.package() for d in result.deals]
    deals = [deal_of(portfolio, p, grid) for p in packages]
    declared = [_worth(mode, c) for c in (own, reserved, exact) if c is not None]
    beat = max(declared) + step_value(mode, deals, grid.h100e) if declared else -np.inf
    for step in steps(grid)[1:]:
        found = first_terms_in_steps(portfolio, mode, result, v_floor, step, threads=threads)
        if found is not None and _worth(mode, found) > beat:
            return step, found
    return None


def _neither(own: PortfolioCheck | None, reserved: PortfolioCheck | None, unrounded: float) -> str:
    """Why neither of the two first answers was kept, in words: what the first optimum's
    terms allow in whole steps and what holding a reserve cost (the clause the notes of
    `_finer_note`, `_exact_note` and `_whole_supply_note` share)."""
    return (
        f"with the first optimum's terms {_own_words(own, unrounded)}, and holding part of "
        f"each shared limit in reserve for rounding {_reserve_words(reserved, unrounded)}"
    )


def _reserve_words(reserved: PortfolioCheck | None, unrounded: float) -> str:
    """What holding a reserve gave, in words."""
    if reserved is None:
        return "leaves none either"
    return f"costs the United States {usd(unrounded - reserved.objective)} of V"


def _own_words(own: PortfolioCheck | None, unrounded: float) -> str:
    """What the first optimum's terms allow in whole steps, in words."""
    if own is None:
        return "no such schedule exists"
    cost = usd(unrounded - own.objective)
    return f"no such schedule is within one step's value of it (the best one costs {cost})"


def _in_steps(
    portfolio: Portfolio,
    result: SolveResult,
    solved: SolveResult,
    checked: PortfolioCheck,
    note: str,
    v_floor: float | None,
    seconds: float,
    step: float | None = None,
) -> SolveResult:
    """The result of `checked` (in whole steps of the declared granularity, or `step`),
    with `solved`'s solver information."""
    info = solved.solver.model_copy(deep=True)
    info.timings["reserve"] = seconds
    info.timings["schedule"] = result.solver.timings.get("schedule", 0.0) + seconds
    info.timings["solve"] = result.solver.timings.get("solve", result.solver.seconds)
    for key in ("unrounded_objective", "unrounded_us_value", "unrounded_partner_total"):
        info.details[key] = result.solver.details[key]
    info.details["granularity_h100e"] = portfolio.granularity.h100e if step is None else step
    info.details["within_tolerance"] = 0.0
    out = result_from_check(
        portfolio,
        result.mode,
        solved.status,
        info,
        checked,
        v_floor=v_floor,
        unrounded_v=result.solver.details["unrounded_us_value"],
    )
    return out.model_copy(update={"message": note})
