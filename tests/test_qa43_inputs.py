"""Session 43 (qa43-inputs): data files written from scratch, as another agency's analyst
writes them from DESIGN.md's data-file section: a pasted line separator, an author typed
with a line break, a round whose number contradicts its file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner

POLICY = """\
id: plain
title: Plain regime
security_levels:
  - {id: basic, title: Basic conditions, mitigation: 0.0}
  - {id: screened, title: Screened customers, mitigation: 0.5}
caps:
  tier1: {}
  tier2: {basic: 50000, screened: 150000}
  tier3: 0
export_value_per_h100e: 8000
risk_penalty_per_h100e: 120000
acceptance_margin: 0
"""

PARTNER = """\
code: FR
name: France
tier: 1
diversion_risk: 0.05
ask: {2026: 100000}
value_per_h100e: 25000
batna: 1bn
security_costs: {basic: 0, screened: 100m}
"""

PORTFOLIO = """\
id: plainpf
title: Plain portfolio
policy: ../policy/plain.yaml
periods: [2026]
supply: {2026: 150000}
partners: [../partners/fr.yaml]
"""

FIRST = """\
round: 1
side: us
date: 2026-02-02
package: {partner: FR, security: screened, compute: {2026: 80000}}
status: open
"""


def _deals(where: Path, partner: str = PARTNER) -> Path:
    """The three files under `where`/deals, written as bytes (no newline translation);
    the portfolio's path."""
    for name, text in (
        ("policy/plain.yaml", POLICY),
        ("partners/fr.yaml", partner),
        ("portfolios/plain.yaml", PORTFOLIO),
    ):
        path = where / "deals" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return where / "deals" / "portfolios" / "plain.yaml"


@pytest.mark.parametrize(
    ("char", "what"),
    [("\u2028", "line separator"), ("\u2029", "paragraph separator"), ("\x85", "NEL")],
)
def test_a_pasted_line_separator_in_a_comment_neither_breaks_the_file_nor_moves_its_lines(
    run: Runner, tmp_path: Path, char: str, what: str
) -> None:
    """libyaml (YAML 1.1) read U+2028, U+2029 and NEL as line breaks: one pasted into a
    comment made a valid file "invalid YAML: could not find expected ':'" at a line that
    was not the one written, and every later error was reported a line too far down. Read
    as YAML 1.2 (and every editor) reads them, the file is valid and the lines are true."""
    commented = PARTNER.replace("name: France", f"name: France  # from the brief{char}p. 4")
    pf = _deals(tmp_path, commented)
    said = run("validate", pf)
    assert said.exit_code == 0 and not said.traceback, (what, said.output)
    assert run("solve", pf, "--json").exit_code == 0

    wrong = commented.replace("batna: 1bn", "batna: lots")
    assert wrong.split("\n")[6] == "batna: lots"  # line 7, as an editor counts
    _deals(tmp_path, wrong)
    said = run("validate", pf)
    assert said.exit_code == 2 and not said.traceback, said.output
    assert "fr.yaml:7: batna: expected an amount of USD" in said.stderr, (what, said.stderr)
    assert "invalid YAML" not in said.stderr


def test_a_line_separator_inside_a_name_is_refused_at_its_line_saying_what_to_write(
    run: Runner, tmp_path: Path
) -> None:
    """A name is one line of text: a line separator inside it (`Fra<U+2028>nce`) was
    "invalid YAML" a line below where it stands, unquoted; quoted, it was accepted into
    every heading. Now it is refused at its own line, named, with what to write."""
    for written in ("name: Fra\u2028nce", 'name: "Fra\u2028nce"'):
        pf = _deals(tmp_path, PARTNER.replace("name: France", written))
        said = run("validate", pf)
        assert said.exit_code == 2 and not said.traceback, said.output
        assert "fr.yaml:2: name: contains the line separator U+2028" in said.stderr, said.stderr
        assert "replace it with a space" in said.stderr


def test_a_note_keeps_a_line_separator_as_recorded(run: Runner, tmp_path: Path) -> None:
    """A note holds line breaks: one written with a line separator (as `offer --note`
    records it, `\\L` in the file) is read back as it was recorded."""
    pf = _deals(tmp_path)
    folder = tmp_path / "deals" / "rounds" / "plainpf" / "FR"
    folder.mkdir(parents=True)
    (folder / "001-us.yaml").write_text(FIRST + 'note: "first\\Lsecond"\n', "utf-8")
    said = run("history", pf, "--partner", "FR")
    assert said.exit_code == 0 and not said.traceback, said.output
    assert "first\u2028second" in said.stdout


@pytest.mark.parametrize(
    ("author", "said"),
    [
        ("US\nteam", "character 3 is the control character line break (U+000A)"),
        ("US\tteam", "character 3 is the control character tab (U+0009)"),
        ("US\u2028team", "character 3 is a line separator (U+2028)"),
    ],
)
def test_offer_refuses_an_author_of_more_than_one_line_before_writing(
    run: Runner, tmp_path: Path, author: str, said: str
) -> None:
    """`offer --author $'US\\nteam'` passed the round-text check (which keeps a note's line
    breaks) and then failed RoundFile's one-line author: a pydantic traceback. It is
    refused as --author, exit 2, with what to write, and no round is recorded."""
    pf = _deals(tmp_path)
    got = run(
        "offer", pf, "--partner", "FR", "--no-documents", "--date", "2026-01-05",
        "--author", author,
    )  # fmt: skip
    assert got.exit_code == 2 and not got.traceback, got.output
    assert f"error: --author: {said}" in got.stderr
    assert "a round's author is one line of text: replace it with a space" in got.stderr
    assert not list((tmp_path / "deals").glob("rounds/plainpf/FR/*.yaml"))
    ok = run(
        "offer", pf, "--partner", "FR", "--no-documents", "--date", "2026-01-05",
        "--author", "Délégation des États-Unis", "--note", "line one\nline\ttwo",
    )  # fmt: skip
    assert ok.exit_code == 0 and not ok.traceback, ok.output


def test_a_round_number_against_its_file_name_is_the_one_error_everywhere(
    run: Runner, tmp_path: Path
) -> None:
    """`round: 2` written in 001-us.yaml: `room` said it, but first that round 2 lacks a
    `basis` (a round 1 needs none), and `validate` said only the missing basis. Both now
    say the one mistake, at its line, with what to write."""
    pf = _deals(tmp_path)
    folder = tmp_path / "deals" / "rounds" / "plainpf" / "FR"
    folder.mkdir(parents=True)
    (folder / "001-us.yaml").write_text(FIRST.replace("round: 1", "round: 2"), "utf-8")
    for args in (("room", pf), ("validate", folder / "001-us.yaml")):
        said = run(*args)
        assert said.exit_code == 2 and not said.traceback, said.output
        assert "001-us.yaml:1: round: is 2, but the file name says round 1: write `round: 1`" in (
            said.stderr
        ), args
        assert "basis" not in said.stderr, (args, said.stderr)
    (folder / "001-us.yaml").write_text(FIRST.replace("side: us", "side: partner"), "utf-8")
    said = run("validate", folder / "001-us.yaml")
    assert said.exit_code == 2 and not said.traceback, said.output
    assert "001-us.yaml:2: side: is partner, but the file name says us: write `side: us`" in (
        said.stderr
    )
