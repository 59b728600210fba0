"""The command's standard output and error, readied before a command runs.

A reader that stops reading (`dealbench solve ... --out out | head -1`, a pager quit
early) ends what is printed, not the command: the summary is printed before the
files are written, and Rich and Click both exit 1 at the first write into a closed
pipe, saying nothing, so `--out` was never written (a folder from an earlier run
was left looking current). From the first broken write on, the stream is
/dev/null, and the command finishes its work and exits with its own code.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, TextIO

__all__ = ["ready"]


class ReaderGone:
    """A text stream that becomes /dev/null once its reader has gone (a broken pipe)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self) -> None:
        """Point the stream's descriptor at /dev/null: what its buffer still holds, and
        whatever the command prints later, goes there (the Python documentation's recipe
        for SIGPIPE), so no later flush, nor the one at exit, fails again."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def ready() -> None:
    """Ready sys.stdout and sys.stderr for a command (once per process)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ReaderGone):
            setattr(sys, name, ReaderGone(stream))
