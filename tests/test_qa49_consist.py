"""Session 49 (qa49-consist): the same fact said alike in the terminal, JSON, web and
documents."""

from __future__ import annotations

import warnings

import pytest

from dealbench import load_portfolio
from dealbench.analyze.robust import robust_solve
from dealbench.negotiate.verdict import Verdict, counter_beside_next
from dealbench.optimize.result import SolveResult
from dealbench.render import documents_for, render_document, source_from_result
from helpers import REPO, invoke


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
    raised = {b.partner for b in robust.binding if b.kind == "acceptance" and "raised" in b.message}
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


#: AE's counter to our round 3 that gives the US more than our next offer but AE less than
#: its walk-away value plus margin as we estimate it.
GENEROUS = """\
partner: AE
side: counter
security: veu
compute: {'2026': 600000, '2027': 600000, '2028': 600000}
concessions: {invest-us: 1400bn, no-prc-hardware: true, match-us-ai: true, us-operated: true}
"""


@pytest.fixture(scope="module")
def generous(tmp_path_factory: pytest.TempPathFactory) -> Verdict:
    import json
    import shutil

    tmp = tmp_path_factory.mktemp("consist")
    rounds = tmp / "rounds"
    (rounds / "AE").mkdir(parents=True)
    for name in ("001-us.yaml", "002-partner.yaml", "003-us.yaml"):
        shutil.copy(REPO / "deals/rounds/gulf-asia/AE" / name, rounds / "AE" / name)
    package = tmp / "ae-generous.yaml"
    package.write_text(GENEROUS)
    portfolio = REPO / "deals/portfolios/gulf-asia.yaml"
    out = invoke(
        [
            "evaluate",
            package,
            "--portfolio",
            portfolio,
            "--against",
            "3",
            "--rounds",
            rounds,
            "--json",
        ]
    )
    assert out.exit_code == 3, out.stderr
    return Verdict.model_validate(json.loads(out.stdout))


def test_a_counter_the_partner_proposes_below_our_estimate_of_its_walk_away_says_so(
    generous: Verdict,
) -> None:
    """A counter better for the US than our next offer, broken only by the partner's
    refusal as we estimate it, was COUNTERed with nothing to say that the partner, offering
    it, says it would accept (qa49-negotiate's CH). The reason (terminal, JSON, web, memo)
    now says our estimate of its walk-away value may be too high."""
    assert generous.recommendation == "counter"
    assert generous.reason.endswith(
        "; yet AE proposes it, and it gives the US $18.27bn more than our next offer: if AE "
        "would accept it, our estimate of its walk-away value is too high (correct it in "
        "AE's partner file and weigh the counter again)"
    )


def test_the_frontier_line_says_the_difference_as_printed(generous: Verdict) -> None:
    """qa49-negotiate's CH: "Change from round 1 ... US +$750m" ($2.09bn less $1.34bn, as
    printed) beside "Frontier: ... the US could get $1.34bn ($748.4m less than the
    counter)": one difference said two ways. The frontier line now says the difference of
    the two figures as printed, as the change and the table beside our next offer do."""
    frontier = generous.frontier.model_copy(update={"us_utility": 1.3432e9, "gain": -748.4e6})
    v = generous.model_copy(update={"us_utility": 2.0916e9, "frontier": frontier})
    assert v.frontier_us_said() == "$1.34bn"
    assert v.frontier_gain_words() == "$750m less than the counter's $2.09bn"
    assert "the US could get $1.34bn ($750m less than the counter's $2.09bn)" in v.frontier_words(
        ["2026"]
    )


def test_beside_our_next_offer_prints_both_rows_to_one_precision() -> None:
    """AE's counter of round 4 beside our next offer: the US row printed $78.248bn (a third
    decimal, so that the change is the difference as printed), the partner row $17.50bn."""
    said = counter_beside_next(78.248e9, 17.5e9, 73.974e9, 15.02e9)
    assert said is not None
    assert said["us"][:2] == ("$78.248bn", "$73.974bn")
    assert said["partner"][:2] == ("$17.500bn", "$15.020bn")
