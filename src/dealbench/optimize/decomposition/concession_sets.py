"""The concession sets worth offering: Pareto lists of (partner cost, US value).

Within one deal, concessions matter to the rest of the model only through two
sums: their US value U and their cost to the partner C (which the partner's
value of compute must cover). A set with a higher cost and a lower value than
another allowed set is never needed, so a partner's concession menu reduces,
for each security level, to the Pareto list of (C, U) over the sets that
`requires` and `excludes` allow. Linked concessions are first joined into
groups (one joint choice each); groups are then merged one at a time
(Nemhauser–Ullmann), dropping dominated sets and sets already costing more than
the partner could ever accept.

Money is in model units (USD billions). A Pareto list is stored as two sorted
arrays; which concessions make up a point is recovered only for the packages
returned (`set_grants`), by replaying the merge with back-pointers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import SolverError
from dealbench.model.concession import Concession
from dealbench.model.partner import Partner

MONEY = 1e9
#: Joint choices enumerated for one group of linked concessions, at most.
MAX_GROUP_CHOICES = 50_000
#: Points kept on one Pareto list, at most.
MAX_SETS = 400_000
#: Back-pointers kept for extraction when points x groups is at most this (else replayed).
TRAIL_ENTRIES = 20_000
_EPS = 1e-12

Grants = tuple[tuple[str, str], ...]  # (concession id, level id), in menu order


class MenuTooLarge(SolverError):
    """The concession menu is too entangled for the decomposition; use the plain model."""


@dataclass(frozen=True)
class Group:
    """The allowed joint choices of a set of linked concessions (none first)."""

    cost: NDArray[np.float64]
    value: NDArray[np.float64]
    grants: list[Grants]


@dataclass
class ConcessionSets:
    """Pareto-optimal concession sets, cost ascending (and value ascending)."""

    cost: NDArray[np.float64]
    value: NDArray[np.float64]
    groups: list[Group] = field(repr=False)
    limit: float  # sets costing more than this were dropped
    #: Back-pointers of the merge (parent, option) per group, kept for small concession_sets.
    trail: list[tuple[NDArray[np.int32], NDArray[np.int32]]] | None = field(
        default=None, repr=False
    )

    def __len__(self) -> int:
        return len(self.cost)


def allowed_for(partner: Partner, rank_of: dict[str, int], level: str) -> frozenset[str]:
    """Concessions whose security requirements the level meets."""
    rank = rank_of[level]
    return frozenset(
        c.id
        for c in partner.concessions
        if all(
            isinstance(r, str) or rank_of.get(r.security, len(rank_of)) <= rank for r in c.requires
        )
    )


def build_concession_sets(
    partner: Partner, allowed: frozenset[str], limit: float
) -> ConcessionSets:
    """The Pareto list of the sets of `allowed` concessions costing at most `limit`."""
    groups = _groups(partner, allowed)
    cost, value, trail = _merge(groups, limit, track=True)
    small = len(cost) * len(groups) <= TRAIL_ENTRIES
    return ConcessionSets(cost, value, groups, limit, trail if small else None)


def set_grants(sets: ConcessionSets, index: int) -> Grants:
    """The concession levels that make up point `index` of the Pareto list."""
    trail = sets.trail
    if trail is None:
        cost, _, trail = _merge(sets.groups, sets.limit, track=True)
        assert np.isclose(cost[index], sets.cost[index], rtol=0, atol=1e-9)
    out: list[tuple[str, str]] = []
    for group, (parent, option) in zip(reversed(sets.groups), reversed(trail), strict=True):
        out += group.grants[int(option[index])]
        index = int(parent[index])
    return tuple(out)


def _groups(partner: Partner, allowed: frozenset[str]) -> list[Group]:
    """Concessions joined by requires/excludes, each group's allowed joint choices."""
    ids = [c.id for c in partner.concessions]
    root = {cid: cid for cid in ids}

    def find(cid: str) -> str:
        while root[cid] != cid:
            root[cid] = root[root[cid]]
            cid = root[cid]
        return cid

    for c in partner.concessions:
        for other in [*c.excludes, *(r for r in c.requires if isinstance(r, str))]:
            if other in root:
                root[find(other)] = find(c.id)
    members: dict[str, list[Concession]] = {}
    for c in partner.concessions:
        members.setdefault(find(c.id), []).append(c)
    groups = []
    for group in members.values():
        if not any(c.id in allowed for c in group):
            continue  # nothing to grant: the group adds only "none"
        groups.append(_single(group[0]) if len(group) == 1 else _group(group, allowed))
    return groups


