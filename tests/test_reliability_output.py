"""An output folder is always the previous complete result or the new complete result.

Runs build the new folder aside and publish it in one step (dealbench.io); these
tests kill runs at random points, fail the disk, race two writers, plant symlinks
and files where folders belong, and check each outcome.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dealbench import io
from helpers import DATA, Runner

TINY = DATA / "tiny"


def _two_portfolios(folder: Path) -> tuple[Path, Path]:
    """`both`: AA and BB get deals; `one`: BB's BATNA is out of reach, so only AA."""
    for name in ("policy.yaml", "aa.yaml"):
        (folder / name).write_text((TINY / name).read_text())
    bb = (TINY / "aa.yaml").read_text().replace("code: AA", "code: BB")
    (folder / "bb.yaml").write_text(bb)
    (folder / "bb-greedy.yaml").write_text(bb.replace("batna: 1bn", "batna: 100bn"))
    base = (TINY / "portfolio.yaml").read_text()
    both, one = folder / "both.yaml", folder / "one.yaml"
    both.write_text(base.replace("[aa.yaml]", "[aa.yaml, bb.yaml]"))
    one.write_text(base.replace("[aa.yaml]", "[aa.yaml, bb-greedy.yaml]"))
    return both, one


def _consistent(out: Path, *, user: frozenset[str] = frozenset()) -> dict[str, str]:
    """The folder's files are exactly its manifest's (and the user's), with their digests."""
    manifest = json.loads((out / io.MANIFEST).read_text())
    files = {
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != io.MANIFEST
    } - user
    assert files == set(manifest), (files, manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    return dict(manifest)


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_stale_term_sheets_are_removed_and_user_files_kept(run: Runner, tmp_path: Path) -> None:
    both, one = _two_portfolios(tmp_path)
    out = tmp_path / "out"
    assert run("solve", both, "--out", out).exit_code == 0
    assert (out / "term-sheets" / "BB.md").exists()
    (out / "notes.txt").write_text("mine")
    result = run("solve", one, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert not (out / "term-sheets" / "BB.md").exists()  # BB has no deal any more
    assert (out / "term-sheets" / "AA.md").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert "notes.txt" not in _consistent(out, user=frozenset({"notes.txt"}))
    assert _leftovers(out) == []


def test_render_adds_to_a_result_without_removing_it(run: Runner, tmp_path: Path) -> None:
    both, _ = _two_portfolios(tmp_path)
    out = tmp_path / "out"
    assert run("solve", both, "--out", out).exit_code == 0
    before = _consistent(out)
    result = run("render", out / "result.json", "--format", "html", "--out", out)
    assert result.exit_code == 0, result.stderr
    after = _consistent(out)
    assert set(before) < set(after)


def test_a_symlink_inside_out_is_refused(run: Runner, tmp_path: Path) -> None:
    both, _ = _two_portfolios(tmp_path)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "term-sheets").symlink_to(elsewhere)
    result = run("solve", both, "--out", out)
    assert result.exit_code == 2
    assert "is a symbolic link; dealbench writes only inside the output folder" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert "Traceback" not in result.output


def test_out_naming_a_file_is_refused(run: Runner, tmp_path: Path) -> None:
    both, _ = _two_portfolios(tmp_path)
    (tmp_path / "afile").write_text("x")
    for target in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        result = run("solve", both, "--out", target)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: ")
        assert "is a file" in result.stderr
        assert (tmp_path / "afile").read_text() == "x"


@pytest.mark.parametrize(
    ("code", "says", "exit_code"),
    [
        (errno.ENOSPC, "the disk is full", 1),
        # the folder given is to change: bad input, named by its option (qa33-cli)
        (errno.EROFS, "permission denied (read-only?)", 2),
    ],
)
def test_a_failing_disk_leaves_the_previous_result(
    run: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    says: str,
    exit_code: int,
) -> None:
    both, one = _two_portfolios(tmp_path)
    out = tmp_path / "out"
    assert run("solve", both, "--out", out).exit_code == 0
    before = _consistent(out)
    calls = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code), str(path))
        with open(path, "wb") as handle:
            handle.write(data)

    monkeypatch.setattr(io, "write_synced", failing)
    result = run("solve", one, "--out", out)
    assert result.exit_code == exit_code
    assert result.stderr.endswith(f"{says}; the previous result is left as it was\n")
    assert "Traceback" not in result.output
    assert _consistent(out) == before
    assert _leftovers(out) == []


