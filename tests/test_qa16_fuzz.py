"""Every input file fuzzed (qa16-fuzz): what mutating the shipped files found.

The shipped deals/ folder is copied, one file is broken the way a hurried user breaks
it, and the command a user runs reads it. Each test says what the user saw and why it
was wrong; the last one is a small fuzz harness kept as a property test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO, Runner, invoke

PACKAGE = "deals/packages/ae-offer.yaml"
ROUND = "deals/rounds/gulf-asia/AE/001-us.yaml"


@pytest.fixture
def deals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped deals/ folder, the working directory."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(path: Path, line: int, text: str) -> None:
    """Line `line` (1-based) of `path` replaced by `text`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "typed", "what"),
    [
        (7, "round:\u00a01", "the ':' is followed by U+00A0 no-break space"),
        (8, "security:\u3000veu", "the ':' is followed by U+3000 ideographic space"),
        (8, "security\uff1a veu", "U+FF1A fullwidth colon where YAML expects ': '"),
        (10, "\u00a0 2026: 500_000", "U+00A0 no-break space where YAML expects a space"),
        (17, "  us-operated:\u00a0true", "the ':' is followed by U+00A0 no-break space"),
    ],
)
def test_a_look_alike_space_or_colon_is_named_at_its_own_line(
    run: Runner, deals: Path, line: int, typed: str, what: str
) -> None:
    """A no-break space after a key's colon (pasted from a web page or a word processor;
    typed by some keyboards), an ideographic space or a fullwidth colon (an input
    method) look like YAML's own on screen. `validate` named the NEXT line with
    libyaml's words ("could not find expected ':' (while scanning a simple key that
    starts on line 7)", "mapping values are not allowed"), and nothing said which
    character was wrong: the user looked at a sound line. The look-alike is now named,
    at its own line."""
    _edit(deals / PACKAGE, line, typed)
    out = run("validate", PACKAGE)
    assert out.exit_code == 2, out.output
    assert not out.traceback
    assert out.stderr.startswith(f"error: {PACKAGE}:{line}: invalid YAML: {what}"), out.stderr


def test_a_look_alike_space_after_a_quoted_key_is_named(run: Runner, deals: Path) -> None:
    """A round's `'2027':` (dealbench writes period keys quoted) followed by a no-break space."""
    name = "deals/rounds/gulf-asia/AE/002-partner.yaml"
    _edit(deals / name, 13, "    '2027':\u00a0600000")
    out = run("validate", name)
    assert out.stderr.startswith(
        f"error: {name}:13: invalid YAML: the ':' is followed by U+00A0 no-break space"
    ), out.stderr


def test_a_look_alike_dash_before_a_list_item_is_named(run: Runner, deals: Path) -> None:
    """An en dash where a list item's '- ' goes (a word processor's autocorrect)."""
    portfolio = deals / "deals/portfolios/gulf-asia.yaml"
    text = portfolio.read_text(encoding="utf-8")
    portfolio.write_text(text.replace("  - ../partners/sa.yaml", "  \u2013 ../partners/sa.yaml"))
    line = text.split("\n").index("  - ../partners/sa.yaml") + 1
    out = run("validate", "deals/portfolios/gulf-asia.yaml")
    assert out.exit_code == 2, out.output
    assert out.stderr.startswith(
        f"error: deals/portfolios/gulf-asia.yaml:{line}: invalid YAML: U+2013 en dash where "
        "YAML expects '- '"
    ), out.stderr


@pytest.mark.parametrize(
    ("path", "key", "typo", "field"),
    [
        (PACKAGE, "security: veu", "securty: veu", "security"),
        ("deals/rounds/gulf-asia/AE/002-partner.yaml", "side: partner", "sid: partner", "side"),
        ("deals/portfolios/gulf-asia.yaml", "periods: [", "Periods: [", "periods"),
        ("deals/policy/bilateral.yaml", "security_levels:", "security_level:", "security_levels"),
        ("deals/scenarios/gulf-asia.yaml", "scenarios:", "scenario:", "scenarios"),
    ],
)
def test_validate_names_a_misspelt_key_that_tells_the_files_kind(
    run: Runner, deals: Path, path: str, key: str, typo: str, field: str
) -> None:
    """`validate` of a package with `securty: veu` (or a round with `sid:`, a portfolio
    with `Periods:`, ...) said "FILE:1: cannot tell what this file is: expected a policy
    (security_levels), a partner (code), ..." : line 1, no field, six kinds to choose
    from, where `evaluate` of the same file said "securty: unknown field; did you mean
    'security'?" at line 8. The key that tells a file's kind is the one a typo hides;
    `validate` now reads the file as the kind whose fields it matches best."""
    file = deals / path
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(key, typo, 1), encoding="utf-8")
    line = text[: text.index(key)].count("\n") + 1
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    assert "cannot tell what this file is" not in out.stderr, out.stderr
    assert (
        f"error: {path}:{line}: {typo.split(':')[0]}: unknown field; did you mean '{field}'?"
        in (out.stderr)
    ), out.stderr


