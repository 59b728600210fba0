"""Read YAML files keeping line numbers: a `Source` places every field at its line.

The parser (yamlparse) keeps the line of every key and item and refuses duplicate
keys, so a typo or a pasted-twice key is reported where it stands instead of
silently winning. `validation` turns a model's errors into `file:line` issues.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml import YAMLError

from dealbench.errors import InputError, Issue
from dealbench.model.positions import field_path, first_missing, is_tag, lines_under, locate
from dealbench.model.seal import check_seal
from dealbench.model.yamlparse import (
    Given,
    Loc,
    Numbers,
    Positions,
    UnreadableValue,
    numbers_on,
    parse,
    written_at,
    yaml_issue,
)

__all__ = [
    "MAX_FILE_BYTES",
    "Loc",
    "Positions",
    "Source",
    "display_path",
    "read_yaml",
]


#: The largest data file read, in bytes; larger files are refused before parsing.
#: The shipped files are a few kilobytes; a 500-partner portfolio is under 100 kB.
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A parsed YAML file: its path for messages, its data and lines, its bytes' digest."""

    path: Path
    display: str
    tree: Any
    digest: str
    positions: Positions = None
    numbers: Numbers = field(default_factory=dict)  # as written, for messages
    given: Given = field(default_factory=dict)  # the values given by an alias

    def line(self, loc: Loc) -> int | None:
        """1-based line of the deepest node of `loc` found in the tree (an alias's, where
        the value is given by one)."""
        return locate(self.positions, loc, given=self.given).line

    def has(self, loc: Loc) -> bool:
        """Whether the file gives the field at `loc` (every part of it found)."""
        return first_missing(self.positions, loc) is None

    def issue(self, loc: Loc, message: str, *, of_key: bool = False) -> Issue:
        """An issue at `loc`, at its value's line (`of_key`: its key's, for a message about the
        key itself); a last field absent from the file is named at its parent's line."""
        spot = locate(self.positions, loc, of_key=of_key, given=self.given)
        node_loc = spot.loc
        if loc and isinstance(loc[-1], str) and not is_tag(loc[-1]):
            parent = locate(self.positions, loc[:-1]).loc
            plain = [p for p in loc[:-1] if not (isinstance(p, str) and is_tag(p))]
            if node_loc == parent and len(parent) == len(plain):
                node_loc = (*parent, loc[-1])
        return Issue(self.display, spot.line, field_path(node_loc), spot.said(message))

    def written(self, loc: Loc, value: Any) -> str | None:
        """The number `value` at `loc` as the file writes it (`-600_000`), where that is
        not as Python writes it (-600000); else None."""
        return written_at(self.numbers, locate(self.positions, loc).written, value)

    def numbers_in(self, loc: Loc) -> dict[float, str | None]:
        """The numbers of the value at `loc` as the file writes them, where that is not as
        Python writes them: a mapping's too (`{tpp: -5_0}`), for a message that quotes it."""
        return numbers_on(self.numbers, lines_under(self.positions, loc))

    def typed(self, loc: Loc, message: str) -> str:
        """`message` of a check past the model's (a round's recorded strategy) quoting the
        numbers at `loc` as the file writes them (`beta: .nan`: "got .nan", not nan), as
        `validate`'s messages do (`error_words.as_typed`)."""
        from dealbench.model.error_words import as_typed

        numbers = self.numbers_in(loc)
        for number, text in numbers.items():
            message = as_typed(message, number, text, at_start=len(numbers) == 1)
        return message

    def data(self) -> Any:
        """The tree as plain dicts and lists (what pydantic validates); not a copy."""
        return self.tree


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    text = str(path).replace("\x00", "\\0")
    if "\x00" in str(path):
        return text
    try:  # not resolved: a symlink is named as the user wrote it
        return str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
    except (ValueError, OSError):  # elsewhere, or no working directory: as written, its
        # `a/..` taken out (a partner file reached from a portfolio's folder was named
        # `/data/portfolios/../partners/ae.yaml`), as the working directory's own are
        return os.path.normpath(text)


#: The message of a file that does not exist, before any "did you mean" (`not_found`).
NOT_FOUND = "file not found"


