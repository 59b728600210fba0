"""`dealbench validate`: every data file checked, every problem of every file reported.

Here, in `negotiate`, the upper of the two analysis layers (`analyze` lies below it and
never imports it), because a file is checked by every room that reads it: its shape and
references (`model.load_file`), its clauses (`render.clause_check`), a scenarios file's
overrides against a portfolio (`analyze.scenarios`), and a partner's rounds folder as
`room` and `history` read it (`negotiate.rounds.read`). Both shells call `validate_files`:
the CLI prints `ok:` lines and exits 2 on any issue, the web workbench lists the same
(`/validate`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dealbench.errors import Chosen, InputError, Issue
from dealbench.folders import listing, unhidden
from dealbench.list_words import and_list
from dealbench.model import Portfolio, load_file

__all__ = ["Validation", "data_files", "validate_files"]


@dataclass
class Validation:
    """What `validate_files` found: each file that passed with its kind, and every issue
    of the others (a file may have several)."""

    ok: list[tuple[Path, str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: What passes but does not do what it says (the file stays valid).
    notes: list[Issue] = field(default_factory=list)


def data_files(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """The files named, a folder standing for the YAML files and the house templates
    (`*.j2`, deals/house/) under it, in order (an InputError for a folder without any)."""
    from dealbench.render.house_check import is_template

    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [
                p
                for p in unhidden(path, "*", strict=True)
                if p.suffix.lower() in (".yaml", ".yml") or (is_template(p) and p.is_file())
            ]
            if not found:
                raise InputError(Issue(str(path), None, "", "a folder without YAML files"))
            out += found
        else:
            out.append(path)
    return out


def validate_files(
    paths: list[str | os.PathLike[str]], portfolio: Portfolio | None = None
) -> Validation:
    """Check every file under `paths`: shape, units, references, its clauses, and, with
    `portfolio`, packages and scenarios against it. A round file is checked against its
    portfolio (`round_portfolio`) as `room` and `history` read it. Never stops at the
    first bad file."""
    from dealbench.analyze.scenarios import load_scenarios
    from dealbench.model.load_package import load_round_file
    from dealbench.render.clause_check import check_clauses
    from dealbench.render.house_check import house_template_issues, is_template

    found = Validation()
    passed: list[tuple[Path, str, object]] = []
    files = data_files(paths)
    templates = [path for path in files if is_template(path)]
    files = [path for path in files if not is_template(path)]
    for path in files:
        try:
            kind, loaded = load_file(path, portfolio)
            if kind == "scenarios" and portfolio is not None:
                loaded = load_scenarios(path, portfolio)  # its overrides' notes
            check_clauses(path, kind, loaded)
        except InputError as exc:
            issues = exc.issues if portfolio is None else _scenario_issues(path, portfolio, exc)
            # A partner file's fault is met again in every portfolio that lists it: said once.
            found.issues += [i for i in issues if i not in found.issues]
            continue
        passed.append((path, kind, loaded))
    validated = {pf.id: pf for _p, _k, pf in passed if isinstance(pf, Portfolio)}
    failed = _out_of_place(
        files, {**validated, **({portfolio.id: portfolio} if portfolio else {})}, found
    )
    unchecked: list[tuple[Path, str]] = []
    folders: dict[Path, Portfolio | None] = {}  # a partner's rounds folder: its portfolio
    for path, what, _loaded in passed:
        if path in failed:
            continue
        if what == "round" and portfolio is None:
            own = round_portfolio(path, validated)
            if own is None:
                unchecked.append((path, what))
                continue
            try:
                load_round_file(path, own)
            except InputError as exc:
                found.issues += [i for i in exc.issues if i not in found.issues]
                failed.add(path)
                folders[path.parent] = None  # its own fault said: the folder's would repeat it
                continue
            folders.setdefault(path.parent, own)
    failed |= _folder_issues(folders, found)
    for path, what, loaded in passed:
        if path in failed:
            continue
        found.ok.append((path, what))
        found.notes += [n for n in _notes(path, loaded) if n not in found.notes]
    if portfolio is None:
        found.notes += _unchecked(found.ok, unchecked)
    for path in templates:  # a house template (`render --templates`), as a render reads it
        issues, notes = house_template_issues(path)
        found.issues += issues
        found.notes += notes
        if not issues:
            found.ok.append((path, "house template"))
    return found


def _scenario_issues(path: Path, portfolio: Portfolio, exc: InputError) -> list[Issue]:
    """Every issue of a scenarios file whose own check failed (a scenario listed twice):
    `load_scenarios` says those and each scenario's overrides that do not apply to
    `portfolio` in one pass, where `load_file` stops at the file's own. Another kind of
    file, or one that is no scenarios file at all: `exc`'s issues."""
    from dealbench.analyze.scenarios import load_scenarios
    from dealbench.model import detect_kind
    from dealbench.model.yamlio import read_yaml

    try:
        # A file no kind's keys tell (a package without its `security`) is not a scenarios
        # file either: its own issues say what is wrong ("security: missing required
        # field"), not "cannot tell what this file is", which `load_file` looked past.
        if detect_kind(read_yaml(path), closest=True) != "scenarios":
            return exc.issues
    except InputError:
        return exc.issues
    try:
        load_scenarios(path, portfolio)
    except InputError as every:
        return every.issues
    return exc.issues


