"""The ASGI app: routes of each page family, the access guard, static files."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dealbench.errors import DealbenchError
from dealbench.web.jobs import Jobs
from dealbench.web.pages import (
    HERE,
    back_of,
    error_page,
    negotiation_of,
    page,
    portfolio_of,
    refused_page,
)
from dealbench.web.security import AccessMiddleware
from dealbench.web.views import (
    analysis,
    comparison,
    documents,
    frontier_pages,
    improve,
    joint_frontier,
    negotiation,
    negotiation_records,
    packages,
    portfolios,
    results,
    solve_jobs,
    sweeps,
    validation,
)

#: Largest upload accepted (a package file is a few hundred bytes).
MAX_UPLOAD = 256 * 1024


def create_app(deals_dir: str | Path, token: str, *, max_upload: int = MAX_UPLOAD) -> Starlette:
    """The workbench over the files under `deals_dir`, guarded by `token`."""
    routes = [
        *portfolios.routes(),
        *solve_jobs.routes(),
        *comparison.routes(),
        *packages.routes(),
        *documents.routes(),
        *negotiation.routes(),
        *frontier_pages.routes(),
        *joint_frontier.routes(),
        *negotiation_records.routes(),
        *validation.routes(),
        *improve.routes(),
        *results.routes(),
        *analysis.routes(),
        *sweeps.routes(),
        # Browsers ask for /favicon.ico whatever the page links: answered, not a 404 in
        # every page's console.
        Route("/favicon.ico", _favicon),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, token=token, refuse=refused_page)],
        exception_handlers={DealbenchError: _dealbench_error, HTTPException: _http_error},
    )
    app.state.root = Path(deals_dir).resolve()
    app.state.token = token
    app.state.jobs = Jobs()
    app.state.max_upload = max_upload
    return app


async def _favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


async def _dealbench_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DealbenchError)
    return error_page(request, exc)


#: Starlette's own words for a status, replaced by what a user can act on.
_GENERIC = {
    404: "There is no page at {path}.",
    405: "{path} only takes a form sent from its page; nothing was done. "
    "Go back to that page (or reload it) and send the form from there.",
}
_TITLES = {403: "Refused", 404: "Not found", 405: "Nothing was done"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Every HTTP error as a page in words (a 405 or a stale form's 403 were bare text)."""
    assert isinstance(exc, HTTPException)
    detail = str(exc.detail or "")
    if detail == HTTPStatus(exc.status_code).phrase and exc.status_code in _GENERIC:
        detail = _GENERIC[exc.status_code].format(path=request.url.path)
    title = _TITLES.get(exc.status_code, "That did not work")
    context = {"title": title, "lines": [detail], **portfolio_of(request), **back_of(request)}
    context |= negotiation_of(request)
    response = page(request, "error.html.j2", exc.status_code, not_done=False, **context)
    if exc.headers:
        response.headers.update(exc.headers)
    return response
