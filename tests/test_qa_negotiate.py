"""The negotiation commands as a new user meets them: refusals write nothing, and what is
written is said.

Each test here failed before its fix: a round recorded although the command was refused
(a bad --format or --out), a traceback for a rounds folder that cannot be written or for a
zero concession exponent, `evaluate --against` exiting 0 on a package that breaks a cap,
the room hiding the terms a concluded deal was signed on, and a folder named like a round
file taking the next round's number unseen; and, in the frontier, a tie in the US's
utility resolved against the partner (a point dominated by another at the same V).
Later: a round dated in year 9999 recorded as given, a round that could not be written
named only by its folder, and a partner folder in lower case refused without a hint.
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from builders import concession, partner, policy, portfolio
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.errors import InputError
from dealbench.model import Portfolio
from dealbench.negotiate import frontier, load_negotiations, record_offer
from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
SHIPPED_ROUNDS = REPO / "deals/rounds/gulf-asia"
AE_COUNTER = REPO / "deals/packages/ae-counter.yaml"


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
    message = "unknown format 'docxx'" if bad == "format" else "--out: "
    assert message in result.stderr
    assert "Recorded round" not in result.output
    assert snapshot(rounds) == before


def test_documents_that_cannot_be_written_after_the_round_say_the_round_was_recorded(
    run: Runner, rounds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills once the round is on disk (a file of the user's where the documents
    go is refused before the round: `test_qa39b_reliable`)."""
    from dealbench.io import OutputDir
    from dealbench.output_errors import OutputError

    def full(self: OutputDir, files: object) -> list[Path]:
        raise OutputError(f"cannot write into {self.given}: the disk is full")

    monkeypatch.setattr(OutputDir, "publish", full)
    out = tmp_path / "docs"
    result = run(
        "counter", PORTFOLIO, AE_COUNTER, "--partner", "AE", "--rounds", rounds, "--out", out
    )
    assert result.exit_code == 1, result.output
    assert not result.traceback
    assert (rounds / "AE/005-partner.yaml").is_file()  # recorded: the counter was valid
    assert (
        f"Recorded round 5: {rounds}/AE/005-partner.yaml; its documents were not written:"
        in result.stderr
    )
    assert "the disk is full" in result.stderr


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
        f"error: cannot record round 1 as {rounds}/QA/001-us.yaml: permission denied "
        "(read-only?); nothing written"
    ) in result.stderr
    assert snapshot(rounds) == before  # and no temporary file left behind


