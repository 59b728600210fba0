"""The deal room's status memo and a negotiation's history: `dealbench room --render` and
`dealbench history [--out]` in the browser, through the same library calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.errors import DealbenchError, InputError, Issue, user_lines
from dealbench.model import Portfolio
from dealbench.negotiate import Room, room
from dealbench.negotiate.documents import negotiation_memo_document
from dealbench.negotiate.rounds import check_date
from dealbench.render.documents import Document
from dealbench.web.pages import page
from dealbench.web.views.common import portfolio_file, root, solving, uncertain
from dealbench.web.views.documents import listing, serve_file
from dealbench.web.views.negotiation import _setup


def routes() -> list[Route]:
    return [
        Route("/p/{name}/room/memo", memo_page, name="room_memo"),
        Route("/p/{name}/room/memo/{file:path}", memo_file, name="room_memo_file"),
    ]


def memo_date(request: Request) -> dt.date | None:
    """The memo's `date` (YYYY-MM-DD, or `today` as `room --date` takes it; empty: none)."""
    text = request.query_params.get("date", "").strip()
    if not text:
        return None
    if text.lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            Issue("date", None, "", f"expected YYYY-MM-DD or today, got {text!r}")
        ) from None


async def memo_docs(request: Request) -> list[Document]:
    """The negotiation status memo of `room --render`: the room, then its memo."""
    _, pf, folder = _setup(request)
    date = memo_date(request)
    check_date(pf, date)
    found = await _room(request, pf, folder)
    return [negotiation_memo_document(pf, found, date=date)]


#: The last rooms drawn, by what they were drawn from: the memo page and each of its four
#: downloads ask for the same room, and each would re-plan the open negotiations.
_ROOMS: dict[tuple[Any, ...], Room] = {}


def _state(pf_file: Path, folder: Path) -> tuple[Any, ...]:
    """What a room is drawn from: the portfolio file and every file under its rounds."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    stamp = [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in [pf_file, *files]]
    return (str(folder), *stamp)


async def _room(request: Request, pf: Portfolio, folder: Path) -> Room:
    """`room(pf, folder)`, drawn again only when a file it reads has changed. Every
    file the portfolio loads is under the portfolio's own file or DEALS_DIR's partners
    and policy, so those are stamped too."""
    base = root(request)
    extra = [p for sub in ("partners", "policy") for p in sorted((base / sub).rglob("*.yaml"))]
    key = (
        *_state(portfolio_file(request, request.path_params["name"]), folder),
        *((str(p), p.stat().st_mtime_ns) for p in extra),
    )
    found = _ROOMS.get(key)
    if found is None:
        found = await solving(room, pf, folder)
        if len(_ROOMS) > 8:
            _ROOMS.clear()
        _ROOMS[key] = found
    return found


async def memo_page(request: Request) -> Response:
    """The memo previewed, downloadable in every format; a bad date is refused in the page,
    the field keeping what was typed."""
    name = request.path_params["name"]
    _, pf, _ = _setup(request)
    typed = request.query_params.get("date", "")
    context: dict[str, Any] = {"name": name, "date": typed, "uncertain": uncertain(pf)}
    try:
        docs = await memo_docs(request)
    except DealbenchError as exc:
        if not isinstance(exc, InputError):
            raise
        return page(
            request,
            "room_memo.html.j2",
            400,
            lines=user_lines(exc),
            documents=[],
            base="",
            **context,
        )
    query = urlencode({"date": typed}) if typed else ""
    return page(
        request,
        "room_memo.html.j2",
        lines=[],
        documents=listing(docs),
        base=f"/p/{quote(name, safe='')}/room/memo/",
        suffix=f"?{query}" if query else "",
        **context,
    )


async def memo_file(request: Request) -> Response:
    return serve_file(request, await memo_docs(request), request.path_params["file"])
