"""Ties broken for the other side: of the packages one side values alike, the one the other
side prefers.

us-best maximises V alone, so a deal's security level and concessions are any of those
that give the US the most: a tier-3 partner dealing on terms alone (no compute, so no risk)
values `basic` and `audit` alike for the US, and a solver may hand it `audit` at USD 50m
more to the partner. A negotiator would never offer a package the partner likes less at
no gain to the US, so each deal, with its compute as solved, takes the security level
and concession choices that give the partner the most among those that keep

- the deal's US value (never lower, to USD `SAME_V`),
- its risk-weighted compute (never higher: the risk budget is shared) and its compute
  within the new level's cap, and
- every `requires` and `excludes` of the menu.

partner-best is the mirror (`us_preferred`): of the packages of one partner utility (never
lower, to USD `SAME_U`), under the same conditions, the one worth most to the US; V only
rises, so its floor holds. A partner partner-best leaves without a deal is a tie too where
a deal without compute gives it exactly its walk-away value (and the acceptance margin)
and the US more than its own (`at_walk_away`): the partners' total is the same with it. One search serves both (`_search`, the held side and the winning
side its arguments).

Nothing is removed from the optimizer's menu (explanations re-solve with limits opened,
where which choice ties changes), and compute stays as solved, so supply and the shared
limits hold as they did. The search is exact (a depth-first search over the menu, pruned
by the held side's value still reachable and by what the winning side already gave up),
within `NODES` nodes a deal; both methods and every solver end here alike, so the answer
is the same."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Literal

from dealbench.checker import DealFigures
from dealbench.checker.tolerance import COMPUTE_TOL, reachable
from dealbench.model.concession import GRANTED
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.decomposition.concession_sets import allowed_for

__all__ = [
    "NODES",
    "SAME_U",
    "SAME_V",
    "Side",
    "at_walk_away",
    "partner_preferred",
    "preferred",
    "us_preferred",
]

#: Whose ties are broken: "partner" (us-best: the US value held), "us" (partner-best).
Side = Literal["partner", "us"]

#: A deal's US value may not fall by more than this (USD): float noise, not a gap; in
#: partner-best the US must gain more than this for the package to change.
SAME_V = 1.0
#: A partner must gain more than this (USD) for its package to change (us-best); in
#: partner-best its utility may not fall by more than this.
SAME_U = 1.0
#: Search nodes per deal at most (a menu of 10 concessions of 3 levels has 4^10 sets);
#: past it the best found so far stands, the same on every run.
NODES = 20_000


@dataclass(frozen=True)
class _Choice:
    concession: str
    level: str  # GRANTED for a yes/no term
    us_value: float
    cost: float


def partner_preferred(portfolio: Portfolio, deals: list[DealFigures]) -> list[Package] | None:
    """The deals' packages with each one's ties broken for its partner (us-best), or None
    when no package changes (the common case: nothing to re-check)."""
    return preferred(portfolio, deals, "partner")


def us_preferred(portfolio: Portfolio, deals: list[DealFigures]) -> list[Package] | None:
    """The deals' packages with each one's ties broken for the US (partner-best): the level
    and concessions worth most to the US among those that keep the partner's utility (never
    lower, to USD `SAME_U`) and the deal's risk; None when no package changes."""
    return preferred(portfolio, deals, "us")


def preferred(
    portfolio: Portfolio, deals: list[DealFigures], side: Side, step: float = 0.0
) -> list[Package] | None:
    """The deals' packages with each one's ties broken for `side`, the other side's value
    held; None when no package changes. `step`: the step the deals' compute is in (H100e;
    0: none), which a change of level must keep it in (`_within_cap`)."""
    better = {deal.partner: _preferred(portfolio, deal, side, step) for deal in deals}
    if all(package is None for package in better.values()):
        return None
    return [better[deal.partner] or deal.package() for deal in deals]


