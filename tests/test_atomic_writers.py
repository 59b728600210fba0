"""Issue 13, item 6: every command that writes files writes through the output-folder transaction.

For each command with `--out` (solve, render, redline, compare, sweep, frontier,
history, room, offer, counter): a run leaves the folder exactly as its manifest
says, with no staging folder or temporary file anywhere, and a second identical
run is not refused; an `--out` that names an existing file is refused with exit
2, one clear line and no traceback, and the file is left as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from dealbench import io
from helpers import REPO, Run, invoke

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
ROUNDS = REPO / "deals/rounds/gulf-asia"
PACKAGES = REPO / "deals/packages"

#: Each writing command, with {out}, {rounds} (a copy of the shipped rounds) and {result}.
COMMANDS = {
    "solve": "solve {pf} --out {out} --render md",
    "render": "render {result} --out {out} --format md",
    "redline": "redline {pk}/ae-offer.yaml {pk}/ae-counter.yaml --portfolio {pf} --format md "
    "--out {out}",
    "compare": "compare {pf} --regimes tiered,bilateral --out {out}",
    "sweep": "sweep {pf} --param portfolio.supply.2027 --from 900_000 --to 1_200_000 --steps 2 "
    "--out {out}",
    "frontier": "frontier {pf} --partner AE --points 3 --out {out}",
    "history": "history {pf} --partner AE --rounds {rounds} --out {out}",
    "room": "room {pf} --rounds {rounds} --render md --out {out}",
    "offer": "offer {pf} --partner QA --rounds {rounds} --format md --out {out}",
    "counter": "counter {pf} {pk}/ae-counter.yaml --partner AE --rounds {rounds} --format md "
    "--out {out}",
}
#: Commands that record a round: run again, they record another (not the same command).
RECORDS = {"offer", "counter"}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("result") / "out"
    run = invoke(["solve", PORTFOLIO, "--out", out])
    assert run.exit_code == 0, run.output
    return out / "result.json"


@pytest.fixture
def rounds(tmp_path: Path) -> Path:
    """A copy of the shipped rounds, so that recording one changes nothing shipped."""
    target = tmp_path / "rounds"
    shutil.copytree(ROUNDS, target)
    return target


def leftovers(root: Path) -> list[str]:
    """Staging folders and temporary files anywhere under `root`."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if ".dealbench-new-" in p.name or ".dealbench-old-" in p.name or p.name.endswith(".tmp")
    )


def consistent(out: Path) -> set[str]:
    """The folder's files are exactly its manifest's, with their digests; returns them."""
    manifest = json.loads((out / io.MANIFEST).read_text())
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {io.MANIFEST}
    assert files == set(manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    return files


def args(command: str, out: Path, rounds: Path, result: Path) -> list[str]:
    where = {"pf": PORTFOLIO, "pk": PACKAGES, "out": out, "rounds": rounds, "result": result}
    return [part.format(**where) for part in COMMANDS[command].split()]


def ran(argv: Sequence[str | Path]) -> Run:
    run = invoke(argv)
    assert not run.traceback, run.traceback
    return run


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_run_leaves_a_complete_folder_and_no_temporary_file(
    command: str, tmp_path: Path, rounds: Path, result: Path
) -> None:
    out = tmp_path / "out"
    first = ran(args(command, out, rounds, result))
    assert first.exit_code == 0, first.output
    files = consistent(out)
    assert files, f"{command} wrote nothing into --out"
    assert leftovers(tmp_path) == []
    if command not in RECORDS:  # the same command again replaces its own files
        again = ran(args(command, out, rounds, result))
        assert again.exit_code == 0, again.output
        assert consistent(out) == files
        assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_naming_an_existing_file_is_refused_with_exit_2(
    command: str, tmp_path: Path, rounds: Path, result: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("the user's notes\n")
    run = ran(args(command, taken, rounds, result))
    assert run.exit_code == 2, run.output
    message = run.stderr.strip()
    assert message.startswith("error: ") and "taken" in message and "is a file" in message
    assert len(message.splitlines()) == 1
    assert taken.read_text() == "the user's notes\n"
    assert leftovers(tmp_path) == []


def test_a_file_inside_out_is_refused_before_the_frontier_is_computed(tmp_path: Path) -> None:
    """frontier checks its folder first: a refusal costs no solve."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "frontier-AE.json").write_text("{}\n")
    run = ran(["frontier", PORTFOLIO, "--partner", "AE", "--points", "3", "--out", out])
    assert run.exit_code == 2, run.output
    assert "frontier-AE.json exists and was not written by dealbench" in run.stderr
    assert run.stdout == ""  # refused before the table
    assert sorted(p.name for p in out.iterdir()) == ["frontier-AE.json"]
    forced = ran(
        ["frontier", PORTFOLIO, "--partner", "AE", "--points", "3", "--out", out, "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert consistent(out) == {"frontier-AE.json", "frontier-AE.svg", "frontier-AE.png"}
