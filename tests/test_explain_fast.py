"""Why-no-deal explanations in a fraction of their time, the same sentences (explain-fast).

`dealbench solve` on synthetic M seed 2 spent about 12 s of its 13 explaining why each
partner without a deal has none: a partner the shared limits keep out is explained by
re-solving the whole portfolio with the room its best package needs
(`shared_limits._least_room`), from nothing, once or more per partner. Each raise is now
re-solved from the solve's own result (its columns, prices and packages; the first
incumbent round narrowed to `WARM_SETS_PER_PARTNER` sets a partner). A warm start may land
on another of the raised portfolio's equal optima, so the sentences are pinned against the
cold route (`cold=True`, as before) on portfolios where the re-solves decide them.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from dealbench.model.load import load_portfolio
from dealbench.optimize import solve
from dealbench.optimize.explain import no_deal_reasons
from dealbench.optimize.explain.shared_limits import WARM_SETS_PER_PARTNER
from dealbench.synth import generate
from helpers import REPO

best_module = importlib.import_module("dealbench.optimize.best")


def _said(reasons: list[Any]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """Everything a reason says: partner, kind, sentence and each change with its amount."""
    return [(r.partner, r.reason, r.message, [x.as_dict() for x in r.relax]) for r in reasons]


#: Portfolios whose reasons re-solve raises, and a sentence of each that a re-solve decides:
#: synthetic S seed 0 (one re-solve per partner, the best package's raise: AA's does not
#: open a deal, AE's does) and the shipped global portfolio (the least raise of the risk
#: budget searched by halving, a re-solve a step: MY's 25,057 of the 60,000-odd its best
#: package needs).
CASES = {
    "synthetic S seed 0": (
        lambda: generate("S", seed=0),
        {
            "AA": "(what its best package needs) does not open a deal: re-solved, the other "
            "deals take that room too",
            "AE": "raising the risk budget by 118,283 risk-weighted H100e and supply by "
            "between 438,997 and 644,825 H100e in each of 2026–2029 (2,150,316 H100e in all) "
            "makes room for it",
        },
    ),
    "deals/portfolios/global.yaml": (
        lambda: load_portfolio(REPO / "deals/portfolios/global.yaml"),
        {"MY": "raising the risk budget by 25,057 risk-weighted H100e makes room for it"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_reasons_re_solved_from_the_solve_are_those_re_solved_cold(case: str) -> None:
    """Each partner's reason, word for word and with its amounts, is the one the cold
    re-solves give; the sentences the re-solves decide are as they were."""
    make, sentences = CASES[case]
    pf = make()
    result = solve(pf)
    fast = no_deal_reasons(pf, result)
    cold = no_deal_reasons(pf, result, cold=True)
    assert _said(fast) == _said(cold)
    by_partner = {r.partner: r.message for r in fast}
    for code, sentence in sentences.items():
        assert sentence in by_partner[code]


def _starts_of_re_solves(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The warm start each re-solve of the explanations is given, as they run."""
    starts: list[Any] = []
    real = best_module.solve_best

    def spy(portfolio: Any, *args: Any, **kwargs: Any) -> Any:
        starts.append(kwargs.get("warm_start"))
        return real(portfolio, *args, **kwargs)

    monkeypatch.setattr(best_module, "solve_best", spy)
    return starts


def test_each_raise_is_re_solved_from_the_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """The explanation's re-solves of the raised portfolio start from the solve's result
    (its packages among them), their first round narrowed; the cold route starts none."""
    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    result = solve(pf)
    starts = _starts_of_re_solves(monkeypatch)
    no_deal_reasons(pf, result)
    assert len(starts) >= 2  # MY's and VN's least raises
    packages = [d.package() for d in result.deals]
    for start in starts:
        assert start is not None and start.sets_per_partner == WARM_SETS_PER_PARTNER
        assert start.packages == packages
    starts.clear()
    no_deal_reasons(pf, result, cold=True)
    assert starts and all(start is None for start in starts)


def test_past_the_partners_explained_the_first_are_explained_as_all_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past `limit` partners without a deal the reasons are those of a copy of the result (its
    first partners only): it re-solves from the result too, and says what a solve that
    explains every partner says of them."""
    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    result = solve(pf)
    every = no_deal_reasons(pf, result, limit=None)
    starts = _starts_of_re_solves(monkeypatch)
    shown = no_deal_reasons(pf, result, limit=1)
    assert [r.reason for r in shown][1:] == ["not-explained"] * (len(result.no_deal) - 1)
    assert _said(shown[:1]) == _said(every[:1])
    packages = [d.package() for d in result.deals]
    assert starts and all(start is not None and start.packages == packages for start in starts)
