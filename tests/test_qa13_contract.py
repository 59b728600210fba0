"""DESIGN.md and the README audited clause by clause, with inputs no one here wrote (qa13).

Each test is the smallest instance of a clause that did not hold.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def test_a_round_after_the_first_without_a_basis_is_refused(run: Runner, rounds: Path) -> None:
    """DESIGN: `basis` is "the round it answers (absent for the first)"; dealbench writes it
    on every later round. A hand-edited 003-us.yaml without one was read as if it answered
    nothing: history, room and the next offer went on from it."""
    path = rounds / "AE/003-us.yaml"
    path.write_text(path.read_text().replace("basis: 002-partner.yaml\n", ""))
    for args in (["history", "--partner", "AE"], ["room"]):
        result = run(args[0], GULF, *args[1:], "--rounds", rounds)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert (
            f"error: {path}:1: basis: missing: every round after the first names the round it "
            "answers"
        ) in result.stderr


def test_set_works_on_a_policy_that_declares_its_granularity(run: Runner, tmp_path: Path) -> None:
    """A policy file may say `granularity: 500` (README, Data files). Any `--set` on such a
    policy, here DESIGN's own `policy.risk_penalty_per_h100e=200k`, was refused with
    "policy.risk_penalty_per_h100e: expected a number, got None": the override re-read
    the policy's granularity from its dump, which the loader did not accept."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals, ignore=shutil.ignore_patterns("rounds"))
    policy = deals / "policy" / "bilateral.yaml"
    policy.write_text(policy.read_text() + "granularity: 500\n")
    portfolio = deals / "portfolios" / "gulf-asia.yaml"
    result = run("solve", portfolio, "--set", "policy.risk_penalty_per_h100e=200k")
    assert result.exit_code == 0, result.output
    assert "declared steps of 500 H100e" in result.stdout


def test_set_reaches_a_portfolios_granularity(run: Runner) -> None:
    """DESIGN: `--set` takes "dotted paths into the loaded files"; a portfolio file may
    declare `granularity`, yet `--set portfolio.granularity=5000` said "portfolio has no
    field 'granularity'" (exit 2). It now sets the portfolio's own step, as the file would,
    and `none` leaves the policy's."""
    own = run("solve", GULF, "--set", "portfolio.granularity=5000", "--json")
    assert own.exit_code == 0, own.output
    via_policy = run("solve", GULF, "--set", "policy.granularity=5000", "--json")
    assert json.loads(own.stdout)["deals"] == json.loads(via_policy.stdout)["deals"]
    assert (
        "declared steps of 5,000 H100e"
        in run("solve", GULF, "--set", "portfolio.granularity=5000").stdout
    )
    unset = run(
        "solve", GULF, "--set", "portfolio.granularity=5000", "--set", "portfolio.granularity=none"
    )
    assert "declared steps of 1,000 H100e" in unset.stdout


def test_set_says_which_portfolio_fields_it_cannot_change(run: Runner) -> None:
    """`--set portfolio.title=X` said "portfolio has no field 'title'", which the file has."""
    result = run("solve", GULF, "--set", "portfolio.periods=[2026]")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --set: portfolio.periods: 'periods' shapes the portfolio and is not a figure "
        "--set changes (edit the portfolio file); expected one of: supply, risk_budget, caps, "
        "granularity\n"
    )


