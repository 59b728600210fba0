"""A brand-new user's first hour, session 42 (qa42-newuser): the README's tour, every
`--help` example, and a tour of bad input. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner, edit_first_line


@pytest.mark.parametrize(
    ("old", "new", "quote"),
    [
        # A later comment's quote closes it: libyaml said "did not find expected key"
        # at line 11, "the keys of one mapping start in the same column".
        (r"^name: United Arab Emirates", 'name: "United Arab Emirates', '"'),
        (r"^name: United Arab Emirates", "name: 'United Arab Emirates", "'"),
        (r"^  2027: 1_250_000", '  2027: "1_250_000', '"'),
    ],
)
def test_a_missing_closing_quote_is_said_at_the_line_it_opens(
    run: Runner, deals: Path, old: str, new: str, quote: str
) -> None:
    line = edit_first_line(deals, "partners/ae.yaml", old, new)
    done = run("validate", deals / "partners/ae.yaml")
    assert done.exit_code == 2, done.output
    assert done.traceback == ""
    assert f"ae.yaml:{line}: invalid YAML: the value in quotes that starts here runs on" in (
        done.stderr
    )
    assert f"add its closing {quote} on this line" in done.stderr
    assert "keys of one mapping" not in done.stderr


def test_a_quote_never_closed_is_said_at_the_line_it_opens(run: Runner, deals: Path) -> None:
    """No later quote: libyaml said "found unexpected end of stream" at the file's last line,
    the opening line only in brackets."""
    line = edit_first_line(
        deals, "partners/ae.yaml", r"^        title: USD 200bn", '        title: "USD 200bn'
    )
    done = run("validate", deals / "partners/ae.yaml")
    assert done.exit_code == 2, done.output
    assert (
        f"ae.yaml:{line}: invalid YAML: the value in quotes that starts here is never closed; "
        'add its closing "'
    ) in done.stderr


def test_a_quoted_value_over_two_lines_that_closes_is_still_read(run: Runner, deals: Path) -> None:
    """Only a missing quote is said so: a value in quotes written over two lines is valid."""
    edit_first_line(
        deals, "partners/ae.yaml", r"^name: United Arab Emirates", 'name: "United\n  Arab Emirates"'
    )
    done = run("validate", deals / "partners/ae.yaml")
    assert done.exit_code == 0, done.output
