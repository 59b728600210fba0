"""One file written whole or not at all (`write_atomic`), the synced temporary file beside
it that is renamed onto it, and why a write failed in words a user acts on."""

from __future__ import annotations

import errno
import os
from pathlib import Path


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
    onto it; removed again if the write fails or is interrupted."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_failure(exc: OSError) -> str:
    """Why a write failed, in words a user acts on (a full disk, a read-only place)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only?)"
    return exc.strerror or str(exc)
