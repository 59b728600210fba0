"""Bad input answered the same wherever it is met (qa37-input2): a round kept beside the
partners' folders refused by `validate` as by `history`; a unit written after a plain
number said with the unit the field is in; a money field or a package's concession given a
list, a `!!set` or a boolean said with what it takes; a period written `2026.0` beside
`2026` refused as the same key, not read over it. Each test failed before its fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner, deals_copy, edit_first_line, validate_refuses

PORTFOLIO = "portfolios/gulf-asia.yaml"
OUT_OF_PLACE = (
    "not in a partner's folder: a round file goes in its partner's folder, as "
    "CODE/NNN-us.yaml or CODE/NNN-partner.yaml"
)
AN_AMOUNT = "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return deals_copy(tmp_path)


def test_validate_refuses_a_round_beside_the_partners_folders_as_history_does(
    run: Runner, deals: Path
) -> None:
    """`validate deals/rounds/` said "ok" of rounds/gulf-asia/003-us.yaml, a round kept
    beside the partners' folders, which `history` and `room` refuse as "not in a partner's
    folder": one rule (`negotiate.rounds.read.out_of_place`) now says it in both."""
    stray = deals / "rounds/gulf-asia/003-us.yaml"
    shutil.copy(deals / "rounds/gulf-asia/AE/003-us.yaml", stray)
    said = f"error: {stray}: {OUT_OF_PLACE}\n"
    history = run("history", deals / PORTFOLIO, "--partner", "AE")
    assert history.exit_code == 2 and said in history.stderr, history.output
    for target in (deals / "rounds", stray):
        done = run("validate", target)
        assert done.traceback == ""
        assert done.exit_code == 2, done.output
        assert said in done.stderr, done.stderr
        assert "ok: " + str(stray) not in done.stdout
    # The partners' own rounds are still checked and said ok.
    done = run("validate", deals / "rounds")
    assert f"ok: {deals / 'rounds/gulf-asia/AE/003-us.yaml'} (round)" in done.stdout


