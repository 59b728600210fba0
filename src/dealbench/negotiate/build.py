"""Building a frontier: its ends, the ε-constraint points between them, the cleanup.

Held (the default): the partner alone in the residual portfolio, scanned
exactly by `single`. Jointly: the whole portfolio solved at every point, from
the highest floor down, each solve warm-started from the point before (whose
optimum meets the lower floor: a feasible incumbent), in JOINT_CHAINS interleaved
chains that run side by side on the machine's cores (the same chains on one;
`joint_chains`). The partner-best end is the joint optimum at the held partner-best's U,
so it is a joint optimum too; the US-best end is the base optimum (the best at its own
floor). The ends themselves are found in `frontier_ends`.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from dealbench.analyze.parallel import start_workers
from dealbench.arguments import at_least_one, given_briefly, one_of, relative_gap
from dealbench.errors import ArgumentError
from dealbench.figures import usd
from dealbench.list_words import and_list
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate import joint_chains
from dealbench.negotiate.bargaining import attach_bargaining
from dealbench.negotiate.exact import exact_frontier
from dealbench.negotiate.frontier import (
    AXES,
    SAME_ABS,
    Axis,
    Frontier,
    FrontierPiece,
    FrontierPoint,
    check_partner,
    clean,
    held,
    point_of,
    step_of,
)
from dealbench.negotiate.frontier_ends import (
    alone_best,
    lifted_point,
    no_deal_point,
    partner_best_point,
)
from dealbench.negotiate.single import Single, single
from dealbench.optimize.result import SolveResult
from dealbench.optimize.solve import solve

#: `points` at most this many (beyond it, ask for `all` or fewer).
MAX_POINTS = 1000


@dataclass(frozen=True)
class Frame:
    """What a frontier's notes say is held beside it, and which solve says why the partner
    has no deal: the portfolio's (`solve`: every other deal held at its solve, or
    re-optimized), or, `rounds`, the re-plan from the rounds (`solve --rounds`: the
    `concluded` deals held at their agreed terms, the other open negotiations held at the
    re-plan or re-optimized). The notes said "every other deal is re-optimized" and "as
    `solve` says" of a frontier from the rounds, whose concluded deals are neither
    (qa47-frontier-rounds)."""

    rounds: bool = False
    #: The partners whose deals are concluded, held at their agreed terms at every point.
    concluded: tuple[str, ...] = ()
    #: What the frontier's portfolio is when no command solves it, as the notes say it: the
    #: deal alone within what the other negotiations leave (`round_points.deal_frontier`,
    #: the negotiation page's and `history`'s chart), whose note said "as `solve` says it"
    #: of a solve no command runs. "": a portfolio a command solves (`solve`).
    within: str = ""

    @property
    def solve(self) -> str:
        """The command that solves what the frontier holds, as the notes name it."""
        return "`solve --rounds`" if self.rounds else "`solve`"

    def why_none(self, partner: str) -> str:
        """How a note on why `partner` has no deal begins: by the solve that says it."""
        if self.within:
            return f"Why no deal with {partner} {self.within}"
        return f"Why no deal with {partner}, as {self.solve} says it"

    @property
    def plan(self) -> str:
        """What the other deals are chosen by."""
        return "re-plan" if self.rounds else "portfolio"

    @property
    def others(self) -> str:
        """The deals a joint frontier re-optimizes at each point."""
        if not self.concluded:
            return "every other deal"
        return "every other open negotiation's deal (the concluded ones at their agreed terms)"

    def held(self, others: list[str]) -> str:
        """The other deals held (`others`: the partners with one at the base)."""
        if not self.concluded:
            return f"the other deals held ({and_list(others)})"
        its = "its" if len(self.concluded) == 1 else "their"
        agreed = f"{and_list(list(self.concluded))} at {its} agreed terms"
        return f"the other deals held ({agreed}; {and_list(others)} at the re-plan)"

    def re_planned(self, others: list[str]) -> str:
        """The other deals a joint frontier re-plans at each point (`others`: the partners
        with one at the base), and those it holds."""
        said = f"the other deals ({and_list(others)}) re-planned at each point"
        if not self.concluded:
            return said
        return f"{said}, the concluded ones ({and_list(list(self.concluded))}) held"

    @property
    def alone(self) -> str:
        """What a deal of the partner alone is beside, as `solve` and `solve --rounds`
        count "alone"."""
        return "beside the concluded deals alone" if self.concluded else "with no other deal"


#: The portfolio's own frontier (`dealbench frontier`, `frontier`).
PLAIN = Frame()
#: The frontier of one deal within what the other negotiations leave (`deal_frontier`).
DEAL = Frame(within="within what the other negotiations leave")


def frontier(
    portfolio: Portfolio,
    partner: str,
    *,
    points: int | Literal["all"] = 25,
    axis: Axis = "partner",
    jointly: bool = False,
    gap: float = 1e-6,
    base: SolveResult | None = None,
    bargaining: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Frontier:
    """The Pareto frontier for `partner` (see `negotiate.frontier`'s docstring).

    `points`: 2 to 1,000 points, or "all" (every vertex; held only); `axis`: "partner"
    (V against the partner's utility U, USD) or "risk" (V against risk-weighted H100e);
    `jointly`: re-optimize every other deal at every point (run it under
    `if __name__ == "__main__":`, as it starts worker processes); `gap`: relative,
    0 <= gap < 1; `base`: the portfolio's solve to hold the others at (solved if None).
    `jobs`: processes for the joint points (None: one a core, at most one a chain; 1: all
    in this process, as a process that may not start others must: the points are the same
    at any number); `progress(done, total)`: the joint points' solves as they end.
    Raises `dealbench.errors.ArgumentError` (a ValueError) for an argument out of range.
    """
    return frontier_in(
        PLAIN,
        portfolio,
        partner,
        points=points,
        axis=axis,
        jointly=jointly,
        gap=gap,
        base=base,
        bargaining=bargaining,
        jobs=jobs,
        progress=progress,
    )


def frontier_in(
    frame: Frame,
    portfolio: Portfolio,
    partner: str,
    *,
    points: int | Literal["all"],
    axis: Axis,
    jointly: bool,
    gap: float,
    base: SolveResult | None,
    bargaining: bool,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> Frontier:
    """`frontier`, its notes saying what is held beside it and which solve says why the
    partner has no deal as `frame` says them."""
    start = time.perf_counter()
    check_partner(portfolio, partner)
    one_of(axis, AXES, "axis", "axis")
    gap = relative_gap(gap)
    points = _check_points(points, axis, jointly)
    if jobs is not None:  # 0 or -1 ran in this process unsaid, as `risk_report` refuses
        at_least_one(jobs, "jobs")
    if base is None:
        if jointly and axis == "partner" and joint_chains.joint_jobs(jobs) > 1:
            # The chains' workers start now, not after the base solve (forked before this
            # process runs HiGHS, or from a fork server whose imports run beside it).
            start_workers(joint_chains.joint_jobs(jobs), [__name__])
        base = solve(portfolio, gap=gap).raise_for_status()
    fixed, rest = held(portfolio, partner, base)
    alone = single(rest, partner)
    us_best = point_of(portfolio, partner, [d.package() for d in base.deals], "US-best")
    side_by_side = jointly and axis == "partner"  # its no-deal point solved beside the chains
    no_deal = None if side_by_side else no_deal_point(portfolio, partner, base, fixed, jointly, gap)
    partner_best = partner_best_point(portfolio, partner, alone, fixed, us_best)
    joint_end = False  # jointly, the partner-best end re-optimized (one of the points found)
    notes: list[str] = []
    method = "epsilon-constraint"
    pieces: list[FrontierPiece] = []
    if points == "all":
        found, pieces = exact_frontier(portfolio, partner, alone, fixed, axis)
        method = "exact"
        if not found:  # no deal at all: the frontier is the no-deal point, as with N points
            found = [us_best]
    elif axis == "partner":
        lo, hi = us_best.partner_utility, partner_best.partner_utility
        if jointly and hi <= lo + SAME_ABS:
            # Held, the others' deals leave the partner nothing (a twin took the supply);
            # re-optimized, they may make room: the range runs to its best deal alone.
            room = alone_best(portfolio, partner)
            if room is not None and room.partner_utility > lo + SAME_ABS:
                partner_best, hi = room, room.partner_utility
                notes.append(
                    f"Held, the other deals leave {partner} no better deal than this; jointly "
                    "the range runs to its best deal alone (the US no worse off than without "
                    f"it), {frame.others} re-optimized at each point."
                )
        grid = [lo + (hi - lo) * i / (points - 1) for i in range(1, points - 1)] if hi > lo else []
        if jointly:
            end = partner_best if hi > lo else None
            found, joint_best, no_deal = joint_chains.joint_points(
                portfolio, partner, alone, fixed, base, grid, gap, end, jobs, progress
            )
            if joint_best is not None:  # the held partner-best's U, others re-optimized
                partner_best = joint_best.model_copy(update={"label": "partner-best"})
                found.append(partner_best)
                joint_end = True
        else:
            found = _held(portfolio, partner, alone, fixed, grid)
        found += [us_best] if joint_end else [us_best, partner_best]
    else:
        found = _risk_axis(portfolio, partner, rest, fixed, base, us_best, points, jointly, gap)
        if jointly:  # the marker where the chart's risk is: the others re-optimized
            partner_best = joint_chains.joint_end(portfolio, partner, partner_best, base, gap)
    assert no_deal is not None
    if axis == "partner" and points != "all":
        # Ties in V: the ε-constraint's optimum at a floor may leave the partner less
        # than the same V allows (the US indifferent, the partner not). The held points
        # are the partner's best among equal V already (`Single.best_at`), the joint ones
        # are lifted where they are solved (`joint_chains._run_chain`); the base optimum
        # (the US-best end) is lifted here.
        lifted = lifted_point(portfolio, partner, us_best, alone)  # the base optimum: held others
        found = [lifted if p is us_best else p for p in found]
        us_best = lifted
    if jointly and axis == "partner" and not notes:  # (else: the range of a deal alone)
        notes.append(
            "Jointly: the partner's utility runs over the range of the held frontier; "
            f"{frame.others} is re-optimized at each point, both ends included."
        )
    kept = clean(found, axis, jointly)
    if axis == "partner":
        # The US-best end is the best V and, among packages giving it, the partner's best:
        # jointly another deal's re-optimization can give the partner more at the same V.
        top = max(kept, key=lambda p: (p.us_utility, p.partner_utility), default=None)
        if (
            top is not None
            and top.us_utility >= us_best.us_utility - SAME_ABS
            and top.partner_utility > us_best.partner_utility + SAME_ABS
        ):
            us_best = top.model_copy(update={"label": "US-best"})
    curve = Frontier(
        portfolio=portfolio.id,
        partner=partner,
        axis=axis,
        jointly=jointly,
        points=kept,
        pieces=pieces,
        us_best=us_best,
        partner_best=partner_best,
        no_deal=no_deal,
        gap=gap,
        method=method,
        notes=notes,
        step_h100e=step_of(portfolio, []),
        granularity=portfolio.granularity,
        periods=list(portfolio.periods),
    )
    if jointly and axis == "partner" and partner_best.us_utility < no_deal.us_utility - SAME_ABS:
        walk = [p.partner_utility for p in kept if p.us_utility >= no_deal.us_utility - SAME_ABS]
        notes.append(
            "Above a partner utility of "  # in its own unit: "USD 0.06bn" for BD's $60.0m
            f"{usd(max(walk, default=no_deal.partner_utility))} (the highest point "
            "at which the US is no worse off), the US does better with no deal and the "
            "others re-optimized."
        )
        curve = curve.model_copy(update={"notes": notes})
    if bargaining:
        curve = attach_bargaining(curve, portfolio, alone, fixed)
        said = _displaced(frame, portfolio, partner, base, fixed, jointly, curve.zopa)
        if said is not None:
            curve = curve.model_copy(update={"notes": [*curve.notes, said]})
    return curve.model_copy(update={"seconds": time.perf_counter() - start})


def _check_points(points: int | Literal["all"], axis: Axis, jointly: bool) -> int | Literal["all"]:
    """`points`, an int or "all"; an ArgumentError for points out of range, or "all" where
    it is not exact."""
    whole = isinstance(points, numbers.Integral) and not isinstance(points, bool)
    if points != "all" and not (whole and 2 <= points <= MAX_POINTS):  # numpy's are whole too
        # The words of `arguments.frontier_points` (the CLI's and the web's), and what was given.
        said = given_briefly(points)
        raise ArgumentError("points", f"expected a number 2-{MAX_POINTS} or 'all', not {said}")
    if points == "all" and jointly:
        raise ArgumentError(
            "points",
            "'all' is exact for one partner with the others held, not for the partners jointly",
        )
    if points == "all" and axis != "partner":  # found before any solve, not after the base
        raise ArgumentError(
            "points", "'all' is exact on the partner axis; on the risk axis give a number"
        )
    return "all" if points == "all" else int(points)


def _displaced(
    frame: Frame,
    portfolio: Portfolio,
    partner: str,
    base: SolveResult,
    fixed: list[Package],
    jointly: bool,
    zopa: dict[str, object],
) -> str | None:
    """Why no zone of agreement is no contradiction of `solve`, where the portfolio leaves
    the partner without a deal that would be worth having alone (am-eu's FR: "ZOPA: none"
    here, "alone, a deal with FR would add $1.13bn" there): the shared limits go to the
    other deals. None when there is a zone, or no other deal, or no deal worth having alone."""
    from dealbench.optimize.explain.no_deal import best_alone
    from dealbench.optimize.result import Status

    others = [p.partner for p in fixed if p.partner != partner]
    if zopa.get("exists") or partner not in base.no_deal:
        return None
    forced = best_alone(portfolio, partner) if others else None
    deal = forced.deal(partner) if forced and forced.status == Status.OPTIMAL else None
    if deal is None or deal.us_margin <= 0.5:
        return _why_none(frame, portfolio, partner, base)
    worth = f"a deal with {partner} would add {usd(deal.us_margin)} to US utility"
    why = f"as {frame.solve} says ('Why no deal with {partner}')"
    if jointly:
        return (
            f"No zone of agreement with {frame.re_planned(others)}: {frame.alone}, {worth}, "
            f"but the room it needs of the shared limits is worth more to them, {why}."
        )
    return (
        f"No zone of agreement with {frame.held(others)}: what they take of the shared "
        f"limits leaves {partner} no package better for both sides than no deal. Alone, "
        f"{worth}, but the {frame.plan} gives the room it "
        f"needs to deals worth more, {why}; the joint frontier re-plans the other "
        f"{'open negotiations' if frame.concluded else 'deals'} at each point."
    )


def _why_none(frame: Frame, portfolio: Portfolio, partner: str, base: SolveResult) -> str | None:
    """Why the portfolio's solve gives `partner` no deal, as `frame.solve` says it (the reason
    `base` carries, else `why_no_deal` of the same solve): the empty zone's cause and its
    remedy, the same words in every command. None where it is not known."""
    from dealbench.optimize.explain.no_deal import why_no_deal

    said = base.no_deal_reason(partner)
    if (said is None and base.no_deal_reasons is None) or (said and not said.explained):
        alone = base.model_copy(update={"no_deal": [partner]})
        said = next(iter(why_no_deal(portfolio, alone)), None)
    if said is None:
        return None
    return f"{frame.why_none(partner)}: {said.message.rstrip('.')}."


def _held(
    portfolio: Portfolio,
    partner: str,
    alone: Single,
    fixed: list[Package],
    grid: list[float],
) -> list[FrontierPoint]:
    found = []
    for u in grid:
        package, _ = alone.best_at(u)
        if package is not None:
            found.append(point_of(portfolio, partner, [*fixed, package]))
    return found


def _risk_axis(
    portfolio: Portfolio,
    partner: str,
    rest: Portfolio,
    fixed: list[Package],
    base: SolveResult,
    us_best: FrontierPoint,
    n: int,
    jointly: bool,
    gap: float,
) -> list[FrontierPoint]:
    """max V subject to the risk (the partner's, or jointly the portfolio's) <= r."""
    top = us_best.portfolio_risk if jointly else us_best.risk
    found = [us_best]
    for i in range(1, n):
        r = top * (1 - i / (n - 1))
        target = portfolio if jointly else rest
        budget = r if target.risk_budget is None else min(r, target.risk_budget)
        capped = target.model_copy(update={"risk_budget": budget, "own_risk_budget": budget})
        if jointly:
            result = solve(capped, gap=gap, warm_start=base).raise_for_status()
            found.append(point_of(portfolio, partner, [d.package() for d in result.deals]))
            continue
        package, _ = single(capped, partner).best_at(None)
        found.append(point_of(portfolio, partner, [*fixed, *([package] if package else [])]))
    return found
