"""What a document is rendered from: a portfolio and its deals, checked together by
`check` (`Source`), built from packages or from a solve's result.

Figures are never taken from a result as written: its packages are checked again
against the portfolio, so a document shows what the independent checker vouches for
today.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dealbench.arguments import given_briefly
from dealbench.checker import DealFigures, PortfolioCheck, check
from dealbench.checker.tolerance import COMPUTE_TOL
from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.list_words import and_list
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.result import a_result, result_for
from dealbench.render.naming import package_label, side_word, slug

if TYPE_CHECKING:
    from dealbench.optimize.reasons import NoDeal
    from dealbench.optimize.result import Robust, SolveResult


@dataclass(frozen=True)
class Source:
    """A portfolio and its deals, checked together: the input of every document."""

    portfolio: Portfolio
    checked: PortfolioCheck
    origin: str
    date: dt.date | None = None
    mode: str | None = None
    gap: float | None = None
    #: Names the documents apart from others of the same partner (`counter-003`; see
    #: `dealbench.render.naming`); "" for a us-best solve.
    label: str = ""
    #: `offer` (ours), `counter` (the partner's), or None when the package does not say.
    side: str | None = None
    round: int | None = None
    #: Period -> (chips, model) where one package's compute was written in chips.
    chips: dict[str, tuple[float, str]] | None = None
    #: Period -> site and operator, where one package names them.
    sites: dict[str, str] | None = None
    #: What a solve other than us-best maximised, in one sentence (None otherwise).
    maximised: str | None = None
    #: What the user is told about the source beside its documents (a result solved from
    #: other inputs than the files as they are now).
    warnings: tuple[str, ...] = ()
    #: How a robust solve made the packages (`solve --robust`), as its result records it.
    robust: Robust | None = None
    #: The solve stopped at its time limit: the packages are the best found, not proven best.
    stopped: bool = False
    #: The solve the deals come from (None for packages): why a partner has no deal.
    result: SolveResult | None = None

    @property
    def compute_step(self) -> float | None:
        """The step its solve put the compute in (`SolveResult.compute_step`); None for
        packages, whose amounts are as written: the portfolio's step applies."""
        return None if self.result is None else self.result.compute_step

    @property
    def is_package(self) -> bool:
        """One package (an offer or a counter), not the deals of a solve."""
        return self.mode is None

    def deal(self, partner: str, argument: str = "partner") -> DealFigures:
        """The deal with `partner`; else an ArgumentError naming `argument`."""
        found = next((d for d in self.checked.deals if d.partner == partner), None)
        if found is None:
            codes = ", ".join(d.partner for d in self.checked.deals) or "none"
            why = self._why_no_deal(partner)
            why = f": {why.rstrip('.')}" if why else ""
            # A code the portfolio has not (a name, a misspelling) is answered as every
            # command answers it: `--partner united` "did you mean AE (United Arab Emirates)?"
            hint = (
                self.portfolio.code_hint(partner) if self.portfolio.partner(partner) is None else ""
            )
            raise ArgumentError(argument, f"no deal with {partner!r}{why}; deals: {codes}{hint}")
        return with_shared(found, self.checked)

    @property
    def explained(self) -> bool:
        """The result records why its partners without a deal have none (`solve` does)."""
        return self.result is not None and self.result.no_deal_reasons is not None

    def no_deal_reason(self, partner: str) -> NoDeal | None:
        """Why the solve left `partner` without a deal, as the result records it (computed
        once, by `optimize.explain.no_deal`: render solves nothing); in a re-plan from
        rounds written before results recorded reasons, who walked away (the result's
        `rounds` say it). None for a package, a partner with a deal, or a result that
        records no reason for it."""
        result = self.result
        if result is None or partner not in result.no_deal:
            return None
        recorded = result.no_deal_reason(partner)
        if recorded is None and result.rounds and partner in result.rounds.walked_away:
            from dealbench.model.rounds import walked_away_words
            from dealbench.optimize.reasons import NoDeal

            said = walked_away_words(partner, result.rounds.walked_away_by.get(partner))
            return NoDeal(partner, "walked-away", said)
        return recorded

    def _why_no_deal(self, partner: str) -> str | None:
        """Why the solve left `partner` without a deal, as `solve` says it (None where the
        result does not say)."""
        said = self.no_deal_reason(partner)
        return None if said is None else said.message


def with_shared(deal: DealFigures, checked: PortfolioCheck) -> DealFigures:
    """`deal` with the shared limits its compute helps break in `checked` (supply in a
    period it takes compute in, the risk budget): documents count them with its own
    limits, as `evaluate` does."""
    shared = [
        v
        for v in checked.violations
        if (v.kind == "supply" and deal.compute.get(v.period or "", 0.0) > COMPUTE_TOL)
        or (v.kind == "risk-budget" and deal.risk > 0)
    ]
    if not shared:
        return deal
    return deal.model_copy(update={"violations": [*deal.violations, *shared]})


def checked_alone(
    portfolio: Portfolio, package: Package, beside: Sequence[Package] = ()
) -> DealFigures:
    """One package checked against `portfolio` (its own limits, and supply and risk budget
    as if it were the only deal but for `beside`, deals agreed with other partners), as
    its term sheet reads it."""
    checked = check(portfolio, [*beside, package], agreed=[p.partner for p in beside])
    return with_shared(checked.deals[-1], checked)