def at_walk_away(portfolio: Portfolio, codes: Sequence[str]) -> list[Package]:
    """For partner-best's ties: of the partners `codes` (left without a deal), those a deal
    without compute leaves exactly at their walk-away value and the acceptance margin,
    each with the security level and terms worth most to the US, where that is more than
    the US's own walk-away value by more than USD `SAME_V`. No supply, no risk: the shared
    limits hold as they did, and the partners' total is the same."""
    found = (_at_walk_away(portfolio, p) for c in codes if (p := portfolio.partner(c)))
    return [package for package in found if package is not None]


def _at_walk_away(portfolio: Portfolio, partner: Partner) -> Package | None:
    policy = portfolio.policy
    line = partner.batna + policy.acceptance_margin  # the least utility it accepts
    choices = _choices(partner)
    rank_of = {k: i for i, k in enumerate(policy.level_ids)}
    most = sum(max([0.0, *map(_partner, options)]) for options in choices)
    best_won, best = partner.us_batna + SAME_V, None
    for level in portfolio.levels_for(partner):
        base_u = -partner.security_costs[level]  # no compute: no value of it, no export
        if base_u + most < line:
            continue
        allowed = allowed_for(partner, rank_of, level)
        menu = [
            o if c.id in allowed else [] for o, c in zip(choices, partner.concessions, strict=True)
        ]
        # the partner's utility at its line, no lower: the partners' total may not fall
        chosen = _search(partner, menu, _partner, _us, line - base_u, -best_won)
        if chosen is not None:
            best_won, best = sum(_us(c) for c in chosen), (level, chosen)
    if best is None:
        return None
    level, chosen = best
    return Package(
        partner=partner.code,
        security=level,
        compute={t: 0.0 for t in portfolio.periods},
        concessions={c.concession: True if c.level == GRANTED else c.level for c in chosen},
    )


def _us(choice: _Choice) -> float:
    return choice.us_value


def _partner(choice: _Choice) -> float:
    return -choice.cost


def _preferred(
    portfolio: Portfolio, deal: DealFigures, side: Side, step: float = 0.0
) -> Package | None:
    """`side` wins, the other side is held: the held side's value may not fall (to USD 1),
    the winning side's must rise by more than USD 1 for the package to change."""
    partner = portfolio.partner(deal.partner)
    if partner is None:
        return None
    policy = portfolio.policy
    total = deal.total_compute
    if side == "partner":
        held, won, floor = _us, _partner, deal.us_value - SAME_V
        best_won = deal.partner_utility + SAME_U
    else:
        held, won, floor = _partner, _us, deal.partner_utility - SAME_U
        best_won = deal.us_value + SAME_V
    choices = _choices(partner)
    rank_of = {k: i for i, k in enumerate(policy.level_ids)}
    # The most the concessions can bring the held side, at any level: a level whose base
    # falls short by more is passed over without a search.
    most = sum(max([0.0, *map(held, options)]) for options in choices)
    best: tuple[str, tuple[_Choice, ...]] | None = None
    for level in portfolio.levels_for(partner):
        risk = partner.diversion_risk * (1.0 - policy.level(level).mitigation) * total
        if risk > deal.risk + 1e-9 * max(1.0, deal.risk) or not _within_cap(
            portfolio, partner, level, deal.compute, step
        ):
            continue
        base_v = policy.export_value_per_h100e * total - policy.risk_penalty_per_h100e * risk
        base_u = deal.compute_value - partner.security_costs[level]
        base_held, base_won = (base_v, base_u) if side == "partner" else (base_u, base_v)
        if base_held + most < floor:
            continue
        allowed = allowed_for(partner, rank_of, level)  # those needing a stronger level: closed
        menu = [
            o if c.id in allowed else [] for o, c in zip(choices, partner.concessions, strict=True)
        ]
        # The concessions must bring at least `need` to the held side and take less than
        # base_won - best_won from the winning side for it to gain.
        found = _search(partner, menu, held, won, floor - base_held, base_won - best_won)
        if found is not None:
            best_won, best = base_won + sum(won(c) for c in found), (level, found)
    if best is None:
        return None
    level, chosen = best
    concessions: dict[str, str | bool] = {
        c.concession: True if c.level == GRANTED else c.level for c in chosen
    }
    return Package(
        partner=deal.partner, security=level, compute=dict(deal.compute), concessions=concessions
    )


