"""Session 45 (qa45-prices): what lies past the end of a shadow price's range.

`solve gulf-asia --prices` said 2026 supply is worth $4,160 per H100e "down to 999,742";
`solve --set portfolio.supply.2026=999_000` lost $183m of V, 44 times what the price gives
for 1,000 H100e. Below 999,742 the optimum's deals, security levels and concessions no
longer fit (every partner is held at its walk-away value plus margin: the fixed LP is
infeasible), and the full model drops AM's deal. Each finite end of a range now says what
comes one whole step past it, measured: the fixed LP's next rate and how far it holds, or
the cliff, with the full model re-solved there and what it changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dealbench import load_portfolio, solve
from dealbench.analyze.fixed_lp import build_fixed_lp
from dealbench.analyze.limit_costs import _warnings
from helpers import invoke

REPO = Path(__file__).resolve().parents[1]
GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
#: One declared step (1,000 H100e) of gulf-asia at $4,160: what a re-solve in another step
#: may differ by (`_ReSolved.after`), with room for the gap.
ONE_STEP = 4.2e6 + 0.5e6


def _solve_json(*sets: str, prices: bool = False) -> dict[str, Any]:
    args: list[str | Path] = ["solve", GULF, "--json"]
    if prices:
        args.append("--prices")
    for s in sets:
        args += ["--set", s]
    done = invoke(args)
    assert done.exit_code == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


@pytest.fixture(scope="module")
def gulf() -> dict[str, Any]:
    """`solve gulf-asia --prices --json`, as a staff user runs it."""
    return _solve_json(prices=True)


def _limit(out: dict[str, Any], kind: str, period: str | None = None) -> dict[str, Any]:
    return next(
        lim
        for lim in out["prices"]["limits"]
        if lim["kind"] == kind and (period is None or lim["period"] == period)
    )


def test_below_a_supply_range_the_cliff_is_re_solved_and_said(gulf: dict[str, Any]) -> None:
    """2026 supply's price holds down to 999,742; one whole step below, at 999,000, today's
    choices no longer fit, and the full model gives what `--set ...=999_000` gives (solved
    as this solve was: qa48-docs), far more
    than the price's $4.2m, as AM loses its deal."""
    lim = _limit(gulf, "supply", "2026")
    assert lim["holds_from"] == pytest.approx(999_742, abs=1)
    past = lim["past_from"]
    assert past["at"] == 999_000 and past["fits"] is False and past["lp_rate"] is None
    assert past["at_price"] == pytest.approx(1_000 * lim["usd_per_unit"])
    resolved = _solve_json("portfolio.supply.2026=999_000")["us_value"]
    assert past["us_change"] == pytest.approx(resolved - gulf["us_value"], abs=ONE_STEP)
    assert -past["us_change"] > 40 * past["at_price"]  # the cliff the price hid
    assert "AM no longer gets a deal" in past["changes"]
    assert (
        "(and each one cut costs as much, down to 999,742). Below 999,742 today's deals, "
        "security levels and concessions no longer fit" in lim["text"]
    )
    assert (
        "re-solved at 999,000 H100e, the full model gives the US $183.4m less than now"
        in (lim["text"])
    )
    # Past the top the fixed LP's next rate, which the fixed LP re-solved confirms.
    top = lim["past_to"]
    pf = load_portfolio(GULF)
    lp = build_fixed_lp(pf, solve(pf).deals)
    row = next(r for r in lp.limits if r.kind == "supply" and r.period == "2026")
    end, until = top["end"], top["lp_until"]
    there, at_end = lp.value_at(row, until), lp.value_at(row, end)
    assert there is not None and at_end is not None
    assert top["lp_rate"] == pytest.approx((there - at_end) / (until - end), rel=1e-4)
    assert "Past 1,176,077, with those held, each one more gains $4,040, up to " in lim["text"]


def test_a_short_next_segment_says_where_the_choices_stop_fitting(gulf: dict[str, Any]) -> None:
    """The risk budget is unused above 161,302; below it a cut costs $130,000 each with the
    choices held, but only down to 161,294: below that the fixed LP is infeasible, so a
    reader must not carry $130,000 on (`--set portfolio.risk_budget=160_300`, ten steps of
    100 past, loses $327m)."""
    lim = _limit(gulf, "risk-budget")
    past = lim["past_from"]
    assert past["fits"] is True and past["lp_rate"] == pytest.approx(130_000, rel=1e-6)
    assert past["fits_after"] is False
    pf = load_portfolio(GULF)
    lp = build_fixed_lp(pf, solve(pf).deals)
    row = next(r for r in lp.limits if r.kind == "risk-budget")
    assert lp.value_at(row, past["lp_until"] + 0.01) is not None
    assert lp.value_at(row, past["lp_until"] - 1.0) is None
    assert (
        "each one cut costs $130,000, down to 161,294, below which they no longer fit."
        in (lim["text"])
    )


def test_the_principals_memo_repeats_the_cliff_by_titles() -> None:
    """The memo's list under "Re-solved one step away" (`limit_costs`' price warnings) says
    the cliff below 2026 supply's range, each partner by its name, as `--prices` does."""
    from dealbench.analyze.prices import shadow_prices

    pf = load_portfolio(GULF)
    result = solve(pf)
    prices = shadow_prices(pf, result)
    said = _warnings(prices, {"kind": "supply", "period": "2026"})
    (cliff,) = [w for w in said if w.startswith("Supply in 2026: below 999,742")]
    assert "no longer fit" in cliff and "Armenia (AM)" in cliff