@pytest.mark.parametrize("where", ["temporary file", "folder"])
def test_a_round_file_denied_permission_names_its_path_and_writes_nothing(
    run: Runner, rounds: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A partner's folder that may not be written (EACCES where the round's temporary file
    is made, or where its folder is made) said only the folder; it names the round file."""

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    opened = os.open

    def denied_beside_a_round(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(rounds)) and str(path).endswith(".tmp"):
            denied()
        return opened(path, *args, **kwargs)

    if where == "folder":
        monkeypatch.setattr(Path, "mkdir", denied)
    else:  # the hidden temporary file beside the round (`atomic_write.temporary`)
        monkeypatch.setattr(os, "open", denied_beside_a_round)
    before = snapshot(rounds)
    result = run(
        "counter", PORTFOLIO, AE_COUNTER, "--partner", "AE", "--rounds", rounds, "--no-documents"
    )
    assert result.exit_code == 1, result.output  # OutputError: not bad input, not a bug
    assert not result.traceback
    assert result.stderr.startswith(
        f"error: cannot record round 5 as {rounds}/AE/005-partner.yaml: permission denied "
        "(read-only?); nothing written"
    )
    assert "Recorded round" not in result.output
    assert snapshot(rounds) == before


def test_counter_takes_the_partner_from_the_file(run: Runner, rounds: Path, tmp_path: Path) -> None:
    """`counter` needed `--partner AE` although the counter file says `partner: AE`; left
    out, Typer answered "Missing option '--partner'". The file's partner is the default,
    a malformed file is refused as before, and a `--partner` that differs still is."""
    result = run("counter", PORTFOLIO, AE_COUNTER, "--rounds", rounds, "--no-documents")
    assert result.exit_code == 0, result.output
    assert (rounds / "AE/005-partner.yaml").is_file()
    before = snapshot(rounds)
    broken = tmp_path / "broken.yaml"
    broken.write_text("partner: AE\nsecurity: kyc\ncompute: {2026: lots}\n")
    result = run("counter", PORTFOLIO, broken, "--rounds", rounds, "--no-documents")
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert str(broken.name) in result.stderr
    other = run("counter", PORTFOLIO, AE_COUNTER, "-p", "SA", "--rounds", rounds)
    assert other.exit_code == 2, other.output
    assert "is AE, but the negotiation is with SA" in other.stderr
    assert snapshot(rounds) == before


def test_evaluate_against_a_result_of_another_scenario_says_so(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """`evaluate --against result.json` weighed both packages in the command's scenario
    without a word when the result had been solved under other `--set` overrides (its
    package optimal under a risk budget of 25,000, the verdict under 30,000)."""
    out = tmp_path / "solved"
    setting = "portfolio.risk_budget=25000"
    assert run("solve", PORTFOLIO, "--set", setting, "--out", out).exit_code == 0
    against = ["--against", out / "result.json", "--rounds", rounds]
    plain = run("evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, *against)
    assert not plain.traceback
    assert (
        "note: result.json was solved with --set portfolio.risk_budget=25000; this verdict "
        "weighs both packages with no --set"
    ) in plain.stderr
    same = run("evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, *against, "--set", setting)
    assert not same.traceback
    assert "note: result.json" not in same.stderr


# --- dates a round cannot have -----------------------------------------------------------------

FAR = (
    "is more than 10 years after the portfolio's horizon (its last period is 2028); check "
    "the year (YYYY-MM-DD, or today)"
)


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("offer", ["--partner", "QA", "--no-documents"]),
        ("counter", [AE_COUNTER, "--partner", "AE", "--no-documents"]),
        ("conclude", ["--partner", "AE"]),
        ("walk-away", ["--partner", "QA"]),
        ("room", ["--render", "md", "--out", "MEMO"]),
    ],
)
@pytest.mark.parametrize("date", ["9999-01-01", "2039-01-01"])
def test_a_date_far_beyond_the_horizon_is_refused(
    run: Runner, rounds: Path, tmp_path: Path, command: str, extra: list[str | Path], date: str
) -> None:
    """gulf-asia runs to 2028: a round (or the room's memo) dated 9999, or more than ten
    years after 2028, was recorded as given; it is a slip of the year."""
    extra = [tmp_path / "memo" if x == "MEMO" else x for x in extra]
    before = snapshot(rounds)
    result = run(command, PORTFOLIO, *extra, "--rounds", rounds, "--date", date)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert f"error: --date: {date} {FAR}" in result.stderr
    assert snapshot(rounds) == before
    assert not (tmp_path / "memo").exists()


def test_ten_years_after_the_horizon_is_still_a_date(run: Runner, rounds: Path) -> None:
    result = run(
        "walk-away", PORTFOLIO, "--partner", "QA", "--rounds", rounds, "--date", "2038-12-31"
    )
    assert result.exit_code == 0, result.output
    assert "date: 2038-12-31" in (rounds / "QA/001-us.yaml").read_text()


def test_a_counter_files_own_far_date_is_refused_at_its_line(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    counter = tmp_path / "far.yaml"
    counter.write_text(AE_COUNTER.read_text().replace("side: counter", "date: 9999-01-01"))
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert f"error: {counter}:6: date: 9999-01-01 {FAR}" in result.stderr
    assert snapshot(rounds) == before


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("room", []),
        ("history", ["--partner", "AE"]),
        ("offer", ["--partner", "AE", "--no-documents"]),
        ("solve", []),
    ],
)
@pytest.mark.parametrize(("round_file", "line"), [("AE/004-partner.yaml", 5), ("QA", 5)])
def test_a_far_date_already_in_a_rounds_folder_is_refused_at_its_line(
    run: Runner, rounds: Path, command: str, extra: list[str], round_file: str, line: int
) -> None:
    """A round file edited by hand to a date in year 9999 was read as written (the room
    and the history showed it, `offer` appended after it), though a new round so dated is
    refused: the same rule holds for the rounds already in the folder, at the file and
    line of the date, exit 2, nothing written. A walk-away, which has no package, too."""
    if round_file == "QA":  # a walk-away written by hand
        target = rounds / "QA/001-us.yaml"
        target.parent.mkdir()
        target.write_text(
            "round: 1\nside: us\nauthor: US delegation\nstatus: walked-away\ndate: 9999-01-01\n"
        )
    else:
        target = rounds / round_file
        text = target.read_text()
        assert text.splitlines()[line - 1].startswith("date: ")
        lines = text.splitlines(keepends=True)
        lines[line - 1] = "date: 9999-01-01\n"
        target.write_text("".join(lines))
    before = snapshot(rounds)
    option = "--rounds"
    result = run(command, PORTFOLIO, *extra, option, rounds)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert f"error: {target}:{line}: date: 9999-01-01 {FAR}" in result.stderr
    assert snapshot(rounds) == before


def test_the_librarys_reading_of_a_rounds_folder_names_a_far_date(rounds: Path) -> None:
    """The library's reading of a folder (`load_negotiations`) raises it as an InputError
    naming the file and the field, with the words a new round's date gets, and what to do
    about a file already recorded (qa18-upgrade: an earlier dealbench recorded such dates)."""
    target = rounds / "SA/004-partner.yaml"
    text = target.read_text()
    target.write_text(text.replace(_date_line(text), "date: 2039-01-01"))
    with pytest.raises(InputError) as caught:
        load_negotiations(load_portfolio(PORTFOLIO), rounds)
    [issue] = caught.value.issues
    assert (issue.file, issue.field) == (str(target), "date")
    assert issue.message.startswith(f"2039-01-01 {FAR}; ")
    assert issue.message.endswith(
        "correct the year in this file by hand (no command rewrites a "
        "recorded round), then run the command again"
    )


def _date_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("date: "))


# --- a partner's folder named in lower case -----------------------------------------------------


def test_a_partner_folder_in_lower_case_is_told_codes_are_upper_case(
    run: Runner, rounds: Path
) -> None:
    (rounds / "qa").mkdir()
    result = run("room", PORTFOLIO, "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert (
        f"error: {rounds}/qa: qa is not a partner of portfolio gulf-asia (its partners: AE, "
        "SA, QA, BH, IN, SG, MY, KZ, AM); partner codes are upper case: rename the folder to QA"
    ) in result.stderr


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
    assert (
        "--package: the offer is the package given, so a strategy and terms to fix would be "
        "ignored" in result.stderr
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
    assert (
        f"SA: concluded in round 4 on our offer of round 3 (003-us.yaml); agreed: US {us}, "
        f"partner {partner}" in text
    )


# --- a folder named like a round file ----------------------------------------------------------------


def test_a_folder_named_like_a_round_file_is_refused(run: Runner, rounds: Path) -> None:
    (rounds / "AE/005-partner.yaml").mkdir()
    before = snapshot(rounds)
    result = run("offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--no-documents")
    assert result.exit_code == 2, result.output
    assert f"{rounds}/AE/005-partner.yaml: is a folder named like a round file" in result.stderr
    assert snapshot(rounds) == before
    assert not (rounds / "AE/005-us.yaml").exists()


# --- ties in V: the frontier keeps what the partner prefers -------------------------------------


def tied_portfolio() -> Portfolio:
    """One partner whose compute is worth nothing to the US (export value = risk penalty x
    risk weight) and two exclusive concessions of equal US value: many packages give the
    US its best V, and only one of them is the partner's best among those."""
    regime = policy(levels=(("low", 0.0),), export_value="10k", risk_penalty="50k")
    tt = partner(
        "TT",
        diversion_risk=0.2,
        ask={"2026": 10_000, "2027": 10_000},
        value="100k",
        batna="1bn",
        security_costs={"low": 0},
        concessions=[
            concession("a", us_value="1bn", partner_cost="500m", excludes=["b"]),
            concession("b", us_value="1bn", partner_cost="200m"),
        ],
    )
    return portfolio(regime, [tt], supply={"2026": 50_000, "2027": 50_000})


@pytest.mark.parametrize("jointly", [False, True], ids=["held", "jointly"])
def test_a_tie_in_us_value_is_resolved_for_the_partner(jointly: bool) -> None:
    pf = tied_portfolio()
    f = frontier(pf, "TT", points=4, jointly=jointly, gap=1e-9)
    # the US's best V is 1bn (b, or a); the partner's best among those: b and all 20,000
    # H100e it asks for, 2bn of value less 200m
    best_v, best_u = 1e9, 1.8e9
    assert f.us_best.us_utility == pytest.approx(best_v, abs=1e3)
    assert f.us_best.partner_utility == pytest.approx(best_u, abs=1e3)
    for point in f.points:
        assert check(pf, [*point.others, *([point.package] if point.package else [])]).ok
        if point.us_utility >= best_v - 1e3:  # no point at the US's best V leaves U behind
            assert point.partner_utility == pytest.approx(best_u, abs=1e3)
    assert [round(p.us_utility / 1e6) for p in f.points] == [1000, 0]


# --- a portfolio no one here wrote: a range, a zero-supply period, unicode -----------------------

OWN_POLICY = """\
id: mypol
title: My policy
security_levels:
  - {id: low, title: Low, mitigation: 0.0}
  - {id: high, title: High, mitigation: 0.8}
caps:
  tier1: {}
  tier2: {low: 10_000, high: 200_000}
  tier3: 0
export_value_per_h100e: 10k
risk_penalty_per_h100e: 50k
acceptance_margin: 0
"""
OWN_PARTNER = """\
code: ZZ
name: Zürichland Ω
tier: 2
diversion_risk: 0.2
ask: {2030: 100_000, 2031: 50_000, 2032: 80_000, 2033: 10_000}
value_per_h100e: [{upto: 40_000, value: 50k}, {upto: 100_000, value: 20k}]
batna: 500m
us_batna: -1bn
security_costs: {low: 0, high: 400m}
concessions:
  - id: inv
    title: Investment in the US
    category: investment
    amount: {unit: USD, min: 0, step: 10bn}
    levels:
      - {id: 50bn, title: USD 50bn, amount: 50bn, us_value: 2.5bn, partner_cost: 1.5bn}
      - {id: 200bn, title: USD 200bn, amount: 200bn, us_value: 8bn, partner_cost: 7bn}
  - id: pledge
    title: A pledge — ünïcode ✓
    category: alignment
    us_value: 300m
    partner_cost: 100m
    requires: [{security: high}]
"""
OWN_PORTFOLIO = """\
id: one
title: One partner, four periods
policy: ../policy/p.yaml
periods: [2030, 2031, 2032, 2033]
supply: {2030: 150_000, 2031: 0, 2032: 100_000, 2033: 5_000}
partners: [../partners/zz.yaml]
"""


@pytest.fixture
def own(tmp_path: Path) -> Path:
    root = tmp_path / "own"
    for name, text in [
        ("policy/p.yaml", OWN_POLICY),
        ("partners/zz.yaml", OWN_PARTNER),
        ("portfolios/one.yaml", OWN_PORTFOLIO),
    ]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "portfolios/one.yaml"


def test_a_counter_beyond_the_frontier_says_less_not_minus_more(
    run: Runner, own: Path, tmp_path: Path
) -> None:
    """A counter that breaks caps gives the US more than any package within the limits:
    the frontier line says how much less the frontier gives, in words."""
    offer = run("offer", own, "--partner", "ZZ", "--no-documents")
    assert offer.exit_code == 0, offer.output
    counter = tmp_path / "counter.yaml"
    counter.write_text(
        "partner: ZZ\nsecurity: low\n"
        "compute: {2030: 300_000, 2031: 20_000, 2032: 80_000, 2033: 5_000}\n"
        "concessions: {inv: 123.4bn, pledge: true}\n"
    )
    result = run("counter", own, "--partner", "ZZ", counter, "--no-documents", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["frontier"]["gain"] < 0
    assert verdict["recommendation"] == "counter"
    assert {v["kind"] for v in verdict["violations"]} >= {"cap", "ask", "requires", "supply"}
    # the figures agree with evaluate on the same package
    evaluated = run("evaluate", counter, "--portfolio", own, "--json")
    assert evaluated.exit_code == 3
    assert json.loads(evaluated.stdout)["us_value"] == pytest.approx(verdict["us_utility"])
    history = run("history", own, "--partner", "ZZ")
    assert history.exit_code == 0, history.output
    assert "Zürichland Ω (ZZ) — countered" in history.stdout
    text = run("evaluate", counter, "--portfolio", own, "--against", "1")
    line = " ".join(text.stdout.split())
    gain = verdict["frontier"]["gain"]
    # the difference of the two figures as printed (qa49-consist): within a printed digit
    said = re.search(r"\(\$([\d.]+)m less than the counter's \$[\d.]+[mb]n?\)", line)
    assert said is not None, line
    assert float(said[1]) == pytest.approx(-gain / 1e6, abs=1.0)
    assert "-$" not in line.split("Frontier:")[1].split("Takes:")[0]


# --- a counter refused for its verdict's options, or for being our own offer --------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--strategy", "bogus"], "--strategy: unknown strategy 'bogus'"),
        (["--deadline", "0"], "--deadline: expected a whole number of US offers, at least 1"),
    ],
)
def test_a_counter_with_a_bad_verdict_option_records_nothing(
    run: Runner, rounds: Path, option: list[str], message: str
) -> None:
    before = snapshot(rounds)
    result = run(
        "counter", PORTFOLIO, AE_COUNTER, "--partner", "AE", "--rounds", rounds,
        "--no-documents", *option,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert snapshot(rounds) == before


def test_our_own_offer_is_not_recorded_as_their_counter_nor_theirs_as_ours(
    run: Runner, rounds: Path
) -> None:
    before = snapshot(rounds)
    offer = REPO / "deals/packages/ae-offer.yaml"  # side: offer
    result = run("counter", PORTFOLIO, offer, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "ae-offer.yaml:6: side: is offer: the package is a US proposal, not a counter" in (
        result.stderr
    )
    ours = rounds / "AE/003-us.yaml"  # a round file read as its package keeps its side
    result = run("counter", PORTFOLIO, ours, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    result = run("offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--package", AE_COUNTER)
    assert result.exit_code == 2, result.output
    assert "ae-counter.yaml:6: side: is counter: the package is the partner's proposal" in (
        result.stderr
    )
    assert snapshot(rounds) == before
    # each as its own side is recorded
    result = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--package", offer,
        "--no-documents", "--allow-retreat",  # $8.50bn to AE, round 3 gave $14.05bn
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (rounds / "AE/005-us.yaml").is_file()


def test_a_verdict_that_fails_after_the_counter_is_recorded_says_so(
    run: Runner, rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dealbench.negotiate.record as record
    from dealbench.errors import InfeasibleError

    def failing(*args: object, **kwargs: object) -> None:
        raise InfeasibleError("the plan could not be solved")

    monkeypatch.setattr(record, "verdict", failing)
    result = run(
        "counter", PORTFOLIO, AE_COUNTER, "--partner", "AE", "--rounds", rounds, "--no-documents"
    )
    assert result.exit_code == 3, result.output
    assert not result.traceback
    assert "error: the plan could not be solved" in result.stderr
    assert (
        f"note: the counter was recorded as round 5 ({rounds}/AE/005-partner.yaml); only its "
        "verdict failed"
    ) in result.stderr
    assert (rounds / "AE/005-partner.yaml").is_file()


def test_points_all_for_a_partner_with_no_possible_deal_is_the_no_deal_point() -> None:
    """A BATNA no package reaches: `--points N` and `--points all` both give the one
    no-deal point (all gave an empty frontier)."""
    regime = policy(levels=(("low", 0.0),))
    ww = partner("WW", value="1k", batna="900bn", security_costs={"low": 0})
    pf = portfolio(regime, [ww], supply={"2026": 10_000})
    some = frontier(pf, "WW", points=5)
    every = frontier(pf, "WW", points="all")
    for f in (some, every):
        assert [(p.us_utility, p.partner_utility, p.package) for p in f.points] == [
            (0.0, 900e9, None)
        ]


# --- a rounds folder edited by hand: a conclusion that is not the package agreed -----------------


@pytest.mark.parametrize(
    ("old", "new"),
    [("'2026': 353359", "'2026': 353000"), ("humain-us-campus: 5bn", "humain-us-campus: 10bn")],
    ids=["compute", "concession"],
)
def test_a_conclusion_edited_away_from_the_package_it_accepts_is_refused(
    run: Runner, rounds: Path, old: str, new: str
) -> None:
    path = rounds / "SA/004-partner.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    before = snapshot(rounds)
    for command in (["room"], ["offer", "--partner", "QA", "--no-documents"]):
        result = run(command[0], PORTFOLIO, "--rounds", rounds, *command[1:])
        assert result.exit_code == 2, result.output
        assert (
            f"{rounds}/SA/004-partner.yaml:8: package: differs from the package of "
            "003-us.yaml, the round it concludes on"
        ) in result.stderr
    assert snapshot(rounds) == before


def test_a_file_where_the_rounds_folder_should_be_is_refused(run: Runner, rounds: Path) -> None:
    result = run("room", PORTFOLIO, "--rounds", PORTFOLIO)
    assert result.exit_code == 2, result.output
    assert "gulf-asia.yaml: is a file; expected the portfolio's rounds folder" in result.stderr
    (rounds / "QA").write_text("notes\n")
    before = snapshot(rounds)
    result = run("offer", PORTFOLIO, "--partner", "QA", "--rounds", rounds, "--no-documents")
    assert result.exit_code == 2, result.output
    assert f"{rounds}/QA: is a file; expected the folder of QA's rounds" in result.stderr
    assert snapshot(rounds) == before


# --- twins: jointly, a partner the optimum leaves out can take its twin's place --------------------


def twins() -> Portfolio:
    """Two identical partners and supply for one: the optimum serves one of them."""
    regime = policy(levels=(("high", 0.8),), export_value="10k", risk_penalty="50k")
    pair = [
        partner(
            code,
            diversion_risk=0.4,
            ask={"2026": 50_000},
            value="30k",
            batna="1bn",
            security_costs={"high": 0},
        )
        for code in ("AA", "BB")
    ]
    return portfolio(regime, pair, supply={"2026": 50_000})


def test_jointly_a_partner_left_out_by_the_optimum_has_a_frontier() -> None:
    from test_frontier import at_floor

    pf = twins()
    base = solve(pf, gap=1e-9)
    assert len(base.deals) == 1
    out = next(p.code for p in pf.partners if base.deal(p.code) is None)
    held = frontier(pf, out, points=5, base=base)
    assert [(p.us_utility, p.partner_utility) for p in held.points] == [(base.objective, 1e9)]
    f = frontier(pf, out, points=5, jointly=True, gap=1e-9, base=base)
    # its twin's place, at no cost to the US: 50,000 H100e worth 1.5bn to it
    assert f.us_best.us_utility == pytest.approx(base.objective, abs=1e3)
    assert f.us_best.partner_utility == pytest.approx(1.5e9, abs=1e3)
    assert any(
        p.us_utility == pytest.approx(base.objective, abs=1e3)
        and p.partner_utility == pytest.approx(1.5e9, abs=1e3)
        for p in f.points
    )
    for point in f.points:
        assert check(pf, [*point.others, *([point.package] if point.package else [])]).ok
        if point.figures is None:
            continue
        enumerated = at_floor(pf, out, point.partner_utility, force=True)
        assert enumerated is not None
        assert point.us_utility == pytest.approx(enumerated, rel=1e-6, abs=1e3)


def test_fix_names_what_can_be_kept_for_a_partner_without_concessions(
    run: Runner, own: Path, tmp_path: Path
) -> None:
    text = own.read_text().replace(
        "partners: [../partners/zz.yaml]", "partners: [../partners/nc.yaml]"
    )
    (own.parent.parent / "partners/nc.yaml").write_text(
        "code: NC\nname: No concessions\ntier: 2\ndiversion_risk: 0.2\n"
        "ask: {2030: 50_000, 2031: 0, 2032: 50_000, 2033: 0}\nvalue_per_h100e: 30k\n"
        "batna: 100m\nsecurity_costs: {low: 0, high: 100m}\nconcessions: []\n"
    )
    plain = own.parent / "nc.yaml"
    plain.write_text(text.replace("id: one", "id: nc"))
    assert run("offer", plain, "--partner", "NC", "--no-documents").exit_code == 0
    result = run("offer", plain, "--partner", "NC", "--fix", "inv", "--no-documents")
    assert result.exit_code == 2, result.output
    assert "--fix: unknown term 'inv'; expected compute or security (NC offers no concessions)" in (
        result.stderr
    )


def test_frontier_reads_a_partner_code_in_any_case_as_the_round_commands_do(
    run: Runner, own: Path
) -> None:
    lower = run("frontier", own, "--partner", "zz", "--points", "3", "--json")
    upper = run("frontier", own, "--partner", "ZZ", "--points", "3", "--json")
    assert lower.exit_code == upper.exit_code == 0, lower.output
    drop = ("seconds",)
    a, b = json.loads(lower.stdout), json.loads(upper.stdout)
    assert {k: v for k, v in a.items() if k not in drop} == {
        k: v for k, v in b.items() if k not in drop
    }


def test_the_rounds_chart_draws_a_conclusion_as_the_deal_agreed(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """SA's conclusion is recorded by the partner's side; drawn as a counter, it read as one
    more demand. It is the deal agreed; and a side with no round gets no legend entry."""
    from dealbench.negotiate.round_points import history_path

    data = history_path(load_portfolio(PORTFOLIO), rounds, "SA")
    assert [(r["side"], r["status"]) for r in data["rounds"]] == [
        ("us", "open"), ("partner", "open"), ("us", "open"), ("partner", "concluded"),
    ]  # fmt: skip
    result = run("history", PORTFOLIO, "--partner", "SA", "--rounds", rounds, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "charts/SA-rounds.svg").read_text()
    assert "Agreed" in svg
    assert run("walk-away", PORTFOLIO, "--partner", "QA", "--rounds", rounds).exit_code == 0
    result = run("history", PORTFOLIO, "--partner", "QA", "--rounds", rounds, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "charts/QA-rounds.svg").read_text()
    assert "US offer" not in svg and "Counter" not in svg


def test_evaluate_against_a_result_of_another_portfolio_is_refused(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    solved = run("solve", REPO / "deals/portfolios/global.yaml", "--out", tmp_path / "global")
    assert solved.exit_code == 0, solved.output
    result = run(
        "evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, "--rounds", rounds,
        "--against", tmp_path / "global/result.json",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "result.json: portfolio: is global: this result solves another portfolio than " in (
        result.stderr
    )


def test_room_names_render_when_its_formats_are_bad(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "memo"
    result = run("room", PORTFOLIO, "--rounds", rounds, "--render", "md,odt", "--out", out)
    assert result.exit_code == 2, result.output
    assert "error: --render: unknown format 'odt'; expected one or more of" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("amount", ["-5bn", "-5", "-0.5e10"])
def test_a_negative_amount_in_a_counter_is_named_as_such(
    run: Runner, own: Path, tmp_path: Path, amount: str
) -> None:
    counter = tmp_path / "counter.yaml"
    counter.write_text(
        f"partner: ZZ\nsecurity: high\ncompute: {{2030: 100_000}}\nconcessions: {{inv: {amount}}}\n"
    )
    result = run("counter", own, "--partner", "ZZ", counter, "--no-documents")
    assert result.exit_code == 2, result.output
    assert f"{counter.name}:4: concessions.inv: " in result.stderr
    assert "is a negative amount; an amount is 0 or more" in result.stderr
    assert not (own.parent.parent / "rounds").exists()


def test_history_counts_the_supply_the_concluded_deals_take_as_the_verdict_does(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """After AE and SA conclude, a QA counter within its own limits asks for more supply
    than is left: the verdict says so, and history's compliance says so too. (Dated: a deal
    concluded the same day is not known to predate the counter, and history judges a round
    as it stood when made: qa44-negotiate.)"""
    concluded = run(
        "conclude", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--no-documents", "--date",
        "2026-03-28",
    )  # fmt: skip
    assert concluded.exit_code == 0, concluded.output
    counter = tmp_path / "qa.yaml"
    counter.write_text(
        "partner: QA\nsecurity: veu\ncompute: {2026: 150_000, 2027: 150_000, 2028: 150_000}\n"
        "concessions: {invest-us: 100bn, pax-silica: true, us-operated: true}\n"
    )
    verdict = run(
        "counter", PORTFOLIO, "--partner", "QA", counter, "--rounds", rounds, "--no-documents",
        "--json", "--date", "2026-03-30",
    )  # fmt: skip
    assert verdict.exit_code == 0, verdict.output
    kinds = [v["kind"] for v in json.loads(verdict.stdout)["violations"]]
    assert kinds == ["supply", "supply"]
    history = run("history", PORTFOLIO, "--partner", "QA", "--rounds", rounds, "--json")
    assert history.exit_code == 0, history.output
    row = json.loads(history.stdout)["rounds"][0]
    assert [v["kind"] for v in row["violations"]] == kinds
    table = run("history", PORTFOLIO, "--partner", "QA", "--rounds", rounds)
    assert (
        "round 1: supply in 2026: 1,103,359 H100e allocated with the deals concluded with AE "
        "and SA (953,359 of it), 1,000,000 available"
    ) in " ".join(table.stdout.split())


def test_rounds_are_in_time_order(run: Runner, rounds: Path, tmp_path: Path) -> None:
    """A counter file dated 2020 (its own `date:` becomes the round's) after a round of
    2026-03-16 is refused; so is a round folder edited into the past. Each message names
    both rounds and both dates (it named one round only by its file, the other not)."""
    counter = tmp_path / "old.yaml"
    counter.write_text(AE_COUNTER.read_text().replace("side: counter", "date: 2020-01-01"))
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, "--partner", "AE", counter, "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert (
        f"{counter}:6: date: round 5 is dated 2020-01-01, before round 4 "
        "(004-partner.yaml), dated 2026-03-16; rounds are in time order (a counter file's "
        "own `date:` is its round's date unless the round is given a date of its own); "
        "nothing written"
    ) in result.stderr
    result = run("offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--date", "2026-03-01")
    assert result.exit_code == 2, result.output
    assert snapshot(rounds) == before
    ok = run(
        "offer", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--date", "2026-03-16",
        "--no-documents",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output  # the same day is in order
    path = rounds / "SA/003-us.yaml"
    path.write_text(path.read_text().replace("date: 2026-03-05", "date: 2026-02-01"))
    result = run("room", PORTFOLIO, "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert (
        f"{rounds}/SA/003-us.yaml:5: date: round 3 is dated 2026-02-01, before round 2 "
        "(002-partner.yaml), dated 2026-02-19; rounds are in time order"
    ) in result.stderr


def test_a_counter_for_another_partner_names_the_line_of_its_partner(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """Every other refusal of a counter file names its line; this one named the file only
    (`counter.yaml: partner: ...`), and a round file's side none either."""
    counter = tmp_path / "counter.yaml"
    counter.write_text("# for SA\n" + AE_COUNTER.read_text().split("\n", 3)[3])
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, counter, "--partner", "QA", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    line = 1 + counter.read_text().split("\n").index("partner: AE")
    assert f"counter.yaml:{line}: partner: is AE, but the negotiation is with QA" in result.stderr
    ours = rounds / "AE/003-us.yaml"  # its side is the round's, at the top of the file
    result = run("counter", PORTFOLIO, ours, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    line = 1 + ours.read_text().split("\n").index("side: us")
    assert f"003-us.yaml:{line}: side: is us: the package is a US proposal" in result.stderr
    assert snapshot(rounds) == before


def test_evaluate_against_in_a_concluded_negotiation_says_it_is_concluded(
    run: Runner, rounds: Path
) -> None:
    """SA concluded in round 4: weighing a counter in it blamed a `--partner` option that
    `evaluate` has not, with an empty list of partners."""
    sa = REPO / "deals/packages/sa-counter.yaml"
    result = run("evaluate", sa, "--portfolio", PORTFOLIO, "--against", "3", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "--partner" not in result.stderr
    assert (
        f"{rounds}/SA/004-partner.yaml:19: status: the negotiation with SA was concluded in this "
        "round; no counter in it can be weighed any more"
    ) in result.stderr


def test_evaluate_against_a_package_file_weighs_it_as_the_offer(run: Runner, rounds: Path) -> None:
    """The package file of our offer was read as a round file: `partner: unknown field; did
    you mean 'partner'?`, and so on for every field."""
    offer = REPO / "deals/packages/ae-offer.yaml"
    result = run(
        "evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, "--against", offer, "--rounds", rounds,
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["compared_with"] == "round 1 (ae-offer.yaml)"
    assert data["us_change"] == pytest.approx(
        data["us_utility"] - check_one(offer)["us_value"], abs=1
    )
    sa = REPO / "deals/packages/sa-counter.yaml"
    result = run("evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, "--against", sa)
    assert result.exit_code == 2, result.output
    assert "sa-counter.yaml:4: partner: is SA; the package is for AE" in result.stderr


def check_one(path: Path) -> dict[str, float]:
    from dealbench.checker import evaluate
    from dealbench.model import load_package

    pf = load_portfolio(PORTFOLIO)
    return {"us_value": evaluate(pf, load_package(path, pf)).us_value}


def test_evaluate_against_neither_a_number_nor_a_file_names_the_option(run: Runner) -> None:
    result = run("evaluate", AE_COUNTER, "--portfolio", PORTFOLIO, "--against", "three")
    assert result.exit_code == 2, result.output
    assert (
        "error: --against: 'three' is neither a round number of the negotiation with AE nor a file"
    ) in result.stderr


def test_a_counter_with_a_lower_case_partner_code_says_to_write_it_upper_case(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """`--partner ae` is read as AE; `partner: ae` in the file is refused, and now says why."""
    counter = tmp_path / "counter.yaml"
    counter.write_text(AE_COUNTER.read_text().replace("partner: AE", "partner: ae"))
    before = snapshot(rounds)
    result = run("counter", PORTFOLIO, counter, "--partner", "ae", "--rounds", rounds)
    assert result.exit_code == 2, result.output
    assert "partner: partner 'ae' is not in portfolio gulf-asia; expected one of: AE, SA" in (
        result.stderr
    )
    assert "(codes are upper case: write AE)" in result.stderr
    assert snapshot(rounds) == before
