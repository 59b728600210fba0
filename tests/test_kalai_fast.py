"""`solve --mode kalai` under a time limit at the sizes users run (kalai-fast).

On synthetic S seed 0 the partner-by-partner search (`optimize.bargain.kalai`) applies (the
first stage's LP leaves supply room) but ends without a tau (its packages need more supply
than a period has). Its 70-250 one-partner MIPs took the whole of `--time-limit 120`: the
one MIP that follows was given half a second, and the user got tau 0. The split now has
half of what is left of the limit (`kalai.SPLIT_SHARE`); the one MIP has the rest.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest

from builders import RandomPicker, generate
from dealbench import solve
from dealbench.checker import check
from dealbench.model.granularity import Granularity
from dealbench.optimize import Status
from dealbench.optimize.bargain import solve as bargain

kalai = importlib.import_module("dealbench.optimize.bargain.kalai")


def test_the_split_leaves_the_one_mip_its_share_of_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A generated portfolio the split solves in about ten one-partner MIPs (seed 188 of
    tests/test_qa19_kalai.py, tau 4/7), each made to take a second, as on a loaded machine
    at size S: under `time_limit=5` the split stops after its share (2-3 of them) and the
    one MIP finds the best tau with the rest. Before, the split ran its ten seconds and
    answered past the limit (at S: the one MIP got half a second, tau 0)."""
    pf = generate(RandomPicker(188), max_partners=4, max_periods=3, max_concessions=3)
    pf = pf.model_copy(update={"own_granularity": Granularity(h100e=1000.0)})
    reference = solve(pf, "kalai")
    assert reference.objective == pytest.approx(4 / 7, rel=1e-6)

    inside, slow, found = [False], [0], []
    real_split, real_run = kalai.best_tau_by_partner, bargain.run_pulp

    def split(*args: Any, **kwargs: Any) -> float | None:
        inside[0] = True
        try:
            found.append(real_split(*args, **kwargs))
            return found[-1]
        finally:
            inside[0] = False

    def run(problem: Any, backend: Any) -> Any:
        one_partner = sum(name.startswith("security_") for name in problem.constraints) == 1
        if inside[0] and one_partner:  # not the whole portfolio's LP relaxation
            slow[0] += 1
            time.sleep(1.0)
        return real_run(problem, backend)

    monkeypatch.setattr(kalai, "best_tau_by_partner", split)
    monkeypatch.setattr(bargain, "run_pulp", run)
    result = solve(pf, "kalai", time_limit=5)
    assert found == [None]  # the split gave up at its share of the limit
    assert 1 <= slow[0] <= 4
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(reference.objective, rel=1e-6)
    assert "exact within the gap" in result.message
    verdict = check(pf, [d.package() for d in result.deals])
    assert verdict.ok, verdict.problems()
