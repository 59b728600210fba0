"""What session 39 fixed as a user met it.

`render RESULT --partner united`: a result names its deals by code, and a newcomer writes
the partner's name. The portfolio the result was solved from knows the names, so the
refusal suggests the code as `frontier`, `offer` and every other command do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def test_render_suggests_the_code_of_a_partner_named_in_words(run: Runner, tmp_path: Path) -> None:
    solved = run("solve", GULF, "--out", tmp_path)
    assert solved.exit_code == 0, solved.output
    result = tmp_path / "result.json"
    done = run("render", result, "--partner", "united", "--out", tmp_path / "docs")
    assert done.exit_code == 2
    assert "no deal with 'UNITED'" in done.output
    assert "did you mean AE (United Arab Emirates)?" in done.output
    named = run("render", result, "--partner", "Qatar", "--out", tmp_path / "docs")
    assert named.exit_code == 2
    assert "Qatar is QA's name; write its code, QA" in named.output
    assert not (tmp_path / "docs").exists()  # nothing written


def test_render_of_a_partner_without_a_deal_gives_the_reason_not_a_guess(
    run: Runner, tmp_path: Path
) -> None:
    solved = run("solve", GULF, "--out", tmp_path)
    assert solved.exit_code == 0, solved.output
    done = run("render", tmp_path / "result.json", "--partner", "MY", "--out", tmp_path / "d")
    assert done.exit_code == 2
    assert "no deal with 'MY': alone, a deal with MY" in done.output
    assert "did you mean" not in done.output


def test_the_shipped_second_counter_is_the_partners_round_4(run: Runner, tmp_path: Path) -> None:
    """deals/packages/ae-counter-2.yaml is AE's second counter (deals/README.md): a redline
    from its first counter names both as the partner's, and neither "should accept" itself."""
    packages = REPO / "deals/packages"
    done = run(
        "redline",
        packages / "ae-counter.yaml",
        packages / "ae-counter-2.yaml",
        "--portfolio",
        GULF,
        "--audience",
        "internal",
        "--format",
        "md",
        "--out",
        tmp_path,
    )
    assert done.exit_code == 0, done.output
    text = (tmp_path / "redlines/redline-AE-counter-002-to-counter-004-internal.md").read_text(
        "utf-8"
    )
    assert "counter, round 2" in text and "counter, round 4" in text
    assert "should accept" not in text


def test_a_memo_of_a_solve_without_deals_does_not_speak_of_its_packages(
    run: Runner, tmp_path: Path
) -> None:
    """Under monopoly no partner gets compute: the principals memo says the solve concludes
    no deal, not that its (absent) packages come from it."""
    done = run("compare", GULF, "--out", tmp_path, "--render", "md")
    assert done.exit_code == 0, done.output
    memos = tmp_path / "memos"
    monopoly = (memos / "principals-gulf-asia-monopoly.md").read_text("utf-8")
    assert (
        "The optimisation for the greatest US utility under the monopoly regime concludes no deal;"
        in monopoly
    )
    assert "Packages from the" not in monopoly
    tiered = (memos / "principals-gulf-asia-tiered.md").read_text("utf-8")
    assert (
        "Packages from the optimisation for the greatest US utility under the tiered regime;"
        in tiered
    )


def _examples(name: str) -> list[list[str]]:
    import shlex

    import typer.main

    from dealbench.cli import app

    epilog = typer.main.get_command(app).commands[name].epilog or ""  # type: ignore[attr-defined]
    return [
        shlex.split(line.split("$ dealbench ", 1)[1])
        for line in epilog.splitlines()
        if "$ " in line
    ]


def test_the_help_examples_that_read_a_result_run_in_the_demos_folder(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealbench demo` says every --help example runs in the folder it writes (cd out),
    where its copy of the data is deals/. `evaluate`, `render` and `diff` named
    out/result.json, which only the repository's root has (after `make demo`); each help now
    makes the result it reads first, so its examples run, in order, in either place."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path)
    for name in ("evaluate", "render", "diff"):
        for args in _examples(name):
            if name == "render" and "pdf" in " ".join(args):
                args = [a.replace("html,pdf", "html").replace("md,pdf", "md") for a in args]
            done = run(*args)
            assert done.exit_code == 0, (name, args, done.output)


def test_history_of_a_partner_without_rounds_says_so_and_what_starts_them(run: Runner) -> None:
    done = run("history", GULF, "--partner", "IN")
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "India (IN) — not started: no round is recorded yet." in text
    assert "`dealbench offer` records our first offer to IN" in text
    assert "Round" not in done.stdout  # no empty table


def test_redline_of_two_partners_packages_names_the_later_files_partner_line(
    run: Runner, tmp_path: Path
) -> None:
    packages = REPO / "deals/packages"
    done = run(
        "redline", packages / "ae-offer.yaml", packages / "sa-counter.yaml",
        "--portfolio", GULF, "--out", tmp_path / "out",
    )  # fmt: skip
    assert done.exit_code == 2
    assert "sa-counter.yaml:4: partner: is SA;" in done.output
    assert not (tmp_path / "out").exists()


def test_a_counter_file_naming_another_round_is_told_where_it_was_recorded(
    run: Runner, tmp_path: Path
) -> None:
    """`ae-counter.yaml` says `round: 2`; recorded after round 4 it is round 5, and the
    command said nothing of the round the file names (qa39-negotiate's Left 3)."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    pf = deals / "portfolios/gulf-asia.yaml"
    counter = deals / "packages/ae-counter.yaml"
    done = run("counter", pf, "--partner", "AE", counter, "--no-documents")
    assert done.exit_code == 0, done.output
    assert "Recorded round 5: " in done.stdout and "(the file says round 2)" in done.stdout
