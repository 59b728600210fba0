"""Appending a round: its file's text (and a package file's), written as the next round of a
negotiation, never over another (the folder locked, re-read and re-checked), and a note on
whatever stops the command once the round is on disk. It never rewrites or deletes a round
file, and records nothing into the example rounds dealbench ships.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from dealbench.atomic_write import PLACE_ERRORS, write_failure
from dealbench.errors import Chosen, DealbenchError, InputError, Issue, stops_held
from dealbench.folders import made_at, no_folder, probe_writable
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import RoundFile, problem_issue, round_problems
from dealbench.model.seal import seal
from dealbench.model.yamlio import display_path
from dealbench.negotiate.rounds.check import (
    COUNTER_DATED,
    order_problem,
    refuse_after_close,
)
from dealbench.negotiate.rounds.lock import create_new, folder_locked
from dealbench.negotiate.rounds.negotiation import (
    Negotiation,
    Round,
    round_name,
    rounds_root,
    same_rounds_files,
)
from dealbench.negotiate.rounds.read import load_negotiation, read_round
from dealbench.output_errors import OutputError

__all__ = [
    "append_round",
    "package_data",
    "package_yaml",
    "recorded",
    "refuse_shared",
    "refuse_shipped",
    "refuse_unwritable",
    "round_yaml",
    "shipped_rounds",
    "whole",
]


def shipped_rounds(root: str | os.PathLike[str]) -> bool:
    """Whether `root` is inside the example data dealbench ships (`dealbench.shipped`),
    where no round is recorded (`refuse_shipped`)."""
    from dealbench.shipped import DEALS

    try:
        return Path(os.path.realpath(root)).is_relative_to(os.path.realpath(DEALS))
    except (OSError, ValueError):
        return False


def refuse_shipped(root: str | os.PathLike[str]) -> None:
    """A round is never recorded into the example data dealbench ships (`dealbench.shipped`:
    in the repository the tracked `deals/`, installed the package's own copy): the README's
    outputs, the tests and the demo read those rounds as they are, and a round appended
    there stays (rounds are never removed). An InputError naming the folder, before any
    work; the remedy is a copy, which `dealbench demo` writes."""
    if shipped_rounds(root):
        copy = Chosen(  # chosen as each shell chooses the rounds folder
            "rounds",
            "the example rounds dealbench ships, which its README, tests and demo read "
            "as they are; nothing recorded. Record in a copy: `dealbench demo` writes "
            "one to out/deals (cd out, then the same command), or record in a copy of this "
            "folder (",
            ")",
        )
        raise InputError(Issue(display_path(Path(root)), None, "", "").choosing(copy))


def refuse_unwritable(negotiation: Negotiation) -> None:
    """A rounds folder the next round of `negotiation` cannot be written into (read-only,
    not the user's to write) is refused before any work, as an output folder is
    (`io.OutputDir`): an InputError naming the folder refused and saying what chooses the
    rounds folder in each shell's words (`Chosen` "rounds": the CLI's --rounds, the web's
    copy of the deals folder it serves). The refusal came after the offer's solves, as
    the write's failure (exit 1), and named no way out. A full disk here, or at the
    write itself, is no fault of the folder's: said as the write says it (exit 1)."""
    try:
        probe_writable(negotiation.folder)
    except OSError as exc:
        place = made_at(negotiation.folder)
        number = negotiation.next_number
        if exc.errno not in PLACE_ERRORS:  # a full disk: before the work, as the write says it
            raise OutputError(
                f"cannot record round {number} in {display_path(place)}: "
                f"{write_failure(exc)}; nothing written"
            ) from None
        if not place.is_dir():  # a file where a folder of the path goes: no permission helps
            # `--rounds afile/sub` said "afile: Not a directory, ... Make the folder writable".
            in_the_way = Chosen(
                "rounds",
                f"{no_folder(place)}, so round {number} with {negotiation.partner} cannot be "
                "recorded under it; nothing written. Move it away, or record elsewhere (",
                ")",
            )
            raise InputError(
                Issue(display_path(place), None, "", "").choosing(in_the_way)
            ) from None
        elsewhere = Chosen(
            "rounds",
            f"{write_failure(exc)}, so round {number} with {negotiation.partner} cannot be "
            "recorded here; nothing written. Make the folder writable, or record in a "
            "writable copy of the rounds folder (",
            ")",
        )
        raise InputError(Issue(display_path(place), None, "", "").choosing(elsewhere)) from None


def refuse_shared(portfolio_path: str | os.PathLike[str], portfolio: Portfolio) -> None:
    """A round is not recorded into the rounds folder of a portfolio file that shares its
    `id` with another whose rounds go to the same folder (`same_rounds_files`): the round
    would join the other file's negotiation, for good (rounds are never removed). An
    InputError at the file's `id:` line naming both files and the folder, before any work;
    the way to record there all the same is each shell's (`Chosen` "shared": the CLI's
    --rounds; the web, which names no rounds folder, a copy of the deals folder it serves).
    It took a string naming the way out, which the web passed empty."""
    from dealbench.list_words import and_list
    from dealbench.model.yamlio import read_yaml

    others = same_rounds_files(portfolio_path, portfolio)
    if not others:
        return
    folder = display_path(rounds_root(portfolio_path, portfolio))
    shared = Chosen(
        "shared",
        f"{portfolio.id} is also the id of {and_list([display_path(p) for p in others])}, "
        f"and {'both' if len(others) == 1 else 'all'} record their rounds in {folder}/, so "
        "this round would stand in the negotiation of each file, for good; nothing recorded. "
        "Give one file an id of its own (its rounds then go to a folder of that name)",
    )
    raise InputError(read_yaml(Path(portfolio_path)).issue(("id",), "").choosing(shared))


def round_yaml(data: RoundFile, header: str = "") -> str:
    """The text of a round file: its seal (`model.seal`: a change or a cut after it is
    recorded is told when it is read), a comment, DESIGN.md's field order in plain YAML."""
    body: dict[str, Any] = {"round": data.round, "side": data.side}
    if data.date is not None:
        body["date"] = data.date
    if data.author:
        body["author"] = data.author
    if data.basis:
        body["basis"] = data.basis
    if data.package is not None:
        body["package"] = package_data(data.package)
    if data.note:
        body["note"] = data.note
    body["status"] = data.status
    if data.strategy is not None:
        body["strategy"] = data.strategy.model_dump(mode="json", exclude_none=True)
    if data.retreat:
        body["retreat"] = data.retreat
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    return seal("\n".join([*lines, text.rstrip("\n")]) + "\n")


def package_data(package: Package) -> dict[str, Any]:
    """A package as plain data for YAML: whole H100e as integers, DESIGN.md's field order;
    a period written in chips or in TPP stays so (it reads back as the same H100e)."""
    out: dict[str, Any] = {"partner": package.partner, "security": package.security}
    written = package.written()
    out["compute"] = {t: written.get(t, whole(x)) for t, x in package.compute.items()}
    out["concessions"] = dict(package.concessions)
    if package.title:
        out["title"] = package.title
    if package.sites:
        out["sites"] = dict(package.sites)
    return out


def package_yaml(package: Package, header: str = "") -> str:
    """A package file (deals/packages/*.yaml), as `load_package` reads it."""
    text = yaml.safe_dump(package_data(package), sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    return "\n".join([*lines, text.rstrip("\n")]) + "\n"


def whole(x: float) -> int | float:
    """`x` as a file writes it: a whole number as an integer (within 1e-6), else as it is."""
    return round(x) if abs(x - round(x)) < 1e-6 else x


def append_round(
    portfolio: Portfolio,
    negotiation: Negotiation,
    data: RoundFile,
    header: str = "",
    *,
    dated_by: str = "date",
) -> Round:
    """Write `data` as the next round of `negotiation`; never overwrites, never races.

    The folder is locked, re-read and re-checked; if another command recorded
    a round since `negotiation` was read, nothing is written (InputError).
    `dated_by`: the caller's argument the round's date came from (`date`; a counter's may
    be its file's own, `counter`), for which a date out of order is refused.
    """
    name = round_name(data.round, data.side)
    target = negotiation.folder / name
    refuse_shipped(negotiation.folder.parent)
    _check_new_round(portfolio, negotiation, data, target, dated_by=dated_by)
    text = round_yaml(data, header)
    linked = False
    try:
        try:
            negotiation.folder.mkdir(parents=True, exist_ok=True)
            with folder_locked(negotiation.folder):
                now = load_negotiation(portfolio, negotiation.folder.parent, negotiation.partner)
                if now.next_number != data.round:
                    raise InputError(_raced(data, now))
                # Linked into place with its temporary file removed, or neither: a Ctrl-C
                # just after the link said nothing of the round (and could leave the
                # temporary file in the rounds folder).
                with stops_held():
                    create_new(target, text.encode("utf-8"))
                    linked = True
        except OSError as exc:
            raise _unwritable(target, data.round, exc) from None
        return read_round(portfolio, negotiation.partner, target)
    except (DealbenchError, KeyboardInterrupt) as exc:
        if linked:  # from the moment the file is in place, whatever stops the command says so
            _say_recorded(exc, data, target)
        raise


def _check_new_round(
    portfolio: Portfolio, negotiation: Negotiation, data: RoundFile, target: Path, *, dated_by: str
) -> None:
    """Refuse, before anything is written, a round with problems of its own, a round after
    a concluded or walked-away one, or a round dated before the last (an InputError naming
    `target`, the file it would be, for the argument the date was `dated_by`: a web form's
    Date field, or its counter file, was left unmarked, the refusal said above the form)."""
    problems = list(round_problems(portfolio, negotiation.partner, data))
    if problems:
        raise InputError(
            [
                problem_issue(
                    partial(Issue, display_path(target), None, ".".join(map(str, loc))), msg
                )
                for loc, msg in problems
            ]
        )
    refuse_after_close(negotiation)
    said = order_problem(data.round, data.date, negotiation.rounds)
    if said is not None:
        # Only a counter's date can come from a file (its own `date:`); an offer's, a
        # conclusion's and a walk-away's is the command's.
        counter = data.side == "partner" and data.package is not None and data.status == "open"
        why = COUNTER_DATED if counter else ""
        raise InputError(
            Issue(
                display_path(target),
                None,
                "date",
                f"{said}{why}; nothing written",
            ),
            argument=dated_by,
        )


@contextmanager
def recorded(data: RoundFile, path: Path) -> Iterator[None]:
    """Round `data` is on disk at `path`: whatever stops the command from here on (Ctrl-C,
    an error) says so. The round stands (files are never removed), and a user told only
    "interrupted" would run the command again and record a second round."""
    try:
        yield
    except (DealbenchError, KeyboardInterrupt) as exc:
        _say_recorded(exc, data, path)
        raise


def _say_recorded(exc: DealbenchError | KeyboardInterrupt, data: RoundFile, path: Path) -> None:
    """Note on `exc` that round `data` is on disk at `path` (once)."""
    if not any("was recorded as round" in str(n) for n in getattr(exc, "__notes__", ())):
        stopped = "was interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        exc.add_note(
            f"note: {_what(data)} was recorded as round {data.round} "
            f"({display_path(path)}) before the command {stopped} (see `dealbench history`)"
        )


def _raced(data: RoundFile, now: Negotiation) -> Issue:
    """A round another command recorded while this one made its own of the same number:
    named by its file, which the refusal read of the file this one would have written (it
    does not exist), and what to do about it: read that round first, as this round may no
    longer be wanted (the partner countered, or the deal was concluded)."""
    won = now.rounds[-1]
    return Issue(
        display_path(won.path),
        None,
        "",
        f"recorded by another command while this one made round {data.round} "
        f"({_what(data)}); nothing written: read the round recorded (`dealbench history`), "
        f"then run the command again if {_what(data)} is still wanted (as round "
        f"{now.next_number})",
    )


def _what(data: RoundFile) -> str:
    """What a round records, as a note names it."""
    if data.status == "concluded":
        return "the conclusion"
    if data.status == "walked-away":
        return "the walk-away"
    return "the offer" if data.side == "us" else "the counter"


def _unwritable(target: Path, number: int, exc: OSError) -> OutputError:
    """A round file that cannot be written (its folder read-only, the disk full): said in
    words, with the file's path (no traceback)."""
    return OutputError(
        f"cannot record round {number} as {display_path(target)}: {write_failure(exc)}; "
        "nothing written"
    )
