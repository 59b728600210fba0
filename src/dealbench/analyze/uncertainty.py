"""Uncertainty: how likely a partner is to accept a package, and what it is then worth.

A partner's `batna`, the values of its `value_per_h100e`, its `diversion_risk`
and its concessions' `partner_cost` may be distributions
(`dealbench.model.distributions`). For a fixed package every figure of the
deal is linear in them, so N samples are evaluated at once with numpy (no
solver per sample): the partner's utility from the terms against its
walk-away value (acceptance, with the checker's tolerance), the US value and
the risk. Where the partner refuses, the US gets its no-deal value and bears
no risk.

Samples are drawn in chunks of `CHUNK`, chunk c from its own seed sequence
(seed, partner, c), so the numbers depend on the seed alone: not on where the
chunks run (`jobs` processes, or a Dask cluster's workers: an `Executor`, as a
sweep's solves run).
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.cluster import SAMPLING
from dealbench.analyze.parallel import Executor, an_executor
from dealbench.arguments import at_least_one, sample_count, seed_of
from dealbench.checker import check, evaluate
from dealbench.checker.tolerance import MONEY_TOL, REL_TOL, compute_limit_reach
from dealbench.errors import ArgumentError
from dealbench.figures import quantity
from dealbench.limit import messages
from dealbench.model.arguments import a_package, a_portfolio, partner_code
from dealbench.model.concession import Concession, ConcessionLevel
from dealbench.model.distributions import distribution_of
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.model.uncertain import short as _short
from dealbench.model.uncertain import uncertain_figures as model_uncertain_figures

F64 = NDArray[np.float64]
Progress = Callable[[int, int], None]

#: Samples per chunk (each chunk has its own seed, so results do not depend on `jobs`).
CHUNK = 8192
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BINS = 10


@dataclass(frozen=True)
class Samples:
    """Per sample: does the partner accept, its slack over the threshold (USD), and what
    the US gets and the risk it bears (a refusal: the no-deal value, no risk)."""

    accepts: NDArray[np.bool_]
    slack: F64
    us_value: F64
    risk: F64
    us_value_if_accepted: F64


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Histogram(Frozen):
    edges: list[float]
    counts: list[int]


class Summary(Frozen):
    mean: float
    quantiles: dict[str, float] = Field(description="'5%' -> value, ...")
    histogram: Histogram


class Probability(Frozen):
    estimate: float
    standard_error: float


def accept_said(partner: str, p: Probability) -> tuple[str, str]:
    """An acceptance share as `risk` says it, the figure and what follows it: "53.1%",
    "(standard error 0.5%)"; a share of none or all is no estimate to put an error beside:
    "0%", "(TR refuses in every sample)" (as a sampled limit held in every sample reads)."""
    if p.estimate <= 0:
        return "0%", f"({partner} refuses in every sample)"
    if p.estimate >= 1:
        return "100%", f"({partner} accepts in every sample)"
    return f"{p.estimate:.1%}", f"(standard error {p.standard_error:.1%})"


class Figure(Frozen):
    """One uncertain figure of the partner, as written."""

    field: str
    distribution: str
    mean: float


class SampledLimit(Frozen):
    """A shared limit that the package alone breaks in some samples: the risk budget, where
    the partner's diversion risk is drawn."""

    kind: str = Field(description="'risk-budget'")
    limit: float = Field(description="The limit (risk-weighted H100e)")
    #: Above this drawn diversion risk the package alone breaks the limit.
    threshold: float = Field(
        description="The diversion risk above which it is broken (above 1: none breaks it, "
        "a diversion risk being a share)"
    )
    probability: Probability = Field(
        description="Share of all samples in which the partner accepts and the package "
        "alone breaks the limit (a refusal bears no risk)"
    )
    broken_at_means: bool = Field(
        default=False,
        description="Whether the package at the figures' means breaks it, as `evaluate` "
        "checks it (the exit code's 3)",
    )
    message: str

    def sentence(self) -> str:
        """The message as the terminal and the web's risk page say it: a sentence, with
        the share's standard error where some sample breaks the limit."""
        said = f"{self.message[:1].upper()}{self.message[1:]}"
        if self.probability.estimate > 0:
            said += f" (standard error {self.probability.standard_error:.1%})"
        if self.broken_at_means:
            said += "; at the figures' means it exceeds it too, as evaluating the package finds"
        return said + "."


