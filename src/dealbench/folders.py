"""Folders read before writing into them or listing them: what stands where a folder is
expected (`folder_fault`), a folder's files but for hidden ones (`unhidden`), and whether
an output path names a document's file rather than a folder (`named_file`)."""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import stat
from pathlib import Path

from dealbench.errors import InputError, Issue


def unreadable(folder: Path | str, exc: OSError, display: str | None = None) -> InputError:
    """A folder that cannot be listed (no read or search permission), named as the files
    read from it are: "deals/rounds/gulf-asia/AE: cannot read the folder: Permission
    denied". Listed by pathlib, it raised PermissionError (a traceback), or, by `rglob`,
    was passed over in silence: `validate deals/` said ok of every file it could see."""
    where = display if display is not None else str(folder)
    return InputError(Issue(where, None, "", f"cannot read the folder: {exc.strerror or exc}"))


def listing(folder: Path, display: str | None = None) -> list[Path]:
    """The entries of `folder`, sorted; an InputError (`unreadable`) when it cannot be
    listed, or its entries cannot be looked at (read permission without search permission
    lists the names alone)."""
    try:
        entries = sorted(folder.iterdir())
        for entry in entries:
            entry.lstat()
        return entries
    except OSError as exc:
        raise unreadable(folder, exc, display) from None