def test_a_package_beside_the_partners_folders_is_still_valid(run: Runner, deals: Path) -> None:
    """Guard: a package that says no round nor side, kept in the rounds folder, is no
    round out of place (`history` leaves it alone), so `validate` still says it is ok."""
    kept = deals / "rounds/gulf-asia/draft.yaml"
    text = (deals / "packages/ae-offer.yaml").read_text("utf-8")
    kept.write_text(re.sub(r"^(round|side):.*\n", "", text, flags=re.M), "utf-8")
    assert run("history", deals / PORTFOLIO, "--partner", "AE").exit_code == 0
    done = run("validate", kept)
    assert done.exit_code == 0, done.output
    assert f"ok: {kept} (package)" in done.stdout


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            PORTFOLIO,
            r"^periods: .*$",
            "risk_budget: 40_000 H100e\nperiods: [2026, 2027, 2028]",
            "risk_budget: expected a number, got '40_000 H100e'; the field is in "
            "risk-weighted H100e, written without a unit: write 40_000",
        ),
        (
            "policy/bilateral.yaml",
            r"^risk_budget: .*$",
            "risk_budget: 250k h100es",
            "risk_budget: expected a number, got '250k h100es'; the field is in "
            "risk-weighted H100e, written without a unit: write 250_000",
        ),
        (
            "policy/bilateral.yaml",
            r"^risk_budget: .*$",
            "risk_budget: 250_000 MW",
            "risk_budget: expected a number, got '250_000 MW'; 'MW' is not the unit of this "
            "field: it is in risk-weighted H100e, written as a plain number",
        ),
        (
            "policy/bilateral.yaml",
            r"^risk_budget: .*$",
            "risk_budget: 5bn",
            "risk_budget: expected a number, got '5bn'; suffixes such as bn are for amounts "
            "of USD: the field is in risk-weighted H100e",
        ),
        (
            PORTFOLIO,
            r"^  2027: .*$",
            "  2027: {tpp: 5e9 TPP}",
            "supply.2027: expected a number, got '5e9 TPP'; the field is in TPP, written "
            "without a unit: write 5_000_000_000",
        ),
        (
            PORTFOLIO,
            r"^periods: .*$",
            "granularity: 1000 H100e\nperiods: [2026, 2027, 2028]",
            "granularity: expected a number, got '1000 H100e'; the field is in H100e, written "
            "without a unit: write 1_000",
        ),
        (
            "rounds/gulf-asia/AE/003-us.yaml",
            r"^  target_us_utility: .*$",
            "  target_us_utility: 76.5bn",
            "strategy.target_us_utility: expected a number, got '76.5bn'; the field is in "
            "USD, written as a plain number: write 76_500_000_000",
        ),
    ],
    ids=["portfolio-h100e", "policy-plural", "other-unit", "money", "tpp", "granularity", "usd"],
)
def test_a_unit_after_a_plain_number_says_the_unit_the_field_is_in(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`risk_budget: 40_000 H100e` said only "expected a number, got '40_000 H100e'": the
    shared number parser now knows the field's unit (`units.number_in`) and says it, with
    the number as meant, wherever a plain number has a unit."""
    at, stderr = validate_refuses(run, deals, name, old, new)
    assert f"{at}{says}\n" in stderr, stderr


def test_a_unit_in_a_set_option_says_the_unit_the_field_is_in(run: Runner) -> None:
    """`--set portfolio.risk_budget=40k H100e`, read by the same field, says the same."""
    done = run("solve", REPO / "deals" / PORTFOLIO, "--set", "portfolio.risk_budget=40k H100e")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == (
        "error: --set: portfolio.risk_budget: expected a number, got '40k H100e'; the field is "
        "in risk-weighted H100e, written without a unit: write 40_000\n"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "got"),
    [
        (r"^batna: .*$", "batna: [8bn]", "batna", "a list"),
        (r"^batna: .*$", "batna: !!set {8bn}", "batna", "a set (!!set {8bn})"),
        (r"^batna: .*$", "batna: true", "batna", "true"),
        (r"^batna: .*$", "batna: {a: 1}", "batna", "a mapping"),
        (r"^  kyc: .*$", "  kyc: [400m]", "security_costs.kyc", "a list"),
        (
            r"^batna: .*$",
            "batna: {dist: uniform, low: !!set {1bn}, high: 2bn}",
            "batna.low",
            "a set (!!set {1bn})",
        ),
    ],
    ids=["list", "set", "boolean", "mapping", "security-cost", "distribution"],
)
def test_a_money_field_given_no_text_nor_number_says_it_wants_an_amount(
    run: Runner, deals: Path, old: str, new: str, field: str, got: str
) -> None:
    """`batna: [8bn]` or `batna: !!set {8bn}` said "expected a number", where `batna: lots`
    says "expected an amount of USD such as ...": `parse_money` now says its own
    expectation of every value it refuses."""
    line = edit_first_line(deals, "partners/ae.yaml", old, new)
    done = run("validate", deals / "partners/ae.yaml")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"partners/ae.yaml:{line}: {field}: {AN_AMOUNT}, got {got}\n" in done.stderr


def test_a_money_override_given_a_list_says_it_wants_an_amount(run: Runner) -> None:
    done = run("solve", REPO / "deals" / PORTFOLIO, "--set", "partners.AE.batna=[1bn]")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: --set: partners.AE.batna: {AN_AMOUNT}, got a list\n"


@pytest.mark.parametrize(
    ("new", "got"),
    [
        ("  invest-us: [200bn]", "a list"),
        ("  invest-us: !!set {200bn}", "a set (!!set {200bn})"),
        ("  invest-us: {amount: 200bn}", "a mapping"),
    ],
    ids=["list", "set", "mapping"],
)
def test_a_concession_given_a_list_or_set_says_what_a_concession_takes(
    run: Runner, deals: Path, new: str, got: str
) -> None:
    """`concessions: {invest-us: [200bn]}` said "expected text, got a list" (the level id's
    type), where `us-operated: yes please` says what a concession takes: now both."""
    line = edit_first_line(deals, "packages/ae-offer.yaml", r"^  invest-us: .*$", new)
    done = run("evaluate", deals / "packages/ae-offer.yaml", "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(
        f"packages/ae-offer.yaml:{line}: concessions.invest-us: expected a level id, true or "
        "false, or an amount: a number, with k, m, bn or tn if need be (2_500, 75bn, USD 75bn);"
        f" got {got}\n"
    ), done.stderr


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [("2026: 600_000", "2026.0: 5", "2026.0"), ("2026.0: 5", "2026: 600_000", "2026")],
    ids=["decimal-second", "decimal-first"],
)
def test_a_period_written_as_a_decimal_beside_it_is_the_same_key(
    run: Runner, deals: Path, first: str, second: str, field: str
) -> None:
    """A counter with `2026: 600_000` and `2026.0: 5` under compute was recorded as round 5
    taking 5 H100e in 2026: YAML's 2026.0 is Python's 2026, so the second replaced the
    first's value unseen. Keys equal once loaded are now duplicates, as 2026 and '2026'
    were; nothing is recorded."""
    name = "packages/ae-counter.yaml"
    line = edit_first_line(deals, name, r"^  2026: .*$", f"  {first}\n  {second}")
    rounds = sorted((deals / "rounds/gulf-asia/AE").iterdir())
    done = run("counter", deals / PORTFOLIO, deals / name, "--no-documents")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == (
        f"error: {deals / name}:{line + 1}: compute.{field}: duplicate key: already given on "
        f"line {line} (a key may appear only once)\n"
    )
    assert sorted((deals / "rounds/gulf-asia/AE").iterdir()) == rounds
