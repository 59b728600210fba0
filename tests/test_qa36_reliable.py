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
