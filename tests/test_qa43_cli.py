"""The command line as a new user and a scripting user meet it (qa43-cli): options that
did nothing, or were read past, refused before any work, naming the option; a data file
named where a result.json goes said to be one. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
OFFER = REPO / "deals/packages/ae-offer.yaml"


# --- options that would do nothing -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("solve", PORTFOLIO, "--date", "2026-03-01"), "--date"),
        (("solve", PORTFOLIO, "--templates", REPO / "deals/house"), "--templates"),
        (("compare", PORTFOLIO, "--date", "2026-03-01"), "--date"),
    ],
    ids=["solve-date", "solve-templates", "compare-date"],
)
def test_an_option_for_the_files_written_needs_out(
    run: Runner, args: tuple[str | Path, ...], option: str
) -> None:
    """`solve --date 2026-03-01` (or `--templates`) without --out solved, printed the
    table and dated nothing, styled nothing, exit 0: the option was read past in silence,
    as `--render` without --out is not. Refused before the solve, exit 2."""
    done = run(*args)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {option}: needs --out: it applies to the files written there, and none are\n"
    ), done.stderr
    assert done.stdout == ""


def test_room_date_without_a_memo_is_refused_as_such(run: Runner) -> None:
    """`room --date 2026-01-01` without --render said "the memo reports round 4 with SA
    ..., dated 2026-03-19; date it 2026-03-19 or later" of a memo nobody asked for (and a
    later date was taken and did nothing). `room --out` without --render is refused; so is
    --date now, naming --render."""
    done = run("room", PORTFOLIO, "--date", "2026-01-01")
    assert done.exit_code == 2, done.output
    assert done.stderr == "error: --date: dates the memo; only with --render (and --out)\n"
    assert done.stdout == ""


def test_render_refuses_partner_for_a_portfolio_memo(run: Runner, tmp_path: Path) -> None:
    """`render result.json --doc portfolio-memo --partner AE` wrote the whole portfolio
    memo and said nothing of --partner (`--partner ZZ` too, a code in no deal). Refused,
    exit 2, nothing written; --partner with a deal memo still picks the deal."""
    out = tmp_path / "out"
    solved = run("solve", PORTFOLIO, "--out", out)
    assert solved.exit_code == 0, solved.output
    docs = tmp_path / "docs"
    for code in ("AE", "ZZ"):
        done = run(
            "render", out / "result.json", "--doc", "portfolio-memo", "--partner", code,
            "--out", docs,
        )  # fmt: skip
        assert done.exit_code == 2, done.output
        assert done.stderr == (
            "error: --partner: a portfolio memo covers every deal; one partner's deal is in "
            "its deal memo or its term sheet\n"
        ), done.stderr
        assert not docs.exists()
    memo = run("render", out / "result.json", "--doc", "deal-memo", "-p", "AE", "--out", docs)
    assert memo.exit_code == 0, memo.output
    assert (docs / "memos/AE.md").is_file()


# --- a data file where a result.json goes ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"), [(OFFER, "package"), (PORTFOLIO, "portfolio")], ids=["package", "portfolio"]
)
def test_diff_names_a_data_file_given_for_a_result(run: Runner, path: Path, kind: str) -> None:
    """`diff out/result.json deals/packages/ae-offer.yaml` said "not a dealbench
    result.json: invalid JSON (Expecting value, column 1)" of a package file; now it says
    what the file is, as every loader says a file of the wrong kind."""
    done = run("diff", path, path)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {path}:1: this is a {kind} file, not a dealbench result.json\n"
    ), done.stderr


def test_a_file_that_is_neither_json_nor_data_keeps_its_json_error(
    run: Runner, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    done = run("diff", text, text)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {text}:1: not a dealbench result.json: invalid JSON (Expecting value, column 1)\n"
    ), done.stderr