#: The most names of a folder looked through for a near one: a folder of thousands is not
#: where a data file was meant.
_NEAR_NAMES = 2_000


def near_name(path: Path) -> str | None:
    """The name of an entry beside `path` that differs from its name by a letter or two
    (`gulf-asia.yml` for `gulf-asia.yaml`, `ae-ofer.yaml`), by case only (`ae.yaml` for
    `AE.yaml`) or by its suffix only (`gulf-asia.yaml` for `gulf-asia`), or None: what
    the user most likely meant by a path that does not exist."""
    try:
        with os.scandir(path.parent if str(path.parent) else ".") as entries:
            names = [e.name for _, e in zip(range(_NEAR_NAMES), entries, strict=False)]
    except (OSError, ValueError):
        return None
    names = [n for n in names if not n.startswith(".") and n != path.name]
    # Only the case differs (`AE.yaml` for `ae.yaml`), or the suffix was left off
    # (`gulf-asia`): a near name whatever its length, which difflib's ratio misses on
    # short names and on a suffix of five letters.
    cased = sorted(n for n in names if n.lower() == path.name.lower())
    suffixed = sorted(n for n in names if n.startswith(f"{path.name}."))
    close = (
        cased or suffixed or difflib.get_close_matches(path.name, sorted(names), n=1, cutoff=0.8)
    )
    return close[0] if close else None


def near_path(path: Path, shown: str) -> str | None:
    """`shown` (the path as written) as the user most likely meant it, or None: its last
    part a near name (`near_name`), or, where its folder does not exist, that folder a near
    name (`deals/portfolio/gulf-asia.yaml` for `deals/portfolios/gulf-asia.yaml`) and the
    file the same name or a near one in it."""
    near = near_name(path)
    if near is not None:
        return with_name(shown, near)
    head = max(shown.rfind("/"), shown.rfind(os.sep))
    if head <= 0 or os.path.lexists(path.parent):
        return None
    folder = near_name(path.parent)
    if folder is None:
        return None
    inside = path.parent.with_name(folder) / path.name
    name = path.name if os.path.lexists(inside) else near_name(inside)
    if name is None:
        return None
    return with_name(shown[:head], folder) + shown[head] + name


def in_deals(shown: str, folder: str) -> str | None:
    """The file a bare name (`gulf-asia`, `gulf-asia.yaml`: no folder) most likely meant
    where none is beside it, in `folder` of the working folder's deals/ (`portfolios`, for
    a portfolio): `deals/portfolios/gulf-asia.yaml`, the name as given or a near one
    (`near_name`); else None. `solve gulf-asia`, the portfolio named by its id, was
    answered "file not found" alone, where a mistyped path was answered "did you mean"."""
    if Path(shown).name != shown or shown in ("", ".", ".."):
        return None
    inside = Path("deals", folder, shown)
    name = shown if inside.is_file() else near_name(inside)
    if name is None or not (inside.parent / name).is_file():
        return None
    return (inside.parent / name).as_posix()


def not_found(path: Path, shown: str) -> str:
    """`file not found`, and the near name in the form the path was `shown` where one
    exists: "file not found; did you mean deals/portfolios/gulf-asia.yaml?". `-`, which
    a user means as standard input (`cat counter.yaml | dealbench counter PF -`), is said
    so: "-: file not found" read as a file called "-" gone missing. So is a number (`evaluate
    3`, `redline 2 3`), which a user means as a round, as `--against 3` and `--round 3` take
    one: "3: file not found" said nothing of where the round's file is."""
    if str(path) == "-":
        return (
            f"{NOT_FOUND}: dealbench does not read standard input ('-'), only files, which "
            "its messages name by line: save the data to a file and name the file"
        )
    if str(path).isdigit():  # `evaluate 3`, `redline 2 3`: a round, meant by its number
        number = int(str(path))
        return (
            f"{NOT_FOUND}: a round is named here by its file, not its number: "
            f"deals/rounds/<portfolio>/<CODE>/{number:03d}-<side>.yaml, its side us or "
            "partner (`dealbench history PORTFOLIO --partner CODE` lists the rounds)"
        )
    near = near_path(path, shown)
    return NOT_FOUND if near is None else f"{NOT_FOUND}; did you mean {near}?"