def _session(sid: int) -> list[int]:
    """The processes of session `sid` (a command and every process it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_ctrl_c_stops_serve_without_a_traceback(tmp_path: Path) -> None:
    """README: "Press Ctrl-C to stop." The terminal sends Ctrl-C to every process of the
    command; the web's solve process, started and warmed up before any click, printed a
    KeyboardInterrupt traceback under the server's "interrupted"."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals, ignore=shutil.ignore_patterns("rounds"))
    process = subprocess.Popen(
        [sys.executable, "-m", "dealbench.cli", "serve", str(deals), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a terminal's process group, as Ctrl-C reaches it
    )
    assert process.stdout is not None
    line = ""
    while "Press Ctrl-C" not in line:
        line = process.stdout.readline()
        assert line, "dealbench serve stopped before serving"
    deadline = time.monotonic() + 30
    while len(_session(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # the fork server and the solve process it starts
    time.sleep(3)  # the solve process warms up, then waits for a job
    os.killpg(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 130, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    assert re.search(r"^interrupted$", out, re.M), out


def test_render_workers_leave_ctrl_c_to_the_command() -> None:
    """Ctrl-C during `solve --render md,html,docx,pdf` (the terminal sends it to every
    process of the command) printed a KeyboardInterrupt traceback from a document worker
    (`Process SpawnProcess-2: Traceback ...`) above "interrupted"."""
    from dealbench.render.documents import render_pool

    with render_pool(1) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN


def test_the_fork_servers_processes_leave_ctrl_c_to_the_command() -> None:
    """Ctrl-C early in `frontier --jointly` printed a KeyboardInterrupt traceback from the
    fork server, interrupted while it imported what its workers share; its processes
    (the web's solve process among them) leave Ctrl-C to the command that started them."""
    from concurrent.futures import ProcessPoolExecutor

    from dealbench.analyze.parallel import fork_server

    with ProcessPoolExecutor(1, mp_context=fork_server()) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN


def test_a_date_that_does_not_exist_names_its_field(run: Runner, rounds: Path) -> None:
    """ "Every error names the file, the line and the field path": a round dated 2026-13-45
    said "invalid YAML: cannot read '2026-13-45' as a date", without the field."""
    path = rounds / "AE/004-partner.yaml"
    text = path.read_text()
    line = 1 + text.split("\n").index(next(x for x in text.split("\n") if x.startswith("date:")))
    path.write_text(re.sub(r"(?m)^date: .*$", "date: 2026-13-45", text))
    result = run("history", GULF, "--partner", "AE", "--rounds", rounds)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:{line}: date: cannot read '2026-13-45' as a date (no such date; "
        "write YYYY-MM-DD)\n"
    )
    listed = rounds / "dates.yaml"
    listed.write_text("scenarios:\n  - id: a\n    title: A\n    set: {x: [1, 2026-02-30]}\n")
    result = run("validate", listed)
    assert f"{listed}:4: scenarios[0].set.x[1]: cannot read '2026-02-30' as a date" in (
        result.stderr
    )


def test_a_file_of_another_kind_is_named_as_such_by_render_and_sweep(run: Runner) -> None:
    """ "Says what was expected": `render PORTFOLIO` said the portfolio file "is a package;
    give the portfolio it is for", and `sweep PORTFOLIO PORTFOLIO` listed the portfolio's
    fields as unknown in a scenarios file; validate, solve and evaluate name the kind."""
    rendered = run("render", GULF, "--out", "unused")
    assert rendered.exit_code == 2
    assert rendered.stderr.startswith("error: ")
    assert (
        "gulf-asia.yaml:1: this is a portfolio file, expected a solve's result.json or a "
        "package file here" in rendered.stderr
    )
    swept = run("sweep", GULF, GULF)
    assert swept.exit_code == 2
    assert swept.stderr.startswith("error: ")
    assert swept.stderr.endswith(
        "gulf-asia.yaml:1: this is a portfolio file, expected a scenarios file here\n"
    )


def test_a_value_with_an_unknown_tag_names_its_field(run: Runner, tmp_path: Path) -> None:
    """`compute: {2026: !python/object:os.system ls}` said "invalid YAML: unknown tag",
    at the line but without the field."""
    package = tmp_path / "tagged.yaml"
    package.write_text("partner: AE\nsecurity: veu\ncompute: {2026: !python/object:os.system ls}\n")
    result = run("validate", package, "--portfolio", GULF)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {package}:3: compute.2026: unknown tag '!python/object:os.system'\n"
    )


def test_an_empty_out_is_refused_not_read_as_the_current_folder(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out "$OUTDIR"` with the variable unset wrote result.json, packages/ and the
    documents into the current folder (Path("") is "."), or, in the repository, failed on
    a link there with a message about `templates`."""
    monkeypatch.chdir(tmp_path)
    result = run("solve", GULF, "--out", "")
    assert result.exit_code == 2, result.output
    assert result.stderr == "error: --out: an empty path; name the folder\n"
    assert list(tmp_path.iterdir()) == []


def test_an_empty_rounds_folder_is_refused_not_read_as_the_current_folder(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`walk-away ... --rounds "$ROUNDS"` with the variable unset recorded QA/001-us.yaml
    in the current folder; `--templates ""` read the current folder as house templates."""
    monkeypatch.chdir(tmp_path)
    walked = run("walk-away", GULF, "--partner", "QA", "--rounds", "")
    assert walked.exit_code == 2, walked.output
    assert walked.stderr == "error: --rounds: an empty path; name the folder\n"
    package = REPO / "deals/packages/ae-offer.yaml"
    rendered = run("render", package, "--portfolio", GULF, "--templates", "", "--out", "x")
    assert rendered.exit_code == 2, rendered.output
    assert rendered.stderr == "error: --templates: an empty path; name the folder\n"
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_an_empty_folder_rather_than_serving_the_current_one(
    tmp_path: Path,
) -> None:
    """`dealbench serve "$DEALS"` with the variable unset served the current folder
    (qa13-contract, left): every file under it, editable through the workbench. In a
    process of its own, so that a server started by mistake is stopped."""
    served = subprocess.run(
        [sys.executable, "-m", "dealbench", "serve", "", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2, served.stdout
    assert served.stderr == "error: DEALS_DIR: an empty path; name the folder\n"


def test_a_dash_for_a_folder_is_refused_not_made_a_folder_called_dash(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve ... --out -` (standard output, as a user means `-`) wrote result.json and the
    term sheets into a new folder called "-" (stop 32, left); `./-` still names one."""
    monkeypatch.chdir(tmp_path)
    result = run("solve", GULF, "--out", "-")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --out: '-' is standard output, not a folder")
    walked = run("walk-away", GULF, "--partner", "QA", "--rounds", "-")
    assert walked.exit_code == 2, walked.output
    assert list(tmp_path.iterdir()) == []
    assert run("solve", GULF, "--out", "./-").exit_code == 0
    assert (tmp_path / "-" / "result.json").is_file()
