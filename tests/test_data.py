"""The shipped example data: valid, sourced, and faithful to the rules it models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dealbench.model import load_policy, load_portfolio, validate_file
from dealbench.units import H100_TPP

DEALS = Path(__file__).resolve().parents[1] / "deals"
FILES = sorted(p for p in DEALS.rglob("*.yaml"))
MARK = re.compile(r"\[(S|D|E|R|P)[\]:]")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DEALS)))
def test_every_shipped_file_validates(path: Path) -> None:
    # Packages are checked against the portfolio of every partner (kr-counter is not in gulf-asia).
    portfolio = (
        load_portfolio(DEALS / "portfolios/global.yaml") if "packages" in path.parts else None
    )
    validate_file(path, portfolio)


def test_four_regimes_and_enough_partners_ship() -> None:
    assert {p.stem for p in (DEALS / "policy").glob("*.yaml")} >= {
        "tiered",
        "monopoly",
        "repeal",
        "bilateral",
    }
    assert len(list((DEALS / "partners").glob("*.yaml"))) >= 12
    assert len(list((DEALS / "portfolios").glob("*.yaml"))) >= 2


def test_tiered_regime_reproduces_the_2025_tier2_cap() -> None:
    """790,000,000 TPP over the three-year horizon = 49,899 H100e (the rule's 49,901, rounded)."""
    policy = load_policy(DEALS / "policy/tiered.yaml")
    portfolio = load_portfolio(DEALS / "portfolios/gulf-asia.yaml")
    per_period = policy.caps.cap(2, "baseline")
    assert per_period is not None
    horizon = per_period * len(portfolio.periods)
    assert horizon * H100_TPP == pytest.approx(790_000_000, rel=1e-6)
    assert horizon == pytest.approx(49_901, abs=5)


@pytest.mark.parametrize("path", sorted((DEALS / "partners").glob("*.yaml")), ids=lambda p: p.stem)
def test_partner_numbers_say_where_they_come_from(path: Path) -> None:
    """Every line that sets a figure carries a source mark: [S], [D], [E], [R] or [P]."""
    figure = re.compile(
        r"^\s*(-\s*)?(diversion_risk|batna|us_batna|us_value|partner_cost|\d{4}|baseline|kyc|veu):"
    )
    unmarked = [
        line
        for line in path.read_text("utf-8").splitlines()
        if figure.match(line) and not MARK.search(line) and "{" not in line
    ]
    assert not unmarked, f"{path.name}: figures without a source mark: {unmarked}"
