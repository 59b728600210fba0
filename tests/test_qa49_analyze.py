"""Session 49 (qa49-analyze): portfolio analysis with inputs no one here wrote."""

from __future__ import annotations

import pytest

from dealbench import load_portfolio
from dealbench.analyze.robust import robust_solve
from helpers import REPO


@pytest.mark.filterwarnings("ignore")
def test_robust_solve_names_the_partners_held_to_their_raised_walk_away_value() -> None:
    """`solve --robust 0.9` raises AE's and SA's walk-away values until 90% of the samples
    accept; the packages then sit on the raised values (within USD 1m), and that limit is
    what holds their compute down. "Binding" named only the partners held to their
    walk-away value as written (QA, SG, KZ), so the limit deciding AE's and SA's packages
    went unsaid in the terminal and result.json."""
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    result = robust_solve(pf, 0.9, samples=1000).result
    raised = {a.partner: a.batna_raised_by for a in result.robust.acceptance}  # type: ignore[union-attr]
    held = {b.partner: b for b in result.binding if b.kind == "acceptance"}
    assert {"AE", "SA"} <= held.keys()
    for code in ("AE", "SA"):
        deal = result.deal(code)
        assert deal is not None
        assert held[code].limit == pytest.approx(deal.acceptance_threshold + raised[code])
        assert held[code].amount - held[code].limit <= 1e6
        assert "raised for acceptance in 90% of the samples" in held[code].message
    # The partners held as written keep their own sentence, which does not name AE or SA.
    written = [b for b in result.binding if b.kind == "acceptance" and "raised" not in b.message]
    assert written and all(b.partner not in ("AE", "SA") for b in written)
