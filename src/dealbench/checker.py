"""The independent checker: every figure and every limit of a package, recomputed.

It uses the model alone, no solver, so it vets the optimizer's answers, a
hand-written offer and a partner's counter alike. The optimizer's own figures
are never shown to a user: they are recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from dealbench.errors import ArgumentError
from dealbench.figures import quantity, usd
from dealbench.limit import Limit, limits_from_details, messages
from dealbench.list_words import and_list
from dealbench.model.concession import GRANTED, SecurityRequirement
from dealbench.model.names import Article, in_text
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio

#: Tolerances: the solver works in thousands of H100e and billions of USD with
#: feasibility tolerances near 1e-7 of those units.
COMPUTE_TOL = 0.5  # H100e
MONEY_TOL = 1e4  # USD
REL_TOL = 1e-6


def _over(value: float, limit: float, abs_tol: float) -> bool:
    return value > limit + abs_tol + REL_TOL * abs(limit)


def compute_limit_reach(limit: float) -> float:
    """The most compute (or risk-weighted compute) a shared `limit` admits, within the
    checker's tolerance: above it, `check` calls the limit broken."""
    return limit + COMPUTE_TOL + REL_TOL * abs(limit)


def in_full(limit: float, used: float) -> bool:
    """Whether `used` takes all of a shared `limit` (supply, the risk budget), within the
    checker's tolerance."""
    return limit - used <= limit * REL_TOL + COMPUTE_TOL


