"""Bad input as a careless user writes it, second pass (qa31-input2): what qa31-input left
(an empty partner code, a distribution's figure in --set, a FIFO as --rounds, the size
limit's words) and command-line options given out of range, of the wrong type, empty or
in conflict. Each test failed before its fix."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
UNCERTAIN = "portfolios/gulf-asia-uncertain.yaml"
PACKAGE = "packages/ae-offer.yaml"
ROUND = "rounds/gulf-asia/AE/004-partner.yaml"
AMOUNT = "an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"


# --- a partner's code left empty ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "said"),
    [
        ("partners/ae.yaml", r"^code: AE", "code:", "code", "the value is empty; expected a "
         "country code of two or three capital letters, such as AE"),
        ("partners/ae.yaml", r"^code: AE", "code: [AE]", "code", "expected a country code of "
         "two or three capital letters, such as AE, got a list"),
        (PACKAGE, r"^partner: AE", "partner:", "partner", "the value is empty; expected a "
         "partner's code, such as AE"),
        (ROUND, r"^  partner: AE", "  partner:", "package.partner", "the value is empty; "
         "expected a partner's code, such as AE"),
    ],
)  # fmt: skip
def test_a_partner_code_left_empty_says_it_takes_a_code(
    run: Runner, tmp_path: Path, name: str, old: str, new: str, field: str, said: str
) -> None:
    """`code:` with nothing after it in ae.yaml said "the value is empty; expected text",
    where `code: ae` says it takes a country code; `partner:` in a package or round the
    same. What a text field holding a partner's code takes is now said by its name."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, old, new)
    target = deals / (PORTFOLIO if name.startswith("partners/") else name)
    extra = ("--portfolio", deals / PORTFOLIO) if name == PACKAGE else ()
    done = run("validate", target, *extra)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / name}:{line}: {field}: {said}\n", done.stderr


# --- a distribution's figure set whole by --set ------------------------------------------


@pytest.mark.parametrize(
    ("low", "said"),
    [("x", f"expected {AMOUNT}, got 'x'"), ("", f"the value is empty; expected {AMOUNT}")],
)
def test_a_figure_of_a_distribution_set_by_an_override_is_named_at_its_key(
    run: Runner, tmp_path: Path, low: str, said: str
) -> None:
    """`--set 'partners.AE.batna={dist: uniform, low: x, high: 10bn}'` said
    "partners.AE.batna: ...", the field, where the same fault in ae.yaml is said at
    `batna.low`. The override's path now goes on into the value set, to its key; and a
    scenario's `set:` the same."""
    value = f"{{dist: uniform, low: {low}, high: 10bn}}"
    done = run("solve", REPO / "deals" / UNCERTAIN, "--set", f"partners.AE.batna={value}")
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: --set: partners.AE.batna.low: {said}\n", done.stderr
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        f"scenarios:\n  - id: low\n    title: Low\n    set:\n      partners.AE.batna: {value}\n"
    )
    done = run("sweep", REPO / "deals" / UNCERTAIN, scenarios)
    assert done.exit_code == 2, done.output
    assert "partners.AE.batna.low: " + said in done.stderr, done.stderr
    assert not done.traceback


# --- --rounds that is not a folder -------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/null")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("make", [_fifo, _device], ids=["fifo", "device"])
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("history", "--partner", "AE"), "the portfolio's rounds folder"),
        (("room",), "the portfolio's rounds folder"),
        (("solve",), "the portfolio's rounds folder for --rounds, e.g. deals/rounds/<id>"),
    ],
)
def test_rounds_given_a_fifo_or_device_is_said_to_be_no_folder(
    run: Runner, tmp_path: Path, make: object, command: tuple[str, ...], expected: str
) -> None:
    """`--rounds` naming a FIFO or a device said "is a file; expected the portfolio's
    rounds folder": it is not. Now as `read_regular_file` says it of a data file: not a
    regular file or folder (a device, FIFO or socket), exit 2."""
    target = tmp_path / "rounds"
    make(target)  # type: ignore[operator]
    done = run(command[0], REPO / "deals" / PORTFOLIO, *command[1:], "--rounds", target)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {target}: not a regular file or folder (a device, FIFO or socket); "
        f"expected {expected}\n"
    ), done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_a_partners_rounds_folder_is_said_to_be_no_folder(
    run: Runner, tmp_path: Path
) -> None:
    """The same of rounds/AE, the partner's folder inside the rounds folder."""
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    os.mkfifo(rounds / "AE")
    done = run("history", REPO / "deals" / PORTFOLIO, "--partner", "AE", "--rounds", rounds)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {rounds / 'AE'}: not a regular file or folder (a device, FIFO or socket); "
        "expected the folder of AE's rounds\n"
    ), done.stderr


