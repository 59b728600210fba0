"""Bad input no one here wrote (qa32-input): a site that is not one line of text, an id
or clause too long, a fraction of a dollar too small for any unit, a round number too large
to read, a recorded strategy edited by hand, a scenario's title, a number quoted with %g's
six digits, and what stands on the way to --out. Each test failed before its fix (a case
marked as a guard passed before too)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
AE = "partners/ae.yaml"
PACKAGE = "packages/ae-offer.yaml"
ROUND = "rounds/gulf-asia/AE/004-partner.yaml"
SCENARIOS = "scenarios/gulf-asia.yaml"
SITE_2026 = r"^  2026: Stargate.*"


# --- a tranche's site is one line of plain text ----------------------------------------


@pytest.mark.parametrize(
    ("site", "said"),
    [
        ('"Stargate UAE\\x1b[31m"', "contains the control character '\\x1b'; a site is one "
         "line of text"),
        ('"Stargate \\x07UAE"', "contains the control character '\\x07'; a site is one line "
         "of text"),
        ('"Stargate **UAE**"', "contains '**', which documents read as markup (bold or "
         "strike-through, as redlines mark changes); write the text without it"),
        ("S" * 201, "is 201 characters long; at most 200 characters are allowed (a site fills "
         "a cell of the term sheet's Annex A)"),
    ],
    ids=["escape", "bell", "markup", "long"],
)  # fmt: skip
def test_a_site_that_is_not_one_line_of_text_is_refused_at_its_line(
    run: Runner, tmp_path: Path, site: str, said: str
) -> None:
    """`sites: {2026: "Stargate UAE\\x1b[31m"}` (a colour code pasted from a terminal) was
    taken as it was: the Markdown and HTML term sheets carried the escape byte, and the DOCX
    one failed with python-docx's traceback ("All strings must be XML compatible"), exit 1.
    A site is a cell of Annex A: one line of plain text, as a name or title is."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, PACKAGE, SITE_2026, f"  2026: {site}")
    out = tmp_path / "out"
    done = run("render", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--out", out,
               "--format", "docx")  # fmt: skip
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr == f"error: {deals / PACKAGE}:{line}: sites.2026: {said}\n", done.stderr
    assert not out.exists()


def test_a_site_left_empty_or_plain_is_taken(run: Runner, tmp_path: Path) -> None:
    """An empty site names none (as before); the shipped site is taken as it was."""
    deals = deals_copy(tmp_path)
    done = run("evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 0, done.output
    edit_first_line(deals, PACKAGE, SITE_2026, '  2026: ""')
    done = run("evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 0, done.output


# --- too long, said in characters -------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        (r"^  - id: invest-us", "  - id: " + "a" * 5000, "concessions[0].id",
         "is 5,000 characters long; at most 64 characters are allowed"),
        (r"^    clause: >-\n      \{\{ partner \| in_text\(start=True\) \}\} will invest.*\n.*",
         "    clause: " + "x" * 20_001, "concessions[0].clause",
         "is 20,001 characters long; at most 20,000 characters are allowed"),
    ],
    ids=["id", "clause"],
)  # fmt: skip
def test_an_id_or_clause_too_long_is_said_in_characters(
    run: Runner, tmp_path: Path, old: str, new: str, field: str, said: str
) -> None:
    """A concession id of 5,000 letters said pydantic's "value should have at most 64 items
    after validation, not 5000": items, of a string. Now its length in characters."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, AE, old, new)
    done = run("validate", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / AE}:{line}: {field}: {said}\n", done.stderr


# --- a fraction of a dollar -------------------------------------------------------------


@pytest.mark.parametrize(
    ("batna", "hint"),
    [
        ("0.5", "write its unit: 0.5bn, 0.5m or 0.5k (or 0)"),
        ("0.00001", "write its unit: 0.00001bn or 0.00001m (or 0)"),
        ("1e-320", "write 0, or the amount with its unit, such as 350m"),
    ],
)
def test_a_fraction_of_a_dollar_is_answered_with_units_that_read_back(
    run: Runner, tmp_path: Path, batna: str, hint: str
) -> None:
    """`batna: 1e-320` said "write its unit: 9.99989e-321bn, 9.99989e-321m or
    9.99989e-321k": not the number written (a subnormal printed with %g), in a form the
    amount parser refuses (an exponent before a unit), and no unit makes it a dollar.
    `batna: 0.00001` said "1e-05bn", refused when written. The hint now writes the number in
    plain digits, with the units that make it a dollar or more, or none."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, AE, r"^batna: .*", f"batna: {batna}")
    done = run("validate", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / AE}:{line}: batna: an amount of USD below one dollar, got "
        f"{batna}; {hint}\n"  # as written (qa38b-input: "got 1e-05" before)
    ), done.stderr
    if hint.startswith("write its unit: "):  # the first amount suggested reads back
        suggested = hint.removeprefix("write its unit: ").split(" ")[0].rstrip(",")
        edit_first_line(deals, AE, r"^batna: .*", f"batna: {suggested}")
        assert run("validate", deals / PORTFOLIO).exit_code == 0


