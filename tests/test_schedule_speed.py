"""The schedule step made cheaper without changing its answers: the rounding's shortcuts
compute the same numbers, and the step gives the same packages on every run."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dealbench.model import load_portfolio
from dealbench.optimize import solve
from dealbench.optimize.schedule import grid
from dealbench.optimize.schedule.signable import schedule

REPO = Path(__file__).resolve().parents[1]
GLOBAL = REPO / "deals" / "portfolios" / "global.yaml"

_PF = load_portfolio(GLOBAL)
_RESULT = solve(_PF)
_PACKAGES = [d.package() for d in _RESULT.deals]
_DEALS = [grid.deal_of(_PF, p, _PF.granularity) for p in _PACKAGES]


@settings(max_examples=200, deadline=None)
@given(amount=st.floats(min_value=-1_000.0, max_value=2_000_000.0, allow_nan=False))
def test_a_deal_values_compute_exactly_as_its_partner_does(amount: float) -> None:
    for deal in _DEALS:
        assert deal.worth(amount) == deal.partner.value_of(amount)


def test_a_deal_values_segment_ends_exactly_as_its_partner_does() -> None:
    for deal in _DEALS:
        end = 0.0
        for width, _ in deal.segments:
            if width == float("inf"):
                break
            end += width
            for amount in (end - 1.0, end, end + 1.0):
                assert deal.worth(amount) == deal.partner.value_of(amount)


def test_the_schedule_is_the_same_on_every_run() -> None:
    runs = [
        json.dumps(
            [p.model_dump(mode="json") for p in schedule(_PF, "us-best", _PACKAGES).packages],
            sort_keys=True,
        )
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]
