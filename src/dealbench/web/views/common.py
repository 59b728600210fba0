"""What every page family needs: checked forms, the portfolios under DEALS_DIR."""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from dealbench.errors import InputError, Issue
from dealbench.folders import unhidden
from dealbench.model import Package, Portfolio, load_package, load_portfolio
from dealbench.negotiate.plan import KeptReplans, shared_replans
from dealbench.web.pages import FieldError, TooLarge, Unread
from dealbench.web.security import CSRF_FIELD, CSRF_HEADER, confine, csrf_for

#: Matplotlib's settings are global: one chart is drawn at a time, in every page.
DRAWING = threading.Lock()

PORTFOLIOS = "portfolios"

T = TypeVar("T")

#: HiGHS runs every solve of a process on one global scheduler, reset when a solve asks
#: for another thread count (`optimize.backends.use_threads`): two pages solving at
#: once in the server's threads must not share it, so they take turns. Pages that do
#: not solve (`off_loop`: risk sampling, improvements, documents) and solve jobs (their
#: own processes) never wait for it.
_SOLVER = threading.Lock()


#: The re-plans of every solving page, kept from one page to the next: each is asked of a
#: portfolio object `portfolio` keeps while its files stand, and reads only the concluded
#: and walked-away negotiations, so recording an offer or a counter leaves them standing.
#: The room weighed every counter again after any round was recorded: at global with nine
#: counters, 10 s each time; with these kept, the counters not answered since (qa46-web).
_REPLANS = KeptReplans()


async def solving(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a worker thread, one solving page at a time, with the re-plans the
    pages asked before (`_REPLANS`)."""

    def locked() -> T:
        with _SOLVER, shared_replans(_REPLANS):
            return fn(*args)

    return await run_in_threadpool(locked)


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a worker thread, beside any solve: work that runs no solver (sampling a
    package's acceptance, checking trades, rendering documents) and shares no state with
    one, so that it neither waits behind a long solve nor holds up every other page."""
    return await run_in_threadpool(fn, *args)


#: The last rooms, frontiers and charts drawn, by what they were drawn from: the memo page
#: and each of its four downloads ask for the same room, a chart's SVG and PNG for the same
#: frontier, the negotiation page (reloaded on every Back) for its frontier, and each would
#: solve again.
_DRAWN: dict[tuple[Any, ...], Any] = {}


def _state(request: Request, folder: Path) -> tuple[Any, ...]:
    """What a room or a chart is drawn from: the portfolio's file, the partner and policy
    files under DEALS_DIR it may load, and every file under its rounds folder."""
    base = root(request)
    files = [portfolio_file(request, request.path_params["name"])]
    files += [p for sub in ("partners", "policy") for p in sorted((base / sub).rglob("*.yaml"))]
    files += [p for p in unhidden(folder, "*") if p.is_file()] if folder.is_dir() else []
    stats = [(str(p), p.stat()) for p in files]
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)


async def drawn(request: Request, folder: Path, what: tuple[Any, ...], fn: Callable[[], T]) -> T:
    """`fn()` (a solve, one at a time), drawn again only when a file it reads has changed."""
    key = (*what, str(folder), *_state(request, folder))
    if key not in _DRAWN:
        found = await solving(fn)
        if len(_DRAWN) > 16:
            _DRAWN.clear()
        _DRAWN[key] = found
    value: T = _DRAWN[key]
    return value


def root(request: Request) -> Path:
    path: Path = request.app.state.root
    return path


