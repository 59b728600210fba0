"""Rounds on disk: the file format, the folder checked as a whole, append-only writes, bad input.

The shipped worked example (deals/rounds/gulf-asia: AE offered and countered
twice, SA concluded on the second US offer) is copied into a temporary folder
for every test that records or edits rounds, so the shipped files never change.
"""

from __future__ import annotations

import itertools
import shutil
import threading
from pathlib import Path
from typing import Literal

import pytest
import yaml

from dealbench import load_portfolio
from dealbench.checker import evaluate
from dealbench.errors import InputError
from dealbench.model import validate_file
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate import load_negotiations, record_offer, replan
from dealbench.negotiate.offers.strategies import time_dependent_target
from dealbench.negotiate.offers.strategy_args import BETAS
from dealbench.negotiate.rounds.negotiation import RoundFile
from dealbench.negotiate.rounds.read import load_negotiation
from dealbench.negotiate.rounds.write import append_round
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
SHIPPED_ROUNDS = REPO / "deals/rounds/gulf-asia"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


# --- the shipped example ----------------------------------------------------------------------


def test_the_worked_example_reads_as_two_negotiations() -> None:
    pf = load_portfolio(PORTFOLIO)
    negotiations = load_negotiations(pf, SHIPPED_ROUNDS)
    ae, sa = negotiations["AE"], negotiations["SA"]
    assert [r.name for r in ae.rounds] == [
        "001-us.yaml",
        "002-partner.yaml",
        "003-us.yaml",
        "004-partner.yaml",
    ]
    assert ae.stage == "countered"
    assert sa.stage == "concluded"
    assert sa.rounds[-1].data.basis == "003-us.yaml"
    assert sa.concluded_package == sa.rounds[2].package
    assert negotiations["QA"].stage == "not started"
    # every US offer dealbench chose records its strategy and target
    for r in ae.offers():
        assert r.data.strategy is not None
        assert r.figures is not None
        assert r.data.strategy.target_us_utility is not None
        assert r.figures.us_value >= r.data.strategy.target_us_utility - 1e6


@pytest.mark.parametrize("path", sorted(SHIPPED_ROUNDS.rglob("*.yaml")), ids=lambda p: p.name)
def test_validate_knows_round_files(run: Runner, path: Path) -> None:
    assert validate_file(path, load_portfolio(PORTFOLIO)) == "round"
    result = run("validate", path, "--portfolio", PORTFOLIO)
    assert result.exit_code == 0, result.output
    assert "(round)" in result.stdout


def test_a_round_file_refuses_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "001-us.yaml"
    text = (SHIPPED_ROUNDS / "AE/001-us.yaml").read_text().replace("status: open", "stauts: open")
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        validate_file(path)
    assert "stauts: unknown field; did you mean 'status'?" in str(caught.value)


