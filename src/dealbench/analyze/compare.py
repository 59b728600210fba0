"""Compare one portfolio across regimes: the same partners, supply and horizon, each
regime's caps, security levels and risk budget.

Every figure comes from the results' checked deals (`check`), never from solver
variables. `compare` solves the regimes through an executor (in parallel when
asked) and returns a `Comparison`: one row per regime, one per partner.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.limits import decided_by_each
from dealbench.analyze.parallel import Executor, an_executor
from dealbench.analyze.scenarios import apply_overrides
from dealbench.analyze.solves import (
    NONE_FOUND,
    Chain,
    SolveOptions,
    chain_cost,
    chains,
    found_deals,
    run_chain,
    solve_options,
)
from dealbench.arguments import given_briefly, zero_or_more
from dealbench.errors import ArgumentError
from dealbench.limit import Limit
from dealbench.list_words import and_list
from dealbench.model.arguments import a_portfolio
from dealbench.model.overrides import override_sets
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.model.regimes import find_regime, replaced_caps_note, under_regime
from dealbench.optimize import SolveResult
from dealbench.render.filters import money
from dealbench.result_words import MAX_EXPLAINED

__all__ = [
    "Comparison",
    "PartnerCell",
    "PartnerRow",
    "RegimeRow",
    "compare",
    "explained",
    "ranked",
    "regime_row",
    "under_each",
]


class RegimeRow(BaseModel):
    """One regime's outcome for the whole portfolio (USD; compute in H100e)."""

    model_config = ConfigDict(frozen=True)

    regime: str
    title: str
    status: str
    message: str = ""
    #: None, as every figure, for a regime stopped or refused before any deal (`compare
    #: --json` said `deals: 0` beside `us_value: null`).
    deals: int | None = None
    partners: list[str] = Field(default_factory=list)
    no_deal: list[str] = Field(default_factory=list)
    compute: dict[str, float] = Field(default_factory=dict, description="Exported per period")
    compute_total: float | None = Field(default=None, description="None: no figures")
    us_value: float | None = Field(default=None, description="US utility V (the objective)")
    # A regime stopped or refused before any deal has no figures: None, shown "n/a" (its
    # parts were 0.0, printed "$0" beside the utility's "n/a").
    concessions: float | None = None
    export_value: float | None = None
    risk_cost: float | None = None
    risk_penalty: float = Field(
        default=0.0, description="The regime's cost to the US of one risk-weighted H100e (USD)"
    )
    no_deal_losses: float | None = Field(default=None, description="Sum of us_batna where no deal")
    partner_surplus: float | None = Field(
        default=None, description="Sum of partner utility over BATNA"
    )
    risk_total: float | None = None
    risk_budget: float | None = None
    binding: list[Limit] = Field(default_factory=list)
    seconds: float = 0.0


class PartnerCell(BaseModel):
    model_config = ConfigDict(frozen=True)

    deal: bool
    security: str | None = None
    compute: float = 0.0
    schedule: dict[str, float] = Field(
        default_factory=dict, description="Compute per period (H100e); `compute` is its sum"
    )
    concessions: list[str] = Field(default_factory=list)
    us_value: float = Field(description="V_p with a deal, us_batna without")
    partner_surplus: float = 0.0
    risk: float = 0.0
    decided_by: str


class PartnerRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    tier: int
    regimes: dict[str, PartnerCell]


class Comparison(BaseModel):
    """A portfolio under several regimes, figures from `check`."""

    model_config = ConfigDict(frozen=True)

    portfolio: str
    title: str
    periods: list[str]
    overrides: dict[str, Any] = Field(default_factory=dict)
    regimes: list[RegimeRow]
    partners: list[PartnerRow]
    best: str | None = Field(
        description="The regime with the highest US utility; None unless two or more were "
        "solved (one alone has nothing to be highest among)"
    )
    tied: list[str] = Field(
        default_factory=list,
        description="Other regimes with exactly as much US utility (within the solves' precision)",
    )
    fingerprint: str
    executor: str = "serial"
    notes: list[str] = Field(
        default_factory=list,
        description="What reading the comparison needs (a portfolio's own caps, kept only "
        "under its own regime)",
    )

    def row(self, regime: str) -> RegimeRow:
        return next(r for r in self.regimes if r.regime == regime)


