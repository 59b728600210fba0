"""A trade negotiator's rounds, session 48 (qa48-negotiate): QA, AE and BH on a copy of
gulf-asia, KR (a range concession) and JP on a copy of global, counters written by hand,
a conclusion and walk-aways. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from dealbench.checker import evaluate
from dealbench.model.load import load_portfolio
from dealbench.model.load_package import load_package
from dealbench.negotiate.recommend import recommend
from helpers import REPO, invoke


def test_a_round_file_weighed_against_an_offer_is_not_said_unmoved_from_itself() -> None:
    """`evaluate deals/rounds/gulf-asia/AE/004-partner.yaml --against 3`: the package is AE's
    last counter, given as its round file. Its verdict noted "AE has not moved: the same
    terms as its counter of round 4 (004-partner.yaml)", of round 4 itself: the round file
    carries its side, round and date, so it was not taken for the last counter it is (a
    plain package file of the same terms had no such note)."""
    said = invoke(
        [
            "evaluate",
            REPO / "deals/rounds/gulf-asia/AE/004-partner.yaml",
            "--portfolio",
            REPO / "deals/portfolios/gulf-asia.yaml",
            "--against",
            "3",
            "--json",
        ]
    )
    assert said.exit_code == 0, said.output
    verdict = json.loads(said.stdout)
    assert not [n for n in verdict["notes"] if "has not moved" in n], verdict["notes"]


def test_an_accept_short_of_the_next_offer_by_solver_noise_is_not_said_at_least() -> None:
    """AE's counter of round 6 (our offer of round 5 plus align-controls) read "ACCEPT —
    accepting leaves the portfolio at $159.3433bn with the rest re-planned, at least the
    $159.3438bn of our next offer's target": the figures printed apart to show they differ,
    and the smaller said to be at least the larger. Within the re-plans' precision ($1m) it
    is accepted, and said as what it is."""
    portfolio = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    figures = evaluate(portfolio, load_package(REPO / "deals/packages/ae-counter.yaml", portfolio))
    move, reason = recommend(
        figures, [], 159_343_300_000.0, 82_330_840_000.0, 82.98e9, 159_343_800_000.0
    )
    assert move == "accept"
    assert "at least the $159.3438bn" not in reason, reason
    assert "level with the $159.3438bn" in reason, reason
    assert "$500,000 short" in reason, reason
    # Equal or above: "at least", as before.
    _, reason = recommend(figures, [], 159.35e9, 82.33e9, 82.98e9, 159.34e9)
    assert "at least the $159.34bn" in reason, reason


def test_a_counters_verdict_names_the_command_that_makes_its_move(deals: Path) -> None:
    """The verdict said COUNTER or ACCEPT and left the negotiator to find the command. It
    ends with one line to copy: `dealbench offer` to counter, `dealbench conclude ...
    --round N` on the counter to accept, with the `--rounds` and `--strategy` given."""
    portfolio, rounds = deals / "portfolios/gulf-asia.yaml", deals / "rounds/gulf-asia"
    counter = deals / "packages/ae-counter.yaml"
    said = invoke(
        [
            "counter",
            portfolio,
            counter,
            "--rounds",
            rounds,
            "--strategy",
            "linear",
            "--no-documents",
        ]
    )
    assert said.exit_code == 0, said.output
    assert "Recommendation: COUNTER" in said.stdout
    assert said.stdout.splitlines()[-1] == (
        f"Next: dealbench offer {portfolio} --partner AE --strategy linear --rounds {rounds}"
    )
    made = invoke(["offer", portfolio, "-p", "AE", "--rounds", rounds, "--no-documents"])
    assert made.exit_code == 0, made.output
    ours = deals / "ours.yaml"  # AE takes our offer of round 6, word for word
    ours.write_text(
        yaml.safe_dump(yaml.safe_load((rounds / "AE/006-us.yaml").read_text())["package"])
    )
    said = invoke(["counter", portfolio, ours, "--rounds", rounds, "--no-documents"])
    assert said.exit_code == 0, said.output
    assert "Recommendation: ACCEPT" in said.stdout
    assert said.stdout.splitlines()[-1] == (
        f"Next: dealbench conclude {portfolio} --partner AE --round 7 --rounds {rounds}"
    )
