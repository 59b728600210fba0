"""The command's standard output and error, readied before a command runs.

A reader that stops reading (`dealbench solve ... --out out | head -1`, a pager quit
early) ends what is printed, not the command: the summary is printed before the
files are written, and Rich and Click both exit 1 at the first write into a closed
pipe, saying nothing, so `--out` was never written (a folder from an earlier run
was left looking current). From the first broken write on, the stream is
/dev/null, and the command finishes its work and exits with its own code.

A stream the command was started without (`>&-`, a launcher that closed it) is
/dev/null too: Python leaves `sys.stdout` None there, and the solver's first
call (which silences HiGHS's banner on descriptor 1) ended in a traceback; worse,
the first file opened would take descriptor 1 and receive what is printed.

A terminal that cannot show every character (`LC_ALL=C` with UTF-8 mode off, a
Latin-1 locale, `PYTHONIOENCODING=ascii`) is given a plain spelling of each one it
lacks: "2026-2028" for "2026–2028", ">=" for "≥". The first such character (a
portfolio's title, a table's rule) ended the command in a UnicodeEncodeError
traceback, exit 1.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import unicodedata
from typing import Any, TextIO

__all__ = ["ready"]

#: The encoding error handler of a stream that lacks characters dealbench prints.
PLAIN = "dealbench-plain"
#: Plain spellings of the characters dealbench's messages, tables and shipped data use;
#: any other letter loses its accents ("é" is "e"), and anything else is "?".
PLAIN_SPELLINGS = {
    "–": "-",
    "—": "--",
    "−": "-",
    "…": "...",
    "×": "x",
    "→": "->",
    "←": "<-",
    "·": ".",
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "±": "+/-",
    "ε": "epsilon",
    "§": "S.",
    "£": "GBP ",
    "€": "EUR ",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "█": "#",
    "\u00a0": " ",
}


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
    _open_missing()
    codecs.register_error(PLAIN, plain_spelling)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        if stream is None:  # started without it: now /dev/null (above)
            stream = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        _spell_plainly(stream)
        if not isinstance(stream, ReaderGone):
            setattr(sys, name, ReaderGone(stream))


def _open_missing() -> None:
    """Descriptors 0, 1 and 2 that are closed become /dev/null, so that no file this
    process opens takes their number."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)  # the lowest free number: `fd` or below
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)


def plain_spelling(error: UnicodeError) -> tuple[str, int]:
    """An encoding error handler: the characters a stream cannot encode, spelled in
    ASCII (`PLAIN_SPELLINGS`, else the letter without its accents, else "?")."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_plain(char) for char in text), error.end


def _plain(char: str) -> str:
    if char in PLAIN_SPELLINGS:
        return PLAIN_SPELLINGS[char]
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare.isascii() and bare else "?"


def _spell_plainly(stream: TextIO) -> None:
    """A stream whose encoding is not a Unicode one spells what it lacks plainly;
    others are left as they are (a test's captured stream, a UTF-8 terminal)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        unicode = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return
    if not unicode and hasattr(stream, "reconfigure"):
        with contextlib.suppress(OSError, ValueError):
            stream.reconfigure(errors=PLAIN)
