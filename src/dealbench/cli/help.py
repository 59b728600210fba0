"""Help text helpers shared by every command."""

from __future__ import annotations


def examples(*commands: str) -> str:
    """An epilog listing example commands, one a line (`\\b` stops click rewrapping them)."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    return f"\b\nExamples:\n{lines}"
