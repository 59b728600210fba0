"""A scripted negotiation, end to end through the CLI: three rounds with each of two partners.

With the UAE and Saudi Arabia in the gulf-asia portfolio (a fresh rounds folder):
    AE: 1 US offer (linear), 2 counter (deals/packages/ae-counter.yaml), 3 US offer,
        4 the UAE walks away.
    SA: 1 US offer (linear), 2 counter (deals/packages/sa-counter.yaml), 3 US offer,
        4 Saudi Arabia accepts round 3 (concluded).
Asserted: the files on disk, the redlines, the room table and the re-optimized remainder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dealbench import check, evaluate, load_portfolio
from dealbench.negotiate import load_negotiations, replan, residual
from dealbench.optimize import solve
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
PACKAGES = REPO / "deals/packages"


@pytest.fixture(scope="module")
def negotiated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """Run the script once; return the rounds folder, the documents folder, each step's output."""
    from helpers import invoke

    base = tmp_path_factory.mktemp("negotiation")
    rounds, docs = base / "rounds", base / "docs"
    common: list[str | Path] = ["--rounds", rounds, "--out", docs]
    steps: dict[str, list[str | Path]] = {
        "AE-1": ["offer", PORTFOLIO, "-p", "AE", "--strategy", "linear", "--date", "2026-02-02"],
        "SA-1": ["offer", PORTFOLIO, "-p", "SA", "--strategy", "linear", "--date", "2026-02-05"],
        "AE-2": ["counter", PORTFOLIO, PACKAGES / "ae-counter.yaml", "-p", "AE", "--json"],
        "SA-2": ["counter", PORTFOLIO, PACKAGES / "sa-counter.yaml", "-p", "SA", "--json"],
        "AE-3": ["offer", PORTFOLIO, "-p", "AE", "--date", "2026-03-02"],
        "SA-3": ["offer", PORTFOLIO, "-p", "SA", "--date", "2026-03-05"],
    }
    outputs = {}
    for name, args in steps.items():
        result = invoke([*args, *common])
        assert result.exit_code == 0, (name, result.output, result.traceback)
        outputs[name] = result.stdout
    closing: dict[str, list[str | Path]] = {
        "AE-4": ["walk-away", PORTFOLIO, "-p", "AE", "--by", "partner", "--rounds", rounds],
        "SA-4": ["conclude", PORTFOLIO, "-p", "SA", "--date", "2026-03-19", *common],
    }
    for name, args in closing.items():
        result = invoke(args)
        assert result.exit_code == 0, (name, result.output, result.traceback)
        outputs[name] = result.stdout
    return rounds, docs, outputs


def test_the_files_on_disk(negotiated: tuple[Path, Path, dict[str, str]]) -> None:
    rounds, _, _ = negotiated
    names = sorted(str(p.relative_to(rounds)) for p in rounds.rglob("*.yaml"))
    assert names == [
        "AE/001-us.yaml",
        "AE/002-partner.yaml",
        "AE/003-us.yaml",
        "AE/004-partner.yaml",
        "SA/001-us.yaml",
        "SA/002-partner.yaml",
        "SA/003-us.yaml",
        "SA/004-partner.yaml",
    ]
    ae4 = yaml.safe_load((rounds / "AE/004-partner.yaml").read_text())
    assert ae4 == {
        "round": 4,
        "side": "partner",
        "author": "AE delegation",
        "basis": "003-us.yaml",
        "status": "walked-away",
    }
    sa3 = yaml.safe_load((rounds / "SA/003-us.yaml").read_text())
    sa4 = yaml.safe_load((rounds / "SA/004-partner.yaml").read_text())
    assert sa4["status"] == "concluded" and sa4["basis"] == "003-us.yaml"
    assert sa4["package"] == sa3["package"]
    # the second US offer continues the recorded strategy (linear) and concedes
    assert sa3["strategy"]["name"] == "linear"
    assert sa3["strategy"]["params"]["offers_made"] == 1
    sa1 = yaml.safe_load((rounds / "SA/001-us.yaml").read_text())
    assert sa3["strategy"]["target_us_utility"] < sa1["strategy"]["target_us_utility"]
    counter = yaml.safe_load((rounds / "AE/002-partner.yaml").read_text())
    assert counter["package"]["concessions"]["invest-us"] == "200bn"
    assert counter["basis"] == "001-us.yaml"


