"""Help text helpers shared by every command."""

from __future__ import annotations

import inspect
import re
from typing import Any

from typer.core import TyperCommand


def examples(*commands: str, alternatives: str = "", needs: str = "") -> str:
    """An epilog listing example commands, one a line (`\\b` stops click rewrapping them).

    Examples are run in order, as a user reads them; `alternatives` says why they are not
    (`conclude`'s each conclude one deal, after which no round may follow: run in order, the
    second and third were refused), heading them as ways to run one command. `needs` says
    what an example needs that the shipped data cannot give (a Dask cluster of one's own),
    in a paragraph after them, so that one run as shown and refused was told so first. A
    line too long for the help's width is folded where `--help` prints it (`ExampleCommand`)."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    heading = f"Examples (alternatives: {alternatives}):" if alternatives else "Examples:"
    after = f"\n\n{needs}" if needs else ""
    return f"\b\n{heading}\n{lines}{after}"


#: A word of an example as the shell reads it: a quoted note is one word, never folded.
_WORD = re.compile(r"'[^']*'|\"[^\"]*\"|\S+")
#: Where a folded example's next lines start, under its command.
_GOES_ON = "      "


def fold_example(line: str, width: int) -> list[str]:
    """An example line (`  $ dealbench ...`) of at most `width` characters, or folded
    between words (before an option) into lines that each end in ` \\`, as a shell reads one command: the
    terminal folded it mid-path (`deals/portfolios/gul` | `f-asia.yaml`) at 80 columns."""
    if len(line) <= width or not line.lstrip().startswith("$ "):
        return [line]
    head = line[: len(line) - len(line.lstrip())] + "$"
    out: list[str] = []
    current = head
    for word in _units(_WORD.findall(line.lstrip()[2:])):
        if current.strip() not in ("", "$") and len(f"{current} {word} \\") > width:
            out.append(f"{current} \\")
            current = _GOES_ON + word
        else:
            current = f"{current} {word}" if current != _GOES_ON else current + word
    return [*out, current]


def _units(words: list[str]) -> list[str]:
    """The words, an option kept with its value (`--portfolio deals/...`): a fold goes
    before an option, so each line reads as whole options."""
    units: list[str] = []
    for word in words:
        last = units[-1] if units else ""
        if last.startswith("-") and " " not in last and not word.startswith("-"):
            units[-1] = f"{last} {word}"
        else:
            units.append(word)
    return units


class ExampleCommand(TyperCommand):
    """A command whose examples fit the help's width: each is folded between words into
    lines joined by ` \\` (`fold_example`), which a shell runs as written."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if not self.epilog:
            return
        width = formatter.width - formatter.current_indent - 2  # the epilog's indentation
        epilog = inspect.cleandoc(self.epilog)
        lines = [part for line in epilog.splitlines() for part in fold_example(line, width)]
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("\n".join(lines))