class RiskReport(Frozen):
    """`dealbench risk`: acceptance, and the distributions of US value and risk in a deal."""

    partner: str
    security: str
    samples: int
    seed: int
    accept_probability: Probability
    us_value: Summary | None = Field(description="US value (USD) in the samples that accept")
    risk: Summary | None = Field(description="Risk-weighted H100e in the samples that accept")
    expected_us_value: float = Field(
        description="Mean over all samples; a refusal counts at the US's no-deal value"
    )
    expected_risk: float = Field(description="Mean over all samples; a refusal bears no risk")
    at_means: dict[str, float | bool] = Field(description="The package at the figures' means")
    uncertain: list[Figure]
    violations: list[str] = Field(
        default_factory=list,
        description="Limits the package breaks, whatever the samples (as `evaluate` checks); "
        "a limit in `sampled_limits` is said there",
    )
    sampled_limits: list[SampledLimit] = Field(
        default_factory=list,
        description="Limits it breaks in some samples only: the risk budget, where the "
        "partner's diversion risk is a distribution (alone, as `violations`)",
    )


def uncertain_figures(partner: Partner) -> list[Figure]:
    """Every figure of a partner given as a distribution."""
    return [
        Figure(field=f.field, distribution=f.distribution, mean=f.mean)
        for f in model_uncertain_figures(partner)
    ]


def uncertainty_notes(portfolio: Portfolio, *others: Portfolio) -> list[str]:
    """What deterministic commands say when some figures are distributions, each once.
    `others`: the portfolios solved beside it (a comparison's regimes, a sweep's scenarios),
    where an override can make a figure a distribution that `portfolio` has as a number (a
    scenario `{partners.PB.batna: {dist: uniform, ...}}` was counted at its mean unsaid)."""
    return [note["message"] for note in uncertainty_json(portfolio, *others)]


def uncertainty_json(portfolio: Portfolio, *others: Portfolio) -> list[dict[str, Any]]:
    """`uncertainty_notes` for scripts (`solve --json`'s `uncertain`): one object per figure
    given as a distribution, each once, with its partner, field, distribution and the mean
    the deterministic figures use, and the sentence the text output prints (`message`)."""
    out: dict[str, dict[str, Any]] = {}
    for pf in (portfolio, *others):
        for p in pf.partners:
            for f in uncertain_figures(p):
                message = (
                    f"{p.code} {f.field} is uncertain ({f.distribution}); "
                    f"deterministic results use its mean, {_short(f.mean)}"
                )
                out.setdefault(
                    message,
                    {
                        "partner": p.code,
                        "field": f.field,
                        "distribution": f.distribution,
                        "mean": f.mean,
                        "message": message,
                    },
                )
    return list(out.values())


def sample_package(
    portfolio: Portfolio,
    package: Package,
    samples: int,
    seed: int,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Samples:
    """Evaluate `package` under `samples` draws of its partner's uncertain figures, the
    chunks run by `executor` (else on `jobs` processes): the same numbers wherever."""
    _of_its_partner(portfolio, package)
    sizes = [min(CHUNK, samples - start) for start in range(0, samples, CHUNK)]
    tasks = [(portfolio, package, seed, c, n) for c, n in enumerate(sizes)]
    if executor is None:
        executor = Executor("processes" if jobs > 1 else "serial", max(1, jobs))
    executor = an_executor(executor)
    # Its messages (a worker died, a cluster without workers) say what runs: samples.
    parts = replace(executor, work=SAMPLING).map(_task, tasks, progress)
    return Samples(
        *(
            np.concatenate([getattr(p, name) for p in parts])
            for name in Samples.__dataclass_fields__
        )
    )


def _of_its_partner(portfolio: Portfolio, package: Package) -> None:
    """An ArgumentError unless `package` is one its partner could sign in `portfolio`:
    a security level of the regime, concessions and levels of the partner's, the
    portfolio's periods (as `load_package` checks a file). Built in Python with security
    `tier9`, it was a ValueError from the sampling; with another partner's concession, an
    acceptance probability of 1 that said nothing of it (qa44-library)."""
    from dealbench.model.package_rules import problems_in

    partner = portfolio.partner(partner_code(portfolio, a_package(package).partner))
    assert partner is not None  # `partner_code` refuses a code the portfolio has not
    problems = problems_in(package, partner, portfolio)
    said = [(".".join(map(str, loc)), message) for loc, message in problems]
    if said:
        (field, message), *more = said
        raise ArgumentError("package", message, field, more=more)


def _task(task: tuple[Portfolio, Package, int, int, int]) -> Samples:
    return _chunk(*task)


def _chunk(portfolio: Portfolio, package: Package, seed: int, chunk: int, n: int) -> Samples:
    partner = portfolio.partner(package.partner)
    if partner is None:
        raise ArgumentError(
            "partner", f"partner {package.partner!r} is not in portfolio {portfolio.id}"
        )
    key = zlib.crc32(partner.code.encode())
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, chunk)))
    return evaluate_samples(portfolio, package, rng, n)


