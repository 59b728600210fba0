"""A trade negotiator running many deals, session 41 (qa41-negotiate): copies of a
portfolio, offers after one at a point of the frontier, the status memo's figures. Each
test failed before its fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from yaml import safe_load

from helpers import REPO, invoke


def test_a_copy_of_a_portfolio_records_no_round_into_the_originals_negotiation(
    deals: Path,
) -> None:
    """gulf-asia-b.yaml, a copy of gulf-asia.yaml made to try a variant (less supply), keeps
    its `id`, so its rounds folder by default is deals/rounds/gulf-asia/: `offer` on the copy
    recorded QA's round 1 into the original's negotiation, for good, without a word. It is
    refused at the copy's `id:` line, naming both files and the ways out; `--rounds` naming
    the folder records there all the same."""
    original = deals / "portfolios/gulf-asia.yaml"
    copy = deals / "portfolios/gulf-asia-b.yaml"
    shutil.copyfile(original, copy)
    options = ["--partner", "QA", "--no-documents"]
    run = invoke(["offer", copy, *options])
    assert run.exit_code == 2, run.output
    assert f"{copy}:5: id: gulf-asia is also the id of {original}, and both record" in run.stderr
    assert "Give one file an id of its own" in run.stderr
    assert "or name the folder with --rounds" in run.stderr
    assert not (deals / "rounds/gulf-asia/QA").exists()
    meant = invoke(["offer", copy, *options, "--rounds", deals / "rounds/gulf-asia"])
    assert meant.exit_code == 0, meant.output
    assert (deals / "rounds/gulf-asia/QA/001-us.yaml").is_file()


def test_an_offer_after_one_at_a_point_of_the_frontier_takes_nothing_back(
    rounds: Path,
) -> None:
    """QA's first offer at the Nash point (`--mode nash`, records no strategy of the four),
    then `offer`: the Boulware default aimed at the ideal ($11.18bn to the US) and was
    refused as a retreat from the Nash offer ("the offer gives QA $2.05bn, less than our
    offer of round 1 did ($5.04bn)"), though the user chose no strategy to switch to. A
    strategy not switched takes nothing back: its target is what our last offer gives the
    US, and the offer gives QA no less than round 1 did."""
    gulf = REPO / "deals/portfolios/gulf-asia.yaml"
    options = ["--partner", "QA", "--rounds", rounds, "--no-documents"]
    assert invoke(["offer", gulf, *options, "--mode", "nash"]).exit_code == 0
    run = invoke(["offer", gulf, *options])
    assert run.exit_code == 0, run.output
    first = safe_load((rounds / "QA/001-us.yaml").read_text("utf-8"))
    second = safe_load((rounds / "QA/002-us.yaml").read_text("utf-8"))
    assert second["strategy"]["name"] == "boulware"
    assert "a strategy not switched takes back nothing offered" in second["strategy"]["reason"]
    assert "retreat" not in second
    assert second["package"] == first["package"]


def test_the_status_memos_json_gives_the_strategys_target_as_a_field(
    shipped: Path, tmp_path: Path
) -> None:
    """AE's move reads "... at least the $150.25bn of our next offer's target (the plan with
    this deal at the $72.43bn of US utility our strategy now asks of it ...; the next offer
    itself gives the US $73.97bn)": `room --json` and the status memo's JSON gave the
    $73.97bn (`next_offer_us`, `next_us`) but the target and the portfolio's V at it only
    inside that sentence. They are fields, as in the verdict's JSON."""
    gulf = shipped / "portfolios/gulf-asia.yaml"
    out = tmp_path / "out"
    run = invoke(["room", gulf, "--json", "--render", "json", "--out", out, "--date", "2026-03-20"])
    assert run.exit_code == 0, run.output
    row = next(r for r in json.loads(run.stdout)["rows"] if r["partner"] == "AE")
    memo = json.loads((out / "memos/negotiation-gulf-asia.json").read_text("utf-8"))
    answer = next(r for r in memo["answers"] if r["code"] == "AE")
    for target, portfolio in (
        (row["next_target"], row["portfolio_next_offer"]),
        (answer["next_target"], answer["portfolio_next_offer"]),
    ):
        assert f"${target / 1e9:.2f}bn of US utility our strategy now asks" in row["reason"]
        assert f"the ${portfolio / 1e9:.2f}bn of our next offer's target" in row["reason"]
