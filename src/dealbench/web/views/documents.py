"""Documents: every term sheet, memo and redline previewed in the page, downloadable in
md, html, docx, pdf and json — rendered by `dealbench.render`, exactly as the CLI writes them."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.list_words import did_you_mean
from dealbench.render.clause_check import check_portfolio_clauses
from dealbench.render.docmeta import Audience
from dealbench.render.documents import (
    FORMATS,
    Document,
    RenderedFile,
    documents_for,
    package_redline,
    render_document,
)
from dealbench.render.sources import Source, source_from_packages, source_from_result
from dealbench.web.pages import Refusal, page, refusal
from dealbench.web.views.common import (
    chosen_package,
    off_loop,
    portfolio,
)
from dealbench.web.views.packages import redline_files
from dealbench.web.views.solve_jobs import job_of, solved_portfolio

MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "json": "application/json",
    "svg": "image/svg+xml",
}
TITLES = {
    "term-sheet": "Term sheet",
    "deal-memo": "Deal memo",
    "portfolio-memo": "Portfolio memo",
    "redline": "Redline",
    "negotiation-memo": "Negotiation status memo",
}


def routes() -> list[Route]:
    return [
        Route("/jobs/{job}/documents", job_documents, name="job_documents"),
        Route("/jobs/{job}/documents/{file:path}", job_file, name="job_file"),
        Route("/p/{name}/documents", package_documents, name="package_documents"),
        Route("/p/{name}/documents/{file:path}", package_file, name="package_file"),
    ]


def all_documents(source: Source) -> list[Document]:
    check_portfolio_clauses(source.portfolio)  # at their files and lines, as the CLI does
    docs = documents_for(source, "term-sheet", audience="external")
    docs += documents_for(source, "term-sheet", audience="internal")
    docs += documents_for(source, "deal-memo")
    if len(source.checked.deals) > 1 or source.mode is not None:
        docs += documents_for(source, "portfolio-memo")
    return docs


def listing(docs: list[Document]) -> list[dict[str, Any]]:
    return [
        {
            "path": d.path,
            "title": f"{TITLES[d.kind]}: {PurePosixPath(d.path).name}",
            "formats": FORMATS,
        }
        for d in docs
    ]


def documents_page(
    request: Request,
    heading: str,
    base: str,
    docs: list[Document],
    name: str,
    back: tuple[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The list of `docs`, each previewed and downloadable under `base`; `back` (its URL and
    words) leads to the page they are of (a solve's, a negotiation's)."""
    return page(
        request,
        "documents.html.j2",
        status,
        heading=heading,
        base=base,
        documents=listing(docs),
        name=name,
        back=back,
        **extra,
    )


async def serve_file(
    request: Request, docs: list[Document], file: str, saved_as: str = ""
) -> Response:
    """One document in one format: inline (a preview) or as an attachment (`?download`),
    its name led by `saved_as` (what the documents are of: `gulf-asia-solve-2`). Rendered
    in a worker thread (`off_loop`: a PDF takes seconds), not in the server's loop, which
    every other page waits on."""
    rendered = await off_loop(_rendered, docs, file)
    if rendered is None:
        raise HTTPException(404, f"No document {file!r}.")
    fmt = file.rpartition(".")[2]
    headers = {}
    if "download" in request.query_params or fmt in ("docx", "pdf"):
        # Its path with the folder (`term-sheets/AE.md` as term-sheets-AE.md): the file name
        # alone downloaded a partner's term sheet and deal memo under one name, AE.md.
        # Led by what they are of: AE's term sheet of every solve, of gulf-asia's and of
        # global's, downloaded as term-sheets-AE.md, saved as "term-sheets-AE (1).md".
        parts = PurePosixPath(rendered.path).parts
        name = "-".join((saved_as, *parts) if saved_as else parts)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if fmt in ("html", "svg"):
        # A preview is a document, not part of the app: no scripts, no forms.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return Response(rendered.data, media_type=MEDIA[fmt], headers=headers)


