"""What would change the options memo's recommendation: how far one figure (the cost of
risk, the concessions' value) must move before another regime overtakes the best, its
packages held fixed (a first-order answer), and each risk threshold re-solved with the
packages free to move (`confirmations`).
"""

from __future__ import annotations

import math
from typing import Any

from dealbench.analyze.compare import Comparison, RegimeRow, tie
from dealbench.analyze.compare import ranked as by_utility
from dealbench.analyze.recommendation import join_items, same_penalty
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.render.filters import money

#: Risk thresholds beyond this multiple of the policy's estimate are not re-solved.
MAX_FACTOR = 20.0
#: A re-solve checks a threshold this far (relatively) past it.
PAST = 0.01


def sensitivities(ranked: list[RegimeRow]) -> list[str]:
    """How far the risk penalty or the value of concessions must move for the runner-up
    (or any other regime) to overtake the best, packages held fixed; a regime that no
    such move lets overtake is named as one (none is left out).

    Thresholds are printed on their far side: "F times or more" rounds up, "less than
    P%" down, so that the change really has happened at the figure printed."""
    if len(ranked) < 2:
        return []
    best, out, never = ranked[0], [], []
    for other in ranked[1:]:
        lead = (best.us_value or 0.0) - (other.us_value or 0.0)
        if lead <= max(1e6, 1e-6 * abs(best.us_value or 0.0)):
            out.append(
                f"It is a tie between {best.regime} and {other.regime}: any change separating "
                "them decides."
            )
            continue
        found = False
        # Risk cost scales with the penalty: V(k) = V - (k - 1) * risk_cost.
        extra = (best.risk_cost or 0.0) - (other.risk_cost or 0.0)
        if extra > 1e6:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if the "
                f"cost of risk is {_times_past(1 + lead / extra)} times {_estimate(best, other)} "
                f"or more ({_penalties(best, other)}{best.regime}'s risk costs {money(extra)} "
                f"more)."
            )
        # The same with k < 1: a regime carrying more risk overtakes where risk costs less
        # (from 0.01 times the estimate: below, it catches up only as risk costs nothing).
        riskier = (other.risk_cost or 0.0) - (best.risk_cost or 0.0)
        if riskier > lead and 1 - lead / riskier > 0.01:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if the "
                f"cost of risk is {_times_below(1 - lead / riskier)} times "
                f"{_estimate(best, other)} or less ({_penalties(best, other)}{other.regime}'s "
                f"risk costs {money(riskier)} more)."
            )
        # Concessions' US value scaled by f: V(f) = V - (1 - f) * concessions.
        more = (best.concessions or 0.0) - (other.concessions or 0.0)
        if more > 1e6 and lead < more:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if "
                f"concessions are worth {_share_below(1 - lead / more)} to the United States."
            )
        # ... and with f > 1, a regime whose packages bring more concessions.
        if -more > 1e6:
            found = True
            out.append(
                f"With the packages held fixed, {other.regime} overtakes {best.regime} if "
                f"concessions are worth {_times_past(1 + lead / -more)} times their estimated "
                f"value or more to the United States ({other.regime}'s bring {money(-more)} more)."
            )
        if not found:
            never.append(other.regime)
    if never:
        others = "another regime" if len(never) == len(ranked) - 1 else join_items(never)
        out.append(
            f"No single scaling of the risk penalty or of the concessions' value lets {others} "
            f"overtake {best.regime} with the packages as they are."
        )
    out.append(
        "These hold each regime's packages fixed (a first-order answer). Packages re-optimise "
        "as figures move: the re-solves below, where there are any, and a sweep of the risk "
        "penalty (policy.risk_penalty_per_h100e) under each regime "
        "show where the ranking really turns."
    )
    return out


def _estimate(best: RegimeRow, other: RegimeRow) -> str:
    """What "the cost of risk" is scaled from: the policy's estimate, or, where the two
    regimes' penalties differ, each one's own (the re-solves scale each by the factor)."""
    return "the policy's estimate" if same_penalty(best, other) else "each regime's own estimate"


def _penalties(best: RegimeRow, other: RegimeRow) -> str:
    """The two penalties where they differ ("cove's $100,000 and monopoly's $120,000 per
    risk-weighted H100e; "), else nothing."""
    if same_penalty(best, other):
        return ""
    return (
        f"{best.regime}'s {money(best.risk_penalty)} and {other.regime}'s "
        f"{money(other.risk_penalty)} per risk-weighted H100e; "
    )


