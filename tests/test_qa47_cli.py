"""Session 47 (qa47-cli): the CLI as a new user meets it, its --help examples as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, Runner, help_examples

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
OFFER = REPO / "deals/packages/ae-offer.yaml"
COUNTER = REPO / "deals/packages/ae-counter.yaml"


def test_redline_without_out_prints_the_redline(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redline OLD NEW --portfolio P`, no --out, said only "Missing option '--out'" (exit
    2), where `diff`, `history` and `solve` show on stdout what --out would write. It now
    prints the redline, Markdown unless --format says html or json, and writes nothing."""
    monkeypatch.chdir(tmp_path)
    done = run("redline", OFFER, COUNTER, "--portfolio", GULF, "--date", "2026-03-01")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("**Sensitive: for discussion between the Participants only**")
    assert "# Redline: term sheet for the United Arab Emirates\n" in done.stdout
    assert "| 2026 | ~~500,000~~ **600,000** |" in done.stdout
    assert "| Date | 1 March 2026 |" in done.stdout
    assert list(tmp_path.iterdir()) == []
    shown = run(
        "redline", OFFER, COUNTER, "--portfolio", GULF, "-f", "json", "--date", "2026-03-01"
    )
    assert shown.exit_code == 0, shown.output
    written = tmp_path / "out/x.json"
    done = run(
        "redline", OFFER, COUNTER, "--portfolio", GULF, "--date", "2026-03-01", "--out", written
    )
    assert done.exit_code == 0, done.output
    assert shown.stdout == written.read_text("utf-8")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("-f", "pdf"), "error: --format: a pdf redline is a file: give --out (out/redline.pdf, "
         "or a folder); without --out the redline is printed: md, html or json"),
        (("-f", "md,html"), "error: --format: md,html is 2 files: give --out, a folder; without "
         "--out the redline is printed: md, html or json"),
        (("--force",), "error: --force: needs --out: it applies to the files written there, "
         "and none are"),
    ],
)  # fmt: skip
def test_redline_without_out_says_what_only_a_file_can_hold(
    run: Runner, options: tuple[str, ...], said: str
) -> None:
    done = run("redline", OFFER, COUNTER, "--portfolio", GULF, *options)
    assert done.exit_code == 2, done.output
    assert done.stderr == said + "\n" and done.stdout == ""


def test_piped_tables_have_no_trailing_spaces(run: Runner, tiny: Path) -> None:
    """Rich pads a table's every line to the table's width: piped, `room`'s title, its
    second lines and the rows of its last column, and `solve`'s table, ended in spaces
    (`room ... | cat -A | grep ' \\$'`). The one console the commands print through
    (`output.console`) writes its lines without them."""
    for args in (("room", GULF), ("solve", tiny)):
        done = run(*args)
        assert done.exit_code == 0, done.output
        lines = done.stdout.splitlines()
        assert len(lines) > 5
        assert [line for line in lines if line.endswith(" ")] == [], args


def test_sweeps_optional_scenarios_is_bracketed_once_in_the_usage(run: Runner) -> None:
    """Typer brackets an optional argument itself: the metavar `[SCENARIOS]` showed as
    `[[SCENARIOS]]` in the usage line."""
    done = run("sweep", "--help")
    usage = done.stdout.splitlines()[0]
    assert usage.endswith(" [SCENARIOS]") and "[[" not in done.stdout


def test_a_raise_of_both_shared_limits_is_one_list() -> None:
    """The reason PH has no deal said "raising supply by 9,000 H100e in 2027 and 10,000
    H100e in 2028 and raising the risk budget by 3,397 risk-weighted H100e": two
    "raising"s, and the supply's "and" read as a third item. The one amount comes first, the
    supply's amounts by period end the list (test_qa29_staff asserts it in the memo)."""
    from dealbench.optimize.explain.shared_limits import _raise_words
    from dealbench.optimize.reasons import Relaxation

    relax = [
        Relaxation("supply", "9,000 H100e in 2027", period="2027", amount=9_000),
        Relaxation("supply", "10,000 H100e in 2028", period="2028", amount=10_000),
        Relaxation("risk-budget", "3,397 risk-weighted H100e", amount=3_397),
    ]
    assert _raise_words(relax, ["2026", "2027", "2028"]) == (
        "raising the risk budget by 3,397 risk-weighted H100e and supply by 9,000 H100e in "
        "2027 and 10,000 H100e in 2028"
    )


def test_redlines_help_examples_run_as_written(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example of `redline --help`, in a copy of the shipped data, the first printing."""
    import shlex
    import shutil

    shutil.copytree(REPO / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path)
    examples = help_examples("redline")
    assert len(examples) == 3
    for example in examples:
        done = run(*shlex.split(example)[1:])
        assert done.exit_code == 0, (example, done.output)
    assert "# Redline: term sheet" in run(*shlex.split(examples[0])[1:]).stdout
