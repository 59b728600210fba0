"""Many deals at once (qa7-room): a deal room of eight partners worked round by round.

The portfolio (tests/data/qa7room/room.yaml: eight partners, 2027-2029, the risk budget
binding) is a negotiator's: offers by every strategy and mode, counters written by hand,
conclusions and walk-aways interleaved across partners. Each test says what the user saw
and why it was wrong.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench import load_portfolio, record_counter, record_offer, room
from dealbench.errors import InputError
from dealbench.model.portfolio import Portfolio
from helpers import DATA, Runner

ROOM = DATA / "qa7room/room.yaml"


@pytest.fixture(scope="module")
def pf() -> Portfolio:
    return load_portfolio(ROOM)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


KZ_ROUND = "package: {partner: KZ, security: kyc, compute: {2027: 10_000}, concessions: {}}\n"


def test_a_conclusion_names_the_round_it_accepts(
    pf: Portfolio, tmp_path: Path, run: Runner
) -> None:
    """A hand-written `KZ/001-us.yaml` with `status: concluded` and no `basis` was read as a
    concluded deal: `room` fixed it ("KZ: concluded in round 1 on None; agreed: US -$226.0m,
    partner $150.0m"), taking 10,000 H100e and 2,550 of the risk budget from the open
    negotiations for a package KZ itself refuses. `conclude` always names the round it
    accepts, and records the other side; a file that does neither is refused."""
    _write(tmp_path / "KZ/001-us.yaml", f"round: 1\nside: us\n{KZ_ROUND}status: concluded\n")
    with pytest.raises(InputError) as caught:
        room(pf, tmp_path)
    assert (
        "KZ/001-us.yaml:1: basis: missing: a conclusion names the round whose package it "
        in str(caught.value)
    )
    assert "`basis: NNN-side.yaml`" in str(caught.value)
    # concluded by the side that made the offer: nobody accepted it
    _write(tmp_path / "KZ/001-us.yaml", f"round: 1\nside: us\n{KZ_ROUND}status: open\n")
    _write(
        tmp_path / "KZ/002-us.yaml",
        f"round: 2\nside: us\nbasis: 001-us.yaml\n{KZ_ROUND}status: concluded\n",
    )
    result = run("room", str(ROOM), "--rounds", str(tmp_path))
    assert result.exit_code == 2, result.stdout
    assert "KZ/002-us.yaml:2: side: is us, the side of 001-us.yaml" in result.stderr


def test_an_offer_held_below_a_counter_does_not_say_it_gives_no_less(
    pf: Portfolio, tmp_path: Path
) -> None:
    """SA countered with 67,000-68,000 H100e a year and both concessions: $5.53bn for the
    US, more than any offer can give with the others held at the plan (the counter takes
    risk budget the plan gives them). The next offer, at the ideal of $5.47bn, was
    recorded with the reason "the partner's counter of round 2 already gives the US more
    than that, so the offer gives no less than it: accept it", above an offer that gives
    the US less than the counter.

    qa27-neg: the counter is weighed as accepting it leaves the portfolio (the others
    re-planned around it), $35.36bn, which our linear second offer ($2.75bn for SA, $32.7bn
    in all) does not reach: the verdict says ACCEPT (it said COUNTER, against a next offer
    raised to the ideal by the counter's own $5.53bn), and the next offer gives no less than
    the counter is worth, with words that say why."""
    record_offer(pf, tmp_path, "SA", strategy="linear", deadline=2)
    countered = record_counter(pf, tmp_path, "SA", DATA / "qa7room/sa-counter.yaml")
    verdict = countered.verdict
    assert verdict.recommendation == "accept"
    assert verdict.portfolio_if_accepted is not None
    offer = record_offer(pf, tmp_path, "SA")
    assert offer.proposal is not None
    strategy, figures = offer.proposal.strategy, offer.proposal.figures
    assert strategy.target_us_utility is not None and strategy.ideal_us_utility is not None
    assert figures.us_value < verdict.us_utility
    assert strategy.target_us_utility < strategy.ideal_us_utility - 1e6
    assert strategy.target_us_utility == pytest.approx(verdict.next_target)
    assert verdict.portfolio_next_offer == pytest.approx(verdict.portfolio_if_accepted)
    assert strategy.reason is not None
    assert "gives no less than it:" not in strategy.reason
    assert "takes supply or risk budget the plan gives the other open negotiations" in (
        strategy.reason
    )


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("command", "stops"),
    [
        (["counter", str(DATA / "qa7room/sa-counter.yaml")], "dealbench.negotiate.record.verdict"),
        (["offer", "--partner", "SA"], "dealbench.negotiate.documents.round_documents"),
    ],
)
def test_ctrl_c_after_a_round_is_recorded_says_so(
    tmp_path: Path, run: Runner, monkeypatch: pytest.MonkeyPatch, command: list[str], stops: str
) -> None:
    """Ctrl-C during `counter`'s verdict (seconds of solves after the round is written), or
    during `offer`'s documents, left the round recorded and printed nothing (exit 130): the
    user, told nothing, ran the command again and recorded the same counter twice (JP's
    rounds 6 and 7). The round file itself is whole (written aside, then linked); the
    command now says it was recorded."""
    rounds = tmp_path / "rounds"
    shutil.copytree(DATA / "qa7room", tmp_path / "room")
    portfolio = tmp_path / "room/room.yaml"
    first = run("offer", portfolio, "--partner", "SA", "--rounds", rounds, "--no-documents")
    assert first.exit_code == 0, first.stderr
    monkeypatch.setattr(stops, _interrupt)
    out = ["--out", tmp_path / "docs"]
    result = run(command[0], portfolio, *command[1:], "--rounds", rounds, *out)
    assert result.exit_code == 130 and not result.traceback
    recorded = sorted(p.name for p in (rounds / "SA").glob("*.yaml"))
    assert len(recorded) == 2
    assert result.stderr.startswith("interrupted\n")
    assert f"was recorded as round 2 ({rounds / 'SA' / recorded[1]}); only its" in result.stderr
    assert not [p for p in (rounds / "SA").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("mode", ["nash", "kalai"])
@pytest.mark.parametrize("partner", ["QA", "JP"])
def test_a_bargaining_point_is_offered_in_the_portfolios_steps(
    pf: Portfolio, tmp_path: Path, mode: str, partner: str
) -> None:
    """`offer --mode nash|kalai` recorded the held frontier's point in continuous compute:
    QA was offered 60,000 / 34,400 / 0 H100e and JP 118,000 / 21,187 / 0, where the
    portfolio decides in steps of 1,000 (every strategy's offer is in steps), with a
    target above the recorded ideal. The point's terms are kept and its amounts put in
    steps as `solve --mode nash` rounds its points: the declared step, or a finer one by
    tens where the declared one would cost more than a step's value (JP: steps of 100)."""
    assert pf.granularity.h100e == 1_000
    offer = record_offer(pf, tmp_path, partner, mode=mode)
    assert offer.proposal is not None
    figures, strategy = offer.proposal.figures, offer.proposal.strategy
    compute = offer.round.package.compute
    assert all(x % 100 == 0 for x in compute.values()), compute
    assert figures.accepts and not figures.violations
    assert strategy.target_us_utility == pytest.approx(figures.us_value, abs=0.01)
    assert strategy.ideal_us_utility is not None
    assert strategy.target_us_utility <= strategy.ideal_us_utility + 1.0


def test_a_round_file_outside_a_partners_folder_is_refused(
    pf: Portfolio, tmp_path: Path, run: Runner
) -> None:
    """`rounds/room7/KZ.yaml` (a round saved one folder up) was passed over in silence:
    `room` showed KZ with no round. A YAML file in a partner's folder with another name is
    refused; one beside the partners' folders now is too, with where it belongs."""
    _write(tmp_path / "KZ.yaml", f"round: 1\nside: us\n{KZ_ROUND}status: open\n")
    result = run("room", str(ROOM), "--rounds", str(tmp_path))
    assert result.exit_code == 2, result.stdout
    said = " ".join(result.stderr.split())
    assert "KZ.yaml: not in a partner's folder" in said
    assert "CODE/NNN-us.yaml" in said
