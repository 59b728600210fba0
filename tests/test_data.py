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


#: A line that sets a figure: `key: 1_250_000`, `- id: 200bn` (a level named by its
#: amount), `tier: 2`, `mitigation: 0.5`, `45k`, `40%`, or a flow mapping holding a number
#: (`- {upto: 200_000, value: 45k}`).
FIGURE = re.compile(
    r"^\s*(-\s*)?([\w'.-]+:\s*)?"
    r"(-?(\d[\d_,]*(\.\d+)?|\.\d+)(%|k|m|mn|bn|tn|pct)?|\{[^#]*\d[^#]*\})\s*(#|$)"
)
#: Data files whose figures are claims about the world or estimates of it (scenarios and
#: rounds are what-ifs and a recorded negotiation, not claims).
MARKED = sorted(
    p
    for folder in ("policy", "partners", "portfolios", "packages")
    for p in (DEALS / folder).rglob("*.yaml")
)


@pytest.mark.parametrize("path", MARKED, ids=lambda p: str(p.relative_to(DEALS)))
def test_every_figure_says_where_it_comes_from(path: Path) -> None:
    """deals/README.md, "Marks": every number's comment starts with [S], [P], [D], [E] or [R].

    A package's concession set to a level id (`invest-us: 1400bn  # level id: ...`)
    names a level of the partner's menu, where the figure is marked; `round: 1` counts
    rounds.
    """
    unmarked = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        comment = line.partition("#")[2].strip()
        if not FIGURE.match(line) or MARK.match(comment):
            continue
        if comment.startswith("level id") or re.match(r"^\s*round:", line):
            continue
        unmarked.append(f"{number}: {line.strip()}")
    assert not unmarked, f"{path.relative_to(DEALS)}: figures without a source mark: {unmarked}"