class DealFigures(BaseModel):
    """One package's terms and every figure of it, as `check` recomputes them."""

    model_config = ConfigDict(frozen=True)

    partner: str
    partner_name: str
    #: The partner file's `article`, when it gives one (in the JSON only then).
    partner_article: Article | None = None
    tier: int
    security: str
    compute: dict[str, float]
    concessions: dict[str, str | bool]
    # Partner side (USD)
    compute_value: float
    concession_cost: float
    security_cost: float
    partner_utility: float = Field(description="Partner's utility from the deal's terms (D)")
    batna: float
    acceptance_threshold: float
    partner_margin: float = Field(description="partner_utility - batna - acceptance margin")
    # US side (USD; risk in risk-weighted H100e)
    us_concession_value: float
    export_value: float
    risk: float
    risk_penalty: float
    us_value: float = Field(description="US utility from this deal (V_p)")
    us_batna: float
    us_margin: float = Field(description="us_value - us_batna")
    # Verdict
    accepts: bool
    violations: list[Limit] = Field(description="The limits broken; each message is a sentence")

    @model_validator(mode="before")
    @classmethod
    def _older_shape(cls, data: Any) -> Any:
        return limits_from_details(data, "violations", "violation_details")

    @model_serializer(mode="wrap")
    def _without_a_default_article(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("partner_article") is None:
            data.pop("partner_article", None)
        return data

    def partner_in_text(self, *, start: bool = False) -> str:
        """The partner's name as running English says it ("the Philippines")."""
        return in_text(self.partner_name, self.partner_article, start=start)

    @property
    def total_compute(self) -> float:
        return sum(self.compute.values())

    def package(self) -> Package:
        return Package(
            partner=self.partner,
            security=self.security,
            compute=dict(self.compute),
            concessions=dict(self.concessions),
        )


class PortfolioCheck(BaseModel):
    """A set of packages checked together against the portfolio's shared limits."""

    model_config = ConfigDict(frozen=True)

    deals: list[DealFigures]
    no_deal: list[str]
    objective: float = Field(description="US utility V, with us_batna of partners without a deal")
    partner_total: float = Field(description="Sum of partner utilities U (BATNA where no deal)")
    supply_used: dict[str, float]
    supply: dict[str, float]
    risk_total: float
    risk_budget: float | None
    violations: list[Limit] = Field(description="The shared limits broken")

    @model_validator(mode="before")
    @classmethod
    def _older_shape(cls, data: Any) -> Any:
        return limits_from_details(data, "violations", "violation_details")

    @property
    def ok(self) -> bool:
        return not self.violations and all(d.accepts and not d.violations for d in self.deals)

    def problems(self) -> list[str]:
        """Every violation, and every refusal, in plain words."""
        out = messages(self.violations)
        for deal in self.deals:
            out += messages(deal.violations)
            if not deal.accepts:
                out.append(_refusal(deal))
        return out


def evaluate(portfolio: Portfolio, package: Package) -> DealFigures:
    """Recompute one package's figures and list every limit it breaks."""
    partner = portfolio.partner(package.partner)
    if partner is None:
        raise ArgumentError(
            "partner", f"partner {package.partner!r} is not in portfolio {portfolio.id}"
        )
    policy = portfolio.policy
    violations: list[Limit] = []
    code = partner.code

    level = package.security
    if level not in policy.level_ids:
        violations.append(
            Limit(
                kind="security",
                partner=code,
                level=level,
                message=f"{code}: unknown security level {level!r}",
            )
        )
        mitigation = 0.0
    else:
        mitigation = policy.level(level).mitigation
        if level not in partner.security_costs:
            violations.append(
                Limit(
                    kind="security",
                    partner=code,
                    level=level,
                    message=f"{code} cannot meet security level {level!r} "
                    "(its file gives no cost for it)",
                )
            )
    security_cost = partner.security_costs.get(level, 0.0)

    compute = {t: float(package.compute.get(t, 0.0)) for t in portfolio.periods}
    violations += _compute_violations(portfolio, partner, level, compute)
    for t in package.compute:
        if t not in portfolio.periods:
            violations.append(
                Limit(
                    kind="period",
                    partner=code,
                    period=str(t),
                    message=f"{code}: period {t!r} is not one of the portfolio's periods",
                )
            )

    granted = package.granted()
    named = dict(granted)  # each as the menu names it: an amount in its canonical text
    us_concessions, concession_cost = 0.0, 0.0
    for cid, level_id in granted.items():
        concession = partner.concession(cid)
        option = concession.option(level_id) if concession else None
        if concession is None or option is None:
            violations.append(
                Limit(
                    kind="concession",
                    partner=code,
                    level=level_id,
                    message=f"{code}: unknown concession or level {cid}={level_id}",
                )
            )
            continue
        named[cid] = option.id
        us_concessions += option.us_value
        concession_cost += option.partner_cost
    violations += _logic_violations(portfolio, partner, level, granted)

    compute_value = sum(partner.value_of(x) for x in compute.values())
    utility = compute_value - concession_cost - security_cost
    threshold = partner.batna + policy.acceptance_margin
    total = sum(compute.values())
    risk = partner.diversion_risk * (1.0 - mitigation) * total
    export_value = policy.export_value_per_h100e * total
    risk_penalty = policy.risk_penalty_per_h100e * risk
    us_value = us_concessions + export_value - risk_penalty
    accepts = utility >= threshold - MONEY_TOL - REL_TOL * abs(threshold)
    return DealFigures(
        partner=code,
        partner_name=partner.name,
        partner_article=partner.article,
        tier=partner.tier,
        security=level,
        compute=compute,
        concessions={
            cid: (True if lv == GRANTED else lv) for cid, lv in _menu_order(partner, named)
        },
        compute_value=compute_value,
        concession_cost=concession_cost,
        security_cost=security_cost,
        partner_utility=utility,
        batna=partner.batna,
        acceptance_threshold=threshold,
        partner_margin=utility - threshold,
        us_concession_value=us_concessions,
        export_value=export_value,
        risk=risk,
        risk_penalty=risk_penalty,
        us_value=us_value,
        us_batna=partner.us_batna,
        us_margin=us_value - partner.us_batna,
        accepts=accepts,
        violations=violations,
    )


def _menu_order(partner: Partner, granted: dict[str, str]) -> list[tuple[str, str]]:
    """Granted concessions in the order of the partner's menu (unknown ids last)."""
    rank = {c.id: i for i, c in enumerate(partner.concessions)}
    return sorted(granted.items(), key=lambda item: rank.get(item[0], len(rank)))


def _compute_violations(
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
        if _over(x, ask, COMPUTE_TOL):
            message = (
                f"{code}: {t} compute {quantity(x)} H100e exceeds its ask of {quantity(ask)} H100e"
            )
            out.append(Limit(kind="ask", limit=ask, message=message, **where))
        cap = portfolio.level_cap(partner, level) if level in portfolio.policy.level_ids else None
        if cap is not None and _over(x, cap, COMPUTE_TOL):
            whose = portfolio.cap_name(partner, level)
            basis = portfolio.cap_basis(partner, level)  # a cap pro-rated from the policy's
            said = f"{quantity(cap)} H100e" + (f" ({basis})" if basis else "")
            message = f"{code}: {t} compute {quantity(x)} H100e exceeds {whose} of {said}"
            out.append(Limit(kind="cap", level=level, limit=cap, message=message, **where))
    return out


def _logic_violations(
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


def check(
    portfolio: Portfolio, packages: Iterable[Package] | Package, *, agreed: Iterable[str] = ()
) -> PortfolioCheck:
    """Check packages together: each deal, then supply and the risk budget (one package
    may be given alone). `agreed`: partners among them whose deals are concluded; a
    supply or risk budget broken says their part of the total (else a counter's "risk
    budget: 18,030 risk-weighted H100e" reads as its own where it carries 17,000)."""
    if isinstance(packages, Package):  # a model iterates as (field, value) pairs
        packages = [packages]
    deals: list[DealFigures] = []
    violations: list[Limit] = []
    seen: set[str] = set()
    for package in packages:
        who = package.partner
        if who in seen:
            message = f"{who} has more than one package"
            violations.append(Limit(kind="package", partner=who, message=message))
            continue
        seen.add(who)
        if portfolio.partner(who) is None:
            message = f"{who} is not a partner of portfolio {portfolio.id}"
            violations.append(Limit(kind="package", partner=who, message=message))
            continue
        deals.append(evaluate(portfolio, package))
    no_deal = [p.code for p in portfolio.partners if p.code not in seen]

    fixed = [d for d in deals if d.partner in set(agreed)]

    def part(amount: float) -> str:  # the concluded deals' share of a total, when they have one
        if amount < 0.5:
            return ""
        deals_word = "deals" if len(fixed) > 1 else "deal"
        who = and_list(d.partner for d in fixed)
        return f" with the {deals_word} concluded with {who} ({quantity(amount)} of it)"

    used = {t: sum(d.compute.get(t, 0.0) for d in deals) for t in portfolio.periods}
    for t in portfolio.periods:
        if _over(used[t], portfolio.supply[t], COMPUTE_TOL):
            theirs = part(sum(d.compute.get(t, 0.0) for d in fixed))
            message = (
                f"supply in {t}: {quantity(used[t])} H100e allocated{theirs}, "
                f"{quantity(portfolio.supply[t])} available"
            )
            violations.append(
                Limit(
                    kind="supply",
                    period=t,
                    limit=portfolio.supply[t],
                    amount=used[t],
                    message=message,
                )
            )
    risk_total = sum(d.risk for d in deals)
    budget = portfolio.risk_budget
    if budget is not None and _over(risk_total, budget, COMPUTE_TOL):
        theirs = part(sum(d.risk for d in fixed))
        message = (
            f"risk budget: {quantity(risk_total)} risk-weighted H100e{theirs}, "
            f"the budget is {quantity(budget)}"
        )
        violations.append(
            Limit(kind="risk-budget", limit=budget, amount=risk_total, message=message)
        )
    objective = sum(d.us_value for d in deals) + sum(
        p.us_batna for p in portfolio.partners if p.code in no_deal
    )
    partner_total = sum(d.partner_utility for d in deals) + sum(
        p.batna for p in portfolio.partners if p.code in no_deal
    )
    return PortfolioCheck(
        deals=deals,
        no_deal=no_deal,
        objective=objective,
        partner_total=partner_total,
        supply_used=used,
        supply=dict(portfolio.supply),
        risk_total=risk_total,
        risk_budget=budget,
        violations=violations,
    )


def reachable(portfolio: Portfolio, amount: float) -> float:
    """`amount` (an ask, a cap) as whole steps can give it: the grid allows each limit
    itself in whole units (one H100e, or one chip when the step is in chips), so an ask
    of 49,898.9 H100e in B200 chips is met at 21,944 chips (49,897.9 H100e)."""
    grid = portfolio.granularity
    if grid.h100e == 0:
        return amount
    return math.floor(amount / grid.unit + 1e-9) * grid.unit


def at_limit(portfolio: Portfolio, amount: float, limit: float) -> bool:
    """Whether `amount` of compute sits on `limit` (an ask, a cap), in whole units."""
    return amount >= reachable(portfolio, limit) - COMPUTE_TOL


class SharedFigures(Protocol):
    """What `used_up` reads: a `PortfolioCheck` or a `SolveResult`."""

    @property
    def deals(self) -> list[DealFigures]: ...
    @property
    def supply(self) -> dict[str, float]: ...
    @property
    def supply_used(self) -> dict[str, float]: ...
    @property
    def risk_total(self) -> float: ...
    @property
    def risk_budget(self) -> float | None: ...


def used_up(
    portfolio: Portfolio, figures: SharedFigures, step: float | None = None
) -> tuple[list[str], bool]:
    """The periods whose supply, and whether the risk budget, the packages leave no room in.

    A shared limit is used up when the packages use all of it (within the checker's
    tolerance), or when what they leave is less than one step of the portfolio's
    granularity takes (of supply; of risk, for the deal in question) while a deal short
    of its ask and cap would take more than is left: compute is decided in whole steps
    (or the full ask), so that remainder cannot be given, and the limit is what holds the
    deal back. A period without supply is used up when a deal would take some in it (its
    ask and cap allow it): nothing else holds that deal's compute there at 0. `solve`'s
    binding limits, the documents and the no-deal reasons read this.

    `step`: the step the packages' compute is in (H100e; 0: unrounded), where a solve put
    it on a finer grid than the portfolio's because the declared steps did not fit (a
    solve's `SolveResult.compute_step`); None: the portfolio's. One more step of the
    declared grid may exceed what is left where one of the schedule's does not (ridge's
    budget, 8.9 left: 22.7 risk-weighted H100e for 250 B200 chips of LB, 2.3 for 25).
    """
    step = portfolio.granularity.h100e if step is None else step

    def room(deal: DealFigures, t: str) -> float:
        """How much more `deal` could take in `t` under its ask and its cap."""
        partner = portfolio.partner(deal.partner)
        if partner is None:
            return 0.0
        top = portfolio.ask(partner, t)
        cap = portfolio.level_cap(partner, deal.security)
        if cap is not None:
            top = min(top, cap)
        return max(reachable(portfolio, top) - deal.compute.get(t, 0.0), 0.0)

    supply = []
    for t, limit in figures.supply.items():
        left = limit - figures.supply_used.get(t, 0.0)
        exact = in_full(limit, figures.supply_used.get(t, 0.0)) and (
            limit > 0 or any(room(d, t) > COMPUTE_TOL for d in figures.deals)
        )
        held = 0 < left < step and any(room(d, t) > left + COMPUTE_TOL for d in figures.deals)
        if exact or held:
            supply.append(t)
    budget = figures.risk_budget
    risk = False
    if budget is not None and budget > 0:
        left = budget - figures.risk_total
        risk = in_full(budget, figures.risk_total)
        for deal in figures.deals:
            weight = deal.risk / deal.total_compute if deal.total_compute > 0 else 0.0
            if any(
                weight * room(deal, t) > left + COMPUTE_TOL and weight * step > left
                for t in deal.compute
            ):
                risk = True
    return supply, risk


def risk_used_up_line(budget: float, risk_total: float) -> str:
    """The sentence for a risk budget `used_up` says is used up: the budget alone where the
    deals carry all of it, else what they carry of it and why the rest is out of reach."""
    if budget - risk_total < 0.5:
        return f"The risk budget is used up ({quantity(budget)} risk-weighted H100e)."
    return (
        f"The risk budget is used up: the deals carry {quantity(risk_total)} of its {quantity(budget)} "
        "risk-weighted H100e, and one more step of a deal that wants more would take more "
        "than is left."
    )


def _refusal(deal: DealFigures) -> str:
    return (
        f"{deal.partner} would not accept: its utility from the deal, {usd(deal.partner_utility)}, "
        f"is below its walk-away value plus margin, {usd(deal.acceptance_threshold)}"
    )
