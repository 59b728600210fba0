"""Help text helpers shared by every command."""

from __future__ import annotations


def examples(*commands: str, alternatives: str = "", needs: str = "") -> str:
    """An epilog listing example commands, one a line (`\\b` stops click rewrapping them).

    Examples are run in order, as a user reads them; `alternatives` says why they are not
    (`conclude`'s each conclude one deal, after which no round may follow: run in order, the
    second and third were refused), heading them as ways to run one command. `needs` says
    what an example needs that the shipped data cannot give (a Dask cluster of one's own),
    in a paragraph after them, so that one run as shown and refused was told so first."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    heading = f"Examples (alternatives: {alternatives}):" if alternatives else "Examples:"
    after = f"\n\n{needs}" if needs else ""
    return f"\b\n{heading}\n{lines}{after}"
