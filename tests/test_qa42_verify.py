"""qa42-verify: solves, evaluations, frontiers and verdicts checked against an independent
reference on generated portfolios (docs/decisions.md, "Session 42 (qa42-verify)").

Kept here: what the suite did not yet check against an enumeration, kalai's point in whole
steps. solve.py promises that kalai's tau is the best in the declared step, each share
measured against the ideal gains in that same step; tests/test_bargaining.py checks kalai
on continuous amounts and tests/test_qa26_ties.py one case whose tau is 1.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dealbench.checker import check
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.optimize import solve

DATA = Path(__file__).parent / "data" / "qa42verify"


def _whole_step_amounts(limit: float, step: float) -> list[float]:
    """Every amount a deal may have in a period: whole steps up to the limit, and the limit."""
    amounts = [n * step for n in range(int(limit // step) + 1)]
    return amounts if amounts[-1] == limit else [*amounts, limit]


def test_kalai_in_whole_steps_is_the_best_share_of_the_ideals_in_those_steps() -> None:
    """One partner, steps of 25,000 H100e, a risk budget and supply that bind: every
    package `check` passes (each level, each concession choice, each whole-step
    schedule) is enumerated; the ideals are the best US gain and the best partner gain
    with the US no worse off, and tau the best least share. solve --mode kalai says the
    same tau, and its packages give it."""
    pf = load_portfolio(DATA / "kalaisteps/portfolio.yaml")
    (partner,) = pf.partners
    step = 25_000.0
    menus = [
        [None, *([True] if not c.levels else [lv.id for lv in c.levels])]
        for c in partner.concessions
    ]
    gains: list[tuple[float, float]] = []
    for level in pf.levels_for(partner):
        schedules = itertools.product(
            *[_whole_step_amounts(pf.cap(partner, level, t), step) for t in pf.periods]
        )
        for schedule in schedules:
            for choice in itertools.product(*menus):
                granted = {c.id: g for c, g in zip(partner.concessions, choice, strict=True) if g}
                checked = check(
                    pf,
                    Package(
                        partner=partner.code,
                        security=level,
                        compute=dict(zip(pf.periods, schedule, strict=True)),
                        concessions=granted,
                    ),
                )
                if checked.ok:
                    (deal,) = checked.deals
                    gains.append((deal.us_margin, deal.partner_utility - partner.batna))
    assert len(gains) > 10
    ideal_us = max(g for g, _ in gains)
    ideal_partner = max(p for g, p in gains if g >= 0)
    best = max(min(g / ideal_us, p / ideal_partner) for g, p in gains)

    result = solve(pf, "kalai")
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.objective == pytest.approx(0.691906, abs=1e-6)
    (deal,) = [d for d in result.deals if d.security]
    share = min(deal.us_margin / ideal_us, (deal.partner_utility - partner.batna) / ideal_partner)
    assert share == pytest.approx(best, abs=1e-6)