def test_a_file_like_no_kind_is_still_said_to_be_unclear(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: y\n")
    out = run("validate", path)
    assert out.exit_code == 2
    assert "cannot tell what this file is" in out.stderr


@pytest.mark.parametrize(("path", "line"), [(PACKAGE, 7), (ROUND, 3)])
def test_a_round_number_is_never_a_boolean(run: Runner, deals: Path, path: str, line: int) -> None:
    """`round: true` in a package or in the first round's file was read as round 1
    (pydantic's lax int takes True): `history` listed it as round 1 and `validate` said
    ok. It is refused, at its line, as `tier: true` and `compute: true` already were."""
    _edit(deals / path, line, "round: true")
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    assert out.stderr == (
        f"error: {path}:{line}: round: expected a round number (1, 2, ...), got true\n"
    ), out.stderr


# A small fuzz harness: one shipped file, one line's value replaced by a careless value.
_CARELESS = st.sampled_from(
    [
        "nan",
        ".inf",
        "-1",
        "1e309",
        "99999999999999999999",
        "5 bn",
        "150%",
        "1,5",
        "yes",
        "~",
        "''",
        "[]",
        "{}",
        "true",
        "2026-13-45",
        "1:30",
        "*nope",
        "!!binary aGk=",
        "\u00a0x",
        "x\u00a0: y",
        "\x07",
        "é" * 300,
    ]
)
_FILES = [
    PACKAGE,
    ROUND,
    "deals/partners/ae.yaml",
    "deals/policy/bilateral.yaml",
    "deals/portfolios/gulf-asia.yaml",
    "deals/scenarios/gulf-asia.yaml",
]
_VALUE = re.compile(r"^(\s*(?:- )?[\w'-]+: )(\S[^#]*?)(\s+#.*)?$")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_careless_value_anywhere_is_refused_at_its_file_or_read(
    deals: Path, data: st.DataObject
) -> None:
    """No careless value in any shipped file gives a traceback or an exit code other than
    0 (read) or 2 (refused), and a refusal names the file and a line."""
    name = data.draw(st.sampled_from(_FILES))
    file = deals / name
    original = file.read_text(encoding="utf-8")
    lines = original.split("\n")
    candidates = [i for i, text in enumerate(lines) if _VALUE.match(text)]
    index = data.draw(st.sampled_from(candidates))
    value = data.draw(_CARELESS)
    match = _VALUE.match(lines[index])
    assert match is not None
    lines[index] = match[1] + value
    file.write_text("\n".join(lines), encoding="utf-8")
    try:
        out = invoke(["validate", name])
    finally:
        file.write_text(original, encoding="utf-8")
    assert not out.traceback, out.traceback
    assert out.exit_code in (0, 2), out.output
    if out.exit_code == 2:
        assert re.search(rf"^error: {re.escape(name)}:\d+: ", out.stderr, re.M), out.stderr


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("policy: ../policy/bilateral.yaml", "policy: ''", "policy"),
        ("  - ../partners/sa.yaml", "  - ' '", "partners[1]"),
    ],
)
def test_an_empty_path_in_a_portfolio_is_named_as_such(
    run: Runner, deals: Path, old: str, new: str, field: str
) -> None:
    """`policy: ''` (a value deleted, its quotes left) said "policy: : is a directory,
    expected a YAML file": the empty path read as the portfolio's own folder, and the
    message quoted nothing before its colon. An empty path is now named as one, as
    `--out ""` is (qa13-contract)."""
    name = "deals/portfolios/gulf-asia.yaml"
    file = deals / name
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    out = run("solve", name)
    assert out.exit_code == 2, out.output
    assert out.stderr == (
        f"error: {name}:{line}: {field}: an empty path; name the file by its path from this file\n"
    ), out.stderr


@pytest.mark.parametrize(
    ("line", "key", "shown"),
    [
        (34, "        partner_cost", "concessions[0].levels[1].partner_cost\\u200b"),
        (6, "tier", "tier\\u00a0"),
    ],
)
def test_a_key_with_an_invisible_character_shows_it(
    run: Runner, deals: Path, line: int, key: str, shown: str
) -> None:
    """A zero-width space (or a no-break space before the colon) pasted into a key gave
    "partner_cost​: unknown field; did you mean 'partner_cost'?": the two names read
    the same on screen, so the message seemed to refuse the right field. The key is now
    shown with the character's code, and the message says one cannot see it."""
    name = "deals/partners/ae.yaml"
    path = deals / name
    lines = path.read_text(encoding="utf-8").split("\n")
    invisible = "\u200b" if "u200b" in shown else "\u00a0"
    assert lines[line - 1].startswith(key + ":")
    _edit(path, line, lines[line - 1].replace(key + ":", key + invisible + ":", 1))
    out = run("validate", name)
    assert out.exit_code == 2, out.output
    field = key.strip()
    assert (
        f"error: {name}:{line}: {shown}: unknown field: {field!r} with a character one "
        f"cannot see; retype the key as {field}\n"
    ) in out.stderr, out.stderr


