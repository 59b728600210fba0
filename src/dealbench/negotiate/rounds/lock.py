"""Locks on a rounds folder and the file a round is written to: a new round goes to a temporary
file linked to its final name, which fails if the name exists, while a lock on the partner's
folder keeps two commands from taking one number under different sides, and one on the
rounds folder keeps two conclusions from both counting on the supply.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dealbench.atomic_write import temporary
from dealbench.errors import InputError, Issue
from dealbench.model.yamlio import display_path

__all__ = [
    "LOCK",
    "concluding",
    "create_new",
    "folder_locked",
]


LOCK = ".dealbench-lock"


@contextmanager
def concluding(root: Path) -> Iterator[None]:
    """One conclusion at a time in a portfolio's rounds folder, from reading the rounds to
    writing the conclusion. A deal is concluded only when it fits beside the deals
    concluded with the other partners (supply, risk budget), and each partner's folder is
    locked on its own: two `conclude`s for two partners both checked against the deals
    concluded before either, then both recorded deals that together broke the supply
    (qa32-neg). The rounds folder itself is locked (`flock` on the directory, so nothing is
    created in it); one that cannot be opened is read, and refused, by the caller."""
    import fcntl

    try:
        fd: int | None = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        fd = None
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    import fcntl

    with open(folder / LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def create_new(target: Path, data: bytes) -> None:
    """Create `target` with `data`, whole, failing if the name exists (os.link never replaces)."""
    tmp = temporary(target, data)  # as open() would create it, not mkstemp's 0600
    try:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise InputError(
                Issue(
                    display_path(target),
                    None,
                    "",
                    "exists already: another command recorded this round; nothing written",
                )
            ) from None
    finally:
        tmp.unlink(missing_ok=True)
