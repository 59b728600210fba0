"""Rules that span several fields or files, each reported at its exact place: a policy,
a scenarios file, a partner against its regime and its portfolio's periods, deal-by-deal
caps (the words for an unknown id are `list_words.unknown`). A partner file's own rules are in
`partner_rules`, a package's in `package_rules`.

Every function yields `(loc, message)` pairs; the loader attaches file and line.
"""

from __future__ import annotations

from collections.abc import Iterator

from dealbench.list_words import did_you_mean, one_of, unknown
from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.periods import length as period_length
from dealbench.model.periods import not_a_period
from dealbench.model.policy import Caps, Policy
from dealbench.model.portfolio import BASE_SCENARIO, ScenarioFile
from dealbench.model.yamlio import Loc

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
    `base`, in any letter case, titles the base of a sweep, the portfolio as loaded
    (`sweep_scenarios`): one at most, and it sets nothing. Every scenario's `set` applies
    to the portfolio as loaded, so a `base` that set something would be a row the others
    are compared against while none of them has its values (session 42)."""
    ids = [scenario.id for scenario in spec.scenarios]
    yield from _repeated(ids, "scenarios", "scenario {!r} is listed twice")
    for i, scenario in enumerate(spec.scenarios):
        for path, value in scenario.set.items():
            if "=" in path:
                yield (("scenarios", i, "set", path), joined_set_words(path, value))
    bases = [i for i, name in enumerate(ids) if name.lower() == BASE_SCENARIO]
    for i in bases:
        if spec.scenarios[i].set:
            yield (("scenarios", i, "id"), base_sets_words(ids[i]))
    for i in bases[1:]:
        if ids[i] != ids[bases[0]]:  # the same id twice is said above
            yield (
                ("scenarios", i, "id"),
                (
                    f"{ids[i]!r} and {ids[bases[0]]!r} both name the base of the sweep "
                    "(the scenario the others are compared against); keep one"
                ),
            )


def joined_set_words(path: str, value: object) -> str:
    """`set: {partners.MX.batna=6bn}`, a path and its value joined by `=` as on the command
    line, read as a path with no value ("partners.MX has no field 'batna=6bn'"): how a
    scenario writes it."""
    name, _, given = path.partition("=")
    written = given.strip() if value is None else f"{given.strip()}={value}"
    return (
        f"{path!r} joins a path and its value with '='; a scenario writes each as "
        f"PATH: VALUE, a colon and a space: set: {{{name.strip()}: {written or 'VALUE'}}}"
    )


def base_sets_words(name: str) -> str:
    """Why a scenario `base` may not set anything, and what to do instead."""
    return (
        f"{name!r} is the portfolio as loaded, the row every scenario is compared against, "
        "and each scenario's set applies to the portfolio as loaded, not to another "
        "scenario: give this scenario another id to keep it as a scenario of its own, or "
        "leave its set empty to title the as-loaded row (to change the base itself, "
        "change the portfolio's files or override them for the whole run)"
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
                not_a_period(period, periods) + hint,
            )


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
            known = one_of(by_code)
            yield (
                ("caps", code),
                f"{code!r} is not a partner of this portfolio; expected one of: {known}"
                + did_you_mean(code, by_code),
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