@pytest.mark.parametrize(
    ("written", "says"),
    [
        (".inf", "expected a finite number, got .inf"),  # as written
        (
            "1e309",
            "cannot read '1e309' as a number: too large to hold (beyond about 1.8e308 "
            "in magnitude)",
        ),
        (".nan", "expected a finite number, got .nan"),
        ("1e308", "an amount of USD must be at most 1,000tn in magnitude, got 1e308"),
    ],
)
def test_a_concession_amount_out_of_range_is_refused_as_an_amount(
    run: Runner, deals: Path, written: str, says: str
) -> None:
    """`invest-us: .inf` in a package said "input should be a valid string, got inf", and
    `invest-us: 1e308` "value should have at most 64 items after validation, not 298, got
    '99999999999999998134...'": pydantic's words about a level id, where the value was an
    amount out of range (left by qa15-web for the loader). A number is read as an amount,
    with the bounds and words of every other amount of USD."""
    _edit(deals / PACKAGE, 16, f"  invest-us: {written}")
    out = run("validate", PACKAGE)
    assert out.exit_code == 2, out.output
    assert out.stderr == f"error: {PACKAGE}:16: concessions.invest-us: {says}\n", out.stderr


@pytest.mark.parametrize("key", ["2026.0", "2026.5", "2026-01-01", "~"])
def test_a_period_key_that_is_no_period_is_named_at_its_line(
    run: Runner, deals: Path, key: str
) -> None:
    """`compute: {2026.0: ...}` (or a date, or an empty key) was refused at the line of
    `compute` (9), one above the key, with the field `compute`: pydantic names a dict
    key by its text ('2026.0', 'datetime.date(2026, 1, 1)', 'None'), which did not find
    the key the file holds. The key is now found by its text too, and named at line 10."""
    _edit(deals / PACKAGE, 10, f"  {key}: 500_000")
    out = run("validate", PACKAGE)
    assert out.exit_code == 2, out.output
    shown = {"~": "None"}.get(key, key)
    empty = "the value is empty; " if key == "~" else ""  # an empty key: said so (qa31-input)
    assert out.stderr.startswith(
        f"error: {PACKAGE}:10: compute.{shown}: {empty}expected a period label such as 2026 "
        "or 2026Q3"
    ), out.stderr


def test_a_date_where_a_number_goes_is_quoted_as_written(run: Runner, deals: Path) -> None:
    """`2026: 2026-01-01` said "expected a number, got datetime.date(2026, 1, 1)": Python's
    words for the value YAML read. A date is quoted as the user wrote it."""
    _edit(deals / PACKAGE, 10, "  2026: 2026-01-01")
    out = run("validate", PACKAGE)
    assert out.stderr == (
        f"error: {PACKAGE}:10: compute.2026: expected a number, got the date 2026-01-01\n"
    ), out.stderr


@pytest.mark.parametrize(
    ("path", "line", "text"),
    [
        ("deals/partners/ae.yaml", 5, "name: ''"),
        ("deals/partners/ae.yaml", 5, "name: '   '"),
        ("deals/portfolios/gulf-asia.yaml", 6, "title: ''"),
    ],
)
def test_an_empty_name_or_title_is_refused(
    run: Runner, deals: Path, path: str, line: int, text: str
) -> None:
    """`name: ''` in a partner file passed `validate`, and `render` wrote a term sheet
    headed "Memorandum of understanding: compute partnership with " (no one), its
    Participants' table with an empty cell. A name or title is refused when empty or
    blank, as when too long or holding a control character."""
    _edit(deals / path, line, text)
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    field = text.split(":")[0]
    assert out.stderr == (
        f"error: {path}:{line}: {field}: is empty; a name or title heads documents and fills "
        "table cells, so write it\n"
    ), out.stderr


def test_a_partner_files_fault_is_said_once_at_its_plain_path(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate deals` said a broken ae.yaml three times, once for itself and once for
    each portfolio that lists it, and outside the working directory named it the second
    time as `deals/portfolios/../partners/ae.yaml` (qa16-fuzz, left; session 20)."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    partner = deals / "partners" / "ae.yaml"
    partner.write_text(re.sub(r"(?m)^batna: .*$", "batna: lots", partner.read_text()))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("validate", deals)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {partner}:16: batna: expected an amount of USD such as 1.4tn, 200bn, 350m, "
        "75k or 1000, got 'lots'"
    ], errors