def _single(c: Concession) -> Group:
    """An unlinked concession: none or one of its levels."""
    options = c.choices
    cost = np.array([0.0, *(o.partner_cost for o in options)]) / MONEY
    value = np.array([0.0, *(o.us_value for o in options)]) / MONEY
    keep = _pareto(cost, value)
    grants: list[Grants] = [(), *(((c.id, o.id),) for o in options)]
    return Group(cost[keep], value[keep], [grants[i] for i in keep])


def _group(concessions: list[Concession], allowed: frozenset[str]) -> Group:
    menus = [[None, *c.choices] if c.id in allowed else [None] for c in concessions]
    if np.prod([len(m) for m in menus], dtype=np.float64) > MAX_GROUP_CHOICES:
        names = ", ".join(c.id for c in concessions)
        raise MenuTooLarge(f"concessions {names} are linked into too many joint choices")
    costs, values, grants = [], [], []
    for choice in itertools.product(*menus):
        granted = {c.id for c, o in zip(concessions, choice, strict=True) if o is not None}
        if not _consistent(concessions, granted):
            continue
        picked = [(c, o) for c, o in zip(concessions, choice, strict=True) if o is not None]
        costs.append(sum(o.partner_cost for _, o in picked) / MONEY)
        values.append(sum(o.us_value for _, o in picked) / MONEY)
        grants.append(tuple((c.id, o.id) for c, o in picked))
    cost, value = np.array(costs), np.array(values)
    keep = _pareto(cost, value)
    return Group(cost[keep], value[keep], [grants[i] for i in keep])


def _consistent(concessions: list[Concession], granted: set[str]) -> bool:
    for c in concessions:
        if c.id not in granted:
            continue
        if any(isinstance(r, str) and r not in granted for r in c.requires):
            return False
        if any(other in granted for other in c.excludes):
            return False
    return True


def _merge(
    groups: list[Group], limit: float, track: bool
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], list[tuple[NDArray[np.int32], NDArray[np.int32]]]
]:
    """Nemhauser–Ullmann: add one group at a time, keep the Pareto sets within `limit`."""
    # Costs can only fall by the negative costs still to come: sets above this stay out.
    relief = np.cumsum([min(0.0, float(g.cost.min())) for g in reversed(groups)])[::-1]
    cost, value = np.zeros(1), np.zeros(1)
    trail: list[tuple[NDArray[np.int32], NDArray[np.int32]]] = []
    for i, group in enumerate(groups):
        # One cost-sorted run per option: a stable sort merges the runs quickly.
        c = (group.cost[:, None] + cost[None, :]).ravel()
        v = (group.value[:, None] + value[None, :]).ravel()
        later = relief[i + 1] if i + 1 < len(groups) else 0.0
        keep = _pareto(c, v, limit - later)
        if len(keep) > MAX_SETS:
            raise MenuTooLarge(f"the concession menu has over {MAX_SETS:,} useful sets")
        if track:
            trail.append(
                ((keep % len(cost)).astype(np.int32), (keep // len(cost)).astype(np.int32))
            )
        cost, value = c[keep], v[keep]
    return cost, value, trail


def _pareto(
    cost: NDArray[np.float64], value: NDArray[np.float64], limit: float = np.inf
) -> NDArray[np.int64]:
    """Indices of the points no other point dominates (cost <= limit), cost ascending.

    Of points with equal cost only the most valuable stays (the first listed of equals):
    a superset would be harmless to us-best, but partner-best maximises the partner's
    utility, which cannot tell two sets of one cost apart, and could offer the one worth
    less to the US (a term free to the partner left out).
    """
    order = np.lexsort((-value, cost))
    order = order[cost[order] <= limit + _EPS]
    if len(order) == 0:
        return order
    best = np.maximum.accumulate(value[order])
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = value[order][1:] > best[:-1] + _EPS
    return order[keep]