# --- a round number too large ------------------------------------------------------------


@pytest.mark.parametrize("name", [PACKAGE, ROUND])
def test_a_round_number_too_large_to_read_is_said_in_the_files_words(
    run: Runner, tmp_path: Path, name: str
) -> None:
    """`round: 1e308` said pydantic's "unable to parse input string as an integer, exceeded
    maximum size"; now "expected a whole number, got 1e+308 (now as written, 1e308), too large to count with"."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, r"^round: \d+.*", "round: 1e308")
    args = ("--portfolio", deals / PORTFOLIO) if name == PACKAGE else ()
    done = run("validate", deals / name, *args)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / name}:{line}: round: expected a whole number, got 1e308, too "
        "large to count with\n"
    ), done.stderr


# --- a recorded strategy edited by hand ---------------------------------------------------

OFFER_3 = "rounds/gulf-asia/AE/003-us.yaml"


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        (r"^    beta: 1\.0", "    beta: .nan", "strategy.params.beta",
         "expected a positive number (boulware 0.2, linear 1, conceder 5), got .nan"),
        (r"^    deadline: 6", "    deadline: 0", "strategy.params.deadline",
         "expected a whole number of US offers, at least 1, got 0"),
        (r"^    deadline: 6", "    deadline: .inf", "strategy.params.deadline",
         "expected a whole number of US offers, at least 1, got .inf"),
        (r"^  target_us_utility: .*", "  target_us_utility: 1e308",
         "strategy.target_us_utility", "a number must be at most 1e+15 in magnitude, got 1e308"),  # as written
    ],
    ids=["beta-nan", "deadline-0", "deadline-inf", "target-1e308"],
)  # fmt: skip
@pytest.mark.parametrize("command", ["history", "room"])
def test_a_recorded_strategy_edited_by_hand_is_named_at_its_line(
    run: Runner, tmp_path: Path, command: str, old: str, new: str, field: str, said: str
) -> None:
    """A round's recorded strategy is read back by the next offer. Edited by hand, `beta:
    .nan` or `deadline: 0` made `room` say "--beta: the concession exponent must be a
    positive number" (an option no one gave), `deadline: .inf` would meet int(inf), and
    `target_us_utility: 1e308` made `history` end in decimal.InvalidOperation, exit 1. Each
    is now named at its line of the round's file, exit 2."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, OFFER_3, old, new)
    args = ("--partner", "AE") if command == "history" else ()
    done = run(command, deals / PORTFOLIO, *args)
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr == f"error: {deals / OFFER_3}:{line}: {field}: {said}\n", done.stderr


# --- a scenario's title is a title ------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ('"Risk \\x1b[31m twice"', "contains the control character '\\x1b'; a name or title "
         "is one line of text"),
        ("T" * 300, "is 300 characters long; at most 200 characters are allowed (a name or "
         "title heads documents and fills table cells)"),
    ],
    ids=["escape", "long"],
)  # fmt: skip
def test_a_scenarios_title_is_held_to_what_every_title_is(
    run: Runner, tmp_path: Path, title: str, said: str
) -> None:
    """A scenario's title was any text: an escape byte or 300 characters passed `validate`
    and `sweep` into sweep.json and the web's sweep page, where every other title (the
    portfolio's, a partner's name, a package's) is one line of at most 200 characters."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, SCENARIOS, r"^    title: Drop the risk.*", f"    title: {title}")
    done = run("validate", deals / SCENARIOS, "--portfolio", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == (f"error: {deals / SCENARIOS}:{line}: scenarios[0].title: {said}\n"), (
        done.stderr
    )


# --- a number quoted with all its digits ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "said"),
    [
        (PORTFOLIO, r"^# risk_budget.*", "granularity: 123456.5", "granularity",
         "a granularity in H100e is a whole number of 0 or more (0 for continuous amounts), "
         "got 123,456.5"),
        (PORTFOLIO, r"^# risk_budget.*", "granularity: 1e-320", "granularity",
         "a granularity in H100e is a whole number of 0 or more (0 for continuous amounts), "
         "got 1e-320"),
        (PORTFOLIO, r"^# risk_budget.*", "granularity: {chips: 1234567.5, model: B200}",
         "granularity", "a granularity in chips is a whole number of 1 or more, got "
         "1,234,567.5"),
        (PACKAGE, r"^  2027: 600_000.*", "  2027: {chips: 1234567.5, model: B200}",
         "compute.2027", "a number of chips is whole, got 1,234,567.5 B200 chips"),
    ],
    ids=["granularity", "granularity-subnormal", "granularity-chips", "package-chips"],
)  # fmt: skip
def test_a_number_that_is_not_whole_is_quoted_with_all_its_digits(
    run: Runner, tmp_path: Path, name: str, old: str, new: str, field: str, said: str
) -> None:
    """`granularity: 123456.5` said "a granularity in H100e is a whole number ..., got
    123456": %g's six digits made the number quoted whole; 1,234,567.5 chips read
    "1.23457e+06 B200 chips", and 1e-320 "9.99989e-321". `units.number_said` quotes every
    digit."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, old, new)
    args = ("--portfolio", deals / PORTFOLIO) if name == PACKAGE else ()
    done = run("validate", deals / name, *args)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / name}:{line}: {field}: {said}\n", done.stderr


# --- what stands on the way to --out ------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize(
    ("make", "what"),
    [
        (os.mkfifo, "is a device, FIFO or socket"),
        (lambda path: os.symlink(path.with_name("nowhere"), path), "is a symbolic link to nothing"),
        (lambda path: path.write_text("x"), "is a file"),
    ],
    ids=["fifo", "dangling-link", "file"],
)
def test_what_stands_on_the_way_to_out_is_said_as_it_is(
    run: Runner, tmp_path: Path, make: Callable[[Path], object], what: str
) -> None:
    """`--out X/out` with X a FIFO said "X is a file, so X/out cannot be a folder"
    (qa31-input2's Left (2)), and a link to nothing was "a file" too."""
    deals = deals_copy(tmp_path)
    parent = tmp_path / "x"
    make(parent)
    done = run("render", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--out",
               parent / "out")  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: --out: {parent} {what}, so {parent / 'out'} cannot be a folder\n"
    ), done.stderr


# --- an id YAML reads as a number or a date -------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1.50", "the number 1.5"),
        ("1e3", "the number 1000.0"),
        ("2026-01-01", "the date 2026-01-01"),
    ],
)
def test_an_id_yaml_reads_as_a_number_or_date_is_answered_with_quotes(
    run: Runner, tmp_path: Path, written: str, read: str
) -> None:
    """A level id written `1.50` said "expected text, got 1.5" (the user wrote text, and not
    1.5); YAML read it as a number, so it cannot be kept as written. Now it says so and how
    to keep it: quoted. (An id written as a whole number, `2030`, is that text, as before.)"""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, AE, r"^      - id: 200bn .*", f"      - id: {written}")
    done = run("validate", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / AE}:{line}: concessions[0].levels[0].id: read by YAML as {read}, not "
        "as the id written; write the id in quotes to keep it as written\n"
    ), done.stderr
    edit_first_line(deals, AE, rf"^      - id: {written}", f"      - id: '{written}'")
    assert run("validate", deals / PORTFOLIO).exit_code == 0


def test_a_quarter_written_in_lower_case_is_named_with_the_label_meant(
    run: Runner, tmp_path: Path
) -> None:
    """`periods: [2026q1, 2026q2]` said only "period '2026q1' does not say its length (write
    ... 2026Q3 for a quarter)": the user wrote a quarter, in lower case. The message now
    ends with the label meant, as an id in the wrong case does."""
    deals = deals_copy(tmp_path)
    portfolio = deals / "portfolios" / "q.yaml"
    portfolio.write_text(
        "id: q\ntitle: Quarters\npolicy: ../policy/bilateral.yaml\nperiods: [2026q1, 2026q2]\n"
        "supply: {2026q1: 1000, 2026q2: 1000}\npartners: [../partners/am.yaml]\n"
    )
    done = run("validate", portfolio)
    assert done.exit_code == 2, done.output
    assert done.stderr.splitlines()[0] == (  # then am.yaml's asks, for 2026 to 2028
        f"error: {portfolio}:4: periods[0]: period '2026q1' does not say its length (write "
        "2026 for a year, 2026H1 for a half-year, 2026Q3 for a quarter), so the policy's caps "
        "per year cannot be converted to it; relabel the periods, or write `caps_per: period` "
        "in the policy; did you mean '2026Q1'?"
    ), done.stderr


# --- a minus sign as typeset ---------------------------------------------------------------


def test_a_typeset_minus_sign_is_a_minus_and_a_dash_is_named(run: Runner, tmp_path: Path) -> None:
    """`us_batna: −8bn` pasted from a document (U+2212, the typeset minus sign) said
    "expected an amount of USD such as ..., got '−8bn'": a figure that reads exactly like
    one it takes. It is a minus, and reads as one; a dash in its place (`–8bn`, an en dash)
    is named as a dash, with the way to write it."""
    deals = deals_copy(tmp_path)
    plain = run("evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--json")
    assert plain.exit_code == 0, plain.output
    line = edit_first_line(deals, AE, r"^us_batna: .*", "us_batna: \u22128bn")
    typeset = run("evaluate", deals / PACKAGE, "--portfolio", deals / PORTFOLIO, "--json")
    assert typeset.exit_code == 0, typeset.output
    assert typeset.stdout == plain.stdout
    edit_first_line(deals, AE, r"^us_batna: .*", "us_batna: \u20138bn")
    done = run("validate", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / AE}:{line}: us_batna: '\u20138bn': '\u2013' (U+2013) is a dash, not a "
        "minus sign; write -8bn\n"
    ), done.stderr


# --- too many digits for a float ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "said"),
    [
        (PORTFOLIO, r"^  2027: 1_200_000.*", "  2027: " + "9" * 5000, "supply.2027",
         "a number must be at most 1e+15 in magnitude, got '" + "9" * 36 + "..."),
        (AE, r"^batna: .*", "batna: '1e400'", "batna",
         "an amount of USD must be at most 1,000tn in magnitude, got '1e400'"),
    ],
    ids=["digits", "exponent"],
)  # fmt: skip
def test_a_number_beyond_a_floats_range_is_said_to_be_too_large(
    run: Runner, tmp_path: Path, name: str, old: str, new: str, field: str, said: str
) -> None:
    """`2027:` followed by 5,000 nines (more digits than YAML reads as an integer) said
    "expected a finite number": it is one, too large for a float; `batna: '1e400'` said
    "expected an amount of USD such as 1.4tn, ...": the bound's words were caught and
    replaced. Both now say the bound."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / name}:{line}: {field}: {said}\n", done.stderr


# --- a range's amounts: negative zero, and the unit printed beside them ----------------------

KR_COUNTER = "packages/kr-counter.yaml"
GLOBAL = "portfolios/global.yaml"
KR = "partners/kr.yaml"


def test_an_amount_of_negative_zero_is_zero(run: Runner, tmp_path: Path) -> None:
    """`invest-us: -0.0` in KR's counter said "expected an id of letters, ..., got '-0'":
    the amount was written back as the text -0, which is no id and no amount. -0.0 is 0
    wherever a number or an amount is read, and is answered as 0 is."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, KR_COUNTER, r"^  invest-us: 75bn.*", "  invest-us: -0.0")
    done = run("evaluate", deals / KR_COUNTER, "--portfolio", deals / GLOBAL)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / KR_COUNTER}:{line}: concessions.invest-us: 0 is the start of the "
        "range of 'invest-us' (0 to 350bn), where nothing is granted; leave 'invest-us' out, "
        "or write invest-us: false\n"
    ), done.stderr


def test_a_ranges_unit_is_one_line_of_plain_text(run: Runner, tmp_path: Path) -> None:
    """A range's `unit` (printed beside each of its amounts in documents) took any text of
    1 to 16 characters, an escape byte among them; it is now held to what a title is."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(
        deals,
        KR,
        r"^    amount: \{unit: USD, .*",
        '    amount: {unit: "t\\x1bn", min: 0, step: 25bn}',
    )
    done = run("validate", deals / GLOBAL)
    assert done.exit_code == 2, done.output
    assert done.stderr.splitlines()[0] == (
        f"error: {deals / KR}:{line}: concessions[0].amount.unit: contains the control "
        "character '\\x1b'; a name or title is one line of text"
    ), done.stderr


# --- a choice written in another case ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        (r"^side: partner", "side: Partner", "side",
         "expected 'us' or 'partner', got 'Partner'; did you mean 'partner'?"),
        (r"^status: open", "status: walked away", "status",
         "expected 'open', 'concluded' or 'walked-away', got 'walked away'; did you mean "
         "'walked-away'?"),
    ],
    ids=["case", "space"],
)  # fmt: skip
def test_a_choice_written_in_another_case_is_named_with_the_choice_meant(
    run: Runner, tmp_path: Path, old: str, new: str, field: str, said: str
) -> None:
    """`side: Partner` or `status: walked away` in a round listed the choices without
    saying only the case (or a space for the hyphen) differed, as an id in the wrong case
    now says (qa31-input)."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, ROUND, old, new)
    done = run("validate", deals / ROUND)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / ROUND}:{line}: {field}: {said}\n", done.stderr