def _folder_issues(folders: dict[Path, Portfolio | None], found: Validation) -> set[Path]:
    """Each partner's rounds folder read as a whole, as `room` and `history` read it: a
    gap in the numbering, a basis that is not there, a round after a conclusion. The
    issues go to `found`; the files they name are returned."""
    from dealbench.negotiate.rounds.read import load_negotiation

    named: set[Path] = set()
    for folder, pf in folders.items():
        if pf is None or pf.partner(folder.name) is None:
            continue
        try:
            load_negotiation(pf, folder.parent, folder.name)
        except InputError as exc:
            found.issues += [i for i in exc.issues if i not in found.issues]
            named |= {Path(os.path.abspath(i.file)) for i in exc.issues}
    return {p for p in _round_paths(folders) if Path(os.path.abspath(p)) in named}


def _round_paths(folders: dict[Path, Portfolio | None]) -> list[Path]:
    return [p for folder in folders for p in listing(folder) if p.is_file()]


def _out_of_place(
    files: list[Path], validated: dict[str, Portfolio], found: Validation
) -> set[Path]:
    """Each file kept in a portfolio's rounds folder beside the partners' folders that
    `room` and `history` refuse there (`negotiate.rounds.read.out_of_place`, the one rule):
    its issue goes to `found`, the files are returned."""
    from dealbench.negotiate.rounds.read import out_of_place

    out: set[Path] = set()
    for path in files:
        if rounds_folder_portfolio(path.parent, validated) is None:
            continue
        if (issue := out_of_place(path)) is not None:
            if issue not in found.issues:
                found.issues.append(issue)
            out.add(path)
    return out


def round_portfolio(path: Path, validated: dict[str, Portfolio]) -> Portfolio | None:
    """The portfolio a round file belongs to: `rounds/<portfolio id>/<CODE>/NNN-side.yaml`
    names its id (`rounds_folder_portfolio` of `rounds/<portfolio id>`)."""
    return rounds_folder_portfolio(path.parent.parent, validated)


def rounds_folder_portfolio(folder: Path, validated: dict[str, Portfolio]) -> Portfolio | None:
    """The portfolio whose rounds folder `folder` is: `rounds/<portfolio id>` names its
    id; the portfolio of that id validated in the same run, else one in the `portfolios`
    folder beside `rounds` (where `room` looks for rounds by default); None when neither
    holds it."""
    from dealbench.model import load_portfolio

    folder = Path(os.path.abspath(folder))
    ident, rounds = folder.name, folder.parent
    if ident in validated:
        return validated[ident]
    if rounds.name != "rounds" or not (rounds.parent / "portfolios").is_dir():
        return None
    for candidate in unhidden(rounds.parent / "portfolios", "*.yaml"):
        try:
            pf = load_portfolio(candidate)
        except InputError:
            continue
        if pf.id == ident:
            return pf
    return None


def _unchecked(ok: list[tuple[Path, str]], rounds: list[tuple[Path, str]]) -> list[Issue]:
    """Packages and scenarios passed without a portfolio, and rounds whose portfolio was not
    found, were checked for their shape only: an "ok" for a package naming a concession, a
    period or a security level no portfolio has would otherwise read as a package that can
    be evaluated."""
    shapes = [(path, kind) for path, kind in ok if kind in ("package", "scenarios")]
    shapes += rounds
    if not shapes:
        return []
    kinds = [k for k in ("package", "round", "scenarios") if any(k == kind for _p, kind in shapes)]
    which = str(shapes[0][0]) if len(shapes) == 1 else f"{len(shapes)} {and_list(kinds)} files"
    against = Chosen(  # a portfolio chosen as each shell chooses it (the web: a list)
        "portfolio",
        "checked for shape only; a portfolio (",
        ") checks the partner, periods, security level, concessions and overrides named there",
    )
    return [Issue(which, None, "", "").choosing(against)]


def _notes(path: Path, loaded: object) -> list[Issue]:
    """A policy's cap for tier 3 other than 0: tier 3 receives nothing whatever it says
    (DESIGN.md), so a writer who meant to let it in is told. A portfolio's partners whose
    ask gives no figure for some of its periods, and money outside its plausible bounds
    (`notes.input_notes`, as the solving commands note them; a partner's or policy's file on
    its own, `plausible.money_notes`, and a partner's concessions that can never be granted,
    `notes.never_granted_notes`; a scenarios file against a portfolio, its overrides'
    money). A file a portfolio also names is noted once."""
    from dealbench.model import Partner, Policy
    from dealbench.model.notes import input_notes, never_granted_notes
    from dealbench.model.plausible import caps_notes, money_notes
    from dealbench.model.yamlio import read_yaml

    if isinstance(loaded, Portfolio):
        return input_notes(loaded)
    if isinstance(loaded, list):  # a scenarios file's portfolios: its overrides' notes
        found = (i for _, pf in loaded for i in input_notes(pf, files=False))
        return list(dict.fromkeys(found))
    if not isinstance(loaded, (Partner, Policy)):
        return []
    source = read_yaml(path)
    out = money_notes(loaded, source)
    if isinstance(loaded, Partner):
        out += never_granted_notes(loaded, source, source.display)
    if isinstance(loaded, Policy) and loaded.caps.tier3 != 0:
        message = (
            "tier 3 (arms-embargoed) receives nothing under any deal, whatever this cap says; "
            "write 0 or leave it out"
        )
        out.insert(0, source.issue(("caps", "tier3"), message))
    if isinstance(loaded, Policy):
        out += caps_notes(loaded, source)
    return out
