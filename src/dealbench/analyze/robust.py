"""A robust solve: packages each partner accepts in at least a given share of samples.

The deterministic optimum holds most partners exactly to their walk-away
value at the figures' means, so with uncertain figures many would refuse.
`robust_solve` raises the walk-away value the optimizer sees for each
partner that falls short, by what its samples say it needs, and re-solves:

    for each deal accepted in fewer than `level` of the samples:
        raise its BATNA (for the solver only) by the slack the sampled partner lacks
        in the (1 - level) quantile
    re-solve; repeat until every deal is accepted often enough

Each round evaluates the packages under the same samples (vectorised, no
solver per sample); BATNAs only go up, so the rounds end. The packages are
then checked against the portfolio as written (the means), and the cost of
robustness is the US value given up, at the means and in expectation over
the samples (where a refusal counts at the US's no-deal value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.uncertainty import Probability, Samples, sample_package
from dealbench.arguments import said, sample_count, seed_of
from dealbench.checker import check
from dealbench.errors import ArgumentError, InfeasibleError
from dealbench.list_words import plural
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.data import NoDeal
from dealbench.optimize.finish import acceptance_limits, result_from_check
from dealbench.optimize.result import (
    Robust,
    RobustAcceptance,
    SolveResult,
    Status,
    raised_walk_away,
)
from dealbench.units import percent_hint, share_percent

Progress = Callable[[int, int], None]
MAX_ROUNDS = 12
#: Added to each raise (USD), so that a sample exactly on the quantile is not lost to rounding.
CUSHION = 1e5


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PartnerRobustness(Frozen):
    partner: str
    deterministic: Probability | None = Field(description="Acceptance of the mean-value package")
    robust: Probability | None = Field(description="Acceptance of the robust package")
    batna_raised_by: float = Field(description="USD added to the BATNA the solver saw")
    fresh: Probability | None = Field(
        default=None,
        description="Acceptance of the robust package in as many fresh samples (seed + 1)",
    )


class Robustness(Frozen):
    """What robustness costs: the deterministic and the robust optimum compared."""

    level: float
    samples: int
    seed: int
    rounds: int
    reached: bool = Field(description="Every deal is accepted in at least `level` of samples")
    us_value_deterministic: float = Field(description="US value of the mean-value optimum")
    us_value_robust: float
    cost: float = Field(description="US value given up, at the means")
    expected_deterministic: float = Field(
        description="Expected US value of the mean-value optimum over the samples"
    )
    expected_robust: float
    expected_gain: float = Field(description="expected_robust - expected_deterministic")
    partners: list[PartnerRobustness]

    def sentences(self) -> list[str]:
        """What the robustness costs, in the words `solve --robust` prints under its table."""
        from dealbench.figures import usd
        from dealbench.units import share_percent

        reached = "" if self.reached else f" (not reached after {self.rounds} rounds)"
        sign = "+" if self.expected_gain > 0 else ""
        return [
            f"Robust to {share_percent(self.level)}{reached}: it costs {usd(self.cost)} of US "
            f"value at the means ({usd(self.us_value_deterministic)} -> "
            f"{usd(self.us_value_robust)}).",
            "Expected US value over the samples (a refusal at the no-deal value): "
            f"{usd(self.expected_deterministic)} -> {usd(self.expected_robust)} "
            f"({sign}{usd(self.expected_gain)}).",
            *self._fresh_sentence(),
        ]

    def _fresh_sentence(self) -> list[str]:
        """The robust packages in fresh samples: a share met exactly in the samples solved
        on is, elsewhere, met only within sampling error (SA's robust package, accepted in
        90.0% of its samples, is accepted with probability 89.9%); a negotiator should know.
        Partners that accept in every sample are left out."""
        from dealbench.list_words import and_list

        unsure = [p for p in self.partners if p.fresh is not None and p.fresh.estimate < 1.0]
        if not unsure:
            return []
        shares = and_list([f"{p.partner} {p.fresh.estimate:.1%}" for p in unsure if p.fresh])
        error = max(p.fresh.standard_error for p in unsure if p.fresh is not None)
        return [
            f"In {plural(self.samples, 'fresh sample')} (seed {self.seed + 1}), the robust packages are "
            f"accepted by {shares} (standard error {error:.1%} or less): the share is reached in "
            "the samples solved on, and elsewhere only within sampling error (more samples "
            "narrow it)."
        ]

    def said_of(self, reasons: Sequence[NoDeal]) -> list[NoDeal]:
        """Why partners have no deal, each against the walk-away value the robust solve
        raised for it said to be raised (the figure it quotes is not the partner file's)."""
        from dealbench.figures import usd
        from dealbench.units import share_percent

        raised = {p.partner: p.batna_raised_by for p in self.partners if p.batna_raised_by}
        return [
            replace(
                r,
                message=f"{r.message}; its walk-away value here is raised by "
                f"{usd(raised[r.partner])}, so that a deal with it is accepted in at least "
                f"{share_percent(self.level)} of the samples",
            )
            if r.partner in raised and r.explained  # "not explained" is one sentence for all
            else r
            for r in reasons
        ]


class RobustResult(Frozen):
    result: SolveResult
    robustness: Robustness
    #: The portfolio the last round solved: the one as written, with each raised BATNA.
    #: Its optimum is `result`'s packages, so prices and re-solves about them start here.
    solved: Portfolio


def check_level(level: float, name: str = "level") -> float:
    """A robust solve's share of samples: strictly between 0 and 1, quoted as typed when it
    is refused (`arguments.said`: `--robust 1_0` "got 1_0"); a plain float when it is not."""
    if not 0 < level < 1:
        hint = percent_hint(level)  # `--robust 90`, meaning 90%
        raise ArgumentError(
            name,
            f"expected a share above 0 and below 1, got {said(level)}"
            + (f"; {hint}" if hint else ""),
        )
    return float(level)


def robust_solve(
    portfolio: Portfolio,
    level: float = 0.9,
    samples: int = 10_000,
    seed: int = 0,
    *,
    progress: Progress | None = None,
    explain: Callable[[SolveResult], None] | None = None,
    **options: Any,
) -> RobustResult:
    """Packages acceptable in at least `level` of `samples` draws (us-best); see module doc.

    `options` go to `dealbench.solve` (solver, time_limit, gap, ...). The first solve (the
    portfolio as written) without packages is explained, as a plain solve's is: by
    `explain(result)` when given (a shell's, which says it in its own way), else by the
    library's `raise_explained` (the smallest set of limits to relax, with amounts).
    """
    from dealbench.optimize import solve
    from dealbench.optimize.explain.infeasible import raise_explained

    level = check_level(level)
    mode = options.get("mode", "us-best")
    if mode != "us-best":
        raise ArgumentError("mode", f"a robust solve is for the us-best mode, not {mode}")
    sample_count(samples)
    seed_of(seed)
    base = solve(portfolio, **options)
    if explain is not None:
        explain(base)
    base = raise_explained(
        portfolio, base, v_floor=options.get("v_floor"), require=options.get("require") or ()
    )
    current, raised, rounds, reached = _raise_until_accepted(
        portfolio, base, level, samples, seed, progress, options
    )
    if progress is not None:
        progress(MAX_ROUNDS, MAX_ROUNDS)
    # The figures a user reads come from `check`, against the portfolio as written.
    packages = [d.package() for d in current.deals]
    checked = check(portfolio, packages)
    result = result_from_check(portfolio, base.mode, current.status, current.solver, checked)
    # A partner held to its raised walk-away value is held by a limit: the share asked for.
    at_raised = check(_with_raised_batnas(portfolio, raised), packages).deals
    held = acceptance_limits(
        [d for d in at_raised if d.partner in raised],
        raised_walk_away(level),
    )
    result = result.model_copy(update={"binding": [*result.binding, *held]})
    if current.status == Status.TIME_LIMIT:
        result = result.model_copy(update={"status": Status.TIME_LIMIT})
    robustness = _robustness(portfolio, base, result, raised, level, samples, seed, rounds, reached)
    # Recorded in the result (and its result.json), so its documents say how it was made,
    # what it cost and how its packages fare in fresh samples, as `solve --robust` prints.
    shares = {p.partner: p.fresh.estimate for p in robustness.partners if p.fresh is not None}
    made = Robust(
        level=level,
        samples=samples,
        seed=seed,
        reached=reached,
        cost=robustness.cost,
        fresh={d.partner: shares[d.partner] for d in result.deals if shares[d.partner] < 1.0},
        acceptance=[
            RobustAcceptance(
                partner=p.partner,
                deterministic=p.deterministic.estimate if p.deterministic else None,
                robust=p.robust.estimate if p.robust else None,
                batna_raised_by=p.batna_raised_by,
            )
            for p in robustness.partners
        ],
    )
    # The last round's note on its schedule (a finer step, and why) holds for its packages.
    result = result.model_copy(update={"robust": made, "message": current.message})
    return RobustResult(
        result=result, robustness=robustness, solved=_with_raised_batnas(portfolio, raised)
    )


def _raise_until_accepted(
    portfolio: Portfolio,
    base: SolveResult,
    level: float,
    samples: int,
    seed: int,
    progress: Progress | None,
    options: dict[str, Any],
) -> tuple[SolveResult, dict[str, float], int, bool]:
    """The rounds: the partners short of `level` get their BATNA raised by what they lack
    and the portfolio is solved again, until none is short or `MAX_ROUNDS` ran. The last
    solve, the raises, the rounds run and whether every partner reached `level`.

    A deal required (`require` in `options`) may have no package its partner accepts at
    the raised BATNA within the limits: that is said, naming the partners, rather than as
    the raised portfolio's bare infeasibility."""
    from dealbench.optimize import solve

    current = base
    raised: dict[str, float] = {}
    rounds, reached = 0, False
    for rounds in range(1, MAX_ROUNDS + 1):
        drawn = _draws(portfolio, current, samples, seed)
        short = {code: s for code, s in drawn.items() if s.accepts.mean() < level}
        if progress is not None:
            progress(rounds, MAX_ROUNDS)
        if not short:
            reached = True
            break
        more = dict(raised)
        for code, s in short.items():
            # What the samples lack is measured from this package, which may clear the
            # BATNA the solver saw (steps of compute overshoot it): the next BATNA is this
            # package's own utility plus what it lacks, or the same package comes back.
            deal = current.deal(code)
            over = max(deal.partner_margin, 0.0) if deal is not None else 0.0
            more[code] = more.get(code, 0.0) + over + _needed(s, level) + CUSHION
        again = solve(_with_raised_batnas(portfolio, more), **options)
        required = [code for code in options.get("require") or () if code in short]
        if again.status == Status.INFEASIBLE and required:
            # The required partners whose raise alone leaves no packages (all of them when
            # only together): another one short this round may reach the share (SA, named
            # with AE, reached 100% once AE's requirement was dropped).
            alone = [
                code
                for code in required
                if solve(
                    _with_raised_batnas(portfolio, {**raised, code: more[code]}), **options
                ).status
                == Status.INFEASIBLE
            ]
            found = {code: float(short[code].accepts.mean()) for code in alone or required}
            raise InfeasibleError(_required_short(found, level, samples))
        current, raised = again.raise_for_status(), more
    return current, raised, rounds, reached


def _required_short(found: dict[str, float], level: float, samples: int) -> str:
    """Why a robust solve with required deals has no packages, and the share that keeps
    them: the least the last packages found reach (`found`, each required partner's
    share), rounded down, so that asking for it is met at once. "Ask for a lower share"
    alone left 89% to try after 90%, which fails as surely (qa47-infeasible)."""
    from dealbench.list_words import and_list

    who = and_list(list(found))
    one = len(found) == 1
    kept = math.floor(min(found.values()) * 1000 + 1e-9) / 1000
    shares = and_list([share_percent(v) for v in found.values()])
    lower = "ask for a lower share"
    if kept > 0:
        accept = "accepts" if one else "accept"
        lower += (
            f" ({share_percent(kept)} is met: {who} {accept} the last packages found in "
            f"{shares} of them)"
        )
    return (
        f"no {'package' if one else 'packages'} {who} {'accepts' if one else 'accept'} in at "
        f"least {share_percent(level)} of the {plural(samples, 'sample')} "
        f"{'fits' if one else 'fit'} the limits, and {'a deal with' if one else 'deals with'} "
        f"{who} {'is' if one else 'are'} required: {lower}, or drop the requirement"
    )


def _robustness(
    portfolio: Portfolio,
    base: SolveResult,
    result: SolveResult,
    raised: dict[str, float],
    level: float,
    samples: int,
    seed: int,
    rounds: int,
    reached: bool,
) -> Robustness:
    """What the robust packages cost and gain against the mean-value ones, per partner."""
    before, after = _draws(portfolio, base, samples, seed), _draws(portfolio, result, samples, seed)
    # The robust packages in draws they were not solved on: what a share reached exactly in
    # its own samples is worth elsewhere (`dealbench risk --seed SEED+1` draws the same).
    fresh = _draws(portfolio, result, samples, seed + 1)
    partners = sorted({*before, *after, *raised}, key=[p.code for p in portfolio.partners].index)
    return Robustness(
        level=level,
        samples=samples,
        seed=seed,
        rounds=rounds,
        reached=reached,
        us_value_deterministic=base.us_value or 0.0,
        us_value_robust=result.us_value or 0.0,
        cost=(base.us_value or 0.0) - (result.us_value or 0.0),
        expected_deterministic=_expected(portfolio, base, before),
        expected_robust=_expected(portfolio, result, after),
        expected_gain=_expected(portfolio, result, after) - _expected(portfolio, base, before),
        partners=[
            PartnerRobustness(
                partner=code,
                deterministic=_probability(before.get(code)),
                robust=_probability(after.get(code)),
                batna_raised_by=raised.get(code, 0.0),
                fresh=_probability(fresh.get(code)),
            )
            for code in partners
        ],
    )


def _draws(
    portfolio: Portfolio, result: SolveResult, samples: int, seed: int
) -> dict[str, Samples]:
    return {d.partner: sample_package(portfolio, d.package(), samples, seed) for d in result.deals}


def _needed(s: Samples, level: float) -> float:
    """USD the partner's slack lacks so that `level` of the samples accept."""
    ordered = sorted(s.slack.tolist())
    n = len(ordered)
    keep = math.ceil(level * n - 1e-9)  # samples that must accept
    return max(-float(ordered[n - keep]), 0.0)


def _with_raised_batnas(portfolio: Portfolio, raised: dict[str, float]) -> Portfolio:
    partners = [
        p.model_copy(update={"batna": float(p.batna) + raised[p.code]}) if p.code in raised else p
        for p in portfolio.partners
    ]
    return portfolio.model_copy(update={"partners": partners})


def _expected(portfolio: Portfolio, result: SolveResult, drawn: dict[str, Samples]) -> float:
    """Expected US value over the samples: each deal's, and the no-deal value of the rest."""
    total = sum(float(s.us_value.mean()) for s in drawn.values())
    return total + float(sum(p.us_batna for p in portfolio.partners if p.code not in drawn))


def _probability(s: Samples | None) -> Probability | None:
    if s is None:
        return None
    p = float(s.accepts.mean())
    return Probability(estimate=p, standard_error=math.sqrt(p * (1 - p) / len(s.accepts)))