def _times_past(factor: float) -> str:
    """`factor` to two decimals, on its far side: the least two-decimal figure above it
    (1.1616 -> 1.17, as 1.16 times would not yet overtake); from 100 times, the least
    whole number above it, grouped as every figure is (29,978.3 -> 29,979)."""
    if factor >= 100:
        return f"{math.floor(factor + 1e-9) + 1:,}"
    return f"{(math.floor(factor * 100 + 1e-9) + 1) / 100:.2f}"


def _times_below(factor: float) -> str:
    """`factor` (below 1) to two decimals, on its far side: the greatest two-decimal figure
    under it (0.492 -> 0.49; 0.49 -> 0.48, as 0.49 times would only tie)."""
    return f"{max(math.ceil(factor * 100 - 1e-9) - 1, 0) / 100:.2f}"


def _share_below(share: float) -> str:
    """What concessions must be worth, with the share at most `share` (61.6% -> 'less
    than 61% of their estimated value'); a share too small to show in three decimals
    of a percent is 'nothing'."""
    for digits in range(4):
        scale = 10 ** (digits + 2)
        shown = math.floor(share * scale + 1e-9) / scale
        if shown > 0:
            return f"less than {shown * 100:.{digits}f}% of their estimated value"
    return "nothing"


def risk_factors(ranked: list[RegimeRow]) -> list[tuple[str, float]]:
    """(regime, factor): the cost of risk times which another regime overtakes the best,
    packages held fixed (only where that factor is finite and at most MAX_FACTOR)."""
    if len(ranked) < 2:
        return []
    best, out = ranked[0], []
    for other in ranked[1:]:
        lead = (best.us_value or 0.0) - (other.us_value or 0.0)
        extra = (best.risk_cost or 0.0) - (other.risk_cost or 0.0)
        if lead > 1e6 and extra > 1e6 and 1 + lead / extra <= MAX_FACTOR:
            out.append((other.regime, 1 + lead / extra))
    return out


def confirmations(
    c: Comparison,
    solved: dict[str, tuple[Portfolio, SolveResult]],
    *,
    executor: Any = None,
) -> list[str]:
    """Each first-order risk threshold re-solved: both regimes with the cost of risk just
    past it, packages free to move. Says whether the overtaking really happens there."""
    from dealbench.analyze.scenarios import apply_overrides
    from dealbench.analyze.solves import SolveOptions, solve_all

    order = by_utility(c.regimes)
    factors = risk_factors(order)
    if not factors:
        return []
    best = order[0].regime
    # Solved at the two-decimal multiple the sentence states (a reader's re-solve at
    # "6.91 times" gives the figures printed), the least one PAST beyond the threshold.
    multiples = [math.ceil(round(factor * (1 + PAST) * 100, 6)) / 100 for _, factor in factors]
    work = []
    for (other, _), times in zip(factors, multiples, strict=True):
        for regime in (best, other):
            pf = solved[regime][0]
            penalty = pf.policy.risk_penalty_per_h100e * times
            work.append(apply_overrides(pf, {"policy.risk_penalty_per_h100e": penalty}))
    results = solve_all(work, SolveOptions(), executor, chain=1)
    out = []
    rows = {r.regime: r for r in order}
    for i, ((other, _), times) in enumerate(zip(factors, multiples, strict=True)):
        at_best, at_other = results[2 * i].us_value, results[2 * i + 1].us_value
        if at_best is None or at_other is None:
            continue
        if abs(at_other - at_best) <= tie(at_best):  # both fall to the same (no deal, say)
            verdict = "ties with it"
        elif at_other > at_best:
            verdict = "overtakes it"
        else:
            verdict = f"is still {money(at_best - at_other)} behind"
        pair = rows[best], rows[other]
        if same_penalty(*pair):
            scaled = "the estimate ("
        else:
            scaled = (
                f"each regime's own estimate ({best}'s {money(pair[0].risk_penalty * times)} and "
                f"{other}'s {money(pair[1].risk_penalty * times)} per risk-weighted H100e; "
            )
        out.append(
            f"Re-solved with the cost of risk at {times:.2f} times {scaled}"
            f"packages free to move): {best} {money(at_best)}, {other} {money(at_other)}; "
            f"{other} {verdict}."
        )
    return out
