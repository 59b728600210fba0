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

from helpers import REPO, Runner, deals_copy, edit_first_line, validate_refuses

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
            "batna: expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, "
            "got a set (!!set {b, a})",
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
    at, stderr = validate_refuses(run, deals, name, old, new)
    assert f"{at}{says}" in stderr, stderr


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


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            PACKAGE,
            r"^  2026: 500_000.*$",
            "  2026: 250 MW",
            "compute.2026: expected a number, got '250 MW'; 'MW' is not a unit compute is "
            "written in: write H100e as a plain number (such as 500_000), TPP as {tpp: N}, or "
            "chips as {chips: N, model: NAME} (H100, H200, B200, GB200, GB300)",
        ),
        (
            PACKAGE,
            r"^  2026: 500_000.*$",
            "  2026: 500k GPUs",
            "compute.2026: expected a number, got '500k GPUs'; 'GPUs' is not a unit compute",
        ),
        (
            "partners/ae.yaml",
            r"^diversion_risk: .*$",
            "diversion_risk: 30 percent",
            "diversion_risk: expected a number, got '30 percent'; 'percent' is not a unit a "
            "share is written in: for 30 percent write 0.3 or 30%",
        ),
        (
            "policy/bilateral.yaml",
            r"^    mitigation: 0.5 .*$",
            "    mitigation: 0.5 share",
            "security_levels[1].mitigation: expected a number, got '0.5 share'; 'share' is not a "
            "unit a share is written in: write a number from 0 to 1 (such as 0.3) or a "
            "percentage (such as 30%)",
        ),
        (
            PACKAGE,
            r"^compute: .*$",
            "compute: [500_000, 600_000]\nformer_compute:",
            "compute: expected H100e per period, e.g. {2026: 500_000, 2027: 600_000}, got a list",
        ),
        (
            PACKAGE,
            r"^concessions:(.|\n)*",
            "concessions: [invest-us, no-prc-hardware]\n",
            "concessions: expected the concessions granted, each id with its level or true, "
            "e.g. {invest-us: 1400bn, no-prc-hardware: true}, got a list",
        ),
    ],
    ids=["megawatts", "gpus", "percent-word", "share-word", "compute-list", "concessions-list"],
)
def test_a_unit_no_field_reads_or_a_list_for_a_mapping_says_how_to_write_it(
    run: Runner, deals: Path, name: str, old: str, new: str, says: str
) -> None:
    """`compute: {2026: 250 MW}` said only "expected a number, got '250 MW'", `diversion_risk:
    30 percent` the same, and `concessions: [invest-us, no-prc-hardware]` "expected a mapping
    of keys to values": each now names the unit it does not read, or the mapping it wants,
    with the way to write it; at the file, line and field, exit 2, in `validate` and in the
    commands that read the file."""
    line = edit_first_line(deals, name, old, new)
    commands: list[tuple[str | Path, ...]] = [("validate", deals / name)]
    if name == PACKAGE:
        commands += [
            ("evaluate", deals / name, "--portfolio", deals / PORTFOLIO),
            ("counter", deals / PORTFOLIO, deals / name),
        ]
    else:
        commands.append(("solve", deals / PORTFOLIO))
    for args in commands:
        done = run(*args)
        assert done.traceback == ""
        assert done.exit_code == 2, (args, done.output)
        assert f"{name}:{line}: {says}" in done.stderr, (args, done.stderr)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            r"^security: veu",
            "security: veu\nsecurity: kyc",
            ":9: security: duplicate key: already given on line 8",
        ),
        (
            r"^  2027: 600_000.*$",
            "  '2026': 600_000",
            ":11: compute.2026: duplicate key: already given on line 10",
        ),
        (
            r"^  2026: 500_000",
            "\t2026: 500_000",
            ":10: invalid YAML: found character '\\t' that cannot start any token; indent with "
            "spaces, not tabs",
        ),
    ],
    ids=["duplicate-key", "duplicate-period", "tab-indent"],
)
def test_duplicate_keys_and_tabs_are_named_in_every_command_guard(
    run: Runner, deals: Path, old: str, new: str, says: str
) -> None:
    """A guard (it passed before): a key given twice, the same period written as 2026 and
    '2026', and a tab-indented line are named at their line in every command that reads a
    package, exit 2, nothing written."""
    edit_first_line(deals, PACKAGE, old, new)
    rounds = sorted((deals / "rounds").rglob("*.yaml"))
    before = {p: p.read_bytes() for p in rounds}
    for args in (
        ("validate", deals / PACKAGE),
        ("evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO),
        ("counter", deals / PORTFOLIO, deals / PACKAGE),
    ):
        done = run(*args)
        assert done.traceback == ""
        assert done.exit_code == 2, (args, done.output)
        assert done.stderr.startswith(f"error: {deals / PACKAGE}{says}"), (args, done.stderr)
    assert sorted((deals / "rounds").rglob("*.yaml")) == rounds
    assert {p: p.read_bytes() for p in rounds} == before


@pytest.mark.parametrize(
    ("value", "said"),
    [("true", "true"), ("2026-01-01", "the date 2026-01-01"), ("[0.2]", "a list")],
    ids=["boolean", "date", "list"],
)
def test_a_strategy_parameter_that_is_no_number_is_said_as_written(
    run: Runner, deals: Path, value: str, said: str
) -> None:
    """A round's `strategy.params.beta: true` was read as beta 1 (pydantic's int takes a
    boolean), and `beta: 2026-01-01` said "expected a whole number" (the first type of the
    parameter's union), of a figure that may be 0.2."""
    name = "rounds/gulf-asia/AE/001-us.yaml"
    line = edit_first_line(deals, name, r"^    beta: 0.2$", f"    beta: {value}")
    for args in (("history", deals / PORTFOLIO, "--partner", "AE"), ("validate", deals / name)):
        done = run(*args)
        assert done.traceback == ""
        assert done.exit_code == 2, (args, done.output)
        assert f"{name}:{line}: strategy.params.beta: expected a number, got {said}\n" in (
            done.stderr
        ), (args, done.stderr)
