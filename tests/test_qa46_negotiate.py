"""A negotiator running several deals at once on the shipped worked example (qa46-negotiate).

On a copy of gulf-asia's rounds (AE countered in round 4, SA concluded): the portfolio if a counter is accepted said in one word
in the CLI and the web, a re-plan's reasons pointing to no frontier command that reads no
rounds, and a refused conclusion naming what can be concluded instead. Each test failed
before its fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import QA_COUNTER, REPO, Runner, send_qa_counter, words

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"


def test_the_portfolio_if_accepted_is_said_in_one_word_in_the_cli_and_the_web(
    run: Runner, rounds: Path, tmp_path: Path, client: Any
) -> None:
    """QA's counter: `counter` said "Portfolio V: ... if accepted (rest re-optimized)" a line
    above its reason's "accepting leaves the portfolio at ... with the rest re-planned", and
    the web's verdict "Portfolio US utility if accepted (rest re-planned)": one figure, two
    words for how the others are treated. Both now say "re-planned", the deal room's word
    ("open negotiations re-planned")."""
    package = tmp_path / "qa-counter.yaml"
    package.write_bytes(QA_COUNTER)
    said = run("counter", PORTFOLIO, package, "--rounds", rounds, "--no-documents")
    assert said.exit_code == 0, said.output
    text = " ".join(said.stdout.split())
    assert " if accepted (rest re-planned), " in text
    assert "re-optimized" not in text
    answer = send_qa_counter(client, {})
    assert answer.status_code == 200, words(answer.text)[-800:]
    page = words(answer.text)
    assert "Portfolio US utility if accepted (rest re-planned)" in page
    assert "re-optimized" not in page


def test_a_replan_from_the_rounds_names_no_frontier_command_that_draws_another(
    run: Runner, rounds: Path
) -> None:
    """`solve --rounds` said of AM, after QA's deal was concluded: "with those deals held,
    the frontier of AM has no zone of agreement for that reason (dealbench frontier
    deals/portfolios/gulf-asia.yaml --partner AM draws it)"; that command, which reads no
    rounds, holds the plain plan's deals and said "ZOPA: yes, largest joint gain $1.04bn".
    The re-plan's frontier is drawn by `frontier --rounds` (qa47-frontier-rounds), so that
    is the command named, never the plain one."""
    said = run("solve", PORTFOLIO, "--rounds", rounds)
    assert said.exit_code == 0, said.output
    text = " ".join(said.stdout.split())
    assert "Why no deal with KZ:" in text
    assert "the frontier of KZ has no zone of agreement for that reason" in text
    assert f"--partner KZ --rounds {rounds} draws it)" in text
    assert "--partner KZ draws it)" not in text
    plain = run("solve", PORTFOLIO)  # a plain solve's frontier is the one `frontier` draws
    assert plain.exit_code == 0, plain.output
    assert "--partner KZ draws it)" in " ".join(plain.stdout.split())


def test_a_conclusion_refused_names_the_rounds_that_can_be_concluded_instead(
    run: Runner, rounds: Path
) -> None:
    """`conclude -p AE --round 6` on AE's counter over the cap said only "no deal can be
    concluded on round 6's package: ... exceeds the tier 2 cap ..."; the negotiator was left
    to try the rounds one by one. It now names the latest round of each side that passes
    beside the deals concluded with the others (our standing offer, if AE accepts it; AE's
    last counter within the limits), or says no round does: record an offer."""
    over = (rounds / "AE/004-partner.yaml").read_text()
    over = over.replace("round: 4", "round: 5").replace(
        "basis: 003-us.yaml", "basis: 004-partner.yaml"
    )
    over = over.replace("date: 2026-03-16", "date: 2026-03-20").replace(
        "'2026': 600000", "'2026': 700000"
    )
    (rounds / "AE/005-partner.yaml").write_text(over)
    said = run("conclude", PORTFOLIO, "-p", "AE", "--round", "5", "--rounds", rounds,
               "--no-documents")  # fmt: skip
    assert said.exit_code == 2, said.output
    text = " ".join(said.stderr.split())
    assert "no deal can be concluded on round 5's package: " in text
    assert "AE: 2026 compute 700,000 H100e exceeds the tier 2 cap" in text
    assert (
        "As things stand, the deal can be concluded instead on our offer of round 3 "
        "(003-us.yaml), if AE accepts it, or on AE's counter of round 4 (004-partner.yaml); "
        "or record an offer"
    ) in text
    assert not (rounds / "AE/006-us.yaml").exists()  # nothing written
