"""One file written whole or not at all (`write_atomic`), the synced temporary file beside
it that is renamed onto it, and why a write failed in words a user acts on."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import uuid
from pathlib import Path

from dealbench.folders import beside


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new, never half."""
    tmp = temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temporary(path: Path, data: bytes) -> Path:
    """`data` written and synced in a hidden temporary file beside `path`, to be renamed
    onto it; removed again if the write fails or is interrupted.

    The file gets the permissions a new file gets (0666 less the umask), or those of the
    file it replaces: `tempfile.mkstemp` makes it 0600, so a document written in place
    (`solve --out .`) or a package saved by the web came out readable by its owner alone,
    where the same written into a new folder was readable by all (0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{beside(path.name)}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # a new file
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


#: Errors of a write that the place written into causes (read-only, not there, not a
#: folder): the folder given is to change, bad input (exit 2); a full disk or a failing
#: one is not (exit 1).
PLACE_ERRORS = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR)


def write_failure(exc: OSError) -> str:
    """Why a write failed, in words a user acts on (a full disk, a read-only place)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only?)"
    return exc.strerror or str(exc)
