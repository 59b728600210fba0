"""What a document is rendered from: a solve result or a package, recomputed by `check`.

Figures are never taken from a result file as written: its packages are
checked again against the portfolio, so a document shows what the independent
checker vouches for today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dealbench.checker import DealFigures, PortfolioCheck, check
from dealbench.checker.tolerance import COMPUTE_TOL
from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import not_found
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
            raise ArgumentError(argument, f"no deal with {partner!r}{why}; deals: {codes}")
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
    if result.portfolio != portfolio.id:
        raise ArgumentError(
            "portfolio", f"the result is for portfolio {result.portfolio!r}, not {portfolio.id!r}"
        )
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
        origin=f"{result.mode} solve under the {portfolio.policy.id} regime",
        mode=result.mode,
        gap=gap,
        label="" if result.mode == "us-best" else slug(result.mode),
        maximised=maximised_text(result),
        robust=result.robust,
        stopped=result.status == "time-limit",
        result=result,
    )


def maximised_text(result: SolveResult) -> str | None:
    """What a solve other than us-best maximised, with V beside it; None for us-best."""
    from dealbench.figures import usd

    value, v = result.objective, usd(result.us_value)
    if result.mode == "us-best" or value is None:
        return None
    if result.mode == "partner-best":
        floor = "" if result.v_floor is None else f", at least the floor of {usd(result.v_floor)}"
        return (
            f"The solve maximised the partners' total utility ({usd(value)}); "
            f"the US utility V is {v}{floor}."
        )
    return f"The solve maximised {result.objective_name}: {value:.4f}; the US utility V is {v}."


def _check_shapes(portfolio: Portfolio, packages: list[Package], where: str) -> None:
    """Every package of a result still names known partners, levels and concessions."""
    from dealbench.model.package_rules import package_problems

    issues = []
    for package in packages:
        partner = portfolio.partner(package.partner)
        if partner is None:
            issues.append(
                Issue(where, None, "deals", f"{package.partner} is not in {portfolio.id}")
            )
            continue
        problems = package_problems(package, partner, portfolio.policy, portfolio.periods)
        for loc, message in problems:
            field = ".".join(str(p) for p in loc)
            issues.append(Issue(where, None, f"deal {package.partner}: {field}", message))
    if issues:
        raise InputError(issues)


def read_result(path: Path) -> SolveResult:
    """A result.json written by `dealbench solve --out`."""
    from pydantic import ValidationError

    from dealbench.optimize.result import load_result

    result = load_result(path)
    for i, deal in enumerate(result.deals):  # a hand-edited package: refused, field named
        try:
            deal.package()
        except ValidationError as exc:
            raise _not_a_result(path, exc, ("deals", i)) from None
    return result


def _not_a_result(path: Path, exc: Exception, prefix: tuple[str | int, ...]) -> InputError:
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    first = exc.errors()[0]
    where = ".".join(str(p) for p in (*prefix, *first["loc"]))
    return InputError(Issue(str(path), None, where, f"not a dealbench result.json: {first['msg']}"))


def result_date(path: Path) -> dt.date | None:
    """The documents' date a result.json keeps (`solve --date`), if any; a date that is not
    YYYY-MM-DD (a hand edit) is refused rather than dropped."""
    import json

    try:
        value = json.loads(path.read_bytes()).get("date")
    except (OSError, ValueError, AttributeError):
        return None
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _bad_date(path, value)
    except ValueError:
        return _bad_date(path, value)


def _bad_date(path: Path, value: object) -> dt.date:
    raise InputError(Issue(str(path), None, "date", f"expected YYYY-MM-DD, got {value!r}"))


def is_result_file(path: Path) -> bool:
    """A JSON file (a result) rather than a YAML package."""
    if path.suffix.lower() == ".json":
        return True
    if not path.is_file():  # a FIFO or a device: no result, and not read here (blocking)
        return False
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def result_portfolio_path(path: Path, result: SolveResult) -> Path | None:
    """The portfolio file a result names, resolved against the result's folder."""
    if not result.portfolio_file:
        return None
    ref = Path(result.portfolio_file)
    return ref if ref.is_absolute() else path.parent / ref


def _as_solved(portfolio: Portfolio, result: SolveResult, path: Path, pf_path: Path) -> Portfolio:
    """`portfolio` as `result` solved it: under its regime, with its overrides.

    A result solved with `--set policy.id=X` records the regime as X, an id no file has:
    the regime is then the one (the portfolio's own, or one found beside it) that gives the
    result's inputs once the overrides are applied; the portfolio's own when none does
    (the fingerprint's warning follows)."""
    renamed = any(item.partition("=")[0].strip() == "policy.id" for item in result.overrides)
    if not renamed or result.policy == portfolio.policy.id:
        portfolio = _under_its_regime(portfolio, result, path, pf_path)
        return _with_its_overrides(portfolio, result, path)
    own = _with_its_overrides(portfolio, result, path)
    if own.fingerprint() == result.fingerprint:
        return own
    from dealbench.model.regimes import REGIMES, find_regime, under_regime

    for name in REGIMES:
        try:
            policy = find_regime(name, pf_path)
        except ArgumentError:
            continue
        if policy is not None and policy.id != portfolio.policy.id:
            moved = _with_its_overrides(under_regime(portfolio, policy), result, path)
            if moved.fingerprint() == result.fingerprint:
                return moved
    return own


