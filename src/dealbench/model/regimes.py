"""The four regimes of the policy debate, found by name, and a portfolio put under one.

A regime is a policy file. `tiered`, `monopoly`, `repeal` and `bilateral`
are looked up next to the portfolio's own policy file (a user's deals/ folder),
then in ./deals/policy, then in the shipped data; a path to a YAML file works too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.list_words import and_list, did_you_mean, each_once
from dealbench.model import load_policy, portfolio_rules
from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.periods import PeriodMismatch, caps_per_period
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.model.positions import field_path
from dealbench.model.yamlio import Loc, folder_of, read_yaml
from dealbench.shipped import DEALS
from dealbench.units import EMPTY, is_empty

__all__ = [
    "REGIMES",
    "Defaults",
    "caps_notes",
    "default_regimes",
    "find_regime",
    "fits",
    "parse_regimes",
    "regime_names",
    "regime_with_id",
    "replaced_caps_note",
    "under_regime",
]

#: The four options of the debate, in the order the memo discusses them.
REGIMES: tuple[str, ...] = ("tiered", "monopoly", "repeal", "bilateral")
SHIPPED = DEALS / "policy"


def find_regime(
    name: str | os.PathLike[str],
    portfolio_path: str | os.PathLike[str] | None = None,
    option: str = "name",
) -> Policy:
    """The policy a regime name (or a policy file's path, a str or a path) stands for.

    A name is looked up beside `portfolio_path`'s own policy folder first (a str or a path).
    """
    if not isinstance(name, str):
        return load_policy(name)
    if name.endswith((".yaml", ".yml")) or "/" in name or os.sep in name:
        return load_policy(name)
    for folder in _places(portfolio_path):
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return load_policy(candidate)
    said = EMPTY if is_empty(name) else f"unknown regime {name!r}"  # `--policy ""`
    raise ArgumentError(
        option,
        f"{said}; expected one of: {', '.join(REGIMES)} (or a policy file)"
        + did_you_mean(name, REGIMES),
    )


def regime_with_id(
    policy_id: str, portfolio_path: str | os.PathLike[str] | None = None
) -> Policy | None:
    """The policy whose `id` is `policy_id`, as a result records its regime: the file of
    that name first (as `find_regime` finds it), else the first policy file in the same
    folders that declares that id (`compare --regimes my-tiers` of a file saying
    `id: mytiers`); None when none does. Files that do not load are passed over."""
    try:
        policy = find_regime(policy_id, portfolio_path)
    except (ArgumentError, InputError):
        policy = None
    if policy is not None and policy.id == policy_id:
        return policy
    for folder in _places(portfolio_path):
        for candidate in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                policy = load_policy(candidate)
            except (InputError, OSError):
                continue
            if policy.id == policy_id:
                return policy
    return None


def regime_names(portfolio_path: str | os.PathLike[str]) -> list[str]:
    """The regimes a portfolio can be compared under by name: the four of the debate, then
    every other policy file beside its own policy folder (a user's regimes), by file name."""
    folder = folder_of(portfolio_path).parent / "policy"
    try:
        own = sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())
    except OSError:
        own = []
    return list(dict.fromkeys([*REGIMES, *own]))


def fits(portfolio: Portfolio, policy: Policy) -> bool:
    """Whether `portfolio`'s partners can be put under `policy` (`under_regime`): it defines
    every security level they name."""
    problems = (
        x for p in portfolio.partners for x in portfolio_rules.partner_in_policy_problems(p, policy)
    )
    return next(problems, None) is None


class Defaults(NamedTuple):
    """What `compare` compares unless told (`default_regimes`), and what it leaves out."""

    policies: list[Policy]
    #: Which of the four regimes are left out, and why, in a sentence (None: none is).
    left_out: str | None


def default_regimes(portfolio: Portfolio, portfolio_path: str | os.PathLike[str]) -> Defaults:
    """What `compare` compares unless told: the four regimes of the debate; where
    `portfolio`'s partners do not fit some of them (`fits`: a portfolio written in a regime
    of its own), those that they fit and its own regime, not a refusal under all four; and
    a sentence naming those left out. A portfolio in a regime of its own whose partners
    fit all four is compared under the four, as decided (qa29-left); the sentence then
    names its own regime, left out (ridge, of a higher V than the four's best, was not
    named at all)."""
    found = {name: find_regime(name, portfolio_path) for name in REGIMES}
    fit = {name: fits(portfolio, policy) for name, policy in found.items()}
    chosen = [policy for name, policy in found.items() if fit[name]]
    out = [name for name in REGIMES if not fit[name]]
    if not out:
        own = portfolio.policy.id
        if any(p.id == own for p in chosen):
            return Defaults(chosen, None)
        return Defaults(
            chosen,
            f"Not compared: {own}, the portfolio's own regime (its partners fit the four of "
            "the debate, compared by default)",
        )
    if all(p.id != portfolio.policy.id for p in chosen):
        chosen.append(portfolio.policy)
    verb = "does" if len(out) == 1 else "do"
    note = (
        f"Not compared: {and_list(out)}, which {verb} not define every security level its "
        f"partners name ({and_list(_named_levels(portfolio))})"
    )
    return Defaults(chosen, note)


def _named_levels(portfolio: Portfolio) -> list[str]:
    """The security levels the partners' files name (their costs, their concessions'
    requirements), each once, in the order named."""
    return list(
        dict.fromkeys(
            level
            for partner in portfolio.partners
            for level in [
                *partner.security_costs,
                *(
                    r.security
                    for c in partner.concessions
                    for r in c.requires
                    if isinstance(r, SecurityRequirement)
                ),
            ]
        )
    )


def _places(portfolio_path: str | os.PathLike[str] | None) -> list[Path]:
    """Where regimes are looked up: beside the portfolio's own policy folder, then
    ./deals/policy, then the shipped data."""
    places = []
    if portfolio_path is not None:
        places.append(folder_of(portfolio_path).parent / "policy")
    return [*places, Path.cwd() / "deals" / "policy", SHIPPED]


def parse_regimes(text: str, name: str = "text") -> list[str]:
    """`tiered,monopoly` as a list, in the order given (an ArgumentError naming `name`, the
    caller's parameter, when there is none, or when one is named twice)."""
    names = each_once((n.strip() for n in text.split(",") if n.strip()), name, "regime")
    if not names:
        raise ArgumentError(name, "no regime named")
    return names


def under_regime(portfolio: Portfolio, policy: Policy) -> Portfolio:
    """The same partners, supply and horizon under another regime.

    The portfolio's deal-by-deal partner caps belong to the regime it names (they
    are how bilateral deals set caps): under any other regime the regime's own caps
    apply, so a comparison shows each option as written. `--set portfolio.caps...`
    applied afterwards still sets them.
    """
    try:  # its caps per the portfolio's period, as the portfolio's own policy holds them
        policy = caps_per_period(policy, portfolio.periods)
    except PeriodMismatch as exc:
        raise InputError(Issue(f"regime {policy.id}", None, "caps_per", str(exc))) from None
    issues = [
        _partner_issue(portfolio, partner, loc, message)
        for partner in portfolio.partners
        for loc, message in portfolio_rules.partner_in_policy_problems(partner, policy)
    ]
    if issues:  # a partner file names security levels this regime does not have
        raise InputError([*issues, _levels_issue(portfolio, policy)])
    if policy.id == portfolio.policy.id and _same_terms(policy, portfolio.policy):
        return portfolio  # the same regime, whichever file (or path to it) it was read from
    moved = portfolio.with_policy(policy, digest=_policy_digest(policy))
    if policy.id == portfolio.policy.id:
        return moved
    replaced = {**portfolio.replaced_caps, **portfolio.caps}
    own = portfolio.caps_regime or portfolio.policy.id
    return moved.model_copy(update={"caps": {}, "replaced_caps": replaced, "caps_regime": own})


def replaced_caps_note(codes: Sequence[str], own: str, others: Sequence[str]) -> str:
    """What a reader of figures under `others` needs of the portfolio's own caps for
    `codes`, which belong to its regime `own` (`under_regime` drops them): without it a
    reader takes the figures for the caps the portfolio wrote. `compare` and every command
    taking `--policy` say it in these words."""
    return (
        f"The portfolio's own caps for {and_list(codes)} belong to its regime ({own}); "
        f"under {and_list(others)} each regime's own caps apply instead "
        "(an override of portfolio.caps.CODE.LEVEL, --set on the command line, sets a cap "
        "under every regime)."
    )


def caps_notes(portfolio: Portfolio) -> list[str]:
    """`replaced_caps_note` for a portfolio put under another regime than its file's, where
    it dropped caps of the file's that no override set again; none otherwise."""
    codes = sorted(code for code in portfolio.replaced_caps if code not in portfolio.caps)
    own = portfolio.caps_regime
    if not codes or own is None or own == portfolio.policy.id:
        return []
    return [replaced_caps_note(codes, own, [portfolio.policy.id])]


def _same_terms(a: Policy, b: Policy) -> bool:
    """The same figures, their caps converted alike (the file each was read from aside)."""
    return a.model_dump() == b.model_dump() and a._converted == b._converted


def _levels_issue(portfolio: Portfolio, policy: Policy) -> Issue:
    """What the partners' problems under another regime mean, and what to do: a partner
    file is written in its own regime's security levels, so "expected one of" the other
    regime's levels is no advice to edit it; the regimes compared must define them."""
    missing = [level for level in _named_levels(portfolio) if level not in policy.level_ids]
    own = portfolio.policy.id
    written = f" (written for regime {own})" if own != policy.id else ""
    return Issue(
        f"regime {policy.id}",
        None,
        "security_levels",
        f"its levels are {and_list(policy.level_ids)}; the partners above{written} also name "
        f"{and_list(missing)}, which it does not define: put them under a regime that "
        f"defines every level they name (a policy file of your own, by its path), or "
        f"write the partner files in the levels of {policy.id}",
    )


def _partner_issue(portfolio: Portfolio, partner: Partner, loc: Loc, message: str) -> Issue:
    """A partner's problem under another regime, at its file and line where they are known."""
    file = portfolio.partner_files.get(partner.code)
    if file is not None:
        try:
            return read_yaml(Path(file)).issue(loc, message)
        except (InputError, OSError):  # moved or changed since it was loaded
            pass
    return Issue(file or f"partners.{partner.code}", None, field_path(loc), message)


def _policy_digest(policy: Policy) -> str:
    import hashlib

    return hashlib.sha256(policy.model_dump_json().encode()).hexdigest()
