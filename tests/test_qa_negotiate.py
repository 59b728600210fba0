"""The negotiation commands as a new user meets them: refusals write nothing, and what is
written is said.

Each test here failed before its fix: a round recorded although the command was refused
(a bad --format or --out), a traceback for a rounds folder that cannot be written or for a
zero concession exponent, `evaluate --against` exiting 0 on a package that breaks a cap,
the room hiding the terms a concluded deal was signed on, and a folder named like a round
file taking the next round's number unseen.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.errors import InputError
from dealbench.negotiate import load_negotiations, record_offer
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
SHIPPED_ROUNDS = REPO / "deals/rounds/gulf-asia"
AE_COUNTER = REPO / "deals/packages/ae-counter.yaml"


@pytest.fixture
def rounds(tmp_path: Path) -> Path:
    """A copy of the shipped worked example (AE countered in round 4, SA concluded)."""
    target = tmp_path / "rounds"
    shutil.copytree(SHIPPED_ROUNDS, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, hidden ones too (a temporary file left behind counts)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".dealbench-lock"
    }


# --- a refused command writes no round -----------------------------------------------------------


@pytest.mark.parametrize("command", ["offer", "counter"])
@pytest.mark.parametrize("bad", ["format", "out"])
def test_a_bad_documents_option_is_refused_before_the_round_is_recorded(
    run: Runner, rounds: Path, tmp_path: Path, command: str, bad: str
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine\n")
    option = ["--format", "docxx"] if bad == "format" else ["--out", not_a_folder]
    extra = [AE_COUNTER] if command == "counter" else []
    before = snapshot(rounds)
    result = run(command, PORTFOLIO, *extra, "--partner", "AE", "--rounds", rounds, *option)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    message = "unknown format 'docxx'" if bad == "format" else "--out names a folder"
    assert message in result.stderr
    assert "Recorded round" not in result.output
    assert snapshot(rounds) == before


def test_documents_that_cannot_be_written_after_the_round_say_the_round_was_recorded(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    (out / "term-sheets").mkdir(parents=True)
    (out / "term-sheets/AE-counter-005.md").write_text("my own notes\n")  # not dealbench's
    result = run(
        "counter", PORTFOLIO, AE_COUNTER, "--partner", "AE", "--rounds", rounds, "--out", out
    )
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert (rounds / "AE/005-partner.yaml").is_file()  # recorded: the counter was valid
    assert (
        f"Recorded round 5: {rounds}/AE/005-partner.yaml; its documents were not written:"
        in result.stderr
    )
    assert "AE-counter-005.md exists and was not written by dealbench" in result.stderr
    assert (out / "term-sheets/AE-counter-005.md").read_text() == "my own notes\n"


def test_a_rounds_folder_that_cannot_be_written_is_said_in_words(
    run: Runner, rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(src: str, dst: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system", dst)

    monkeypatch.setattr(os, "link", read_only)  # the round's final name cannot be made
    before = snapshot(rounds)
    result = run("walk-away", PORTFOLIO, "--partner", "QA", "--rounds", rounds)
    assert result.exit_code == 1, result.output
    assert not result.traceback
    assert (
        f"error: cannot record a round in {rounds}/QA: permission denied (read-only?); "
        "nothing written"
    ) in result.stderr
    assert snapshot(rounds) == before  # and no temporary file left behind


# --- the strategy's parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--beta", "0", "--beta: the concession exponent must be a positive number"),
        ("--beta", "-1", "--beta: the concession exponent must be a positive number"),
        ("--beta", "nan", "--beta: the concession exponent must be a positive number"),
        ("--deadline", "0", "--deadline: expected a whole number of US offers, at least 1"),
    ],
)
def test_a_concession_exponent_or_deadline_out_of_range_is_refused(
    run: Runner, rounds: Path, option: str, value: str, message: str
) -> None:
    before = snapshot(rounds)
    result = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--strategy", "linear",
        option, value, "--no-documents",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert message in result.stderr
    assert snapshot(rounds) == before


def test_the_library_refuses_a_zero_exponent_too(rounds: Path) -> None:
    pf = load_portfolio(PORTFOLIO)
    with pytest.raises(InputError, match="concession exponent"):
        record_offer(pf, rounds, "AE", strategy="conceder", beta=0.0)
    assert [r.name for r in load_negotiations(pf, rounds)["AE"].rounds][-1] == "004-partner.yaml"


def test_a_package_with_a_strategy_is_refused_not_silently_half_followed(
    run: Runner, rounds: Path
) -> None:
    before = snapshot(rounds)
    result = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--no-documents",
        "--package", REPO / "deals/packages/ae-offer.yaml", "--strategy", "linear",
        "--fix", "security",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--package: the offer is the package given, so --strategy, --fix would be ignored" in (
        result.stderr
    )
    assert snapshot(rounds) == before


# --- evaluate --against keeps evaluate's exit code --------------------------------------------------


def test_evaluate_against_exits_3_for_a_counter_that_breaks_a_cap(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    over = tmp_path / "qa-over-cap.yaml"
    over.write_text(
        "partner: QA\nsecurity: kyc\ncompute: {2026: 150_000, 2027: 150_000, 2028: 150_000}\n"
        "concessions: {invest-us: 100bn, pax-silica: true}\n"
    )
    plain = run("evaluate", over, "--portfolio", PORTFOLIO)
    assert plain.exit_code == 3, plain.output
    assert run("walk-away", PORTFOLIO, "--partner", "BH", "--rounds", rounds).exit_code == 0
    offer = run("offer", PORTFOLIO, "--partner", "QA", "--rounds", rounds, "--no-documents")
    assert offer.exit_code == 0, offer.output
    against = run(
        "evaluate", over, "--portfolio", PORTFOLIO, "--against", "1", "--rounds", rounds, "--json"
    )
    assert against.exit_code == 3, against.output
    verdict = json.loads(against.stdout)  # the output itself is unchanged
    assert any(v["kind"] == "cap" for v in verdict["violations"])
    assert verdict["recommendation"] == "counter"
    # a package that keeps every limit still exits 0
    ok = run("evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, "--against", "3", "--rounds", rounds)
    assert ok.exit_code == 0, ok.output


# --- the room shows what was signed ---------------------------------------------------------------


def test_the_room_prints_the_terms_a_concluded_deal_was_signed_on(
    run: Runner, rounds: Path
) -> None:
    result = run("room", PORTFOLIO, "--rounds", rounds, "--json")
    assert result.exit_code == 0, result.output
    sa = next(r for r in json.loads(result.stdout)["rows"] if r["partner"] == "SA")
    agreed = sa["agreed"]
    table = run("room", PORTFOLIO, "--rounds", rounds)
    assert table.exit_code == 0, table.output
    text = " ".join(table.stdout.split())
    us = f"${agreed['us_utility'] / 1e9:.2f}bn"
    partner = f"${agreed['partner_utility'] / 1e9:.2f}bn"
    assert f"SA: concluded in round 4 on 003-us.yaml; agreed: US {us}, partner {partner}" in text


# --- a folder named like a round file ----------------------------------------------------------------


def test_a_folder_named_like_a_round_file_is_refused(run: Runner, rounds: Path) -> None:
    (rounds / "AE/005-partner.yaml").mkdir()
    before = snapshot(rounds)
    result = run("offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--no-documents")
    assert result.exit_code == 2, result.output
    assert f"{rounds}/AE/005-partner.yaml: is a folder named like a round file" in result.stderr
    assert snapshot(rounds) == before
    assert not (rounds / "AE/005-us.yaml").exists()