def chosen_package(request: Request, pf: Portfolio, field: str, file: str) -> Package:
    """The package file `file` chosen in the form's `field`: an error naming the file
    (missing, outside the folder, not a package) is about the field."""
    try:
        return load_package(confine(root(request), file), pf)
    except InputError as exc:
        raise FieldError(field, exc) from None


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token and size are checked."""
    limit: int = request.app.state.max_upload
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise TooLarge(f"larger than the {limit // 1024} KiB allowed")
    form = await request.form(max_part_size=limit)
    given = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, ""))
    if not hmac.compare_digest(given, csrf_for(request.app.state.token)):
        raise HTTPException(403, "The form is stale or came from another site: reload the page.")
    return form


async def sent_form(request: Request) -> FormData:
    """The POSTed form as `checked_form` checks it, or, too large to read, an empty `Unread`
    form: its page refuses it in its own place (`refuse_unread` in the page's `try`, then
    `refusal` and `Typed.of`, as any fault of the form), not an error page."""
    try:
        return await checked_form(request)
    except TooLarge as exc:
        return Unread(exc)


def address_form(request: Request) -> FormData:
    """The fields of the page's address read as its form's: a page a form's POST redirected
    to, its fields in the address (Post/Redirect/Get), reads them as the POST did."""
    items: list[tuple[str, str | UploadFile]] = list(request.query_params.multi_items())
    return FormData(items)


def refuse_unread(form: FormData) -> None:
    """Raise the refusal of a form too large to read (`sent_form`); nothing else."""
    if isinstance(form, Unread):
        raise form.refused


def portfolio_files(request: Request) -> list[Path]:
    """The portfolio files of DEALS_DIR/portfolios, by name."""
    folder = root(request) / PORTFOLIOS
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def portfolio_file(request: Request, name: str) -> Path:
    path = confine(root(request), f"{PORTFOLIOS}/{name}.yaml")
    if not path.is_file():
        raise HTTPException(404, f"No portfolio {name!r} under {root(request) / PORTFOLIOS}.")
    return path


def uncertain(pf: Portfolio, *others: Portfolio) -> list[str]:
    """What a page of deterministic figures says of `pf`'s figures given as distributions
    (that it uses their means), and of `others`' (solved beside it), in the words the
    CLI's commands print."""
    from dealbench.analyze.uncertainty import uncertainty_notes

    return uncertainty_notes(pf, *others)


def notes(
    request: Request, pf: Portfolio, *others: Portfolio, means: bool = True
) -> dict[str, Any]:
    """What a page says above its figures of `pf`'s inputs, as the CLI's commands print
    them: `uncertain`, the figures given as distributions whose means it uses (`means`: a
    page of deterministic figures), and `input_notes`, what the inputs give that is valid
    but likely not meant (an ask without a figure for a period, money without its unit in a
    file or an override: `notes.input_notes`), the files named from DEALS_DIR, each once.
    `others`: the same partners under other regimes (a comparison), whose policies are
    inputs too. The layout shows both (`#uncertain`, `#input-notes`), and `caps_notes`, the
    portfolio's own caps the regime it is under replaced, as `solve --policy` notes them
    (`#caps-notes`)."""
    from dealbench.model.notes import input_notes
    from dealbench.model.regimes import caps_notes

    found = dict.fromkeys(i for each in (pf, *others) for i in input_notes(each))
    return {
        "uncertain": uncertain(pf, *others) if means else [],
        "input_notes": list(dict.fromkeys(_from_root(request, i) for i in found)),
        "caps_notes": [] if others else caps_notes(pf),  # a comparison says its own
    }


def _from_root(request: Request, issue: Issue) -> str:
    """`issue` with its file named from DEALS_DIR (`partners/ph.yaml:8`), however the path
    was written when it was read (absolute, or from the folder the server started in)."""
    try:
        file = Path(issue.file).resolve().relative_to(root(request)).as_posix()
    except (ValueError, OSError):
        file = issue.file
    return str(replace(issue, file=file))


#: The portfolios loaded, each with the state of the files it was loaded from
#: (`_files_state`): the same object while they stand, so that the re-plans kept for it
#: (`_REPLANS`) answer the next page.
_LOADED: dict[Path, tuple[tuple[Any, ...], Portfolio]] = {}


def portfolio(request: Request, name: str) -> Portfolio:
    """The portfolio `name`, loaded by the same loader as the CLI (once while its files
    stand: a portfolio is frozen)."""
    path = portfolio_file(request, name)
    if path in _LOADED:
        state, found = _LOADED[path]
        if _files_state(path, found) == state:
            return found
    found = load_portfolio(path)
    if len(_LOADED) > 16:
        _LOADED.clear()
    _LOADED[path] = (_files_state(path, found), found)
    return found


def _files_state(path: Path, pf: Portfolio) -> tuple[Any, ...]:
    """The size and time of the portfolio's file and of each file it was loaded from (its
    policy, its partners: `Portfolio.inputs`, named from the server's working folder)."""
    files = [path, *(Path(f) for f in pf.inputs if not f.startswith("policy:"))]
    return tuple(
        (str(f), st.st_mtime_ns, st.st_size) if (st := _stat(f)) is not None else (str(f),)
        for f in files
    )


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def relative(request: Request, path: Path) -> str:
    return path.resolve().relative_to(root(request)).as_posix()
