"""nash's point: the log Nash product maximised under tangent cuts on each side's gain,
refined at the gains found (`nash_point`), and again without the partners it leaves a
side of gaining nothing (`nash_with_gains`); `optimize.bargain.solve` states its bound."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from dealbench.checker import evaluate
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulate import formulate
from dealbench.optimize.formulation import MONEY, Formulation
from dealbench.optimize.objectives import NASH_LEAST_SHARE, Ideals
from dealbench.optimize.plain import extract_packages
from dealbench.optimize.result import Status

LOWEST = NASH_LEAST_SHARE  # the lowest tangent point, a share of the ideal gain


#: A gain below a dollar (in USD bn, as gains are here) is no gain: a package that holds
#: a side at its walk-away value gives it 1e-17, say, after the sums of the check.
NO_GAIN = 1e-9


def log_product(gains: Iterable[float]) -> float:
    """The log Nash product of `gains` (USD bn): -inf when a side gains nothing."""
    return sum(math.log(g) if g > NO_GAIN else -math.inf for g in gains)


def _geometric(ideal: float, n: int) -> list[float]:
    return [ideal * LOWEST ** (j / (n - 1)) for j in range(n)]


def found_gains(form: Formulation, ideals: Ideals) -> dict[str, tuple[float, float]]:
    """The gains of the packages found, as `check` computes them (model units)."""
    out = {}
    deals = {pkg.partner: pkg for pkg in extract_packages(form)}
    for code in ideals:
        p = form.portfolio.partner(code)
        assert p is not None
        pkg = deals.get(code)
        if pkg is None:
            out[code] = (0.0, 0.0)
            continue
        d = evaluate(form.portfolio, pkg)
        out[code] = ((d.us_value - p.us_batna) / MONEY, (d.partner_utility - p.batna) / MONEY)
    return out


def _objective(form: Formulation) -> float:
    import pulp

    return float(pulp.value(form.problem.objective) or 0.0)


Solve = Callable[..., tuple[Status, float | None, float | None]]


#: A nash solve's last form, its status and gap, and the bound B on the log-product.
NashFound = tuple[Formulation, Status, float | None, float]


def nash_with_gains(
    ideals: Ideals, nash: Callable[[Ideals], NashFound]
) -> tuple[Formulation, Status, float | None, float, Ideals]:
    """`nash(ideals)` (`nash_point` over the partners with these ideals), then again without the
    partners it leaves a side of gaining nothing, until every partner bargained with
    gains: the last form, its status, gap and bound, and the partners bargained with.

    When the limits cannot give every partner with a zone of agreement a gain at once,
    every set of deals has a Nash product of 0, and the tangent cuts' MIP leaves as few
    partners as it must without a deal, those whose absence costs the product least
    (`objectives.add_nash_objective`). They get no deal, and the product of the others'
    gains is maximised with its bound stated, as for a portfolio without them; when none can gain
    (in whole steps, say), the product is over none: 1, its log 0, exact (until qa47-bargain
    the answer kept them all, its bound the MIP's stand-in logs, -600 for three). A partner
    the user requires keeps a deal, outside the product (it may end gainless)."""
    kept = dict(ideals)
    found = nash(kept)
    while found[1] in (Status.OPTIMAL, Status.TIME_LIMIT):
        gainless = {c for c, pair in found_gains(found[0], kept).items() if min(pair) <= NO_GAIN}
        if not gainless:
            break
        fewer = {code: pair for code, pair in kept.items() if code not in gainless}
        again = nash(fewer)
        if again[1] not in (Status.OPTIMAL, Status.TIME_LIMIT):
            break  # the answer with every partner stands, with its product of 0
        kept, found = fewer, again
    return (*found, kept)


def nash_point(
    portfolio: Portfolio,
    require: Sequence[str],
    ideals: Ideals,
    run: Solve,
    details: dict[str, float],
    cuts: int,
    rounds: int,
    tolerance: float,
    step: float = 0.0,
) -> NashFound:
    """Max the log Nash product under tangent cuts, refined at the gains found (compute
    continuous, or with `step` > 0 in whole steps of that many H100e); the last form, its
    status and gap, and the bound B on the log-product."""
    points = {
        code: (_geometric(vi, cuts), _geometric(ui, cuts)) for code, (vi, ui) in ideals.items()
    }
    top = math.inf
    best: tuple[Formulation, Status, float | None, float] | None = None
    for i in range(rounds):
        form = formulate(
            portfolio, "nash", require=require, ideals=ideals, cuts=[points], step=step
        )
        status, proven, bound = run(form)
        if status not in (Status.OPTIMAL, Status.TIME_LIMIT):
            if best is not None and status == Status.NO_SOLUTION:
                # The time limit ended a refining round before it found a point: the
                # round before stands, short of the tolerance.
                return best[0], Status.TIME_LIMIT, best[2], best[3]
            return form, status, proven, top
        found = found_gains(form, ideals)
        true = log_product(g for pair in found.values() for g in pair)
        if bound is not None:
            top = bound / MONEY
        elif status == Status.OPTIMAL:  # proven within the gap: the objective bounds it
            top = _objective(form)
        else:  # an incumbent the time limit left without a bound: nothing is proven
            top = math.inf
        error = max(top - true, 0.0)
        details["rounds"] = float(i + 1)
        best = (form, status, proven, top)
        if error <= tolerance or status == Status.TIME_LIMIT:
            break
        for code, (gv, gu) in found.items():
            # A cut at a gain below the lowest point is no tighter where it matters and,
            # at a gain of ~1e-17 (zero in floating point), has slopes of 1e16 that HiGHS
            # refuses: PuLP then failed reading the solution (IndexError).
            vi, ui = ideals[code]
            if gv >= vi * LOWEST and gu >= ui * LOWEST:
                points[code][0].append(gv)
                points[code][1].append(gu)
    details["cuts"] = float(cuts)
    assert best is not None  # rounds >= 1, and a failed first round returned above
    return best
