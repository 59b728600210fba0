"""Writing output folders as transactions: the previous complete result or the new one.

Every file dealbench writes into an output folder is recorded with its digest
in `.dealbench-manifest.json` there. A later run may replace a file it wrote
and nobody edited since; any other existing file is left alone unless the user
asks (`force`, the CLI's `--force`).

A run never writes into the folder itself. It builds the new folder beside it
(`.NAME.dealbench-new-*`: the files it keeps — the user's own, and with
`replace=False` dealbench's earlier ones — hard-linked, the new files written
and synced, the manifest last) and publishes it in one step: an atomic exchange
of the two folders (Linux `renameat2(RENAME_EXCHANGE)`), or, where that is not
available, two renames whose interrupted middle the next run rolls back. Runs
into one parent folder are serialised by a lock on that folder. A run killed at
any point leaves the previous result in place; its staging folder is removed by
the next run. Symbolic links inside the output folder are refused, so nothing
is ever written outside it. The steps (staging, the swap, recovery) are `output_steps`;
its errors are `output_errors`.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from dealbench.atomic_write import PLACE_ERRORS, temporary, write_failure
from dealbench.errors import Remedy, refusal, stops_held
from dealbench.folders import (
    as_written,
    folder_fault,
    made_at,
    name_too_long,
    named_file,
    no_folder,
    probe_writable,
)
from dealbench.list_words import and_list
from dealbench.output_errors import OutputError, OutputExistsError, OutputTargetError
from dealbench.output_steps import (
    can_stage,
    digest,
    exists,
    files_under,
    folders_under,
    link,
    recover,
    sibling,
    swap_in,
    swappable,
    sync_dir,
    walk,
    write_synced,
)

MANIFEST = ".dealbench-manifest.json"
#: Seconds a run waits for another run writing into the same parent folder.
LOCK_WAIT = 30.0


class OutputDir:
    """A folder of generated files, guarded by its manifest, published as a whole.

    `replace` (solve --out): the new files are the whole generated result, so files
    dealbench wrote in an earlier run and does not write now (the term sheet of a partner
    who no longer has a deal) are removed: those whose path matches one of its patterns
    (`fnmatch`, `*` across folders: `term-sheets/*`), or any with `replace=True`. Other
    commands' files in the same folder stay: `solve --out out` removed the example data
    `dealbench demo` had copied to out/deals (its unedited round files too, leaving a
    round recorded since without the rounds before it), `frontier --out out`'s chart and
    `redline --out out`'s documents. `replace=False` (render, redline): the new files are
    added to what is there.
    """

    def __init__(
        self,
        root: str | Path,
        *,
        force: bool = False,
        replace: bool | Sequence[str] = False,
    ) -> None:
        # as written: `x.md/` (a folder by its trailing slash) keeps its mark for `named_file`
        self.given = root if isinstance(root, Path) else as_written(root)
        self.root = Path(os.path.realpath(root)) if exists(Path(root)) else Path(root).absolute()
        self.force = force
        self.replace = replace
        self.written: list[Path] = []

    def _replaces(self, name: str) -> bool:
        """Whether `name`, written by an earlier run and not now, is this run's to remove."""
        if isinstance(self.replace, bool):
            return self.replace
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.replace)

    # checks -------------------------------------------------------------------------------

    def _manifest(self) -> dict[str, str]:
        try:
            data = json.loads((self.root / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def check(self, names: Iterable[str]) -> None:
        """Raise before anything is written if any of `names` may not be (re)written."""
        self._check_target()
        self._check_all(names, self._manifest())

    def check_target(self) -> None:
        """Raise if the folder cannot be written into at all (a file on its path, a link
        in it): before a long solve whose outputs it is to hold, rather than after."""
        self._check_target()

    def _check_target(self) -> None:
        root = self.root
        fault = folder_fault(root, "a folder to write into")
        if fault is not None:
            raise OutputTargetError("root", f"{self.given}: {fault}")
        for parent in [root, *root.parents]:
            if exists(parent) and not parent.is_dir():
                from dealbench.model.yamlio import display_path

                # named as the user wrote --out: `afile/sub` said /home/me/afile
                shown = display_path(parent)
                raise OutputTargetError(
                    "root", f"{shown} {no_folder(parent)}, so {self.given} cannot be a folder"
                )
        suffix = named_file(self.given)
        if suffix is not None:  # render made a folder named x.md where redline wrote the file
            raise OutputTargetError(
                "root",
                f"{self.given} names a .{suffix} file, but this command writes its files into "
                "a folder; name a folder (a folder of that name is used if it exists)",
            )
        self._check_writable()
        # A folder swapped in whole is rebuilt beside it, its files hard-linked: a link there
        # would be copied as its target's file, so any is refused. One written in place (the
        # working folder) is touched only on the paths written, each checked (`_check`): a
        # link elsewhere in it (`latest -> results-2026`) refused `render --out AE.md`.
        if root.is_dir() and swappable(root, self._manifest()):
            for folder, dirs, files in walk(root):
                for entry in [*dirs, *files]:
                    path = Path(folder) / entry
                    if path.is_symlink():
                        raise OutputTargetError(
                            "root",
                            f"{path} is a symbolic link; dealbench writes only inside the output "
                            "folder and refuses links there (remove it or choose another folder)",
                        )

    def _check_writable(self) -> None:
        """A folder that cannot be written into (read-only, not ours to write, a system
        folder) is refused before a long solve whose outputs it is to hold, not after it
        (exit 1 then): a hidden folder is made and removed where the first folder missing
        would be made, or in the folder itself (then under the lock of runs writing into
        it, lest one of them take the probe for a folder of the user's to keep)."""
        place = made_at(self.root)
        left = "nothing written"
        try:
            locked = _locked(place.parent, self.given, lambda exc: self._io_error(exc, left))
            with locked if place == self.root else nullcontext():
                probe_writable(place)
        except OSError as exc:
            raise self._io_error(exc, left) from None

    def _check_all(self, names: Iterable[str], manifest: Mapping[str, str]) -> None:
        """Check each of `names`; the files of the user's that would be overwritten are
        refused together, all named. The first alone was: a folder holding the user's
        result.json and term sheets of the same names was refused file by file, each
        found only when the last was moved away (the term sheets after another solve)."""
        kept = [shown for name in names if (shown := self._check(name, manifest)) is not None]
        if not kept:
            return
        exists, was, they, them = (
            ("exists", "was", "it is", "it")
            if len(kept) == 1
            else ("exist", "were", "they are", "them")
        )
        reason = (
            f"{and_list(map(str, kept))} {exists} and {was} not written by dealbench, or {was} "
            f"edited since; {they} left as {they}"
        )
        raise refusal(OutputExistsError, reason, Remedy("force", f"to overwrite {them}"))

    def _check(self, name: str, manifest: Mapping[str, str]) -> Path | None:
        """Raise if `name` cannot be written; the path shown of a file of the user's it
        would overwrite (refused with the others by `_check_all`), else None."""
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise OutputTargetError(
                "root", f"{name}: an output file must stay inside the output folder"
            )
        path, shown = self.root / name, self.given / name
        too_long = name_too_long(Path(name))
        if too_long is not None:  # `render --out <300 letters>.md`
            raise OutputTargetError("root", f"{shown}: {too_long}")
        for part in [path, *path.parents]:
            if part == self.root:
                break
            if part.is_symlink():
                raise OutputTargetError(
                    "root",
                    f"{self.given / part.relative_to(self.root)} is a symbolic link; dealbench "
                    "writes only inside the output folder and refuses links there",
                )
            if part != path and exists(part) and not part.is_dir():
                # A file of the user's where dealbench puts a folder (`term-sheets`): the
                # write would fail with the system's "File exists", naming neither.
                raise OutputExistsError(
                    f"{self.given / part.relative_to(self.root)} is a file; dealbench writes "
                    f"{shown} inside a folder of that name (rename or remove the file, or "
                    "write into another folder)"
                )
        if path.is_dir():
            raise OutputExistsError(f"{shown} is a folder; a file of that name cannot be written")
        if path.exists() and not self.force:
            current = hashlib.sha256(path.read_bytes()).hexdigest()
            if manifest.get(name) != current:
                return shown
        return None

    # writing ------------------------------------------------------------------------------

    def write(self, name: str, data: bytes | str) -> Path:
        """Publish one file (a transaction of its own)."""
        return self.publish({name: data})[0]

    def publish(self, files: Mapping[str, bytes | str]) -> list[Path]:
        """Check, stage and publish `files` in one step; returns their paths.

        On any failure the folder is left exactly as it was.
        """
        payload = {name: _bytes(data) for name, data in files.items()}
        self._check_target()
        try:
            self.root.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._io_error(exc) from None
        with _locked(self.root.parent, self.given, self._io_error):
            try:
                recover(self.root)
            except OSError as exc:  # a parent that cannot be listed (write permission alone)
                raise self._io_error(exc) from None
            manifest = self._manifest()
            self._check_all(payload, manifest)
            stage = sibling(self.root, "new")
            # Swapped in whole, unless the folder is not dealbench's alone or cannot get a
            # sibling (writable inside, in a parent that is not): then written in place.
            if (
                swappable(self.root, manifest)
                and can_stage(stage, self.root)
                and self._swapped(stage, payload, manifest)
            ):
                return self._done(payload)
            try:
                self._publish_in_place(payload, manifest)
            except KeyboardInterrupt as exc:  # raised once every file is in place
                self._said_written(exc, payload)
                raise
        return self._done(payload)

    def _swapped(self, stage: Path, payload: dict[str, bytes], manifest: dict[str, str]) -> bool:
        """Stage the new folder beside the old and swap it in; False, with nothing changed,
        when the folder cannot be renamed (EBUSY: a mount point, a USB stick's or a
        container's volume, `--out /mnt/usb` or `--out /mnt/usb/AE.pdf`), to be written in
        place: it failed with "cannot write into /mnt/usb: Device or resource busy"."""
        published = False
        try:
            self._stage(stage, payload, manifest)
            with stops_held():  # published and the previous result removed, or not
                previous = swap_in(stage, self.root)
                published = True
                if previous is not None:
                    shutil.rmtree(previous, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            if exc.errno == errno.EBUSY and not published:
                return False
            raise self._io_error(exc) from None
        except KeyboardInterrupt as exc:
            shutil.rmtree(stage, ignore_errors=True)
            if published:
                self._said_written(exc, payload)
            raise
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        return True

    def _said_written(self, exc: KeyboardInterrupt, payload: Mapping[str, bytes]) -> None:
        """A Ctrl-C or SIGTERM held while the files were put in place, raised once they
        are: the user, told only "interrupted", would take the folder for untouched."""
        shown = [n for n in payload if not n.startswith(".dealbench-")]
        exc.add_note(
            f"note: {len(shown)} file{'s' if len(shown) != 1 else ''} had been written to "
            f"{self.given}/ whole before the command was interrupted"
        )

    def _done(self, payload: Mapping[str, bytes]) -> list[Path]:
        paths = [self.given / name for name in payload]
        self.written += [p for p in paths if not p.name.startswith(".dealbench-")]  # no metadata
        return paths

    def _publish_in_place(self, files: dict[str, bytes], manifest: dict[str, str]) -> None:
        """A folder that is not dealbench's alone (the working folder, or one full of other
        files): each file replaced atomically, stale files removed, the manifest last.

        Every file is first written whole beside its place (where a full disk or a
        read-only folder fails, leaving the folder as it was), then all are renamed into
        place with Ctrl-C and SIGTERM held: stopped between two renames, the folder held
        half the new files beside the old manifest, and the next run refused to replace
        dealbench's own files as "edited since"."""
        kept = dict(manifest)
        stale = [n for n in manifest if n not in files and self._replaces(n)]
        for name, data in files.items():
            kept[name] = hashlib.sha256(data).hexdigest()
        for name in stale:
            kept.pop(name, None)
        text = json.dumps(kept, indent=2, sort_keys=True, allow_nan=False)
        ready: dict[Path, Path] = {}  # temporary file -> its place
        try:
            for name, data in [*files.items(), (MANIFEST, text.encode())]:
                ready[temporary(self.root / name, data)] = self.root / name
            with stops_held():
                for tmp, path in ready.items():  # the manifest last
                    if path == self.root / MANIFEST:
                        for name in stale:
                            old = self.root / name
                            if old.is_file() and digest(old) == manifest[name]:
                                old.unlink()
                    os.replace(tmp, path)
        except OSError as exc:
            raise self._io_error(exc) from None
        finally:
            for tmp in ready:
                tmp.unlink(missing_ok=True)

    def _stage(self, stage: Path, files: dict[str, bytes], manifest: dict[str, str]) -> None:
        stage.mkdir()
        kept: dict[str, str] = {}
        if self.root.is_dir():
            for rel in files_under(self.root):
                if rel == MANIFEST or rel in files:
                    continue
                old = self.root / rel
                if rel in manifest:
                    unedited = digest(old) == manifest[rel]
                    if unedited and self._replaces(rel):
                        continue  # a stale document of an earlier run: not carried over
                    if unedited:
                        kept[rel] = manifest[rel]
                link(old, stage / rel)
            for rel in folders_under(self.root):
                (stage / rel).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            write_synced(stage / name, data)
            kept[name] = hashlib.sha256(data).hexdigest()
        text = json.dumps(kept, indent=2, sort_keys=True, allow_nan=False)
        write_synced(stage / MANIFEST, text.encode())
        sync_dir(stage)

    def _io_error(self, exc: OSError, left: str | None = None) -> OutputError:
        """A write that failed (the folder left as it was), in words: what it left is the
        previous result where there is one, else nothing (a first run into a new folder
        said "the previous result is left as it was" of a result never written)."""
        if left is None:
            before = exists(self.root) and exists(self.root / MANIFEST)
            left = "the previous result is left as it was" if before else "nothing written"
        said = f"cannot write into {self.given}: {write_failure(exc)}; {left}"
        if exc.errno in PLACE_ERRORS:  # the folder given is to change: bad input, --out
            return OutputTargetError("root", said)
        return OutputError(said)


@contextmanager
def _locked(folder: Path, shown: Path, fail: Callable[[OSError], OutputError]) -> Iterator[None]:
    """An exclusive lock on `folder` (flock on its descriptor: no lock file to leave);
    `fail` words a folder that cannot be opened (write permission without read)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise fail(exc) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"another dealbench run is writing into {shown.parent}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data