def ranked(rows: Sequence[RegimeRow]) -> list[RegimeRow]:
    """The solved regimes, highest US utility first; regimes of exactly one utility keep
    the order they were named in (the table's columns), so `compare`'s best, the tables
    and the options memo lead with the same one."""
    return sorted((r for r in rows if r.us_value is not None), key=lambda r: -(r.us_value or 0.0))


def tie(us_value: float | None) -> float:
    """USD within which two regimes do exactly as well (the solves' precision)."""
    return max(1e6, 1e-6 * abs(us_value or 0.0))


def under_each(
    portfolio: Portfolio, policies: Sequence[Policy], overrides: Mapping[str, Any]
) -> list[Portfolio]:
    """`portfolio` under each policy, then `overrides`. An override some regime refuses
    and another takes (a cap per level in bilateral, one cap for all in monopoly) names
    the regime that refuses it: else the user looks for the fault in the wrong file."""
    out: list[Portfolio] = []
    refused: list[tuple[Policy, ArgumentError]] = []
    for policy in policies:
        try:
            out.append(apply_overrides(under_regime(portfolio, policy), overrides))
        except ArgumentError as exc:
            refused.append((policy, exc))
    if not refused:
        return out
    policy, first = refused[0]
    if len(refused) == len(policies):  # no regime takes it: the path or value itself
        raise first
    where = f"under the {policy.id} regime"
    more = [(i.field, f"{where}, {i.message}") for i in first.issues[1:]]
    raise ArgumentError(
        first.argument, f"{where}, {first.message}", first.issues[0].field, more=more
    ) from None


def refuse_shared_ids(
    given: Sequence[Policy | str | os.PathLike[str]],
    read: Sequence[Policy],
    option: str = "policies",
) -> None:
    """Refuse regimes of one id, naming what was `given` for each (a name or a file) and
    what to do: a comparison names each regime by its id (its column, its files)."""
    ids = [p.id for p in read]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if not twice:
        return
    names = [g if isinstance(g, str | os.PathLike) else f"a Policy of id {g.id}" for g in given]
    sharing = {
        same: [str(n) for n, i in zip(names, ids, strict=True) if i == same] for same in twice
    }
    said = "; ".join(
        f"{and_list(named)} {'both' if len(named) == 2 else 'all'} have the id {same}"
        for same, named in sharing.items()
    )
    raise ArgumentError(
        option,
        f"{said}: a comparison names each regime by its id, so give all but one of them "
        "another `id:` in its file",
    )


