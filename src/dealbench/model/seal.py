"""A recorded file's seal: its first line holds the sha256 of every line below it, so a
file changed or cut short after it was written is told, not read as something else.

dealbench seals the round files it records (`negotiate.rounds.write.round_yaml`): a
round is never edited, and a round cut at a line end (a disk fault, an editor) can still
be valid YAML saying other terms. The seal is the first line so that no cut can leave a
valid file without it. A file without one (a round recorded before seals, one written
by hand) is read as before. Line endings changed to CRLF (a Windows checkout) and a
byte-order mark are no change: the digest is taken with both undone.
"""

from __future__ import annotations

import hashlib
import re

from dealbench.errors import InputError, Issue

__all__ = ["SEAL_PREFIX", "check_seal", "seal", "seal_fault"]

#: How a sealed file begins; a first line beginning so is a seal, whole or damaged.
SEAL_PREFIX = "# Seal, sha256 of the lines below: "
_SEAL = re.compile(rb"# Seal, sha256 of the lines below: ([0-9a-f]{64})")


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def seal(text: str) -> str:
    """`text` with its seal as a first line (the same text, the same seal)."""
    return f"{SEAL_PREFIX}{_digest(text.encode('utf-8'))}\n{text}"


def seal_fault(raw: bytes) -> str | None:
    """What is wrong with the seal of a file of bytes `raw`: None when the file has no seal
    (its first line is not one) or its seal matches the lines below it."""
    raw = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    if not raw.startswith(SEAL_PREFIX.encode("ascii")):
        return None
    first, newline, body = raw.partition(b"\n")
    found = _SEAL.fullmatch(first)
    if found is None or not newline:
        return "its seal, line 1, is damaged"
    if found.group(1).decode("ascii") != _digest(body):
        return "its seal, line 1, does not match the lines below"
    return None


def check_seal(raw: bytes, display: str) -> None:
    """Refuse (InputError at line 1 of `display`) a sealed file changed after it was
    written; a file without a seal passes."""
    fault = seal_fault(raw)
    if fault is not None:
        raise InputError(
            Issue(
                display,
                1,
                "",
                f"changed or cut short after it was recorded ({fault}): restore it from your "
                "copy (a backup, version control); a round is never edited, new terms are a "
                "new round. If the change is meant (a round written by hand from a copy of a "
                "recorded one), delete line 1, the seal, and it is read as written",
            )
        )