def draw(value: float, rng: np.random.Generator, n: int) -> F64:
    """n draws of a figure (a plain number is the same in every sample)."""
    dist = distribution_of(value)
    return np.full(n, float(value)) if dist is None else dist.sample(rng, n)


def _cost_draws(
    concession: Concession, option: ConcessionLevel, rng: np.random.Generator, n: int
) -> F64:
    """n draws of what granting `option` costs the partner. An amount between two levels of
    a range is valued on the straight line between them, so its cost is drawn from theirs:
    the interpolated figure `option` carries is the line between their means."""
    if option in concession.options or option.amount is None:
        return draw(option.partner_cost, rng, n)
    for (a0, _, c0), (a1, _, c1) in itertools.pairwise(concession.points):
        if a0 < option.amount < a1:
            share = (option.amount - a0) / (a1 - a0)
            return (1.0 - share) * draw(c0, rng, n) + share * draw(c1, rng, n)
    return draw(option.partner_cost, rng, n)


def evaluate_samples(
    portfolio: Portfolio, package: Package, rng: np.random.Generator, n: int
) -> Samples:
    """The package's figures under n draws (order: batna, diversion risk, values, costs)."""
    partner = portfolio.partner(package.partner)
    assert partner is not None
    policy = portfolio.policy
    at_means = evaluate(portfolio, package)  # the shape checks and deterministic parts
    compute = [float(package.compute.get(t, 0.0)) for t in portfolio.periods]
    total = sum(compute)

    batna = draw(partner.batna, rng, n)
    diversion = draw(partner.diversion_risk, rng, n)
    value = np.zeros(n)
    start = 0.0
    for width, v in partner.segments:
        filled = sum(min(max(x - start, 0.0), width) for x in compute)
        per_unit = draw(v, rng, n)
        if filled > 0:
            value += filled * per_unit
        start += width
    cost = np.full(n, at_means.security_cost)
    for cid, level_id in package.granted().items():
        concession = partner.concession(cid)
        option = concession.option(level_id) if concession else None
        if concession is not None and option is not None:
            cost += _cost_draws(concession, option, rng, n)

    threshold = batna + policy.acceptance_margin
    slack = value - cost - threshold
    accepts = slack >= -(MONEY_TOL + REL_TOL * np.abs(threshold))
    mitigation = policy.level(package.security).mitigation
    risk = diversion * (1.0 - mitigation) * total
    us_value = (
        at_means.us_concession_value
        + policy.export_value_per_h100e * total
        - policy.risk_penalty_per_h100e * risk
    )
    return Samples(
        accepts=accepts,
        slack=slack,
        us_value=np.where(accepts, us_value, partner.us_batna),
        risk=np.where(accepts, risk, 0.0),
        us_value_if_accepted=us_value,
    )


