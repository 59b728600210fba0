"""What the CLI and the loaders say to a user who typed something wrong (qa38-cli): every
choice a word or a typo may mean, a value written below its key named at its own line, a
`--set` number quoted as typed. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["render", "packages/ae-counter.yaml", "--portfolio", PORTFOLIO, "--doc", "memo"],
            "error: --doc: unknown document 'memo'; expected one of: term-sheet, deal-memo, "
            "portfolio-memo; did you mean 'deal-memo' or 'portfolio-memo'?\n",
        ),
        (
            ["solve", PORTFOLIO, "--mode", "best"],
            "error: --mode: unknown mode 'best'; expected one of: us-best, partner-best, nash, "
            "kalai; did you mean 'us-best' or 'partner-best'?\n",
        ),
        (
            ["solve", "portfolios/global.yaml", "--set", "partners.united.batna=1bn"],
            "(did you mean AE (United Arab Emirates) or GB (United Kingdom)?)\n",
        ),
    ],
    ids=["doc", "mode", "partner-name"],
)
def test_a_word_of_several_choices_is_answered_with_each(
    run: Runner, deals: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    """`--doc memo` was answered "did you mean 'deal-memo'?", though memo names
    portfolio-memo as much: the one helper (`list_words.meant`) offered one choice only."""
    command, path, *rest = args
    more = ["--out", tmp_path / "out"] if command == "render" else []
    done = run(command, deals / path, *[deals / a if a == PORTFOLIO else a for a in rest], *more)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(says), done.stderr


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        ("memo", ["term-sheet", "deal-memo", "portfolio-memo"], ["deal-memo", "portfolio-memo"]),
        ("term", ["term-sheet", "deal-memo", "portfolio-memo"], ["term-sheet"]),
        ("btna", ["batna", "us_batna"], ["batna"]),  # the nearest by far, alone
        ("tier", ["tier1", "tier2"], []),  # a word with another number is not meant
    ],
)
def test_every_close_choice_is_meant(value: str, choices: list[str], expected: list[str]) -> None:
    """`meant` offers every choice a word names, and by spelling the nearest with those as
    near; a choice far behind the nearest (us_batna for btna) is not offered beside it."""
    from dealbench.list_words import meant

    assert meant(value, choices) == expected


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            "partners/ae.yaml",
            r"^batna: .*$",
            "batna:\n    abc",
            "batna: expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got 'abc'",
        ),
        (
            "partners/ae.yaml",
            r"^diversion_risk: .*$",
            "diversion_risk:\n  1.50",
            "diversion_risk: must be at most 1, got 1.50",
        ),
        (
            PORTFOLIO,
            r"^  2026: .*$",
            "  2026:\n    -600_000",
            "supply.2026: must be at least 0, got -600_000",
        ),
    ],
    ids=["text", "decimal", "grouped"],
)
def test_a_value_below_its_key_is_named_at_its_own_line(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`batna:\\n    abc` was named at the key's line, and `-600_000` below its key quoted
    as -600000: the loader kept the key's line only, and looked the number up there."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"{name}:{line + 1}: {says}\n" in done.stderr, done.stderr


def test_an_unknown_key_above_its_value_is_named_at_the_key(run: Runner, deals: Path) -> None:
    """Guard: an unknown field is the key's fault, named at the key's line, not its value's."""
    name = "partners/ae.yaml"
    line = edit_first_line(deals, name, r"^batna: .*$", "batnax:\n    8bn")
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert (
        f"{name}:{line}: batnax: unknown field; did you mean 'batna'? (it is required)\n"
        in done.stderr
    )


@pytest.mark.parametrize(
    ("item", "says"),
    [
        (
            "portfolio.supply.2026=-600_000",
            "portfolio.supply.2026: must be at least 0, got -600_000",
        ),
        (
            "partners.AE.diversion_risk=1.50",
            "partners.AE.diversion_risk: must be at most 1, got 1.50",
        ),
        ("portfolio.risk_budget=-1.50", "portfolio.risk_budget: must be at least 0, got -1.50"),
    ],
)
def test_a_set_number_is_quoted_as_typed(run: Runner, deals: Path, item: str, says: str) -> None:
    """`--set portfolio.supply.2026=-600_000` said "got -600000": an override's value kept
    no trace of how it was typed, and a value alone was not noted as a file's numbers are."""
    done = run("solve", deals / PORTFOLIO, "--set", item)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: --set: {says}\n", done.stderr


def test_a_scenario_number_is_quoted_as_the_file_writes_it(run: Runner, deals: Path) -> None:
    """A scenarios file's `{portfolio.supply.2027: -1_800_000}` said "got -1800000"."""
    name = "scenarios/gulf-asia.yaml"
    line = edit_first_line(
        deals,
        name,
        r"set: \{portfolio.supply.2027: .*\}",
        "set: {portfolio.supply.2027: -1_800_000}",
    )
    done = run("sweep", deals / PORTFOLIO, deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert (
        f"{name}:{line}: scenarios[3].set.portfolio.supply.2027: must be at least 0, "
        "got -1_800_000\n"
    ) in done.stderr, done.stderr
