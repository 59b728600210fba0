"""Managing many deals at once (qa42-scale): the deal room and its memo at fifty partners."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from dealbench.optimize import solve
from dealbench.optimize.explain import no_deal_reasons
from dealbench.synth import generate

finish_module = importlib.import_module("dealbench.optimize.finish")
reserve_module = importlib.import_module("dealbench.optimize.reserve")


def _said(reasons: list[Any]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    return [(r.partner, r.reason, r.message, [x.as_dict() for x in r.relax]) for r in reasons]


def test_a_raise_re_solved_to_see_whether_it_opens_a_deal_is_not_put_on_the_grid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`room --why` (and the status memo, which always says why) at M with half the
    partners concluded took 55 s, 38 of them in the schedule's closest-grid MIPs of the
    re-solves that ask whether a raise of supply and risk budget gives a partner a deal:
    which partners deal is all they are asked, and past the reserve's size the schedule
    never changes it. The re-solves of synthetic S (80 partner-periods) now skip it, and
    every reason is word for word what the scheduled re-solves gave."""
    pf = generate("S", seed=0)
    assert len(pf.partners) * len(pf.periods) > reserve_module.RESERVE_MAX_PAIRS
    result = solve(pf)
    calls: list[int] = []
    real = finish_module.schedule

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(finish_module, "schedule", counting)
    fast = no_deal_reasons(pf, result)
    unscheduled = len(calls)
    calls.clear()
    # The route before: every re-solve through `solve`, scheduled (as below the size).
    monkeypatch.setattr(reserve_module, "RESERVE_MAX_PAIRS", 10**9)
    scheduled = no_deal_reasons(pf, result)
    assert _said(fast) == _said(scheduled)
    assert any("makes room for it" in r.message for r in fast)  # a re-solve decides it
    assert unscheduled < len(calls)
