"""The deal room's status memo and a negotiation's history: `dealbench room --render` and
`dealbench history [--out]` in the browser, through the same library calls."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, Literal
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.arguments import document_date, frontier_points
from dealbench.errors import DealbenchError, InputError
from dealbench.negotiate import history, room
from dealbench.negotiate.documents import (
    check_memo_date,
    history_chart_files,
    negotiation_memo_document,
    rounds_words,
)
from dealbench.render.documents import Document
from dealbench.web.pages import date_field_shows, page, refusal
from dealbench.web.views.common import drawn, notes
from dealbench.web.views.documents import listing, serve_file
from dealbench.web.views.negotiation import partner_of, setup


def routes() -> list[Route]:
    return [
        Route("/p/{name}/room/memo", memo_page, name="room_memo"),
        Route("/p/{name}/room/memo/{file:path}", memo_file, name="room_memo_file"),
        Route("/p/{name}/n/{code}/history", history_page, name="history"),
        Route("/p/{name}/n/{code}/history/charts/{file}", history_chart, name="history_chart"),
    ]


def memo_date(request: Request) -> dt.date | None:
    """The memo's `date` (YYYY-MM-DD, or `today` as `room --date` takes it; empty: none)."""
    return document_date(request.query_params.get("date", "").strip() or None)


async def memo_docs(request: Request) -> list[Document]:
    """The negotiation status memo of `room --render`: the room, then its memo."""
    _, pf, folder = setup(request)
    date = memo_date(request)
    check_memo_date(pf, folder, date)
    found = await drawn(request, folder, ("room", True), partial(room, pf, folder, why=True))
    return [negotiation_memo_document(pf, found, date=date)]


async def memo_page(request: Request) -> Response:
    """The memo previewed, downloadable in every format; a bad date is refused in the page,
    the field keeping what was typed."""
    name = request.path_params["name"]
    _, pf, _ = setup(request)
    typed = request.query_params.get("date", "")
    context: dict[str, Any] = {"name": name, "date": typed, **notes(request, pf)}
    try:
        docs = await memo_docs(request)
    except DealbenchError as exc:  # the field as typed and marked, the refusal at the top
        refused = refusal(exc, "memo", ("date",))
        return page(
            request,
            "room_memo.html.j2",
            refused.status,
            refused=refused,
            shown=date_field_shows(typed),  # else the field shows none of it
            documents=[],
            base="",
            **context,
        )
    query = urlencode({"date": typed}) if typed else ""
    # The picker holds a date (`today` typed in the address is the memo's date)
    date = memo_date(request)
    context["date"] = date.isoformat() if date is not None else ""
    return page(
        request,
        "room_memo.html.j2",
        refused=None,
        documents=listing(docs),
        base=f"/p/{quote(name, safe='')}/room/memo/",
        suffix=f"?{query}" if query else "",
        **context,
    )


async def memo_file(request: Request) -> Response:
    return await serve_file(request, await memo_docs(request), request.path_params["file"])


# A negotiation's history (`dealbench history PORTFOLIO --partner AE [--out DIR]`) -------

CHART_MEDIA = {"svg": "image/svg+xml", "png": "image/png"}


def _points(request: Request) -> tuple[str, int | Literal["all"]]:
    """The `points` field as typed, and as `history --points` reads it (15 when empty)."""
    typed = request.query_params.get("points", "")
    return typed, frontier_points(typed.strip() or "15")


def chart_download(name: str, file: str) -> str:
    """The name a history chart is saved under: `history --out`'s (AE-rounds.svg) after its
    portfolio's, as a sweep's downloads (gulf-asia's and global's AE charts saved alike,
    the second as "AE-rounds (1).svg")."""
    return f"{name}-{file}"


async def history_page(request: Request) -> Response:
    """Every round with both sides' utilities, its security, compliance (the limits it breaks
    beside the deals concluded with the others) and how each US offer was chosen; the rounds
    drawn on the deal's frontier, downloadable as `history --out` writes them."""
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    found = history(pf, folder, code)
    typed = request.query_params.get("points", "")
    context: dict[str, Any] = {
        "name": name,
        "code": code,
        "history": found,
        "partner": pf.partner(code),
        "points": typed,
        **notes(request, pf),
        "chart_words": rounds_words(pf, found),
    }
    try:
        _points(request)
    except InputError as exc:  # the field as typed and marked, the refusal at the top
        refused = refusal(exc, "history", ("points",))
        return page(
            request, "history.html.j2", refused.status, refused=refused, charts=[], **context
        )
    query = f"?{urlencode({'points': typed})}" if typed else ""
    base = f"/p/{quote(name, safe='')}/n/{code}/history/charts/{code}-rounds"
    charts = (
        [
            (fmt, f"{base}.{fmt}{query}", chart_download(name, f"{code}-rounds.{fmt}"))
            for fmt in CHART_MEDIA
        ]
        if found.points()
        else []
    )
    return page(request, "history.html.j2", refused=None, charts=charts, **context)


async def history_chart(request: Request) -> Response:
    """One of `history --out`'s charts, drawn by the same library call."""
    _, pf, folder = setup(request)
    code = partner_of(request, pf)
    _, points = _points(request)
    file = str(request.path_params["file"])
    stem, _, fmt = file.rpartition(".")
    if stem != f"{code}-rounds" or fmt not in CHART_MEDIA:
        raise HTTPException(404, f"No chart {file!r}.")
    draw = partial(history_chart_files, pf, folder, code, points=points)
    files = await drawn(request, folder, ("history", code, points), draw)
    headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
    if "download" in request.query_params:
        saved = chart_download(request.path_params["name"], file)
        headers["Content-Disposition"] = f'attachment; filename="{saved}"'
    return Response(files[f"charts/{file}"], media_type=CHART_MEDIA[fmt], headers=headers)
