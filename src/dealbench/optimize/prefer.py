"""Ties broken for the partner: of the packages the US values alike, the one the partner prefers.

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

Nothing is removed from the optimizer's menu (explanations re-solve with limits opened,
where which choice ties changes), and compute stays as solved, so supply and the shared
limits hold as they did. The search is exact (a depth-first search over the menu, pruned
by the US value still reachable and by the partner cost already spent), within `NODES`
nodes a deal; both methods and every solver end here alike, so the answer is the same.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, pairwise

from dealbench.checker import COMPUTE_TOL, DealFigures
from dealbench.model.schema import GRANTED, Package, Partner, Portfolio, SecurityRequirement

__all__ = ["NODES", "SAME_U", "SAME_V", "partner_preferred"]

#: A deal's US value may not fall by more than this (USD): float noise, not a gap.
SAME_V = 1.0
#: A partner must gain more than this (USD) for its package to change.
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
    """The deals' packages with each one's ties broken for its partner, or None when no
    package changes (the common case: nothing to re-check)."""
    better = {deal.partner: _preferred(portfolio, deal) for deal in deals}
    if all(package is None for package in better.values()):
        return None
    return [better[deal.partner] or deal.package() for deal in deals]


def _preferred(portfolio: Portfolio, deal: DealFigures) -> Package | None:
    partner = portfolio.partner(deal.partner)
    if partner is None:
        return None
    policy = portfolio.policy
    total = deal.total_compute
    best_u = deal.partner_utility + SAME_U
    best: tuple[str, tuple[_Choice, ...]] | None = None
    for level in portfolio.levels_for(partner):
        risk = partner.diversion_risk * (1.0 - policy.level(level).mitigation) * total
        if risk > deal.risk + 1e-9 * max(1.0, deal.risk) or not _within_cap(
            portfolio, partner, level, deal.compute
        ):
            continue
        base_v = policy.export_value_per_h100e * total - policy.risk_penalty_per_h100e * risk
        base_u = deal.compute_value - partner.security_costs[level]
        menu = _menu(portfolio, partner, level)
        # The concessions must bring at least `need` to the US; they may cost at most
        # base_u - best_u to the partner for it to gain.
        found = _search(partner, menu, deal.us_value - SAME_V - base_v, base_u - best_u)
        if found is not None:
            cost = sum(c.cost for c in found)
            best_u, best = base_u - cost, (level, found)
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
    portfolio: Portfolio, partner: Partner, level: str, compute: dict[str, float]
) -> bool:
    cap = portfolio.level_cap(partner, level)
    return cap is None or all(x <= cap + COMPUTE_TOL for x in compute.values())


def _menu(portfolio: Portfolio, partner: Partner, level: str) -> list[list[_Choice]]:
    """Per concession, the choices open under `level`: none first, then the granted levels
    no other level of it beats on both sides (more to the US, less to the partner)."""
    policy = portfolio.policy
    menu: list[list[_Choice]] = []
    for c in partner.concessions:
        stronger = [
            r.security
            for r in c.requires
            if isinstance(r, SecurityRequirement) and r.security in policy.level_ids
        ]
        if any(policy.rank(level) < policy.rank(s) for s in stronger):
            menu.append([])
            continue
        options = [_Choice(c.id, o.id, float(o.us_value), float(o.partner_cost)) for o in c.choices]
        kept = [
            o
            for i, o in enumerate(options)
            if not any(
                (p.us_value >= o.us_value and p.cost <= o.cost)
                and (p.us_value > o.us_value or p.cost < o.cost or j < i)
                for j, p in enumerate(options)
                if j != i
            )
        ]
        menu.append(sorted(kept, key=lambda o: (-o.us_value, o.cost)))
    return menu


def _search(
    partner: Partner, menu: list[list[_Choice]], need: float, budget: float
) -> tuple[_Choice, ...] | None:
    """The set of choices (at most one per concession, `requires` and `excludes` kept) of US
    value at least `need` and least partner cost below `budget`; None when there is none.
    The concessions worth most to the US are decided first (ties in file order): the bound
    on what the rest can bring then tightens soonest."""
    ids = [c.id for c in partner.concessions]
    order = sorted(range(len(menu)), key=lambda i: -max([0.0, *(o.us_value for o in menu[i])]))
    menu, ids = [menu[i] for i in order], [ids[i] for i in order]
    n = len(menu)
    reach = [0.0] * (n + 1)  # the most the concessions from i on can add to the US value
    floor = [0.0] * (n + 1)  # the most their negative costs can take off the partner's cost
    for i in range(n - 1, -1, -1):
        reach[i] = reach[i + 1] + max([0.0, *(o.us_value for o in menu[i])])
        floor[i] = floor[i + 1] + min([0.0, *(o.cost for o in menu[i])])
    if reach[0] < need:
        return None
    pieces = [_pieces(options) for options in menu]
    bounds: dict[int, _LeastCost] = {}  # built when first needed

    def least(i: int) -> _LeastCost:
        if i not in bounds:
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
        if cost + floor[i] + least(i).at(need - value) >= limit[0]:
            return
        if i == n:
            best[0], limit[0] = tuple(picked), cost
            return
        cid = ids[i]
        if menu[i] and not (clash[cid] & granted) and (requires[cid] & before[i]) <= granted:
            granted.add(cid)
            for o in menu[i]:
                picked.append(o)
                visit(i + 1, value + o.us_value, cost + o.cost)
                picked.pop()
            granted.discard(cid)
        if not (needed_by[cid] & granted):  # not granted: nothing granted needs it
            visit(i + 1, value, cost)

    visit(0, 0.0, 0.0)
    return best[0]


class _LeastCost:
    """A lower bound on what the partner pays for the US value `v` from some concessions:
    the linear relaxation (each concession's lower convex hull of (US value, partner cost)
    from (0, 0), costs below 0 counted as 0, the hulls' pieces taken cheapest per dollar
    first), so `_search` prunes a branch that cannot come in under its budget."""

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


def _pieces(options: list[_Choice]) -> list[tuple[float, float, float]]:
    """The pieces (cost per dollar, dollars, cost) of one concession's lower convex hull of
    (US value, partner cost) from (0, 0), costs below 0 as 0 (see `_LeastCost`)."""
    points = sorted(
        {(0.0, 0.0), *((o.us_value, max(o.cost, 0.0)) for o in options if o.us_value > 0)}
    )
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
