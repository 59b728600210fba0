"""Help text helpers shared by every command."""

from __future__ import annotations


def examples(*commands: str, alternatives: str = "") -> str:
    """An epilog listing example commands, one a line (`\\b` stops click rewrapping them).

    Examples are run in order, as a user reads them; `alternatives` says why they are not
    (`conclude`'s each conclude one deal, after which no round may follow: run in order, the
    second and third were refused), heading them as ways to run one command."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    heading = f"Examples (alternatives: {alternatives}):" if alternatives else "Examples:"
    return f"\b\n{heading}\n{lines}"
