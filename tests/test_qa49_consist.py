"""Session 49 (qa49-consist): the same fact said alike in the terminal, JSON, web and
documents."""

from __future__ import annotations

import warnings

import pytest

from dealbench import load_portfolio
from dealbench.analyze.robust import robust_solve
from dealbench.optimize.result import SolveResult
from dealbench.render import documents_for, render_document, source_from_result
from helpers import REPO


@pytest.fixture(scope="module")
def robust() -> SolveResult:
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return robust_solve(pf, 0.9, samples=1000).result


def _limits_that_bind(text: str) -> str:
    return text.split("## Limits that bind", 1)[1].split("\n## ", 1)[0]


def test_robust_memos_name_the_partners_held_to_their_raised_walk_away_value(
    robust: SolveResult,
) -> None:
    """`solve gulf-asia-uncertain.yaml --robust 0.9 --render md`: the terminal's Binding
    (result.json's `binding`) names AE and SA "held to their walk-away value raised for
    acceptance in 90% of the samples"; the portfolio memo's "Limits that bind", built from
    the deals checked at the written values, named KZ alone. Now the memos say what
    `binding` says."""
    raised = {
        b.partner for b in robust.binding if b.kind == "acceptance" and "raised" in b.message
    }
    assert raised == {"AE", "SA"}
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    source = source_from_result(pf, robust)
    (memo,) = documents_for(source, "portfolio-memo")
    limits = _limits_that_bind(render_document(memo, "md")[0].data.decode())
    assert (
        "- AE and SA are held to their walk-away value raised for acceptance in 90% of the "
        "samples: each one's partner utility exceeds that value plus the required margin by "
        "at most $" in limits
    )
    for doc in documents_for(source, "deal-memo", partners=["AE", "KZ"]):
        limits = _limits_that_bind(render_document(doc, "md")[0].data.decode())
        said = "held to its walk-away value raised for acceptance in 90% of the samples"
        assert (said in limits) == doc.path.endswith("AE"), (doc.path, limits)
