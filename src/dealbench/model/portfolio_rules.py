"""The rules of a portfolio's partners against its regime, its periods and its caps, each
a `(loc, message)` pair (`rules.Problem`). The Portfolio model checks them itself
(`Portfolio._partners_fit`, `Portfolio._caps_fit`), so a portfolio built in code is held
to them as one loaded from its files is; `load_portfolio` says each at its file's line
(a partner's at its own file, read alone or beside partners that failed to load), and
`--set` at its path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from dealbench.list_words import did_you_mean, one_of, unknown
from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.periods import length as period_length
from dealbench.model.periods import not_a_period
from dealbench.model.policy import Policy

if TYPE_CHECKING:
    from dealbench.model.rules import Problem
    from dealbench.model.yamlio import Loc


def partners_problems(
    partners: Sequence[Partner], periods: list[str], policy: Policy
) -> Iterator[Problem]:
    """Each partner against the periods and the regime, at `(i, ...)`, and each partner
    listed once (`load_portfolio` says the files of both)."""
    seen: set[str] = set()
    for i, partner in enumerate(partners):
        for loc, message in [
            *partner_in_periods_problems(partner, periods),
            *partner_in_policy_problems(partner, policy),
        ]:
            yield (i, *loc), message
        if partner.code in seen:
            yield (i,), f"partner {partner.code} is listed twice"
        seen.add(partner.code)


def supply_problems(supply: Mapping[str, float], periods: list[str]) -> Iterator[Problem]:
    """A supply given for each period and for no other (a portfolio file's are checked as
    it is read, `load._portfolio_file_problems`, in the same words)."""
    for period in supply:
        if period not in periods:
            yield ("supply", period), not_a_period(period, periods)
    for period in dict.fromkeys(periods):
        if period not in supply:
            yield ("supply",), f"no supply given for period {period!r}"


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
