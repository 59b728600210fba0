"""Documents that read right to a principal (qa30-names).

A partner's name in running English takes the article it takes ("the Philippines", "The
United Arab Emirates should accept"); `solve --mode partner-best` states its floor on
the US utility and whether it binds; the frontier's zone of agreement is said in the one
money form. tests/data/qa30neg/ is qa30-negotiator's hand-written `corridor` portfolio
(VN, PH and BD).
"""

from __future__ import annotations

import pytest

from dealbench import load_portfolio
from dealbench.model.schema import Portfolio
from helpers import DATA, invoke

QA30 = DATA / "qa30neg"
CORRIDOR = QA30 / "portfolios/corridor.yaml"


@pytest.fixture
def corridor() -> Portfolio:
    return load_portfolio(CORRIDOR)


def test_the_frontiers_zone_of_agreement_is_said_in_the_one_money_form() -> None:
    """BD's joint frontier is printed in USD bn (the portfolio's V is $1.2bn); its zone of
    agreement read "largest joint gain USD 0.04bn", the table's unit, where every other
    sentence of the frontier says money as `$40.0m`."""
    run = invoke(["frontier", CORRIDOR, "--partner", "BD", "--points", "5", "--jointly"])
    assert run.exit_code == 0, run.output
    zopa = [line for line in run.stdout.splitlines() if line.startswith("ZOPA")]
    assert zopa and zopa[0].startswith("ZOPA: yes, largest joint gain $"), zopa
    assert "USD 0." not in zopa[0]
