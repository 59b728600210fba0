"""What the CLI and the loaders say to a user who typed something wrong (qa38-cli): every
choice a word or a typo may mean, a value written below its key named at its own line, a
`--set` number quoted as typed. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return deals_copy(tmp_path)


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
