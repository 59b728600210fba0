"""Reliability under a hostile file system and hand-edited files (qa36-reliable): folders
that cannot be read, an output folder that is a mount point, a folder above --out that
cannot be listed, house templates behind a folder that cannot be read, a number too large
for a float written plainly. Each test failed before its fix (a guard passed before too)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import Runner, deals_copy

PORTFOLIO = "{deals}/portfolios/gulf-asia.yaml"

Lock = Callable[[Path], Callable[[], None]]


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lock]:
    """`lock(folder)`: the folder's permissions 000, as `chmod 000` leaves it, until the
    function it returns is called. Root reads every folder whatever its mode (the tests
    here run as root), so for root the listing calls of pathlib and os.walk raise the
    PermissionError a user gets."""
    locked: list[Path] = []

    def denied(path: Any) -> bool:
        return any(os.path.abspath(os.fspath(path)) == str(p) for p in locked)

    def guard(call: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and denied(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return call(path, *args, **kwargs)

        return guarded

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "listdir", guard(os.listdir))
        monkeypatch.setattr(os, "scandir", guard(os.scandir))

    def unlock() -> None:
        for folder in locked:
            folder.chmod(0o755)
        locked.clear()

    def lock(folder: Path) -> Callable[[], None]:
        locked.append(folder.absolute())
        if os.geteuid() != 0:
            folder.chmod(0)
        return unlock

    yield lock
    unlock()


# --- a folder that cannot be read ----------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "args"),
    [
        ("rounds/gulf-asia/AE", ("history", PORTFOLIO, "-p", "AE")),
        ("rounds/gulf-asia/AE", ("room", PORTFOLIO)),
        ("rounds/gulf-asia/AE", ("offer", PORTFOLIO, "-p", "AE")),
        ("rounds/gulf-asia", ("room", PORTFOLIO)),
        ("rounds/gulf-asia", ("offer", PORTFOLIO, "-p", "QA")),
        ("rounds/gulf-asia", ("validate", "{deals}/rounds")),
        ("packages", ("validate", "{deals}")),
    ],
    ids=["history", "room", "offer", "room-all", "offer-new", "validate-rounds", "validate"],
)
def test_a_folder_that_cannot_be_read_is_named_not_a_traceback_or_passed_over(
    run: Runner, tmp_path: Path, unreadable: Lock, folder: str, args: tuple[str, ...]
) -> None:
    """`chmod 000 deals/rounds/gulf-asia/AE`: `history`, `room` and `offer` ended in
    pathlib's PermissionError traceback (exit 1); `validate deals/` with `packages/` so
    said "ok" of every other file and exit 0, the packages passed over in silence (rglob
    skips a folder it cannot list). Now the folder is named, exit 2, nothing written."""
    deals = deals_copy(tmp_path)
    before = sorted(p.relative_to(deals) for p in deals.rglob("*"))
    unlock = unreadable(deals / folder)
    done = run(*[arg.format(deals=deals) for arg in args])
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert f"error: {deals / folder}: cannot read the folder: Permission denied\n" in done.stderr
    unlock()
    assert sorted(p.relative_to(deals) for p in deals.rglob("*")) == before


# --- an output folder that cannot be renamed: a mount point --------------------------------


def _busy(real: Callable[..., Any], folder: Path) -> Callable[..., Any]:
    """`os.rename` and `renameat2` as a mount point answers them: EBUSY for `folder`."""

    def rename(source: Any, target: Any, *args: Any) -> Any:
        if os.path.abspath(os.fsdecode(target)) == str(folder) or os.path.abspath(
            os.fsdecode(source)
        ) == str(folder):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), os.fsdecode(target))
        return real(source, target, *args)

    return rename


@pytest.mark.parametrize("previous", [False, True], ids=["empty", "previous-result"])
def test_an_out_folder_that_is_a_mount_point_is_written_in_place(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, previous: bool
) -> None:
    """`solve --out /mnt/usb` (a USB stick's or a container's volume: a mount point, which
    cannot be renamed) staged the result beside it, then failed to swap it in: "cannot
    write into /mnt/usb: Device or resource busy; the previous result is left as it was",
    exit 1, nothing written; `render --out /mnt/usb/AE.md` the same. The folder is now
    written in place, each file whole, as a working folder is."""
    from dealbench import output_steps

    deals = deals_copy(tmp_path)
    usb = (tmp_path / "usb").absolute()
    usb.mkdir()
    (usb / "notes.txt").write_text("the user's own\n")
    if previous:
        done = run("render", deals / "packages/ae-offer.yaml", "--portfolio",
                   deals / PORTFOLIO.format(deals=deals), "--out", usb)  # fmt: skip
        assert done.exit_code == 0, done.output
    monkeypatch.setattr(output_steps, "exchange", lambda a, b: False)  # two renames
    monkeypatch.setattr(output_steps.os, "rename", _busy(os.rename, usb))
    done = run("solve", PORTFOLIO.format(deals=deals), "--out", usb, "--render", "md")
    assert done.exit_code == 0, done.output
    assert (usb / "result.json").is_file()
    assert (usb / "term-sheets" / "AE.md").is_file()
    assert (usb / "notes.txt").read_text() == "the user's own\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".usb")]  # no staging left
    done = run("render", usb / "result.json", "-p", "AE", "--out", usb / "AE.md")
    assert done.exit_code == 0, done.output
    assert "# Memorandum of understanding" in (usb / "AE.md").read_text()


def test_a_mount_point_as_out_is_written_in_place_on_a_real_tmpfs(
    run: Runner, tmp_path: Path
) -> None:
    """The same on a real mount point: a small tmpfs (root only; skipped elsewhere)."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a disk needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        deals = deals_copy(tmp_path)
        done = run("solve", PORTFOLIO.format(deals=deals), "--out", disk)
        assert done.exit_code == 0, done.output
        assert (disk / "result.json").is_file()
        done = run("render", disk / "result.json", "-p", "AE", "--out", disk / "AE.md")
        assert done.exit_code == 0, done.output
        assert (disk / "AE.md").is_file()
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_an_out_whose_parent_cannot_be_listed_is_refused_by_name(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`chmod 311 drop; solve --out drop/out` (a folder one may write into but not list):
    the lock on drop/ (os.open for reading) raised PermissionError, a traceback, after the
    solve. Now: --out named, exit 2, nothing written."""
    deals = deals_copy(tmp_path)
    drop = (tmp_path / "drop").absolute()
    drop.mkdir()
    real = os.open

    def opened(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.path.abspath(os.fsdecode(path)) == str(drop) and flags & os.O_ACCMODE == 0:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opened)
    done = run("solve", PORTFOLIO.format(deals=deals), "--out", drop / "out")
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr.startswith(f"error: --out: cannot write into {drop / 'out'}: permission")
    assert list(drop.iterdir()) == []


# --- files written in place: the permissions of a new file, or of the file replaced ----------


def test_files_written_in_place_get_a_new_files_permissions_or_the_replaced_ones(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cd shared; dealbench solve ... --out . --render md`: result.json and every term
    sheet came out 0600 (tempfile.mkstemp's mode, kept by the rename), readable by their
    owner alone, where the same written into a new folder were 0644; and a result.json the
    user had made 0640 became 0600 on the next run. Now a file written in place gets what
    a new file gets (0666 less the umask), or the mode of the file it replaces."""
    import stat

    deals = deals_copy(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.chdir(shared)
    umask = os.umask(0o022)
    try:
        done = run("solve", PORTFOLIO.format(deals=deals), "--out", ".", "--render", "md")
        assert done.exit_code == 0, done.output
        mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in shared.rglob("*") if p.is_file()}
        assert set(mode.values()) == {0o644}, mode
        (shared / "result.json").chmod(0o640)
        done = run("solve", PORTFOLIO.format(deals=deals), "--out", ".", "--render", "md")
        assert done.exit_code == 0, done.output
        assert stat.S_IMODE((shared / "result.json").stat().st_mode) == 0o640
        assert stat.S_IMODE((shared / "term-sheets" / "AE.md").stat().st_mode) == 0o644
    finally:
        os.umask(umask)


# --- house templates behind a folder that cannot be read ---------------------------------------


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_house_templates_in_a_folder_that_cannot_be_read_are_not_passed_over(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """`chmod 000 house/clauses; render ... --templates house`: the house clause (and a
    reference.docx) could not be looked at, `os.path.exists` said False, and the term sheet
    was written with the shipped clause, exit 0: the house's wording lost in silence. Now
    the folder is named, exit 2, nothing written."""
    deals = deals_copy(tmp_path)
    clauses = (deals / "house" / "clauses").absolute()

    def denied(real: Callable[..., Any]) -> Callable[..., Any]:
        def looked_at(path: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and os.path.dirname(
                os.path.abspath(os.fspath(path))
            ) == str(clauses):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real(path, *args, **kwargs)

        return looked_at

    monkeypatch.setattr(os, "lstat", denied(os.lstat))
    monkeypatch.setattr(os, "stat", denied(os.stat))
    out = tmp_path / f"AE.{fmt}"
    done = run("render", deals / "packages/ae-offer.yaml", "--portfolio",
               PORTFOLIO.format(deals=deals), "--templates", deals / "house",
               "--out", out)  # fmt: skip
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr == f"error: {clauses}: cannot read the folder: Permission denied\n"
    assert not out.exists()


# --- a number too large for a float, written plainly ------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "field"),
    [
        ("partners/ae.yaml", "batna: 8bn ", "batna: 1e400 ", 16, "batna"),
        ("partners/ae.yaml", "  2027: 1_250_000", "  2027: 1e400", 10, "ask.2027"),
        ("partners/ae.yaml", "us_batna: -8bn ", "us_batna: -1e400 ", 17, "us_batna"),
        ("packages/ae-offer.yaml", "  invest-us: 1400bn", "  invest-us: 1e400", 16,
         "concessions.invest-us"),
    ],
    ids=["batna", "ask", "negative", "package-level"],
)  # fmt: skip
def test_a_number_past_a_floats_range_written_plainly_is_quoted_as_written(
    run: Runner, tmp_path: Path, file: str, old: str, new: str, line: int, field: str
) -> None:
    """`batna: 1e400` (unquoted) said "expected a finite number, got inf", a figure the file
    does not hold (qa32-input's Left (3)); YAML read it as a float and Python made it inf.
    The parser now refuses it as written, at its line and field, as it refuses a date that
    does not exist; `.inf` keeps its own words."""
    deals = deals_copy(tmp_path)
    path = deals / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    written = new.split(": ", 1)[1].strip()
    done = run("validate", path)
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr.startswith(
        f"error: {path}:{line}: {field}: cannot read '{written}' as a number: too large to "
        "hold (beyond about 1.8e308 in magnitude)\n"
    ), done.stderr


# --- names at the length a file system allows ---------------------------------------------------


def test_a_document_name_past_the_systems_limit_is_refused_by_name(
    run: Runner, tmp_path: Path
) -> None:
    """`render --out <300 letters>.md` ended in pathlib's OSError traceback ("File name too
    long", from `is_dir`), exit 1. Now --out is named with the name's length, exit 2."""
    deals = deals_copy(tmp_path)
    out = tmp_path / ("n" * 300 + ".md")
    done = run("render", deals / "packages/ae-offer.yaml", "--portfolio",
               PORTFOLIO.format(deals=deals), "--out", out)  # fmt: skip
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr == (
        f"error: --out: {out}: the name 'nnnnnnnnnnnnnnnnnnnn...nnnnnnnnn.md' is 303 bytes "
        "long; a file or folder name may have at most 255\n"
    )
    assert list(tmp_path.iterdir()) == [deals]


@pytest.mark.parametrize("in_place", [False, True], ids=["new-folder", "working-folder"])
def test_names_a_file_system_allows_are_written_whatever_their_length(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_place: bool
) -> None:
    """`solve --out <250 letters>` (a legal name: at most 255 bytes) failed with "cannot
    write into ...: File name too long", exit 1: the staging folder beside it is named
    `.NAME.dealbench-new-PID-XXXX`, 30 bytes longer; a document of 250 letters written in
    the working folder the same, through its temporary file `.NAME.XXXX.tmp`. The hidden
    names are now shortened (`folders.beside`); the user's are as given."""
    deals = deals_copy(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    folder = Path("f" * 250) if in_place else work / ("f" * 250)
    done = run("solve", PORTFOLIO.format(deals=deals), "--out", "." if in_place else folder,
               "--render", "md")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert ((work if in_place else folder) / "result.json").is_file()
    name = "m" * 250 + ".md"
    done = run("render", (work if in_place else folder) / "result.json", "-p", "AE",
               "--out", name if in_place else folder / name)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert ((work if in_place else folder) / name).is_file()
    hidden = [p.name for p in work.rglob(".*") if not p.name.startswith(".dealbench-")]
    assert hidden == [], hidden


# --- a link in the working folder, away from the files written --------------------------------


def test_a_link_in_the_working_folder_away_from_the_files_written_is_left_alone(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cd work; render result.json -p AE --out AE.md` in a folder holding `latest ->
    results-2026` was refused: "latest is a symbolic link; dealbench writes only inside the
    output folder and refuses links there (remove it ...)", exit 2, the user told to remove
    a link dealbench would never touch. A folder written in place is written only on the
    paths named, each still checked: a link where a file is written is refused (guard)."""
    deals = deals_copy(tmp_path)
    work = tmp_path / "work"
    (work / "results-2026").mkdir(parents=True)
    (work / "results-2026" / "x.md").write_text("the user's\n")
    (work / "latest").symlink_to("results-2026")
    (work / "x.md").symlink_to("results-2026/x.md")
    monkeypatch.chdir(work)
    package = ("render", deals / "packages/ae-offer.yaml", "--portfolio",
               PORTFOLIO.format(deals=deals), "--out")  # fmt: skip
    done = run(*package, "AE.md")
    assert done.exit_code == 0, done.output
    assert (work / "AE.md").is_file()
    assert (work / "latest").is_symlink()
    done = run(*package, "x.md")
    assert done.exit_code == 2, done.output
    assert "x.md is a symbolic link" in done.stderr
    assert (work / "results-2026" / "x.md").read_text() == "the user's\n"


# --- another kind of file copied into a rounds folder --------------------------------------------


@pytest.mark.parametrize(
    ("copied", "kind"),
    [("partners/kr.yaml", "partner"), ("packages/kr-counter.yaml", "package")],
)
def test_a_file_of_another_kind_copied_in_as_a_round_is_named_as_such(
    run: Runner, tmp_path: Path, copied: str, kind: str
) -> None:
    """`cp partners/kr.yaml rounds/gulf-asia/AE/005-us.yaml` made `history` and `room` list
    "round: missing required field", "side: missing required field", then an unknown field
    for each of the partner's keys (a package's: "partner: unknown field here; it belongs
    under 'package'"). `validate` said in one line what the file is; the rounds' reader now
    says the same."""
    deals = deals_copy(tmp_path)
    target = deals / "rounds/gulf-asia/AE/005-us.yaml"
    target.write_bytes((deals / copied).read_bytes())
    for args in (("history", "-p", "AE"), ("room",)):
        done = run(args[0], PORTFOLIO.format(deals=deals), *args[1:])
        assert done.exit_code == 2, done.output
        assert done.stderr == (
            f"error: {target}:1: this is a {kind} file, expected a round file here\n"
        ), done.stderr
