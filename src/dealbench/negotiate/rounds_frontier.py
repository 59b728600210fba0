"""The frontier of one partner in the re-plan from the rounds (`dealbench frontier --rounds`).

`room --why` and `solve --rounds` speak of a partner's frontier in the re-plan of the open
negotiations: the concluded deals fixed at their agreed terms, the walked-away partners
without a deal, the open ones re-optimized in what the concluded deals leave (`replan`).
That frontier is the frontier of the open negotiations' portfolio (`Plan.open_portfolio`),
the other open deals held at the re-plan (`frontier(..., base=plan.result)`): no optimizer
of its own. Its V is the open negotiations'; every V of it (points, pieces, ends, Nash,
Kalai, no deal, the zone's US walk-away value) is moved by what the concluded deals and the
walked-away partners add (`Plan.held_value`), so that it reads as the room's V does: its
US-best end is `solve --rounds`' V. The gains, so the Nash and Kalai points and their tau,
and the zone's joint gain, do not change with it. docs/frontier.md, "The frontier from the
rounds".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal

from dealbench.model.arguments import a_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.build import Frame, frontier_in
from dealbench.negotiate.frontier import (
    Axis,
    Frontier,
    FrontierPiece,
    FrontierPoint,
    FrontierRounds,
    check_partner,
)
from dealbench.negotiate.plan import Plan, replan
from dealbench.negotiate.rounds.check import refuse_after_close
from dealbench.negotiate.rounds.negotiation import Negotiation
from dealbench.negotiate.rounds.read import existing_root, load_negotiations

__all__ = ["frontier_from_rounds", "held_at"]

#: Why a concluded or walked-away partner has no frontier in the re-plan (after "the
#: negotiation with SA was concluded in this round; ").
#: The library says what is wrong; a shell that was to write files says it wrote none.
NO_FRONTIER = {
    "concluded": "its deal is held at its agreed terms in the re-plan from the rounds, "
    "which has no frontier for it; the portfolio's own frontier, without the rounds, still "
    "draws one",
    "walked-away": "it has no deal in the re-plan from the rounds, which has no frontier "
    "for it; the portfolio's own frontier, without the rounds, still draws one",
}


def frontier_from_rounds(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    partner: str,
    *,
    points: int | Literal["all"] = 25,
    axis: Axis = "partner",
    jointly: bool = False,
    gap: float = 1e-6,
    bargaining: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Frontier:
    """The frontier for `partner` in the portfolio re-planned from its rounds under `root`
    (deals/rounds/<id>/), as `room` and `solve --rounds` plan it: the concluded deals held
    at their agreed terms, the walked-away partners without a deal, the other open
    negotiations held at the re-plan (or re-optimized at each point, `jointly`). Every V
    is the whole portfolio's, theirs included; `Frontier.rounds` says what was held.

    The options are `frontier`'s. Raises `dealbench.errors.InputError` at the round file
    when the negotiation with `partner` is concluded or walked away (its terms are fixed),
    and at `root` when it is no folder (an empty one holds nothing: the plain frontier), and
    `ArgumentError` for an argument out of range."""
    portfolio = a_portfolio(portfolio)
    check_partner(portfolio, partner)
    negotiations = load_negotiations(portfolio, existing_root(root, portfolio))
    if partner in negotiations:
        ended = negotiations[partner]
        refuse_after_close(ended, NO_FRONTIER.get(ended.status, ""), again=False)
    plan = replan(portfolio, negotiations, gap=gap)
    assert plan.open_portfolio is not None and plan.result is not None  # `partner` is open
    concluded = tuple(p.code for p in portfolio.partners if p.code in plan.fixed)
    curve = frontier_in(
        Frame(rounds=True, concluded=concluded),
        plan.open_portfolio,
        partner,
        points=points,
        axis=axis,
        jointly=jointly,
        gap=gap,
        base=plan.result,
        bargaining=bargaining,
        jobs=jobs,
        progress=progress,
    )
    return held_at(curve, plan, negotiations)


def held_at(curve: Frontier, plan: Plan, negotiations: Mapping[str, Negotiation]) -> Frontier:
    """`curve`, a frontier of `plan.open_portfolio`, as the whole portfolio's: every V moved
    by what the concluded deals and the walked-away partners add, every portfolio risk by
    the concluded deals' risk, and the concluded deals among each point's other deals (so
    the rounds are drawn on it beside them, `round_points.rounds_on_frontier`)."""
    value = plan.held_value
    risk = sum(d.risk for d in plan.fixed.values())
    fixed = [d.package() for d in plan.fixed.values()]

    def moved(p: FrontierPoint) -> FrontierPoint:
        return p.model_copy(
            update={
                "us_utility": p.us_utility + value,
                "portfolio_risk": p.portfolio_risk + risk,
                "others": [*fixed, *p.others],
            }
        )

    def maybe(p: FrontierPoint | None) -> FrontierPoint | None:
        return None if p is None else moved(p)

    zopa = dict(curve.zopa)
    if "us_walk_away" in zopa:  # the no-deal point's V, as the points' (the gains are not)
        zopa["us_walk_away"] += value
    held = FrontierRounds(
        concluded={c: _concluded_in(negotiations[c]) for c in sorted(plan.fixed)},
        walked_away=sorted(plan.excluded),
        us_utility=value,
        risk=risk,
    )
    return curve.model_copy(
        update={
            "points": [moved(p) for p in curve.points],
            "pieces": [
                FrontierPiece(start=moved(pc.start), end=moved(pc.end)) for pc in curve.pieces
            ],
            "us_best": moved(curve.us_best),
            "partner_best": moved(curve.partner_best),
            "no_deal": moved(curve.no_deal),
            "nash": maybe(curve.nash),
            "kalai": maybe(curve.kalai),
            "zopa": zopa,
            "rounds": held,
        }
    )


def _concluded_in(negotiation: Negotiation) -> int:
    last = negotiation.last
    return 0 if last is None else last.number
