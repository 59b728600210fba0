"""Error messages in the user's own terms (qa37-words): a misspelt choice answered with the
one meant, through one helper (`list_words.meant`); a share given a list says how a share
is written; a duplicate key and a number out of bounds quoted as the file writes them.
Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
A_SHARE = "write a number from 0 to 1 (such as 0.3) or a percentage (such as 30%)"


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return deals_copy(tmp_path)


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            "policy/tiered.yaml",
            r"^    veu: 160_000",
            "    vue: 160_000",
            "caps.tier2.vue: unknown security level 'vue'; expected one of: baseline, kyc, "
            "veu; did you mean 'veu'?",
        ),
        (
            "packages/ae-counter.yaml",
            r"^  align-controls: true",
            "  algin-controls: true",
            "concessions.algin-controls: unknown concession 'algin-controls' of AE; expected "
            "one of: invest-us, match-us-ai, mirror-data-centres, us-operated, align-controls, "
            "champion-cap, no-prc-hardware; did you mean 'align-controls'?",
        ),
        (
            "packages/ae-counter.yaml",
            r"^side: .*$",
            "side: countr",
            "side: expected 'offer', 'counter', 'us', 'partner' or 'agreed', got 'countr'; did you mean "
            "'counter'?",
        ),
    ],
    ids=["security-level", "concession", "side"],
)
def test_a_misspelt_choice_is_answered_with_the_one_meant(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`caps.tier2.vue` listed the levels but, unlike `VEU`, offered no "did you mean
    'veu'"; a concession id or a choice of a field likewise. One helper now finds the
    choice meant, by case or by spelling, wherever the valid choices are listed."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", "--portfolio", deals / PORTFOLIO, deals / name)
    assert done.traceback == ""
    assert done.exit_code == 2, done.output
    assert f"{name}:{line}: {says}\n" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("compare", PORTFOLIO, "--regimes", "bilaterall"),
            "error: --regimes: unknown regime 'bilaterall'; expected one of: tiered, monopoly, "
            "repeal, bilateral (or a policy file); did you mean 'bilateral'?\n",
        ),
        (
            ("offer", PORTFOLIO, "--partner", "United Arab Emirate"),
            "error: --partner: partner 'UNITED ARAB EMIRATE' is not in portfolio gulf-asia; "
            "expected one of: AE, SA, QA, BH, IN, SG, MY, KZ, AM (did you mean AE (United "
            "Arab Emirates)?)\n",
        ),
    ],
    ids=["regime", "partner-name"],
)
def test_a_misspelt_option_is_answered_with_the_one_meant(
    run: Runner, deals: Path, args: tuple[str, ...], says: str
) -> None:
    """`--regimes bilaterall` listed the regimes without the one meant; a partner's name
    misspelt (`United Arab Emirate`) was not taken for its code, as the exact name was."""
    command, path, *rest = args
    done = run(command, deals / path, *rest)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(says), done.stderr


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        ("vue", ["baseline", "kyc", "veu"], ["veu"]),
        ("VUE", ["baseline", "kyc", "veu"], ["veu"]),
        ("VEU", ["baseline", "kyc", "veu"], ["veu"]),
        ("300bn", ["200bn", "1400bn"], []),  # another amount, not a typo
        ("tier3", ["tier1", "tier2"], []),
        ("AX", ["AE", "SA"], []),  # two letters: no code is near enough
        ("zzz", ["baseline", "kyc", "veu"], []),
    ],
)
def test_the_choice_meant_is_found_by_one_rule(
    value: str, choices: list[str], expected: list[str]
) -> None:
    """Guard: the one helper every message uses suggests the same choices on every call,
    and never a choice that names another number (session 38: every close choice, not
    at most one; tests/test_qa38_cli.py)."""
    from dealbench.list_words import meant

    assert meant(value, choices) == expected
    assert meant(value, list(reversed(choices))) == expected


def test_a_misspelt_level_that_is_another_amount_is_not_taken_for_a_level(
    run: Runner, deals: Path
) -> None:
    """Guard: a level `300bn` is an amount not in the menu, not a misspelling of 200bn."""
    name = "packages/ae-counter.yaml"
    edit_first_line(deals, name, r"^  invest-us: .*$", "  invest-us: 300bn")
    done = run("validate", "--portfolio", deals / PORTFOLIO, deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert "unknown level '300bn'" in done.stderr and "did you mean" not in done.stderr


@pytest.mark.parametrize(
    ("value", "got"),
    [("[0.47]", "a list"), ("{share: 0.47}", "a mapping"), ("abc", "'abc'")],
    ids=["list", "mapping", "text"],
)
def test_a_share_given_no_number_says_how_a_share_is_written(
    run: Runner, deals: Path, value: str, got: str
) -> None:
    """`diversion_risk: [0.47]` said "expected a number, got a list", and bad text the
    same, without a word of what a share takes; both now say it, as `30 MW` did."""
    name = "partners/ae.yaml"
    line = edit_first_line(deals, name, r"^diversion_risk: .*$", f"diversion_risk: {value}")
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert (
        f"{name}:{line}: diversion_risk: expected a number, got {got}; {A_SHARE}\n"
    ) in done.stderr, done.stderr


def test_a_duplicate_key_is_named_as_the_file_spells_it(run: Runner, deals: Path) -> None:
    """`1: true` then `true: false` under a package's concessions was named
    `concessions.True`, Python's word; it is the file's `true`."""
    name = "packages/ae-counter.yaml"
    line = edit_first_line(
        deals,
        name,
        r"^  no-prc-hardware: true",
        "  no-prc-hardware: true\n  1: true\n  true: false",
    )
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(
        f"{name}:{line + 2}: concessions.true: duplicate key: already given on line "
        f"{line + 1} (a key may appear only once)\n"
    ), done.stderr


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            PORTFOLIO,
            r"^  2026: .*$",
            "  2026: -600_000",
            "supply.2026: must be at least 0, got -600_000",
        ),
        (
            "partners/ae.yaml",
            r"^diversion_risk: .*$",
            "diversion_risk: 1.50",
            "diversion_risk: must be at most 1, got 1.50",
        ),
        (
            PORTFOLIO,
            r"^  2026: .*$",
            "  2026: {h100e: -1_000}",
            # a number inside a mapping too, since qa38b-input
            "supply.2026: must be at least 0, got {h100e: -1_000}",
        ),
    ],
    ids=["grouped", "decimal", "mapping"],
)
def test_a_number_out_of_bounds_is_quoted_as_written(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """ "must be at least 0, got -600000" dropped the `_` grouping the file wrote
    (`-600_000`); the number is now quoted as the file's line writes it."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / name)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert f"{name}:{line}: {says}\n" in done.stderr, done.stderr
