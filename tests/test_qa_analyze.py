"""The analysis commands on inputs the shipped data never shows (a QA pass of issue 11).

Each test is one fault a new user met, written as what they rely on: a partner file
written for one regime's security levels, compared under another regime, is refused
with the file, line and field (not a traceback); a shadow price is tested one whole
step of compute away; a sweep's change point is printed with digits that tell its two
ends apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.analyze.regimes import find_regime, under_regime
from dealbench.errors import InputError
from dealbench.model import load_portfolio
from helpers import Runner

POLICY = """\
id: house
title: A house regime with its own security levels
security_levels:
  - {id: low, title: Low, mitigation: 0.0}
  - {id: high, title: High, mitigation: 0.9}
caps:
  tier1: {}
  tier2: {low: 10_000, high: 90_000}
  tier3: 0
export_value_per_h100e: 10k
risk_penalty_per_h100e: 100k
acceptance_margin: 0
"""

PARTNER = """\
code: XA
name: Xanadu
tier: 2
diversion_risk: 0.2
ask: {2030: 70_000, 2031: 80_000}
value_per_h100e: 40k
batna: 1bn
security_costs: {low: 0, high: 700m}
concessions:
  - id: inv
    title: Investment
    category: investment
    us_value: 3bn
    partner_cost: 2.5bn
    requires: [{security: high}]
"""

PORTFOLIO = """\
id: house
title: House portfolio
policy: house.yaml
periods: [2030, 2031]
supply: {2030: 150_000, 2031: 100_000}
partners: [xa.yaml]
"""


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A portfolio whose regime names its security levels `low` and `high`."""
    (tmp_path / "house.yaml").write_text(POLICY)
    (tmp_path / "xa.yaml").write_text(PARTNER)
    (tmp_path / "portfolio.yaml").write_text(PORTFOLIO)
    return tmp_path / "portfolio.yaml"


# --- a partner's security levels under another regime ----------------------------------


def test_another_regime_without_the_partners_levels_is_bad_input(house: Path) -> None:
    """Under `tiered` (baseline, kyc, veu) the partner's `low` and `high` name nothing:
    every such level is reported at its file and line, before any solve."""
    pf = load_portfolio(house)
    with pytest.raises(InputError) as caught:
        under_regime(pf, find_regime("tiered"))
    text = str(caught.value)
    assert "xa.yaml:8: security_costs.low: unknown security level 'low' in regime tiered" in text
    assert "security_costs.high" in text
    assert "concessions[0].requires[0].security" in text


@pytest.mark.parametrize("command", ["solve", "compare"])
def test_cli_another_regime_without_the_partners_levels(
    run: Runner, house: Path, command: str
) -> None:
    option = ["--policy", "tiered"] if command == "solve" else ["--regimes", "tiered", "-j", "1"]
    result = run(command, house, *option)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert "unknown security level 'low' in regime tiered" in result.stderr
    assert result.stdout == ""