def a_source(value: object, name: str = "source") -> Source:
    """`value` when it is a Source; else an ArgumentError saying where one comes from (a
    SolveResult or a path, given where the source goes, was an AttributeError deep inside)."""
    if not isinstance(value, Source):
        raise ArgumentError(
            name,
            "expected a Source (source_from_result(portfolio, result) makes one of a solve; "
            "load_source(path, portfolio_path) reads a result.json or a package file), "
            f"got {given_briefly(value)}",
        )
    return value


def source_from_packages(
    portfolio: Portfolio,
    packages: list[Package],
    *,
    origin: str,
    date: dt.date | None = None,
    stem: str = "",
    beside: Sequence[Package] = (),
) -> Source:
    """Packages checked together (and with `beside`, deals already agreed with other
    partners, whose supply and risk they share); one package's side and round name its
    documents, and its chips and sites are shown as written."""
    one = packages[0] if len(packages) == 1 else None
    side = side_word(one.side) if one else None
    round_ = one.round if one else None
    label = package_label(side, round_, stem=stem, partner=one.partner if one else "")
    return Source(
        portfolio,
        check(portfolio, [*beside, *packages], agreed=[p.partner for p in beside]),
        origin,
        date,
        label=label,
        side=side,
        round=round_,
        chips=(one.written_in_chips() or None) if one else None,
        sites=(dict(one.sites) or None) if one else None,
    )


def source_from_result(portfolio: Portfolio, result: SolveResult, where: str = "result") -> Source:
    """The deals of a solve, re-checked against `portfolio` (which must be the one solved);
    `where`: the result's file, for messages."""
    result_for(portfolio, a_result(result), "portfolio")  # the solve of another portfolio
    if not result.deals and result.status not in ("optimal", "time-limit"):
        raise InputError(
            Issue(where, None, "", f"the result has no packages (status: {result.status})")
        )
    packages = [d.package() for d in result.deals]
    _check_shapes(portfolio, packages, where)
    gap = result.solver.gap if result.status == "time-limit" else None
    return Source(
        portfolio,
        check(portfolio, packages),
        origin=solve_origin(result.mode, portfolio.policy.id, result.required),
        mode=result.mode,
        gap=gap,
        label="" if result.mode == "us-best" else slug(result.mode),
        maximised=maximised_text(result),
        robust=result.robust,
        stopped=result.status == "time-limit",
        result=result,
    )


#: What each mode's packages give, in a principal's words (a memo's "Source"): the CLI's
#: mode names ("us-best solve") are the tool's, not the reader's.
AIMS = {
    "us-best": "the greatest US utility",
    "partner-best": "the greatest total partner utility",
    "nash": "the Nash bargain",
    "kalai": "the Kalai-Smorodinsky bargain",
}


def solve_origin(mode: str, regime: str, required: Sequence[str] = ()) -> str:
    """Where a solve's packages come from, as a document says it: "optimisation for the
    greatest US utility under the bilateral regime" (a memo said "us-best solve"), and
    the deals it had to make: "..., with a deal with MY required, ..." (`solve
    --require-deal`; without it, the best it gave was another set of deals)."""
    with_ = ""
    if required:
        deals = "deals" if len(required) > 1 else "a deal"
        with_ = f", with {deals} with {and_list(list(required))} required,"
    return f"optimisation for {AIMS.get(mode, mode)}{with_} under the {regime} regime"


def maximised_text(result: SolveResult) -> str | None:
    """What a solve other than us-best maximised, in words, with the US utility beside it;
    None for us-best (or an old result that did not record it). Its figure is one a reader
    can weigh: the partners' total, the share of its ideal gain each side is sure of; not
    the log of the Nash product (a memo printed "28.6092")."""
    from dealbench.figures import usd

    value, v = result.objective, usd(result.us_value)
    if result.mode == "us-best" or value is None:
        return None
    if result.mode == "partner-best":
        floor = "" if result.v_floor is None else f", at least the floor of {usd(result.v_floor)}"
        return (
            f"The packages give the partners the greatest total utility there is "
            f"({usd(value)}); the US utility is {v}{floor}."
        )
    if result.mode == "kalai":
        return (
            f"The packages give both sides of every deal at least {value:.1%} of the most "
            f"each could gain from it, the largest such share there is; the US utility is {v}."
        )
    text = (
        "The packages give the greatest product of the two sides' gains over their "
        f"walk-away values, over every partner with a zone of agreement; the US utility is {v}."
    )
    return text + (nash_bound_text(result) if result.mode == "nash" else "")


def nash_bound_text(result: SolveResult) -> str:
    """nash's stated bound, as `solve` states it (`bargain.words.nash_bound_words`); "" when
    it states none."""
    from dealbench.result_words import nash_bound_words

    details = result.solver.details
    error = details.get("log_error_bound")
    if error is None or not math.isfinite(error):
        return ""
    words = nash_bound_words(
        error, details.get("log_error_cuts"), details.get("log_error_steps", 0.0)
    )
    return f" That product is {words}."


def _check_shapes(portfolio: Portfolio, packages: list[Package], where: str) -> None:
    """Every package of a result still names known partners, levels and concessions."""
    from dealbench.model.package_rules import problems_in

    issues = []
    for package in packages:
        partner = portfolio.partner(package.partner)
        if partner is None:
            issues.append(
                Issue(where, None, "deals", f"{package.partner} is not in {portfolio.id}")
            )
            continue
        problems = problems_in(package, partner, portfolio)
        for loc, message in problems:
            field = ".".join(str(p) for p in loc)
            issues.append(Issue(where, None, f"deal {package.partner}: {field}", message))
    if issues:
        raise InputError(issues)
