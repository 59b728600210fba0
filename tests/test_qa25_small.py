"""Faults found on a twenty-fifth look (session 25), each with the test that failed before."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import invoke
from test_qa19_small import _flat, _quarterly

REPO = Path(__file__).resolve().parent.parent
GULF = "deals/portfolios/gulf-asia.yaml"
COUNTER = "deals/packages/ae-counter.yaml"


@pytest.fixture
def deals_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/ folder (rounds included), as a user's checkout."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    return tmp_path


# --- 1. a shadow price's warning names the cap's basis and the step's unit ----------------


def test_a_pro_rated_caps_warning_says_its_basis_and_the_steps_unit(tmp_path: Path) -> None:
    """`solve --prices` on a quarterly portfolio said "Raising AE's 2026Q1 cap under veu
    (a quarter of the policy's 600,000 H100e a year) by one H100e is worth $2,360", then
    warned "AE's cap under veu in 2026Q1: the shadow price ... 2,000 more gains $2.0m per
    H100e": the same cap without its basis, and a step with no unit. The warning now names
    the cap as its price does, and says "2,000 H100e more"."""
    run = invoke(["solve", _quarterly(tmp_path), "--prices"])
    assert run.exit_code == 0, run.output
    said = _flat(run.output)
    assert (
        "Warning: AE's cap under veu in 2026Q1 (a quarter of the policy's 600,000 H100e a "
        "year): the shadow price of $2,360 per H100e holds only while"
    ) in said
    assert "2,000 H100e more gains $2.0m per H100e (with those held: $2,360)" in said
    assert " 2,000 more " not in said


# --- 2. `evaluate` without --against takes any solver's name, as it solves nothing -----------


def test_evaluate_without_against_takes_cbc_and_says_it_is_not_used() -> None:
    """`evaluate PACKAGE --solver cbc` refused (exit 2) "evaluate solves with HiGHS only",
    though without --against it solves nothing: a negotiator who names the solver out of
    habit had no check. It now checks the package and says on stderr the solver is not
    used; an unknown name, and cbc with --against (which re-plans with HiGHS), still exit 2."""
    run = invoke(["evaluate", COUNTER, "--portfolio", GULF, "--solver", "cbc"])
    plain = invoke(["evaluate", COUNTER, "--portfolio", GULF])
    assert run.exit_code == plain.exit_code == 0, run.output
    assert run.stdout == plain.stdout
    assert "--solver cbc is not used" in run.stderr
    unknown = invoke(["evaluate", COUNTER, "--portfolio", GULF, "--solver", "glpk"])
    assert unknown.exit_code == 2 and "unknown solver 'glpk'" in unknown.stderr
    against = invoke(
        ["evaluate", COUNTER, "--portfolio", GULF, "--solver", "cbc", "--against", "1"]
    )
    assert against.exit_code == 2 and "HiGHS only" in against.stderr


# --- 3. nash's solver gap says which model it measures ------------------------------------


def test_nash_solver_gap_says_it_is_the_linearised_models() -> None:
    """`solve --mode nash` printed "Solver: highs ..., gap 0" and on the next line "the Nash
    product is within a factor 0.999899 of the best": two claims of optimality that read
    as contradicting. The gap now says it is the linearised model's."""
    run = invoke(["solve", GULF, "--mode", "nash"])
    assert run.exit_code == 0, run.output
    solver = next(line for line in run.stdout.splitlines() if line.startswith("Solver: "))
    assert solver.endswith(" on the linearised model"), solver
    assert "the Nash product is within a factor" in _flat(run.stdout)
    us_best = invoke(["solve", GULF])
    assert "linearised" not in us_best.stdout


# --- 4. every command names an unknown partner in the same words --------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["frontier", GULF, "--partner", "ZZ"],
        ["walk-away", GULF, "--partner", "ZZ"],
        ["history", GULF, "--partner", "ZZ"],
        ["solve", GULF, "--require-deal", "ZZ"],
    ],
)
def test_an_unknown_partner_is_said_alike_by_every_command(
    command: list[str], deals_copy: Path
) -> None:
    """`frontier --partner ZZ` said "partner 'ZZ' is not in portfolio gulf-asia; expected
    one of: ...", `walk-away` "'ZZ' is not a partner of this portfolio: ...", `history`
    "'ZZ' is not a partner of portfolio gulf-asia; ...", the library "(AA)": seven
    wordings of one error. All now say it in `Portfolio.unknown_partner`'s words, with
    its codes; nothing is written."""
    args = [str(deals_copy / a) if a == GULF else a for a in command]
    before = sorted(p.relative_to(deals_copy) for p in deals_copy.rglob("*"))
    run = invoke(args)
    assert run.exit_code == 2 and not run.traceback, run.output
    code = command[-1]
    said = f"partner {code!r} is not in portfolio gulf-asia; expected one of: AE, SA, QA,"
    assert said in run.stderr
    assert sorted(p.relative_to(deals_copy) for p in deals_copy.rglob("*")) == before


def test_the_library_names_an_unknown_partner_in_the_same_words(deals_copy: Path) -> None:
    import dealbench

    pf = dealbench.load_portfolio(deals_copy / GULF)
    said = "partner 'ZZ' is not in portfolio gulf-asia; expected one of: AE, SA, QA,"
    for call in [
        lambda: dealbench.walk_away(pf, deals_copy / "deals/rounds/gulf-asia", "ZZ"),
        lambda: dealbench.frontier(pf, "ZZ"),
    ]:
        with pytest.raises(dealbench.DealbenchError, match=re.escape(said)):
            call()
    # a code in lower case, which the library reads as written: the one meant is named
    with pytest.raises(
        dealbench.DealbenchError, match=re.escape("(codes are upper case: write AE)")
    ):
        dealbench.frontier(pf, "ae")