def risk_report(
    portfolio: Portfolio,
    package: Package,
    samples: int = 10_000,
    seed: int = 0,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> RiskReport:
    """Acceptance probability (with its standard error) and the distributions of what the
    US gets and the risk it bears, over `samples` draws seeded by `seed`. The samples'
    chunks run on `jobs` processes, or where `executor` runs things (a Dask cluster:
    `make_executor(None, "dask", address)`); the numbers are the same."""
    portfolio = a_portfolio(portfolio)
    sample_count(samples)
    seed_of(seed)
    at_least_one(jobs, "jobs")
    partner = portfolio.partner(partner_code(portfolio, a_package(package).partner))
    assert partner is not None  # `partner_code` refuses a code the portfolio has not
    drawn = sample_package(
        portfolio, package, samples, seed, jobs=jobs, executor=executor, progress=progress
    )
    p = float(drawn.accepts.mean())
    accepted = drawn.accepts
    deal = evaluate(portfolio, package)
    # Alone against the portfolio, as `evaluate` checks it: its own limits, and supply
    # and the risk budget as if it were the only deal.
    alone = check(portfolio, [package])
    # A limit the samples decide (the risk budget under a drawn diversion risk) is said
    # with its share of samples, not among those broken whatever the samples.
    broken_at_means = {v.kind for v in alone.violations}
    limits = [
        limit.model_copy(update={"broken_at_means": limit.kind in broken_at_means})
        for limit in _sampled_budget(portfolio, package, partner, drawn)
    ]
    sampled = {limit.kind for limit in limits}
    return RiskReport(
        partner=partner.code,
        security=package.security,
        samples=samples,
        seed=seed,
        accept_probability=Probability(
            estimate=p, standard_error=float(np.sqrt(p * (1 - p) / samples))
        ),
        us_value=summarise(drawn.us_value[accepted]) if accepted.any() else None,
        risk=summarise(drawn.risk[accepted]) if accepted.any() else None,
        expected_us_value=float(drawn.us_value.mean()),
        expected_risk=float(drawn.risk.mean()),
        at_means={
            "accepts": deal.accepts,
            "partner_margin": deal.partner_margin,
            "us_value": deal.us_value,
            "risk": deal.risk,
        },
        uncertain=uncertain_figures(partner),
        violations=messages(
            [*alone.deals[0].violations, *(v for v in alone.violations if v.kind not in sampled)]
        ),
        sampled_limits=limits,
    )


def _sampled_budget(
    portfolio: Portfolio, package: Package, partner: Partner, drawn: Samples
) -> list[SampledLimit]:
    """The risk budget, when the partner's diversion risk is drawn: in what share of the
    samples the package alone breaks it (the partner accepting), and above what diversion
    risk. A plain diversion risk breaks it in every sample or none: `violations` says so."""
    budget = portfolio.risk_budget
    drawn_from = distribution_of(partner.diversion_risk)
    if budget is None or drawn_from is None:
        return []
    reach = compute_limit_reach(budget)
    broken = drawn.risk > reach  # a refusal's risk is 0
    share = float(broken.mean())
    n = len(broken)
    weighted = (1.0 - portfolio.policy.level(package.security).mitigation) * sum(
        package.compute.values()
    )
    threshold = reach / weighted if weighted > 0 else math.inf
    if math.isinf(threshold):
        said = "it carries no risk"
    elif threshold >= 1.0:  # a diversion risk is a share: not even all of it reaches this
        said = (
            f"the package alone stays within it in every sample, whatever {partner.code}'s "
            f"diversion risk: even with all its unmitigated compute diverted (a diversion "
            f"risk of 1) it carries {quantity(weighted)} risk-weighted H100e"
        )
    elif threshold >= drawn_from.high:  # no draw reaches it (qa28-newuser)
        said = (
            f"the package alone stays within it in every sample: it would take a diversion "
            f"risk above {threshold:.4g}, and {partner.code}'s is drawn up to "
            f"{drawn_from.high:.4g}"
        )
    else:
        said = (
            f"the package alone exceeds it in {share:.1%} of samples, where {partner.code} "
            f"accepts and its diversion risk is drawn above {threshold:.4g}"
        )
    return [
        SampledLimit(
            kind="risk-budget",
            limit=budget,
            threshold=threshold,
            probability=Probability(
                estimate=share, standard_error=float(np.sqrt(share * (1 - share) / n))
            ),
            message=f"risk budget ({quantity(budget)} risk-weighted H100e): {said}",
        )
    ]


def summarise(values: F64) -> Summary:
    """Mean, quantiles and a histogram of `values`; one value in every sample is one bin
    from it to itself (numpy spreads it over v - 0.5 .. v + 0.5, whose edges read as a
    spread: "7,328 - 7,329")."""
    if len(values) and values.min() == values.max():
        counts, edges = np.array([len(values)]), np.array([values[0], values[0]])
    else:
        counts, edges = np.histogram(values, bins=BINS)
    return Summary(
        mean=float(values.mean()),
        quantiles={f"{q:.0%}": float(np.quantile(values, q)) for q in QUANTILES},
        histogram=Histogram(edges=[float(e) for e in edges], counts=[int(c) for c in counts]),
    )
