"""Numbers the user wrote, quoted as written in what a refusal says (qa38b-input): a
validator's own message ("got 10" of `1_0`), a figure `--set` cannot go inside, a round
written `true`. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
PACKAGE = "packages/ae-counter.yaml"


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        ("partners/ae.yaml", r"^tier: 2 ", "tier: 1_0", "tier: expected 1, 2 or 3, got 1_0"),
        (
            "partners/ae.yaml",
            r"^diversion_risk: 0.47",
            "diversion_risk: 0.50e1",
            "diversion_risk: must be at most 1, got 0.50e1; for 5 percent write 0.05 or 5%",
        ),
        (
            PACKAGE,
            r"invest-us: 200bn ",
            "invest-us: -75_000_000_000",
            "concessions.invest-us: -75_000_000_000 is a negative amount; an amount is 0 or more",
        ),
    ],
    ids=["tier", "share", "negative-amount"],
)
def test_a_validators_message_quotes_the_file_number_as_written(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`tier: 1_0` said "got 10", `diversion_risk: 0.50e1` "got 5.0": a validator sees the
    parsed value only, and its message was passed on as it wrote the number."""
    line = edit_first_line(deals, name, old, new)
    extra = ["--portfolio", deals / PORTFOLIO] if name == PACKAGE else []
    done = run("validate", deals / name, *extra)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"{name}:{line}: {says}\n" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("partners.AE.tier=1_0", "partners.AE.tier: expected 1, 2 or 3, got 1_0"),
        (
            "partners.AE.diversion_risk=0.50e1",
            "partners.AE.diversion_risk: must be at most 1, got 0.50e1; "
            "for 5 percent write 0.05 or 5%",
        ),
        # a number the message quotes elsewhere than as the value refused is left alone
        (
            "partners.AE.diversion_risk=1_0",
            "partners.AE.diversion_risk: must be at most 1, got 1_0; "
            "for 10 percent write 0.1 or 10%",
        ),
    ],
    ids=["tier", "share", "share-grouped"],
)
def test_a_validators_message_quotes_the_set_number_as_typed(
    run: Runner, deals: Path, item: str, says: str
) -> None:
    """`--set partners.AE.tier=1_0` said "got 10", though `Sets` knew it was typed 1_0."""
    done = run("solve", deals / PORTFOLIO, "--set", item)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: --set: {says}\n", done.stderr


@pytest.mark.parametrize(
    ("item", "says"),
    [
        (
            "partners.AE.batna.low=1",
            "partners.AE.batna.low: partners.AE.batna is a single value (8,000,000,000), "
            "it has no 'low': set partners.AE.batna=VALUE",
        ),
        (
            "portfolio.supply.2026.x=1",
            "portfolio.supply.2026.x: portfolio.supply.2026 is a single value (1,000,000), "
            "it has no 'x': set portfolio.supply.2026=VALUE",
        ),
    ],
    ids=["money", "compute"],
)
def test_a_single_figure_set_inside_is_said_as_messages_say_numbers(
    run: Runner, deals: Path, item: str, says: str
) -> None:
    """`--set partners.AE.batna.low=1` said "a single value (8000000000.0)": the current
    figure was quoted as Python writes the float the file's `8bn` was parsed to."""
    done = run("solve", deals / PORTFOLIO, "--set", item)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: --set: {says}\n", done.stderr


def test_a_round_written_true_is_quoted_as_written(run: Runner, deals: Path) -> None:
    """`round: true` in a package said "got True", Python's word for YAML's true."""
    line = edit_first_line(deals, PACKAGE, r"^round: 2 ", "round: true")
    done = run("validate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert (
        f"{PACKAGE}:{line}: round: expected a round number (1, 2, ...), got true\n" in done.stderr
    ), done.stderr


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        ("partners/ae.yaml", r"^name: .*$", "name: true", "name: expected text, got true"),
        (
            PORTFOLIO,
            r"^  2026: ",
            "  true: ",
            "expected a period label such as 2026 or 2026Q3, got true",
        ),
    ],
    ids=["text", "period"],
)
def test_a_boolean_is_quoted_as_yaml_writes_it(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`name: true` said "expected text, got True": a value no field takes was quoted by
    Python's repr (`units.as_written`), whose word for YAML's true is True."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"{name}:{line}: " in done.stderr and f"{says}\n" in done.stderr, done.stderr
    assert "True" not in done.stderr, done.stderr


def test_a_boolean_set_is_quoted_as_typed(run: Runner, deals: Path) -> None:
    """`--set partners.AE.name=true` said "got True", as the file's did."""
    done = run("solve", deals / PORTFOLIO, "--set", "partners.AE.name=true")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == "error: --set: partners.AE.name: expected text, got true\n"


@pytest.mark.parametrize(
    ("new", "says"),
    [
        ("  2026: {tpp: -5_0}", "compute.2026: must be at least 0, got {tpp: -5_0}"),
        ("  2026:\n    tpp: -5_0", "compute.2026: must be at least 0, got {tpp: -5_0}"),
        (
            "  2026: {chips: 1_0.5, model: H100}",
            "compute.2026: a number of chips is whole, got 1_0.5 H100 chips",
        ),
    ],
    ids=["tpp", "tpp-below", "chips"],
)
def test_a_number_inside_a_mapping_is_quoted_as_written(
    run: Runner, deals: Path, new: str, says: str
) -> None:
    """`2026: {tpp: -5_0}` said "got {tpp: -50}", `{chips: 1_0.5, ...}` "got 10.5 H100
    chips": only a value that is a number alone was looked up as the file writes it."""
    line = edit_first_line(deals, PACKAGE, r"^  2026: 600_000 ", new)
    done = run("validate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"{PACKAGE}:{line}: {says}\n" in done.stderr, done.stderr


def test_a_number_inside_a_set_mapping_is_quoted_as_typed(run: Runner, deals: Path) -> None:
    """`--set 'portfolio.granularity={chips: 1_0.5, model: H100}'` said "got 10.5"."""
    done = run(
        "solve", deals / PORTFOLIO, "--set", "portfolio.granularity={chips: 1_0.5, model: H100}"
    )
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == (
        "error: --set: portfolio.granularity: a granularity in chips is a whole number of 1 "
        "or more, got 1_0.5\n"
    ), done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--gap", "1_0"], "--gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got 1_0"),
        (["--gap", "150%"], "--gap: expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got 150%"),
        (["--time-limit", "-5"], "--time-limit: expected a positive number of seconds, such as 30, got -5"),
        (["--time-limit", "1e400"], "--time-limit: expected a positive number of seconds, such as 30, got 1e400"),
    ],
    ids=["gap-grouped", "gap-percent", "seconds", "seconds-huge"],
)  # fmt: skip
def test_an_option_number_is_quoted_as_typed(
    run: Runner, deals: Path, args: list[str], says: str
) -> None:
    """`--gap 1_0` said "got 10.0", `--gap 150%` "got 1.5", `--time-limit -5` "got -5.0" and
    `1e400` "got inf": the check saw the number only, parsed by the option before it."""
    done = run("solve", deals / PORTFOLIO, *args)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: {says}\n", done.stderr


def test_a_typed_option_number_is_a_number_after_its_check(run: Runner, deals: Path) -> None:
    """Guard: a gap and a time limit typed in their own ways still solve."""
    done = run("solve", deals / PORTFOLIO, "--gap", "0.01%", "--time-limit", "6_0", "--json")
    assert done.exit_code == 0, done.output
