"""The limits one deal breaks, each a `Limit` with its sentence: its security level, its
compute (tier 3, ask, cap, periods) and its concessions (requires, excludes)."""

from __future__ import annotations

from collections.abc import Iterable

from dealbench.checker.tolerance import COMPUTE_TOL, over
from dealbench.figures import quantity
from dealbench.limit import Limit
from dealbench.model.concession import SecurityRequirement
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio


def security_violations(portfolio: Portfolio, partner: Partner, level: str) -> list[Limit]:
    """A security level the policy does not know, or one the partner's file gives no cost for."""
    code = partner.code
    if level not in portfolio.policy.level_ids:
        message = f"{code}: unknown security level {level!r}"
        return [Limit(kind="security", partner=code, level=level, message=message)]
    if level not in partner.security_costs:
        message = f"{code} cannot meet security level {level!r} (its file gives no cost for it)"
        return [Limit(kind="security", partner=code, level=level, message=message)]
    return []


def period_violations(portfolio: Portfolio, code: str, periods: Iterable[str]) -> list[Limit]:
    """The periods a package gives compute for that are not the portfolio's."""
    return [
        Limit(
            kind="period",
            partner=code,
            period=str(t),
            message=f"{code}: period {t!r} is not one of the portfolio's periods",
        )
        for t in periods
        if t not in portfolio.periods
    ]


def compute_violations(
    portfolio: Portfolio, partner: Partner, level: str, compute: dict[str, float]
) -> list[Limit]:
    out = []
    code = partner.code
    for t, x in compute.items():
        if x <= COMPUTE_TOL:
            continue
        where = {"partner": code, "period": t, "amount": x}
        if partner.tier == 3:
            message = f"{code} is tier 3 (arms-embargoed): no compute may be delivered ({t}: {quantity(x)} H100e)"
            out.append(Limit(kind="tier3", limit=0.0, message=message, **where))
            continue
        ask = portfolio.ask(partner, t)
        if over(x, ask, COMPUTE_TOL):
            message = (
                f"{code}: {t} compute {quantity(x)} H100e exceeds its ask of {quantity(ask)} H100e"
            )
            out.append(Limit(kind="ask", limit=ask, message=message, **where))
        cap = portfolio.level_cap(partner, level) if level in portfolio.policy.level_ids else None
        if cap is not None and over(x, cap, COMPUTE_TOL):
            whose = portfolio.cap_name(partner, level)
            basis = portfolio.cap_basis(partner, level)  # a cap pro-rated from the policy's
            said = f"{quantity(cap)} H100e" + (f" ({basis})" if basis else "")
            message = f"{code}: {t} compute {quantity(x)} H100e exceeds {whose} of {said}"
            out.append(Limit(kind="cap", level=level, limit=cap, message=message, **where))
    return out


def logic_violations(
    portfolio: Portfolio, partner: Partner, level: str, granted: dict[str, str]
) -> list[Limit]:
    out = []
    code = partner.code
    policy = portfolio.policy
    for cid in granted:
        concession = partner.concession(cid)
        if concession is None:
            continue
        for req in concession.requires:
            if isinstance(req, SecurityRequirement):
                known = req.security in policy.level_ids and level in policy.level_ids
                if known and policy.rank(level) < policy.rank(req.security):
                    message = (
                        f"{code}: concession {cid!r} requires security {req.security!r} or stronger; "
                        f"the deal runs under {level!r}"
                    )
                    out.append(
                        Limit(kind="requires", partner=code, level=req.security, message=message)
                    )
            elif req not in granted:
                message = f"{code}: concession {cid!r} requires {req!r}, which is not granted"
                out.append(Limit(kind="requires", partner=code, message=message))
    pairs = {
        tuple(sorted((cid, other)))
        for cid in granted
        for other in (_excludes_of(partner, cid))
        if other in granted
    }
    for a, b in sorted(pairs):
        message = f"{code}: concessions {a!r} and {b!r} exclude each other"
        out.append(Limit(kind="excludes", partner=code, message=message))
    return out


def _excludes_of(partner: Partner, cid: str) -> list[str]:
    concession = partner.concession(cid)
    return concession.excludes if concession else []
