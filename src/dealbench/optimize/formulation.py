"""The PuLP problem of the plain model and its index (`Formulation`): the variables by
domain key, every constraint's name mapped to a `Row` naming the domain objects it is
about, and the expressions the objectives and acceptance rows share. Money is in USD
billions and compute in thousands of H100e inside the model (`MONEY`, `COMPUTE`), so
coefficients stay near 1; names are built from `[A-Za-z0-9_]` (`safe_name`).
The constraint families are added in `formulate`, the objectives in `objectives`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pulp

from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio

MONEY = 1e9  # USD per model unit


COMPUTE = 1e3  # H100e per model unit


Mode = Literal["us-best", "partner-best", "nash", "kalai"]


MODES: tuple[Mode, ...] = ("us-best", "partner-best", "nash", "kalai")


@dataclass(frozen=True)
class Row:
    """What one constraint is about, in domain terms."""

    family: str
    partner: str | None = None
    period: str | None = None
    level: str | None = None
    concession: str | None = None


@dataclass
class Formulation:
    """A PuLP problem and the index from domain objects to its variables and rows."""

    portfolio: Portfolio
    mode: Mode
    problem: pulp.LpProblem
    z: dict[str, pulp.LpVariable] = field(default_factory=dict)
    s: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    g: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    x: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    w: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    y: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    #: The model's objective is (objective in USD - offset) / MONEY.
    offset: float = 0.0

    def add(self, constraint: pulp.LpConstraint, name: str, row: Row) -> None:
        name = _unique(safe_name(name), self.rows)
        self.problem += constraint, name
        self.rows[name] = row

    # Expressions shared by the objectives and the acceptance rows --------------------

    def deal_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """D[p] in model units: value of compute - cost of concessions - security cost."""
        terms: dict[pulp.LpVariable, float] = {}
        for t in self.portfolio.periods:
            for j, (_, value) in enumerate(p.segments):
                var = self.y.get((p.code, t, j))
                if var is not None:
                    terms[var] = value * COMPUTE / MONEY
        for c in p.concessions:
            for o in c.choices:
                terms[self.g[p.code, c.id, o.id]] = -o.partner_cost / MONEY
        for k in self.portfolio.levels_for(p):
            terms[self.s[p.code, k]] = -p.security_costs[k] / MONEY
        return affine(terms)

    def us_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """V[p] - us_batna[p] in model units (the constant us_batna is in `offset`)."""
        policy = self.portfolio.policy
        terms: dict[pulp.LpVariable, float] = {}
        for c in p.concessions:
            for o in c.choices:
                terms[self.g[p.code, c.id, o.id]] = o.us_value / MONEY
        export = policy.export_value_per_h100e * COMPUTE / MONEY
        for t in self.portfolio.periods:
            if (p.code, t) in self.x:
                terms[self.x[p.code, t]] = export
        penalty = policy.risk_penalty_per_h100e * COMPUTE / MONEY
        for var, weight in self._weighted_deliveries(p):
            terms[var] = -penalty * weight
        terms[self.z[p.code]] = -p.us_batna / MONEY
        return affine(terms)

    def risk_terms(self, p: Partner) -> pulp.LpAffineExpression:
        """R[p] in thousands of risk-weighted H100e."""
        return affine(dict(self._weighted_deliveries(p)))

    def _weighted_deliveries(self, p: Partner) -> list[tuple[pulp.LpVariable, float]]:
        out = []
        for k in self.portfolio.levels_for(p):
            weight = self.risk_weight(p, k)
            for t in self.portfolio.periods:
                var = self.w.get((p.code, t, k))
                if var is not None:
                    out.append((var, weight))
        return out

    def risk_weight(self, p: Partner, level: str) -> float:
        return p.diversion_risk * (1.0 - self.portfolio.policy.level(level).mitigation)


def affine(terms: dict[pulp.LpVariable, float]) -> pulp.LpAffineExpression:
    """An expression from {variable: coefficient}, in bulk, on PuLP 3 and PuLP 4 alike."""
    from_dict = getattr(pulp.LpAffineExpression, "from_dict", None)  # PuLP 4
    return from_dict(terms) if from_dict is not None else pulp.LpAffineExpression(terms)


_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def safe_name(name: str) -> str:
    return _UNSAFE.sub("_", name)


def _unique(name: str, taken: dict[str, Row]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"
