"""The Pareto frontier between the US utility V and one partner's utility U (or risk).

ε-constraint: each point is a proven optimum of max V subject to U[partner] >= u
(within the gap), for u spread evenly from the partner's utility in the US-best
portfolio to its utility in the partner-best one (max U subject to V no worse
than the US walk-away value). By default the other partners' deals are held at
the portfolio optimum, so each point is the partner alone in the residual
portfolio (`replan.residual`), solved exactly by `single`; `jointly`
re-optimizes every other deal at every point (`replan.solve_with_floor`), each
solve warm-started from the one before. docs/frontier.md has the details.

With `axis="risk"` the trade-off is V against risk: max V subject to the
partner's risk <= r (held), or the portfolio's total risk <= r (jointly), for r
from the US-best risk down to zero.

Every point's packages go through `check` against the real portfolio; dominated
and duplicate points are removed.

This module holds the frontier's types and the helpers its builders share; the function
`frontier` that builds one is in `build` (exported by `dealbench.negotiate` and `dealbench`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dealbench.arguments import amount_of_usd, relative_gap
from dealbench.checker import DealFigures, check
from dealbench.checker.tolerance import at_limit, reachable
from dealbench.model.arguments import partner_code
from dealbench.model.granularity import Granularity
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.replan import residual, solve_with_floor
from dealbench.negotiate.single import single
from dealbench.optimize.result import SolveResult, a_result, result_fits
from dealbench.optimize.schedule.signable import steps
from dealbench.optimize.solve import solve

__all__ = [
    "Axis",
    "Frontier",
    "FrontierPoint",
    "FrontierRounds",
    "offering",
    "point_of",
    "us_best_at",
]

Axis = Literal["partner", "risk"]
AXES: tuple[Axis, ...] = ("partner", "risk")

#: Points whose utilities agree within this (relative, and USD absolute) are one point.
SAME_REL = 1e-6
SAME_ABS = 1e4


class FrontierPoint(BaseModel):
    """One point of a frontier: the whole portfolio's V, the partner's U, and its package."""

    model_config = ConfigDict(frozen=True)

    us_utility: float = Field(description="US utility V of the whole portfolio, USD")
    partner_utility: float = Field(description="The partner's utility U, USD (BATNA if no deal)")
    risk: float = Field(description="The partner's risk, risk-weighted H100e")
    portfolio_risk: float = Field(default=0.0, description="The portfolio's total risk")
    package: Package | None = Field(description="The partner's package; None: no deal")
    figures: DealFigures | None = Field(default=None, description="The package as check sees it")
    others: list[Package] = Field(default_factory=list, description="Every other deal")
    label: str = ""
    #: The coarsest step, in H100e, of the declared one or finer by tens (in H100e, or in
    #: chips of the declared model), that every amount of the point's packages is a whole
    #: number of (0: not whole units); None when the portfolio's amounts are continuous.
    step_h100e: float | None = None

    def axis_value(self, axis: Axis, jointly: bool = False) -> float:
        """The x coordinate: U on the partner axis, risk on the risk axis."""
        if axis == "partner":
            return self.partner_utility
        return self.portfolio_risk if jointly else self.risk

    def to_json(self) -> dict[str, Any]:
        return {
            "us_utility": self.us_utility,
            "partner_utility": self.partner_utility,
            "risk": self.risk,
            "portfolio_risk": self.portfolio_risk,
            "package": None if self.package is None else _package_json(self.package),
            "step_h100e": self.step_h100e,
        }


class FrontierPiece(BaseModel):
    """A straight piece of an exact frontier (`--points all`) between two of its points:
    the same terms, compute varying from `start` to `end`. Every package on it gives the
    partner more than the point before it gives and the US more than the step to the next
    point: the frontier is the step or the piece, whichever gives the US more. `start` is
    the point before, or a package at its partner utility that gives the US less (a curve
    another point dominates at its vertex, but not just past it)."""

    model_config = ConfigDict(frozen=True)

    start: FrontierPoint
    end: FrontierPoint

    def to_json(self) -> dict[str, Any]:
        return {"from": self.start.to_json(), "to": self.end.to_json()}

    def us_utility_at(self, partner_utility: float) -> float | None:
        """V on the piece where it gives the partner `partner_utility` (None: off the piece)."""
        u0, u1 = self.start.partner_utility, self.end.partner_utility
        if not u0 <= partner_utility <= u1 or u1 <= u0:
            return None
        return self.us_utility_on(partner_utility)

    def us_utility_on(self, partner_utility: float) -> float:
        """V on the piece's line at `partner_utility` (its start's V on a piece of no width)."""
        u0, u1 = self.start.partner_utility, self.end.partner_utility
        if u1 - u0 <= 1e-9:
            return self.start.us_utility
        share = (partner_utility - u0) / (u1 - u0)
        return self.start.us_utility + share * (self.end.us_utility - self.start.us_utility)


class FrontierRounds(BaseModel):
    """What a frontier re-planned from the rounds holds (`frontier_from_rounds`): the
    concluded deals at their agreed terms, the partners walked away from without a deal,
    and what they add to every V (and to every portfolio risk) of the frontier."""

    model_config = ConfigDict(frozen=True)

    concluded: dict[str, int] = Field(
        default_factory=dict, description="Partner code -> the round that concluded its deal"
    )
    walked_away: list[str] = Field(default_factory=list, description="Partners walked away from")
    us_utility: float = Field(
        default=0.0,
        description="USD the concluded deals' US values and the walked-away partners' US "
        "walk-away values add to every V: the frontier's V is the room's",
    )
    risk: float = Field(
        default=0.0, description="The concluded deals' risk, in every point's portfolio_risk"
    )

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Frontier(BaseModel):
    """The points of a frontier, its ends, and the bargaining points on it."""

    model_config = ConfigDict(frozen=True)

    portfolio: str
    partner: str
    axis: Axis
    jointly: bool
    points: list[FrontierPoint]
    #: The exact frontier's straight pieces between points (`FrontierPiece`); none else.
    pieces: list[FrontierPiece] = Field(default_factory=list)
    us_best: FrontierPoint
    partner_best: FrontierPoint
    no_deal: FrontierPoint
    nash: FrontierPoint | None = None
    kalai: FrontierPoint | None = None
    #: How Nash and Kalai were found, and the Nash linearisation's error bound.
    bargaining: dict[str, Any] = Field(default_factory=dict)
    zopa: dict[str, Any] = Field(default_factory=dict)
    gap: float = 1e-6
    method: str = "epsilon-constraint"
    seconds: float = 0.0
    notes: list[str] = Field(default_factory=list)
    #: The portfolio's declared step in H100e (None: continuous amounts).
    step_h100e: float | None = None
    #: The portfolio's granularity, for the steps' words (H100e, or chips of a model).
    granularity: Granularity | None = None
    #: The portfolio's periods, first to last: a point's compute is their total
    #: (`figures.h100e_total_head`).
    periods: list[str] = Field(default_factory=list)
    #: Re-planned from the rounds (`frontier_from_rounds`): what is held; None: the plain
    #: portfolio's frontier.
    rounds: FrontierRounds | None = None
    #: The bargaining points put among `points` beside those found on the grid (or the exact
    #: frontier's vertices), where none of those is one already: "Nash", "Kalai". A count of
    #: `points` alone read "4 points" of `frontier --points 2` (`attach_bargaining`).
    added: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def one(p: FrontierPoint | None) -> dict[str, Any] | None:
            return None if p is None else p.to_json()

        return {
            "portfolio": self.portfolio,
            "partner": self.partner,
            "axis": self.axis,
            "jointly": self.jointly,
            "method": self.method,
            "gap": self.gap,
            "points": [p.to_json() for p in self.points],
            "pieces": [piece.to_json() for piece in self.pieces],
            "us_best": one(self.us_best),
            "partner_best": one(self.partner_best),
            "no_deal": one(self.no_deal),
            "nash": None if self.nash is None else {**self.nash.to_json(), **self._nash_info()},
            "kalai": None
            if self.kalai is None
            else {**self.kalai.to_json(), **self.bargaining.get("kalai", {})},
            "zopa": self.zopa,
            "notes": list(self.notes),
            "rounds": None if self.rounds is None else self.rounds.to_json(),
        }

    def outline(self) -> list[tuple[float, float]]:
        """The frontier as a line of (U, V) corners, USD, on the partner axis, for a chart:
        the best V at a partner utility of at least U. Between two consecutive break points
        (the points' U and the pieces' ends) that is the best point at or beyond the
        interval (the step: all an ε-constraint frontier proves) or, on an exact frontier,
        a straight piece across it, whichever gives the US more."""
        pts = sorted(self.points, key=lambda p: p.partner_utility)
        if not pts:
            return []
        breaks: list[float] = []
        ends = [p.partner_utility for p in pts] + [
            u for pc in self.pieces for u in (pc.start.partner_utility, pc.end.partner_utility)
        ]
        for u in sorted(ends):
            if not breaks or u > breaks[-1] + SAME_ABS:
                breaks.append(u)
        line = [(breaks[0], max(p.us_utility for p in pts))]
        for lo, hi in itertools.pairwise(breaks):
            step = max(p.us_utility for p in pts if p.partner_utility >= hi - SAME_ABS)
            across = [
                pc
                for pc in self.pieces
                if pc.start.partner_utility <= lo + SAME_ABS
                and pc.end.partner_utility >= hi - SAME_ABS
            ]
            line.append((lo, max([step, *(pc.us_utility_on(lo) for pc in across)])))
            line.append((hi, max([step, *(pc.us_utility_on(hi) for pc in across)])))
        return line

    def axis_line(self) -> list[tuple[float, float]]:
        """The frontier as a chart draws it, (x, V) corners on its own axis: `outline` on
        the partner axis (x is U, USD); on the risk axis (x is risk-weighted H100e), from
        the riskiest point down, the step to each next point: at a risk between two points,
        what the less risky one proves (the riskier one may exceed it)."""
        if self.axis == "partner":
            return self.outline()
        line: list[tuple[float, float]] = []
        for p in sorted(self.points, key=lambda q: -q.axis_value(self.axis, self.jointly)):
            x = p.axis_value(self.axis, self.jointly)
            if line:  # down at the riskier point's risk to the less risky one's V, then along
                line.append((line[-1][0], p.us_utility))
            line.append((x, p.us_utility))
        return line

    def _nash_info(self) -> dict[str, Any]:
        return dict(self.bargaining.get("nash", {}))


def _package_json(pkg: Package) -> dict[str, Any]:
    return pkg.model_dump(mode="json", exclude_none=True)


def point_of(
    portfolio: Portfolio,
    partner: str,
    packages: Sequence[Package],
    label: str = "",
    checked: Sequence[DealFigures] = (),
) -> FrontierPoint:
    """The frontier point of a set of packages (the partner's among them, or none).
    `checked`: figures of some of them against `portfolio`, not evaluated again."""
    together = check(portfolio, packages, checked=checked)
    if not together.ok:
        raise ValueError("; ".join(together.problems()))
    figures = next((d for d in together.deals if d.partner == partner), None)
    p = portfolio.partner(partner)
    assert p is not None
    return FrontierPoint(
        us_utility=together.objective,
        partner_utility=p.batna if figures is None else figures.partner_utility,
        risk=0.0 if figures is None else figures.risk,
        portfolio_risk=together.risk_total,
        package=None if figures is None else figures.package(),
        figures=figures,
        others=[d.package() for d in together.deals if d.partner != partner],
        label=label,
        step_h100e=step_of(portfolio, packages),
    )


def step_of(portfolio: Portfolio, packages: Sequence[Package]) -> float | None:
    """The coarsest step of the declared granularity or finer by tens (1,000, 100, 10, 1
    H100e; or 256, 25, 2, 1 chips) that every amount of `packages` is a whole number of;
    0 when none is, None when the portfolio's amounts are continuous. An amount at its
    limit, the partner's ask or cap in whole units, is on every step, as the schedule
    allows it (`optimize.schedule.grid`): a full ask of 20,000 B200 chips is no finer step."""
    grid = portfolio.granularity
    if grid.h100e <= 0:
        return None
    amounts = [(p, t, x) for p in packages for t, x in p.compute.items()]
    free: dict[int, bool] = {}  # whether amount k is not at its limit: asked once, if off a step

    def off_limit(k: int, p: Package, t: str) -> bool:
        if k not in free:
            free[k] = not _at_own_limit(portfolio, p, t)
        return free[k]

    for step in steps(grid):  # the steps the schedule tries, coarsest first
        if all(
            abs(x / step - round(x / step)) <= 1e-6 or not off_limit(k, p, t)
            for k, (p, t, x) in enumerate(amounts)
        ):
            return step
    return 0.0


def _at_own_limit(portfolio: Portfolio, package: Package, period: str) -> bool:
    """Whether the package's compute in `period` is its partner's ask or cap there, in
    whole units (`tolerance.at_limit`)."""
    partner = portfolio.partner(package.partner)
    if partner is None:
        return False
    limit = portfolio.ask(partner, period)
    cap = portfolio.level_cap(partner, package.security)
    if cap is not None:
        limit = min(limit, cap)
    x = package.compute.get(period, 0.0)
    # Not above the limit in whole units: 2,911 H100e asked in B200 chips is 1,280.19 chips,
    # and only 1,280 (2,910.56 H100e) are on the grid.
    top = reachable(portfolio, limit)
    return x > 0 and at_limit(portfolio, x, limit) and x <= top + 1e-6 * max(top, 1.0)


def us_best_at(
    portfolio: Portfolio,
    partner: str,
    partner_utility: float,
    *,
    base: SolveResult | None = None,
    jointly: bool = False,
    gap: float = 1e-6,
    warm_start: SolveResult | None = None,
) -> FrontierPoint | None:
    """The proven best portfolio for the US giving `partner` a utility of at least
    `partner_utility` (USD); other partners held at `base` (solved if None) unless
    `jointly`; None when no package reaches that utility."""
    check_partner(portfolio, partner)
    partner_utility = amount_of_usd(partner_utility, "partner_utility")
    if warm_start is not None:
        a_result(warm_start, "warm_start")
    gap = relative_gap(gap)
    if jointly:
        result = solve_with_floor(
            portfolio, partner, partner_utility, gap=gap, warm_start=warm_start or base
        )
        if result is None:
            return None
        return point_of(portfolio, partner, [d.package() for d in result.deals])
    if base is None:
        base = solve(portfolio, gap=gap).raise_for_status()
    fixed, rest = held(portfolio, partner, base)
    package, _ = single(rest, partner).best_at(partner_utility)
    if package is None and partner_utility > rest_batna(rest, partner):
        return None
    return point_of(portfolio, partner, [*fixed, *([] if package is None else [package])])


def offering(portfolio: Portfolio, package: Package) -> Portfolio:
    """`portfolio` in which the package's partner may also grant the package's own amounts of
    its range concessions, beside each range's grid (docs/amounts.md): a frontier point
    computed for a counter that names an amount between the grid's then has it to choose."""
    p = portfolio.partner(package.partner)
    if p is None:
        return portfolio
    granted = package.granted()
    menu = []
    for c in p.concessions:
        level = c.option(granted[c.id]) if c.is_range and c.id in granted else None
        amount = level.amount if level is not None else None
        menu.append(c if amount is None else c.with_amounts([amount]))
    if menu == p.concessions:
        return portfolio
    partner = p.model_copy(update={"concessions": menu})
    partners = [partner if q.code == p.code else q for q in portfolio.partners]
    return portfolio.model_copy(update={"partners": partners})


def held(portfolio: Portfolio, partner: str, base: SolveResult) -> tuple[list[Package], Portfolio]:
    """The other deals of `base`, and the portfolio left to `partner` when they are held
    (partners without a deal in `base` stay without one)."""
    result_fits(portfolio, base, "base")  # not another portfolio's, nor one of other figures
    fixed = _others(base, partner)
    idle = [code for code in base.no_deal if code != partner]
    return fixed, residual(portfolio, fixed, excluded=idle)


def rest_batna(rest: Portfolio, partner: str) -> float:
    p = rest.partner(partner)
    assert p is not None
    return p.batna


def check_partner(portfolio: Portfolio, partner: str) -> None:
    """An ArgumentError (a ValueError) naming the portfolio's partners when `partner` is
    not one of them."""
    partner_code(portfolio, partner)


def _others(base: SolveResult, partner: str) -> list[Package]:
    return [d.package() for d in base.deals if d.partner != partner]


def clean(points: Sequence[FrontierPoint], axis: Axis, jointly: bool) -> list[FrontierPoint]:
    """Points sorted along the axis, dominated and duplicate points removed."""

    def x(p: FrontierPoint) -> float:
        # larger is better for the partner's utility; smaller is better for risk
        value = p.axis_value(axis, jointly)
        return value if axis == "partner" else -value

    def close(a: float, b: float, abs_tol: float) -> bool:
        return abs(a - b) <= max(abs_tol, SAME_REL * max(abs(a), abs(b)))

    x_tol = SAME_ABS if axis == "partner" else 0.5
    # Best V first; among equal V, the best x first. A point goes when one kept is no worse
    # on both axes (a duplicate within the tolerances keeps the first), or when any point is
    # no worse and better beyond them on one: a point of lower V within the tolerance that
    # gives the partner more dominates one of higher V (a Kalai point USD 5,432 above the
    # partner-best end in V and USD 108,639 below it in U was kept beside it).
    ordered = sorted(points, key=lambda q: (-q.us_utility, -x(q)))
    vs = [q.us_utility for q in ordered]
    xs = [x(q) for q in ordered]  # read once: the pairs below are n squared

    def no_worse(k: int, p: int) -> bool:
        """Point `k` is at least as good as point `p` on both axes, within the tolerances."""
        return (vs[k] >= vs[p] or close(vs[k], vs[p], SAME_ABS)) and (
            xs[k] >= xs[p] or close(xs[k], xs[p], x_tol)
        )

    kept: list[int] = []
    for p in range(len(ordered)):
        duplicate = any(no_worse(k, p) for k in kept)
        dominated = any(
            no_worse(k, p) and not no_worse(p, k) for k in range(len(ordered)) if k != p
        )
        if not duplicate and not dominated:
            kept.append(p)
    return sorted((ordered[i] for i in kept), key=lambda q: (x(q), -q.us_utility))
