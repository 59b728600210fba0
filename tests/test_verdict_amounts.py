"""The verdict on a counter that names a range amount between the optimizer's grid points.

On a copy of the shipped gulf-asia data whose AE `invest-us` is made a range (0 to
USD 1.4tn, step USD 100bn), a counter of USD 1,350bn with align-controls and
no-prc-hardware gave a frontier "gain" of -1.5bn: the frontier point was computed on the
grid (1.2tn, 1.3tn, ...), which cannot match 1.35tn at the counter's partner utility.
And a counter at an amount off the range's declared step is recorded without a word
about it; the verdict now notes it, with the nearest amounts on the step.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.checker import evaluate
from dealbench.model.package import Package
from dealbench.negotiate import load_negotiations, replan
from dealbench.negotiate.frontier import offering
from dealbench.negotiate.verdict import frontier_gap
from helpers import REPO, Runner

AE_RANGE = (
    "    category: investment\n"
    "    amount: {unit: USD, min: 0, step: 100bn}\n"
    "    levels:\n"
    "      - id: 200bn\n"
    "        title: USD 200bn over three years\n"
    "        amount: 200bn\n"
)
COMPUTE = {"2026": 600_000, "2027": 600_000, "2028": 600_000}


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    """A copy of deals/ whose AE investment is a range with a step of USD 100bn."""
    folder = tmp_path / "deals"
    shutil.copytree(REPO / "deals", folder)
    ae = folder / "partners/ae.yaml"
    text = ae.read_text()
    # (the lines' source marks, `# [E] ...`, are left out: the range's lines replace them)
    text, made = re.subn(
        r"    category: investment\n    levels:\n      - id: 200bn[^\n]*\n"
        r"        title: USD 200bn over three years\n",
        AE_RANGE,
        text,
        count=1,
    )
    text, also = re.subn(
        r"(under the US–UAE investment framework\n)",
        r"\1        amount: 1400bn\n",
        text,
        count=1,
    )
    assert made == also == 1
    ae.write_text(text)
    return folder


def counter(**concessions: str | bool) -> Package:
    return Package(partner="AE", security="veu", compute=COMPUTE, concessions=concessions)


def test_a_counter_off_the_grid_is_on_the_frontier_not_beyond_it(deals: Path) -> None:
    pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
    plan = replan(pf, load_negotiations(pf, deals / "rounds/gulf-asia"))
    off = counter(**{"invest-us": "1350bn", "align-controls": True, "no-prc-hardware": True})
    figures = evaluate(pf, off)
    assert figures.accepts and not figures.violations
    gap = frontier_gap(pf, plan, "AE", figures)
    assert gap.gain == 0.0 and gap.on_frontier  # was -1.5bn
    assert gap.package is not None and gap.package.concessions["invest-us"] == "1.35tn"
    # a counter the frontier beats still has its (positive) gain, and a package
    # that does not say 1.35tn: on the grid or at the counter's own amount
    worse = evaluate(pf, counter(**{"invest-us": "1350bn", "no-prc-hardware": True}))
    beaten = frontier_gap(pf, plan, "AE", worse)
    assert beaten.gain == pytest.approx(0.5e9, rel=1e-6) and not beaten.on_frontier


def test_the_counters_amounts_join_the_grid_only_for_its_partner(deals: Path) -> None:
    pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
    off = counter(**{"invest-us": "1350bn"})
    grid = pf.partner("AE").concession("invest-us").choices  # type: ignore[union-attr]
    wider = offering(pf, off).partner("AE").concession("invest-us").choices  # type: ignore[union-attr]
    assert [o.id for o in wider if o not in grid] == ["1.35tn"]
    assert len(wider) == len(grid) + 1
    assert [o.amount for o in wider] == sorted(o.amount or 0.0 for o in wider)
    assert offering(pf, counter(**{"invest-us": "1300bn"})) is pf  # on the grid: unchanged
    assert pf.partner("AE").concession("invest-us").choices == grid  # type: ignore[union-attr]


def test_the_cli_says_when_the_counter_is_itself_on_the_frontier(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    file = tmp_path / "counter.yaml"
    file.write_text(
        "partner: AE\nsecurity: veu\n"
        "compute: {2026: 600_000, 2027: 600_000, 2028: 600_000}\n"
        "concessions: {invest-us: 1350bn, align-controls: true, no-prc-hardware: true}\n"
    )
    portfolio = deals / "portfolios/gulf-asia.yaml"
    text = run("evaluate", file, "--portfolio", portfolio, "--against", "3")
    assert text.exit_code == 0, text.output
    line = " ".join(text.stdout.split())
    assert (
        "Frontier: the counter is itself on the frontier: no package gives the partner at "
        "least $17.00bn and the US more than its $80.75bn"
    ) in line
    recorded = run("counter", portfolio, file, "--partner", "AE", "--no-documents", "--json")
    assert recorded.exit_code == 0, recorded.output
    frontier = json.loads(recorded.stdout)["frontier"]
    assert frontier["gain"] == 0.0 and frontier["on_frontier"] is True


# --- an amount off the declared step ---------------------------------------------------------

GLOBAL = REPO / "deals/portfolios/global.yaml"
KR_COUNTER = REPO / "deals/packages/kr-counter.yaml"


@pytest.mark.parametrize(
    ("amount", "notes"),
    [
        (
            "60bn",
            [
                "invest-us: USD 60bn is off the declared step of USD 25bn; the nearest "
                "amounts on it are USD 50bn and USD 75bn"
            ],
        ),
        ("75bn", []),  # a multiple of the step
        ("100bn", []),  # a level
        (
            "340bn",  # between the grid's last amount and the top level
            [
                "invest-us: USD 340bn is off the declared step of USD 25bn; the nearest "
                "amounts on it are USD 325bn and USD 350bn"
            ],
        ),
    ],
)
def test_a_counter_off_the_declared_step_is_recorded_with_a_note(
    run: Runner, tmp_path: Path, amount: str, notes: list[str]
) -> None:
    """KR's `invest-us` declares a step of USD 25bn: a counter of USD 60bn is valued and
    recorded as written, but the verdict says it is off the step and names 50bn and 75bn,
    the nearest amounts the optimizer would offer. It said nothing before."""
    file = tmp_path / "kr.yaml"
    file.write_text(KR_COUNTER.read_text().replace("invest-us: 75bn ", f"invest-us: {amount} "))
    rounds = tmp_path / "rounds"
    result = run("counter", GLOBAL, file, "--partner", "KR", "--rounds", rounds, "--json",
                 "--no-documents")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (rounds / "KR/001-partner.yaml").is_file()
    assert json.loads(result.stdout)["notes"] == notes
    text = run("evaluate", file, "--portfolio", GLOBAL, "--rounds", rounds, "--against", "1")
    line = " ".join(text.stdout.split())
    assert [n for n in notes if f"Note: {n}" in line] == notes
    assert ("Note:" in line) == bool(notes)
