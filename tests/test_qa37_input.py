"""Bad input said in the user's terms (qa37-input): a value of a YAML tag no field takes
(`!!set`, `!!binary`, `!!omap`) or a date and time, said as the file writes it and the same
on every run, never in Python's repr nor silently taken as a list or as text; a file of
comments only said so; a sealed round moved out of its partner's folder and damaged named
as out of place. Each test failed before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
PACKAGE = "packages/ae-offer.yaml"
OUT_OF_PLACE = (
    "not in a partner's folder: a round file goes in its partner's folder, as "
    "CODE/NNN-us.yaml or CODE/NNN-partner.yaml"
)


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return deals_copy(tmp_path)


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            PACKAGE,
            r"^  2026: 500_000.*$",
            "  2026: !!set {b, a}",
            "compute.2026: expected a number, got a set (!!set {b, a})",
        ),
        (
            PACKAGE,
            r"^security: veu",
            "security: !!binary aGVsbG8=",
            "security: expected text, got binary data (!!binary, 5 bytes)",
        ),
        (
            PACKAGE,
            r"^round: 1 .*$",
            "round: !!set {1, 2}",
            "round: expected a whole number, got a set (!!set {1, 2})",
        ),
        (
            PACKAGE,
            r"^  2026: 500_000.*$",
            "  2026: 2026-01-01 10:00:00",
            "compute.2026: expected a number, got the date and time 2026-01-01 10:00:00",
        ),
        (
            "partners/ae.yaml",
            r"^batna: .*$",
            "batna: !!set {b, a}",
            "batna: expected a number, got a set (!!set {b, a})",
        ),
        (
            "policy/bilateral.yaml",
            r"^risk_budget: .*$",
            "risk_budget: !!omap [a: 1]",
            "risk_budget: expected a number, got an ordered mapping (!!omap)",
        ),
        (
            PORTFOLIO,
            r"^title: .*$",
            "title: !!set {b, a}",
            "title: expected text, got a set (!!set {b, a})",
        ),
        (
            "rounds/gulf-asia/AE/001-us.yaml",
            r"^side: .*$",
            "side: !!set {us}",
            "side: expected 'us' or 'partner', got a set (!!set {us})",
        ),
    ],
    ids=[
        "package-set",
        "binary-as-text",
        "round-set",
        "timestamp",
        "partner",
        "policy",
        "portfolio",
        "round-file",
    ],
)
def test_a_value_of_another_yaml_tag_is_said_as_the_file_writes_it(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`compute: {2026: !!set {b, a}}` said `got {'b', 'a'}` (Python's repr, in an order of
    Python's hashing) and `security: !!binary aGVsbG8=` was read as the text 'hello' ("unknown
    security level 'hello'"), in every kind of data file."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / name)
    assert done.traceback == ""
    assert done.exit_code == 2, done.output
    assert f"{name}:{line}: {says}" in done.stderr, done.stderr


def test_a_set_where_a_list_is_expected_is_refused_the_same_on_every_run(tmp_path: Path) -> None:
    """`periods: !!set {2026Q3, 2026Q1, 2026Q2}` was taken as a list in the order of Python's
    string hashing, so its message changed from run to run ("'2026Q2' is listed after
    '2026Q4'", then "'2026Q1' ..."), and in a lucky order it was read as the periods."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(
        deals, PORTFOLIO, r"^periods: .*$", "periods: !!set {2026Q3, 2026Q1, 2026Q2, 2026Q4}"
    )
    said = set()
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-m", "dealbench", "validate", str(deals / PORTFOLIO)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "src")},
            check=False,
        )
        assert done.returncode == 2, done.stderr
        said.add(done.stderr)
    assert said == {
        f"error: deals/{PORTFOLIO}:{line}: periods: expected a list, got a set "
        "(!!set {2026Q3, 2026Q1, 2026Q2, 2026Q4})\n"
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("# all of it commented out\n\n  # spaced\n", "the file has only comments, no data"),
        ("\ufeff# a byte-order mark, then a comment\n", "the file has only comments, no data"),
        ("---\n# between markers\n...\n", "the file has only comments, no data"),
        ("", "the file is empty, expected a mapping"),
        ("  \n\n", "the file is empty, expected a mapping"),
    ],
    ids=["comments", "bom", "markers", "empty", "blank"],
)
def test_a_file_of_comments_only_is_said_to_have_only_comments(
    run: Runner, deals: Path, text: str, says: str
) -> None:
    """A file whose data is all commented out said "the file is empty", which a user who
    sees lines in it does not believe; the exit code is an empty file's."""
    path = deals / PACKAGE
    path.write_text(text, "utf-8")
    for args in (("validate", path), ("evaluate", path, "--portfolio", deals / PORTFOLIO)):
        done = run(*args)
        assert done.traceback == ""
        assert done.exit_code == 2, done.output
        assert done.stderr.startswith(f"error: {path}:1: {says}"), done.stderr


@pytest.mark.parametrize(
    "name",
    ["005-us.yaml", "round-005.yaml"],
    ids=["named-as-a-round", "sealed-only"],
)
@pytest.mark.parametrize("damage", ["changed", "cut"])
def test_a_damaged_sealed_round_out_of_its_partners_folder_is_named(
    run: Runner, deals: Path, name: str, damage: str
) -> None:
    """A recorded (sealed) round moved one folder up and then changed or cut was passed over
    in silence by `history` and `room` (it could not be read, so it did not look like a
    round); an intact one there was said "not in a partner's folder"."""
    from dealbench.model.seal import seal

    rounds = deals / "rounds" / "gulf-asia"
    sealed = seal((rounds / "AE" / "001-us.yaml").read_text("utf-8"))
    text = sealed.replace("status: open", "status: concluded") if damage == "changed" else sealed
    (rounds / name).write_text(text[:60] if damage == "cut" else text, "utf-8")
    for args in (("history", deals / PORTFOLIO, "--partner", "AE"), ("room", deals / PORTFOLIO)):
        done = run(*args)
        assert done.traceback == ""
        assert done.exit_code == 2, done.output
        assert f"error: {rounds / name}: {OUT_OF_PLACE}\n" in done.stderr, done.stderr


def test_a_package_file_beside_the_partners_folders_is_still_left_alone(
    run: Runner, deals: Path
) -> None:
    """Neither named nor sealed as a round: a package kept in the rounds folder is no round
    out of place (as before), broken or not."""
    rounds = deals / "rounds" / "gulf-asia"
    (rounds / "draft.yaml").write_text("partner: AE\nsecurity: [\n", "utf-8")
    done = run("history", deals / PORTFOLIO, "--partner", "AE")
    assert done.exit_code == 0, done.output
