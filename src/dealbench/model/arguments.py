"""Checks of the loaded objects a library call takes (a Portfolio, a Package, a partner code
of the portfolio), each an `ArgumentError` naming the argument, as `dealbench.arguments`
checks the plain ones. Here, in the model layer, so that the model's own calls
(`load_package`, `apply_overrides`) check what they are given without importing anything
above it."""

from __future__ import annotations

import os
from collections.abc import Iterable

from dealbench.arguments import given_briefly, instance_of, texts
from dealbench.errors import ArgumentError
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio

__all__ = ["a_package", "a_portfolio", "packages_of", "partner_code", "partner_codes"]


def a_portfolio(value: object, name: str = "portfolio") -> Portfolio:
    """`value` when it is a loaded Portfolio; else an ArgumentError saying how to load one
    (a path, given where the portfolio goes, was an AttributeError deep inside)."""
    return instance_of(value, Portfolio, name, "load_portfolio(path) reads one")


def a_package(value: object, name: str = "package") -> Package:
    """`value` when it is a Package; else an ArgumentError saying where one comes from."""
    return instance_of(
        value,
        Package,
        name,
        "load_package(path, portfolio) reads one; a solved deal's is result.deals[i].package()",
    )


def packages_of(value: object, name: str = "packages") -> list[Package]:
    """Packages: one alone, or an iterable of them (never a path, whose characters a
    loop would take for packages); else an ArgumentError naming what was given."""
    if isinstance(value, Package):  # a model iterates as (field, value) pairs
        return [value]
    if isinstance(value, str | bytes | os.PathLike | dict) or not isinstance(value, Iterable):
        raise ArgumentError(
            name,
            "expected a Package or a list of them (load_package(path, portfolio) reads one), "
            f"got {given_briefly(value)}",
        )
    return [a_package(item, name) for item in value]


def partner_codes(portfolio: Portfolio, codes: Iterable[str] | str, name: str) -> list[str]:
    """Partner codes of `portfolio` (one code may be given alone, as a str); anything else
    than codes is an ArgumentError naming `name` (`require=None` was a TypeError, a
    Portfolio an AttributeError, from inside)."""
    a_portfolio(portfolio)
    listed = texts(codes, name, "partner code")
    for code in listed:
        partner_code(portfolio, code, name)
    return listed


def partner_code(portfolio: Portfolio, code: str, name: str = "partner") -> str:
    """`code` when it is a partner of `portfolio`; else an ArgumentError listing its codes
    (`Portfolio.unknown_partner`). A portfolio that is not one is said first."""
    a_portfolio(portfolio)
    if not isinstance(code, str):
        raise ArgumentError(name, f"expected a partner code (a str), got {given_briefly(code)}")
    if portfolio.partner(code) is None:
        raise ArgumentError(name, portfolio.unknown_partner(code))
    return code
