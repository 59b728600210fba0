"""The rules of one partner on its own: ids once, levels and ranges well formed, the
value curve concave, no cycle of requirements. Each yields `(loc, message)` pairs
(`rules.Problem`). The Partner model checks them itself (`Partner._own_rules`), so a
partner built in code is held to them as one read from a file is; the loader attaches
file and line, `--set` its path.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from dealbench.figures import quantity
from dealbench.list_words import meant, unknown
from dealbench.model import amounts
from dealbench.model.distributions import distribution_of
from dealbench.model.uncertain import short

if TYPE_CHECKING:  # the Partner model checks itself with these (`Partner._own_rules`)
    from dealbench.model.concession import Concession
    from dealbench.model.partner import Partner
    from dealbench.model.rules import Problem
    from dealbench.model.yamlio import Loc


def partner_problems(partner: Partner) -> Iterator[Problem]:
    yield from _segment_problems(partner)
    ids = [c.id for c in partner.concessions]
    for i, concession in enumerate(partner.concessions):
        where: Loc = ("concessions", i)
        if concession.id in ids[:i]:
            yield (*where, "id"), f"duplicate concession id {concession.id!r}"
        if concession.levels is None:
            # Named at the missing field: a `us_value:` left blank has its own line.
            for name in ("us_value", "partner_cost"):
                if getattr(concession, name) is None:
                    yield (
                        (*where, name),
                        f"a concession without `levels` needs `{name}`, a USD amount "
                        "(missing or blank here)",
                    )
        if concession.levels is not None and (
            concession.us_value is not None or concession.partner_cost is not None
        ):
            yield (
                where,
                "give `us_value` and `partner_cost` on each level, not on a concession with `levels`",
            )
        level_ids = [lv.id for lv in concession.levels or []]
        for j, level_id in enumerate(level_ids):
            if level_id in level_ids[:j]:
                yield (*where, "levels", j, "id"), f"duplicate level id {level_id!r}"
            if level_id in ("none", "true", "false"):
                yield (
                    (*where, "levels", j, "id"),
                    f"{level_id!r} is reserved; choose another level id",
                )
        yield from _range_problems(concession, where)
        for j, req in enumerate(concession.requires):
            if isinstance(req, str):
                if req not in ids:
                    hint = (
                        ""
                        if meant(req, ids)
                        else f"; a minimum security level is written {{security: {req}}}"
                    )
                    yield (*where, "requires", j), unknown("concession", req, ids) + hint
                elif req == concession.id:
                    yield (*where, "requires", j), "a concession cannot require itself"
        for j, other in enumerate(concession.excludes):
            if other not in ids:
                yield (*where, "excludes", j), unknown("concession", other, ids)
            elif other == concession.id:
                yield (*where, "excludes", j), "a concession cannot exclude itself"
    yield from _cycle_problems(partner)


def _range_problems(concession: Concession, where: Loc) -> Iterator[Problem]:
    """A range concession: every level has an amount, amounts increase, the grid is small."""
    levels = concession.levels or []
    if concession.amount is None:
        for j, level in enumerate(levels):
            if level.amount is not None:
                yield (
                    (*where, "levels", j, "amount"),
                    "a level's `amount` needs `amount: {unit: USD}` on its concession "
                    "(which makes it a range)",
                )
        return
    if concession.levels is None:
        yield (*where, "amount"), "a range needs `levels`, each with an `amount`"
        return
    previous: float | None = None
    for j, level in enumerate(levels):
        loc: Loc = (*where, "levels", j)
        if level.amount is None:
            yield (*loc, "amount"), "every level of a range concession needs an `amount`"
            continue
        if level.amount < 0:
            yield (*loc, "amount"), f"an amount cannot be negative, got {short(level.amount)}"
        elif amounts.same(level.amount, 0.0):
            # Granted, a level grants: at 0 it would meet another concession's `requires`
            # and read as a commitment ("will invest USD 0") at no cost (docs/amounts.md).
            yield (
                (*loc, "amount"),
                "a level at amount 0 grants nothing, yet a package naming it would count as "
                "granted (and meet another concession's `requires`); leave the level out and "
                "start the range at 0 with `min: 0` in the concession's `amount:`",
            )
        if previous is not None and level.amount <= previous:
            yield (
                (*loc, "amount"),
                f"amounts must increase from level to level ({amounts.amount_text(level.amount)} "
                f"follows {amounts.amount_text(previous)})",
            )
        previous = level.amount
        named = amounts.parse_amount(level.id)
        if named is not None and not amounts.same(named, level.amount):
            yield (
                (*loc, "id"),
                f"level id {level.id!r} reads as an amount but the level's amount is "
                f"{amounts.amount_text(level.amount)}; rename the level or correct its amount",
            )
    first = levels[0].amount
    low = concession.amount.min
    if low is not None and first is not None and low > first:
        yield (
            (*where, "amount", "min"),
            f"`min` ({amounts.amount_text(low)}) cannot exceed the first level's amount "
            f"({amounts.amount_text(first)})",
        )
    if len(concession.points) == 1:
        yield (
            (*where, "amount"),
            "a range needs two levels, or `min` below its level's amount",
        )
    choices = len(levels) + amounts.grid_size(concession.points, concession.amount.step)
    if concession.points and choices > amounts.MAX_CHOICES:
        yield (
            (*where, "amount", "step"),
            f"the range offers the optimizer {choices:,} amounts; at most "
            f"{amounts.MAX_CHOICES} are allowed: choose a larger `step`",
        )


def _segment_problems(partner: Partner) -> Iterator[Problem]:
    if not isinstance(partner.value_per_h100e, list):
        if (negative := _negative_value(partner.value_per_h100e)) is not None:
            yield ("value_per_h100e",), negative
        return
    previous = None
    for i, seg in enumerate(partner.value_per_h100e):
        if (negative := _negative_value(seg.value)) is not None:
            yield ("value_per_h100e", i, "value"), negative
        if previous is not None:
            if seg.upto <= previous.upto:
                yield (
                    ("value_per_h100e", i, "upto"),
                    (
                        f"`upto` must increase from segment to segment ({quantity(seg.upto)} follows "
                        f"{quantity(previous.upto)})"
                    ),
                )
            if seg.value > previous.value:
                yield (
                    ("value_per_h100e", i, "value"),
                    (
                        "values must not increase from segment to segment (the value curve is concave)"
                    ),
                )
        previous = seg


def _negative_value(value: float) -> str | None:
    """Why a value per H100e is refused for being negative: the number, or (a
    distribution) any sample of it, whatever its mean."""
    dist = distribution_of(value)
    if dist is None:
        return f"a value per H100e cannot be negative, got {short(value)}" if value < 0 else None
    if dist.low < 0:
        low = short(dist.low)
        return f"a value per H100e cannot be negative (the distribution's low is {low})"
    return None


def _cycle_problems(partner: Partner) -> Iterator[Problem]:
    graph = {
        c.id: [r for r in c.requires if isinstance(r, str) and r != c.id]
        for c in partner.concessions
    }
    index = {c.id: i for i, c in enumerate(partner.concessions)}
    for cycle in find_cycles(graph):
        first = min(range(len(cycle)), key=lambda i: index[cycle[i]])
        path = cycle[first:] + cycle[:first]
        chain = " -> ".join([*path, path[0]])
        yield ("concessions", index[path[0]], "requires"), f"requirements form a cycle: {chain}"


def never_granted(partner: Partner) -> Iterator[Problem]:
    """Each concession that can never be granted: its requirements (with theirs) hold two
    that exclude each other, or one it excludes. Valid input (the optimizer simply never
    grants it, and generated menus hold such concessions), but likely not what was meant:
    `validate` and the solving commands note it at its `requires` (`notes.input_notes`).
    Nothing for a menu with a cycle or a duplicate id (errors, said on their own). Linear
    in concessions plus requirements: each concession's requirements, and what they
    exclude, as bit sets."""
    graph = {
        c.id: [r for r in c.requires if isinstance(r, str) and r != c.id]
        for c in partner.concessions
    }
    index = {c.id: i for i, c in enumerate(partner.concessions)}
    if len(index) != len(partner.concessions) or find_cycles(graph):
        return
    bit = {cid: 1 << i for cid, i in index.items()}
    clash = dict.fromkeys(index, 0)  # excludes, both ways
    for c in partner.concessions:
        for other in c.excludes:
            if other in bit and other != c.id:
                clash[c.id] |= bit[other]
                clash[other] |= bit[c.id]
    needs: dict[str, int] = {}  # the concession and everything it requires
    bars: dict[str, int] = {}  # what any of those excludes
    for cid in _requirements_first(graph):
        needs[cid], bars[cid] = bit[cid], clash[cid]
        for r in graph[cid]:
            if r in graph:
                needs[cid] |= needs[r]
                bars[cid] |= bars[r]
    for c in partner.concessions:
        if not needs[c.id] & bars[c.id]:
            continue
        inside = [x for x in index if needs[c.id] & bit[x]]
        a, b = next((x, y) for x in inside for y in inside if clash[x] & bit[y])
        if c.id in (a, b):
            other = b if a == c.id else a
            why = f"it requires {other!r}{_through(c.requires, other)} and excludes it"
        else:
            why = (
                f"it requires {a!r}{_through(c.requires, a)} and {b!r}{_through(c.requires, b)}, "
                "which exclude each other"
            )
        yield (
            ("concessions", index[c.id], "requires"),
            f"{c.id!r} can never be granted: {why}; no package will hold it (remove the "
            "requirement or the exclusion if it is meant to be offered)",
        )


def _through(requires: Collection[object], cid: str) -> str:
    """` (through another requirement)` for a concession required only indirectly."""
    return "" if cid in requires else " (through another requirement)"


def _requirements_first(graph: dict[str, list[str]]) -> list[str]:
    """The concessions of an acyclic `graph`, each after everything it requires."""
    order: list[str] = []
    done: set[str] = set()
    for root in graph:
        if root in done:
            continue
        done.add(root)
        todo = [(root, iter(graph[root]))]
        while todo:
            node, rest = todo[-1]
            nxt = next(rest, None)
            if nxt is None:
                order.append(node)
                todo.pop()
            elif nxt in graph and nxt not in done:
                done.add(nxt)
                todo.append((nxt, iter(graph[nxt])))
    return order


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected knot of `graph`, in time linear in its size.

    An iterative depth-first search: an edge back to a node still on the path closes
    a cycle (reported once, then the search goes on); finished nodes are never
    entered again, so a dense acyclic menu costs nodes + edges, not paths.
    """
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in graph:
        if root in state:
            continue
        path: list[str] = [root]
        position = {root: 0}
        todo = [iter(graph.get(root, []))]
        state[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                done = path.pop()
                del position[done]
                state[done] = 2
                todo.pop()
            elif nxt not in graph:
                continue  # an unknown id, reported elsewhere
            elif state.get(nxt) == 1:
                cycle = path[position[nxt] :]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle)
            elif nxt not in state:
                state[nxt] = 1
                position[nxt] = len(path)
                path.append(nxt)
                todo.append(iter(graph.get(nxt, [])))
    return cycles