def test_two_writers_are_serialised(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    both, _ = _two_portfolios(tmp_path)
    monkeypatch.setattr(io, "LOCK_WAIT", 0.2)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run is publishing into tmp_path
        result = run("solve", both, "--out", tmp_path / "out")
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert "another dealbench run is writing into" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_interrupted_two_rename_publish_is_rolled_back(tmp_path: Path) -> None:
    """Where no atomic exchange exists, a run killed between its two renames leaves the
    previous folder aside; the next run puts it back before doing anything."""
    out = tmp_path / "out"
    io.OutputDir(out).publish({"a.txt": "old"})
    aside = tmp_path / ".out.dealbench-old-1-x"
    out.rename(aside)
    (tmp_path / ".out.dealbench-new-1-x").mkdir()
    io.OutputDir(out).publish({"b.txt": "new"})
    assert (out / "a.txt").read_text() == "old"
    assert (out / "b.txt").read_text() == "new"
    assert _leftovers(out) == []


def test_killing_solve_at_random_points_never_breaks_the_folder(tmp_path: Path) -> None:
    """`solve --out --render` killed (SIGKILL) at random moments, alternating between two
    portfolios: after every kill the folder is one complete result, and the next run
    completes and cleans up."""
    both, one = _two_portfolios(tmp_path)
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "dealbench"), "solve", "--out", str(out)]
    command += ["--render", "md,html"]
    start = time.perf_counter()
    subprocess.run([*command, str(both)], check=True, capture_output=True, timeout=120)
    full = time.perf_counter() - start
    _consistent(out)
    rng = random.Random(13)
    for i in range(8):
        portfolio = one if i % 2 == 0 else both
        proc = subprocess.Popen(
            [*command, str(portfolio)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, full * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        manifest = _consistent(out)
        deals = json.loads((out / "result.json").read_text())["deals"]
        assert [d["partner"] for d in deals] in (["AA"], ["AA", "BB"])
        assert ("term-sheets/BB.md" in manifest) == (len(deals) == 2)
    subprocess.run([*command, str(one)], check=True, capture_output=True, timeout=120)
    _consistent(out)
    assert _leftovers(out) == []
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_the_working_folder_is_written_in_place(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out .` must not swap the folder a shell stands in: files are replaced one by
    one (each atomically), the manifest last, stale ones removed."""
    both, one = _two_portfolios(tmp_path)
    monkeypatch.chdir(tmp_path)
    inode = tmp_path.stat().st_ino
    assert run("solve", both, "--out", ".").exit_code == 0
    assert (tmp_path / "term-sheets" / "BB.md").exists()
    assert run("solve", one, "--out", ".").exit_code == 0
    assert not (tmp_path / "term-sheets" / "BB.md").exists()
    assert tmp_path.stat().st_ino == inode
    manifest = json.loads((tmp_path / io.MANIFEST).read_text())
    assert sorted(manifest) == [
        ".dealbench-documents.json",
        "packages/AA.yaml",
        "result.json",
        "term-sheets/AA.md",
    ]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_symlink_on_the_way_to_a_file_is_refused_in_place(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both, _ = _two_portfolios(tmp_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (tmp_path / "term-sheets").symlink_to(elsewhere)
    monkeypatch.chdir(tmp_path)
    result = run("solve", both, "--out", ".")
    assert result.exit_code == 2
    assert "term-sheets is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_folder_in_a_parent_that_cannot_be_written_is_written_in_place(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both, one = _two_portfolios(tmp_path)
    out = tmp_path / "out"
    assert run("solve", both, "--out", out).exit_code == 0
    monkeypatch.setattr(io, "can_stage", lambda stage, root: False)
    assert run("solve", one, "--out", out).exit_code == 0
    assert sorted(_consistent(out)) == [
        ".dealbench-documents.json",
        "packages/AA.yaml",
        "result.json",
        "term-sheets/AA.md",
    ]
    assert _leftovers(out) == []