def _rendered(docs: list[Document], file: str) -> RenderedFile | None:
    """The file at `file`: a document in one format, or a chart its Markdown links to.

    A memo's Markdown comes with its charts' SVG files (`charts/NAME-ID.svg` beside it):
    the one file asked for is served (the page took the first of them for the memo and
    failed with a 500), and the charts are served where the Markdown's links point.
    """
    stem, _, fmt = file.rpartition(".")
    if fmt == "svg":
        folder = PurePosixPath(stem).parent.parent
        owners = [d for d in docs if d.charts and PurePosixPath(d.path).parent == folder]
        fmt = "md"
    else:
        owners = [d for d in docs if d.path == stem]
    if fmt not in FORMATS:
        return None
    files = (f for d in owners for f in render_document(d, [fmt]))
    return next((f for f in files if f.path == file), None)


def job_source(request: Request) -> Source:
    job = job_of(request)
    if job.result is None:
        raise HTTPException(404, "This solve has no result (yet).")
    # The portfolio the solve was of (its regime and overrides applied), not the file as it
    # reads now: documents of a solve with --policy or --set showed the file's figures.
    return source_from_result(solved_portfolio(request, job), job.result)


def _job_documents(request: Request) -> list[Document]:
    return all_documents(job_source(request))


async def job_documents(request: Request) -> Response:
    job = job_of(request)
    docs = await off_loop(_job_documents, request)
    heading = f"Documents of solve {job.id} ({job.portfolio})"
    back = (f"/jobs/{job.id}", f"Back to solve {job.id}")
    return documents_page(request, heading, f"/jobs/{job.id}/documents/", docs, job.portfolio, back)


async def job_file(request: Request) -> Response:
    job = job_of(request)
    docs = await off_loop(_job_documents, request)
    return await serve_file(
        request, docs, request.path_params["file"], f"{job.portfolio}-solve-{job.id}"
    )


#: A redline page's audiences: both by default, or the one `redline --audience` names.
AUDIENCES: dict[str, tuple[Audience, ...]] = {
    "": ("external", "internal"),
    "external": ("external",),
    "internal": ("internal",),
}


def package_docs(request: Request) -> list[Document]:
    """Term sheets of one package file, or the redline from one package file to another
    (`dealbench redline OLD NEW --audience A`: the same library call, labels and names)."""
    pf = portfolio(request, request.path_params["name"])
    first = request.query_params.get("package", "")
    other = request.query_params.get("against", "")
    audience = request.query_params.get("audience", "")
    if audience not in AUDIENCES:
        said = f"expected external or internal, got {audience!r}"  # as `--audience` says it
        raise InputError(Issue("audience", None, "", said + did_you_mean(audience, AUDIENCES)))
    if not first:
        return []
    check_portfolio_clauses(pf)
    a = chosen_package(request, pf, "package", first)
    if other:
        b = chosen_package(request, pf, "against", other)
        return [
            package_redline(pf, b, a, files=(other, first), audience=aud)
            for aud in AUDIENCES[audience]
        ]
    source = source_from_packages(pf, [a], origin=first, date=a.date)
    return documents_for(source, "term-sheet", audience="external") + documents_for(
        source, "term-sheet", audience="internal"
    )


async def package_documents(request: Request) -> Response:
    """A package file's term sheets, or a redline between two; a refusal (another partner's
    package, an unknown audience) is said above the pickers, which keep what was chosen."""
    name = request.path_params["name"]
    refused: Refusal | None = None
    try:
        docs = await off_loop(package_docs, request)
    except DealbenchError as exc:  # the pickers as chosen, the one at fault marked
        docs, refused = [], refusal(exc, "documents", ("package", "against", "audience"))
    query = request.url.query
    return documents_page(
        request,
        f"Documents of a package ({name})",
        f"/p/{quote(name, safe='')}/documents/",
        docs,
        name,
        suffix=f"?{query}" if query else "",
        files=redline_files(request),
        chosen=request.query_params.get("package", ""),
        against=request.query_params.get("against", ""),
        audience=request.query_params.get("audience", ""),
        status=refused.status if refused is not None else 200,
        refused=refused,
    )


async def package_file(request: Request) -> Response:
    name = request.path_params["name"]
    docs = await off_loop(package_docs, request)
    return await serve_file(request, docs, request.path_params["file"], name)