def test_the_verdicts_on_the_counters(negotiated: tuple[Path, Path, dict[str, str]]) -> None:
    _, _, outputs = negotiated
    for code in ("AE", "SA"):
        verdict = json.loads(outputs[f"{code}-2"])
        assert verdict["partner"] == code and verdict["round"] == 2
        assert verdict["us_change"] < 0 < verdict["partner_change"]
        assert verdict["violations"] == []
        assert verdict["recommendation"] == "counter"
        assert verdict["frontier"]["gain"] >= -1e6
        assert verdict["portfolio_walk_away"] < verdict["portfolio_plan"]
        assert verdict["portfolio_if_accepted"] <= verdict["portfolio_plan"] + 1e6


def test_the_redlines_and_term_sheets(negotiated: tuple[Path, Path, dict[str, str]]) -> None:
    _, docs, _ = negotiated
    names = sorted(str(p.relative_to(docs)) for p in docs.rglob("*.md"))
    for code in ("AE", "SA"):
        assert f"redlines/{code}-offer-001-to-offer-003.md" in names
        assert f"redlines/{code}-offer-001-to-offer-003-internal.md" in names
        assert f"redlines/{code}-offer-001-to-counter-002-internal.md" in names
        for stem in (f"{code}-offer-001", f"{code}-counter-002", f"{code}-offer-003"):
            assert f"term-sheets/{stem}.md" in names
            assert f"term-sheets/{stem}-internal.md" in names
    # the terms agreed, written by `conclude` (qa31-docs)
    assert {"term-sheets/SA-agreed-004.md", "term-sheets/SA-agreed-004-internal.md"} <= set(names)
    redline = (docs / "redlines/SA-offer-001-to-offer-003.md").read_text()
    assert "~~" in redline or "**" in redline  # the concession shows as a change
    external = (docs / "redlines/SA-offer-001-to-offer-003.md").read_text()
    assert "Internal" not in external


def test_the_room_table_and_the_re_optimized_remainder(
    run: Runner, negotiated: tuple[Path, Path, dict[str, str]]
) -> None:
    rounds, _, _ = negotiated
    data = json.loads(run("room", PORTFOLIO, "--rounds", rounds, "--json").stdout)
    rows = {r["partner"]: r for r in data["rows"]}
    assert (rows["AE"]["stage"], rows["AE"]["rounds"], rows["AE"]["next_move"]) == (
        "walked away",
        4,
        "-",
    )
    assert (rows["SA"]["stage"], rows["SA"]["rounds"]) == ("concluded", 4)
    assert data["concluded"] == ["SA"] and data["walked_away"] == ["AE"]

    pf = load_portfolio(PORTFOLIO)
    negotiations = load_negotiations(pf, rounds)
    sa = negotiations["SA"].concluded_package
    assert sa is not None
    # the remainder: SA fixed, AE out, the other seven re-optimized in what is left
    rest = solve(residual(pf, [sa], ["AE"])).raise_for_status()
    ae = pf.partner("AE")
    assert ae is not None
    expected = evaluate(pf, sa).us_value + ae.us_batna + (rest.objective or 0.0)
    assert data["objective"] == pytest.approx(expected, rel=1e-6)
    plan = replan(pf, negotiations)
    assert plan.result is not None
    assert {d.partner for d in plan.result.deals}.isdisjoint({"AE", "SA"})
    # SA's compute is never offered again: its deal and the plan fit the portfolio together
    together = check(pf, [sa, *(d.package() for d in plan.result.deals)])
    assert together.ok, together.problems()
    # with AE gone, the remainder gets more than it would with AE held at the optimum
    full = solve(pf).raise_for_status()
    rest_in_full = sum(d.total_compute for d in full.deals if d.partner not in ("AE", "SA"))
    assert sum(d.total_compute for d in plan.result.deals) >= rest_in_full - 1


def test_no_round_follows_the_outcomes(
    run: Runner, negotiated: tuple[Path, Path, dict[str, str]]
) -> None:
    rounds, _, _ = negotiated
    # who ended the talks, as every command says it (qa34-newuser: "the negotiation with AE
    # was walked away from", whoever left)
    for code, words in (("AE", "AE walked away"), ("SA", "the negotiation with SA was concluded")):
        result = run("offer", PORTFOLIO, "-p", code, "--rounds", rounds, "--no-documents")
        assert result.exit_code == 2
        assert f"{words} in this round" in result.stderr


def test_history_shows_the_path(run: Runner, negotiated: tuple[Path, Path, dict[str, str]]) -> None:
    rounds, _, _ = negotiated
    data = json.loads(run("history", PORTFOLIO, "-p", "SA", "--rounds", rounds, "--json").stdout)
    assert [r["status"] for r in data["rounds"]] == ["open", "open", "open", "concluded"]
    assert data["stage"] == "concluded"
    utilities = [r["us_utility"] for r in data["rounds"]]
    assert utilities[0] > utilities[2] > utilities[1]  # the US conceded, above the counter
