"""The ASGI app: routes of each page family, the access guard, static files."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from dealbench.errors import DealbenchError
from dealbench.web.jobs import Jobs
from dealbench.web.pages import HERE, error_page, page
from dealbench.web.security import AccessMiddleware
from dealbench.web.views import documents, negotiation, packages, portfolios

#: Largest upload accepted (a package file is a few hundred bytes).
MAX_UPLOAD = 256 * 1024


def create_app(deals_dir: str | Path, token: str, *, max_upload: int = MAX_UPLOAD) -> Starlette:
    """The workbench over the files under `deals_dir`, guarded by `token`."""
    routes = [
        *portfolios.routes(),
        *packages.routes(),
        *documents.routes(),
        *negotiation.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, token=token)],
        exception_handlers={DealbenchError: _dealbench_error, 404: _not_found},
    )
    app.state.root = Path(deals_dir).resolve()
    app.state.token = token
    app.state.jobs = Jobs()
    app.state.max_upload = max_upload
    return app


async def _dealbench_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DealbenchError)
    return error_page(request, exc)


async def _not_found(request: Request, exc: Exception) -> HTMLResponse:
    detail = getattr(exc, "detail", "") or "No such page."
    return page(request, "error.html.j2", 404, title="Not found", lines=[str(detail)])
