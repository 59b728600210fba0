"""The recorded rounds of one partner as points of a frontier chart, on the curve's basis.

A frontier with the other deals held (`frontier`, `deal_frontier`) is the best V
for each U among the partner's packages that fit in what the held deals leave
(`replan.residual`): the supply of each period and the risk budget. A round is
placed the same way: its package beside the held deals, figures by `check`,
the portfolio's V (held deals' V and walk-away values included) against the
partner's U. Two things would otherwise draw a round above a proven curve:

- A package that does not fit beside the held deals (a counter asking for more
  than the supply they leave) is outside the curve's feasible set, so its V says
  nothing against it. It is drawn as it could be delivered there: its compute cut,
  period by period, to the supply left, the cap and the ask, then scaled down to
  the risk budget left, and marked `fitted`.
- Between two ε-constraint points the best V lies anywhere between the right
  point's V and the left one's; a straight or stepped line drawn through the
  points can pass below a feasible package. Each round's U therefore gets its own
  proven point (`single.best_at`, exact), added to the curve the chart draws.

So no feasible round lies above the drawn curve, beyond the solver's tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dealbench.checker import check
from dealbench.figures import usd
from dealbench.list_words import and_list
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.build import DEAL, frontier, frontier_in
from dealbench.negotiate.frontier import Frontier, FrontierPoint, clean, point_of
from dealbench.negotiate.plan import alone, replan
from dealbench.negotiate.replan import residual
from dealbench.negotiate.room import History, history
from dealbench.negotiate.rounds.read import load_negotiations
from dealbench.negotiate.single import single

__all__ = [
    "ChartRound",
    "chart_rounds",
    "concluded_note",
    "deal_basis",
    "deal_frontier",
    "fit_beside",
    "history_path",
    "recorded_path",
    "round_json",
    "rounds_on_frontier",
]


@dataclass(frozen=True)
class ChartRound:
    """One round as the chart draws it: V (whole basis) and U, USD."""

    round: int
    side: str
    us_utility: float
    partner_utility: float
    #: The package did not fit beside the held deals: drawn with its compute cut to fit.
    fitted: bool = False
    #: The partner accepts the package as drawn (U at least its walk-away plus the margin).
    accepts: bool = True
    #: The round's status: a conclusion is drawn as the deal agreed, not as either side's.
    status: str = "open"


def chart_rounds(
    curve: Frontier, basis: Portfolio, portfolio: Portfolio, root: Path
) -> tuple[Frontier, list[ChartRound]]:
    """`curve` with a proven point at each round's U, and the rounds on its basis.

    `basis` is the portfolio the curve was computed on (with the other deals held as
    in `curve.us_best.others`); `portfolio` and `root` hold the rounds. Nothing to
    draw (the curve unchanged, no rounds) for a jointly re-optimized curve, the risk
    axis, or a partner without rounds.
    """
    partner = curve.partner
    if curve.jointly or curve.axis != "partner" or not (root / partner).is_dir():
        return curve, []
    held = list(curve.us_best.others)
    idle = [
        p.code
        for p in basis.partners
        if p.code != partner and p.code not in {pkg.partner for pkg in held}
    ]
    rest = residual(basis, held, excluded=idle)
    out: list[ChartRound] = []
    for row in history(portfolio, root, partner).rounds:
        if row.package is None:
            continue
        package, fitted = fit_beside(rest, row.package)
        checked = check(basis, [*held, package])
        figures = next((d for d in checked.deals if d.partner == partner), None)
        if figures is None:  # not a package of this basis at all (an unknown partner...)
            continue
        out.append(
            ChartRound(
                round=row.round,
                side=row.side,
                us_utility=checked.objective,
                partner_utility=figures.partner_utility,
                fitted=fitted,
                accepts=figures.accepts,
                status=row.status,
            )
        )
    utilities = [r.partner_utility for r in out if r.accepts]
    return with_points_at(curve, basis, rest, held, utilities), out


def fit_beside(rest: Portfolio, package: Package) -> tuple[Package, bool]:
    """`package` if it fits in `rest` (the portfolio the held deals leave), else its
    compute cut to fit: each period to the supply left, the cap and the ask, then all
    periods scaled down to the risk budget left; True when cut."""
    from dealbench.checker import evaluate

    p = rest.partner(package.partner)
    if p is None or package.security not in rest.policy.level_ids:
        return package, False
    compute = {
        t: min(x, rest.supply.get(t, 0.0), rest.cap(p, package.security, t))
        for t, x in package.compute.items()
    }
    cut = package.model_copy(update={"compute": compute})
    budget = rest.risk_budget
    if budget is not None:
        risk = evaluate(rest, cut).risk
        if risk > budget > 0:
            scale = budget / risk * (1 - 1e-9)
            cut = cut.model_copy(update={"compute": {t: x * scale for t, x in compute.items()}})
        elif risk > budget:
            cut = cut.model_copy(update={"compute": dict.fromkeys(compute, 0.0)})
    changed = any(abs(cut.compute[t] - x) > 1e-6 for t, x in package.compute.items())
    return (cut, True) if changed else (package, False)


def with_points_at(
    curve: Frontier,
    basis: Portfolio,
    rest: Portfolio,
    held: Sequence[Package],
    utilities: Sequence[float],
) -> Frontier:
    """`curve` with the proven best point at each partner utility of `utilities` added
    (dominated and duplicate points removed, as the curve's own)."""
    if not utilities:
        return curve
    alone = single(rest, curve.partner)
    added: list[FrontierPoint] = []
    for u in sorted(set(utilities)):
        if not curve.us_best.partner_utility < u <= curve.partner_best.partner_utility:
            continue  # beyond the curve's ends: its ends already bound it
        package, _ = alone.best_at(u)
        if package is not None and check(basis, [*held, package]).ok:
            added.append(point_of(basis, curve.partner, [*held, package]))
    if not added:
        return curve
    return curve.model_copy(update={"points": clean([*curve.points, *added], "partner", False)})


def history_path(
    portfolio: Portfolio, root: Path, partner: str, *, points: int | Literal["all"] = 15
) -> dict[str, Any]:
    """The frontier of the deal (within what the concluded deals leave) and the rounds on it.

    Plain data for a chart: `frontier` as [US utility, partner utility] pairs (USD,
    the deal's V and U), with a proven point at each round's U; `rounds` as {round,
    side, us, partner, fitted} on the curve's basis (`round_points`); the no-deal point.
    """
    found = history(portfolio, root, partner)
    basis = deal_basis(portfolio, root, partner)
    curve = frontier(basis, partner, points=points, bargaining=False)
    curve, rounds = chart_rounds(curve, basis, portfolio, root)
    return {
        **recorded_path(portfolio, found),
        "frontier": [
            [pt.us_utility, pt.partner_utility] for pt in curve.points if pt.package is not None
        ],
        "rounds": [round_json(r) for r in rounds],
    }


def recorded_path(portfolio: Portfolio, found: History) -> dict[str, Any]:
    """`history_path`'s data without the frontier (no solve): each round with a package
    at its recorded utilities (`history`'s), the no-deal point. The chart draws the same
    figures but for a round that does not fit beside the held deals, drawn cut (`fitted`)."""
    p = portfolio.partner(found.partner)
    assert p is not None
    return {
        "partner": found.partner,
        "name": found.name,
        "frontier": [],
        "no_deal": [p.us_batna, p.batna],
        "rounds": [
            {
                "round": r.round,
                "side": r.side,
                "us": r.us_utility,
                "partner": r.partner_utility,
                "fitted": False,
                "status": r.status,
            }
            for r in found.rounds
            if r.us_utility is not None and r.partner_utility is not None
        ],
    }


def round_json(r: ChartRound) -> dict[str, Any]:
    return {
        "round": r.round,
        "side": r.side,
        "us": r.us_utility,
        "partner": r.partner_utility,
        "fitted": r.fitted,
        "status": r.status,
    }


def deal_basis(portfolio: Portfolio, root: Path, partner: str) -> Portfolio:
    """What the other negotiations leave the deal with `partner`: the others re-planned
    from their rounds (concluded deals fixed, walked-away partners out), `partner` alone."""
    negotiations = load_negotiations(portfolio, root)
    plan = replan(portfolio, {c: n for c, n in negotiations.items() if c != partner})
    return alone(portfolio, plan, partner)


def deal_frontier(
    portfolio: Portfolio, root: Path, partner: str, *, points: int = 15, bargaining: bool = True
) -> Frontier:
    """The frontier of the deal with `partner` within what the other negotiations leave
    (`deal_basis`): the deal's own V and U, on the same basis as its rounds' utilities,
    with a note when the concluded deals took its zone of agreement (`concluded_note`).
    """
    basis = deal_basis(portfolio, root, partner)
    curve = frontier_in(
        DEAL,  # its notes name no command: none solves what the other negotiations leave
        basis,
        partner,
        points=points,
        axis="partner",
        jointly=False,
        gap=1e-6,
        base=None,
        bargaining=bargaining,
        jobs=None,
        progress=None,
    )
    return concluded_note(curve, portfolio, root) if bargaining else curve


def concluded_note(curve: Frontier, portfolio: Portfolio, root: Path) -> Frontier:
    """`curve`, the deal's frontier within what the other negotiations leave, with a note
    when it has no zone of agreement but would with no other deal: the concluded deals use
    the room it needs of the shared limits (the frontier alone said "ZOPA: none", where
    `solve` said a deal alone would add a gain to US utility)."""
    from dealbench.optimize.explain.no_deal import best_alone
    from dealbench.optimize.result import Status

    if curve.zopa.get("exists", True):
        return curve
    negotiations = load_negotiations(portfolio, root)
    concluded = [
        p.code
        for p in portfolio.partners
        if p.code != curve.partner
        and p.code in negotiations
        and negotiations[p.code].status == "concluded"
    ]
    if not concluded:
        return curve
    forced = best_alone(portfolio, curve.partner)
    deal = forced.deal(curve.partner) if forced.status == Status.OPTIMAL else None
    if deal is None or deal.us_margin <= 0.5:
        return curve
    note = (
        f"No zone of agreement within what the concluded deals ({and_list(concluded)}) "
        f"leave of the shared limits: with no other deal, a deal with {curve.partner} "
        f"would add {usd(deal.us_margin)} to US utility, but the concluded deals use the "
        "room it needs."
    )
    return curve.model_copy(update={"notes": [*curve.notes, note]})


def rounds_on_frontier(
    curve: Frontier, portfolio: Portfolio, root: Path
) -> tuple[Frontier, list[ChartRound]]:
    """`curve` (computed on `portfolio`, the other deals held) with a proven point at each
    round's U, and the recorded rounds with its partner on its basis (`round_points`).

    The curve unchanged and no rounds when there are none, or the curve is not V
    against U with others held (a jointly re-optimized curve has no single rest of
    the portfolio to add).
    """
    return chart_rounds(curve, portfolio, portfolio, root)