def _within_cap(
    portfolio: Portfolio, partner: Partner, level: str, compute: dict[str, float], step: float
) -> bool:
    """Whether `compute` fits `level`'s cap and, in steps of `step` H100e, stays on the grid
    under it: each amount a whole step or that level's limit in whole units. An amount at
    one level's cap that is no whole step (750 H100e, the open cap, in steps of 500) is off
    the grid under a level with a higher cap (kyc's 1,000), where it is no longer the limit.
    In steps, no amount may pass that limit either: a step of 256 B200 chips (582.11 H100e)
    is over a cap of 582 H100e, however small the excess (`check` forgives half an H100e
    of solver noise, not a step placed over a cap)."""
    cap = portfolio.level_cap(partner, level)
    if cap is not None and any(x > cap + COMPUTE_TOL for x in compute.values()):
        return False
    if step <= 0:
        return True
    for t, x in compute.items():
        top = reachable(portfolio, portfolio.cap(partner, level, t))
        if x > top + 1e-6 * max(top, 1.0):
            return False
        if abs(x / step - round(x / step)) > 1e-6 and abs(x - top) > 1e-6 * max(top, 1.0):
            return False
    return True


def _choices(partner: Partner) -> list[list[_Choice]]:
    """Per concession, the granted levels no other level of it beats on both sides (more
    to the US, less to the partner), the most to the US first; none is implicit."""
    menu: list[list[_Choice]] = []
    for c in partner.concessions:
        options = [_Choice(c.id, o.id, float(o.us_value), float(o.partner_cost)) for o in c.choices]
        kept, least = [], float("inf")  # each level costing less than all worth more
        for o in sorted(options, key=lambda o: (-o.us_value, o.cost)):
            if o.cost < least:
                kept.append(o)
                least = o.cost
        menu.append(kept)
    return menu


def _search(
    partner: Partner,
    menu: list[list[_Choice]],
    held: Callable[[_Choice], float],
    won: Callable[[_Choice], float],
    need: float,
    budget: float,
) -> tuple[_Choice, ...] | None:
    """The set of choices (at most one per concession, `requires` and `excludes` kept)
    bringing the held side at least `need` and taking from the winning side the least, below
    `budget`; None when there is none. For the partner (us-best's ties) the held side is the
    US (`_us`: US value) and the partner wins (`_partner`: minus its cost); for the US
    (partner-best's) the other way round. The concessions worth most to the US are decided
    first (ties in file order): the bound on what the rest can bring then tightens soonest."""
    ids = [c.id for c in partner.concessions]
    order = sorted(range(len(menu)), key=lambda i: -max([0.0, *(o.us_value for o in menu[i])]))
    menu, ids = [menu[i] for i in order], [ids[i] for i in order]
    n = len(menu)
    gain = [[(held(o), -won(o)) for o in options] for options in menu]  # (gain, spend)
    reach = [0.0] * (n + 1)  # the most the concessions from i on can add to the held side
    floor = [0.0] * (n + 1)  # the most they can give back to the winning side
    for i in range(n - 1, -1, -1):
        reach[i] = reach[i + 1] + max([0.0, *(g for g, _ in gain[i])])
        floor[i] = floor[i + 1] + min([0.0, *(s for _, s in gain[i])])
    if reach[0] < need:
        return None
    pieces: list[list[tuple[float, float, float]]] = []  # both built when first needed
    bounds: dict[int, _LeastCost] = {}

    def least(i: int) -> _LeastCost:
        if i not in bounds:
            if not pieces:
                pieces.extend(_pieces(options) for options in gain)
            bounds[i] = _LeastCost([p for ps in pieces[i:] for p in ps])
        return bounds[i]

    clash: dict[str, set[str]] = {c: set() for c in ids}  # excludes, both ways
    for c in partner.concessions:
        for other in c.excludes:
            clash[c.id].add(other)
            clash.setdefault(other, set()).add(c.id)
    requires = {c.id: {r for r in c.requires if isinstance(r, str)} for c in partner.concessions}
    needed_by: dict[str, set[str]] = {c: set() for c in ids}
    for cid, needs in requires.items():
        for other in needs:
            needed_by.setdefault(other, set()).add(cid)
    before = [set(ids[:i]) for i in range(n)]
    best: list[tuple[_Choice, ...] | None] = [None]
    limit = [budget]
    nodes = [0]
    picked: list[_Choice] = []
    granted: set[str] = set()

    def visit(i: int, value: float, cost: float) -> None:
        """Concessions before i are decided, and every `requires` and `excludes` among them
        holds (a requirement of a later one waits for it)."""
        nodes[0] += 1
        if nodes[0] > NODES or value + reach[i] < need:
            return
        short = need - value  # the held side's shortfall: none needs no bound on its cost
        if cost + floor[i] + (least(i).at(short) if short > 0 else 0.0) >= limit[0]:
            return
        if i == n:
            best[0], limit[0] = tuple(picked), cost
            return
        cid = ids[i]
        if menu[i] and not (clash[cid] & granted) and (requires[cid] & before[i]) <= granted:
            granted.add(cid)
            for o, (g, s) in zip(menu[i], gain[i], strict=True):
                picked.append(o)
                visit(i + 1, value + g, cost + s)
                picked.pop()
            granted.discard(cid)
        if not (needed_by[cid] & granted):  # not granted: nothing granted needs it
            visit(i + 1, value, cost)

    visit(0, 0.0, 0.0)
    return best[0]


