"""Rules that span several fields or files, each reported at its exact place: a policy,
a scenarios file (the words for an unknown id are `list_words.unknown`). A partner file's
own rules are in `partner_rules`, a package's in `package_rules`, a portfolio's partners
against its regime, its periods and its caps in `portfolio_rules`.

Every function yields `(loc, message)` pairs; the loader attaches file and line.
"""

from __future__ import annotations

from collections.abc import Iterator

from dealbench.list_words import unknown
from dealbench.model.policy import Caps, Policy
from dealbench.model.portfolio import BASE_SCENARIO, ScenarioFile
from dealbench.model.yamlio import Loc
from dealbench.units import number_said

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
                    yield ("caps", tier, level), f"a cap cannot be negative, got {number_said(cap)}"
        elif value < 0:
            yield ("caps", tier), f"a cap cannot be negative, got {number_said(value)}"
