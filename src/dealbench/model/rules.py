"""Rules that span several fields or files, each reported at its exact place.

Every function yields `(loc, message)` pairs; the loader attaches file and line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence

from dealbench.figures import quantity
from dealbench.model import amounts
from dealbench.model.concession import Concession, SecurityRequirement
from dealbench.model.distributions import distribution_of
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.periods import length as period_length
from dealbench.model.policy import Caps, Policy
from dealbench.model.portfolio import BASE_SCENARIO, ScenarioFile
from dealbench.model.uncertain import short
from dealbench.model.yamlio import Loc
from dealbench.units import EMPTY, is_empty

Problem = tuple[Loc, str]


def policy_problems(policy: Policy) -> Iterator[Problem]:
    levels = [level.id for level in policy.security_levels]
    yield from _repeated(levels, "security_levels", "duplicate security level id {!r}")
    yield from _weakest_first(policy)
    yield from _cap_problems(policy.caps, policy.level_ids)


def _weakest_first(policy: Policy) -> Iterator[Problem]:
    """Levels are listed weakest first: `{security: kyc}` means kyc or a level after it,
    so a list in another order would let a weaker level meet the requirement."""
    levels = policy.security_levels
    for i in range(1, len(levels)):
        before, level = levels[i - 1], levels[i]
        if level.mitigation < before.mitigation:
            yield (
                ("security_levels", i, "mitigation"),
                (
                    f"security levels are listed weakest first, but {level.id!r} "
                    f"(mitigation {level.mitigation:g}) comes after {before.id!r} "
                    f"({before.mitigation:g}); list them by rising mitigation"
                ),
            )


def scenario_problems(spec: ScenarioFile) -> Iterator[Problem]:
    """A scenarios file on its own: each id once (its paths need a portfolio). A scenario
    `base`, in any letter case, is the base of a sweep (`sweep_scenarios`): one at most."""
    ids = [scenario.id for scenario in spec.scenarios]
    yield from _repeated(ids, "scenarios", "scenario {!r} is listed twice")
    bases = [i for i, name in enumerate(ids) if name.lower() == BASE_SCENARIO]
    for i in bases[1:]:
        if ids[i] != ids[bases[0]]:  # the same id twice is said above
            yield (
                ("scenarios", i, "id"),
                (
                    f"{ids[i]!r} and {ids[bases[0]]!r} both name the base of the sweep "
                    "(the scenario the others are compared against); keep one"
                ),
            )


def _repeated(ids: list[str], where: str, message: str) -> Iterator[Problem]:
    """Each id listed again after its first place, at its `where[i].id`."""
    for i, name in enumerate(ids):
        if name in ids[:i]:
            yield (where, i, "id"), message.format(name)


def _cap_problems(caps: Caps, levels: list[str]) -> Iterator[Problem]:
    for tier in ("tier1", "tier2", "tier3"):
        value = getattr(caps, tier)
        if isinstance(value, dict):
            for level, cap in value.items():
                if level not in levels:
                    yield ("caps", tier, level), unknown("security level", level, levels)
                elif cap < 0:
                    yield ("caps", tier, level), "a cap cannot be negative"
        elif value < 0:
            yield ("caps", tier), "a cap cannot be negative"


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
                        if difflib.get_close_matches(req, ids, n=1)
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
            yield (*loc, "amount"), "an amount cannot be negative"
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
        return "a value per H100e cannot be negative" if value < 0 else None
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


def partner_in_policy_problems(partner: Partner, policy: Policy) -> Iterator[Problem]:
    """A partner checked against the regime it is negotiated under."""
    levels = policy.level_ids
    regime = f" in regime {policy.id}"
    for level in partner.security_costs:
        if level not in levels:
            yield ("security_costs", level), unknown("security level", level, levels, regime)
    for i, concession in enumerate(partner.concessions):
        for j, req in enumerate(concession.requires):
            if isinstance(req, SecurityRequirement) and req.security not in levels:
                loc: Loc = ("concessions", i, "requires", j, "security")
                yield loc, unknown("security level", req.security, levels, regime)


def in_horizon(partner: Partner, periods: list[str]) -> Partner:
    """`partner` with asks only in `periods` (the portfolio's horizon decides)."""
    if all(t in periods for t in partner.ask):
        return partner
    return partner.model_copy(
        update={"ask": {t: x for t, x in partner.ask.items() if t in periods}}
    )


def partner_in_periods_problems(
    partner: Partner, periods: list[str], *, beyond: bool = True
) -> Iterator[Problem]:
    """Asks in periods the portfolio cannot have. With `beyond`, a period of the
    portfolio's own length beyond its horizon is fine (a partner file serves portfolios
    of several horizons; `in_horizon` drops it); one of another length, or no period at
    all, is not."""
    lengths = {period_length(t) for t in periods} - {None}
    for period in partner.ask:
        if period not in periods:
            said = period_length(period)
            if beyond and said is not None and lengths == {said}:
                continue
            other = next(iter(lengths)) if len(lengths) == 1 else None
            hint = (
                f"; asks are per period: {period!r} is a {said} and this portfolio's periods "
                f"are {other}s, so write the ask per {other}"
                if said is not None and other is not None and said != other
                else ""
            )
            yield (
                ("ask", period),
                (
                    f"period {period!r} is not one of the portfolio's periods "
                    f"({', '.join(periods)}){hint}"
                ),
            )


def package_problems(
    package: Package, partner: Partner, policy: Policy, periods: list[str]
) -> Iterator[Problem]:
    """Shape problems of a package against its partner: unknown ids, levels, periods."""
    if package.security not in policy.level_ids:
        yield (
            ("security",),
            unknown(
                "security level", package.security, policy.level_ids, f" in regime {policy.id}"
            ),
        )
    for field in ("compute", "sites"):  # a site for 2062 must not vanish from Annex A
        for period in getattr(package, field):
            if period not in periods:
                yield (
                    (field, period),
                    f"period {period!r} is not one of the portfolio's periods ({', '.join(periods)})",
                )
    ids = [c.id for c in partner.concessions]
    for cid, level in package.concessions.items():
        concession = partner.concession(cid)
        if concession is None:
            yield ("concessions", cid), unknown("concession", cid, ids, f" of {partner.code}")
            continue
        if isinstance(level, bool):
            if level and not concession.is_yes_no:
                names = ", ".join(o.id for o in concession.options)
                yield ("concessions", cid), f"{cid!r} has levels; name one of: {names}"
        elif concession.option(level) is None:
            if concession.is_yes_no:
                yield ("concessions", cid), f"{cid!r} is a yes/no term; write true or false"
            elif concession.is_range:
                yield ("concessions", cid), _range_message(concession, level)
            else:
                options = [o.id for o in concession.options]
                message = unknown("level", level, options, f" of {cid!r}")
                if said := _level_of_amount(level, options):  # `1400BN`: said as an amount
                    message = message.removesuffix(case_hint(level, options)) + said
                yield ("concessions", cid), message
        elif (tiny := _tiny_dollars(concession, level)) is not None:
            yield ("concessions", cid), tiny
        elif _at_start(concession, level):
            yield (
                ("concessions", cid),
                (
                    f"{level} is the start of the range of {cid!r} ({concession.range_text()}), "
                    f"where nothing is granted; leave {cid!r} out, or write {cid}: false"
                ),
            )


#: A bare number of dollars at most this share of a range's top is taken for a missing unit.
TINY_SHARE = 1e-6


def _tiny_dollars(concession: Concession, text: str) -> str | None:
    """A refusal of an amount of dollars written as a bare number (`75`) that is a millionth
    or less of its range's top (USD 350bn): `75` meant for `75bn` would otherwise be
    valued as USD 75, worth nothing, without a word."""
    if not concession.is_range or concession.amount is None or concession.amount.unit != "USD":
        return None
    if any(o.id == text for o in concession.options) or not re.fullmatch(r"[\d_,.]+", text):
        return None
    amount = amounts.parse_amount(text)
    top = concession.points[-1][0] if concession.points else 0.0
    if amount is None or amount <= 0 or amount > top * TINY_SHARE:
        return None
    # The example is in the range ("such as 75bn" was said of a 0-40bn one): the number
    # written in billions where that is in it, else the range's top.
    meant = amounts.parse_amount(f"{text}bn")
    low = concession.points[0][0]
    example = f"{text}bn" if meant is not None and low <= meant <= top else amounts.amount_text(top)
    return (
        f"{text} is USD {amounts.amount_text(amount)}, a millionth or less of the range of "
        f"{concession.id!r} ({concession.range_text()}); write the amount with its unit, such "
        f"as {example}"
    )


def _at_start(concession: Concession, text: str) -> bool:
    """Whether `text` names a range's `min` below its first level: an amount worth nothing
    and costing nothing (docs/amounts.md), which the optimizer never offers. Granted, it
    would meet a `requires` of another concession and read as a commitment ("will invest
    USD 0")."""
    low = concession.amount.min if concession.is_range and concession.amount else None
    first = concession.options[0].amount if concession.options else None
    if low is None or first is None or low >= first:
        return False
    amount = amounts.parse_amount(text)
    return amount is not None and amounts.same(amount, low)


def _range_message(concession: Concession, text: str) -> str:
    cid, span = concession.id, concession.range_text()
    if amounts.parse_amount(text) is not None:
        return f"{text} is outside the range of {cid!r}: {span}"
    ids = [o.id for o in concession.options]
    return (
        f"unknown level {text!r} of {cid!r}; expected one of: {', '.join(ids)}, or an amount "
        f"from {span}{case_hint(text, ids)}"
    )


def _level_of_amount(text: str, levels: list[str]) -> str:
    """ "; 1.4tn is level 1400bn: write 1400bn" where `text` is the amount a level's id says
    (`USD 1.4tn` for the level `1400bn` of a concession that is not a range), else nothing."""
    amount = amounts.parse_amount(text)
    same = [
        level
        for level in levels
        if amount is not None
        and (of := amounts.parse_amount(level)) is not None
        and amounts.same(amount, of)
    ]
    return f"; {text} is level {same[0]}: write {same[0]}" if len(same) == 1 else ""


def unknown(what: str, value: str, known: Sequence[str], where: str = "") -> str:
    """What is said of an id that is none of `known` (a security level, a concession, a
    level, a regime): the ids it may be, and the one meant when only the case differs
    (`VEU` for veu: ids are matched as written)."""
    choices = ", ".join(known) if known else "none defined"
    if is_empty(value):  # `--mode ""`: nothing named, not an id called ''
        return f"{EMPTY}; expected a {what}{where}, one of: {choices}"
    return f"unknown {what} {value!r}{where}; expected one of: {choices}{case_hint(value, known)}"


def case_hint(value: str, known: Iterable[str]) -> str:
    """ "; did you mean 'veu'?" when `value` is one of `known` but for its case, else ""."""
    same = [k for k in known if k.casefold() == value.casefold() and k != value]
    return f"; did you mean {same[0]!r}?" if len(same) == 1 else ""


def partner_cap_problems(
    caps: dict[str, dict[str, float]],
    partners: list[Partner],
    policy: Policy,
    *,
    all_loaded: bool = True,
) -> Iterator[Problem]:
    """A deal-by-deal cap names a partner of the portfolio, outside tier 3, and a level.
    When a partner file failed to load (`all_loaded` false), a code not among `partners`
    may be that file's: it is not called unknown, its file's own errors are the news."""
    by_code = {p.code: p for p in partners}
    for code, levels in caps.items():
        partner = by_code.get(code)
        if partner is None and not all_loaded:
            continue
        if partner is None:
            known = ", ".join(by_code)
            yield (
                ("caps", code),
                f"{code!r} is not a partner of this portfolio; expected one of: {known}"
                + case_hint(code, by_code),
            )
            continue
        if partner.tier == 3:
            yield (
                ("caps", code),
                f"{code} is tier 3 (arms-embargoed): no cap can let compute through",
            )
        for level in levels:
            if level not in policy.level_ids:
                yield ("caps", code, level), unknown("security level", level, policy.level_ids)
