"""One package's figures recomputed and the limits it breaks: `evaluate`, `DealFigures`."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from dealbench.checker.deal_limits import (
    compute_violations,
    logic_violations,
    period_violations,
    security_violations,
)
from dealbench.checker.tolerance import MONEY_TOL, REL_TOL
from dealbench.errors import ArgumentError
from dealbench.limit import Limit, limits_from_details
from dealbench.model.arguments import a_package, a_portfolio
from dealbench.model.concession import GRANTED
from dealbench.model.names import Article, in_text
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio


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


def evaluate(portfolio: Portfolio, package: Package) -> DealFigures:
    """Recompute one package's figures and list every limit of its own it breaks: its
    partner's caps and asks, the concessions' logic and amounts, acceptance. The limits
    it shares with the other deals (supply, the risk budget) are the portfolio's: `check`
    weighs them over every deal (the CLI's `evaluate` reports both)."""
    a_portfolio(portfolio)
    a_package(package)
    partner = portfolio.partner(package.partner)
    if partner is None:
        raise ArgumentError("partner", portfolio.unknown_partner(package.partner))
    policy = portfolio.policy
    code = partner.code

    level = package.security
    violations = security_violations(portfolio, partner, level)
    mitigation = policy.level(level).mitigation if level in policy.level_ids else 0.0
    security_cost = partner.security_costs.get(level, 0.0)

    compute = {t: float(package.compute.get(t, 0.0)) for t in portfolio.periods}
    violations += compute_violations(portfolio, partner, level, compute)
    violations += period_violations(portfolio, code, package.compute)

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
    violations += logic_violations(portfolio, partner, level, granted)

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