def present(path: Path | str) -> bool:
    """Whether anything stands at `path` (a link to nothing too); an InputError
    (`unreadable`) naming its folder when that folder cannot be searched. `os.path.exists`
    says False then: a house template in a folder of permissions 000 was passed over for
    the shipped one, in silence."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return False
    except OSError as exc:
        raise unreadable(os.path.dirname(path) or ".", exc) from None
    return True


def unhidden(folder: Path, pattern: str, *, strict: bool = False) -> list[Path]:
    """What `folder.rglob(pattern)` finds, sorted, but for anything under a hidden name.

    Hidden are the staging folders of output runs (`.out.dealbench-new-*`: a run killed
    while writing leaves its half-written result there until the next run into the same
    folder removes it; the previous result waits in one while it is removed), a round's
    temporary file and lock, and an editor's or a version control system's files: none
    is data, and a folder's listing (`validate FOLDER`, the web's results) offered them.

    One walk, as `rglob` goes (into linked folders too), that neither enters a hidden
    folder nor lists a hidden name. `strict`: a folder under it that cannot be listed is an
    InputError (`unreadable`), not passed over as `rglob` does (a check of every file must
    not say ok of the files it saw)."""

    def fail(exc: OSError) -> None:
        raise unreadable(exc.filename, exc)

    found = []
    for root, folders, files in os.walk(folder, onerror=fail if strict else None, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [
            Path(root, name)
            for name in (*folders, *files)
            if not name.startswith(".") and fnmatch.fnmatchcase(name, pattern)
        ]
    return sorted(found)


#: The longest name of a file or folder, in bytes, most file systems take (ext4, APFS,
#: NTFS in UTF-16 units, tmpfs).
NAME_MAX = 255


def name_too_long(path: Path) -> str | None:
    """What is wrong with a name on `path` longer than NAME_MAX bytes, before the system's
    "File name too long" (a traceback where pathlib asked, exit 1 where a write did)."""
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            shown = part if len(part) <= 40 else f"{part[:20]}...{part[-12:]}"
            return (
                f"the name {shown!r} is {size:,} bytes long; a file or folder name may have "
                f"at most {NAME_MAX}"
            )
    return None


def beside(name: str, room: int = 48) -> str:
    """`name` short enough to take `room` more bytes and stay a legal name: the hidden files
    and folders made beside a file or folder (`.NAME.dealbench-new-...`, `.NAME.x.tmp`) are
    longer than it, so a name of 240 bytes, legal, could not be written ("File name too
    long", exit 1). A long name keeps its start and a digest of the whole."""
    if len(os.fsencode(name)) + room <= NAME_MAX:
        return name
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    cut = name
    while len(os.fsencode(cut)) + room + len(digest) + 1 > NAME_MAX:
        cut = cut[:-1]
    return f"{cut}-{digest}"


def folder_fault(path: Path, expected: str) -> str | None:
    """What stands at `path` in place of a folder, as `yamlio.read_regular_file` says it of a
    file ("is a file", "not a regular file or folder (a device, FIFO or socket)"); None for
    a folder, or for nothing there (a folder not made yet). Nothing is opened, so a FIFO
    does not block."""
    too_long = name_too_long(path)
    if too_long is not None:
        return f"{too_long}; expected {expected}"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except ValueError:  # a NUL byte in the name
        return f"the path contains a NUL byte; expected {expected}"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"a loop of symbolic links; expected {expected}"
        if exc.errno == errno.ENOTDIR:  # a file on the way to it: nothing there
            return None
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return None
    if stat.S_ISREG(info.st_mode):
        return f"is a file; expected {expected}"
    return f"not a regular file or folder (a device, FIFO or socket); expected {expected}"


def no_folder(path: Path) -> str:
    """What stands at `path`, something other than a folder, in a few words: a file, a
    device, FIFO or socket (not "a file": qa31-input2's Left), or a link to nothing."""
    if path.is_file():
        return "is a file"
    if path.is_symlink() and not path.exists():
        return "is a symbolic link to nothing"
    return "is a device, FIFO or socket"


#: The formats dealbench writes, as file suffixes (`render.documents.FORMATS`).
DOCUMENT_SUFFIXES = ("md", "html", "docx", "pdf", "json")
#: Suffixes of documents dealbench does not write: `--out x.rtf` is a mistake too.
OTHER_DOCUMENT_SUFFIXES = frozenset(
    {"doc", "rtf", "odt", "txt", "text", "htm", "markdown", "yaml", "yml", "xml", "tex"}
)


class WrittenFolder(type(Path())):  # type: ignore[misc]
    """A path written with a trailing slash (`--out x.md/`): a folder whatever its name,
    as the shell and every other tool read it. `Path` drops the slash; this keeps what
    it meant. Paths derived from it (`out / "AE.md"`, `out.parent`) are plain ones."""

    written_as_folder = False


def as_written(text: str) -> Path:
    """`text` as a path, a leading `~` the home folder; a trailing slash (or the system's
    separator) marks it a folder (`named_file`)."""
    path = Path(text).expanduser()
    if not text.endswith(("/", os.sep)):
        return path
    folder = WrittenFolder(path)
    folder.written_as_folder = True
    return folder


def named_file(out: Path) -> str | None:
    """The suffix (`md`) when `out` names a document's file, not a folder: its name ends in
    the suffix of a document (one dealbench writes or another: `x.rtf`), and no folder of
    that name exists (a folder is a folder whatever its name), and it was not written
    with a trailing slash (`as_written`: `--out x.md/` is a folder).

    The one rule of `--out` (README, "A tour of the commands"): a folder; where a command
    writes one document (redline, render of one document in one format), a name ending
    .md, .html, .docx, .pdf or .json is that file, its suffix the format
    (`cli.documents.document_target`); elsewhere such a name is refused (`OutputDir`)."""
    if getattr(out, "written_as_folder", False):  # `--out x.md/`: a folder
        return None
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in DOCUMENT_SUFFIXES and suffix not in OTHER_DOCUMENT_SUFFIXES:
        return None
    return None if os.path.isdir(out) else suffix  # a name too long is no folder


def made_at(path: Path) -> Path:
    """The folder a write to `path` makes its first folder in: `path` itself when it is
    there, else the nearest of its parents that is."""
    return next(p for p in [path, *path.parents] if os.path.lexists(p))


#: Bytes the write probe writes (`probe_writable`): a page, the least a file of a byte
#: takes on disk, so a disk with no room for any file is found.
PROBE_BYTES = 4096


def probe_writable(path: Path) -> Path:
    """Whether `path` (a folder, there or not yet made) can be written into: a hidden folder
    made and removed where its first folder would be made (`made_at`), the folder returned;
    an OSError when the system refuses it (read-only, not ours to write, a system folder,
    a full disk). Asked before the work whose result the folder is to hold: an output
    folder (`io.OutputDir`), a rounds folder (`rounds.write.refuse_unwritable`). Readers of
    those folders pass over hidden names (`unhidden`, the rounds' listings).

    The hidden folder holds a file of `PROBE_BYTES` while it is there: a folder, or an
    empty file, takes no room a full disk lacks (tmpfs, ext4 keep a folder's entries in
    room they have), so a full disk was found only at the write, after the solves (four
    seconds at M, minutes at L), exit 1 then. Not synced: tmpfs, ext4, XFS and btrfs
    refuse the write itself when the room is not there (ENOSPC), NFS the close that
    flushes it; an fsync cost 7 ms a probe, 230 ms on a busy disk, the bytes 0.2 ms."""
    import tempfile

    place = made_at(path)
    probe = tempfile.mkdtemp(prefix=".dealbench-probe-", dir=place)
    try:
        _write_bytes(os.path.join(probe, "room"))
    finally:
        _remove_probe(probe)
    return place


def _write_bytes(name: str) -> None:
    """`PROBE_BYTES` written to a new file `name` and the file closed: an OSError (ENOSPC)
    where the disk has no room for them."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        left = memoryview(bytes(PROBE_BYTES))
        while left:
            left = left[os.write(fd, left) :]
    finally:
        os.close(fd)


def _remove_probe(probe: str) -> None:
    """The probe's folder and its file removed, whatever stopped the probe; a probe that
    cannot be removed is left (hidden: the folder's readers pass it over)."""
    for remove, name in ((os.unlink, os.path.join(probe, "room")), (os.rmdir, probe)):
        try:
            remove(name)
        except FileNotFoundError:
            pass
        except OSError:
            return