def _under_its_regime(
    portfolio: Portfolio, result: SolveResult, path: Path, pf_path: Path
) -> Portfolio:
    """`portfolio` under the regime `result` was solved under (`solve --policy`, each of
    `compare`'s results), found by its id (`regime_with_id`)."""
    from dealbench.model.regimes import regime_with_id, under_regime

    if result.policy == portfolio.policy.id:
        return portfolio
    policy = regime_with_id(result.policy, pf_path)
    if policy is None:
        raise InputError(
            Issue(
                str(path),
                None,
                "policy",
                f"solved under the regime {result.policy!r}, which is not {pf_path}'s "
                f"({portfolio.policy.id!r}) nor a regime found beside it; render the "
                "documents with the solve (`solve --policy FILE --out DIR --render md`)",
            )
        )
    return under_regime(portfolio, policy)


def _with_its_overrides(portfolio: Portfolio, result: SolveResult, path: Path) -> Portfolio:
    """`portfolio` with the overrides `result` was solved under (`solve --set`, each of
    `compare --set`'s results) applied again, in order, by the solve's own
    `apply_overrides`: the same figures, the same input fingerprint, and documents that
    name them as the solve's own do. One the files no longer take (a partner removed
    since, a hand edit) is refused at its line of the result."""
    from dealbench.model.override_values import parse_set
    from dealbench.model.overrides import apply_overrides

    if not result.overrides:
        return portfolio
    for i, item in enumerate(result.overrides):  # each item alone: its index names it
        try:
            parse_set([item])
        except ArgumentError as exc:
            raise _override_error(path, result, i, exc) from None
    try:
        return apply_overrides(portfolio, parse_set(result.overrides))
    except ArgumentError as exc:
        paths = [item.partition("=")[0].strip() for item in result.overrides]
        at = exc.issues[0].field
        i = max((k for k, p in enumerate(paths) if p == at), default=len(paths) - 1)
        raise _override_error(path, result, i, exc) from None


def _override_error(path: Path, result: SolveResult, i: int, exc: ArgumentError) -> InputError:
    import json

    line = _override_line(path, json.dumps(result.overrides[i], ensure_ascii=False), i)
    return InputError(
        [
            Issue(
                str(path),
                line,
                f"overrides[{i}]",
                f"{issue.field}: {issue.message}" if issue.field else issue.message,
            )
            for issue in exc.issues
        ]
    )


def _override_line(path: Path, item: str, i: int) -> int | None:
    """The line of the `i`th override in result.json (one a line, as `solve --out` writes
    it); else the line of the `overrides` key; else None."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return None
    key = next((n for n, text in enumerate(lines) if text.lstrip().startswith('"overrides"')), None)
    if key is None:
        return None
    at = key + 1 + i
    if at < len(lines) and lines[at].strip().rstrip(",") == item:
        return at + 1
    return key + 1


def load_source(path: Path, portfolio_path: Path | None = None) -> Source:
    """A result.json or a package YAML file, checked against its portfolio."""
    from dealbench.model import detect_kind, load_package, load_portfolio, refuse_other_kind
    from dealbench.model.yamlio import read_yaml

    if path.is_dir():
        raise InputError(
            Issue(str(path), None, "", "is a folder; expected a result.json or a package file")
        )
    if is_result_file(path):
        result = read_result(path)
        pf_path = portfolio_path or result_portfolio_path(path, result)
        if pf_path is None:
            raise ArgumentError(
                "portfolio_path", f"{path} names no portfolio file; give the portfolio it is for"
            )
        if portfolio_path is None and not pf_path.exists():  # moved, or the result copied
            raise InputError(
                Issue(
                    str(path),
                    None,
                    "portfolio_file",
                    f"{result.portfolio_file}: {not_found(pf_path, str(result.portfolio_file))}"
                    " (the portfolio it was solved for: give it with --portfolio)",
                )
            )
        portfolio = _as_solved(load_portfolio(pf_path), result, path, pf_path)
        source = source_from_result(portfolio, result, str(path))
        warnings: tuple[str, ...] = ()
        # A re-plan from rounds (`solve --rounds`) has a fingerprint over the round files
        # too; its data files' own digest is recorded beside it.
        solved = result.rounds.inputs if result.rounds and result.rounds.inputs else None
        if result.rounds is not None and solved is None:
            # Written by a dealbench before 2026-12-03: the data files' digest was not
            # recorded, and the fingerprint covers the round files as they were then.
            warnings = (
                f"{path} was re-planned from rounds by an earlier dealbench, which did not "
                f"record the digest of the data files alone: whether {pf_path} or the files it "
                "names changed since cannot be told; the documents check its packages against "
                "the files as they are (`solve --rounds DIR --out` records it)",
            )
        elif portfolio.fingerprint() != (solved or result.fingerprint):
            warnings = (
                f"{path} was solved from other inputs than {pf_path} as it is now (a data "
                "file edited since, or --set overrides it does not name: a result written "
                "before results recorded them): the documents check its packages against the "
                "files as they are; `solve --out --render` writes the documents of the solve "
                "itself",
            )
        return replace(source, date=result_date(path), warnings=warnings)
    given = read_yaml(path)
    try:
        kind = detect_kind(given)
    except InputError:  # unclear: loading it says what is wrong
        kind = "package"
    if kind != "round":  # a round file is read as the package it records
        refuse_other_kind(given, "package")  # a portfolio file here is named so
    if portfolio_path is None:
        raise ArgumentError("portfolio_path", f"{path} is a package; give the portfolio it is for")
    portfolio = load_portfolio(portfolio_path)
    package = load_package(path, portfolio)
    origin = package.title or f"package {path.name}"
    source = source_from_packages(
        portfolio, [package], origin=origin, date=package.date, stem=path.stem
    )
    return source
