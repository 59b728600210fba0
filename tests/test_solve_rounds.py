"""`solve --rounds`: the whole portfolio re-planned from its rounds (DESIGN.md, "Negotiation").

On a copy of the shipped worked example (SA concluded on the second US offer, AE
open): the concluded deal is fixed as agreed, a partner that walked away gets no
deal, the open negotiations share what is left, and every figure is `check`'s.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dealbench import check, load_portfolio
from dealbench.negotiate import load_negotiations, room, walk_away
from dealbench.negotiate.plan import solve_rounds
from helpers import REPO, Runner


@pytest.fixture()
def deals(tmp_path: Path) -> Path:
    """A copy of the shipped deals folder: the tests record rounds in it."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    return tmp_path / "deals"


def test_the_concluded_deal_is_fixed_and_the_open_ones_share_what_is_left(deals: Path) -> None:
    pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
    root = deals / "rounds/gulf-asia"
    agreed = load_negotiations(pf, root)["SA"].concluded_package
    assert agreed is not None

    solved = solve_rounds(pf, root)
    result = solved.result
    sa = result.deal("SA")
    assert sa is not None
    assert sa.security == agreed.security and dict(sa.concessions) == dict(agreed.concessions)
    assert sa.compute == pytest.approx(agreed.compute)
    # every package together, as check sees them: within every limit, the same V
    checked = check(pf, [d.package() for d in result.deals])
    assert checked.ok
    assert result.us_value == pytest.approx(checked.objective)
    for t in pf.periods:
        others = sum(d.compute[t] for d in result.deals if d.partner != "SA")
        assert others <= pf.supply[t] - agreed.compute.get(t, 0.0) + 0.5
    # the deal room plans the same portfolio
    assert result.us_value == pytest.approx(room(pf, root).objective, abs=1.0)
    assert "SA (round 4" in result.message
    assert result.solver.bound is not None and result.solver.bound >= result.us_value - 1.0


def test_a_partner_that_walked_away_gets_no_deal_and_its_reason(deals: Path) -> None:
    pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
    root = deals / "rounds/gulf-asia"
    before = solve_rounds(pf, root).result
    assert before.deal("QA") is not None
    walk_away(pf, root, "QA", by="partner")

    after = solve_rounds(pf, root)
    assert after.result.deal("QA") is None and "QA" in after.result.no_deal
    reasons = {r.partner: r for r in after.reasons}
    assert reasons["QA"].reason == "walked-away" and "round 1" in reasons["QA"].message
    assert "Walked away, no deal: QA." in after.result.message
    assert after.result.fingerprint != before.fingerprint  # the rounds are part of it
    assert check(pf, [d.package() for d in after.result.deals]).ok


def test_the_command_prints_writes_and_explains(run: Runner, deals: Path, tmp_path: Path) -> None:
    portfolio = deals / "portfolios/gulf-asia.yaml"
    rounds = deals / "rounds/gulf-asia"
    out = tmp_path / "out"
    r = run("solve", portfolio, "--rounds", rounds, "--json", "--out", out)
    assert r.exit_code == 0, r.output + r.traceback
    data = json.loads(r.stdout)
    assert data["status"] == "optimal" and data["mode"] == "us-best"
    sa = next(d for d in data["deals"] if d["partner"] == "SA")
    written = json.loads((out / "result.json").read_text())
    assert written["us_value"] == data["us_value"] and (out / "packages/SA.yaml").exists()
    assert (
        sa["compute"]
        == written["deals"][[d["partner"] for d in written["deals"]].index("SA")]["compute"]
    )
    plain = run("solve", portfolio, "--json")
    assert json.loads(plain.stdout)["us_value"] >= data["us_value"] - 1.0  # fixing costs V


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--mode", "nash"], "not with --mode nash"),
        (["--prices"], "not with --prices"),
        (["--require-deal", "AE"], "not with --require-deal"),
    ],
)
def test_options_that_ask_another_problem_are_refused(
    run: Runner, deals: Path, extra: list[str], words: str
) -> None:
    r = run("solve", deals / "portfolios/gulf-asia.yaml", "--rounds", deals / "rounds/gulf-asia")
    assert r.exit_code == 0
    r = run(
        "solve", deals / "portfolios/gulf-asia.yaml", "--rounds", deals / "rounds/gulf-asia", *extra
    )
    assert r.exit_code == 2 and words in r.stderr and not r.traceback


def test_a_mistyped_rounds_folder_is_refused_not_read_as_no_rounds(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    r = run(
        "solve",
        deals / "portfolios/gulf-asia.yaml",
        "--rounds",
        deals / "rounds/gulfasia",
        "--out",
        tmp_path / "out",
    )
    assert r.exit_code == 2 and "does not exist" in r.stderr and not r.traceback
    assert not (tmp_path / "out").exists()


def test_room_out_without_render_is_refused_not_ignored(run: Runner, deals: Path) -> None:
    r = run("room", deals / "portfolios/gulf-asia.yaml", "--out", deals.parent / "memo")
    assert r.exit_code == 2 and "needs --render" in r.stderr and not r.traceback
    assert not (deals.parent / "memo").exists()