def with_name(shown: str, name: str) -> str:
    """`shown` (a path as written) with its last part `name`, its separators kept."""
    head = max(shown.rfind("/"), shown.rfind(os.sep))
    return shown[: head + 1] + name


def folder_of(path: str | os.PathLike[str]) -> Path:
    """The folder a data file's relative references start from, absolute: the folder
    the path names, not its target's when the file is a link (as the loader reads them),
    with the folder's own links followed (as the system does for `..`)."""
    return Path(path).absolute().parent.resolve()


def read_yaml(path: Path) -> Source:
    """Parse one YAML file; every failure becomes an InputError naming file and line. A
    sealed file (a recorded round) whose seal does not match is refused before it is
    parsed: cut short, it could still parse as something else (`seal`)."""
    display = display_path(path)
    raw = read_regular_file(path, display)
    check_seal(raw, display)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # what some Windows editors save
            problem = "UTF-16 text, expected UTF-8; save the file as UTF-8"
            raise InputError(Issue(display, 1, "", problem)) from None
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Issue(display, bad_line, "", f"not UTF-8 text ({exc.reason})")) from None
    try:
        tree, positions, duplicates, numbers, given = parse(text)
    except UnreadableValue as exc:
        if not exc.loc or exc.problem_mark is None:
            raise InputError(yaml_issue(display, text, exc)) from None
        line = exc.problem_mark.line + 1
        raise InputError(Issue(display, line, field_path(exc.loc), str(exc.problem))) from None
    except YAMLError as exc:
        raise InputError(yaml_issue(display, text, exc)) from None
    if duplicates:
        raise InputError([_duplicate_key_issue(display, *dup) for dup in duplicates])
    if tree is None:
        raise InputError(Issue(display, 1, "", _no_data(text)))
    if not isinstance(tree, dict):
        raise InputError(Issue(display, 1, "", "expected a mapping of fields at the top level"))
    digest = hashlib.sha256(raw).hexdigest()
    return Source(path, display, tree, digest, positions, numbers, given)


def _no_data(text: str) -> str:
    """What a file YAML reads as no data holds: nothing, only comments (a file whose data
    was deleted or commented out), or a null written alone (`~`, `---`)."""
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines()]
    written = [line for line in lines if line and line not in ("---", "...")]
    if not written:
        return "the file is empty, expected a mapping"
    if all(line.startswith("#") for line in written):
        return "the file has only comments, no data; expected a mapping of fields"
    return "the file holds no data (a null value alone), expected a mapping"


def read_regular_file(
    path: Path, display: str, limit: int = MAX_FILE_BYTES, expected: str = "a YAML file"
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or an InputError saying why not
    (`expected`: what the file is to be, "a template", said in each refusal).

    Devices, FIFOs, sockets and folders are refused before a byte is read (a FIFO is
    opened without blocking), a symlink loop or a NUL byte in the name is named as
    such, and a file is never read past `limit`.
    """

    def fail(message: str) -> InputError:
        return InputError(Issue(display, None, "", message))

    if "\x00" in str(path):
        raise fail("the path contains a NUL byte; expected a file name")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise fail(not_found(path, display)) from None
    except IsADirectoryError:
        raise fail(f"is a directory, expected {expected}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail(f"a loop of symbolic links; expected {expected}") from None
        if exc.errno == errno.ENXIO:  # a socket (or a device without its driver)
            raise fail(
                f"not a regular file (a device, FIFO or socket); expected {expected}"
            ) from None
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail(f"is a directory, expected {expected}")
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"not a regular file (a device, FIFO or socket); expected {expected}")
        if info.st_size > limit:
            raise fail(
                f"the file is {info.st_size:,} bytes; {expected} is limited to {limit:,} bytes"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise fail(f"the file is over {limit:,} bytes; {expected} is limited to that")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _duplicate_key_issue(display: str, line: int, first: int, loc: Loc) -> Issue:
    """A key given twice, reported at the second one with its field path and the first's line."""
    message = f"duplicate key: already given on line {first} (a key may appear only once)"
    if loc and loc[-1] == "<<":  # two merges: one key takes a list of them, the first winning
        message += "; merge several mappings with one key, <<: [*first, *second]"
    return Issue(display, line, field_path(loc), message)
