"""What a package is weighed against in `evaluate --against`: a round, or a solve's result."""

from __future__ import annotations

from pathlib import Path

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.model.load_package import load_package, package_issue
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import display_path
from dealbench.negotiate.rounds.read import load_negotiation

__all__ = ["against_package"]


def against_package(
    portfolio: Portfolio, partner: str, ref: str, root: Path
) -> tuple[Package, str]:
    """The package `ref` names, and a label for it.

    `ref` is a round number of the partner's negotiation (under `root`), a
    round file (NNN-us.yaml) or a package file, or a result.json from `solve
    --out` (its deal with the partner).
    """
    from dealbench.render.sources import is_result_file, read_result

    if ref.strip().isdigit():
        found = load_negotiation(portfolio, root, partner).round(int(ref), "against")
        if found.package is None:
            raise InputError(
                Issue(display_path(found.path), None, "package", "this round carries no package")
            )
        return found.package, f"round {found.number} ({found.name})"
    path = Path(ref)
    # A misspelt number or name: said of the argument, not as a file; so is an empty one,
    # which `Path` reads as "." ("error: .: is a directory, expected a YAML file").
    if not ref.strip() or not path.exists():
        raise ArgumentError(
            "against",
            f"{ref!r} is neither a round number of the negotiation with {partner} nor a file "
            "(a round or package file, or a result.json)",
        )
    if is_result_file(path):
        result = read_result(path)
        if result.portfolio != portfolio.id:  # another portfolio's deal: other limits, other V
            raise InputError(
                Issue(
                    display_path(path),
                    None,
                    "portfolio",
                    f"is {result.portfolio}: this result solves another portfolio than "
                    f"{portfolio.id}",
                )
            )
        deal = result.deal(partner)
        if deal is None:
            raise InputError(
                Issue(display_path(path), None, "deals", f"the result has no deal with {partner}")
            )
        replan = " re-planned from the rounds" if result.rounds is not None else ""
        return deal.package(), f"the {result.mode} solve{replan} ({path.name})"
    package = load_package(path, portfolio)  # a round file (its package) or a package file
    if package.partner != partner:
        raise InputError(
            package_issue(path, "partner", f"is {package.partner}; the package is for {partner}")
        )
    if package.round is None:
        return package, path.name
    return package, f"round {package.round} ({path.name})"
