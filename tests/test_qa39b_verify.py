"""qa39b-verify: solves checked against an independent brute-force reference on random
small portfolios (enumerating every discrete choice, an LP for compute): the faults found.
"""

from __future__ import annotations

import pytest

from dealbench import load_portfolio, solve
from dealbench.errors import SolverError
from dealbench.optimize import Status
from dealbench.optimize.backends import make_backend
from helpers import REPO

DATA = REPO / "tests/data/qa39bverify"


def test_cbc_point_that_breaks_the_models_rows_is_not_called_optimal() -> None:
    """CBC 2.10's preprocessing returned kalai's second stage as "Optimal" with w != x in a
    period (a row of DESIGN's model broken), and the packages read from x had tau 0.806
    where 0.969 exists: the point is now solved again without preprocessing."""
    try:
        make_backend("cbc")
    except SolverError as exc:  # PuLP 4 (Python 3.12+) without the cbc extra
        pytest.skip(str(exc))
    pf = load_portfolio(DATA / "cbcrows/portfolio.yaml")
    highs = solve(pf, "kalai")
    cbc = solve(pf, "kalai", solver="cbc")
    assert highs.status == cbc.status == Status.OPTIMAL
    assert highs.objective is not None and cbc.objective is not None
    assert cbc.objective == pytest.approx(highs.objective, abs=1e-5)
    assert cbc.objective == pytest.approx(0.96946, abs=1e-4)
