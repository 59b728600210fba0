"""Session 48 (lead): what the lead fixed beside the helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import load_portfolio, solve
from dealbench.cli.output import print_result
from dealbench.optimize.result import Status
from helpers import words


def test_a_stop_with_no_useful_bound_says_so_on_the_solver_line(
    deals: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`solve global --mode partner-best --time-limit 0.01` stopped before any deal was
    found: the Solver line said "gap 2.2e+11", a gap relative to a value near zero that
    tells a reader nothing, while the warning below it said "no useful bound". The line
    now says the same; the JSON keeps the solver's figure."""
    result = solve(load_portfolio(deals / "portfolios/gulf-asia.yaml"))
    for gap, shown in ((2.2e11, "gap above 100% (no useful bound)"), (0.27, "gap 0.27")):
        solver = result.solver.model_copy(update={"gap": gap})
        print_result(result.model_copy(update={"status": Status.TIME_LIMIT, "solver": solver}))
        said = words(capsys.readouterr().out)
        assert f"Solver: highs {solver.version}, {solver.seconds:.2f} s, {shown} " in said + " "
