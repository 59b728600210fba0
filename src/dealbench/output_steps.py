"""The steps of writing an output folder as a transaction (`io.OutputDir.publish`).

The new folder is staged beside the old one (the files kept hard-linked, the new ones
written and synced), then put in its place in one step: an atomic exchange where the
system has one (Linux `renameat2(RENAME_EXCHANGE)`), else two renames whose interrupted
middle `recover` rolls back on the next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from dealbench.folders import beside

STAGE = ".dealbench-"

#: A folder holding more files than this that dealbench did not write is written in place.
MAX_FOREIGN_FILES = 200


def walk(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk, stopped after MAX_FOREIGN_FILES * 10 entries (a large folder is not ours)."""
    seen = 0
    for folder, dirs, files in os.walk(root):
        yield folder, dirs, files
        seen += len(dirs) + len(files)
        if seen > MAX_FOREIGN_FILES * 10:
            return


def swappable(root: Path, manifest: Mapping[str, str]) -> bool:
    """Whether `root` may be rebuilt aside and swapped in: it is not the working folder
    (or above it), and holds only regular files, few of them not dealbench's."""
    if not root.is_dir():
        return True
    cwd = Path.cwd().resolve()
    if cwd == root or root in cwd.parents:
        return False
    foreign = 0
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if not path.is_file():  # a FIFO, a socket, a device
                return False
            if str(path.relative_to(root)) not in manifest:
                foreign += 1
                if foreign > MAX_FOREIGN_FILES:
                    return False
    return True


def can_stage(stage: Path, root: Path) -> bool:
    """Whether a folder can be made beside an existing `root` (its parent is writable)."""
    if not root.is_dir():
        return True
    try:
        stage.mkdir()
        stage.rmdir()
    except OSError:
        return False
    return True


def sibling(root: Path, kind: str) -> Path:
    return root.parent / f"{_prefix(root)}{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _prefix(root: Path) -> str:
    """The start of the names of `root`'s staging folders (`folders.beside`: a long name
    shortened so that they are legal names too)."""
    return f".{beside(root.name)}{STAGE}"


def recover(root: Path) -> None:
    """Undo what an interrupted run left beside `root`: restore its previous folder if
    the run died between two renames, remove staging folders."""
    prefix = _prefix(root)
    leftovers = sorted(p for p in root.parent.iterdir() if p.name.startswith(prefix))
    for path in leftovers:
        if not exists(root) and path.name.startswith(prefix + "old-"):
            os.rename(path, root)
        else:
            shutil.rmtree(path, ignore_errors=True)


def swap_in(stage: Path, root: Path) -> Path | None:
    """Put `stage` in place of `root` in one step; returns where the previous folder went."""
    if not exists(root):
        os.rename(stage, root)
        sync_dir(root.parent)
        return None
    if exchange(stage, root):
        sync_dir(root.parent)
        return stage  # now holds the previous folder
    old = sibling(root, "old")  # no atomic exchange here: two renames, recovered if cut
    os.rename(root, old)
    os.rename(stage, root)
    sync_dir(root.parent)
    return old


_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def files_under(root: Path) -> list[str]:
    out = []
    for folder, _, files in os.walk(root):
        for name in files:
            out.append(str((Path(folder) / name).relative_to(root)))
    return sorted(out)


def folders_under(root: Path) -> list[str]:
    return sorted(
        str((Path(folder) / name).relative_to(root))
        for folder, dirs, _ in os.walk(root)
        for name in dirs
    )


def link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exists(path: Path) -> bool:
    return os.path.lexists(path)
