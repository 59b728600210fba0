"""qa46-rounding: numbers a negotiator can sign, and more of a limit never gives less V.

`solve deals/portfolios/gulf-asia.yaml --policy tiered --set portfolio.caps.AE.veu=160500`
said US utility $74.4375bn where `...=160000` said $74.4377bn: AE (whose compute costs the
US more in risk than it earns, held at its walk-away value) took 159,000 / 160,000 /
160,500 H100e, where 159,000 / 160,000 / 160,000 is all it needs. The largest-remainder
rounding adds steps until a partner accepts and took the half step to the cap before a
whole one; the steps a deal does not need are now given back
(`schedule.remainder._Rounding.give_back_unneeded`).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.model.regimes import find_regime, under_regime
from dealbench.optimize.best import solve_best
from dealbench.optimize.schedule import schedule
from dealbench.optimize.schedule.grid import deal_of
from helpers import REPO, invoke, quick

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _solved(*extra: str) -> dict[str, Any]:
    run = invoke(["solve", GULF, "--json", *extra])
    assert not run.traceback, run.traceback
    assert run.exit_code == 0, run.output
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_a_cap_half_a_step_higher_gives_the_us_no_less() -> None:
    """AE's cap of 160,500 H100e under tiered: AE gets what it needs, 479,000 H100e in
    whole steps (not 479,500), and V is what the cap of 160,000 gives."""
    at = {
        c: _solved("--policy", "tiered", "--set", f"portfolio.caps.AE.veu={c}")
        for c in (160_000, 160_500)
    }
    ae = {c: next(d for d in r["deals"] if d["partner"] == "AE") for c, r in at.items()}
    assert sum(ae[160_500]["compute"].values()) == 479_000, ae[160_500]["compute"]
    assert at[160_500]["us_value"] >= at[160_000]["us_value"] - 1.0
    assert ae[160_500]["us_value"] >= ae[160_000]["us_value"] - 1.0
    assert ae[160_500]["accepts"]


def _tiered() -> Portfolio:
    pf = load_portfolio(GULF)
    return under_regime(pf, find_regime("tiered", GULF))


TIERED = _tiered()
#: The deals' terms of the continuous optimum (AE at its walk-away value under veu).
PACKAGES = [d.package() for d in solve_best(TIERED, "us-best", on_grid=False).deals]


def _v(cap: float) -> float:
    """V of the optimum's terms put in whole steps with AE's own cap under veu at `cap`."""
    pf = TIERED.model_copy(update={"caps": {"AE": {"veu": float(cap)}}})
    found = schedule(pf, "us-best", PACKAGES)
    assert found.step == pf.granularity.h100e
    deals = [deal_of(pf, p, pf.granularity) for p in found.packages]
    for d, p in zip(deals, found.packages, strict=True):
        assert d.value(list(p.compute.values())) >= d.need - 1e3, p.partner
    return sum(
        d.us_value(list(p.compute.values())) for d, p in zip(deals, found.packages, strict=True)
    )


@quick(12)
@given(extra=st.integers(1, 999))
@example(extra=500)
def test_a_cap_off_the_step_gives_the_us_at_least_the_whole_step_below(extra: int) -> None:
    """The same terms, AE's cap anywhere between 160,000 and 161,000 H100e: V in whole
    steps is at least what the cap of 160,000 gives."""
    assert _v(160_000 + extra) >= _v(160_000) - 1.0
