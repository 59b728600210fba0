"""Writing files safely: atomic replaces, and no clobbering of what a user wrote.

Every file dealbench writes into an output folder is recorded with its digest
in `.dealbench-manifest.json` there. A later run may replace a file it wrote
and nobody edited since; any other existing file is left alone unless the user
passes `--force`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from dealbench.errors import DealbenchError

MANIFEST = ".dealbench-manifest.json"


class OutputExistsError(DealbenchError):
    """An output would overwrite a file dealbench did not write (or that was edited)."""

    exit_code = 2


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputDir:
    """A folder of generated files, guarded by its manifest."""

    def __init__(self, root: str | Path, *, force: bool = False) -> None:
        self.root = Path(root)
        self.force = force
        self.written: list[Path] = []
        manifest = self.root / MANIFEST
        try:
            self._manifest: dict[str, str] = json.loads(manifest.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            self._manifest = {}

    def check(self, names: Iterable[str]) -> None:
        """Raise before anything is written if any of `names` may not be (re)written."""
        for name in names:
            self._check(name)

    def _check(self, name: str) -> None:
        path = self.root / name
        if path.exists() and not self.force:
            current = hashlib.sha256(path.read_bytes()).hexdigest()
            if self._manifest.get(name) != current:
                raise OutputExistsError(
                    f"{path} exists and was not written by dealbench, or was edited since; "
                    "it is left as it is (use --force to overwrite it)"
                )

    def write(self, name: str, data: bytes | str) -> Path:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / name
        self._check(name)
        write_atomic(path, payload)
        self._manifest[name] = hashlib.sha256(payload).hexdigest()
        write_atomic(
            self.root / MANIFEST,
            json.dumps(self._manifest, indent=2, sort_keys=True, allow_nan=False).encode(),
        )
        self.written.append(path)
        return path
