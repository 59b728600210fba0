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


def test_partner_best_says_its_default_floor_on_the_us_utility_and_that_it_binds(
    corridor: Portfolio,
) -> None:
    """`solve --mode partner-best` on the corridor: the partners take all they can while V
    stays at or above its floor, by default V with no deal (-$200.0m, the partners'
    us_batna). V is -$196.8m, $3.2m above it (compute in steps of 500 H100e): the floor
    binds (without it the partners' total is higher), but the output said neither the
    floor nor that it binds (V is not on it, so the `binding` limits do not list it)."""
    from dealbench import solve

    result = solve(corridor, "partner-best")
    assert result.v_floor == pytest.approx(-200e6)
    assert result.solver.details["v_floor_default"] == 1.0
    assert result.solver.details["v_floor_binds"] == 1.0
    run = invoke(["solve", CORRIDOR, "--mode", "partner-best"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert (
        "keeping the US utility V at or above its floor, -$200.0m (V with no deal, the "
        "default), which binds: V is $3.2m above it, and every package the partners prefer "
        "would take V below it" in said
    )


def test_partner_best_says_when_its_floor_does_not_bind(corridor: Portfolio) -> None:
    """With a floor far below anything the partners' best leaves the US (-$10bn), partner-
    best's packages are the partners' own best: the floor is given, and it does not bind."""
    run = invoke(["solve", CORRIDOR, "--mode", "partner-best", "--v-floor", "-10bn"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert "at or above its floor, -$10.00bn, which does not bind" in said
    assert "Binding: The US utility V" not in said