# --- the size limit names the file's kind -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "size", "said"),
    [
        ("term_sheet.md.j2", "md", 3 << 20, "a template is limited to 2,097,152 bytes"),
        ("reference.docx", "docx", 65 << 20, "a Word document (.docx) is limited to "
         "67,108,864 bytes"),
    ],
)  # fmt: skip
def test_the_size_limit_names_what_the_file_is(
    run: Runner, tmp_path: Path, name: str, fmt: str, size: int, said: str
) -> None:
    """A house template or reference.docx over its limit said "data files are limited to
    ..."; it is no data file. The limit is now said of what the file is."""
    house = tmp_path / "house"
    shutil.copytree(REPO / "deals" / "house", house)
    target = house / name
    with target.open("wb") as handle:  # sparse: no disk is filled
        handle.truncate(size)
    out = tmp_path / "out"
    deals = REPO / "deals"
    done = run(
        "render", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--templates", house,
        "--format", fmt, "--out", out,
    )  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {target}: the file is {size:,} bytes; {said}\n", done.stderr
    assert not out.exists()


# --- command-line options given careless values -----------------------------------------


def test_an_out_that_is_a_fifo_is_said_to_be_no_folder(run: Runner, tmp_path: Path) -> None:
    """`--out` naming a FIFO said "is a file, not a folder to write into"; it is not a
    file. Said now as --rounds and the data files' reader say it, nothing written."""
    out = tmp_path / "out"
    os.mkfifo(out)
    done = run("solve", REPO / "deals" / PORTFOLIO, "--out", out)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: --out: {out}: not a regular file or folder (a device, FIFO or socket); "
        "expected a folder to write into\n"
    ), done.stderr
    assert sorted(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize(
    ("args", "option", "said"),
    [
        (("risk", PACKAGE, "--portfolio", UNCERTAIN, "--samples", "abc"), "--samples",
         "expected a whole number, got 'abc'"),
        (("risk", PACKAGE, "--portfolio", UNCERTAIN, "--seed", "1.5"), "--seed",
         "expected a whole number, got '1.5'"),
        (("solve", PORTFOLIO, "--time-limit", "soon"), "--time-limit",
         "expected a number, got 'soon'"),
        (("sweep", PORTFOLIO, "--steps", "many"), "--steps",
         "expected a whole number, got 'many'"),
        (("serve", ".", "--port", "99999"), "--port", "must be at most 65535, got '99999'"),
    ],
)  # fmt: skip
def test_an_option_of_the_wrong_type_is_said_in_the_files_words(
    run: Runner, args: tuple[str, ...], option: str, said: str
) -> None:
    """`--samples abc` said "Input should be a valid integer, unable to parse string as an
    integer", `--port 99999` "Input should be less than or equal to 65535": pydantic's
    words, through which Typer converts options. Now as a file's field of that type is
    said, with the option's name, exit 2. (Typer before it used pydantic said click's
    words, "'abc' is not a valid integer", which need no rewording.)"""
    pytest.importorskip("typer._adapters")
    done = run(*(REPO / "deals" / a if a.endswith(".yaml") else a for a in args))
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {option}: {said}\n", done.stderr
    assert not done.traceback


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("solve", PORTFOLIO, "--mode", ""), "--mode: the value is empty; expected a mode, one "
         "of: us-best, partner-best, nash, kalai"),
        (("frontier", PORTFOLIO, "--partner", ""), "--partner: the value is empty; expected a "
         "partner of portfolio gulf-asia, one of: AE, SA, QA, BH, IN, SG, MY, KZ, AM"),
        (("solve", PORTFOLIO, "--policy", ""), "--policy: the value is empty; expected one of: "
         "tiered, monopoly, repeal, bilateral (or a policy file)"),
        (("render", PACKAGE, "--portfolio", PORTFOLIO, "--format", " ,", "--out", "OUT"),
         "--format: the value is empty; expected one or more of: md, html, docx, pdf, json"),
    ],
)  # fmt: skip
def test_an_option_left_empty_is_said_to_be_empty(
    run: Runner, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    """`--mode ""` said "unknown mode ''", `--partner ""` "partner '' is not in portfolio",
    `--format ""` "unknown format ''": as if something had been named. Now the value is
    empty, and what the option takes, as an empty field of a file is said."""
    out = tmp_path / "out"
    given = [REPO / "deals" / a if a.endswith(".yaml") else out if a == "OUT" else a for a in args]
    done = run(*given)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {said}\n", done.stderr
    assert not out.exists()


def test_a_round_that_does_not_exist_is_named_by_its_option(run: Runner, tmp_path: Path) -> None:
    """`conclude --round 99` said "deals/rounds/gulf-asia/AE: round 99 does not exist",
    naming the folder as if a file were at fault, not the option given; `evaluate --against
    9` the same. Now the option, the folder and the rounds there are; nothing recorded."""
    deals = deals_copy(tmp_path)
    rounds = deals / "rounds" / "gulf-asia"
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    done = run(
        "conclude", deals / PORTFOLIO, "--partner", "AE", "--round", "99", "--rounds", rounds
    )
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: --round: round 99 does not exist; the negotiation in {rounds / 'AE'} has 4 "
        "rounds (1 to 4)\n"
    ), done.stderr
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before
    done = run(
        "evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--against", "9",
        "--rounds", rounds,
    )  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("error: --against: round 9 does not exist;"), done.stderr
