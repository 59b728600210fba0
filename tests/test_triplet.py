"""The one builder of the models passed straight to HiGHS (`optimize.triplets`), which the
smooth schedule, the closest grid schedule and the fixed LP of shadow prices share
(triplet)."""

from __future__ import annotations

import numpy as np

from dealbench.optimize.highs import INF, new_highs
from dealbench.optimize.triplets import Triplets


def _small() -> Triplets:
    """max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3: x = 3, y = 1, objective 11; then
    a column z joined by its own row, z >= x - y (z = 2 at that optimum)."""
    lp = Triplets()
    x = lp.col(0.0, 3.0, cost=3.0)
    y = lp.col(0.0, INF, cost=2.0)
    lp.row({x: 1.0, y: 1.0}, -INF, 4.0)
    lp.row({x: 1.0, y: 3.0, 99: 0.0}, -INF, 6.0)  # a zero term is left out
    z = lp.col(0.0, INF)
    lp.row({z: 1.0, x: -1.0, y: 1.0}, 0.0, INF)
    return lp


def test_a_built_program_solves_to_its_known_optimum() -> None:
    lp = _small()
    assert 99 not in lp.cols
    h = new_highs()
    lp.arrays().pass_to(h, maximize=True)
    h.run()
    assert h.getInfo().objective_function_value == 11.0
    assert np.allclose(h.getSolution().col_value, [3.0, 1.0, 2.0])


def test_a_program_passed_in_parts_is_the_program_passed_whole() -> None:
    lp = _small()
    arrays = lp.arrays()
    whole, parts = new_highs(), new_highs()
    arrays.pass_to(whole, maximize=True)
    arrays.pass_to(parts, maximize=True, end=(2, 2))
    assert parts.getNumCol() == 2 and parts.getNumRow() == 2
    arrays.add_to(parts, (2, 2), (3, 3), arrays.upper)
    for h in (whole, parts):
        h.run()
    assert parts.getInfo().objective_function_value == whole.getInfo().objective_function_value
    assert np.allclose(parts.getSolution().col_value, whole.getSolution().col_value)
    assert np.allclose(parts.getSolution().row_value, whole.getSolution().row_value)