def compare(
    portfolio: Portfolio,
    policies: Sequence[Policy | str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    overrides: Mapping[str, Any] | Iterable[str] | str | None = None,
    options: SolveOptions | None = None,
    executor: Executor | None = None,
    progress: Any = None,
    explain: bool = False,
    limit: int | None = MAX_EXPLAINED,
) -> tuple[Comparison, dict[str, tuple[Portfolio, SolveResult]]]:
    """Solve `portfolio` under each policy (overrides applied after the regime change).

    `policies`: `Policy` objects, or regime names (`REGIMES`: tiered, monopoly, repeal,
    bilateral) and policy files (a str or a path), read by `find_regime`. `overrides`: as
    `apply_overrides` takes them (a mapping of path to value, or `--set`'s PATH=VALUE
    texts); `options`: a `SolveOptions` (mode, solver, time limit, gap), each regime's
    solve's; `executor`: where the solves run (`make_executor`; None: here, in turn).

    Returns the comparison and, per regime id, the portfolio solved and its result
    (for documents and result files). `explain`: each result carries why its partners
    without a deal have none (`explained`), worked out where it was solved and read by
    the table's words, which otherwise work out part of it for themselves; `limit`: how
    many partners without a deal each explains (None: every one, `compare --explain-all`),
    as `no_deal_reasons` counts them.

    Raises ArgumentError naming the argument at fault before any solve (an unknown
    regime, an override some regime refuses: the regime named).
    """
    portfolio = a_portfolio(portfolio)
    limit = zero_or_more(limit, "limit", "partners to explain")  # before any solve
    options = solve_options(options)
    ex = an_executor(executor)
    overrides = override_sets(overrides, "overrides")
    given = policies
    if isinstance(policies, str | os.PathLike | Policy):  # one alone, not letter by letter
        policies = [policies]
    listed = isinstance(policies, Iterable) and not isinstance(policies, Mapping | bytes)
    policies = list(policies) if listed else []
    if not listed or not all(isinstance(p, Policy | str | os.PathLike) for p in policies):
        raise ArgumentError(  # a number was a TypeError, one in a list pathlib's
            "policies",
            "expected regime names, policy files or Policy objects (a list, or one alone), "
            f"got {given_briefly(given)}",
        )
    if not policies:
        raise ArgumentError("policies", "expected at least one policy (or regime name) to compare")
    read = [p if isinstance(p, Policy) else find_regime(p, option="policies") for p in policies]
    refuse_shared_ids(policies, read)
    portfolios = under_each(portfolio, read, overrides)
    # Each regime's rows are made where it was solved: in parallel, as the solves are.
    work = chains(portfolios, options, size=1)
    task = partial(explained_table, limit=limit) if explain else solved_table
    tabled = [t for batch in ex.map(task, work, progress, cost=chain_cost) for t in batch]
    tables = {p.policy.id: (p, t) for p, t in zip(portfolios, tabled, strict=True)}
    solved = {rid: (p, t.result) for rid, (p, t) in tables.items()}
    rows = [t.row for _, t in tables.values()]
    partners = [
        PartnerRow(
            code=partner.code,
            name=partner.name,
            tier=partner.tier,
            regimes={rid: t.cells[partner.code] for rid, (_, t) in tables.items()},
        )
        for partner in portfolio.partners
    ]
    ok = ranked(rows)
    # Highest of one is no finding: `compare --regimes monopoly` starred monopoly as the
    # "Highest US utility" (the options memo says "Only ... was solved").
    top = ok[0] if len(ok) > 1 else None
    best = top.regime if top else None
    tied = [
        r.regime
        for r in ok
        if top is not None
        and r is not top
        and (top.us_value or 0.0) - (r.us_value or 0.0) <= tie(top.us_value)
    ]
    comparison = Comparison(
        portfolio=portfolio.id,
        title=portfolio.title,
        periods=list(portfolio.periods),
        overrides={k: str(v) for k, v in overrides.items()},
        regimes=rows,
        partners=partners,
        best=best,
        tied=tied,
        fingerprint=_fingerprint(list(solved.values())),
        executor=ex.describe(),
        notes=_caps_notes(portfolio, read, overrides) + _price_notes(rows),
    )
    return comparison, solved


def _caps_notes(
    portfolio: Portfolio, policies: Sequence[Policy], overrides: Mapping[str, Any]
) -> list[str]:
    """Where the portfolio's own partner caps were dropped (`under_regime`: they belong to
    its regime), said, or a reader takes every column for the caps the portfolio wrote."""
    set_here = {key.split(".")[2] for key in overrides if key.startswith("portfolio.caps.")}
    codes = sorted(code for code in portfolio.caps if code not in set_here)
    others = [p.id for p in policies if p.id != portfolio.policy.id]
    if not codes or not others:
        return []
    return [replaced_caps_note(codes, portfolio.policy.id, others)]


def _price_notes(rows: Sequence[RegimeRow]) -> list[str]:
    """Where the regimes put different prices on risk, said: each one's US utility counts
    its risk at its own price, so a regime that prices risk lower leads by that alone,
    with the same packages."""
    prices: dict[float, list[str]] = {}
    for r in ranked(rows):
        prices.setdefault(r.risk_penalty, []).append(r.regime)
    if len(prices) < 2:
        return []
    each = "; ".join(f"{and_list(ids)} at {money(price)}" for price, ids in sorted(prices.items()))
    return [
        f"The regimes price risk differently ({each} per risk-weighted H100e): their US "
        "utilities differ by that price as well as by their packages "
        "(one value of policy.risk_penalty_per_h100e, set for the whole comparison, "
        "compares them at one price)."
    ]


@dataclass(frozen=True)
class Table:
    """One regime's result and its lines in the comparison's tables."""

    result: SolveResult
    row: RegimeRow
    cells: dict[str, PartnerCell]


def explained(
    solved: dict[str, tuple[Portfolio, SolveResult]], limit: int | None = MAX_EXPLAINED
) -> dict[str, tuple[Portfolio, SolveResult]]:
    """Each regime's result carrying why its partners without a deal have none, as `solve`
    carries it (`optimize.explain.no_deal_reasons`): for the files and documents
    `compare --out` writes, which say that one reason (the table's words are read apart,
    `analyze.limits.decided_by`). A result that carries its reasons already (`compare(...,
    explain=True)`) is kept as it is: nothing is explained twice."""
    return {rid: (pf, explain_one(pf, result, limit)) for rid, (pf, result) in solved.items()}


def explain_one(
    pf: Portfolio, result: SolveResult, limit: int | None = MAX_EXPLAINED
) -> SolveResult:
    """`result` carrying why its partners without a deal have none (the first `limit`;
    the others named as not explained), unless it does (or has no
    packages to explain)."""
    from dealbench.optimize.explain.no_deal import no_deal_reasons

    if result.us_value is None or result.no_deal_reasons is not None:
        return result
    return result.explained(no_deal_reasons(pf, result, limit=limit), pf)


def solved_table(chain: Chain) -> list[Table]:
    """Solve the chain's portfolios and make their table lines (a task for an executor)."""
    return [table(pf, r) for pf, r in zip(chain.portfolios, run_chain(chain), strict=True)]


def explained_table(chain: Chain, limit: int | None = MAX_EXPLAINED) -> list[Table]:
    """`solved_table`, each result explained first (`explain_one`, in the worker that
    solved it): the table's words read its reasons (`limits._remedy_words`) rather than
    explaining the partners the caps or supply keep out a second time."""
    solved = zip(chain.portfolios, run_chain(chain), strict=True)
    return [table(pf, explain_one(pf, r, limit)) for pf, r in solved]


def table(pf: Portfolio, result: SolveResult) -> Table:
    """`result`'s row and its cell for each partner of `pf`."""
    reasons = decided_by_each(pf, result)
    cells = {p.code: _cell(pf, result, p.code, reasons[p.code]) for p in pf.partners}
    return Table(result, regime_row(pf, result), cells)


def regime_row(pf: Portfolio, result: SolveResult) -> RegimeRow:
    """A result's figures, summed the way the comparison table shows them."""
    head = {
        "regime": pf.policy.id,
        "title": pf.policy.title,
        "status": result.status.value,
        "seconds": result.solver.seconds,
        "risk_penalty": pf.policy.risk_penalty_per_h100e,
    }
    if not found_deals(result):
        return RegimeRow(**head, message=result.message or NONE_FOUND)
    deals = result.deals
    compute = {t: sum(d.compute.get(t, 0.0) for d in deals) for t in result.periods}
    return RegimeRow(
        **head,
        deals=len(deals),
        partners=[d.partner for d in deals],
        no_deal=list(result.no_deal),
        compute=compute,
        compute_total=sum(compute.values()),
        us_value=result.us_value,
        concessions=sum(d.us_concession_value for d in deals),
        export_value=sum(d.export_value for d in deals),
        risk_cost=sum(d.risk_penalty for d in deals),
        no_deal_losses=sum(p.us_batna for p in pf.partners if p.code in result.no_deal),
        partner_surplus=sum(d.partner_utility - d.batna for d in deals),
        risk_total=result.risk_total,
        risk_budget=result.risk_budget,
        binding=list(result.binding),
    )


def _cell(pf: Portfolio, result: SolveResult, code: str, reason: str) -> PartnerCell:
    deal = result.deal(code)
    partner = pf.partner(code)
    assert partner is not None
    if deal is None:
        return PartnerCell(deal=False, us_value=partner.us_batna, decided_by=reason)
    return PartnerCell(
        deal=True,
        security=deal.security,
        compute=deal.total_compute,
        schedule=dict(deal.compute),
        concessions=[c if v is True else f"{c}={v}" for c, v in deal.concessions.items()],
        us_value=deal.us_value,
        partner_surplus=deal.partner_utility - deal.batna,
        risk=deal.risk,
        decided_by=reason,
    )


def _fingerprint(solved: list[tuple[Portfolio, SolveResult]]) -> str:
    import hashlib

    text = "\n".join(f"{pf.fingerprint()}:{res.fingerprint}" for pf, res in solved)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
