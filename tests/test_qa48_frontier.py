"""qa48-frontier: the frontier and its bargaining points as a negotiator and a notebook use
them: the re-plan's refusal and notes in words true of the re-plan, a base result of other
figures refused alike by every call that holds one, and the held Nash point exact on the
curves it is drawn on."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dealbench import (
    ArgumentError,
    InputError,
    load_portfolio,
    load_scenario,
    no_deal_reasons,
    shadow_prices,
    solve,
)
from dealbench.negotiate import frontier, frontier_from_rounds, us_best_at, zopas
from dealbench.negotiate.bargaining import gains
from dealbench.negotiate.exact import curves
from dealbench.negotiate.frontier import held
from dealbench.negotiate.plan import solve_rounds
from dealbench.negotiate.single import single
from helpers import REPO, Runner, words
from test_qa44_bargain import drawn, written

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def test_a_concluded_partners_refusal_says_what_is_wrong_and_the_cli_what_it_wrote(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """`frontier_from_rounds(pf, rounds, "SA")` said "which has no frontier for it (nothing
    written)": a library call writes nothing, so that is the CLI's to say. The library
    says what is wrong; `frontier --rounds DIR --out OUT` adds that nothing was written."""
    with pytest.raises(InputError) as refused:
        frontier_from_rounds(load_portfolio(GULF), rounds, "SA")
    said = str(refused.value)
    assert "the negotiation with SA was concluded in this round" in said
    assert "no frontier for it; the portfolio's own frontier" in said
    assert "nothing written" not in said
    out = tmp_path / "out"
    shown = run("frontier", GULF, "-p", "SA", "--rounds", rounds, "--out", out)
    assert shown.exit_code == 2, shown.output
    assert shown.stderr.rstrip().endswith("still draws one; nothing written")
    assert not out.exists()
    plain = run("frontier", GULF, "-p", "SA", "--rounds", rounds)  # no folder to write into
    assert plain.exit_code == 2, plain.output
    assert "no frontier for it" in plain.stderr and "nothing written" not in plain.stderr


def test_the_re_plans_notes_speak_of_the_re_plan(rounds: Path) -> None:
    """`frontier gulf-asia.yaml -p MY --rounds deals/rounds/gulf-asia`: "No zone of
    agreement with the other deals held (AE, QA, BH, IN, SG and AM) ... as `solve` says":
    SA's concluded deal is held too, and `solve` (the plain portfolio's) gives SA another
    deal; the reason the note points to is `solve --rounds`'. Jointly it said "every other
    deal is re-optimized", and SA's is not. Now each note says what the re-plan holds and
    names `solve --rounds`, whose reason gives the same figure."""
    pf = load_portfolio(GULF)
    f = frontier_from_rounds(pf, rounds, "MY", points=3)
    note = next(n for n in f.notes if n.startswith("No zone of agreement"))
    assert "with the other deals held (SA at its agreed terms; AE, QA, BH, IN, SG and AM " in note
    assert "as `solve --rounds` says ('Why no deal with MY')" in note
    assert "as `solve` says" not in note
    assert "the re-plan gives the room it needs" in note
    reasons = solve_rounds(pf, rounds).result.no_deal_reasons or []
    reason = next(r.message for r in reasons if r.partner == "MY")
    assert "alone, a deal with MY would add $8.99bn" in reason and "$8.99bn" in note
    plain = frontier(pf, "MY", points=3)  # the portfolio's own frontier keeps its words
    said = next(n for n in plain.notes if n.startswith("No zone of agreement"))
    assert "with the other deals held (AE, SA, QA, BH, IN, SG and AM)" in said
    assert "as `solve` says ('Why no deal with MY')" in said
    joint = frontier_from_rounds(pf, rounds, "MY", points=3, jointly=True, jobs=1)
    notes = " ".join(joint.notes)
    assert "every other deal" not in notes
    assert "every other open negotiation's deal (the concluded ones at their agreed terms)" in (
        notes
    )
    assert "re-planned at each point, the concluded ones (SA) held" in notes
    assert "beside the concluded deals alone, a deal with MY would add $8.99bn" in notes


def test_a_base_of_other_figures_is_refused_alike_by_every_call_that_holds_one() -> None:
    """A solve of gulf-asia held beside gulf-asia with 2027's supply halved (same id):
    `frontier(base=)` and `us_best_at(base=)` raised a bare ValueError from inside ("supply
    in 2027: 1,200,000 H100e allocated, 600,000 available"), `zopas` and `no_deal_reasons`
    worked from packages the portfolio does not allow, and `shadow_prices` alone refused it
    by name. One check now (`result_fits`), the same words from each."""
    result = solve(load_portfolio(GULF))
    halved = load_scenario(GULF, None, ["portfolio.supply.2027=600000"])
    calls = {
        "base": [
            lambda: frontier(halved, "AE", points=3, base=result),
            lambda: us_best_at(halved, "AE", 10e9, base=result),
            lambda: zopas(halved, result),
        ],
        "result": [
            lambda: shadow_prices(halved, result, compare=False),
            lambda: no_deal_reasons(halved, result),
        ],
    }
    for name, each in calls.items():
        for call in each:
            with pytest.raises(ArgumentError) as refused:
                call()
            assert refused.value.argument == name
            assert refused.value.message == (
                "the result's packages do not fit portfolio 'gulf-asia' as given: supply in "
                "2027: 1,200,000 H100e allocated, 600,000 available; the result is a solve of "
                "other figures (an override, a data file edited since): solve the portfolio "
                "as given"
            )
    assert zopas(load_portfolio(GULF), result)  # a base that fits is taken as before


@pytest.mark.parametrize("code", ["BX", "CX"])
def test_the_held_nash_point_is_the_best_product_on_its_curves(tmp_path: Path, code: str) -> None:
    """qa44's generated seed 0: the held Nash point was `solve --mode nash` of the partner
    alone in steps of 10,000 H100e, lifted or replaced by a frontier point, its log product
    0.159 (BX) and 0.046 (CX) below a package on the curves it is drawn on, within a stated
    bound. It is found as Kalai's is now (`exact.best_product`): no package on the curves
    scores more, and its bound is 0, said as exact."""
    pf = load_portfolio(written(drawn(0), tmp_path))
    base = solve(pf)
    f = frontier(pf, code, points=5, base=base)
    assert f.nash is not None
    product = math.prod(gains(f, f.nash))
    _, rest = held(pf, code, base)
    alone = single(rest, code)
    scanned = 0.0  # every segment of every curve, in 400 steps
    for s in curves(alone):
        for i in range(401):
            us = s.v0 + (s.v1 - s.v0) * i / 400 - alone.us_batna
            partner = s.u0 + (s.u1 - s.u0) * i / 400 - alone.batna
            if us > 0 and partner > 0:
                scanned = max(scanned, us * partner)
    assert product >= scanned * (1 - 1e-9), math.log(scanned) - math.log(product)
    nash = f.bargaining["nash"]
    assert nash["method"] == "exact over every deal of the partner, others held"
    assert nash["error_bound"] == nash["log_error_bound"] == 0.0
    from dealbench.negotiate.frontier_words import frontier_words

    assert "Nash bound: product of gains >= 1.000000 x the best (exact over every deal" in (
        words(" ".join(frontier_words(f).summary))
    )
