"""What session 43 fixed as a user met it."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from helpers import Runner, compare_two_regimes, words


def test_compare_counts_partners_with_a_deal_and_defines_partner_surplus(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """compare's table and the options memo said "Deals concluded" of a regime's optimum,
    which concludes nothing (the deal room's stage of that name is another thing), and the
    memo's "Partner surplus over walk-away" row was in no glossary."""
    out = compare_two_regimes(run, tiny, tmp_path)
    memo = next(out.rglob("options-*.md")).read_text("utf-8")
    assert "| Partners with a deal |" in memo and "concluded" not in memo
    assert "| Partner surplus |" in memo
    assert "- **Partner surplus**: What the partners with a deal gain" in memo
    shown = run("compare", tiny, "-j", "1")
    assert shown.exit_code == 0, shown.output
    assert "Partners with a deal" in shown.output and "Deals concluded" not in shown.output


@pytest.mark.parametrize(
    ("command", "given", "suggested"),
    [
        (["offer", "-p", "AE"], ["--render", "md"], "--format"),
        (["solve"], ["--format", "md"], "--render"),
        (["room"], ["-f", "md"], "--render"),
    ],
)
def test_an_option_named_as_another_command_names_it_suggests_this_commands_name(
    run: Runner, deals: Path, command: list[str], given: list[str], suggested: str
) -> None:
    """`offer --render md` (solve's and room's name for the documents' formats) said "No such
    option: --render (Possible options: --partner, --rounds)"; offer calls it --format."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    refused = run(command[0], portfolio, *command[1:], *given)
    assert refused.exit_code == 2
    said = " ".join((refused.stderr or refused.output).split())
    assert f"No such option: {given[0]} (Possible options: {suggested})" in said


@pytest.mark.parametrize("command", [["room"], ["history", "-p", "AE"]])
def test_a_rounds_folder_that_does_not_exist_is_read_as_empty_and_said(
    run: Runner, deals: Path, command: list[str]
) -> None:
    """`room --rounds deals/rounds/gulf-asai` (mistyped) showed every partner "not started"
    with nothing said; it still reads as no rounds (a folder not yet made), and says so."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    typo = deals / "rounds/gulf-asai"
    done = run(command[0], portfolio, *command[1:], "--rounds", typo)
    assert done.exit_code == 0, done.output
    said = " ".join(done.stderr.split())
    assert "gulf-asai does not exist: read as no rounds recorded" in said
    assert "the portfolio's own folder is" in said and "rounds/gulf-asia)" in said
    shipped = run(command[0], portfolio)
    assert "does not exist" not in shipped.stderr


def test_compare_names_the_regimes_that_share_an_id_and_what_to_do(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    """`compare --regimes bilateral,mine/bilateral.yaml` said "two regimes share the id
    bilateral", naming neither the two given nor what to change (qa43-analyze noticed it)."""
    mine = tmp_path / "bilateral.yaml"
    mine.write_text((deals / "policy/bilateral.yaml").read_text("utf-8"), "utf-8")
    portfolio = deals / "portfolios/gulf-asia.yaml"
    refused = run("compare", portfolio, "--regimes", f"bilateral,{mine},tiered")
    assert refused.exit_code == 2
    said = " ".join(refused.stderr.split())
    assert f"--regimes: bilateral and {mine} both have the id bilateral" in said
    assert "give all but one of them another `id:` in its file" in said


def test_history_points_without_out_is_refused_naming_both(run: Runner, deals: Path) -> None:
    """`history --points 8` draws nothing without --out (the chart is drawn there), and was
    silently ignored (qa43-cli noticed it)."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    refused = run("history", portfolio, "-p", "AE", "--points", "8")
    assert refused.exit_code == 2
    assert "--points: needs --out" in refused.stderr
    assert run("history", portfolio, "-p", "AE").exit_code == 0


def test_a_package_saved_from_the_web_onto_a_full_disk_says_the_disk_is_full(
    client: Any, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor's save said the system's "No space left on device", where every other
    write says "the disk is full" (qa43-reliable noticed it); nothing is written."""
    from dealbench.web.views import packages
    from test_qa18_webforms import post

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(packages, "write_atomic", full)
    fields = {"partner": "SG", "security": "veu", "concession.pax-silica": "yes"}
    sent = post(client, "/p/solo/save", **fields, filename="sg-full")
    said = words(sent.text)
    assert "cannot save packages/sg-full.yaml: the disk is full; nothing written" in said
    assert "No space left" not in said
    assert not (deals / "packages/sg-full.yaml").exists()


def test_validate_a_folder_reads_files_ending_in_upper_case_yaml(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    """`validate FOLDER` passed over `AE.YAML` (a name as Windows tools write it) without a
    word, and said "a folder without YAML files" of a folder holding only such files."""
    folder = tmp_path / "partners"
    folder.mkdir()
    (folder / "AE.YAML").write_text((deals / "partners/ae.yaml").read_text("utf-8"), "utf-8")
    done = run("validate", folder)
    assert done.exit_code == 0, done.output
    assert "AE.YAML" in done.output


def test_a_required_key_misspelt_is_one_error_at_its_line(run: Runner, deals: Path) -> None:
    """`batnaa: 8bn` said "ae.yaml:1: batna: missing required field" and "ae.yaml:16: batnaa:
    unknown field; did you mean 'batna'?": one mistake, two errors, the first at a line
    holding nothing of it (qa43-inputs noticed it)."""
    path = deals / "partners/ae.yaml"
    text = path.read_text("utf-8")
    line = text[: text.index("\nbatna:")].count("\n") + 2
    path.write_text(text.replace("\nbatna:", "\nbatnaa:", 1), "utf-8")
    refused = run("validate", path)
    assert refused.exit_code == 2
    errors = [x for x in refused.stderr.splitlines() if x.startswith("error:")]
    assert errors == [
        f"error: {path}:{line}: batnaa: unknown field; did you mean 'batna'? (it is required)"
    ], refused.stderr