def test_a_package_field_outside_the_package_says_where_it_belongs(
    run: Runner, rounds: Path
) -> None:
    """A round written by hand with the package's fields at the top said `partner: unknown
    field; did you mean 'partner'?`: the name is right, its place is not."""
    path = rounds / "AE/005-partner.yaml"
    path.write_text(
        "round: 5\nside: partner\nbasis: 003-us.yaml\npartner: AE\nsecurity: veu\n"
        "compute: {2026: 600_000}\nstatus: open\n"
    )
    result = run("history", PORTFOLIO, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "did you mean 'partner'" not in result.stderr
    assert "005-partner.yaml:4: partner: unknown field here; it belongs under 'package'" in (
        result.stderr
    )
    assert "005-partner.yaml:6: compute: unknown field here; it belongs under 'package'" in (
        result.stderr
    )


# --- recording ----------------------------------------------------------------------------


def test_offer_records_the_next_round_with_its_strategy(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    result = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--strategy", "conceder",
        "--date", "2026-03-30", "--out", tmp_path / "docs",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Recorded round 5:" in result.stdout
    said = " ".join(result.stdout.split())  # why the target is what it is, as recorded
    assert "US offer 3 of a deadline of 6: the target moves from the ideal toward" in said
    data = yaml.safe_load((rounds / "AE/005-us.yaml").read_text())
    assert data["round"] == 5 and data["side"] == "us" and data["basis"] == "004-partner.yaml"
    assert data["strategy"]["name"] == "conceder"
    assert data["strategy"]["params"]["beta"] == BETAS["conceder"]
    assert data["strategy"]["target_us_utility"] >= data["strategy"]["reservation_us_utility"]
    assert str(data["date"]) == "2026-03-30"
    # the offer's term sheets and its redlines against the previous US offer (round 3)
    names = sorted(str(p.relative_to(tmp_path / "docs")) for p in (tmp_path / "docs").rglob("*.md"))
    assert names == [
        "redlines/AE-offer-003-to-offer-005-internal.md",
        "redlines/AE-offer-003-to-offer-005.md",
        "term-sheets/AE-offer-005-internal.md",
        "term-sheets/AE-offer-005.md",
    ]


def test_a_recorded_exponent_with_three_decimals_reads_back_as_a_number(
    run: Runner, rounds: Path
) -> None:
    """`beta: 1.125` in a round file is a number, not the text '1.125' (the YAML loader
    leaves point-grouped figures such as 100.000 as text for the fields to judge)."""
    result = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--beta", "1.125",
        "--no-documents",  # (into ./out it left files the next run refused to replace)
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    negotiation = load_negotiation(load_portfolio(PORTFOLIO), rounds, "AE")
    strategy = negotiation.rounds[-1].data.strategy
    assert strategy is not None and strategy.params["beta"] == 1.125


def test_the_offer_never_goes_below_the_us_reservation_value(rounds: Path) -> None:
    """Past the deadline the time-dependent target is the reservation value, not below
    (QA, which has not countered: AE's counter would hold the target up, see below)."""
    pf = load_portfolio(PORTFOLIO)
    record_offer(pf, rounds, "QA", strategy="linear", deadline=1)
    done = record_offer(pf, rounds, "QA", strategy="linear", deadline=1)
    record = done.round.data.strategy
    assert record is not None and done.round.figures is not None
    assert record.reservation_us_utility is not None
    assert record.target_us_utility == pytest.approx(record.reservation_us_utility)
    assert done.round.figures.us_value >= record.reservation_us_utility - 1e6
    assert done.round.figures.accepts and not done.round.figures.violations


def _counter_worth(pf: Portfolio, rounds: Path) -> float:
    """What accepting AE's counter of round 4 leaves the portfolio (the others re-planned
    around it), less what the plan gives the others: the counter's worth in the terms of a
    next offer's target, found by the re-plans alone."""
    negotiations = load_negotiations(pf, rounds)
    counter = negotiations["AE"].last_counter
    assert counter is not None and counter.package is not None
    plan = replan(pf, negotiations)
    planned = plan.package("AE")
    assert planned is not None
    accepted = replan(pf, negotiations, fix={"AE": counter.package}).objective
    return accepted - (plan.objective - evaluate(pf, planned).us_value)


@pytest.mark.parametrize("strategy", ["linear", "conceder"])  # boulware stays above it
def test_no_offer_gives_the_us_less_than_the_partners_counter(rounds: Path, strategy: str) -> None:
    """AE's counter of round 4 gives the US $78.25bn, more than our offer of round 3: the
    next linear offer targeted $62.55bn, giving AE $15.7bn more than it asked for. As the
    Zeuthen strategy does, every strategy offers no less than the counter gives the US.
    The counter takes supply the plan gives others, so it is weighed as accepting it leaves
    the portfolio (qa27-neg: $72.43bn for AE, not its own $78.25bn, which had the verdict
    counter a counter worth more than our next offer)."""
    pf = load_portfolio(PORTFOLIO)
    counter = load_negotiations(pf, rounds)["AE"].last_counter
    assert counter is not None and counter.figures is not None
    assert not counter.figures.violations and counter.figures.accepts
    worth = _counter_worth(pf, rounds)
    assert worth < counter.figures.us_value - 1e9
    done = record_offer(pf, rounds, "AE", strategy=strategy)
    record, figures = done.round.data.strategy, done.round.figures
    assert record is not None and figures is not None
    assert record.target_us_utility == pytest.approx(worth, abs=1e6)
    assert figures.us_value >= worth - 1e6
    assert "accept it (conclude the deal on round 4)" in record.reason


@pytest.mark.parametrize("mode", ["nash", "kalai"])
def test_a_frontier_point_offer_gives_the_us_no_less_than_the_partners_counter(
    rounds: Path, mode: str
) -> None:
    """The same floor holds for `offer --mode nash|kalai`: the Nash point gave the US
    $35.97bn and Kalai's $40.97bn after AE's counter of round 4, which the US could
    simply accept (`offer_floor.offer_floor`, one rule for both)."""
    pf = load_portfolio(PORTFOLIO)
    worth = _counter_worth(pf, rounds)
    done = record_offer(pf, rounds, "AE", mode=mode)
    record, figures = done.round.data.strategy, done.round.figures
    assert record is not None and figures is not None
    assert figures.us_value >= worth - 1e6
    # the target is the floor the point was raised to, as a strategy's (qa30-negotiator)
    assert record.target_us_utility == pytest.approx(worth, abs=1e6)
    assert figures.accepts and not figures.violations
    assert f"the {mode} point" in record.reason
    assert "accept it (conclude the deal on round 4)" in record.reason


def test_with_every_term_fixed_the_counter_does_not_push_the_target_past_the_ideal(
    rounds: Path,
) -> None:
    """With all of round 3 kept, the best the US can offer is worth less to it than AE's
    counter: the target is at most that ideal, not the counter's value that no package
    reaches (qa27-neg: the counter's worth, what accepting it leaves the portfolio, is
    below that ideal, and is the target)."""
    pf = load_portfolio(PORTFOLIO)
    partner = pf.partner("AE")
    assert partner is not None
    fix = ["compute", "security", *(c.id for c in partner.concessions)]
    worth = _counter_worth(pf, rounds)
    done = record_offer(pf, rounds, "AE", strategy="linear", fix=fix, allow_retreat=True)
    record = done.round.data.strategy
    assert record is not None and record.ideal_us_utility is not None
    assert record.target_us_utility <= record.ideal_us_utility + 1.0
    assert record.target_us_utility == pytest.approx(min(worth, record.ideal_us_utility), abs=1e6)


def test_fix_keeps_terms_of_the_last_offer(rounds: Path) -> None:
    pf = load_portfolio(PORTFOLIO)
    last = load_negotiation(pf, rounds, "AE").last_offer
    assert last is not None and last.package is not None
    done = record_offer(
        pf, rounds, "AE", strategy="conceder", fix=["security", "invest-us", "us-operated"]
    )
    pkg = done.round.package
    assert pkg is not None
    assert pkg.security == last.package.security
    assert pkg.granted().get("invest-us") == last.package.granted().get("invest-us")
    assert pkg.granted().get("us-operated") == last.package.granted().get("us-operated")
    assert done.round.data.strategy is not None
    assert done.round.data.strategy.fixed == ["security", "invest-us", "us-operated"]


@pytest.mark.parametrize(("beta", "label"), [(0.2, "boulware"), (1.0, "linear"), (5.0, "conceder")])
def test_time_dependent_targets_move_from_ideal_to_reservation(beta: float, label: str) -> None:
    targets = [time_dependent_target(100.0, 20.0, j, 6, beta) for j in range(9)]
    assert targets[0] == 100.0
    assert targets[6] == pytest.approx(20.0) and targets[8] == pytest.approx(20.0)
    assert all(a >= b for a, b in itertools.pairwise(targets))
    middle = targets[3]
    # Boulware concedes late, Conceder early, linear in between
    expected = {
        "boulware": middle > 90,
        "linear": middle == pytest.approx(60.0),
        "conceder": middle < 35,
    }
    assert expected[label]


def test_a_counter_that_breaks_a_cap_is_recorded_with_its_violations(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    counter = tmp_path / "over-cap.yaml"
    counter.write_text(
        "partner: AE\nsecurity: kyc\ncompute: {2026: 300_000, 2027: 300_000}\n"
        "concessions: {invest-us: 1400bn}\n"
    )
    result = run(
        "counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds, "--json",
        "--no-documents",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import json

    verdict = json.loads(result.stdout)
    assert verdict["round"] == 5
    assert (rounds / "AE/005-partner.yaml").exists()
    assert any(
        "exceeds the tier 2 cap under kyc of 100,000 H100e" in v["message"]
        for v in verdict["violations"]
    )
    assert verdict["recommendation"] == "counter"
    assert verdict["reason"].startswith("it breaks")


def test_a_counter_written_in_tpp_keeps_its_tpp(run: Runner, rounds: Path, tmp_path: Path) -> None:
    """A counter whose compute was written in TPP was recorded in H100e, as
    `'2026': 94744.82061647296`: not what the partner wrote. The round file now keeps
    `{tpp: 1500000000}`, which reads back as the same H100e."""
    counter = tmp_path / "tpp.yaml"
    counter.write_text(
        "partner: AE\nsecurity: veu\n"
        "compute: {2026: {tpp: 1_500_000_000}, 2027: 400_000}\n"
        "concessions: {invest-us: 1400bn}\n"
    )
    out = tmp_path / "out"
    result = run("counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds, "--out", out)
    assert result.exit_code == 0, result.output
    recorded = yaml.safe_load((rounds / "AE/005-partner.yaml").read_text())["package"]
    assert recorded["compute"] == {"2026": {"tpp": 1_500_000_000}, "2027": 400_000}
    portfolio = load_portfolio(PORTFOLIO)
    last = load_negotiation(portfolio, rounds, "AE").rounds[-1].data.package
    assert last is not None and last.compute["2026"] == 1_500_000_000 / 15_832


def test_a_counter_written_in_chips_keeps_its_chips_and_sites(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """The round file keeps the counter as written (chips, sites), reads back as the same
    H100e, and its term sheet shows the chips: recording once lost both."""
    from dealbench.model import load_package

    counter = tmp_path / "chips.yaml"
    counter.write_text(
        "partner: AE\nsecurity: veu\n"
        "compute: {2026: {chips: 50_000, model: B200}, 2027: 400_000}\n"
        "concessions: {invest-us: 1400bn}\n"
        'sites: {2026: "Stargate UAE, Abu Dhabi"}\n'
    )
    out = tmp_path / "out"
    result = run(
        "counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    recorded = yaml.safe_load((rounds / "AE/005-partner.yaml").read_text())["package"]
    assert recorded["compute"]["2026"] == {"chips": 50_000, "model": "B200"}
    assert recorded["sites"] == {"2026": "Stargate UAE, Abu Dhabi"}
    portfolio = load_portfolio(PORTFOLIO)
    written = load_package(counter, portfolio)
    last = load_negotiation(portfolio, rounds, "AE").rounds[-1].data.package
    assert last is not None and last.compute == written.compute
    assert last.written_in_chips() == {"2026": (50_000, "B200")}
    [sheet] = (out / "term-sheets").glob("AE-counter-005.md")
    assert "| 2026 | 113,694 | 1,800,000,000 | 50,000 B200 | Stargate UAE, Abu Dhabi |" in (
        sheet.read_text()
    )


def test_a_round_file_is_read_as_the_package_it_records(run: Runner, rounds: Path) -> None:
    """`evaluate`, `risk` and `render` take a round file as its package; `render` names its
    documents as the round's own (`AE-counter-004`, not a second name for one document)."""
    counter = rounds / "AE/004-partner.yaml"
    result = run("evaluate", counter, "--portfolio", PORTFOLIO, "--json")
    assert result.exit_code in (0, 3), result.output
    out = rounds.parent / "rendered"
    result = run("render", counter, "--portfolio", PORTFOLIO, "--out", out, "--format", "md")
    assert result.exit_code == 0, result.output
    assert (out / "term-sheets/AE-counter-004.md").exists()
    result = run("risk", counter, "--portfolio", PORTFOLIO, "--samples", "200", "--seed", "1")
    assert result.exit_code == 0, result.output
    walk = rounds / "KZ-walk.yaml"
    walk.write_text("round: 1\nside: us\nstatus: walked-away\nnote: gone\n")
    result = run("evaluate", walk, "--portfolio", PORTFOLIO)
    assert result.exit_code == 2
    assert "round 1 records no package (walked-away)" in result.stderr


# --- bad input: nothing written, exit 2, the file named ----------------------------------------


def test_a_counter_for_a_partner_not_in_the_portfolio(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    counter = tmp_path / "fr.yaml"
    counter.write_text("partner: FR\nsecurity: veu\ncompute: {2026: 1000}\n")
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, counter, "--partner", "FR", "--rounds", rounds)
    assert result.exit_code == 2
    assert f"{counter}:1: partner: partner 'FR' is not in portfolio gulf-asia" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(rounds) == before


def test_a_counter_for_another_partner_than_named(run: Runner, rounds: Path) -> None:
    before = snapshot(rounds)
    result = run(
        "counter", PORTFOLIO, REPO / "deals/packages/sa-counter.yaml", "--partner", "AE",
        "--rounds", rounds,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "sa-counter.yaml:4: partner: is SA, but the negotiation is with AE" in result.stderr
    assert snapshot(rounds) == before


def test_a_malformed_counter_is_refused_before_anything_is_written(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    counter = tmp_path / "bad.yaml"
    counter.write_text(
        "partner: AE\nsecurity: veu\ncompute: {2026: 1000}\nconcessions: {invest-us: 3tn}\n"
    )
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2
    assert f"{counter}:4: concessions.invest-us: unknown level '3tn'" in result.stderr
    assert snapshot(rounds) == before


@pytest.mark.parametrize("command", ["offer", "counter", "conclude", "walk-away"])
def test_no_round_after_a_concluded_deal(run: Runner, rounds: Path, command: str) -> None:
    before = snapshot(rounds)
    extra = [REPO / "deals/packages/sa-counter.yaml"] if command == "counter" else []
    result = run(command, PORTFOLIO, *extra, "--partner", "SA", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    line = 1 + (rounds / "SA/004-partner.yaml").read_text().split("\n").index("status: concluded")
    assert (
        f"error: {rounds}/SA/004-partner.yaml:{line}: status: the negotiation with SA was "
        "concluded in this round; no round may follow it (nothing written)"
    ) in result.stderr
    assert snapshot(rounds) == before


def _hand_edit(rounds: Path, how: str) -> Path:
    """Edit the example folder by hand as a user might; returns the file the error must name."""
    ae = rounds / "AE"
    if how == "gap":
        (ae / "004-partner.yaml").rename(ae / "005-partner.yaml")
        return ae / "005-partner.yaml"
    if how == "two-files-one-number":
        shutil.copy(ae / "003-us.yaml", ae / "003-partner.yaml")
        return ae / "003-us.yaml"
    if how == "basis-missing":
        path = ae / "003-us.yaml"
        path.write_text(path.read_text().replace("basis: 002-partner.yaml", "basis: 007-us.yaml"))
        return path
    if how == "round-after-conclusion":
        text = (rounds / "SA/003-us.yaml").read_text().replace("round: 3", "round: 5")
        (rounds / "SA/005-us.yaml").write_text(text)
        return rounds / "SA/005-us.yaml"
    raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("gap", "a gap in the numbering: round 4 is missing before this file"),
        ("two-files-one-number", "two files with round number 3: 003-partner.yaml and 003-us.yaml"),
        ("basis-missing", "basis: 007-us.yaml does not exist in this negotiation"),
        (
            "round-after-conclusion",
            "the negotiation was concluded in 004-partner.yaml; no round may follow it",
        ),
    ],
)
@pytest.mark.parametrize("command", ["room", "offer"])
def test_a_round_folder_edited_by_hand(
    run: Runner, rounds: Path, how: str, message: str, command: str
) -> None:
    named = _hand_edit(rounds, how)
    before = snapshot(rounds)
    args = ["--partner", "AE"] if command == "offer" else []
    result = run(
        command,
        PORTFOLIO,
        *args,
        "--rounds",
        rounds,
        "--no-documents" if command == "offer" else "--json",
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = next(line for line in result.stderr.splitlines() if message in line)
    assert line.startswith(f"error: {named}")
    assert snapshot(rounds) == before


def test_a_folder_for_a_partner_not_in_the_portfolio(run: Runner, rounds: Path) -> None:
    shutil.copytree(rounds / "AE", rounds / "FR")
    result = run("room", PORTFOLIO, "--rounds", rounds)
    assert result.exit_code == 2
    assert f"error: {rounds}/FR: FR is not a partner of portfolio gulf-asia" in result.stderr


def test_a_misnamed_round_file(run: Runner, rounds: Path) -> None:
    shutil.copy(rounds / "AE/001-us.yaml", rounds / "AE/round-5.yaml")
    result = run("history", PORTFOLIO, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2
    assert f"error: {rounds}/AE/round-5.yaml: not a round file name" in result.stderr


def test_a_round_whose_number_disagrees_with_its_name(run: Runner, rounds: Path) -> None:
    path = rounds / "AE/004-partner.yaml"
    path.write_text(path.read_text().replace("round: 4", "round: 6"))
    result = run("history", PORTFOLIO, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2
    assert f"error: {path}:3: round: is 6, but the file name says round 4" in result.stderr


# --- append-only ------------------------------------------------------------------------------


def test_two_commands_racing_for_one_number_do_not_both_succeed(rounds: Path) -> None:
    """Two writers read the folder at round 4, then both append round 5 (one as each side)."""
    pf = load_portfolio(PORTFOLIO)
    negotiation = load_negotiation(pf, rounds, "AE")
    last = negotiation.rounds[-1]
    assert last.package is not None
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(side: Literal["us", "partner"]) -> None:
        data = RoundFile(round=5, side=side, basis=last.name, package=last.package)
        barrier.wait()
        try:
            append_round(pf, negotiation, data)
            outcomes.append("ok")
        except InputError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=write, args=(side,)) for side in ("us", "partner")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "ok"
    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert "recorded by another command while this one made round 5" in refused
    assert len(list((rounds / "AE").glob("005-*.yaml"))) == 1
    load_negotiation(pf, rounds, "AE")  # the folder is still valid


def test_an_existing_round_file_is_never_overwritten(rounds: Path) -> None:
    pf = load_portfolio(PORTFOLIO)
    negotiation = load_negotiation(pf, rounds, "AE")
    stale = negotiation.rounds[-1]
    data = RoundFile(round=4, side="partner", package=stale.package)
    before = stale.path.read_bytes()
    shorter = type(negotiation)(negotiation.partner, negotiation.folder, negotiation.rounds[:3])
    with pytest.raises(InputError):
        append_round(pf, shorter, data)
    assert stale.path.read_bytes() == before


# --- packages from a solve, and evaluate --against --------------------------------------------


def test_solve_out_writes_package_files_that_evaluate_redline_and_counter_read(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "solved"
    assert run("solve", PORTFOLIO, "--out", out).exit_code == 0
    ae = out / "packages/AE.yaml"
    assert ae.exists() and (out / "packages/SA.yaml").exists()
    result = run("evaluate", ae, "--portfolio", PORTFOLIO)
    assert result.exit_code == 0 and "Violations: none" in result.stdout
    result = run(
        "redline", REPO / "deals/packages/ae-offer.yaml", ae, "--portfolio", PORTFOLIO,
        "--out", tmp_path / "redline.md",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run("counter", PORTFOLIO, ae, "--partner", "AE", "--rounds", rounds, "--no-documents")
    assert result.exit_code == 0, result.output
    assert "Recorded round 5:" in result.stdout


@pytest.mark.parametrize("against", ["3", "ROUND_FILE", "RESULT"])
def test_evaluate_against_a_round_or_a_result(
    run: Runner, rounds: Path, tmp_path: Path, against: str
) -> None:
    import json

    if against == "ROUND_FILE":
        against = str(rounds / "AE/003-us.yaml")
    elif against == "RESULT":
        assert run("solve", PORTFOLIO, "--out", tmp_path / "solved").exit_code == 0
        against = str(tmp_path / "solved/result.json")
    before = snapshot(rounds)
    result = run(
        "evaluate", REPO / "deals/packages/ae-counter.yaml", "--portfolio", PORTFOLIO,
        "--against", against, "--rounds", rounds, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["us_utility"] == pytest.approx(30.248e9, rel=1e-9)
    assert verdict["us_change"] < 0 < verdict["partner_change"]
    assert verdict["recommendation"] in ("accept", "counter", "walk away")
    assert verdict["compared_with"]
    assert snapshot(rounds) == before  # evaluate records nothing


@pytest.mark.parametrize("mode", ["us-best", "nash"])
def test_offer_at_a_point_of_the_frontier(rounds: Path, mode: str) -> None:
    pf = load_portfolio(PORTFOLIO)
    done = record_offer(pf, rounds, "QA", mode=mode)
    record = done.round.data.strategy
    figures = done.round.figures
    assert record is not None and figures is not None
    assert record.name == mode
    assert record.reservation_us_utility is not None and record.ideal_us_utility is not None
    assert record.reservation_us_utility - 1e6 <= figures.us_value <= record.ideal_us_utility + 1e6
    assert figures.accepts and not figures.violations
    if mode == "us-best":
        assert figures.us_value == pytest.approx(record.ideal_us_utility, abs=1e6)


def test_mode_and_strategy_are_exclusive(run: Runner, rounds: Path) -> None:
    result = run(
        "offer", PORTFOLIO, "-p", "QA", "--mode", "nash", "--strategy", "linear",
        "--rounds", rounds,
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        "error: --mode: give either a mode or a strategy (and terms to fix), not both"
        in result.stderr
    )
    assert not (rounds / "QA").exists()
