"""A partner's negotiation and the deal room: rounds, the frontier, counters, next offers.

Everything here is a call into `dealbench.negotiate` (the same calls `dealbench
offer | counter | history | room` make); work that solves runs in a worker
thread so other pages keep answering meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.errors import InputError, Issue
from dealbench.model import Portfolio
from dealbench.negotiate import (
    STRATEGIES,
    history,
    load_negotiation,
    record_counter,
    record_offer,
    room,
    rounds_root,
)
from dealbench.negotiate.documents import round_documents
from dealbench.negotiate.frontier import frontier
from dealbench.negotiate.room import deal_basis, round_json
from dealbench.negotiate.round_points import chart_rounds
from dealbench.web.chart import frontier_chart
from dealbench.web.pages import page
from dealbench.web.security import inside
from dealbench.web.views.common import checked_form, portfolio, portfolio_file, root, solving
from dealbench.web.views.documents import documents_page, serve_file
from dealbench.web.views.packages import package_from_form, read_upload

FIXABLE = ("compute", "security")


def routes() -> list[Route]:
    return [
        Route("/p/{name}/room", show_room, name="room"),
        Route("/p/{name}/n/{code}", show_partner, name="negotiation"),
        Route("/p/{name}/n/{code}/frontier", frontier_fragment, name="frontier"),
        Route("/p/{name}/n/{code}/counter", post_counter, methods=["POST"], name="counter"),
        Route("/p/{name}/n/{code}/offer", post_offer, methods=["POST"], name="offer"),
        Route("/p/{name}/n/{code}/rounds/{number:int}", round_page, name="round"),
        Route("/p/{name}/n/{code}/rounds/{number:int}/{file:path}", round_file, name="round_file"),
    ]


def _setup(request: Request) -> tuple[str, Portfolio, Path]:
    """The portfolio and its rounds folder (which must lie under DEALS_DIR)."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    folder = inside(root(request), rounds_root(portfolio_file(request, name), pf))
    return name, pf, folder


def _partner(request: Request, pf: Portfolio) -> str:
    code = str(request.path_params["code"]).upper()
    if pf.partner(code) is None:
        raise HTTPException(404, f"No partner {code!r} in portfolio {pf.id}.")
    return code


async def show_room(request: Request) -> Response:
    name, pf, folder = _setup(request)
    the_room = await solving(room, pf, folder)
    return page(request, "room.html.j2", name=name, room=the_room)


async def show_partner(request: Request) -> Response:
    name, pf, folder = _setup(request)
    code = _partner(request, pf)
    return page(
        request,
        "negotiation.html.j2",
        name=name,
        code=code,
        partner=pf.partner(code),
        history=history(pf, folder, code),
        strategies=sorted(STRATEGIES),
        fixable=FIXABLE + tuple(c.id for c in pf.partner(code).concessions),  # type: ignore[union-attr]
    )


async def frontier_fragment(request: Request) -> Response:
    """The frontier chart (a fragment the negotiation page loads after it shows)."""
    name, pf, folder = _setup(request)
    code = _partner(request, pf)

    def work() -> dict[str, Any]:
        basis = deal_basis(pf, folder, code)
        curve, rounds = chart_rounds(frontier(basis, code, points=15), basis, pf, folder)
        chart = frontier_chart(curve, [round_json(r) for r in rounds])
        return {"chart": chart, "curve": curve}

    data = await solving(work)
    return page(request, "_frontier.html.j2", name=name, code=code, **data)


async def post_counter(request: Request) -> Response:
    """Record the partner's counter (an uploaded file, or the editor's fields) and its verdict."""
    form = await checked_form(request)
    name, pf, folder = _setup(request)
    code = _partner(request, pf)
    item = form.get("file")
    if isinstance(item, UploadFile) and item.filename:
        package = await read_upload(request, item, pf)
    else:
        package = package_from_form(form, pf)
    note = str(form.get("note") or "").strip() or None
    result = await solving(
        lambda: record_counter(pf, folder, code, package, note=note, author="web workbench")
    )
    return page(
        request,
        "recorded.html.j2",
        name=name,
        code=code,
        kind="counter",
        round=result.round,
        verdict=result.verdict,
        proposal=None,
    )


async def post_offer(request: Request) -> Response:
    """Propose and record the next US offer by the chosen strategy."""
    form = await checked_form(request)
    name, pf, folder = _setup(request)
    code = _partner(request, pf)
    strategy = str(form.get("strategy") or "") or None
    if strategy is not None and strategy not in STRATEGIES:
        raise InputError(
            Issue("strategy", None, "", f"expected one of: {', '.join(sorted(STRATEGIES))}")
        )
    fix = [str(v) for v in form.getlist("fix") if str(v)]
    note = str(form.get("note") or "").strip() or None
    result = await solving(
        lambda: record_offer(
            pf, folder, code, strategy=strategy, fix=fix, note=note, author="web workbench"
        )
    )
    return page(
        request,
        "recorded.html.j2",
        name=name,
        code=code,
        kind="offer",
        round=result.round,
        verdict=None,
        proposal=result.proposal,
    )


def _round_docs(request: Request) -> tuple[str, str, int, list[Any]]:
    name, pf, folder = _setup(request)
    code = _partner(request, pf)
    number = int(request.path_params["number"])
    negotiation = load_negotiation(pf, folder, code)
    rounds = {r.number: r for r in negotiation.rounds}
    current = rounds.get(number)
    if current is None or current.package is None:
        raise HTTPException(404, f"No round {number} with a package for {code}.")
    # A US offer is redlined against the previous US offer; a counter against the
    # US offer it answers: both are the last US round before it.
    earlier = [r for r in negotiation.rounds if r.number < number and r.package is not None]
    previous = next((r for r in reversed(earlier) if r.side == "us"), None)
    return name, code, number, round_documents(pf, code, current, previous)


async def round_page(request: Request) -> Response:
    name, code, number, docs = _round_docs(request)
    heading = f"Documents of round {number} with {code}"
    return documents_page(request, heading, f"/p/{name}/n/{code}/rounds/{number}/", docs, name)


async def round_file(request: Request) -> Response:
    _, _, _, docs = _round_docs(request)
    return serve_file(request, docs, request.path_params["file"])