class _LeastCost:
    """A lower bound on what the winning side gives up for the held side's gain `v` from
    some concessions: the linear relaxation (each concession's lower convex hull of (gain,
    spend) from (0, 0), spends below 0 counted as 0, the hulls' pieces taken cheapest per
    dollar first), so `_search` prunes a branch that cannot come in under its budget."""

    def __init__(self, pieces: list[tuple[float, float, float]]) -> None:
        pieces = sorted(pieces)  # (cost per dollar, dollars, cost)
        self.value = list(accumulate(p[1] for p in pieces))
        self.cost = list(accumulate(p[2] for p in pieces))
        self.rate = [p[0] for p in pieces]

    def at(self, v: float) -> float:
        if v <= 0.0 or not self.value:
            return 0.0
        k = bisect_left(self.value, v)
        if k >= len(self.value):
            return self.cost[-1] if self.cost else 0.0
        before_v = self.value[k - 1] if k else 0.0
        before_c = self.cost[k - 1] if k else 0.0
        return before_c + (v - before_v) * self.rate[k]


def _turn(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """> 0 when a, b, c turn counter-clockwise (b below the chord from a to c)."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _pieces(options: list[tuple[float, float]]) -> list[tuple[float, float, float]]:
    """The pieces (spend per dollar, dollars, spend) of one concession's lower convex hull
    of its choices' (gain, spend) from (0, 0), spends below 0 as 0 (see `_LeastCost`)."""
    points = sorted({(0.0, 0.0), *((g, max(s, 0.0)) for g, s in options if g > 0)})
    kept, low = [], float("inf")  # less value for more cost never helps: dropped
    for point in reversed(points):
        if point[1] < low:
            kept.append(point)
            low = point[1]
    hull = [(0.0, 0.0)]  # the rest: value rising, cost rising, the first at cost 0
    for point in reversed(kept):
        if point == (0.0, 0.0):
            continue
        while len(hull) >= 2 and _turn(hull[-2], hull[-1], point) <= 0:
            hull.pop()
        hull.append(point)
    return [
        ((c1 - c0) / (v1 - v0), v1 - v0, c1 - c0)
        for (v0, c0), (v1, c1) in pairwise(hull)
        if v1 > v0
    ]
